// torch.nn.functional activations that are not core elementwise ops (those live in fl/ops/unary.h).
#pragma once
#include <optional>

#include "fl/tensor.h"

namespace fl::nn::functional {

/// x where x > threshold, else value.
Tensor threshold(const Tensor& x, double threshold, double value);
/// max(0, x) + weight * min(0, x); weight has 1 element or one per channel (dim 1 of x).
Tensor prelu(const Tensor& x, const Tensor& weight);
/// a * sigmoid(b) where a, b are the two halves of x along dim.
Tensor glu(const Tensor& x, int64_t dim = -1);
/// softmax(-x) along dim.
Tensor softmin(const Tensor& x, int64_t dim, std::optional<Dtype> dtype = std::nullopt);

}  // namespace fl::nn::functional
