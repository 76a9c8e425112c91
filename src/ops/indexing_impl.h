// Helpers shared by the indexing family's source files (indexing*.cpp).
#pragma once
#include <mlx/transforms.h>

#include <optional>
#include <vector>

#include "ops/op_utils.h"

namespace fl::indexing {

/// The C++ type name PyTorch prints for a dtype's TypeMeta ("long int"), as in masked_fill's mask message.
const char* typemeta_name(Dtype d);
/// PyTorch's checked Scalar conversion: "value cannot be converted to type int8_t without overflow".
void check_scalar_fits(const Scalar& s, Dtype d);
/// A 0-d array holding s converted to d.
mx::array scalar_array(const Scalar& s, Dtype d);
/// The first index (row-major) outside [lo, hi), if any. Evaluates the index: errors depend on the data.
std::optional<int64_t> first_out_of_range(const Tensor& index, int64_t lo, int64_t hi);
/// idx + size where idx is negative (Python-style wrapping).
mx::array wrap_negative(const mx::array& idx, int64_t size);
/// Row-major flat positions of the non-zero elements of a (evaluates).
std::vector<int64_t> nonzero_flat(const mx::array& a);
/// A fresh int64 tensor from host data.
Tensor int64_tensor(const std::vector<int64_t>& data, const Shape& shape);
/// Strips leading size-1 dims, as PyTorch does to a value assigned through indexing.
Tensor strip_leading_ones(const Tensor& v);

}  // namespace fl::indexing
