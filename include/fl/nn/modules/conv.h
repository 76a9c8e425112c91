// Convolution layers (torch.nn's conv.py): Conv1d, Conv2d, ConvTranspose1d and ConvTranspose2d, with torch's
// arguments and checks (ValueError), parameter names, initialisation and repr.
#pragma once
#include <string>

#include "fl/nn/functional/args.h"
#include "fl/nn/module.h"
#include "fl/options.h"

namespace fl::nn {

using functional::ConvPadding;
using functional::ExpandingArray;

/// Conv1d/Conv2d/Conv3d's constructor arguments, in torch's order; ints stand for one value per spatial dim.
struct ConvOptions {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  ExpandingArray kernel_size;
  ExpandingArray stride = 1;
  /// ints, or "valid" / "same" ("same" needs stride 1; an odd total pads one more at the end).
  ConvPadding padding = 0;
  ExpandingArray dilation = 1;
  int64_t groups = 1;
  bool bias = true;
  /// "zeros", or "reflect" / "replicate" / "circular": the input is first padded by fl::pad in that mode.
  std::string padding_mode = "zeros";
  TensorOptions tensor_options = {};
};

/// Fields in torch's ConvTranspose order.
struct ConvTransposeOptions {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  ExpandingArray kernel_size;
  ExpandingArray stride = 1;
  ExpandingArray padding = 0;
  ExpandingArray output_padding = 0;
  int64_t groups = 1;
  bool bias = true;
  ExpandingArray dilation = 1;
  /// Only "zeros" (torch's ValueError otherwise).
  std::string padding_mode = "zeros";
  TensorOptions tensor_options = {};
};

namespace detail {
/// torch's _ConvNd over ConvOptions or ConvTransposeOptions: the constructor's checks, weight (C_out, C_in /
/// groups, *k) or, transposed, (C_in, C_out / groups, *k), bias (C_out), init and repr. The stored options are
/// normalised as torch stores its attributes: every int-or-tuple expanded to one value per spatial dim.
template <typename Options>
class ConvNdBase : public UnaryModule {
 public:
  /// weight ~ kaiming_uniform_(a=√5), i.e. U(-1/√fan_in, 1/√fan_in), and bias ~ U(-1/√fan_in, 1/√fan_in), where
  /// fan_in = weight.size(1) * prod(kernel_size).
  void reset_parameters();
  std::string extra_repr() const override;

  Options options;
  Tensor weight;
  Tensor bias;  // undefined without bias

 protected:
  ConvNdBase(const Options& options, int64_t dims);
  int64_t dims() const { return static_cast<int64_t>(options.kernel_size.values().size()); }
};
extern template class ConvNdBase<ConvOptions>;
extern template class ConvNdBase<ConvTransposeOptions>;
}  // namespace detail

/// Conv1d / Conv2d's forward: a non-zeros padding_mode pads with fl::pad, then convolves without padding.
class ConvNd : public detail::ConvNdBase<ConvOptions> {
 public:
  Tensor forward(const Tensor& input) override;

 protected:
  ConvNd(const ConvOptions& options, int64_t dims);
  /// F.pad's amounts for a non-zeros padding_mode, last dim first (torch's _reversed_padding_repeated_twice).
  Shape reversed_padding_repeated_twice_;
};

/// Convolution over (N, C_in, L) or (C_in, L) input.
class Conv1d : public ConvNd {
 public:
  explicit Conv1d(const ConvOptions& options) : ConvNd(options, 1) {}
  Conv1d(int64_t in_channels, int64_t out_channels, ExpandingArray kernel_size, ExpandingArray stride = 1,
         ConvPadding padding = 0, ExpandingArray dilation = 1, int64_t groups = 1, bool bias = true,
         std::string padding_mode = "zeros")
      : Conv1d(ConvOptions{in_channels, out_channels, std::move(kernel_size), std::move(stride), std::move(padding),
                           std::move(dilation), groups, bias, std::move(padding_mode)}) {}
};

/// Convolution over (N, C_in, H, W) or (C_in, H, W) input.
class Conv2d : public ConvNd {
 public:
  explicit Conv2d(const ConvOptions& options) : ConvNd(options, 2) {}
  Conv2d(int64_t in_channels, int64_t out_channels, ExpandingArray kernel_size, ExpandingArray stride = 1,
         ConvPadding padding = 0, ExpandingArray dilation = 1, int64_t groups = 1, bool bias = true,
         std::string padding_mode = "zeros")
      : Conv2d(ConvOptions{in_channels, out_channels, std::move(kernel_size), std::move(stride), std::move(padding),
                           std::move(dilation), groups, bias, std::move(padding_mode)}) {}
};

/// ConvTranspose1d / ConvTranspose2d's forward, optionally to a requested output size.
class ConvTransposeNd : public detail::ConvNdBase<ConvTransposeOptions> {
 public:
  Tensor forward(const Tensor& input) override;
  /// output_size: the spatial sizes wanted (or with the batch and channel dims in front); it picks the
  /// output_padding, as torch's, and raises ValueError for a size no output_padding in [0, stride) gives.
  Tensor forward(const Tensor& input, const Shape& output_size);
  using UnaryModule::operator();
  /// forward(input, output_size) with the forward hooks around it.
  Tensor operator()(const Tensor& input, const Shape& output_size);

 protected:
  ConvTransposeNd(const ConvTransposeOptions& options, int64_t dims);

 private:
  Tensor run(const Tensor& input, const Shape& output_padding);
  /// torch's _output_padding.
  Shape output_padding_for(const Tensor& input, Shape output_size) const;
};

/// Transposed convolution (the gradient of Conv1d w.r.t. its input) over (N, C_in, L) or (C_in, L) input.
class ConvTranspose1d : public ConvTransposeNd {
 public:
  explicit ConvTranspose1d(const ConvTransposeOptions& options) : ConvTransposeNd(options, 1) {}
  ConvTranspose1d(int64_t in_channels, int64_t out_channels, ExpandingArray kernel_size, ExpandingArray stride = 1,
                  ExpandingArray padding = 0, ExpandingArray output_padding = 0, int64_t groups = 1, bool bias = true,
                  ExpandingArray dilation = 1, std::string padding_mode = "zeros")
      : ConvTranspose1d(ConvTransposeOptions{in_channels, out_channels, std::move(kernel_size), std::move(stride),
                                             std::move(padding), std::move(output_padding), groups, bias,
                                             std::move(dilation), std::move(padding_mode)}) {}
};

/// Transposed convolution over (N, C_in, H, W) or (C_in, H, W) input.
class ConvTranspose2d : public ConvTransposeNd {
 public:
  explicit ConvTranspose2d(const ConvTransposeOptions& options) : ConvTransposeNd(options, 2) {}
  ConvTranspose2d(int64_t in_channels, int64_t out_channels, ExpandingArray kernel_size, ExpandingArray stride = 1,
                  ExpandingArray padding = 0, ExpandingArray output_padding = 0, int64_t groups = 1, bool bias = true,
                  ExpandingArray dilation = 1, std::string padding_mode = "zeros")
      : ConvTranspose2d(ConvTransposeOptions{in_channels, out_channels, std::move(kernel_size), std::move(stride),
                                             std::move(padding), std::move(output_padding), groups, bias,
                                             std::move(dilation), std::move(padding_mode)}) {}
};

}  // namespace fl::nn
