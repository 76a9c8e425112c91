// The fused LTC sequence as MLX arrays: one custom primitive (CPU kernel in ltc_cpu.cpp) whose vjp is a second
// primitive, the backward through time. Internal; fl::ncps::ltc_sequence is the public entry.
#pragma once
#include <cstdint>
#include <vector>

#include <mlx/array.h>

namespace fl::kernels::ltc {

struct OpConfig {
  int64_t ode_unfolds = 6;
  double epsilon = 1e-8;
  bool implicit_param_constraints = true;
  bool mixed_memory = false;
  int64_t motor_size = 0;
};

/// inputs: the kNumSlots arrays of ltc_kernel.h's Slot order, one float dtype (float32 or float64), on the CPU,
/// shapes already checked. Returns {y (B, L, M), hT (B, N)} and, with mixed memory, cT (B, N).
std::vector<mlx::core::array> sequence(const std::vector<mlx::core::array>& inputs, const OpConfig& config);

}  // namespace fl::kernels::ltc
