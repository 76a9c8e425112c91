// Scans along a dim (cumsum, cumprod, cummax/cummin, logcumsumexp) and softmax / log_softmax.
#include <cmath>

#include "fl/ops/reduction.h"
#include "kernels/precise_unary.h"
#include "ops/op_utils.h"

namespace fl {

namespace {
// PyTorch treats a 0-d tensor as one element along dim 0: run on a 1-element vector, then drop the axis.
template <typename F>
Arrays along_dim(const mx::array& a, F f) {
  if (a.ndim() != 0) return f(a);
  Arrays r = f(mx::reshape(a, {1}));
  for (auto& o : r) o = mx::reshape(o, {});
  return r;
}

template <typename F>
Tensor scan(const char* name, const Tensor& x, int64_t dim, Dtype d, F f, SaveMask saves, bool half_acc = true) {
  int axis = static_cast<int>(wrap_dim(dim, x.dim()));
  // Half types accumulate in float32, as PyTorch's CPU scans do (MLX's would stall at 2048 in float16).
  Dtype acc = half_acc && (d == kFloat16 || d == kBFloat16) ? kFloat32 : d;
  return apply1(name, [=](const Arrays& in) {
    return along_dim(cast(in[0], acc), [&](const mx::array& a) { return Arrays{cast(f(a, axis), d)}; });
  }, {x}, saves);
}

Dtype scan_dtype(const Tensor& x, std::optional<Dtype> dtype) {
  return dtype.value_or(is_integral(x.dtype(), true) ? kInt64 : x.dtype());
}

mx::array c(double v, const mx::array& like) { return mx::array(v, like.dtype()); }
// log(e^a + e^b), shifted by a constant max (0 when infinite, so -inf + -inf stays -inf).
mx::array log_add_exp(const mx::array& a, const mx::array& b) {
  auto m = mx::maximum(a, b);
  m = mx::stop_gradient(mx::where(mx::isinf(m), c(0.0, m), m));
  return mx::add(m, mx::log(mx::add(kernels::exp(mx::subtract(a, m)), kernels::exp(mx::subtract(b, m)))));
}
// Inclusive log-cum-sum-exp by a log-depth (Hillis-Steele) scan of logaddexp, for float64 precision.
mx::array logcumsumexp_scan(mx::array a, int axis) {
  int n = a.shape(axis);
  for (int k = 1; k < n; k *= 2) {
    mx::Shape pad_shape = a.shape(), start(a.ndim(), 0), stop = a.shape();
    pad_shape[axis] = k;
    stop[axis] = n - k;
    auto shifted = mx::concatenate({mx::full(pad_shape, c(-INFINITY, a)), mx::slice(a, start, stop)}, axis);
    a = log_add_exp(a, shifted);
  }
  return a;
}

void check_float(const char* kernel, const Tensor& x) {
  FL_CHECK_AS(NotImplementedError, x.is_floating_point(), "\"", kernel, "\" not implemented for '",
              scalar_type_name(x.dtype()), "'");
}

// Running max/min with PyTorch's indices: ties move the index to the latest element, and a NaN sticks (its
// index is the latest NaN). Values gather at the index so the gradient flows to that element.
std::tuple<Tensor, Tensor> cum_extreme(const char* name, bool is_max, const Tensor& x, int64_t dim) {
  int axis = static_cast<int>(wrap_dim(dim, x.dim()));
  auto outs = apply_op(name, [=](const Arrays& in) {
    return along_dim(in[0], [&](const mx::array& a) {
      auto v = a.dtype() == mx::bool_ ? mx::astype(a, mx::uint8) : a;
      auto run = is_max ? mx::cummax(v, axis) : mx::cummin(v, axis);
      auto hit = mx::equal(v, run);
      if (mx::issubdtype(v.dtype(), mx::floating)) hit = mx::logical_or(hit, mx::isnan(v));
      mx::Shape pshape(a.ndim(), 1);
      pshape[axis] = a.shape(axis);
      auto pos = mx::reshape(mx::arange(a.shape(axis), mx::int64), pshape);
      auto idx = mx::cummax(mx::where(hit, pos, mx::zeros({}, mx::int64)), axis);
      idx = mx::stop_gradient(idx);
      return Arrays{mx::take_along_axis(a, idx, axis), idx};
    });
  }, {x}, save_inputs({0}));
  return {outs[0], outs[1]};
}
}  // namespace

Tensor cumsum(const Tensor& x, int64_t dim, std::optional<Dtype> dtype) {
  return scan("CumsumBackward0", x, dim, scan_dtype(x, dtype),
              [](const mx::array& a, int axis) { return mx::cumsum(a, axis); }, kSaveNone);
}

Tensor cumprod(const Tensor& x, int64_t dim, std::optional<Dtype> dtype) {
  // MLX's vjp of cumprod handles zeros in the input (finite, exact), as PyTorch's.
  return scan("CumprodBackward0", x, dim, scan_dtype(x, dtype),
              [](const mx::array& a, int axis) { return mx::cumprod(a, axis); }, save_inputs({0}) | kSaveOutput);
}

std::tuple<Tensor, Tensor> cummax(const Tensor& x, int64_t dim) { return cum_extreme("CummaxBackward0", true, x, dim); }
std::tuple<Tensor, Tensor> cummin(const Tensor& x, int64_t dim) { return cum_extreme("CumminBackward0", false, x, dim); }

Tensor logcumsumexp(const Tensor& x, int64_t dim) {
  check_float("logcumsumexp_out_cpu", x);
  return scan("LogcumsumexpBackward0", x, dim, x.dtype(),
              [](const mx::array& a, int axis) {
                // MLX's scan loses precision on float64 (float32-accurate exp).
                return a.dtype() == mx::float64 ? logcumsumexp_scan(a, axis) : mx::logcumsumexp(a, axis);
              }, save_inputs({0}) | kSaveOutput);
}

namespace {
template <typename F>
Tensor softmax_like(const char* name, const char* kernel, const Tensor& x, int64_t dim, std::optional<Dtype> dtype,
                    F f) {
  int64_t d = wrap_dim(dim, x.dim());
  if (!dtype) {
    bool last = x.dim() == 0 || d == x.dim() - 1;
    FL_CHECK_AS(NotImplementedError, x.is_floating_point(), "\"", kernel, last ? "_lastdim" : "", "_kernel_impl\" not implemented for '",
                scalar_type_name(x.dtype()), "'");
  }
  return scan(name, x, dim, dtype.value_or(x.dtype()), f, kSaveOutput, false);
}
}  // namespace

Tensor softmax(const Tensor& x, int64_t dim, std::optional<Dtype> dtype) {
  // precise: half inputs accumulate in float32. A row of all -inf gives nan, as in PyTorch.
  return softmax_like("SoftmaxBackward0", "softmax", x, dim, dtype, [](const mx::array& a, int axis) {
    if (a.dtype() != mx::float64 || a.size() == 0) return mx::softmax(a, {axis}, true);
    auto e = kernels::exp(mx::subtract(a, mx::stop_gradient(mx::max(a, axis, true))));
    return mx::divide(e, mx::sum(e, axis, true));
  });
}

Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<Dtype> dtype) {
  return softmax_like("LogSoftmaxBackward0", "log_softmax", x, dim, dtype, [](const mx::array& a, int axis) {
    if (a.size() == 0) return a;
    auto acc = a.dtype() == mx::float16 || a.dtype() == mx::bfloat16 ? mx::astype(a, mx::float32) : a;
    // (x - max) - log(sum(exp(x - max))), as PyTorch: a row holding +inf is all nan.
    auto s = mx::subtract(acc, mx::stop_gradient(mx::max(acc, axis, true)));
    return mx::astype(mx::subtract(s, mx::log(mx::sum(kernels::exp(s), axis, true))), a.dtype());
  });
}

}  // namespace fl
