// Docstrings of fl/ops/unary.h's bindings (ops_unary.cpp): elementwise maths and the activations of flashlight._C.
#pragma once
#include "docs/doc_table.h"

namespace flpy::docs {

#define FL_FLOAT_RESULT "a new tensor of input's shape; integer and bool inputs give the default float dtype."
#define FL_SAME_RESULT "a new tensor of input's shape and dtype."
#define FL_BOOL_RESULT "a bool tensor of input's shape."

inline constexpr Doc kUnary[] = {
    {"exp", FL_DOC_UNARY("Returns e raised to the power of each element of input.", FL_FLOAT_RESULT, "")},
    {"exp2", FL_DOC_UNARY("Returns 2 raised to the power of each element of input.", FL_FLOAT_RESULT, "")},
    {"expm1", FL_DOC_UNARY("Returns exp(x) - 1 for each element, accurate for x near 0.", FL_FLOAT_RESULT, "")},
    {"log",
     FL_DOC_UNARY("Returns the natural logarithm of each element (nan below 0, -inf at 0).", FL_FLOAT_RESULT, "")},
    {"log2", FL_DOC_UNARY("Returns the base-2 logarithm of each element.", FL_FLOAT_RESULT, "")},
    {"log10", FL_DOC_UNARY("Returns the base-10 logarithm of each element.", FL_FLOAT_RESULT, "")},
    {"log1p", FL_DOC_UNARY("Returns log(1 + x) for each element, accurate for x near 0.", FL_FLOAT_RESULT, "")},
    {"sqrt", FL_DOC_UNARY("Returns the square root of each element (nan for negative ones).", FL_FLOAT_RESULT, "")},
    {"rsqrt", FL_DOC_UNARY("Returns the reciprocal of the square root of each element.", FL_FLOAT_RESULT, "")},
    {"sin", FL_DOC_UNARY("Returns the sine of each element (in radians).", FL_FLOAT_RESULT, "")},
    {"cos", FL_DOC_UNARY("Returns the cosine of each element (in radians).", FL_FLOAT_RESULT, "")},
    {"tan", FL_DOC_UNARY("Returns the tangent of each element (in radians).", FL_FLOAT_RESULT, "")},
    {"asin",
     FL_DOC_UNARY("Returns the arcsine of each element, in [-pi/2, pi/2]. Alias: arcsin.", FL_FLOAT_RESULT, "")},
    {"acos", FL_DOC_UNARY("Returns the arccosine of each element, in [0, pi]. Alias: arccos.", FL_FLOAT_RESULT, "")},
    {"atan",
     FL_DOC_UNARY("Returns the arctangent of each element, in (-pi/2, pi/2). Alias: arctan.", FL_FLOAT_RESULT, "")},
    {"sinh", FL_DOC_UNARY("Returns the hyperbolic sine of each element.", FL_FLOAT_RESULT, "")},
    {"cosh", FL_DOC_UNARY("Returns the hyperbolic cosine of each element.", FL_FLOAT_RESULT, "")},
    {"tanh", FL_DOC_UNARY("Returns the hyperbolic tangent of each element.", FL_FLOAT_RESULT, "")},
    {"asinh",
     FL_DOC_UNARY("Returns the inverse hyperbolic sine of each element. Alias: arcsinh.", FL_FLOAT_RESULT, "")},
    {"acosh", FL_DOC_UNARY("Returns the inverse hyperbolic cosine of each element (nan below 1). Alias: arccosh.",
                           FL_FLOAT_RESULT, "")},
    {"atanh",
     FL_DOC_UNARY("Returns the inverse hyperbolic tangent of each element. Alias: arctanh.", FL_FLOAT_RESULT, "")},
    {"erf", FL_DOC_UNARY("Returns the Gauss error function of each element.", FL_FLOAT_RESULT, "")},
    {"erfinv",
     FL_DOC_UNARY("Returns the inverse error function of each element (defined on (-1, 1)).", FL_FLOAT_RESULT, "")},
    {"reciprocal", FL_DOC_UNARY("Returns 1 / x for each element.", FL_FLOAT_RESULT, "")},
    {"sigmoid", FL_DOC_UNARY("Returns the logistic sigmoid 1 / (1 + exp(-x)) of each element.", FL_FLOAT_RESULT, "")},
    {"deg2rad", FL_DOC_UNARY("Converts each element from degrees to radians.", FL_FLOAT_RESULT, "")},
    {"rad2deg", FL_DOC_UNARY("Converts each element from radians to degrees.", FL_FLOAT_RESULT, "")},
    {"abs", FL_DOC_UNARY("Returns the absolute value of each element. Alias: absolute.", FL_SAME_RESULT, "")},
    {"neg", FL_DOC_UNARY("Returns -x for each element (not defined for bool tensors).", FL_SAME_RESULT, "")},
    {"negative", FL_DOC_UNARY("Returns -x for each element; an alias of neg.", FL_SAME_RESULT, "")},
    {"sign", FL_DOC_UNARY("Returns -1, 0 or 1 for each element by its sign.", FL_SAME_RESULT, "")},
    {"square", FL_DOC_UNARY("Returns x * x for each element.", "a new tensor of input's shape; bool gives int64.", "")},
    {"floor", FL_DOC_UNARY("Rounds each element down to an integer value.", FL_SAME_RESULT, "")},
    {"ceil", FL_DOC_UNARY("Rounds each element up to an integer value.", FL_SAME_RESULT, "")},
    {"trunc", FL_DOC_UNARY("Rounds each element toward zero. Alias: fix.", FL_SAME_RESULT, "")},
    {"frac", FL_DOC_UNARY("Returns the fractional part x - trunc(x) of each element.", FL_SAME_RESULT, "")},
    {"positive", FL_DOC_UNARY("Returns input itself (unary plus); an error for bool tensors.", "input.", "")},
    {"isnan", FL_DOC_UNARY("Tests each element for NaN.", FL_BOOL_RESULT, "")},
    {"isinf", FL_DOC_UNARY("Tests each element for positive or negative infinity.", FL_BOOL_RESULT, "")},
    {"isfinite", FL_DOC_UNARY("Tests each element for being neither infinite nor NaN.", FL_BOOL_RESULT, "")},
    {"signbit", FL_DOC_UNARY("Tests each element's sign bit (True for negatives, -0.0 included).", FL_BOOL_RESULT, "")},
    {"logical_not", FL_DOC_UNARY("Returns the logical NOT of each element (zero is False).", FL_BOOL_RESULT, "")},
    {"bitwise_not",
     FL_DOC_UNARY("Returns the bitwise NOT of each element of an integer or bool tensor.", FL_SAME_RESULT, "")},
    {"relu", FL_DOC_UNARY("Applies the rectified linear unit max(0, x) elementwise.", FL_SAME_RESULT, "")},
    {"relu6", FL_DOC_UNARY("Applies min(max(0, x), 6) elementwise.", FL_SAME_RESULT, "")},
    {"selu", FL_DOC_UNARY("Applies the scaled exponential linear unit elementwise (torch's fixed alpha and scale).",
                          FL_SAME_RESULT, "")},
    {"silu", FL_DOC_UNARY("Applies the sigmoid-weighted linear unit x * sigmoid(x) elementwise.", FL_SAME_RESULT, "")},
    {"mish", FL_DOC_UNARY("Applies x * tanh(softplus(x)) elementwise.", FL_SAME_RESULT, "")},
    {"softsign", FL_DOC_UNARY("Applies x / (1 + |x|) elementwise.", FL_SAME_RESULT, "")},
    {"hardsigmoid",
     FL_DOC_UNARY("Applies the piecewise-linear sigmoid relu6(x + 3) / 6 elementwise.", FL_SAME_RESULT, "")},
    {"hardswish", FL_DOC_UNARY("Applies x * relu6(x + 3) / 6 elementwise.", FL_SAME_RESULT, "")},
    {"tanhshrink", FL_DOC_UNARY("Applies x - tanh(x) elementwise.", FL_SAME_RESULT, "")},
    {"logsigmoid",
     FL_DOC_UNARY("Applies log(sigmoid(x)) elementwise, computed stably for large |x|.", FL_SAME_RESULT, "")},
    {"round", R"(Rounds each element to the nearest integer, or to `decimals` decimal places; halves round to even.

Args:
    input (Tensor): the input tensor.
    decimals (int): the number of decimal places (negative rounds to tens, hundreds, ...). Default: 0.

Returns:
    Tensor: a new tensor of input's shape and dtype.)"},
    {"logit", R"(Returns log(p / (1 - p)) for each element p.

Args:
    input (Tensor): the input tensor, probabilities in [0, 1].
    eps (float, optional): when given, input is first clamped to [eps, 1 - eps]. Default: None.

Returns:
    Tensor: a new tensor of input's shape; integer inputs give the default float dtype.)"},
    {"nan_to_num", R"(Replaces NaN, positive infinity and negative infinity with finite numbers.

Args:
    input (Tensor): the input tensor.
    nan (float, optional): the value for NaN. Default: 0.0.
    posinf (float, optional): the value for +inf; the dtype's largest finite value when None. Default: None.
    neginf (float, optional): the value for -inf; the dtype's lowest finite value when None. Default: None.

Returns:
    Tensor: a new tensor of input's shape and dtype.)"},
    {"leaky_relu", R"(Applies the leaky ReLU: x for x >= 0, negative_slope * x otherwise.

Args:
    input (Tensor): the input tensor.
    negative_slope (float): the slope for negative inputs. Default: 0.01.

Returns:
    Tensor: a new tensor of input's shape and dtype.)"},
    {"elu", R"(Applies the exponential linear unit: x for x > 0, alpha * (exp(x) - 1) otherwise.

Args:
    input (Tensor): the input tensor.
    alpha (float): the saturation value for negative inputs. Default: 1.0.

Returns:
    Tensor: a new tensor of input's shape and dtype.)"},
    {"celu", R"(Applies the continuously differentiable ELU: max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).

Args:
    input (Tensor): the input tensor.
    alpha (float): the scale of the negative part. Default: 1.0.

Returns:
    Tensor: a new tensor of input's shape and dtype.)"},
    {"gelu", R"(Applies the Gaussian error linear unit x * Phi(x) elementwise.

Args:
    input (Tensor): the input tensor.
    approximate (str): 'none' for the exact erf form, 'tanh' for the tanh approximation. Default: 'none'.

Returns:
    Tensor: a new tensor of input's shape and dtype.)"},
    {"softplus", R"(Applies the smooth ReLU log(1 + exp(beta * x)) / beta elementwise.

Args:
    input (Tensor): the input tensor.
    beta (float): the sharpness. Default: 1.0.
    threshold (float): above beta * x > threshold the result is x itself (for stability). Default: 20.0.

Returns:
    Tensor: a new tensor of input's shape and dtype.)"},
    {"hardtanh", R"(Clamps each element to [min_val, max_val].

Args:
    input (Tensor): the input tensor.
    min_val (float): the lower bound. Default: -1.0.
    max_val (float): the upper bound. Default: 1.0.

Returns:
    Tensor: a new tensor of input's shape and dtype.)"},
    {"hardshrink", R"(Zeroes the elements with |x| <= lambd and keeps the others.

Args:
    input (Tensor): the input tensor.
    lambd (float): the threshold. Default: 0.5.

Returns:
    Tensor: a new tensor of input's shape and dtype.)"},
    {"softshrink", R"(Shrinks each element toward zero by lambd: x - lambd above lambd, x + lambd below -lambd, else 0.

Args:
    input (Tensor): the input tensor.
    lambd (float): the threshold, >= 0. Default: 0.5.

Returns:
    Tensor: a new tensor of input's shape and dtype.)"},
};

#undef FL_FLOAT_RESULT
#undef FL_SAME_RESULT
#undef FL_BOOL_RESULT

}  // namespace flpy::docs
