// Creation ops: empty, zeros, ones, full, arange, linspace, eye, *_like and tensors from C++ values.
#pragma once
#include <initializer_list>
#include <vector>

#include "fl/options.h"
#include "fl/tensor.h"

namespace fl {

/// torch.empty: here zero-filled, so never uninitialised.
Tensor empty(const Shape& size, TensorOptions opts = {});
/// torch.zeros (the default dtype unless opts gives one).
Tensor zeros(const Shape& size, TensorOptions opts = {});
/// torch.ones (the default dtype unless opts gives one).
Tensor ones(const Shape& size, TensorOptions opts = {});
/// torch.full: size filled with fill_value;
/// dtype defaults to the value's kind: bool, int64 or the default float dtype.
Tensor full(const Shape& size, const Scalar& fill_value, TensorOptions opts = {});
/// torch.arange: start, start + step, ... below end; int64 unless an argument is floating-point (then the default
/// dtype) or opts gives a dtype (two overloads: [0, end), or [start, end) by step).
Tensor arange(const Scalar& end, TensorOptions opts = {});
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step = 1, TensorOptions opts = {});
/// torch.linspace: steps evenly spaced values from start to end inclusive.
Tensor linspace(double start, double end, int64_t steps, TensorOptions opts = {});
/// torch.logspace: base ** linspace(start, end, steps), computed in float64.
Tensor logspace(double start, double end, int64_t steps, double base = 10.0, TensorOptions opts = {});
/// torch.eye: an n x m (n x n by default) identity matrix.
Tensor eye(int64_t n, std::optional<int64_t> m = std::nullopt, TensorOptions opts = {});
/// torch.empty_like: zeros of t's shape (t's dtype unless opts gives one).
Tensor empty_like(const Tensor& t, TensorOptions opts = {});
/// torch.zeros_like: zeros of t's shape (t's dtype unless opts gives one).
Tensor zeros_like(const Tensor& t, TensorOptions opts = {});
/// torch.ones_like: ones of t's shape (t's dtype unless opts gives one).
Tensor ones_like(const Tensor& t, TensorOptions opts = {});
/// torch.full_like: fill_value in t's shape (t's dtype unless opts gives one).
Tensor full_like(const Tensor& t, const Scalar& fill_value, TensorOptions opts = {});
/// A 0-d tensor holding a scalar (torch.scalar_tensor); dtype defaults as for full().
Tensor scalar_tensor(const Scalar& s, TensorOptions opts);

/// torch.tensor (overloads: a vector with an optional shape, or an initializer list):
/// A tensor from C++ values (copied). Floating data takes the default dtype, integral data int64, unless
/// opts says otherwise. `shape` defaults to 1-D.
template <typename T>
Tensor tensor(const std::vector<T>& data, std::optional<Shape> shape = std::nullopt, TensorOptions opts = {});
template <typename T>
Tensor tensor(std::initializer_list<T> data, TensorOptions opts = {}) {
  return tensor(std::vector<T>(data), std::nullopt, opts);
}
/// A 0-d tensor from one value.
Tensor tensor(const Scalar& value, TensorOptions opts = {});
/// A tensor viewing an MLX array (no copy).
Tensor from_mlx(const mlx::core::array& a, bool requires_grad = false);

}  // namespace fl
