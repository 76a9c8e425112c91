// Python's repr of the values that modules print in extra_repr(), so C++ modules print as torch's do.
#pragma once
#include <string>

#include "fl/tensor.h"

namespace fl::nn {

/// repr(float): "0.01", "1.0", "1e-05", "1e+16", "inf", "nan" (shortest round trip, Python's cut-overs).
std::string py_float(double v);
/// repr(bool): "True" / "False".
inline std::string py_bool(bool b) { return b ? "True" : "False"; }
/// repr(tuple of ints): "(2, 5)", "(3,)", "()".
std::string py_tuple(const Shape& s);
/// repr(torch.Size): "torch.Size([3, 4])".
std::string py_size(const Shape& s);

}  // namespace fl::nn
