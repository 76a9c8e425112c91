// torch.nn.functional's losses. `reduction` is 'mean' | 'sum' | 'none' (kl_div also takes 'batchmean'); an
// unknown string raises ValueError as torch does. torch's deprecated size_average / reduce arguments exist only in
// the Python bindings.
#pragma once
#include <optional>
#include <string>

#include "fl/tensor.h"

namespace fl::nn::functional {

// --- regression (loss_regression.cpp) ----------------------------------------------------------------------------
/// (input - target)^2; with weight (input's shape), 'mean' is sum(w * l) / sum(w).
Tensor mse_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean",
                const std::optional<Tensor>& weight = std::nullopt);
/// |input - target|; with weight (input's shape), 'mean' is sum(w * l) / sum(w).
Tensor l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean",
               const std::optional<Tensor>& weight = std::nullopt);
/// 0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta; beta = 0 is l1_loss.
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean",
                      double beta = 1.0);
/// 0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta); with weight, 'mean' is mean(w * l).
Tensor huber_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean", double delta = 1.0,
                  const std::optional<Tensor>& weight = std::nullopt);
/// Pointwise KL divergence target * (log target - input) (input holds log-probabilities); 'batchmean' divides the
/// sum by the batch size.
Tensor kl_div(const Tensor& input, const Tensor& target, const std::string& reduction = "mean",
              bool log_target = false);
/// exp(input) - target * input (log_input), or input - target * log(input + eps); `full` adds Stirling's term.
Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, bool log_input = true, bool full = false,
                        double eps = 1e-8, const std::string& reduction = "mean");
/// 0.5 (log var + (input - target)^2 / var), var clamped at eps (the clamp passes gradients through, as torch).
/// Two overloads: var a tensor, or a non-negative number.
Tensor gaussian_nll_loss(const Tensor& input, const Tensor& target, const Tensor& var, bool full = false,
                         double eps = 1e-6, const std::string& reduction = "mean");
Tensor gaussian_nll_loss(const Tensor& input, const Tensor& target, double var, bool full = false, double eps = 1e-6,
                         const std::string& reduction = "mean");

// --- classification (loss_classification.cpp) -------------------------------------------------------------------
/// Negative log-likelihood of class indices (int64 or uint8) for (C), (N, C) or (N, C, d1, ...) log-probabilities.
/// Targets equal to ignore_index count for nothing; 'mean' divides by the summed weights of counted targets.
Tensor nll_loss(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight = std::nullopt,
                int64_t ignore_index = -100, const std::string& reduction = "mean");
/// nll_loss of log_softmax(input) for class-index targets; for a target of input's shape, class probabilities.
Tensor cross_entropy(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight = std::nullopt,
                     int64_t ignore_index = -100, const std::string& reduction = "mean", double label_smoothing = 0.0);
/// -w (t log x + (1 - t) log(1 - x)) with the logs clamped at -100; input must lie in [0, 1].
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const std::optional<Tensor>& weight = std::nullopt, const std::string& reduction = "mean");
/// binary_cross_entropy(sigmoid(input), target) computed stably; pos_weight scales the positive term.
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const std::optional<Tensor>& weight = std::nullopt,
                                        const std::string& reduction = "mean",
                                        const std::optional<Tensor>& pos_weight = std::nullopt);
/// log(1 + exp(-target * input)).
Tensor soft_margin_loss(const Tensor& input, const Tensor& target, const std::string& reduction = "mean");

// --- margins and embeddings (loss_margin.cpp) --------------------------------------------------------------------
/// 1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin) where target is -1.
Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin = 0,
                             const std::string& reduction = "mean");
/// max(0, -target * (input1 - input2) + margin).
Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin = 0,
                           const std::string& reduction = "mean");
/// input where target is 1, max(0, margin - input) where target is -1.
Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target, double margin = 1.0,
                            const std::string& reduction = "mean");
/// max(d(a, p) - d(a, n) + margin, 0) with pairwise_distance d; `swap` uses min(d(a, n), d(p, n)).
Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative, double margin = 1.0,
                           double p = 2, double eps = 1e-6, bool swap = false, const std::string& reduction = "mean");

}  // namespace fl::nn::functional
