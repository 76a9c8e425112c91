// Correctly rounded float64 transcendentals. MLX's CPU exp/sin/cos/erf/erfinv are float32-accurate even for
// float64 (relative error ~1e-7), which breaks float64 parity with PyTorch and finite-difference gradient checks.
// For float64 on the CPU these route to a custom primitive calling libm; other dtypes use MLX's ops.
#pragma once
#include <mlx/array.h>

namespace fl::kernels {

mlx::core::array exp(const mlx::core::array& x);
mlx::core::array sin(const mlx::core::array& x);
mlx::core::array cos(const mlx::core::array& x);
mlx::core::array erf(const mlx::core::array& x);
mlx::core::array erfinv(const mlx::core::array& x);
/// Precise in value and gradient for float64 (MLX's vjps use float32 log 2 / log 10 and cos).
mlx::core::array tan(const mlx::core::array& x);
mlx::core::array log2(const mlx::core::array& x);
mlx::core::array log10(const mlx::core::array& x);
/// 1 / (1 + exp(-x)), precise in float64.
mlx::core::array sigmoid(const mlx::core::array& x);

}  // namespace fl::kernels
