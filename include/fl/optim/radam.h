// torch.optim.RAdam: rectified Adam, optionally with decoupled weight decay.
#pragma once
#include <utility>

#include "fl/optim/optimizer.h"

namespace fl::optim {

/// torch.optim.RAdam's hyperparameters, with torch's defaults.
struct RAdamOptions {
  double lr = 1e-3;
  std::pair<double, double> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0;
  bool decoupled_weight_decay = false;
  bool maximize = false;
  /// torch's defaults dict, in torch's key order (with its foreach/capturable/differentiable flags).
  Dict to_dict() const;
};

/// torch.optim.RAdam: Adam with the variance rectification term (bias-corrected momentum alone while rho_t <= 5).
class RAdam : public Optimizer {
 public:
  explicit RAdam(Params params = {}, const RAdamOptions& options = {});
  /// From torch-style defaults (missing keys take RAdamOptions' values), checked as torch checks them.
  RAdam(Params params, const Dict& defaults);

 protected:
  void update_group(ParamGroup& group, const std::vector<Tensor>& grads) override;
};

}  // namespace fl::optim
