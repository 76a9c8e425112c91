// flashlight._C._nn: max, average and adaptive pools (include/fl/nn/functional/pooling.h). return_indices picks
// the *_with_indices form, as torch.nn.functional does.
#include "fl/nn/functional/pooling.h"
#include "nn_args.h"

namespace flpy {
namespace F = fl::nn::functional;
using fl::Tensor;

namespace {
using MaxPool = std::tuple<Tensor, Tensor> (*)(const Tensor&, const F::ExpandingArray&, const F::ExpandingArray&,
                                               const F::ExpandingArray&, const F::ExpandingArray&, bool);
using Adaptive = std::tuple<Tensor, Tensor> (*)(const Tensor&, const F::OutputSize&);

// stride None (or an empty list) means kernel_size.
F::ExpandingArray stride_arg(nb::handle h, const char* op) {
  return h.is_none() ? F::ExpandingArray() : expanding_arg(h, op, "stride");
}

nb::object pair_or_first(const std::tuple<Tensor, Tensor>& r, bool return_indices) {
  if (return_indices) return nb::make_tuple(std::get<0>(r), std::get<1>(r));
  return nb::cast(std::get<0>(r));
}

void def_max_pool(Module& m, const char* name, const char* with_indices, MaxPool f,
                  Tensor (*plain)(const Tensor&, const F::ExpandingArray&, const F::ExpandingArray&,
                                  const F::ExpandingArray&, const F::ExpandingArray&, bool)) {
  auto call = [name, f, plain](const Tensor& input, nb::handle kernel_size, nb::handle stride, nb::handle padding,
                               nb::handle dilation, bool ceil_mode, bool return_indices) -> nb::object {
    F::ExpandingArray k = expanding_arg(kernel_size, name, "kernel_size"), s = stride_arg(stride, name),
                      p = expanding_arg(padding, name, "padding"), d = expanding_arg(dilation, name, "dilation");
    if (return_indices) return pair_or_first(f(input, k, s, p, d, ceil_mode), true);
    return nb::cast(plain(input, k, s, p, d, ceil_mode));
  };
  m.def(name, call, "input"_a, "kernel_size"_a, "stride"_a = nb::none(), "padding"_a = 0, "dilation"_a = 1,
        "ceil_mode"_a = false, "return_indices"_a = false);
  m.def(
      with_indices,
      [call](const Tensor& input, nb::handle kernel_size, nb::handle stride, nb::handle padding, nb::handle dilation,
             bool ceil_mode, bool) { return call(input, kernel_size, stride, padding, dilation, ceil_mode, true); },
      "input"_a, "kernel_size"_a, "stride"_a = nb::none(), "padding"_a = 0, "dilation"_a = 1, "ceil_mode"_a = false,
      "return_indices"_a = false);
}

void def_adaptive_max(Module& m, const char* name, const char* with_indices, Adaptive f) {
  auto call = [name, f](const Tensor& input, nb::handle output_size, bool return_indices) {
    return pair_or_first(f(input, output_size_arg(output_size, name)), return_indices);
  };
  m.def(name, call, "input"_a, "output_size"_a, "return_indices"_a = false);
  m.def(
      with_indices,
      [call](const Tensor& input, nb::handle output_size, bool) { return call(input, output_size, true); }, "input"_a,
      "output_size"_a, "return_indices"_a = false);
}
}  // namespace

void init_nn_pooling(Module& m) {
  def_max_pool(m, "max_pool1d", "max_pool1d_with_indices", &F::max_pool1d_with_indices, &F::max_pool1d);
  def_max_pool(m, "max_pool2d", "max_pool2d_with_indices", &F::max_pool2d_with_indices, &F::max_pool2d);
  m.def(
      "avg_pool1d",
      [](const Tensor& input, nb::handle kernel_size, nb::handle stride, nb::handle padding, bool ceil_mode,
         bool count_include_pad) {
        return F::avg_pool1d(input, expanding_arg(kernel_size, "avg_pool1d", "kernel_size"),
                             stride_arg(stride, "avg_pool1d"), expanding_arg(padding, "avg_pool1d", "padding"),
                             ceil_mode, count_include_pad);
      },
      "input"_a, "kernel_size"_a, "stride"_a = nb::none(), "padding"_a = 0, "ceil_mode"_a = false,
      "count_include_pad"_a = true);
  m.def(
      "avg_pool2d",
      [](const Tensor& input, nb::handle kernel_size, nb::handle stride, nb::handle padding, bool ceil_mode,
         bool count_include_pad, std::optional<int64_t> divisor_override) {
        return F::avg_pool2d(input, expanding_arg(kernel_size, "avg_pool2d", "kernel_size"),
                             stride_arg(stride, "avg_pool2d"), expanding_arg(padding, "avg_pool2d", "padding"),
                             ceil_mode, count_include_pad, divisor_override);
      },
      "input"_a, "kernel_size"_a, "stride"_a = nb::none(), "padding"_a = 0, "ceil_mode"_a = false,
      "count_include_pad"_a = true, "divisor_override"_a = nb::none());
  m.def(
      "adaptive_avg_pool1d",
      [](const Tensor& input, nb::handle output_size) {
        // torch's adaptive_avg_pool1d takes ints only (no None entries).
        fl::Shape s = int_list_arg(output_size, "adaptive_avg_pool1d", "output_size");
        return F::adaptive_avg_pool1d(input, std::vector<std::optional<int64_t>>(s.begin(), s.end()));
      },
      "input"_a, "output_size"_a);
  m.def(
      "adaptive_avg_pool2d",
      [](const Tensor& input, nb::handle output_size) {
        return F::adaptive_avg_pool2d(input, output_size_arg(output_size, "adaptive_avg_pool2d"));
      },
      "input"_a, "output_size"_a);
  def_adaptive_max(m, "adaptive_max_pool1d", "adaptive_max_pool1d_with_indices", &F::adaptive_max_pool1d_with_indices);
  def_adaptive_max(m, "adaptive_max_pool2d", "adaptive_max_pool2d_with_indices", &F::adaptive_max_pool2d_with_indices);
}

}  // namespace flpy
