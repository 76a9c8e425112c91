// The fused LTC sequence as MLX arrays: one custom primitive (CPU kernel in ltc_cpu.cpp) whose vjp is a second
// primitive, the backward through time. Internal; fl::ncps::ltc_sequence is the public entry.
#pragma once
#include <mlx/array.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace fl::kernels::ltc {

struct OpConfig {
  int64_t ode_unfolds = 6;
  double epsilon = 1e-8;
  bool implicit_param_constraints = true;
  bool mixed_memory = false;
  int64_t motor_size = 0;
};

/// The tape of a forward, kept for its backward. Flashlight's autograd takes an op's gradient by tracing its
/// function again at the same (immutable) inputs; an op that shares a memo between its forward call and that
/// trace gets its backward from the first forward's tape instead of running the sequence a second time.
struct TapeMemo {
  std::optional<mlx::core::array> tape;
};

/// inputs: the kNumSlots arrays of ltc_kernel.h's Slot order, one float dtype (float32 or float64), on the CPU,
/// shapes already checked. Returns {y (B, L, M), hT (B, N)} and, with mixed memory, cT (B, N). With a memo, the
/// first call records the tape into it and later calls (with the same input values) differentiate from it.
std::vector<mlx::core::array> sequence(const std::vector<mlx::core::array>& inputs, const OpConfig& config,
                                       const std::shared_ptr<TapeMemo>& memo = nullptr);

}  // namespace fl::kernels::ltc
