// ReLU's backward (PyTorch's threshold_backward at 0) as a fast primitive: MLX's where/less_equal composition runs
// scalar, single-threaded kernels and was the largest single cost of a LeNet training step.
#pragma once
#include <mlx/array.h>

namespace fl::kernels {

/// g where y > 0 (or y is nan), else 0: the gradient through y = relu(x) given the output y. Differentiable in g
/// (its own vjp and jvp); y only selects.
mlx::core::array relu_grad(const mlx::core::array& g, const mlx::core::array& y);

}  // namespace fl::kernels
