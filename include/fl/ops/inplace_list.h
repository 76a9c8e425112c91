// The in-place forms PyTorch has for out-of-place ops, as X-macro lists: X(method, function). Each `x.method_(...)`
// is `fl::function(x, ...)` written back into x by one mechanism (src/ops/inplace_generic.cpp), with PyTorch's
// rules: the result must be castable to x's dtype and have x's shape; views write through to their base.
#pragma once

// x.name_() for unary ops.
#define FL_INPLACE_UNARY_OPS(X)                                                                                      \
  X(abs, abs) X(absolute, abs) X(acos, acos) X(arccos, acos) X(acosh, acosh) X(arccosh, acosh) X(asin, asin)          \
  X(arcsin, asin) X(asinh, asinh) X(arcsinh, asinh) X(atan, atan) X(arctan, atan) X(atanh, atanh) X(arctanh, atanh)   \
  X(bitwise_not, bitwise_not) X(ceil, ceil) X(cos, cos) X(cosh, cosh) X(deg2rad, deg2rad) X(erf, erf)                 \
  X(erfinv, erfinv) X(exp2, exp2) X(expm1, expm1) X(fix, trunc) X(floor, floor) X(frac, frac) X(log, log)             \
  X(log10, log10) X(log1p, log1p) X(log2, log2) X(logical_not, logical_not) X(negative, negative)                     \
  X(rad2deg, rad2deg) X(reciprocal, reciprocal) X(rsqrt, rsqrt) X(sign, sign) X(sin, sin) X(sinh, sinh)               \
  X(square, square) X(tan, tan) X(trunc, trunc)

// x.name_(other) for binary ops, with a Tensor or a Python-style scalar `other`.
#define FL_INPLACE_BINARY_OPS(X)                                                                                     \
  X(bitwise_and, bitwise_and) X(bitwise_or, bitwise_or) X(bitwise_xor, bitwise_xor) X(copysign, copysign)             \
  X(divide, div) X(true_divide, true_divide) X(floor_divide, floor_divide) X(fmod, fmod) X(remainder, remainder)       \
  X(xlogy, xlogy) X(multiply, mul) X(subtract, sub) X(eq, eq) X(ne, ne) X(not_equal, ne) X(lt, lt) X(less, lt)        \
  X(le, le) X(less_equal, le) X(gt, gt) X(greater, gt) X(ge, ge) X(greater_equal, ge)

// x.name_(other) for binary ops whose `other` must be a Tensor, as torch's (no Scalar overload: a number is a
// TypeError in Python).
#define FL_INPLACE_BINARY_TENSOR_OPS(X)                                                                              \
  X(atan2, atan2) X(arctan2, atan2) X(hypot, hypot) X(logical_and, logical_and) X(logical_or, logical_or)             \
  X(logical_xor, logical_xor)
