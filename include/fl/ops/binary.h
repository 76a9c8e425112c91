// Elementwise binary ops with broadcasting and PyTorch's type promotion, plus where/lerp/addcmul/clamp.
#pragma once
#include <optional>
#include <string>

#include "fl/tensor.h"

namespace fl {

/// torch.add: a + alpha * b, broadcast, with PyTorch's type promotion (overloads for a Tensor or a Scalar b).
Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha = 1);
Tensor add(const Tensor& a, const Scalar& b, const Scalar& alpha = 1);
/// torch.sub: a - alpha * b (overloads for a Tensor or a Scalar b).
Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha = 1);
Tensor sub(const Tensor& a, const Scalar& b, const Scalar& alpha = 1);
/// torch.rsub: b - alpha * a (overloads for a Tensor or a Scalar b).
Tensor rsub(const Tensor& a, const Tensor& b, const Scalar& alpha = 1);
Tensor rsub(const Tensor& a, const Scalar& b, const Scalar& alpha = 1);
/// torch.mul: a * b (logical and for bool) (overloads for a Tensor or a Scalar b).
Tensor mul(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Scalar& b);
/// torch.div: a / b (overloads for a Tensor or a Scalar b);
/// rounding_mode: std::nullopt (true division), "trunc" or "floor".
Tensor div(const Tensor& a, const Tensor& b, const std::optional<std::string>& rounding_mode = std::nullopt);
Tensor div(const Tensor& a, const Scalar& b, const std::optional<std::string>& rounding_mode = std::nullopt);
/// torch.true_divide: div(a, b).
Tensor true_divide(const Tensor& a, const Tensor& b);
/// torch.floor_divide: div(a, b, "floor") (overloads for a Tensor or a Scalar b).
Tensor floor_divide(const Tensor& a, const Tensor& b);
Tensor floor_divide(const Tensor& a, const Scalar& b);
/// torch.remainder (overloads for a Tensor or a Scalar b):
/// Python's modulus: the result has the sign of the divisor.
Tensor remainder(const Tensor& a, const Tensor& b);
Tensor remainder(const Tensor& a, const Scalar& b);
/// torch.fmod (overloads for a Tensor or a Scalar b):
/// C's fmod: the result has the sign of the dividend.
Tensor fmod(const Tensor& a, const Tensor& b);
Tensor fmod(const Tensor& a, const Scalar& b);
/// torch.pow: a ** b (overloads for Tensor or Scalar base and exponent).
Tensor pow(const Tensor& a, const Tensor& b);
Tensor pow(const Tensor& a, const Scalar& b);
Tensor pow(const Scalar& a, const Tensor& b);
/// torch.float_power: pow in float64 (so on the CPU only: MLX's GPU has no float64).
Tensor float_power(const Tensor& a, const Tensor& b);
/// torch.atan2: the angle of the point (x = b, y = a), a floating-point result.
Tensor atan2(const Tensor& a, const Tensor& b);
/// torch.hypot: sqrt(a^2 + b^2), floating-point inputs only.
Tensor hypot(const Tensor& a, const Tensor& b);
/// torch.copysign: |a| with the sign of b (-0.0 counts as negative), a floating-point result.
Tensor copysign(const Tensor& a, const Tensor& b);
/// torch.xlogy: a * log(b), 0 where a == 0 and b is not NaN.
Tensor xlogy(const Tensor& a, const Tensor& b);
/// torch.maximum: the elementwise max (NaN propagates; ties split the gradient).
Tensor maximum(const Tensor& a, const Tensor& b);
/// torch.minimum: the elementwise min (NaN propagates; ties split the gradient).
Tensor minimum(const Tensor& a, const Tensor& b);
/// torch.fmax: the elementwise max ignoring NaN (NaN only where both are).
Tensor fmax(const Tensor& a, const Tensor& b);
/// torch.fmin: the elementwise min ignoring NaN (NaN only where both are).
Tensor fmin(const Tensor& a, const Tensor& b);

/// torch.eq: a == b as bool (overloads for a Tensor or a Scalar b).
Tensor eq(const Tensor& a, const Tensor& b);
Tensor eq(const Tensor& a, const Scalar& b);
/// torch.ne: a != b as bool (overloads for a Tensor or a Scalar b).
Tensor ne(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Scalar& b);
/// torch.lt: a < b as bool (overloads for a Tensor or a Scalar b).
Tensor lt(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Scalar& b);
/// torch.le: a <= b as bool (overloads for a Tensor or a Scalar b).
Tensor le(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Scalar& b);
/// torch.gt: a > b as bool (overloads for a Tensor or a Scalar b).
Tensor gt(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Scalar& b);
/// torch.ge: a >= b as bool (overloads for a Tensor or a Scalar b).
Tensor ge(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Scalar& b);
/// torch.isclose: |a - b| <= atol + rtol * |b| elementwise, as bool (equal_nan: NaNs match); same dtypes only.
Tensor isclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false);
/// torch.allclose: whether isclose holds everywhere (evaluates).
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false);
/// torch.equal: same shape and elements.
bool equal(const Tensor& a, const Tensor& b);

/// torch.logical_and: a && b on truth values, as bool.
Tensor logical_and(const Tensor& a, const Tensor& b);
/// torch.logical_or: a || b on truth values, as bool.
Tensor logical_or(const Tensor& a, const Tensor& b);
/// torch.logical_xor: truth values differ, as bool.
Tensor logical_xor(const Tensor& a, const Tensor& b);
/// torch.bitwise_and: a & b for integral and bool tensors (NotImplementedError for floats).
Tensor bitwise_and(const Tensor& a, const Tensor& b);
/// torch.bitwise_or: a | b for integral and bool tensors (NotImplementedError for floats).
Tensor bitwise_or(const Tensor& a, const Tensor& b);
/// torch.bitwise_xor: a ^ b for integral and bool tensors (NotImplementedError for floats).
Tensor bitwise_xor(const Tensor& a, const Tensor& b);

/// torch.where: a where condition, else b, broadcast (overloads for a Scalar a or b).
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
Tensor where(const Tensor& condition, const Tensor& a, const Scalar& b);
Tensor where(const Tensor& condition, const Scalar& a, const Tensor& b);
/// torch.lerp: start + weight * (end - start) (overloads for a Tensor or a Scalar weight).
Tensor lerp(const Tensor& start, const Tensor& end, const Tensor& weight);
Tensor lerp(const Tensor& start, const Tensor& end, const Scalar& weight);
/// torch.addcmul: input + value * t1 * t2.
Tensor addcmul(const Tensor& input, const Tensor& t1, const Tensor& t2, const Scalar& value = 1);
/// torch.addcdiv: input + value * t1 / t2.
Tensor addcdiv(const Tensor& input, const Tensor& t1, const Tensor& t2, const Scalar& value = 1);
/// torch.clamp: x limited to [min, max], either bound optional (overloads for Scalar or Tensor bounds).
Tensor clamp(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt);
Tensor clamp(const Tensor& x, const std::optional<Tensor>& min, const std::optional<Tensor>& max);
/// torch.clamp_min: clamp(x, min, nullopt).
Tensor clamp_min(const Tensor& x, const Scalar& min);
/// torch.clamp_max: clamp(x, nullopt, max).
Tensor clamp_max(const Tensor& x, const Scalar& max);
/// torch.clip: clamp's alias.
inline Tensor clip(const Tensor& x, std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) {
  return clamp(x, min, max);
}

// Operators, as Python's on torch tensors.
/// a + b: add (overloads for Tensor and Scalar operands).
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, const Scalar& b);
Tensor operator+(const Scalar& a, const Tensor& b);
/// a - b: sub (overloads for Tensor and Scalar operands).
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Scalar& b);
Tensor operator-(const Scalar& a, const Tensor& b);
/// a * b: mul (overloads for Tensor and Scalar operands).
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Scalar& b);
Tensor operator*(const Scalar& a, const Tensor& b);
/// a / b: true division, div (overloads for Tensor and Scalar operands).
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Scalar& b);
Tensor operator/(const Scalar& a, const Tensor& b);
/// a % b: remainder, Python's modulus (overloads for a Tensor or a Scalar b).
Tensor operator%(const Tensor& a, const Tensor& b);
Tensor operator%(const Tensor& a, const Scalar& b);
/// -a: neg.
Tensor operator-(const Tensor& a);
/// ~a: bitwise_not (logical not for bool).
Tensor operator~(const Tensor& a);
/// a & b: bitwise_and.
Tensor operator&(const Tensor& a, const Tensor& b);
/// a | b: bitwise_or.
Tensor operator|(const Tensor& a, const Tensor& b);
/// a ^ b: bitwise_xor.
Tensor operator^(const Tensor& a, const Tensor& b);
/// a == b: eq, an elementwise bool tensor (overloads for a Tensor or a Scalar b).
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Scalar& b);
/// a != b: ne (overloads for a Tensor or a Scalar b).
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Scalar& b);
/// a < b: lt (overloads for a Tensor or a Scalar b).
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Scalar& b);
/// a <= b: le (overloads for a Tensor or a Scalar b).
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Scalar& b);
/// a > b: gt (overloads for a Tensor or a Scalar b).
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Scalar& b);
/// a >= b: ge (overloads for a Tensor or a Scalar b).
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Scalar& b);
/// a += b: a.add_(b), in place (overloads for a Tensor or a Scalar b).
Tensor& operator+=(Tensor& a, const Tensor& b);
Tensor& operator+=(Tensor& a, const Scalar& b);
/// a -= b: a.sub_(b), in place (overloads for a Tensor or a Scalar b).
Tensor& operator-=(Tensor& a, const Tensor& b);
Tensor& operator-=(Tensor& a, const Scalar& b);
/// a *= b: a.mul_(b), in place (overloads for a Tensor or a Scalar b).
Tensor& operator*=(Tensor& a, const Tensor& b);
Tensor& operator*=(Tensor& a, const Scalar& b);
/// a /= b: a.div_(b), in place (overloads for a Tensor or a Scalar b).
Tensor& operator/=(Tensor& a, const Tensor& b);
Tensor& operator/=(Tensor& a, const Scalar& b);

}  // namespace fl
