// Patch primitives behind convolution and pooling: MLX's CPU convolution is scalar (5-30x slower than PyTorch on
// LeNet shapes), so convolutions are im2col + the MKL GEMM (kernels/gemm.h), as PyTorch's slow path does.
// im2col and col2im are each other's adjoint (each one's vjp is the other), so gradients of any order work.
#pragma once
#include <mlx/array.h>

#include <vector>

namespace fl::nn::detail {

/// A 2-D sliding-window grid: an image of h x w, windows of kh x kw taps with stride, dilation and leading
/// padding (pads may be asymmetric: the grid size oh x ow says where windows stop), as PyTorch's im2col.
struct PatchGeometry {
  int64_t h, w;    // image size
  int64_t kh, kw;  // kernel
  int64_t sh, sw;  // stride
  int64_t ph, pw;  // padding before the first row / column
  int64_t dh, dw;  // dilation
  int64_t oh, ow;  // number of window positions
  bool operator==(const PatchGeometry&) const = default;
};

/// x (N, C, h, w), any strides -> (N, C*kh*kw, oh*ow): PyTorch's F.unfold layout, zeros outside the image.
mlx::core::array im2col(const mlx::core::array& x, const PatchGeometry& g);
/// cols (N, C*kh*kw, oh*ow) -> (N, C, h, w), summing overlapping taps (F.fold); the adjoint of im2col.
mlx::core::array col2im(const mlx::core::array& cols, const PatchGeometry& g);

/// One output position's taps along a dim: input indices begin, begin + step, ... (< end), all in range.
struct Window {
  int64_t begin, end, step;
  bool operator==(const Window&) const = default;
};
/// For x (N, C, H, W), the flat index ih * W + iw of each window's maximum: int64 (N, C, rows.size(),
/// cols.size()). PyTorch's rule: the first maximum, NaN wins (the last NaN); all -inf gives the first tap.
/// Not differentiable (the values come from take_along_axis at these indices).
mlx::core::array window_argmax(const mlx::core::array& x, const std::vector<Window>& rows,
                               const std::vector<Window>& cols);

}  // namespace fl::nn::detail
