// Creation ops: empty, zeros, ones, full, arange, linspace, eye, *_like and tensors from C++ values.
#pragma once
#include <initializer_list>
#include <vector>

#include "fl/options.h"
#include "fl/tensor.h"

namespace fl {

Tensor empty(const Shape& size, TensorOptions opts = {});
Tensor zeros(const Shape& size, TensorOptions opts = {});
Tensor ones(const Shape& size, TensorOptions opts = {});
/// dtype defaults to the value's kind: bool, int64 or the default float dtype.
Tensor full(const Shape& size, const Scalar& fill_value, TensorOptions opts = {});
Tensor arange(const Scalar& end, TensorOptions opts = {});
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step = 1, TensorOptions opts = {});
Tensor linspace(double start, double end, int64_t steps, TensorOptions opts = {});
Tensor logspace(double start, double end, int64_t steps, double base = 10.0, TensorOptions opts = {});
Tensor eye(int64_t n, std::optional<int64_t> m = std::nullopt, TensorOptions opts = {});
Tensor empty_like(const Tensor& t, TensorOptions opts = {});
Tensor zeros_like(const Tensor& t, TensorOptions opts = {});
Tensor ones_like(const Tensor& t, TensorOptions opts = {});
Tensor full_like(const Tensor& t, const Scalar& fill_value, TensorOptions opts = {});
/// A 0-d tensor holding a scalar (torch.scalar_tensor); dtype defaults as for full().
Tensor scalar_tensor(const Scalar& s, TensorOptions opts);

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
