// Shared helpers for op definitions: dim wrapping, broadcasting checks, PyTorch's result_type, scalars.
#pragma once
#include <string>
#include <vector>

#include <mlx/ops.h>

#include "core/autograd_impl.h"
#include "core/tensor_impl.h"
#include "core/thread_stream.h"
#include "fl/options.h"
#include "fl/registry.h"
#include "fl/tensor.h"

namespace fl {
namespace mx = mlx::core;
using Arrays = std::vector<mx::array>;

/// Wraps a possibly negative dim into [0, ndim); IndexError with PyTorch's message otherwise.
int64_t wrap_dim(int64_t dim, int64_t ndim);
/// Wraps and deduplicates a list of dims (empty = all dims), sorted.
std::vector<int> wrap_dims(const Shape& dims, int64_t ndim);
std::string shape_to_string(const Shape& s);
Shape broadcast_shapes(const Shape& a, const Shape& b);
/// broadcast_shapes' check alone (no allocation).
void check_broadcastable(const Shape& a, const Shape& b);
/// Creation ops pass their shape through here before building an MLX array, so a thread adopts the shared stream
/// (core/thread_stream.h) even when its first op reads no tensor.
inline mx::Shape to_mx_shape(const Shape& s) {
  detail::adopt_shared_stream();
  return mx::Shape(s.begin(), s.end());
}
inline Shape from_mx_shape(const mx::Shape& s) { return Shape(s.begin(), s.end()); }

/// A 0-d tensor for a Python-style scalar, marked as a wrapped number for type promotion.
Tensor scalar_tensor(const Scalar& s, std::optional<Dtype> dtype = std::nullopt);
/// torch.result_type over tensors (0-d, dimensioned and wrapped numbers ranked as PyTorch ranks them).
Dtype result_type(const std::vector<Tensor>& tensors);
Dtype result_type(const Tensor& a, const Tensor& b);
/// The dtype an op that always gives floats (exp, sqrt, true division) produces for input dtype d.
inline Dtype float_result(Dtype d) { return is_floating_point(d) ? d : get_default_dtype(); }

/// A computed single value (a wrapped Python scalar, a 0-d tensor) of another dtype, converted at once: as an
/// astype node it would keep the op that reads it from running at once (kernels/elementwise.h).
mx::array cast_value(const mx::array& a, Dtype d);
inline mx::array cast(const mx::array& a, Dtype d) {
  if (a.dtype() == to_mlx(d)) return a;
  return a.size() == 1 && a.is_available() && !a.is_tracer() ? cast_value(a, d) : mx::astype(a, to_mlx(d));
}
/// Fills `ArrayFn` boilerplate: a lambda of the input arrays returning one array.
template <typename F>
ArrayFn fn1(F f) {
  return [f](const Arrays& in) { return Arrays{f(in)}; };
}

/// Creates a tensor per TensorOptions (device check, requires_grad).
Tensor finish_creation(mx::array value, const TensorOptions& opts);

/// Wrapped-number flag lives on the impl's autograd-free fields.
bool is_wrapped_number(const Tensor& t);

}  // namespace fl
