#include "fl/nn/modules/flatten.h"

#include "fl/nn/repr.h"
#include "fl/ops/shape.h"

namespace fl::nn {

std::string Flatten::extra_repr() const {
  return "start_dim=" + std::to_string(start_dim) + ", end_dim=" + std::to_string(end_dim);
}

Unflatten::Unflatten(int64_t dim, Shape unflattened_size) : dim(dim), unflattened_size(std::move(unflattened_size)) {}

Tensor Unflatten::forward(const Tensor& input) { return fl::unflatten(input, dim, unflattened_size); }

std::string Unflatten::extra_repr() const {
  return "dim=" + std::to_string(dim) + ", unflattened_size=" + py_tuple(unflattened_size);
}

}  // namespace fl::nn
