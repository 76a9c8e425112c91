// torch.optim.Adam and torch.optim.AdamW (Adam with decoupled weight decay), with amsgrad and maximize.
#pragma once
#include <utility>

#include "fl/optim/optimizer.h"

namespace fl::optim {

/// torch.optim.Adam's hyperparameters, with torch's defaults.
struct AdamOptions {
  double lr = 1e-3;
  std::pair<double, double> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0;
  bool amsgrad = false;
  bool maximize = false;
  bool decoupled_weight_decay = false;
  /// torch's defaults dict (these options and its foreach/capturable/differentiable/fused flags, in torch's order).
  Dict to_dict() const;
};

/// AdamW's options: Adam's, with weight_decay 1e-2 (decoupled_weight_decay is always true).
struct AdamWOptions : AdamOptions {
  AdamWOptions() { weight_decay = 1e-2; }
};

/// torch.optim.Adam (amsgrad, maximize and decoupled_weight_decay as torch's).
class Adam : public Optimizer {
 public:
  explicit Adam(Params params = {}, const AdamOptions& options = {});
  /// From torch-style defaults (missing keys take AdamOptions' values), checked as torch checks them.
  Adam(Params params, const Dict& defaults);

 protected:
  Adam(const char* name, Params params, Dict defaults);
  void update_group(ParamGroup& group, const std::vector<Tensor>& grads) override;
};

/// torch.optim.AdamW: Adam with decoupled weight decay (weight_decay 1e-2 by default).
class AdamW : public Adam {
 public:
  explicit AdamW(Params params = {}, const AdamWOptions& options = {});
  AdamW(Params params, const Dict& defaults);
};

}  // namespace fl::optim
