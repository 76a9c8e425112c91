// Helpers shared by the nn.functional families: argument expansion with PyTorch's messages, type names.
#pragma once
#include <string>

#include "fl/nn/functional/args.h"
#include "ops/op_utils.h"

namespace fl::nn::detail {
using functional::ExpandingArray;

/// "torch.FloatTensor", as PyTorch names a tensor type in its messages.
std::string tensor_type(Dtype d);
/// "float", "double", ...: the C++ type names PyTorch prints in some dtype-mismatch messages.
const char* cpp_type(Dtype d);
/// "(5 x 5)" / "(5)": a size tuple as PyTorch's conv and pool messages print it.
std::string paren_x(const Shape& s);
/// "(2, 2)": a tuple as Python prints it (fold/unfold messages).
std::string tuple_str(const Shape& s);
/// "\"<kernel>\" not implemented for 'Long'": PyTorch's dtype-dispatch error (NotImplementedError).
[[noreturn]] void not_implemented_for(const char* kernel, Dtype d);

/// torch's conv parameter expansion: "expected stride to be a single integer value or a list of 2 values to
/// match the convolution dimensions, but got stride=[1, 1, 1]".
Shape expand_conv_param(const ExpandingArray& a, int64_t dims, const char* name);

/// Unbatched inputs get a batch dim of 1 inside an op's MLX function, and lose it again at the end.
inline mx::array add_batch(const mx::array& x, bool unbatched) { return unbatched ? mx::expand_dims(x, 0) : x; }
inline mx::array drop_batch(const mx::array& x, bool unbatched) { return unbatched ? mx::squeeze(x, 0) : x; }

/// MLX's CPU scatter (the vjp of take / take_along_axis) dies with SIGFPE on empty updates, so gathers with an
/// empty result return zeros instead (their gradient is zero anyway).
inline bool is_empty(const mx::Shape& s) {
  for (int d : s)
    if (d == 0) return true;
  return false;
}

}  // namespace fl::nn::detail
