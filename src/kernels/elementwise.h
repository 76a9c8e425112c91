// Fast CPU elementwise ops and reductions: custom MLX primitives over vectorised, multithreaded kernels (the
// mlx[cpu] wheel's own are scalar and single-threaded; bench/README.md). float32/float64 arrays of at least
// detail::kMinElements elements on the CPU take the primitive; other dtypes, devices and small arrays get the
// same MLX composition as before. Inputs that are already computed are computed at once on the calling thread.
// Each primitive's vjp/jvp is written with these functions and MLX ops, so higher-order gradients work.
#pragma once
#include <mlx/array.h>

#include <vector>

#include "kernels/simd.h"

namespace fl::kernels {

/// exp, log, tanh, sigmoid, relu, neg, abs, sqrt, square, silu, gelu (erf) and gelu (tanh approximation).
mlx::core::array unary(UnaryOp op, const mlx::core::array& x);

/// a op b for add, sub, mul, div, maximum, minimum with broadcasting. The primitive takes operands of one dtype
/// where one operand has the output's shape and the other is a scalar or spans a contiguous run of its dims
/// (rows, columns, channels); anything else goes to MLX.
mlx::core::array binary(BinaryOp op, const mlx::core::array& a, const mlx::core::array& b);
inline mlx::core::array add(const mlx::core::array& a, const mlx::core::array& b) {
  return binary(BinaryOp::Add, a, b);
}
inline mlx::core::array subtract(const mlx::core::array& a, const mlx::core::array& b) {
  return binary(BinaryOp::Sub, a, b);
}
inline mlx::core::array multiply(const mlx::core::array& a, const mlx::core::array& b) {
  return binary(BinaryOp::Mul, a, b);
}
inline mlx::core::array divide(const mlx::core::array& a, const mlx::core::array& b) {
  return binary(BinaryOp::Div, a, b);
}
inline mlx::core::array maximum(const mlx::core::array& a, const mlx::core::array& b) {
  return binary(BinaryOp::Maximum, a, b);
}
inline mlx::core::array minimum(const mlx::core::array& a, const mlx::core::array& b) {
  return binary(BinaryOp::Minimum, a, b);
}

/// Reductions over sorted `axes` (empty: none). The primitive takes a contiguous run of axes (all of them, the
/// innermost, the outermost or a middle block); other axis sets go to MLX. max/min propagate nan and split the
/// gradient evenly between tied extrema, as MLX's (and PyTorch's amax) do.
mlx::core::array sum(const mlx::core::array& x, const std::vector<int>& axes, bool keepdims);
/// sum / count, as MLX's (and PyTorch's CPU) mean divides.
mlx::core::array mean(const mlx::core::array& x, const std::vector<int>& axes, bool keepdims);
mlx::core::array max(const mlx::core::array& x, const std::vector<int>& axes, bool keepdims);
mlx::core::array min(const mlx::core::array& x, const std::vector<int>& axes, bool keepdims);

/// The instruction set the kernels run ("avx512", "avx2" or "base"; FL_SIMD caps it).
const char* simd_name();

}  // namespace fl::kernels
