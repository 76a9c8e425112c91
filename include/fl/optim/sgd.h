// torch.optim.SGD: stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay.
#pragma once
#include "fl/optim/optimizer.h"

namespace fl::optim {

/// torch.optim.SGD's hyperparameters, with torch's defaults.
struct SGDOptions {
  double lr = 1e-3;
  double momentum = 0;
  double dampening = 0;
  double weight_decay = 0;
  bool nesterov = false;
  bool maximize = false;
  /// torch's defaults dict (these options and its foreach/differentiable/fused flags, in torch's key order).
  Dict to_dict() const;
};

/// torch.optim.SGD with momentum, dampening, Nesterov momentum and weight decay as torch's.
class SGD : public Optimizer {
 public:
  explicit SGD(Params params = {}, const SGDOptions& options = {});
  /// From torch-style defaults (missing keys take SGDOptions' values), checked as torch checks them.
  SGD(Params params, const Dict& defaults);

 protected:
  void update_group(ParamGroup& group, const std::vector<Tensor>& grads) override;
};

}  // namespace fl::optim
