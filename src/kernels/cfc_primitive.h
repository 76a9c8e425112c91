// The fused CfC sequence as MLX arrays: one custom primitive for the forward and one for its backward through
// time, both running src/kernels/cfc_kernel.cpp on the CPU.
#pragma once
#include <mlx/array.h>

#include <memory>
#include <vector>

#include "kernels/cfc_kernel.h"

namespace fl::kernels::cfc {

/// The first forward's outputs and saved activations, kept for the backward. MLX's vjp runs an op's function
/// again on copies of its inputs; the primitive built then finds the inputs' buffers here and takes these
/// results instead of computing the sequence a second time.
struct SavedForward;
std::shared_ptr<SavedForward> make_saved_forward();

/// {y (B,L,out), hT (B,N)[, cT (B,N)]} for the array list described by InputIndex (all float32 or all float64).
/// Outside a trace the sequence runs at once on this thread (inputs are evaluated first); on traced inputs it is a
/// lazy primitive whose vjp is the fused backward. `saved` (null when no gradient will be taken) keeps what the
/// backward needs.
std::vector<mlx::core::array> sequence(const std::vector<mlx::core::array>& inputs, const Dims& d,
                                       const std::shared_ptr<SavedForward>& saved);

}  // namespace fl::kernels::cfc
