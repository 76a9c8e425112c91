#include "nn/functional/common.h"

namespace fl::nn::detail {

std::string tensor_type(Dtype d) { return std::string("torch.") + scalar_type_name(d) + "Tensor"; }

const char* cpp_type(Dtype d) {
  switch (d) {
    case kBool:
      return "bool";
    case kUInt8:
      return "unsigned char";
    case kInt8:
      return "signed char";
    case kInt16:
      return "short";
    case kInt32:
      return "int";
    case kInt64:
      return "long";
    case kFloat16:
      return "c10::Half";
    case kBFloat16:
      return "c10::BFloat16";
    case kFloat32:
      return "float";
    case kFloat64:
      return "double";
  }
  return "?";
}

std::string paren_x(const Shape& s) {
  std::string r = "(";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? " x " : "") + std::to_string(s[i]);
  return r + ")";
}

std::string tuple_str(const Shape& s) {
  std::string r = "(";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + (s.size() == 1 ? ",)" : ")");
}

void not_implemented_for(const char* kernel, Dtype d) {
  throw NotImplementedError(::fl::detail::concat("\"", kernel, "\" not implemented for '", scalar_type_name(d), "'"));
}

Shape expand_conv_param(const ExpandingArray& a, int64_t dims, const char* name) {
  FL_CHECK(a.fits(dims), "expected ", name, " to be a single integer value or a list of ", dims,
           " values to match the convolution dimensions, but got ", name, "=", shape_to_string(a.expand(dims)));
  return a.expand(dims);
}

}  // namespace fl::nn::detail
