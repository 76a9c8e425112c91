// Upsample, UpsamplingNearest2d and UpsamplingBilinear2d (torch.nn's upsampling.py) over F::interpolate.
#pragma once
#include <optional>
#include <string>

#include "fl/nn/functional/args.h"
#include "fl/nn/module.h"

namespace fl::nn {

using functional::ExpandingArray;
using functional::ScaleFactors;

/// Resizes the spatial dims of (N, C, W) / (N, C, H, W) / (N, C, D, H, W) input to size or by scale_factor
/// (exactly one; {} for None). mode and align_corners as F::interpolate's.
class Upsample : public UnaryModule {
 public:
  explicit Upsample(ExpandingArray size = {}, ScaleFactors scale_factor = {}, std::string mode = "nearest",
                    std::optional<bool> align_corners = std::nullopt,
                    std::optional<bool> recompute_scale_factor = std::nullopt);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

  ExpandingArray size;
  /// A scale_factor of 0 is None, as torch's `float(scale_factor) if scale_factor else None`.
  ScaleFactors scale_factor;
  std::string mode;
  std::optional<bool> align_corners;
  std::optional<bool> recompute_scale_factor;
};

/// Upsample with mode "nearest" (torch's deprecated alias).
class UpsamplingNearest2d : public Upsample {
 public:
  explicit UpsamplingNearest2d(ExpandingArray size = {}, ScaleFactors scale_factor = {})
      : Upsample(std::move(size), std::move(scale_factor), "nearest") {}
};

/// Upsample with mode "bilinear" and align_corners (torch's deprecated alias).
class UpsamplingBilinear2d : public Upsample {
 public:
  explicit UpsamplingBilinear2d(ExpandingArray size = {}, ScaleFactors scale_factor = {})
      : Upsample(std::move(size), std::move(scale_factor), "bilinear", true) {}
};

}  // namespace fl::nn
