// The squared error of two same-shaped arrays, summed (or averaged) in one pass: mse_loss's forward reads x and t
// once instead of writing x - t and its square, and its gradient 2 (x - t) g / n is one pass too. float32/float64
// on the CPU take the primitive; anything else gets the composition of Flashlight's elementwise kernels.
#pragma once
#include <mlx/array.h>

namespace fl::kernels {

/// sum((x - t)^2), divided by the element count when `mean` (0/0 = nan for empty arrays, as torch). x and t have
/// the same shape and dtype.
mlx::core::array squared_error(const mlx::core::array& x, const mlx::core::array& t, bool mean);

}  // namespace fl::kernels
