#include "fl/nn/modules/upsampling.h"

#include "fl/nn/functional/vision.h"
#include "fl/nn/repr.h"
#include "nn/modules/args_repr.h"

namespace fl::nn {

namespace {
// torch keeps `float(scale_factor) if scale_factor else None`: a single 0 is None.
ScaleFactors none_if_zero(ScaleFactors f) {
  return f.values().size() == 1 && f.values()[0] == 0.0 ? ScaleFactors() : f;
}
}  // namespace

Upsample::Upsample(ExpandingArray size_, ScaleFactors scale_factor_, std::string mode_,
                   std::optional<bool> align_corners_, std::optional<bool> recompute_scale_factor_)
    : size(std::move(size_)),
      scale_factor(none_if_zero(std::move(scale_factor_))),
      mode(std::move(mode_)),
      align_corners(align_corners_),
      recompute_scale_factor(recompute_scale_factor_) {}

Tensor Upsample::forward(const Tensor& input) {
  return functional::interpolate(input, size, scale_factor, mode, align_corners, recompute_scale_factor);
}

std::string Upsample::extra_repr() const {
  std::string s = !scale_factor.values().empty()
                      ? "scale_factor=" + detail::py_float_or_tuple(scale_factor)
                      : "size=" + (size.values().empty() ? std::string("None") : detail::py_int_or_tuple(size));
  return s + ", mode='" + mode + "'";
}

}  // namespace fl::nn
