// Elementwise binary ops: PyTorch decides the result dtype (result_type), MLX computes in it.
#include "fl/ops/binary.h"

#include <cmath>

#include <mlx/transforms.h>

#include "core/layout.h"
#include "fl/ops/unary.h"
#include "kernels/elementwise.h"
#include "ops/op_utils.h"

namespace fl {

namespace {
constexpr SaveMask kBoth = save_inputs({0, 1});

template <typename F>
Tensor binary(const char* name, const Tensor& a, const Tensor& b, Dtype compute, F f, SaveMask saves = kSaveNone) {
  check_broadcastable(a.sizes(), b.sizes());
  Tensor r = apply_direct(name, [compute, f](const mx::array& x, const mx::array& y) {
    const mx::Dtype d = to_mlx(compute);
    if (x.dtype() == d && y.dtype() == d) return f(x, y);  // no cast: no array handles copied
    return f(cast(x, compute), cast(y, compute));
  }, saves, a, b);
  return with_elementwise_strides(std::move(r), {&a, &b});
}
mx::array c(double v, const mx::array& like) { return mx::array(v, like.dtype()); }
Tensor wrap(const Scalar& s) { return scalar_tensor(s); }

void check_alpha(Dtype result, const Scalar& alpha) {
  FL_CHECK(!(is_integral(result) && alpha.is_floating_point()),
           "For integral input tensors, argument alpha must not be a floating point number.");
  FL_CHECK(!(result == kBool && !alpha.is_bool() && alpha.to_double() != 1),
           "Boolean alpha only supported for Boolean results.");
}
bool unit(const Scalar& alpha) { return !alpha.is_bool() && alpha.to_double() == 1; }
mx::array scaled(const mx::array& b, const Scalar& alpha) {
  if (unit(alpha)) return b;
  return mx::multiply(b, mx::astype(mx::array(alpha.to_double(), mx::float64), b.dtype()));
}
}  // namespace

// alpha = 1 (nearly every call) gets a lambda without captures, which std::function stores without allocating.
Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  Dtype d = result_type(a, b);
  check_alpha(d, alpha);
  auto f = [](const mx::array& x, const mx::array& y) {
    return x.dtype() == mx::bool_ ? mx::logical_or(x, y) : kernels::add(x, y);
  };
  if (unit(alpha)) return binary("AddBackward0", a, b, d, f);
  return binary("AddBackward0", a, b, d, [f, alpha](const mx::array& x, const mx::array& y) { return f(x, scaled(y, alpha)); });
}
Tensor add(const Tensor& a, const Scalar& b, const Scalar& alpha) { return add(a, wrap(b), alpha); }

Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha) {
  FL_CHECK(!(a.dtype() == kBool && b.dtype() == kBool),
           "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` "
           "operator instead.");
  FL_CHECK(a.dtype() != kBool && b.dtype() != kBool,
           "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, "
           "use the `~` or `logical_not()` operator instead.");
  Dtype d = result_type(a, b);
  check_alpha(d, alpha);
  if (unit(alpha)) return binary("SubBackward0", a, b, d, [](const mx::array& x, const mx::array& y) { return kernels::subtract(x, y); });
  return binary("SubBackward0", a, b, d, [alpha](const mx::array& x, const mx::array& y) {
    return kernels::subtract(x, scaled(y, alpha));
  });
}
Tensor sub(const Tensor& a, const Scalar& b, const Scalar& alpha) { return sub(a, wrap(b), alpha); }
Tensor rsub(const Tensor& a, const Tensor& b, const Scalar& alpha) { return sub(b, a, alpha); }
Tensor rsub(const Tensor& a, const Scalar& b, const Scalar& alpha) { return sub(wrap(b), a, alpha); }

Tensor mul(const Tensor& a, const Tensor& b) {
  return binary("MulBackward0", a, b, result_type(a, b), [](const mx::array& x, const mx::array& y) {
    return x.dtype() == mx::bool_ ? mx::logical_and(x, y) : kernels::multiply(x, y);
  }, kBoth);
}
Tensor mul(const Tensor& a, const Scalar& b) { return mul(a, wrap(b)); }

Tensor div(const Tensor& a, const Tensor& b, const std::optional<std::string>& mode) {
  Dtype common = result_type(a, b);
  if (!mode) {
    return binary("DivBackward0", a, b, float_result(common),
                  [](const mx::array& x, const mx::array& y) { return kernels::divide(x, y); }, kBoth);
  }
  FL_CHECK(*mode == "trunc" || *mode == "floor",
                 "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '", *mode, "'");
  if (is_integral(common, true)) {
    // Integer division by zero is an error in PyTorch, not a value.
    // mx::any gives a bool for any shape (mx::sum of a 0-d bool stays bool: reading it as int read garbage).
    auto bv = b.mlx();
    bool has_zero = mx::any(mx::equal(bv, mx::zeros_like(bv))).item<bool>();
    FL_CHECK(!has_zero, "ZeroDivisionError");
  }
  FL_CHECK_AS(NotImplementedError, common != kBool, "\"div_", *mode, "_cpu\" not implemented for 'Bool'");
  Dtype d = common;
  if (*mode == "floor") {
    return binary("DivBackward1", a, b, d, [](const mx::array& x, const mx::array& y) {
      return mx::issubdtype(x.dtype(), mx::floating) ? mx::floor(mx::divide(x, y)) : mx::floor_divide(x, y);
    }, kBoth);
  }
  return binary("DivBackward1", a, b, d, [](const mx::array& x, const mx::array& y) {
    if (mx::issubdtype(x.dtype(), mx::floating)) {
      auto q = mx::divide(x, y);
      return mx::where(mx::less(q, c(0.0, q)), mx::ceil(q), mx::floor(q));
    }
    // Truncation toward zero from Python-style floor division.
    auto q = mx::floor_divide(x, y);
    auto r = mx::remainder(x, y);
    auto fix = mx::logical_and(mx::not_equal(r, mx::zeros_like(r)), mx::less(mx::multiply(x, y), mx::zeros_like(x)));
    return mx::where(fix, mx::add(q, mx::ones_like(q)), q);
  }, kBoth);
}
Tensor div(const Tensor& a, const Scalar& b, const std::optional<std::string>& mode) { return div(a, wrap(b), mode); }
Tensor true_divide(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor floor_divide(const Tensor& a, const Tensor& b) { return div(a, b, std::string("floor")); }
Tensor floor_divide(const Tensor& a, const Scalar& b) { return floor_divide(a, wrap(b)); }

Tensor remainder(const Tensor& a, const Tensor& b) {
  FL_CHECK_AS(NotImplementedError, result_type(a, b) != kBool, "\"remainder_cpu\" not implemented for 'Bool'");
  return binary("RemainderBackward0", a, b, result_type(a, b),
                [](const mx::array& x, const mx::array& y) { return mx::remainder(x, y); }, kBoth);
}
Tensor remainder(const Tensor& a, const Scalar& b) { return remainder(a, wrap(b)); }
Tensor fmod(const Tensor& a, const Tensor& b) {
  FL_CHECK_AS(NotImplementedError, result_type(a, b) != kBool, "\"fmod_cpu\" not implemented for 'Bool'");
  return binary("FmodBackward0", a, b, result_type(a, b), [](const mx::array& x, const mx::array& y) {
    auto r = mx::remainder(x, y);
    // Python's remainder takes the divisor's sign; fmod takes the dividend's.
    auto fix = mx::logical_and(mx::not_equal(r, mx::zeros_like(r)),
                               mx::not_equal(mx::less(r, mx::zeros_like(r)), mx::less(x, mx::zeros_like(x))));
    return mx::where(fix, mx::subtract(r, y), r);
  }, kBoth);
}
Tensor fmod(const Tensor& a, const Scalar& b) { return fmod(a, wrap(b)); }

Tensor pow(const Tensor& a, const Tensor& b) {
  Dtype d = result_type(a, b);
  FL_CHECK_AS(NotImplementedError, d != kBool, "\"pow\" not implemented for 'Bool'");
  if (is_integral(d, true)) {
    auto bv = b.mlx();
    FL_CHECK(mx::any(mx::less(bv, mx::zeros_like(bv))).item<bool>() == false,
             "Integers to negative integer powers are not allowed.");
  }
  return binary("PowBackward1", a, b, d == kBool ? kInt64 : d,
                [](const mx::array& x, const mx::array& y) { return mx::power(x, y); }, kBoth);
}
Tensor pow(const Tensor& a, const Scalar& b) {
  FL_CHECK(!(is_integral(a.dtype(), true) && b.is_integral() && b.to_int() < 0),
           "Integers to negative integer powers are not allowed.");
  Dtype d = result_type(a, wrap(b));
  if (d == kBool) d = kInt64;
  double e = b.to_double();
  Tensor r = apply1("PowBackward0", fn1([d, e](const Arrays& in) {
    auto x = cast(in[0], d);
    if (e == 2.0) return kernels::unary(kernels::UnaryOp::Square, x);
    if (e == 1.0) return x;
    if (e == 0.5) return mx::sqrt(x);
    return mx::power(x, mx::astype(mx::array(e, mx::float64), x.dtype()));
  }), {a}, save_inputs({0}));
  return with_elementwise_strides(std::move(r), {&a});
}
Tensor pow(const Scalar& a, const Tensor& b) { return pow(wrap(a), b); }
Tensor float_power(const Tensor& a, const Tensor& b) { return pow(a.to(kFloat64), b.to(kFloat64)); }

Tensor atan2(const Tensor& a, const Tensor& b) {
  return binary("Atan2Backward0", a, b, float_result(result_type(a, b)),
                [](const mx::array& x, const mx::array& y) { return mx::arctan2(x, y); }, kBoth);
}
Tensor hypot(const Tensor& a, const Tensor& b) {
  Dtype common = result_type(a, b);
  FL_CHECK_AS(NotImplementedError, is_floating_point(common), "\"hypot_cpu\" not implemented for '",
              scalar_type_name(common), "'");
  return binary("HypotBackward0", a, b, float_result(result_type(a, b)), [](const mx::array& x, const mx::array& y) {
    return mx::sqrt(mx::add(mx::multiply(x, x), mx::multiply(y, y)));
  }, kBoth);
}
Tensor copysign(const Tensor& a, const Tensor& b) {
  return binary("CopysignBackward0", a, b, float_result(result_type(a, b)), [](const mx::array& x, const mx::array& y) {
    // The sign test is not differentiated (1 / y at y = 0 would make its zero gradient nan).
    auto ys = mx::stop_gradient(y);
    auto neg = mx::logical_or(mx::less(ys, c(0.0, ys)),
                              mx::logical_and(mx::equal(ys, c(0.0, ys)), mx::less(mx::reciprocal(ys), c(0.0, ys))));
    return mx::where(neg, mx::negative(mx::abs(x)), mx::abs(x));
  }, kBoth);
}
Tensor xlogy(const Tensor& a, const Tensor& b) {
  return binary("XlogyBackward0", a, b, float_result(result_type(a, b)), [](const mx::array& x, const mx::array& y) {
    auto r = mx::multiply(x, mx::log(y));
    return mx::where(mx::logical_and(mx::equal(x, c(0.0, x)), mx::logical_not(mx::isnan(y))), c(0.0, x), r);
  }, kBoth);
}
namespace {
// max/min with PyTorch's gradients: ties split the cotangent in half (maximum/minimum) or give it to `a`
// (fmax/fmin), and nan routes as derivatives.yaml says. MLX's own vjp differs at ties and nans.
template <typename Fwd, typename Grads>
mx::array split_grad(const mx::array& x, const mx::array& y, Fwd fwd, Grads grads) {
  // Untraced (a forward pass, not MLX's vjp of it): no custom vjp needed, and the result stays eager.
  if (!mx::issubdtype(x.dtype(), mx::floating) || (!x.is_tracer() && !y.is_tracer())) return fwd(x, y);
  auto b = mx::broadcast_arrays({x, y});  // the custom vjp sees equal shapes; MLX reduces the broadcast
  auto f = mx::custom_vjp([fwd](const Arrays& in) { return Arrays{fwd(in[0], in[1])}; },
                          [grads](const Arrays& p, const Arrays& cot, const Arrays&) { return grads(p[0], p[1], cot[0]); });
  return f({b[0], b[1]})[0];
}
// maximum: a gets where(a == b, g / 2, g) but 0 where a < b; b the mirror.
Arrays tie_split(const mx::array& lose_a, const mx::array& lose_b, const mx::array& eq, const mx::array& g) {
  auto shared = mx::where(eq, mx::multiply(g, c(0.5, g)), g), zero = mx::zeros_like(g);
  return {mx::where(lose_a, zero, shared), mx::where(lose_b, zero, shared)};
}
// fmax/fmin: all of g to a where `a_wins`, else to b.
Arrays to_winner(const mx::array& a_wins, const mx::array& g) {
  auto zero = mx::zeros_like(g);
  return {mx::where(a_wins, g, zero), mx::where(a_wins, zero, g)};
}
}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) {
  return binary("MaximumBackward0", a, b, result_type(a, b), [](const mx::array& x, const mx::array& y) {
    return split_grad(x, y, [](const mx::array& p, const mx::array& q) { return kernels::maximum(p, q); },
                      [](const mx::array& p, const mx::array& q, const mx::array& g) {
                        return tie_split(mx::less(p, q), mx::greater(p, q), mx::equal(p, q), g);
                      });
  }, kBoth);
}
Tensor minimum(const Tensor& a, const Tensor& b) {
  return binary("MinimumBackward0", a, b, result_type(a, b), [](const mx::array& x, const mx::array& y) {
    return split_grad(x, y, [](const mx::array& p, const mx::array& q) { return kernels::minimum(p, q); },
                      [](const mx::array& p, const mx::array& q, const mx::array& g) {
                        return tie_split(mx::greater(p, q), mx::less(p, q), mx::equal(p, q), g);
                      });
  }, kBoth);
}
Tensor fmax(const Tensor& a, const Tensor& b) {
  return binary("FmaxBackward0", a, b, result_type(a, b), [](const mx::array& x, const mx::array& y) {
    if (!mx::issubdtype(x.dtype(), mx::floating)) return mx::maximum(x, y);
    return split_grad(x, y, [](const mx::array& p, const mx::array& q) {
      return mx::where(mx::isnan(p), q, mx::where(mx::isnan(q), p, mx::maximum(p, q)));
    }, [](const mx::array& p, const mx::array& q, const mx::array& g) {
      return to_winner(mx::logical_or(mx::greater_equal(p, q), mx::isnan(q)), g);
    });
  }, kBoth);
}
Tensor fmin(const Tensor& a, const Tensor& b) {
  return binary("FminBackward0", a, b, result_type(a, b), [](const mx::array& x, const mx::array& y) {
    if (!mx::issubdtype(x.dtype(), mx::floating)) return mx::minimum(x, y);
    return split_grad(x, y, [](const mx::array& p, const mx::array& q) {
      return mx::where(mx::isnan(p), q, mx::where(mx::isnan(q), p, mx::minimum(p, q)));
    }, [](const mx::array& p, const mx::array& q, const mx::array& g) {
      return to_winner(mx::logical_or(mx::less_equal(p, q), mx::isnan(q)), g);
    });
  }, kBoth);
}

// --- comparisons and logic (bool results, never differentiable) -----------------------------------------

#define FL_COMPARE(NAME, MXFN)                                                                              \
  Tensor NAME(const Tensor& a, const Tensor& b) {                                                           \
    return binary("", a, b, result_type(a, b), [](const mx::array& x, const mx::array& y) { return MXFN(x, y); }); \
  }                                                                                                         \
  Tensor NAME(const Tensor& a, const Scalar& b) { return NAME(a, wrap(b)); }
FL_COMPARE(eq, mx::equal)
FL_COMPARE(ne, mx::not_equal)
FL_COMPARE(lt, mx::less)
FL_COMPARE(le, mx::less_equal)
FL_COMPARE(gt, mx::greater)
FL_COMPARE(ge, mx::greater_equal)
#undef FL_COMPARE

Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  FL_CHECK(a.dtype() == b.dtype(), "isclose(): expected both inputs to have the same dtype, but got ",
           scalar_type_name(a.dtype()), " and ", scalar_type_name(b.dtype()));
  return binary("", a, b, a.dtype(), [=](const mx::array& x, const mx::array& y) {
    if (!mx::issubdtype(x.dtype(), mx::floating)) {
      auto xd = mx::astype(x, mx::float64), yd = mx::astype(y, mx::float64);
      return mx::less_equal(mx::abs(mx::subtract(xd, yd)), mx::add(c(atol, xd), mx::multiply(c(rtol, xd), mx::abs(yd))));
    }
    // A non-finite difference is never close (1 vs -inf), as in PyTorch; equal infinities are (equal()).
    auto diff = mx::abs(mx::subtract(x, y));
    auto close = mx::logical_or(mx::equal(x, y), mx::logical_and(mx::isfinite(diff), mx::less_equal(diff,
                                mx::add(c(atol, x), mx::multiply(c(rtol, x), mx::abs(y))))));
    if (equal_nan) close = mx::logical_or(close, mx::logical_and(mx::isnan(x), mx::isnan(y)));
    return close;
  });
}
bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  return mx::all(isclose(a, b, rtol, atol, equal_nan).mlx()).item<bool>();
}
bool equal(const Tensor& a, const Tensor& b) {
  if (a.sizes() != b.sizes()) return false;
  return mx::all(eq(a, b).mlx()).item<bool>();
}

namespace {
template <typename F>
Tensor logical(const Tensor& a, const Tensor& b, F f) {
  return binary("", a, b, kBool, f);
}
template <typename F>
Tensor bitwise(const char* op, const Tensor& a, const Tensor& b, F f) {
  Dtype d = result_type(a, b);
  FL_CHECK_AS(NotImplementedError, !is_floating_point(d), "\"", op, "_cpu\" not implemented for '", scalar_type_name(d), "'");
  return binary("", a, b, d, f);
}
}  // namespace
Tensor logical_and(const Tensor& a, const Tensor& b) {
  return logical(a, b, [](const mx::array& x, const mx::array& y) { return mx::logical_and(x, y); });
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  return logical(a, b, [](const mx::array& x, const mx::array& y) { return mx::logical_or(x, y); });
}
Tensor logical_xor(const Tensor& a, const Tensor& b) {
  return logical(a, b, [](const mx::array& x, const mx::array& y) { return mx::not_equal(x, y); });
}
Tensor bitwise_and(const Tensor& a, const Tensor& b) {
  return bitwise("bitwise_and", a, b, [](const mx::array& x, const mx::array& y) {
    return x.dtype() == mx::bool_ ? mx::logical_and(x, y) : mx::bitwise_and(x, y);
  });
}
Tensor bitwise_or(const Tensor& a, const Tensor& b) {
  return bitwise("bitwise_or", a, b, [](const mx::array& x, const mx::array& y) {
    return x.dtype() == mx::bool_ ? mx::logical_or(x, y) : mx::bitwise_or(x, y);
  });
}
Tensor bitwise_xor(const Tensor& a, const Tensor& b) {
  return bitwise("bitwise_xor", a, b, [](const mx::array& x, const mx::array& y) {
    return x.dtype() == mx::bool_ ? mx::not_equal(x, y) : mx::bitwise_xor(x, y);
  });
}

// --- ternary ----------------------------------------------------------------------------------------------

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  FL_CHECK(cond.dtype() == kBool || cond.dtype() == kUInt8,
           "where expected condition to be a boolean tensor, but got a tensor with dtype ", scalar_type_name(cond.dtype()));
  broadcast_shapes(broadcast_shapes(cond.sizes(), a.sizes()), b.sizes());
  Dtype d = result_type(a, b);
  Tensor r = apply1("WhereBackward0", fn1([d](const Arrays& in) {
    return mx::where(mx::astype(in[0], mx::bool_), cast(in[1], d), cast(in[2], d));
  }), {cond, a, b}, save_inputs({0}));
  return with_elementwise_strides(std::move(r), {&cond, &a, &b});
}
Tensor where(const Tensor& cond, const Tensor& a, const Scalar& b) { return where(cond, a, wrap(b)); }
Tensor where(const Tensor& cond, const Scalar& a, const Tensor& b) { return where(cond, wrap(a), b); }

Tensor lerp(const Tensor& start, const Tensor& end, const Tensor& weight) {
  FL_CHECK(start.dtype() == end.dtype(), "expected dtype ", dtype_name(start.dtype()), " for `end` but got dtype ",
           dtype_name(end.dtype()));
  FL_CHECK(start.is_floating_point(), "lerp_kernel_scalar\" not implemented for '", scalar_type_name(start.dtype()), "'");
  broadcast_shapes(broadcast_shapes(start.sizes(), end.sizes()), weight.sizes());
  Dtype d = start.dtype();
  Tensor r = apply1("LerpBackward1", fn1([d](const Arrays& in) {
    auto w = cast(in[2], d);
    return mx::add(in[0], mx::multiply(w, mx::subtract(in[1], in[0])));
  }), {start, end, weight}, kSaveAll);
  return with_elementwise_strides(std::move(r), {&start, &end, &weight});
}
Tensor lerp(const Tensor& start, const Tensor& end, const Scalar& weight) {
  return lerp(start, end, scalar_tensor(weight, start.dtype()));
}

Tensor addcmul(const Tensor& input, const Tensor& t1, const Tensor& t2, const Scalar& value) {
  return add(input, mul(t1, t2), value);
}
Tensor addcdiv(const Tensor& input, const Tensor& t1, const Tensor& t2, const Scalar& value) {
  FL_CHECK(!(is_integral(t1.dtype(), true) && is_integral(t2.dtype(), true)),
           "Integer division with addcdiv is no longer supported, and in a future release addcdiv will perform a "
           "true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as (input + value "
           "* torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / "
           "tensor2) for float inputs. The future addcdiv behavior is just the latter implementation: (input + value "
           "* tensor1 / tensor2), for all dtypes.");
  return add(input, div(t1, t2), value);
}

Tensor clamp(const Tensor& x, std::optional<Scalar> lo, std::optional<Scalar> hi) {
  FL_CHECK(lo || hi, "torch.clamp: At least one of 'min' or 'max' must not be None");
  std::vector<Tensor> parts{x};
  if (lo) parts.push_back(wrap(*lo));
  if (hi) parts.push_back(wrap(*hi));
  Dtype d = result_type(parts);
  std::optional<double> lv = lo ? std::optional<double>(lo->to_double()) : std::nullopt;
  std::optional<double> hv = hi ? std::optional<double>(hi->to_double()) : std::nullopt;
  Tensor r = apply1("ClampBackward1", fn1([d, lv, hv](const Arrays& in) {
    auto a = cast(in[0], d);
    // NaN propagates through clamp as in PyTorch: compare-and-select rather than min/max.
    if (lv) a = mx::where(mx::less(a, mx::astype(mx::array(*lv, mx::float64), a.dtype())), mx::astype(mx::array(*lv, mx::float64), a.dtype()), a);
    if (hv) a = mx::where(mx::greater(a, mx::astype(mx::array(*hv, mx::float64), a.dtype())), mx::astype(mx::array(*hv, mx::float64), a.dtype()), a);
    return a;
  }), {x}, save_inputs({0}));
  return with_elementwise_strides(std::move(r), {&x});
}
Tensor clamp(const Tensor& x, const std::optional<Tensor>& lo, const std::optional<Tensor>& hi) {
  FL_CHECK(lo || hi, "torch.clamp: At least one of 'min' or 'max' must not be None");
  Dtype d = lo && hi ? result_type({x, *lo, *hi}) : x.dtype();
  if (lo && hi && is_floating_point(d)) {
    // Both bounds: PyTorch's value min(max(x, lo), hi) (nan anywhere gives nan) and gradients
    // (clamp_backward_min_max): x where lo <= x <= hi, lo where x < lo < hi, hi where x > hi or hi < lo.
    broadcast_shapes(broadcast_shapes(x.sizes(), lo->sizes()), hi->sizes());
    return apply1("ClampBackward1", fn1([d](const Arrays& in) {
      auto b = mx::broadcast_arrays({cast(in[0], d), cast(in[1], d), cast(in[2], d)});
      auto f = mx::custom_vjp(
          [](const Arrays& p) { return Arrays{mx::minimum(mx::maximum(p[0], p[1]), p[2])}; },
          [](const Arrays& p, const Arrays& cot, const Arrays&) {
            const auto &v = p[0], &l = p[1], &h = p[2], &g = cot[0];
            auto zero = mx::zeros_like(g);
            return Arrays{mx::where(mx::logical_and(mx::greater_equal(v, l), mx::less_equal(v, h)), g, zero),
                          mx::where(mx::logical_and(mx::less(v, l), mx::less(l, h)), g, zero),
                          mx::where(mx::logical_or(mx::greater(v, h), mx::less(h, l)), g, zero)};
          });
      return f({b[0], b[1], b[2]})[0];
    }), {x, *lo, *hi}, kSaveAll);
  }
  Tensor r = x;
  if (lo) r = where(lt(r, *lo), *lo, r);
  if (hi) r = where(gt(r, *hi), *hi, r);
  return r;
}
Tensor clamp_min(const Tensor& x, const Scalar& lo) { return clamp(x, lo, std::nullopt); }
Tensor clamp_max(const Tensor& x, const Scalar& hi) { return clamp(x, std::nullopt, hi); }

// --- operators ---------------------------------------------------------------------------------------------

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator+(const Tensor& a, const Scalar& b) { return add(a, b); }
Tensor operator+(const Scalar& a, const Tensor& b) { return add(wrap(a), b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator-(const Tensor& a, const Scalar& b) { return sub(a, b); }
Tensor operator-(const Scalar& a, const Tensor& b) { return sub(wrap(a), b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator*(const Tensor& a, const Scalar& b) { return mul(a, b); }
Tensor operator*(const Scalar& a, const Tensor& b) { return mul(wrap(a), b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator/(const Tensor& a, const Scalar& b) { return div(a, b); }
Tensor operator/(const Scalar& a, const Tensor& b) { return div(wrap(a), b); }
Tensor operator%(const Tensor& a, const Tensor& b) { return remainder(a, b); }
Tensor operator%(const Tensor& a, const Scalar& b) { return remainder(a, b); }
Tensor operator-(const Tensor& a) { return neg(a); }
Tensor operator~(const Tensor& a) { return bitwise_not(a); }
Tensor operator&(const Tensor& a, const Tensor& b) { return bitwise_and(a, b); }
Tensor operator|(const Tensor& a, const Tensor& b) { return bitwise_or(a, b); }
Tensor operator^(const Tensor& a, const Tensor& b) { return bitwise_xor(a, b); }
Tensor operator==(const Tensor& a, const Tensor& b) { return eq(a, b); }
Tensor operator==(const Tensor& a, const Scalar& b) { return eq(a, b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return ne(a, b); }
Tensor operator!=(const Tensor& a, const Scalar& b) { return ne(a, b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return lt(a, b); }
Tensor operator<(const Tensor& a, const Scalar& b) { return lt(a, b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return le(a, b); }
Tensor operator<=(const Tensor& a, const Scalar& b) { return le(a, b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return gt(a, b); }
Tensor operator>(const Tensor& a, const Scalar& b) { return gt(a, b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return ge(a, b); }
Tensor operator>=(const Tensor& a, const Scalar& b) { return ge(a, b); }
Tensor& operator+=(Tensor& a, const Tensor& b) { return a.add_(b); }
Tensor& operator+=(Tensor& a, const Scalar& b) { return a.add_(b); }
Tensor& operator-=(Tensor& a, const Tensor& b) { return a.sub_(b); }
Tensor& operator-=(Tensor& a, const Scalar& b) { return a.sub_(b); }
Tensor& operator*=(Tensor& a, const Tensor& b) { return a.mul_(b); }
Tensor& operator*=(Tensor& a, const Scalar& b) { return a.mul_(b); }
Tensor& operator/=(Tensor& a, const Tensor& b) { return a.div_(b); }
Tensor& operator/=(Tensor& a, const Scalar& b) { return a.div_(b); }

}  // namespace fl

namespace fl {
Tensor Tensor::add(const Tensor& o, const Scalar& alpha) const { return fl::add(*this, o, alpha); }
Tensor Tensor::sub(const Tensor& o, const Scalar& alpha) const { return fl::sub(*this, o, alpha); }
Tensor Tensor::mul(const Tensor& o) const { return fl::mul(*this, o); }
Tensor Tensor::div(const Tensor& o) const { return fl::div(*this, o); }
Tensor Tensor::pow(const Scalar& e) const { return fl::pow(*this, e); }
Tensor Tensor::pow(const Tensor& e) const { return fl::pow(*this, e); }
Tensor Tensor::maximum(const Tensor& o) const { return fl::maximum(*this, o); }
Tensor Tensor::minimum(const Tensor& o) const { return fl::minimum(*this, o); }
Tensor Tensor::eq(const Tensor& o) const { return fl::eq(*this, o); }
Tensor Tensor::ne(const Tensor& o) const { return fl::ne(*this, o); }
Tensor Tensor::lt(const Tensor& o) const { return fl::lt(*this, o); }
Tensor Tensor::gt(const Tensor& o) const { return fl::gt(*this, o); }
Tensor Tensor::clamp(std::optional<Scalar> lo, std::optional<Scalar> hi) const { return fl::clamp(*this, lo, hi); }
Tensor Tensor::lerp(const Tensor& end, const Scalar& w) const { return fl::lerp(*this, end, w); }
bool Tensor::allclose(const Tensor& o, double rtol, double atol) const { return fl::allclose(*this, o, rtol, atol); }
bool Tensor::equal(const Tensor& o) const { return fl::equal(*this, o); }
}  // namespace fl

namespace fl {
static OpRegistrar kRegistrar({
    {"add", "binary", true},         {"sub", "binary", true},          {"rsub", "binary", true},
    {"mul", "binary", true},         {"div", "binary", true},          {"true_divide", "binary", true},
    {"floor_divide", "binary", false}, {"remainder", "binary", true},  {"fmod", "binary", true},
    {"pow", "binary", true},         {"float_power", "binary", true},  {"atan2", "binary", true},
    {"hypot", "binary", true},       {"copysign", "binary", true},     {"xlogy", "binary", true},
    {"maximum", "binary", true},     {"minimum", "binary", true},      {"fmax", "binary", true},
    {"fmin", "binary", true},        {"eq", "compare", false},         {"ne", "compare", false},
    {"lt", "compare", false},        {"le", "compare", false},         {"gt", "compare", false},
    {"ge", "compare", false},        {"isclose", "compare", false},    {"allclose", "compare", false},
    {"equal", "compare", false},     {"logical_and", "logical", false}, {"logical_or", "logical", false},
    {"logical_xor", "logical", false}, {"bitwise_and", "logical", false}, {"bitwise_or", "logical", false},
    {"bitwise_xor", "logical", false}, {"where", "ternary", true},     {"lerp", "ternary", true},
    {"addcmul", "ternary", true},    {"addcdiv", "ternary", true},     {"clamp", "ternary", true},
    {"clamp_min", "ternary", true},  {"clamp_max", "ternary", true},   {"clip", "ternary", true},
});
}  // namespace fl
