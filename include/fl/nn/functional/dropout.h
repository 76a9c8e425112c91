// torch.nn.functional's dropout family. Masks come from the core random generator (fl::manual_seed makes them
// reproducible); p outside [0, 1] raises ValueError. With training false (or p = 0) the input is returned as is.
#pragma once
#include "fl/tensor.h"

namespace fl::nn::functional {

/// Zeroes each element with probability p and scales the rest by 1 / (1 - p).
Tensor dropout(const Tensor& input, double p = 0.5, bool training = true, bool inplace = false);
/// Channel-wise dropout of (N, C, L) or (C, L) input: whole channels are zeroed.
Tensor dropout1d(const Tensor& input, double p = 0.5, bool training = true, bool inplace = false);
/// Channel-wise dropout of (N, C, H, W) input (a 3D input is taken as (N, C, L), as torch does).
Tensor dropout2d(const Tensor& input, double p = 0.5, bool training = true, bool inplace = false);
/// Channel-wise dropout of (N, C, D, H, W) or (C, D, H, W) input.
Tensor dropout3d(const Tensor& input, double p = 0.5, bool training = true, bool inplace = false);
/// Dropout that keeps SELU's zero mean and unit variance: dropped elements take SELU's negative saturation value,
/// then an affine map restores the statistics. Note torch's default training = false.
Tensor alpha_dropout(const Tensor& input, double p = 0.5, bool training = false, bool inplace = false);
/// alpha_dropout over whole channels of (N, C, *) input.
Tensor feature_alpha_dropout(const Tensor& input, double p = 0.5, bool training = false, bool inplace = false);

}  // namespace fl::nn::functional
