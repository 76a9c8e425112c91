// torch.optim.LBFGS: limited-memory BFGS over all parameters flattened, with an optional strong-Wolfe line search.
// step(closure) is required: the closure re-evaluates the loss (with backward) and returns it.
#pragma once
#include <optional>
#include <string>

#include "fl/optim/optimizer.h"

namespace fl::optim {

/// torch.optim.LBFGS's hyperparameters, with torch's defaults.
struct LBFGSOptions {
  double lr = 1;
  int64_t max_iter = 20;
  /// Defaults to max_iter * 5 / 4.
  std::optional<int64_t> max_eval;
  double tolerance_grad = 1e-7;
  double tolerance_change = 1e-9;
  int64_t history_size = 100;
  /// "" (none) or "strong_wolfe".
  std::string line_search_fn;
  /// torch's defaults dict, in torch's key order (line_search_fn None when empty).
  Dict to_dict() const;
};

/// One parameter group only (ValueError otherwise), as torch. State lives under the first parameter: func_evals,
/// n_iter, d, t, old_dirs, old_stps, ro, H_diag, prev_flat_grad, prev_loss and al, with torch's types.
class LBFGS : public Optimizer {
 public:
  explicit LBFGS(Params params = {}, const LBFGSOptions& options = {});
  /// From torch-style defaults (missing keys take LBFGSOptions' values; max_eval None is computed).
  LBFGS(Params params, const Dict& defaults);

  /// Runs up to max_iter iterations; returns the closure's first loss. TypeError without a closure.
  Tensor step(const Closure& closure) override;

 protected:
  void update_group(ParamGroup& group, const std::vector<Tensor>& grads) override;
};

}  // namespace fl::optim
