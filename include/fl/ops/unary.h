// Elementwise unary maths and activations. Integer inputs to float-valued functions give the default dtype.
#pragma once
#include <optional>
#include <string>

#include "fl/tensor.h"

namespace fl {

// Float-valued maths.
/// torch.exp: e^x.
Tensor exp(const Tensor& x);
/// torch.exp2: 2^x.
Tensor exp2(const Tensor& x);
/// torch.expm1: e^x - 1, accurate near 0.
Tensor expm1(const Tensor& x);
/// torch.log: the natural logarithm (NaN below 0, -inf at 0).
Tensor log(const Tensor& x);
/// torch.log2: the base-2 logarithm.
Tensor log2(const Tensor& x);
/// torch.log10: the base-10 logarithm.
Tensor log10(const Tensor& x);
/// torch.log1p: log(1 + x), accurate near 0.
Tensor log1p(const Tensor& x);
/// torch.sqrt: the square root (NaN below 0).
Tensor sqrt(const Tensor& x);
/// torch.rsqrt: 1 / sqrt(x).
Tensor rsqrt(const Tensor& x);
/// torch.sin (radians).
Tensor sin(const Tensor& x);
/// torch.cos (radians).
Tensor cos(const Tensor& x);
/// torch.tan (radians).
Tensor tan(const Tensor& x);
/// torch.asin: the inverse sine, in radians.
Tensor asin(const Tensor& x);
/// torch.acos: the inverse cosine, in radians.
Tensor acos(const Tensor& x);
/// torch.atan: the inverse tangent, in radians.
Tensor atan(const Tensor& x);
/// torch.sinh: the hyperbolic sine.
Tensor sinh(const Tensor& x);
/// torch.cosh: the hyperbolic cosine.
Tensor cosh(const Tensor& x);
/// torch.tanh: the hyperbolic tangent.
Tensor tanh(const Tensor& x);
/// torch.asinh: the inverse hyperbolic sine.
Tensor asinh(const Tensor& x);
/// torch.acosh: the inverse hyperbolic cosine.
Tensor acosh(const Tensor& x);
/// torch.atanh: the inverse hyperbolic tangent.
Tensor atanh(const Tensor& x);
/// torch.erf: the error function.
Tensor erf(const Tensor& x);
/// torch.erfinv: the inverse error function on (-1, 1).
Tensor erfinv(const Tensor& x);
/// torch.reciprocal: 1 / x.
Tensor reciprocal(const Tensor& x);
/// torch.sigmoid: 1 / (1 + e^-x).
Tensor sigmoid(const Tensor& x);
/// torch.logit: log(x / (1 - x)), x first clamped to [eps, 1 - eps] when eps is given.
Tensor logit(const Tensor& x, std::optional<double> eps = std::nullopt);
/// torch.deg2rad: degrees to radians.
Tensor deg2rad(const Tensor& x);
/// torch.rad2deg: radians to degrees.
Tensor rad2deg(const Tensor& x);
// Dtype-preserving.
/// torch.abs: |x| (NotImplementedError for bool).
Tensor abs(const Tensor& x);
/// torch.neg: -x (fl::Error for bool, as torch).
Tensor neg(const Tensor& x);
/// torch.negative: neg's alias.
Tensor negative(const Tensor& x);
/// torch.sign: -1, 0 or 1 by the sign of x.
Tensor sign(const Tensor& x);
/// torch.square: x * x (bool gives int64, as torch).
Tensor square(const Tensor& x);
/// torch.floor: rounds down (integer tensors are copied unchanged).
Tensor floor(const Tensor& x);
/// torch.ceil: rounds up (integer tensors are copied unchanged).
Tensor ceil(const Tensor& x);
/// torch.round: to the nearest, half to even, at `decimals` decimal places.
Tensor round(const Tensor& x, int64_t decimals = 0);
/// torch.trunc: rounds toward zero (integer tensors are copied unchanged).
Tensor trunc(const Tensor& x);
/// torch.frac: x - trunc(x) (floating-point tensors only).
Tensor frac(const Tensor& x);
/// torch.positive: x itself (fl::Error for bool, as torch).
Tensor positive(const Tensor& x);
/// torch.nan_to_num: NaN, +inf and -inf replaced (by 0 and the dtype's largest and lowest values by default).
Tensor nan_to_num(const Tensor& x, std::optional<double> nan = std::nullopt, std::optional<double> posinf = std::nullopt,
                  std::optional<double> neginf = std::nullopt);
// Predicates (bool results).
/// torch.isnan.
Tensor isnan(const Tensor& x);
/// torch.isinf: +inf or -inf.
Tensor isinf(const Tensor& x);
/// torch.isfinite: neither NaN nor infinite.
Tensor isfinite(const Tensor& x);
/// torch.signbit: whether the sign bit is set (true for -0.0).
Tensor signbit(const Tensor& x);
/// torch.logical_not: x == 0.
Tensor logical_not(const Tensor& x);
/// torch.bitwise_not: ~x for integers, logical not for bool (NotImplementedError for floats).
Tensor bitwise_not(const Tensor& x);
// Activations (torch.nn.functional).
/// torch.relu: max(0, x).
Tensor relu(const Tensor& x);
/// torch.nn.functional.relu6: hardtanh(x, 0, 6).
Tensor relu6(const Tensor& x);
/// torch.nn.functional.leaky_relu: x if x > 0 else negative_slope * x.
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
/// torch.nn.functional.elu: x if x > 0 else alpha * (e^x - 1).
Tensor elu(const Tensor& x, double alpha = 1.0);
/// torch.selu: scale * elu(x, alpha) with alpha ≈ 1.6733 and scale ≈ 1.0507.
Tensor selu(const Tensor& x);
/// torch.celu: x if x > 0 else alpha * (e^(x / alpha) - 1).
Tensor celu(const Tensor& x, double alpha = 1.0);
/// torch.nn.functional.gelu: x * Φ(x) (erf form) or its tanh approximation;
/// approximate: "none" or "tanh".
Tensor gelu(const Tensor& x, const std::string& approximate = "none");
/// torch.nn.functional.silu: x * sigmoid(x).
Tensor silu(const Tensor& x);
/// torch.nn.functional.mish: x * tanh(softplus(x)).
Tensor mish(const Tensor& x);
/// torch.nn.functional.softplus: log(1 + e^(beta x)) / beta, x itself where beta * x > threshold.
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
/// torch.nn.functional.softsign: x / (1 + |x|).
Tensor softsign(const Tensor& x);
/// torch.nn.functional.hardtanh: x clamped to [min_val, max_val].
Tensor hardtanh(const Tensor& x, double min_val = -1.0, double max_val = 1.0);
/// torch.nn.functional.hardsigmoid: clamp(x + 3, 0, 6) / 6.
Tensor hardsigmoid(const Tensor& x);
/// torch.nn.functional.hardswish: x * hardsigmoid(x).
Tensor hardswish(const Tensor& x);
/// torch.nn.functional.hardshrink: x where |x| > lambd, else 0.
Tensor hardshrink(const Tensor& x, double lambd = 0.5);
/// torch.nn.functional.softshrink: x - lambd above lambd, x + lambd below -lambd, else 0.
Tensor softshrink(const Tensor& x, double lambd = 0.5);
/// torch.nn.functional.tanhshrink: x - tanh(x).
Tensor tanhshrink(const Tensor& x);
/// torch.nn.functional.logsigmoid: log(sigmoid(x)), computed stably.
Tensor logsigmoid(const Tensor& x);

}  // namespace fl
