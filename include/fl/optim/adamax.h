// torch.optim.Adamax: Adam with the infinity norm.
#pragma once
#include <utility>

#include "fl/optim/optimizer.h"

namespace fl::optim {

/// torch.optim.Adamax's hyperparameters, with torch's defaults.
struct AdamaxOptions {
  double lr = 2e-3;
  std::pair<double, double> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0;
  bool maximize = false;
  /// torch's defaults dict, in torch's key order (with its foreach/differentiable/capturable flags).
  Dict to_dict() const;
};

/// torch.optim.Adamax: Adam with the infinity norm in place of the second moment.
class Adamax : public Optimizer {
 public:
  explicit Adamax(Params params = {}, const AdamaxOptions& options = {});
  /// From torch-style defaults (missing keys take AdamaxOptions' values), checked as torch checks them.
  Adamax(Params params, const Dict& defaults);

 protected:
  void update_group(ParamGroup& group, const std::vector<Tensor>& grads) override;
};

}  // namespace fl::optim
