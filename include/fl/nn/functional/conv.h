// torch.nn.functional's convolutions (NCL / NCHW, or unbatched CL / CHW), their transposes, and unfold/fold.
// Computed as im2col + GEMM (MKL), differentiable w.r.t. input, weight and bias.
#pragma once
#include <optional>

#include "fl/nn/functional/args.h"
#include "fl/tensor.h"

namespace fl::nn::functional {

/// input (N, C_in, L) or (C_in, L); weight (C_out, C_in / groups, k); bias (C_out). padding: ints, "valid" or
/// "same" (stride 1 only; an even total pads one more on the right, as PyTorch).
Tensor conv1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = std::nullopt,
              const ExpandingArray& stride = 1, const ConvPadding& padding = 0, const ExpandingArray& dilation = 1,
              int64_t groups = 1);
/// input (N, C_in, H, W) or (C_in, H, W); weight (C_out, C_in / groups, kH, kW); bias (C_out).
Tensor conv2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = std::nullopt,
              const ExpandingArray& stride = 1, const ConvPadding& padding = 0, const ExpandingArray& dilation = 1,
              int64_t groups = 1);
/// input (N, C_in, L) or (C_in, L); weight (C_in, C_out / groups, k); bias (C_out).
Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = std::nullopt,
                        const ExpandingArray& stride = 1, const ExpandingArray& padding = 0,
                        const ExpandingArray& output_padding = 0, int64_t groups = 1,
                        const ExpandingArray& dilation = 1);
/// input (N, C_in, H, W) or (C_in, H, W); weight (C_in, C_out / groups, kH, kW); bias (C_out).
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias = std::nullopt,
                        const ExpandingArray& stride = 1, const ExpandingArray& padding = 0,
                        const ExpandingArray& output_padding = 0, int64_t groups = 1,
                        const ExpandingArray& dilation = 1);

/// Sliding local blocks: input (N, C, H, W) or (C, H, W) -> (N, C * kH * kW, L).
Tensor unfold(const Tensor& input, const ExpandingArray& kernel_size, const ExpandingArray& dilation = 1,
              const ExpandingArray& padding = 0, const ExpandingArray& stride = 1);
/// The adjoint of unfold, summing overlaps: input (N, C * kH * kW, L) or (C * kH * kW, L) -> (N, C, H, W).
Tensor fold(const Tensor& input, const ExpandingArray& output_size, const ExpandingArray& kernel_size,
            const ExpandingArray& dilation = 1, const ExpandingArray& padding = 0, const ExpandingArray& stride = 1);

}  // namespace fl::nn::functional
