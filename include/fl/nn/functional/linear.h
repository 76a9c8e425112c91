// torch.nn.functional.linear and bilinear.
#pragma once
#include <optional>

#include "fl/tensor.h"

namespace fl::nn::functional {

/// input (..., in) @ weight^T (out, in) + bias (out); a 1-D weight gives (...,).
Tensor linear(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = std::nullopt);
/// out[..., o] = sum_ij input1[..., i] weight[o, i, j] input2[..., j] + bias[o]; inputs share their batch dims.
Tensor bilinear(const Tensor& input1, const Tensor& input2, const Tensor& weight,
                const std::optional<Tensor>& bias = std::nullopt);

}  // namespace fl::nn::functional
