// torch.optim.Adagrad: with learning-rate decay, weight decay and an initial accumulator value.
#pragma once
#include "fl/optim/optimizer.h"

namespace fl::optim {

/// torch.optim.Adagrad's hyperparameters, with torch's defaults.
struct AdagradOptions {
  double lr = 1e-2;
  double lr_decay = 0;
  double weight_decay = 0;
  double initial_accumulator_value = 0;
  double eps = 1e-10;
  bool maximize = false;
  /// torch's defaults dict, in torch's key order (with its foreach/differentiable/fused flags).
  Dict to_dict() const;
};

/// As torch, the state of the parameters given at construction is created then, and every accumulator starts at
/// the constructor's initial_accumulator_value (a group's own value is not used).
class Adagrad : public Optimizer {
 public:
  explicit Adagrad(Params params = {}, const AdagradOptions& options = {});
  /// From torch-style defaults (missing keys take AdagradOptions' values), checked as torch checks them.
  Adagrad(Params params, const Dict& defaults);

 protected:
  void update_group(ParamGroup& group, const std::vector<Tensor>& grads) override;
};

}  // namespace fl::optim
