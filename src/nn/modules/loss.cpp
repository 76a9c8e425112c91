#include "fl/nn/modules/loss.h"

#include "fl/nn/functional/loss.h"
#include "nn/modules/module_utils.h"

namespace fl::nn {

namespace F = functional;
using detail::opt;
using detail::or_undefined;

Tensor InputTargetLoss::operator()(const Tensor& input, const Tensor& target) {
  if (!has_forward_hooks()) return forward(input, target);
  return call_hooked({input, target}, [this](const std::vector<Tensor>& in) { return forward(in[0], in[1]); });
}

WeightedLoss::WeightedLoss(const std::optional<Tensor>& w, std::string reduction)
    : InputTargetLoss(std::move(reduction)) {
  weight = register_buffer("weight", or_undefined(w));
}

Tensor MSELoss::forward(const Tensor& input, const Tensor& target) { return F::mse_loss(input, target, reduction); }

Tensor L1Loss::forward(const Tensor& input, const Tensor& target) { return F::l1_loss(input, target, reduction); }

Tensor SmoothL1Loss::forward(const Tensor& input, const Tensor& target) {
  return F::smooth_l1_loss(input, target, reduction, beta);
}

Tensor HuberLoss::forward(const Tensor& input, const Tensor& target) {
  return F::huber_loss(input, target, reduction, delta);
}

Tensor KLDivLoss::forward(const Tensor& input, const Tensor& target) {
  return F::kl_div(input, target, reduction, log_target);
}

Tensor CrossEntropyLoss::forward(const Tensor& input, const Tensor& target) {
  return F::cross_entropy(input, target, opt(weight), ignore_index, reduction, label_smoothing);
}

Tensor NLLLoss::forward(const Tensor& input, const Tensor& target) {
  return F::nll_loss(input, target, opt(weight), ignore_index, reduction);
}

Tensor BCELoss::forward(const Tensor& input, const Tensor& target) {
  return F::binary_cross_entropy(input, target, opt(weight), reduction);
}

BCEWithLogitsLoss::BCEWithLogitsLoss(const std::optional<Tensor>& w, std::string reduction,
                                     const std::optional<Tensor>& pw)
    : InputTargetLoss(std::move(reduction)) {
  weight = register_buffer("weight", or_undefined(w));
  pos_weight = register_buffer("pos_weight", or_undefined(pw));
}

Tensor BCEWithLogitsLoss::forward(const Tensor& input, const Tensor& target) {
  return F::binary_cross_entropy_with_logits(input, target, opt(weight), reduction, opt(pos_weight));
}

Tensor CosineEmbeddingLoss::forward(const Tensor& input1, const Tensor& input2, const Tensor& target) {
  return F::cosine_embedding_loss(input1, input2, target, margin, reduction);
}

Tensor CosineEmbeddingLoss::operator()(const Tensor& input1, const Tensor& input2, const Tensor& target) {
  if (!has_forward_hooks()) return forward(input1, input2, target);
  return call_hooked({input1, input2, target},
                     [this](const std::vector<Tensor>& in) { return forward(in[0], in[1], in[2]); });
}

}  // namespace fl::nn
