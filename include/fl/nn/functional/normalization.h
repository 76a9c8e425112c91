// torch.nn.functional's normalisation ops: batch_norm, instance_norm, layer_norm, rms_norm, group_norm, normalize.
#pragma once
#include <optional>

#include "fl/tensor.h"

namespace fl::nn::functional {

/// Normalises over every dim but 1 (channels) of (N, C, *) input. In training, batch statistics are used and
/// running_mean / running_var (when given) are updated in place without recording gradients:
/// running = (1 - momentum) * running + momentum * batch_stat, the variance unbiased as in torch.
/// In evaluation the running statistics are used (they must then be given).
Tensor batch_norm(const Tensor& input, const std::optional<Tensor>& running_mean,
                  const std::optional<Tensor>& running_var, const std::optional<Tensor>& weight = std::nullopt,
                  const std::optional<Tensor>& bias = std::nullopt, bool training = false, double momentum = 0.1,
                  double eps = 1e-5);

/// Normalises each (sample, channel) of (N, C, *) input over its spatial dims. Running stats, when given, are
/// updated in place with the mean over the batch of the per-instance statistics.
Tensor instance_norm(const Tensor& input, const std::optional<Tensor>& running_mean = std::nullopt,
                     const std::optional<Tensor>& running_var = std::nullopt,
                     const std::optional<Tensor>& weight = std::nullopt,
                     const std::optional<Tensor>& bias = std::nullopt, bool use_input_stats = true,
                     double momentum = 0.1, double eps = 1e-5);

/// Normalises over the trailing dims given by normalized_shape; weight and bias have that shape.
Tensor layer_norm(const Tensor& input, const Shape& normalized_shape,
                  const std::optional<Tensor>& weight = std::nullopt, const std::optional<Tensor>& bias = std::nullopt,
                  double eps = 1e-5);

/// x / sqrt(mean(x^2) + eps) over the trailing dims given by normalized_shape, times weight (that shape). eps
/// defaults to the machine epsilon of the computation dtype (float32 for half inputs, as torch).
Tensor rms_norm(const Tensor& input, const Shape& normalized_shape, const std::optional<Tensor>& weight = std::nullopt,
                std::optional<double> eps = std::nullopt);

/// Normalises (N, C, *) input over groups of C / num_groups channels; weight and bias are per channel (C,).
Tensor group_norm(const Tensor& input, int64_t num_groups, const std::optional<Tensor>& weight = std::nullopt,
                  const std::optional<Tensor>& bias = std::nullopt, double eps = 1e-5);

/// input / max(||input||_p along dim, eps).
Tensor normalize(const Tensor& input, double p = 2.0, int64_t dim = 1, double eps = 1e-12);

}  // namespace fl::nn::functional
