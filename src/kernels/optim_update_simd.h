// Vectorised optimizer updates (Adam/AdamW, SGD): one table of entry points per instruction set, compiled with the
// elementwise kernels (optim_update_kernels.inc, included by elementwise_isa_{avx512,avx2,base}.cpp) and picked with
// them (simd::isa(), FL_SIMD caps it). Each reads every input of element i before writing element i, so outputs
// may alias inputs (donated buffers), and runs every element, tails included, through the same vector code.
#pragma once
#include <cstddef>

namespace fl::kernels::simd {

/// torch.optim.Adam's update for one step (step_size = lr / bias_correction1).
struct AdamArgs {
  double lr, beta1, beta2, eps, weight_decay, step_size, bias_correction2_sqrt;
  bool amsgrad, maximize, decoupled;
};
/// torch.optim.SGD's update; `first`: the momentum buffer starts as the (decayed) gradient.
struct SgdArgs {
  double lr, momentum, dampening, weight_decay;
  bool nesterov, maximize, first;
};

/// Inputs (param, grad, state...), outputs (param, state...), as kernels::fused_update orders them.
struct OptimIsa {
  void (*adam_f32)(const AdamArgs&, size_t n, const float* const* in, float* const* out);
  void (*adam_f64)(const AdamArgs&, size_t n, const double* const* in, double* const* out);
  void (*sgd_f32)(const SgdArgs&, size_t n, const float* const* in, float* const* out);
  void (*sgd_f64)(const SgdArgs&, size_t n, const double* const* in, double* const* out);
};

const OptimIsa& optim_isa_avx512();
const OptimIsa& optim_isa_avx2();
const OptimIsa& optim_isa_base();
/// The table of the instruction set simd::isa() picked.
const OptimIsa& optim_isa();

}  // namespace fl::kernels::simd
