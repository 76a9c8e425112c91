// torch.optim.NAdam: Adam with Nesterov momentum (momentum_decay schedule), optionally decoupled weight decay.
#pragma once
#include <utility>

#include "fl/optim/optimizer.h"

namespace fl::optim {

/// torch.optim.NAdam's hyperparameters, with torch's defaults.
struct NAdamOptions {
  double lr = 2e-3;
  std::pair<double, double> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0;
  double momentum_decay = 4e-3;
  bool decoupled_weight_decay = false;
  bool maximize = false;
  /// torch's defaults dict, in torch's key order (with its foreach/capturable/differentiable flags).
  Dict to_dict() const;
};

/// torch.optim.NAdam: Adam with Nesterov momentum and torch's momentum_decay schedule.
class NAdam : public Optimizer {
 public:
  explicit NAdam(Params params = {}, const NAdamOptions& options = {});
  /// From torch-style defaults (missing keys take NAdamOptions' values), checked as torch checks them.
  NAdam(Params params, const Dict& defaults);

 protected:
  void update_group(ParamGroup& group, const std::vector<Tensor>& grads) override;
};

}  // namespace fl::optim
