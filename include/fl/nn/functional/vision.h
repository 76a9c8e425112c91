// torch.nn.functional.interpolate (and the deprecated upsample* wrappers' engine).
#pragma once
#include <optional>
#include <string>

#include "fl/nn/functional/args.h"
#include "fl/tensor.h"

namespace fl::nn::functional {

/// Resizes the spatial dims of a (N, C, W) / (N, C, H, W) / (N, C, D, H, W) input to `size` or by `scale_factor`
/// (exactly one; `{}` = None). mode: "nearest", "nearest-exact", "linear" (3-D), "bilinear" (4-D), "trilinear"
/// (5-D), "bicubic" (4-D) or "area" (3-D/4-D: adaptive average pooling), with PyTorch's index arithmetic.
/// align_corners only for the interpolating modes (default false). With scale_factor the given factors drive the
/// source indices unless recompute_scale_factor. antialias (bilinear/bicubic, 4-D): PyTorch's (PIL's) widened,
/// normalised filter when downsampling.
Tensor interpolate(const Tensor& input, const ExpandingArray& size = {}, const ScaleFactors& scale_factor = {},
                   const std::string& mode = "nearest", std::optional<bool> align_corners = std::nullopt,
                   std::optional<bool> recompute_scale_factor = std::nullopt, bool antialias = false);

}  // namespace fl::nn::functional
