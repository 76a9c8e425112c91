#include "fl/ops/creation.h"

#include <cmath>

#include "core/layout.h"
#include "ops/op_utils.h"

namespace fl {

namespace {
void check_size(const Shape& size) {
  for (auto s : size) FL_CHECK(s >= 0, "Trying to create tensor with negative dimension ", s, ": ", shape_to_string(size));
}
Dtype dtype_for(const Scalar& v, const TensorOptions& opts) { return opts.dtype_opt().value_or(v.dtype()); }
mx::array scalar_array(const Scalar& v, Dtype d) {
  return dispatch_dtype(d, [&]<typename T>() { return mx::array(v.to<T>(), to_mlx(d)); });
}
}  // namespace

Tensor zeros(const Shape& size, TensorOptions opts) {
  check_size(size);
  return finish_creation(mx::zeros(to_mx_shape(size), to_mlx(opts.dtype_or_default())), opts);
}
Tensor empty(const Shape& size, TensorOptions opts) { return zeros(size, opts); }
Tensor ones(const Shape& size, TensorOptions opts) {
  check_size(size);
  return finish_creation(mx::ones(to_mx_shape(size), to_mlx(opts.dtype_or_default())), opts);
}
Tensor full(const Shape& size, const Scalar& v, TensorOptions opts) {
  check_size(size);
  Dtype d = dtype_for(v, opts);
  return finish_creation(mx::full(to_mx_shape(size), scalar_array(v, d)), opts.dtype(d));
}
Tensor scalar_tensor(const Scalar& v, TensorOptions opts) { return full({}, v, opts); }
Tensor tensor(const Scalar& v, TensorOptions opts) { return full({}, v, opts); }

Tensor arange(const Scalar& end, TensorOptions opts) { return arange(0, end, 1, opts); }

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, TensorOptions opts) {
  detail::adopt_shared_stream();  // builds MLX arrays before any tensor, dtype or shape passes through the core
  bool is_float = start.is_floating_point() || end.is_floating_point() || step.is_floating_point();
  Dtype d = opts.dtype_opt().value_or(is_float ? get_default_dtype() : kInt64);
  double s = start.to_double(), e = end.to_double(), st = step.to_double();
  FL_CHECK(st != 0, "step must be nonzero");
  FL_CHECK((st > 0 && e >= s) || (st < 0 && e <= s), "upper bound and larger bound inconsistent with step sign");
  // Same length rule as PyTorch: ceil((end - start) / step), computed in double.
  int64_t n = static_cast<int64_t>(std::ceil((e - s) / st));
  mx::array a = (is_float || is_floating_point(d))
                    ? mx::add(mx::multiply(mx::arange(0, static_cast<double>(n), 1.0, mx::float64), mx::array(st, mx::float64)),
                              mx::array(s, mx::float64))
                    : mx::add(mx::multiply(mx::arange(0, static_cast<double>(n), 1.0, mx::int64), mx::array(step.to_int(), mx::int64)),
                              mx::array(start.to_int(), mx::int64));
  return finish_creation(cast(a, d), opts.dtype(d));
}

Tensor linspace(double start, double end, int64_t steps, TensorOptions opts) {
  FL_CHECK(steps >= 0, "number of steps must be non-negative");
  detail::adopt_shared_stream();  // as in arange
  Dtype d = opts.dtype_or_default();
  if (steps == 0) return finish_creation(mx::zeros({0}, to_mlx(d)), opts.dtype(d));
  if (steps == 1) return finish_creation(cast(mx::array({start}, mx::float64), d), opts.dtype(d));
  // PyTorch fills the first half from start and the second half from end, symmetrically.
  double step = (end - start) / static_cast<double>(steps - 1);
  mx::array i = mx::arange(0, static_cast<double>(steps), 1.0, mx::float64);
  mx::array from_start = mx::add(mx::array(start, mx::float64), mx::multiply(i, mx::array(step, mx::float64)));
  mx::array from_end = mx::subtract(mx::array(end, mx::float64),
                                    mx::multiply(mx::subtract(mx::array(static_cast<double>(steps - 1), mx::float64), i),
                                                 mx::array(step, mx::float64)));
  mx::array a = mx::where(mx::less(i, mx::array(static_cast<double>(steps / 2), mx::float64)), from_start, from_end);
  if (is_integral(d, true)) a = mx::floor(a);
  return finish_creation(cast(a, d), opts.dtype(d));
}

Tensor logspace(double start, double end, int64_t steps, double base, TensorOptions opts) {
  Dtype d = opts.dtype_or_default();
  Tensor lin = linspace(start, end, steps, TensorOptions(kFloat64));
  mx::array a = mx::power(mx::array(base, mx::float64), lin.mlx());
  return finish_creation(cast(a, d), opts.dtype(d));
}

Tensor eye(int64_t n, std::optional<int64_t> m, TensorOptions opts) {
  FL_CHECK(n >= 0, "n must be greater or equal to 0, got ", n);
  int64_t cols = m.value_or(n);
  FL_CHECK(cols >= 0, "m must be greater or equal to 0, got ", cols);
  return finish_creation(mx::eye(static_cast<int>(n), static_cast<int>(cols), 0, to_mlx(opts.dtype_or_default())), opts);
}

namespace {
TensorOptions like(const Tensor& t, TensorOptions opts) {
  if (!opts.dtype_opt()) opts = opts.dtype(t.dtype());
  return opts;
}
}  // namespace

// The *_like results take a copy's strides (preserve_format by default), as torch's empty_like.
Tensor empty_like(const Tensor& t, TensorOptions opts) { return zeros_like(t, opts); }
Tensor zeros_like(const Tensor& t, TensorOptions opts) {
  return with_copy_strides(zeros(t.sizes(), like(t, opts)), t, opts.memory_format_or_preserve());
}
Tensor ones_like(const Tensor& t, TensorOptions opts) {
  return with_copy_strides(ones(t.sizes(), like(t, opts)), t, opts.memory_format_or_preserve());
}
Tensor full_like(const Tensor& t, const Scalar& v, TensorOptions opts) {
  return with_copy_strides(full(t.sizes(), v, like(t, opts)), t, opts.memory_format_or_preserve());
}

template <typename T>
Tensor tensor(const std::vector<T>& data, std::optional<Shape> shape, TensorOptions opts) {
  Shape s = shape.value_or(Shape{static_cast<int64_t>(data.size())});
  FL_CHECK(numel_of(s) == static_cast<int64_t>(data.size()), "shape '", shape_to_string(s),
           "' is invalid for input of size ", data.size());
  Dtype natural = std::is_same_v<T, bool> ? kBool : std::is_integral_v<T> ? kInt64 : get_default_dtype();
  Dtype d = opts.dtype_opt().value_or(natural);
  if constexpr (std::is_floating_point_v<T>)
    if (d == kFloat32 || d == kFloat64)  // converted on the host: the tensor is evaluated from the start
      return finish_creation(mx::array(data.begin(), to_mx_shape(s), to_mlx(d)), opts.dtype(d));
  using Src = std::conditional_t<std::is_same_v<T, bool>, uint8_t, std::conditional_t<std::is_integral_v<T>, int64_t, double>>;
  std::vector<Src> buf(data.begin(), data.end());
  mx::array a = mx::array(buf.begin(), to_mx_shape(s), to_mlx(dtype_of<Src>()));
  return finish_creation(cast(a, d), opts.dtype(d));
}
template Tensor tensor<float>(const std::vector<float>&, std::optional<Shape>, TensorOptions);
template Tensor tensor<double>(const std::vector<double>&, std::optional<Shape>, TensorOptions);
template Tensor tensor<int>(const std::vector<int>&, std::optional<Shape>, TensorOptions);
template Tensor tensor<int64_t>(const std::vector<int64_t>&, std::optional<Shape>, TensorOptions);
template Tensor tensor<bool>(const std::vector<bool>&, std::optional<Shape>, TensorOptions);

Tensor from_mlx(const mx::array& a, bool requires_grad) { return Tensor::from_mlx(a, requires_grad); }

}  // namespace fl

namespace fl {
static OpRegistrar kRegistrar({
    {"empty", "creation", false},     {"zeros", "creation", false},      {"ones", "creation", false},
    {"full", "creation", false},      {"arange", "creation", false},     {"linspace", "creation", false},
    {"logspace", "creation", false},  {"eye", "creation", false},        {"empty_like", "creation", false},
    {"zeros_like", "creation", false}, {"ones_like", "creation", false}, {"full_like", "creation", false},
    {"scalar_tensor", "creation", false}, {"tensor", "creation", false}, {"from_mlx", "creation", false},
});
}  // namespace fl
