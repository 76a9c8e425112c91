// torch.nn.functional's pooling: max (with PyTorch's flat indices), average and adaptive pools over (N, C, L) /
// (N, C, H, W) inputs or their unbatched forms. In C++ the `return_indices=True` forms are the *_with_indices
// functions (as libtorch); Python's return_indices argument picks one.
#pragma once
#include <optional>
#include <tuple>

#include "fl/nn/functional/args.h"
#include "fl/tensor.h"

namespace fl::nn::functional {

/// stride {} (None) = kernel_size. Padding counts as -inf; ceil_mode lets the last window overhang.
Tensor max_pool1d(const Tensor& input, const ExpandingArray& kernel_size, const ExpandingArray& stride = {},
                  const ExpandingArray& padding = 0, const ExpandingArray& dilation = 1, bool ceil_mode = false);
Tensor max_pool2d(const Tensor& input, const ExpandingArray& kernel_size, const ExpandingArray& stride = {},
                  const ExpandingArray& padding = 0, const ExpandingArray& dilation = 1, bool ceil_mode = false);
/// (values, indices): int64 indices into each input plane, flattened (h * W + w), as PyTorch returns them.
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, const ExpandingArray& kernel_size,
                                                   const ExpandingArray& stride = {}, const ExpandingArray& padding = 0,
                                                   const ExpandingArray& dilation = 1, bool ceil_mode = false);
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const ExpandingArray& kernel_size,
                                                   const ExpandingArray& stride = {}, const ExpandingArray& padding = 0,
                                                   const ExpandingArray& dilation = 1, bool ceil_mode = false);

/// count_include_pad: padded zeros count in the divisor (not the ceil_mode overhang beyond the padding).
Tensor avg_pool1d(const Tensor& input, const ExpandingArray& kernel_size, const ExpandingArray& stride = {},
                  const ExpandingArray& padding = 0, bool ceil_mode = false, bool count_include_pad = true);
Tensor avg_pool2d(const Tensor& input, const ExpandingArray& kernel_size, const ExpandingArray& stride = {},
                  const ExpandingArray& padding = 0, bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);

/// Windows [floor(i * in / out), ceil((i + 1) * in / out)); a nullopt entry keeps that input size.
Tensor adaptive_avg_pool1d(const Tensor& input, const OutputSize& output_size);
Tensor adaptive_avg_pool2d(const Tensor& input, const OutputSize& output_size);
Tensor adaptive_max_pool1d(const Tensor& input, const OutputSize& output_size);
Tensor adaptive_max_pool2d(const Tensor& input, const OutputSize& output_size);
std::tuple<Tensor, Tensor> adaptive_max_pool1d_with_indices(const Tensor& input, const OutputSize& output_size);
std::tuple<Tensor, Tensor> adaptive_max_pool2d_with_indices(const Tensor& input, const OutputSize& output_size);

}  // namespace fl::nn::functional
