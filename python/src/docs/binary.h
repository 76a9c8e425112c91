// Docstrings of fl/ops/binary.h's bindings (ops_binary.cpp): arithmetic, comparisons, logic, clamp and friends.
#pragma once
#include "docs/doc_table.h"

namespace flpy::docs {

#define FL_PROMOTED "a new tensor of the broadcast shape and the promoted dtype."
#define FL_BOOL_BROADCAST "a bool tensor of the broadcast shape."
#define FL_ALPHA "    alpha (Number, optional): the multiplier of other. Default: 1.\n"

inline constexpr Doc kBinary[] = {
    {"add",
     "Returns input + alpha * other, elementwise with broadcasting and PyTorch's type "
     "promotion.\n\nArgs:\n" FL_DOC_INPUT "    other (Tensor or Number): the tensor or number to add.\n" FL_ALPHA
     "\nReturns:\n    Tensor: " FL_PROMOTED "\n"},
    {"sub", "Returns input - alpha * other, elementwise with broadcasting. Alias: subtract.\n\nArgs:\n" FL_DOC_INPUT
            "    other (Tensor or Number): the tensor or number to subtract.\n" FL_ALPHA
            "\nReturns:\n    Tensor: " FL_PROMOTED "\n"},
    {"rsub", "Returns other - alpha * input (sub with the operands swapped).\n\nArgs:\n" FL_DOC_INPUT
             "    other (Tensor or Number): the tensor or number subtracted from.\n"
             "    alpha (Number, optional): the multiplier of input. Default: 1.\n"
             "\nReturns:\n    Tensor: " FL_PROMOTED "\n"},
    {"mul", FL_DOC_BINARY("Returns input * other, elementwise with broadcasting. Alias: multiply.", FL_PROMOTED, "")},
    {"div", R"(Divides input by other elementwise, with broadcasting. Alias: divide.

Args:
    input (Tensor): the dividend.
    other (Tensor or Number): the divisor, broadcast against input.
    rounding_mode (str, optional): None for true division (integers give the default float dtype), 'trunc' to
        round toward zero, 'floor' to round down (these keep integer dtypes). Default: None.

Returns:
    Tensor: a new tensor of the broadcast shape.)"},
    {"true_divide", FL_DOC_BINARY("Divides input by other elementwise, always as true (float) division.",
                                  "a floating tensor of the broadcast shape.", "")},
    {"floor_divide",
     FL_DOC_BINARY("Divides input by other and rounds the quotient down (Python's //).", FL_PROMOTED, "")},
    {"remainder", FL_DOC_BINARY("Returns the remainder of input / other with the sign of the divisor (Python's %).",
                                FL_PROMOTED, "")},
    {"fmod", FL_DOC_BINARY("Returns the remainder of input / other with the sign of the dividend (C's fmod).",
                           FL_PROMOTED, "")},
    {"pow", R"(Raises input to the power exponent, elementwise with broadcasting.

Args:
    input (Tensor or Number): the base (the function form accepts a number when exponent is a tensor).
    exponent (Tensor or Number): the exponent.

Returns:
    Tensor: a new tensor of the broadcast shape and the promoted dtype.)"},
    {"float_power", R"(Raises input to the power exponent in double precision.

Args:
    input (Tensor): the base.
    exponent (Tensor or Number): the exponent, broadcast against input.

Returns:
    Tensor: a float64 tensor of the broadcast shape.

Note:
    float64 runs on MLX's CPU only (MLX's GPUs have no float64).)"},
    {"atan2", FL_DOC_BINARY("Returns the angle atan(input / other) in (-pi, pi], using both signs for the quadrant. "
                            "Alias: arctan2.",
                            "a floating tensor of the broadcast shape.", "")},
    {"hypot", FL_DOC_BINARY("Returns sqrt(input**2 + other**2) elementwise.", FL_PROMOTED, "")},
    {"copysign", FL_DOC_BINARY("Returns the magnitude of input with the sign of other, elementwise.",
                               "a floating tensor of the broadcast shape.", "")},
    {"xlogy", FL_DOC_BINARY("Returns input * log(other), with 0 where input is 0 (unless other is NaN).",
                            "a floating tensor of the broadcast shape.", "")},
    {"maximum",
     FL_DOC_BINARY("Returns the elementwise maximum of input and other; NaN if either is NaN.", FL_PROMOTED, "")},
    {"minimum",
     FL_DOC_BINARY("Returns the elementwise minimum of input and other; NaN if either is NaN.", FL_PROMOTED, "")},
    {"fmax", FL_DOC_BINARY("Returns the elementwise maximum, ignoring a NaN when the other operand is not NaN.",
                           FL_PROMOTED, "")},
    {"fmin", FL_DOC_BINARY("Returns the elementwise minimum, ignoring a NaN when the other operand is not NaN.",
                           FL_PROMOTED, "")},
    {"eq", FL_DOC_BINARY("Tests input == other elementwise.", FL_BOOL_BROADCAST, "")},
    {"ne", FL_DOC_BINARY("Tests input != other elementwise. Alias: not_equal.", FL_BOOL_BROADCAST, "")},
    {"lt", FL_DOC_BINARY("Tests input < other elementwise. Alias: less.", FL_BOOL_BROADCAST, "")},
    {"le", FL_DOC_BINARY("Tests input <= other elementwise. Alias: less_equal.", FL_BOOL_BROADCAST, "")},
    {"gt", FL_DOC_BINARY("Tests input > other elementwise. Alias: greater.", FL_BOOL_BROADCAST, "")},
    {"ge", FL_DOC_BINARY("Tests input >= other elementwise. Alias: greater_equal.", FL_BOOL_BROADCAST, "")},
    {"isclose", R"(Tests |input - other| <= atol + rtol * |other| elementwise.

Args:
    input (Tensor): the first tensor.
    other (Tensor): the second tensor, broadcast against input.
    rtol (float): the relative tolerance. Default: 1e-05.
    atol (float): the absolute tolerance. Default: 1e-08.
    equal_nan (bool): whether two NaNs count as close. Default: False.

Returns:
    Tensor: a bool tensor of the broadcast shape.)"},
    {"allclose", R"(Tells whether every element of input is close to other (isclose(...).all()).

Args:
    input (Tensor): the first tensor.
    other (Tensor): the second tensor, broadcast against input.
    rtol (float): the relative tolerance. Default: 1e-05.
    atol (float): the absolute tolerance. Default: 1e-08.
    equal_nan (bool): whether two NaNs count as close. Default: False.

Returns:
    bool: a Python bool (this evaluates both tensors).)"},
    {"equal", R"(Tells whether two tensors have the same shape and the same elements.

Args:
    input (Tensor): the first tensor.
    other (Tensor): the second tensor.

Returns:
    bool: a Python bool (this evaluates both tensors).)"},
    {"logical_and",
     FL_DOC_BINARY("Returns the logical AND of input and other (nonzero is True).", FL_BOOL_BROADCAST, "")},
    {"logical_or",
     FL_DOC_BINARY("Returns the logical OR of input and other (nonzero is True).", FL_BOOL_BROADCAST, "")},
    {"logical_xor",
     FL_DOC_BINARY("Returns the logical XOR of input and other (nonzero is True).", FL_BOOL_BROADCAST, "")},
    {"bitwise_and", FL_DOC_BINARY("Returns the bitwise AND of integer or bool operands.", FL_PROMOTED, "")},
    {"bitwise_or", FL_DOC_BINARY("Returns the bitwise OR of integer or bool operands.", FL_PROMOTED, "")},
    {"bitwise_xor", FL_DOC_BINARY("Returns the bitwise XOR of integer or bool operands.", FL_PROMOTED, "")},
    {"where", R"(Selects input where condition is True and other elsewhere; with condition alone, nonzero(as_tuple).

Args:
    condition (Tensor): a bool tensor, broadcast with input and other.
    input (Tensor or Number): the values where condition is True (self for the method form).
    other (Tensor or Number): the values where condition is False.

Returns:
    Tensor: a tensor of the broadcast shape and promoted dtype; where(condition) returns a tuple of index
    tensors, one per dimension.)"},
    {"lerp", R"(Linear interpolation: input + weight * (end - input), elementwise with broadcasting.

Args:
    input (Tensor): the start points.
    end (Tensor): the end points.
    weight (float or Tensor): the interpolation weight.

Returns:
    Tensor: a new tensor of the broadcast shape.)"},
    {"addcmul", R"(Returns input + value * tensor1 * tensor2, elementwise with broadcasting.

Args:
    input (Tensor): the tensor to add to.
    tensor1 (Tensor): the first factor.
    tensor2 (Tensor): the second factor.
    value (Number): the multiplier of the product. Default: 1.

Returns:
    Tensor: a new tensor of the broadcast shape.)"},
    {"addcdiv", R"(Returns input + value * tensor1 / tensor2, elementwise with broadcasting.

Args:
    input (Tensor): the tensor to add to.
    tensor1 (Tensor): the numerator.
    tensor2 (Tensor): the denominator.
    value (Number): the multiplier of the quotient. Default: 1.

Returns:
    Tensor: a new tensor of the broadcast shape.)"},
    {"clamp", R"(Clamps each element into [min, max]. Alias: clip.

Args:
    input (Tensor): the input tensor.
    min (Number or Tensor, optional): the lower bound; none when None. Default: None.
    max (Number or Tensor, optional): the upper bound; none when None. Default: None.

Returns:
    Tensor: a new tensor of input's shape (broadcast with tensor bounds).)"},
    {"clip", R"(Clamps each element into [min, max]; an alias of clamp.

Args:
    input (Tensor): the input tensor.
    min (Number or Tensor, optional): the lower bound; none when None. Default: None.
    max (Number or Tensor, optional): the upper bound; none when None. Default: None.

Returns:
    Tensor: a new tensor of input's shape (broadcast with tensor bounds).)"},
    {"clamp_min", R"(Clamps each element from below: max(input, min).

Args:
    input (Tensor): the input tensor.
    min (Number): the lower bound.

Returns:
    Tensor: a new tensor of input's shape.)"},
    {"clamp_max", R"(Clamps each element from above: min(input, max).

Args:
    input (Tensor): the input tensor.
    max (Number): the upper bound.

Returns:
    Tensor: a new tensor of input's shape.)"},
};

#undef FL_PROMOTED
#undef FL_BOOL_BROADCAST
#undef FL_ALPHA

}  // namespace flpy::docs
