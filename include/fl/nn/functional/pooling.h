// torch.nn.functional's pooling: max (with PyTorch's flat indices), average and adaptive pools over (N, C, L) /
// (N, C, H, W) inputs or their unbatched forms. In C++ the `return_indices=True` forms are the *_with_indices
// functions (as libtorch); Python's return_indices argument picks one.
#pragma once
#include <optional>
#include <tuple>

#include "fl/nn/functional/args.h"
#include "fl/tensor.h"

namespace fl::nn::functional {

/// torch.nn.functional.max_pool1d over (N, C, L) or (C, L): stride {} (None) = kernel_size. Padding counts as
/// -inf; ceil_mode lets the last window overhang.
Tensor max_pool1d(const Tensor& input, const ExpandingArray& kernel_size, const ExpandingArray& stride = {},
                  const ExpandingArray& padding = 0, const ExpandingArray& dilation = 1, bool ceil_mode = false);
/// torch.nn.functional.max_pool2d over (N, C, H, W) or (C, H, W), with max_pool1d's arguments per spatial dim.
Tensor max_pool2d(const Tensor& input, const ExpandingArray& kernel_size, const ExpandingArray& stride = {},
                  const ExpandingArray& padding = 0, const ExpandingArray& dilation = 1, bool ceil_mode = false);
/// max_pool1d with return_indices=True: (values, int64 indices into each input row), as PyTorch returns them.
std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, const ExpandingArray& kernel_size,
                                                   const ExpandingArray& stride = {}, const ExpandingArray& padding = 0,
                                                   const ExpandingArray& dilation = 1, bool ceil_mode = false);
/// max_pool2d with return_indices=True: (values, int64 indices into each input plane, flattened as h * W + w).
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const ExpandingArray& kernel_size,
                                                   const ExpandingArray& stride = {}, const ExpandingArray& padding = 0,
                                                   const ExpandingArray& dilation = 1, bool ceil_mode = false);

/// torch.nn.functional.avg_pool1d over (N, C, L) or (C, L). count_include_pad: padded zeros count in the divisor
/// (not the ceil_mode overhang beyond the padding).
Tensor avg_pool1d(const Tensor& input, const ExpandingArray& kernel_size, const ExpandingArray& stride = {},
                  const ExpandingArray& padding = 0, bool ceil_mode = false, bool count_include_pad = true);
/// torch.nn.functional.avg_pool2d over (N, C, H, W) or (C, H, W); divisor_override, when given, replaces every
/// window's divisor.
Tensor avg_pool2d(const Tensor& input, const ExpandingArray& kernel_size, const ExpandingArray& stride = {},
                  const ExpandingArray& padding = 0, bool ceil_mode = false, bool count_include_pad = true,
                  std::optional<int64_t> divisor_override = std::nullopt);

/// torch.nn.functional.adaptive_avg_pool1d: the mean over windows [floor(i * in / out), ceil((i + 1) * in / out)).
Tensor adaptive_avg_pool1d(const Tensor& input, const OutputSize& output_size);
/// torch.nn.functional.adaptive_avg_pool2d: adaptive_avg_pool1d's windows per spatial dim; a nullopt entry keeps
/// that input size.
Tensor adaptive_avg_pool2d(const Tensor& input, const OutputSize& output_size);
/// torch.nn.functional.adaptive_max_pool1d: the max over adaptive_avg_pool1d's windows.
Tensor adaptive_max_pool1d(const Tensor& input, const OutputSize& output_size);
/// torch.nn.functional.adaptive_max_pool2d: the max over adaptive windows per spatial dim.
Tensor adaptive_max_pool2d(const Tensor& input, const OutputSize& output_size);
/// adaptive_max_pool1d with return_indices=True: (values, int64 indices into each input row).
std::tuple<Tensor, Tensor> adaptive_max_pool1d_with_indices(const Tensor& input, const OutputSize& output_size);
/// adaptive_max_pool2d with return_indices=True: (values, int64 indices into each plane, flattened as h * W + w).
std::tuple<Tensor, Tensor> adaptive_max_pool2d_with_indices(const Tensor& input, const OutputSize& output_size);

}  // namespace fl::nn::functional
