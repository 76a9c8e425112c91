// Elementwise unary ops. Each is one line naming its MLX composition; MLX's vjp differentiates it.
#include "fl/ops/unary.h"

#include <cmath>

#include "core/layout.h"
#include "kernels/elementwise.h"
#include "kernels/precise_unary.h"
#include "ops/op_utils.h"

namespace fl {

namespace {
// A constant of the same dtype as `like`.
mx::array c(double v, const mx::array& like) { return mx::array(v, like.dtype()); }

using ArrayOp = mx::array (*)(const mx::array&, mx::StreamOrDevice);
using kernels::UnaryOp;

// Integer inputs promote to the default float dtype, as torch.exp(int_tensor) does.
template <typename F>
Tensor float_op(const char* name, const Tensor& x, F f, SaveMask saves) {
  Dtype d = float_result(x.dtype());
  return with_elementwise_strides(apply1(name, fn1([d, f](const Arrays& in) { return f(cast(in[0], d)); }), {x}, saves),
                                  {&x});
}
template <typename F>
Tensor same_op(const char* name, const Tensor& x, F f, SaveMask saves) {
  return with_elementwise_strides(apply1(name, fn1([f](const Arrays& in) { return f(in[0]); }), {x}, saves), {&x});
}
template <typename F>
Tensor float_only(const char* name, const char* op, const Tensor& x, F f, SaveMask saves) {
  FL_CHECK_AS(NotImplementedError, x.is_floating_point(), "\"", op, "\" not implemented for '", scalar_type_name(x.dtype()), "'");
  return same_op(name, x, f, saves);
}
template <typename F>
Tensor predicate(const Tensor& x, F f) {
  return with_elementwise_strides(apply1("", fn1([f](const Arrays& in) { return f(in[0]); }), {x}), {&x});
}
constexpr SaveMask kIn = save_inputs({0});
}  // namespace

#define FL_FLOAT_UNARY(NAME, GRAD, EXPR, SAVES) \
  Tensor NAME(const Tensor& x) { return float_op(GRAD, x, [](const mx::array& a) { return EXPR; }, SAVES); }

FL_FLOAT_UNARY(exp, "ExpBackward0", kernels::unary(UnaryOp::Exp, a), kSaveOutput)
FL_FLOAT_UNARY(exp2, "Exp2Backward0", mx::power(c(2.0, a), a), kSaveOutput)
FL_FLOAT_UNARY(expm1, "Expm1Backward0", mx::expm1(a), kSaveOutput)
FL_FLOAT_UNARY(log, "LogBackward0", kernels::unary(UnaryOp::Log, a), kIn)
FL_FLOAT_UNARY(log2, "Log2Backward0", kernels::log2(a), kIn)
FL_FLOAT_UNARY(log10, "Log10Backward0", kernels::log10(a), kIn)
FL_FLOAT_UNARY(log1p, "Log1PBackward0", mx::log1p(a), kIn)
FL_FLOAT_UNARY(sqrt, "SqrtBackward0", kernels::unary(UnaryOp::Sqrt, a), kSaveOutput)
FL_FLOAT_UNARY(rsqrt, "RsqrtBackward0", mx::rsqrt(a), kSaveOutput)
FL_FLOAT_UNARY(sin, "SinBackward0", kernels::sin(a), kIn)
FL_FLOAT_UNARY(cos, "CosBackward0", kernels::cos(a), kIn)
FL_FLOAT_UNARY(tan, "TanBackward0", kernels::tan(a), kSaveOutput)
FL_FLOAT_UNARY(asin, "AsinBackward0", mx::arcsin(a), kIn)
FL_FLOAT_UNARY(acos, "AcosBackward0", mx::arccos(a), kIn)
FL_FLOAT_UNARY(atan, "AtanBackward0", mx::arctan(a), kIn)
FL_FLOAT_UNARY(sinh, "SinhBackward0", mx::sinh(a), kIn)
FL_FLOAT_UNARY(cosh, "CoshBackward0", mx::cosh(a), kIn)
FL_FLOAT_UNARY(tanh, "TanhBackward0", kernels::unary(UnaryOp::Tanh, a), kSaveOutput)
FL_FLOAT_UNARY(asinh, "AsinhBackward0", mx::arcsinh(a), kIn)
FL_FLOAT_UNARY(acosh, "AcoshBackward0", mx::arccosh(a), kIn)
FL_FLOAT_UNARY(atanh, "AtanhBackward0", mx::arctanh(a), kIn)
FL_FLOAT_UNARY(erf, "ErfBackward0", kernels::erf(a), kIn)
FL_FLOAT_UNARY(erfinv, "ErfinvBackward0", kernels::erfinv(a), kIn)
FL_FLOAT_UNARY(reciprocal, "ReciprocalBackward0", mx::reciprocal(a), kSaveOutput)
FL_FLOAT_UNARY(sigmoid, "SigmoidBackward0", kernels::unary(UnaryOp::Sigmoid, a), kSaveOutput)
FL_FLOAT_UNARY(deg2rad, "Deg2RadBackward0", mx::multiply(a, c(M_PI / 180.0, a)), kSaveNone)
FL_FLOAT_UNARY(rad2deg, "Rad2DegBackward0", mx::multiply(a, c(180.0 / M_PI, a)), kSaveNone)
#undef FL_FLOAT_UNARY

Tensor logit(const Tensor& x, std::optional<double> eps) {
  return float_op("LogitBackward0", x, [eps](const mx::array& a) {
    mx::array z = eps ? mx::clip(a, c(*eps, a), c(1.0 - *eps, a)) : a;
    return mx::log(mx::divide(z, mx::subtract(c(1.0, z), z)));
  }, kIn);
}

Tensor abs(const Tensor& x) {
  FL_CHECK_AS(NotImplementedError, x.dtype() != kBool, "\"abs_cpu\" not implemented for 'Bool'");
  return same_op("AbsBackward0", x, [](const mx::array& a) { return kernels::unary(UnaryOp::Abs, a); }, kIn);
}
Tensor neg(const Tensor& x) {
  FL_CHECK(x.dtype() != kBool,
           "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use "
           "the `~` or `logical_not()` operator instead.");
  return same_op("NegBackward0", x, [](const mx::array& a) { return kernels::unary(UnaryOp::Neg, a); }, kSaveNone);
}
Tensor negative(const Tensor& x) { return neg(x); }
Tensor positive(const Tensor& x) {
  FL_CHECK(x.dtype() != kBool, "The `+` operator, on a bool tensor is not supported.");
  return x;
}
Tensor sign(const Tensor& x) { return same_op("SignBackward0", x, [](const mx::array& a) { return mx::sign(a); }, kSaveNone); }
Tensor square(const Tensor& x) {
  Dtype d = x.dtype() == kBool ? kInt64 : x.dtype();
  Tensor r =
      apply1("PowBackward0", fn1([d](const Arrays& in) { return kernels::unary(UnaryOp::Square, cast(in[0], d)); }), {x}, kIn);
  return with_elementwise_strides(std::move(r), {&x});
}

namespace {
// Rounding is the identity on integers, as in PyTorch.
template <typename F>
Tensor rounding(const char* name, const char* op, const Tensor& x, F f) {
  FL_CHECK_AS(NotImplementedError, x.dtype() != kBool, "\"", op, "_vml_cpu\" not implemented for 'Bool'");
  if (!x.is_floating_point()) return with_elementwise_strides(x.clone(MemoryFormat::Contiguous), {&x});
  return same_op(name, x, f, kSaveNone);
}
}  // namespace
Tensor floor(const Tensor& x) { return rounding("FloorBackward0", "floor", x, [](const mx::array& a) { return mx::floor(a); }); }
Tensor ceil(const Tensor& x) { return rounding("CeilBackward0", "ceil", x, [](const mx::array& a) { return mx::ceil(a); }); }
Tensor round(const Tensor& x, int64_t decimals) {
  // Round half to even, as torch.round and mx::round both do.
  // mx::round with decimals loses float64 precision: scale, round half to even, unscale (as torch does).
  return rounding("RoundBackward0", "round", x, [decimals](const mx::array& a) {
    if (decimals == 0) return mx::round(a);
    auto scale = c(std::pow(10.0, static_cast<double>(decimals)), a);
    return mx::divide(mx::round(mx::multiply(a, scale)), scale);
  });
}
Tensor trunc(const Tensor& x) {
  return rounding("TruncBackward0", "trunc", x, [](const mx::array& a) {
    return mx::where(mx::less(a, c(0.0, a)), mx::ceil(a), mx::floor(a));
  });
}
Tensor frac(const Tensor& x) {
  return float_only("FracBackward0", "frac", x, [](const mx::array& a) {
    return mx::subtract(a, mx::where(mx::less(a, c(0.0, a)), mx::ceil(a), mx::floor(a)));
  }, kSaveNone);
}

Tensor nan_to_num(const Tensor& x, std::optional<double> nan, std::optional<double> posinf, std::optional<double> neginf) {
  if (!x.is_floating_point()) return x.clone();
  return same_op("NanToNumBackward0", x, [=](const mx::array& a) {
    auto info_max = mx::finfo(a.dtype()).max, info_min = mx::finfo(a.dtype()).min;
    mx::array r = mx::where(mx::isnan(a), c(nan.value_or(0.0), a), a);
    r = mx::where(mx::isposinf(r), c(posinf.value_or(info_max), a), r);
    return mx::where(mx::isneginf(r), c(neginf.value_or(info_min), a), r);
  }, kIn);
}

Tensor isnan(const Tensor& x) { return predicate(x, [](const mx::array& a) { return mx::isnan(a); }); }
Tensor isinf(const Tensor& x) { return predicate(x, [](const mx::array& a) { return mx::isinf(a); }); }
Tensor isfinite(const Tensor& x) { return predicate(x, [](const mx::array& a) { return mx::isfinite(a); }); }
Tensor signbit(const Tensor& x) {
  return predicate(x, [](const mx::array& a) {
    if (!mx::issubdtype(a.dtype(), mx::floating)) return mx::less(a, mx::array(0, a.dtype()));
    // -0.0 has its sign bit set: 1/x is -inf there.
    return mx::logical_or(mx::less(a, c(0.0, a)), mx::logical_and(mx::equal(a, c(0.0, a)),
                                                               mx::less(mx::reciprocal(a), c(0.0, a))));
  });
}
Tensor logical_not(const Tensor& x) {
  return predicate(x, [](const mx::array& a) { return mx::logical_not(mx::astype(a, mx::bool_)); });
}
Tensor bitwise_not(const Tensor& x) {
  FL_CHECK_AS(NotImplementedError, !x.is_floating_point(), "\"bitwise_not_cpu\" not implemented for '",
              scalar_type_name(x.dtype()), "'");
  if (x.dtype() == kBool) return logical_not(x);
  return same_op("", x, [](const mx::array& a) { return mx::bitwise_invert(a); }, kSaveNone);
}

// --- activations -----------------------------------------------------------------------------------------

Tensor relu(const Tensor& x) {
  FL_CHECK_AS(NotImplementedError, x.dtype() != kBool, "\"clamp_min_cpu\" not implemented for 'Bool'");
  return same_op("ReluBackward0", x, [](const mx::array& a) { return kernels::unary(UnaryOp::Relu, a); }, kSaveOutput);
}
Tensor relu6(const Tensor& x) { return hardtanh(x, 0.0, 6.0); }
Tensor leaky_relu(const Tensor& x, double slope) {
  return float_only("LeakyReluBackward0", "leaky_relu", x, [slope](const mx::array& a) {
    return mx::where(mx::greater(a, c(0.0, a)), a, mx::multiply(a, c(slope, a)));
  }, kIn);
}
Tensor elu(const Tensor& x, double alpha) {
  return float_only("EluBackward0", "elu", x, [alpha](const mx::array& a) {
    return mx::where(mx::greater(a, c(0.0, a)), a, mx::multiply(c(alpha, a), mx::expm1(a)));
  }, kSaveOutput);
}
Tensor selu(const Tensor& x) {
  constexpr double alpha = 1.6732632423543772848170429916717, scale = 1.0507009873554804934193349852946;
  return float_only("EluBackward0", "selu", x, [](const mx::array& a) {
    return mx::multiply(c(scale, a), mx::where(mx::greater(a, c(0.0, a)), a, mx::multiply(c(alpha, a), mx::expm1(a))));
  }, kSaveOutput);
}
Tensor celu(const Tensor& x, double alpha) {
  return float_only("EluBackward0", "celu", x, [alpha](const mx::array& a) {
    return mx::where(mx::greater(a, c(0.0, a)), a, mx::multiply(c(alpha, a), mx::expm1(mx::divide(a, c(alpha, a)))));
  }, kSaveOutput);
}
Tensor gelu(const Tensor& x, const std::string& approximate) {
  FL_CHECK_VALUE(approximate == "none" || approximate == "tanh", "approximate argument must be either none or tanh.");
  UnaryOp op = approximate == "tanh" ? UnaryOp::GeluTanh : UnaryOp::Gelu;
  return float_only("GeluBackward0", "GeluKernelImpl", x, [op](const mx::array& a) { return kernels::unary(op, a); }, kIn);
}
Tensor silu(const Tensor& x) {
  return float_only("SiluBackward0", "silu", x, [](const mx::array& a) { return kernels::unary(UnaryOp::Silu, a); }, kIn);
}
namespace {
mx::array softplus_arr(const mx::array& a, double beta, double threshold) {
  auto bx = mx::multiply(a, c(beta, a));
  // log1p(exp(bx)) written stably; above threshold PyTorch returns x itself.
  auto soft = mx::divide(mx::add(mx::maximum(bx, c(0.0, a)), mx::log1p(kernels::exp(mx::negative(mx::abs(bx))))), c(beta, a));
  return mx::where(mx::greater(bx, c(threshold, a)), a, soft);
}
}  // namespace
Tensor mish(const Tensor& x) {
  return float_only("MishBackward0", "mish", x, [](const mx::array& a) { return mx::multiply(a, mx::tanh(softplus_arr(a, 1.0, 20.0))); }, kIn);
}
Tensor softplus(const Tensor& x, double beta, double threshold) {
  return float_only("SoftplusBackward0", "softplus", x, [beta, threshold](const mx::array& a) { return softplus_arr(a, beta, threshold); }, kIn);
}
Tensor softsign(const Tensor& x) {
  return float_op("DivBackward0", x, [](const mx::array& a) { return mx::divide(a, mx::add(c(1.0, a), mx::abs(a))); }, kIn);
}
Tensor hardtanh(const Tensor& x, double lo, double hi) {
  FL_CHECK_AS(NotImplementedError, x.dtype() != kBool, "\"hardtanh\" not implemented for 'Bool'");
  return same_op("HardtanhBackward0", x, [lo, hi](const mx::array& a) {
    return mx::minimum(mx::maximum(a, c(lo, a)), c(hi, a));
  }, kIn);
}
Tensor hardsigmoid(const Tensor& x) {
  return float_only("HardsigmoidBackward0", "hardsigmoid", x, [](const mx::array& a) {
    return mx::divide(mx::minimum(mx::maximum(mx::add(a, c(3.0, a)), c(0.0, a)), c(6.0, a)), c(6.0, a));
  }, kIn);
}
Tensor hardswish(const Tensor& x) {
  return float_only("HardswishBackward0", "hardswish", x, [](const mx::array& a) {
    return mx::multiply(a, mx::divide(mx::minimum(mx::maximum(mx::add(a, c(3.0, a)), c(0.0, a)), c(6.0, a)), c(6.0, a)));
  }, kIn);
}
Tensor hardshrink(const Tensor& x, double lambd) {
  return float_only("HardshrinkBackward0", "hardshrink", x, [lambd](const mx::array& a) {
    return mx::where(mx::greater(mx::abs(a), c(lambd, a)), a, c(0.0, a));
  }, kIn);
}
Tensor softshrink(const Tensor& x, double lambd) {
  return float_only("SoftshrinkBackward0", "softshrink", x, [lambd](const mx::array& a) {
    return mx::where(mx::greater(a, c(lambd, a)), mx::subtract(a, c(lambd, a)),
                     mx::where(mx::less(a, c(-lambd, a)), mx::add(a, c(lambd, a)), c(0.0, a)));
  }, kIn);
}
Tensor tanhshrink(const Tensor& x) {
  return float_op("SubBackward0", x, [](const mx::array& a) { return mx::subtract(a, mx::tanh(a)); }, kIn);
}
Tensor logsigmoid(const Tensor& x) {
  return float_only("LogSigmoidBackward0", "log_sigmoid_forward", x, [](const mx::array& a) {
    return mx::negative(softplus_arr(mx::negative(a), 1.0, 20.0));
  }, kIn);
}

}  // namespace fl

namespace fl {
Tensor Tensor::abs() const { return fl::abs(*this); }
Tensor Tensor::neg() const { return fl::neg(*this); }
Tensor Tensor::exp() const { return fl::exp(*this); }
Tensor Tensor::log() const { return fl::log(*this); }
Tensor Tensor::log1p() const { return fl::log1p(*this); }
Tensor Tensor::sqrt() const { return fl::sqrt(*this); }
Tensor Tensor::rsqrt() const { return fl::rsqrt(*this); }
Tensor Tensor::sin() const { return fl::sin(*this); }
Tensor Tensor::cos() const { return fl::cos(*this); }
Tensor Tensor::tanh() const { return fl::tanh(*this); }
Tensor Tensor::sigmoid() const { return fl::sigmoid(*this); }
Tensor Tensor::relu() const { return fl::relu(*this); }
Tensor Tensor::sign() const { return fl::sign(*this); }
Tensor Tensor::square() const { return fl::square(*this); }
Tensor Tensor::floor() const { return fl::floor(*this); }
Tensor Tensor::ceil() const { return fl::ceil(*this); }
Tensor Tensor::round() const { return fl::round(*this); }
Tensor Tensor::reciprocal() const { return fl::reciprocal(*this); }
Tensor Tensor::logical_not() const { return fl::logical_not(*this); }
Tensor Tensor::isnan() const { return fl::isnan(*this); }
}  // namespace fl

namespace fl {
static OpRegistrar kRegistrar({
    {"exp", "unary", true},        {"exp2", "unary", true},       {"expm1", "unary", true},
    {"log", "unary", true},        {"log2", "unary", true},       {"log10", "unary", true},
    {"log1p", "unary", true},      {"sqrt", "unary", true},       {"rsqrt", "unary", true},
    {"sin", "unary", true},        {"cos", "unary", true},        {"tan", "unary", true},
    {"asin", "unary", true},       {"acos", "unary", true},       {"atan", "unary", true},
    {"sinh", "unary", true},       {"cosh", "unary", true},       {"tanh", "unary", true},
    {"asinh", "unary", true},      {"acosh", "unary", true},      {"atanh", "unary", true},
    {"erf", "unary", true},        {"erfinv", "unary", true},     {"reciprocal", "unary", true},
    {"sigmoid", "unary", true},    {"logit", "unary", true},      {"deg2rad", "unary", true},
    {"rad2deg", "unary", true},    {"abs", "unary", true},        {"neg", "unary", true},
    {"negative", "unary", true},   {"sign", "unary", true},       {"square", "unary", true},
    {"floor", "unary", true},      {"ceil", "unary", true},       {"round", "unary", true},
    {"trunc", "unary", true},      {"frac", "unary", true},       {"positive", "unary", true},
    {"nan_to_num", "unary", true}, {"isnan", "unary", false},     {"isinf", "unary", false},
    {"isfinite", "unary", false},  {"signbit", "unary", false},   {"logical_not", "unary", false},
    {"bitwise_not", "unary", false}, {"relu", "activation", true}, {"relu6", "activation", true},
    {"leaky_relu", "activation", true}, {"elu", "activation", true}, {"selu", "activation", true},
    {"celu", "activation", true},  {"gelu", "activation", true},  {"silu", "activation", true},
    {"mish", "activation", true},  {"softplus", "activation", true}, {"softsign", "activation", true},
    {"hardtanh", "activation", true}, {"hardsigmoid", "activation", true}, {"hardswish", "activation", true},
    {"hardshrink", "activation", true}, {"softshrink", "activation", true}, {"tanhshrink", "activation", true},
    {"logsigmoid", "activation", true},
});
}  // namespace fl
