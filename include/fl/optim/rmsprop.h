// torch.optim.RMSprop: with smoothing constant alpha, momentum, centering and weight decay.
#pragma once
#include "fl/optim/optimizer.h"

namespace fl::optim {

/// torch.optim.RMSprop's hyperparameters, with torch's defaults.
struct RMSpropOptions {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0;
  double momentum = 0;
  bool centered = false;
  bool maximize = false;
  /// torch's defaults dict, in torch's key order (with its capturable/foreach/differentiable flags).
  Dict to_dict() const;
};

/// torch.optim.RMSprop (centered and momentum as torch's).
class RMSprop : public Optimizer {
 public:
  explicit RMSprop(Params params = {}, const RMSpropOptions& options = {});
  /// From torch-style defaults (missing keys take RMSpropOptions' values), checked as torch checks them.
  RMSprop(Params params, const Dict& defaults);

 protected:
  void update_group(ParamGroup& group, const std::vector<Tensor>& grads) override;
};

}  // namespace fl::optim
