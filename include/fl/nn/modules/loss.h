// Loss modules (torch.nn's loss.py): options plus a call to the loss of the same name in
// fl/nn/functional/loss.h. Constructors take torch's arguments in torch's order, without the deprecated
// size_average / reduce. An unknown reduction raises ValueError when the loss is computed, as in torch.
//
//   fl::nn::CrossEntropyLoss criterion(std::nullopt, -100, "mean", /*label_smoothing=*/0.1);
//   fl::Tensor loss = criterion(logits, labels);
//
// Optional class weights are buffers (saved in state_dict, moved by to()); absent ones are torch's None.
#pragma once
#include <optional>
#include <string>

#include "fl/nn/module.h"

namespace fl::nn {

/// torch's _Loss: the reduction, 'mean' | 'sum' | 'none'. Losses print as "Name()".
class Loss : public Module {
 public:
  std::string reduction;

 protected:
  explicit Loss(std::string reduction) : reduction(std::move(reduction)) {}
};

/// A loss of (input, target): operator() runs forward with the forward hooks around it.
class InputTargetLoss : public Loss {
 public:
  virtual Tensor forward(const Tensor& input, const Tensor& target) = 0;
  /// forward() with the forward hooks around it (torch's __call__).
  Tensor operator()(const Tensor& input, const Tensor& target);

 protected:
  using Loss::Loss;
};

/// torch's _WeightedLoss: a `weight` buffer (None when not given).
class WeightedLoss : public InputTargetLoss {
 public:
  Tensor weight;

 protected:
  WeightedLoss(const std::optional<Tensor>& weight, std::string reduction);
};

/// (input - target)^2.
class MSELoss : public InputTargetLoss {
 public:
  explicit MSELoss(std::string reduction = "mean") : InputTargetLoss(std::move(reduction)) {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
};

/// |input - target|.
class L1Loss : public InputTargetLoss {
 public:
  explicit L1Loss(std::string reduction = "mean") : InputTargetLoss(std::move(reduction)) {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
};

/// Quadratic below beta, linear above (scaled by 1 / beta).
class SmoothL1Loss : public InputTargetLoss {
 public:
  explicit SmoothL1Loss(std::string reduction = "mean", double beta = 1.0)
      : InputTargetLoss(std::move(reduction)), beta(beta) {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
  double beta;
};

/// Quadratic below delta, linear above (scaled by delta).
class HuberLoss : public InputTargetLoss {
 public:
  explicit HuberLoss(std::string reduction = "mean", double delta = 1.0)
      : InputTargetLoss(std::move(reduction)), delta(delta) {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
  double delta;
};

/// KL divergence of log-probability input from target ('batchmean' divides the sum by the batch size).
class KLDivLoss : public InputTargetLoss {
 public:
  explicit KLDivLoss(std::string reduction = "mean", bool log_target = false)
      : InputTargetLoss(std::move(reduction)), log_target(log_target) {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
  bool log_target;
};

/// log_softmax + nll_loss for class indices, or soft targets of input's shape.
class CrossEntropyLoss : public WeightedLoss {
 public:
  explicit CrossEntropyLoss(const std::optional<Tensor>& weight = std::nullopt, int64_t ignore_index = -100,
                            std::string reduction = "mean", double label_smoothing = 0.0)
      : WeightedLoss(weight, std::move(reduction)), ignore_index(ignore_index), label_smoothing(label_smoothing) {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
  int64_t ignore_index;
  double label_smoothing;
};

/// Negative log-likelihood of class indices given log-probabilities.
class NLLLoss : public WeightedLoss {
 public:
  explicit NLLLoss(const std::optional<Tensor>& weight = std::nullopt, int64_t ignore_index = -100,
                   std::string reduction = "mean")
      : WeightedLoss(weight, std::move(reduction)), ignore_index(ignore_index) {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
  int64_t ignore_index;
};

/// Binary cross entropy of probabilities.
class BCELoss : public WeightedLoss {
 public:
  explicit BCELoss(const std::optional<Tensor>& weight = std::nullopt, std::string reduction = "mean")
      : WeightedLoss(weight, std::move(reduction)) {}
  Tensor forward(const Tensor& input, const Tensor& target) override;
};

/// Binary cross entropy of logits; pos_weight (a buffer) scales the positive term per class.
class BCEWithLogitsLoss : public InputTargetLoss {
 public:
  explicit BCEWithLogitsLoss(const std::optional<Tensor>& weight = std::nullopt, std::string reduction = "mean",
                             const std::optional<Tensor>& pos_weight = std::nullopt);
  Tensor forward(const Tensor& input, const Tensor& target) override;
  Tensor weight, pos_weight;
};

/// 1 - cos(x1, x2) for target 1, max(0, cos(x1, x2) - margin) for target -1.
class CosineEmbeddingLoss : public Loss {
 public:
  explicit CosineEmbeddingLoss(double margin = 0.0, std::string reduction = "mean")
      : Loss(std::move(reduction)), margin(margin) {}
  Tensor forward(const Tensor& input1, const Tensor& input2, const Tensor& target);
  /// forward() with the forward hooks around it (torch's __call__).
  Tensor operator()(const Tensor& input1, const Tensor& input2, const Tensor& target);
  double margin;
};

}  // namespace fl::nn
