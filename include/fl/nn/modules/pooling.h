// Pooling layers (torch.nn's pooling.py) over fl::nn::functional's pools: MaxPool1d/2d, AvgPool1d/2d and the
// adaptive pools. Arguments are kept as given (an int or a tuple) and print as torch prints them. The
// return_indices forms return (values, indices) from forward_with_indices(), as libtorch's.
#pragma once
#include <optional>
#include <tuple>

#include "fl/nn/functional/args.h"
#include "fl/nn/module.h"

namespace fl::nn {

using functional::ExpandingArray;
using functional::OutputSize;

/// torch's _MaxPoolNd. stride {} (None) takes kernel_size.
class MaxPoolBase : public UnaryModule {
 public:
  /// The pooled values. With return_indices set, torch's forward returns a tuple, which one Tensor cannot hold:
  /// forward raises then, pointing to forward_with_indices().
  Tensor forward(const Tensor& input) override;
  /// (values, int64 indices flattened over each input plane), whatever return_indices says.
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);
  std::string extra_repr() const override;

  ExpandingArray kernel_size, stride, padding, dilation;
  /// Kept for torch's positional argument order; see forward().
  bool return_indices;
  bool ceil_mode;

 protected:
  MaxPoolBase(int64_t dims, ExpandingArray kernel_size, ExpandingArray stride, ExpandingArray padding,
              ExpandingArray dilation, bool return_indices, bool ceil_mode);

 private:
  int64_t dims_;
};

#define FL_NN_MAX_POOL(NAME, DIMS)                                                                              \
  class NAME : public MaxPoolBase {                                                                             \
   public:                                                                                                      \
    explicit NAME(ExpandingArray kernel_size, ExpandingArray stride = {}, ExpandingArray padding = 0,           \
                  ExpandingArray dilation = 1, bool return_indices = false, bool ceil_mode = false)             \
        : MaxPoolBase(DIMS, std::move(kernel_size), std::move(stride), std::move(padding), std::move(dilation), \
                      return_indices, ceil_mode) {}                                                             \
  };
/// Max over windows of (N, C, L) or (C, L) input; padding counts as -inf.
FL_NN_MAX_POOL(MaxPool1d, 1)
/// Max over windows of (N, C, H, W) or (C, H, W) input.
FL_NN_MAX_POOL(MaxPool2d, 2)
#undef FL_NN_MAX_POOL

/// Average over windows of (N, C, L) or (C, L) input; the arguments print as 1-tuples, as torch's _single.
class AvgPool1d : public UnaryModule {
 public:
  explicit AvgPool1d(ExpandingArray kernel_size, ExpandingArray stride = {}, ExpandingArray padding = 0,
                     bool ceil_mode = false, bool count_include_pad = true);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

  ExpandingArray kernel_size, stride, padding;
  bool ceil_mode, count_include_pad;
};

/// Average over windows of (N, C, H, W) or (C, H, W) input; divisor_override replaces the window size.
class AvgPool2d : public UnaryModule {
 public:
  explicit AvgPool2d(ExpandingArray kernel_size, ExpandingArray stride = {}, ExpandingArray padding = 0,
                     bool ceil_mode = false, bool count_include_pad = true,
                     std::optional<int64_t> divisor_override = std::nullopt);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

  ExpandingArray kernel_size, stride, padding;
  bool ceil_mode, count_include_pad;
  std::optional<int64_t> divisor_override;
};

/// The adaptive pools' output_size and repr ("output_size=(None, 7)").
class AdaptivePoolBase : public UnaryModule {
 public:
  std::string extra_repr() const override;
  /// An int, or one entry per spatial dim where nullopt (None) keeps the input's size.
  OutputSize output_size;

 protected:
  explicit AdaptivePoolBase(OutputSize output_size) : output_size(std::move(output_size)) {}
};

/// Averages over (N, C, L) or (C, L) input in output_size windows.
class AdaptiveAvgPool1d : public AdaptivePoolBase {
 public:
  explicit AdaptiveAvgPool1d(OutputSize output_size) : AdaptivePoolBase(std::move(output_size)) {}
  Tensor forward(const Tensor& input) override;
};

/// Averages over (N, C, H, W) or (C, H, W) input in output_size windows.
class AdaptiveAvgPool2d : public AdaptivePoolBase {
 public:
  explicit AdaptiveAvgPool2d(OutputSize output_size) : AdaptivePoolBase(std::move(output_size)) {}
  Tensor forward(const Tensor& input) override;
};

/// The adaptive max pools: return_indices as MaxPoolBase's.
class AdaptiveMaxPoolBase : public AdaptivePoolBase {
 public:
  Tensor forward(const Tensor& input) override;
  /// (values, int64 indices flattened over each input plane), whatever return_indices says.
  std::tuple<Tensor, Tensor> forward_with_indices(const Tensor& input);
  bool return_indices;

 protected:
  AdaptiveMaxPoolBase(int64_t dims, OutputSize output_size, bool return_indices)
      : AdaptivePoolBase(std::move(output_size)), return_indices(return_indices), dims_(dims) {}

 private:
  int64_t dims_;
};

/// Max over (N, C, L) or (C, L) input in output_size windows.
class AdaptiveMaxPool1d : public AdaptiveMaxPoolBase {
 public:
  explicit AdaptiveMaxPool1d(OutputSize output_size, bool return_indices = false)
      : AdaptiveMaxPoolBase(1, std::move(output_size), return_indices) {}
};

/// Max over (N, C, H, W) or (C, H, W) input in output_size windows.
class AdaptiveMaxPool2d : public AdaptiveMaxPoolBase {
 public:
  explicit AdaptiveMaxPool2d(OutputSize output_size, bool return_indices = false)
      : AdaptiveMaxPoolBase(2, std::move(output_size), return_indices) {}
};

}  // namespace fl::nn
