// torch.nn.functional's distances: cosine_similarity and pairwise_distance.
#pragma once
#include "fl/tensor.h"

namespace fl::nn::functional {

/// sum((x1 / max(||x1||, eps)) * (x2 / max(||x2||, eps))) along dim, over the broadcast inputs (torch's
/// formulation: each input is normalised first, the clamps pass gradients through).
Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim = 1, double eps = 1e-8);

/// ||x1 - x2 + eps||_p along the last dim of the broadcast inputs.
Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p = 2.0, double eps = 1e-6, bool keepdim = false);

}  // namespace fl::nn::functional
