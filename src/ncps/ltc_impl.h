// Shared by ltc.cpp (the sequence op) and ltc_stepper.cpp: weight checks and the kernel's parameter slots.
#pragma once
#include <vector>

#include "fl/ncps/ltc.h"

namespace fl::ncps::detail {

struct LTCSizes {
  int64_t D, N, M;
};
/// Checks every weight's shape for the config's mappings; returns the input, unit and motor counts.
LTCSizes check_ltc_weights(const LTCWeights& w, const LTCConfig& config);
/// The parameter slots of the fused kernel (kernels/ltc_kernel.h's Slot order from kGleak on) in dtype `dt`:
/// absent mappings become ones / zeros, absent LSTM weights empty tensors; the masks are detached (buffers).
std::vector<Tensor> ltc_param_slots(const LTCWeights& w, const LSTMMemoryWeights* memory, const LTCConfig& config,
                                    const LTCSizes& s, Dtype dt);

}  // namespace fl::ncps::detail
