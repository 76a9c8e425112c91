// torch.optim.Adadelta: with coefficient rho, eps and weight decay.
#pragma once
#include "fl/optim/optimizer.h"

namespace fl::optim {

/// torch.optim.Adadelta's hyperparameters, with torch's defaults.
struct AdadeltaOptions {
  double lr = 1.0;
  double rho = 0.9;
  double eps = 1e-6;
  double weight_decay = 0;
  bool maximize = false;
  /// torch's defaults dict, in torch's key order (with its capturable/foreach/differentiable flags).
  Dict to_dict() const;
};

/// torch.optim.Adadelta: steps of sqrt(acc_delta + eps) / sqrt(square_avg + eps) * grad, scaled by lr.
class Adadelta : public Optimizer {
 public:
  explicit Adadelta(Params params = {}, const AdadeltaOptions& options = {});
  /// From torch-style defaults (missing keys take AdadeltaOptions' values), checked as torch checks them.
  Adadelta(Params params, const Dict& defaults);

 protected:
  void update_group(ParamGroup& group, const std::vector<Tensor>& grads) override;
};

}  // namespace fl::optim
