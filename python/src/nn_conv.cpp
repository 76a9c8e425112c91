// flashlight._C._nn: convolutions, their transposes, unfold and fold (include/fl/nn/functional/conv.h).
#include "fl/nn/functional/conv.h"
#include "nn_args.h"

namespace flpy {
namespace F = fl::nn::functional;
using fl::Tensor;

namespace {
template <Tensor (*Conv)(const Tensor&, const Tensor&, const std::optional<Tensor>&, const F::ExpandingArray&,
                         const F::ConvPadding&, const F::ExpandingArray&, int64_t)>
void def_conv(Module& m, const char* name) {
  m.def(
      name,
      [name](const Tensor& input, const Tensor& weight, std::optional<Tensor> bias, nb::handle stride,
             nb::handle padding, nb::handle dilation, int64_t groups) {
        return Conv(input, weight, bias, expanding_arg(stride, name, "stride"), conv_padding_arg(padding, name),
                    expanding_arg(dilation, name, "dilation"), groups);
      },
      "input"_a, "weight"_a, "bias"_a = nb::none(), "stride"_a = 1, "padding"_a = 0, "dilation"_a = 1, "groups"_a = 1);
}

template <Tensor (*Conv)(const Tensor&, const Tensor&, const std::optional<Tensor>&, const F::ExpandingArray&,
                         const F::ExpandingArray&, const F::ExpandingArray&, int64_t, const F::ExpandingArray&)>
void def_conv_transpose(Module& m, const char* name) {
  m.def(
      name,
      [name](const Tensor& input, const Tensor& weight, std::optional<Tensor> bias, nb::handle stride,
             nb::handle padding, nb::handle output_padding, int64_t groups, nb::handle dilation) {
        return Conv(input, weight, bias, expanding_arg(stride, name, "stride"), expanding_arg(padding, name, "padding"),
                    expanding_arg(output_padding, name, "output_padding"), groups,
                    expanding_arg(dilation, name, "dilation"));
      },
      "input"_a, "weight"_a, "bias"_a = nb::none(), "stride"_a = 1, "padding"_a = 0, "output_padding"_a = 0,
      "groups"_a = 1, "dilation"_a = 1);
}
}  // namespace

void init_nn_conv(Module& m) {
  def_conv<&F::conv1d>(m, "conv1d");
  def_conv<&F::conv2d>(m, "conv2d");
  def_conv_transpose<&F::conv_transpose1d>(m, "conv_transpose1d");
  def_conv_transpose<&F::conv_transpose2d>(m, "conv_transpose2d");
  m.def(
      "unfold",
      [](const Tensor& input, nb::handle kernel_size, nb::handle dilation, nb::handle padding, nb::handle stride) {
        return F::unfold(input, expanding_arg(kernel_size, "unfold", "kernel_size"),
                         expanding_arg(dilation, "unfold", "dilation"), expanding_arg(padding, "unfold", "padding"),
                         expanding_arg(stride, "unfold", "stride"));
      },
      "input"_a, "kernel_size"_a, "dilation"_a = 1, "padding"_a = 0, "stride"_a = 1);
  m.def(
      "fold",
      [](const Tensor& input, nb::handle output_size, nb::handle kernel_size, nb::handle dilation, nb::handle padding,
         nb::handle stride) {
        return F::fold(input, expanding_arg(output_size, "fold", "output_size"),
                       expanding_arg(kernel_size, "fold", "kernel_size"), expanding_arg(dilation, "fold", "dilation"),
                       expanding_arg(padding, "fold", "padding"), expanding_arg(stride, "fold", "stride"));
      },
      "input"_a, "output_size"_a, "kernel_size"_a, "dilation"_a = 1, "padding"_a = 0, "stride"_a = 1);
}

}  // namespace flpy
