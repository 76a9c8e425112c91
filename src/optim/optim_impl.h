// Shared internals of the optimizers: option checks with torch's messages, state creation, and running one fused
// update (kernels/optim_update.h) over a parameter, its gradient and its state, written back in place.
#pragma once
#include <mlx/array.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fl/optim/optimizer.h"
#include "kernels/optim_update.h"

namespace fl::optim::detail {

/// ValueError "<what>: <value>" unless defaults[key] >= 0 (torch's "Invalid learning rate: -0.1").
void check_nonnegative(const Dict& defaults, const char* key, const char* what);
/// torch's checks of betas: each in [0, 1).
void check_betas(const Dict& defaults);
/// Rejects options that change what step() is and that fused updates do not provide (differentiable=True).
void check_supported(const Dict& defaults);
std::pair<double, double> betas(const Dict& options);

/// `base` (an options struct's torch-style dict) with the entries of `given` replacing or adding to it.
Dict merged(Dict base, const Dict& given);
/// A (beta1, beta2) pair as the tuple torch stores (a two-element list).
Value pair_value(const std::pair<double, double>& p);

/// The dtype torch gives "step" and other scalar state: float64 when that is the default dtype, else float32.
Dtype scalar_dtype();
/// A 0-d tensor of the scalar dtype.
Tensor scalar_state(double value);
/// zeros_like / full_like for state.
Tensor zeros_state(const Tensor& param);
Tensor full_state(const Tensor& param, double value);
/// Increments state["step"] in place (creating it at 0) and returns the new count.
double increment_step(Dict& state);

/// Writes `value` into `t` as an in-place op under no_grad (through views), bumping its version counter `bumps`
/// times (torch's update makes that many in-place calls on the tensor).
void write(Tensor& t, const mlx::core::array& value, int bumps = 1);

/// One fused pass: kernel inputs are (param, grad, state...), outputs (param, state...) in the same order; each
/// output is written back into its tensor. `param_bumps` is the number of in-place ops torch applies to the param.
/// While an UpdateBatch is alive on this thread the pass joins it, and the tensors take their values at its run().
void run_update(const std::shared_ptr<const kernels::UpdateKernel>& kernel, Tensor& param, const Tensor& grad,
                const std::vector<Tensor*>& state, int param_bumps = 1);

/// Collects the run_update calls made while it is alive on this thread and runs them as one primitive at run(): one
/// task on MLX's stream for a whole step instead of one per parameter. Optimizer::step and apply_gradients hold
/// one around update_group; updates that read what an earlier one wrote must not run inside one (LBFGS's).
class UpdateBatch {
 public:
  UpdateBatch();
  ~UpdateBatch();
  UpdateBatch(const UpdateBatch&) = delete;
  UpdateBatch& operator=(const UpdateBatch&) = delete;
  /// Builds the pending updates and writes their outputs into their tensors.
  void run();

 private:
  struct Pending {
    std::shared_ptr<const kernels::UpdateKernel> kernel;
    Tensor param, grad;
    std::vector<Tensor> state;
    int param_bumps;
  };
  friend void run_update(const std::shared_ptr<const kernels::UpdateKernel>&, Tensor&, const Tensor&,
                         const std::vector<Tensor*>&, int);
  std::vector<Pending> pending_;
  UpdateBatch* outer_;
};

/// torch.maximum: NaN when either is NaN.
template <typename T>
inline T nan_max(T a, T b) {
  return (a != a || b != b) ? a + b : (a < b ? b : a);
}

/// torch's `lerp(start, end, w)` for a scalar weight (exact at both ends).
template <typename T>
inline T lerp(T start, T end, T w) {
  return w < T(0.5) ? start + w * (end - start) : end - (end - start) * (T(1) - w);
}

}  // namespace fl::optim::detail
