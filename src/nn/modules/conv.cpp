#include "fl/nn/modules/conv.h"

#include <algorithm>
#include <type_traits>

#include "fl/nn/functional/conv.h"
#include "fl/nn/repr.h"
#include "fl/ops/creation.h"
#include "fl/ops/shape.h"
#include "nn/functional/common.h"
#include "nn/modules/module_utils.h"

namespace fl::nn {

namespace F = functional;
using detail::opt;

namespace {

template <typename Options>
constexpr bool kTransposed = std::is_same_v<Options, ConvTransposeOptions>;

bool all_equal(const Shape& s, int64_t v) {
  return std::all_of(s.begin(), s.end(), [v](int64_t x) { return x == v; });
}

}  // namespace

// --- torch's _ConvNd ----------------------------------------------------------------------------------------------

template <typename Options>
detail::ConvNdBase<Options>::ConvNdBase(const Options& opts, int64_t dims) : options(opts) {
  // torch's checks, in its order (the transposed layers check padding_mode before anything else).
  const std::string& mode = opts.padding_mode;
  if constexpr (kTransposed<Options>)
    FL_CHECK_VALUE(mode == "zeros", "Only \"zeros\" padding mode is supported for ConvTranspose", dims, "d");
  FL_CHECK_VALUE(opts.groups > 0, "groups must be a positive integer");
  FL_CHECK_VALUE(opts.in_channels % opts.groups == 0, "in_channels must be divisible by groups");
  FL_CHECK_VALUE(opts.out_channels % opts.groups == 0, "out_channels must be divisible by groups");
  if constexpr (!kTransposed<Options>) {
    if (const auto& pad = opts.padding.mode()) {
      FL_CHECK_VALUE(*pad == "same" || *pad == "valid", "Invalid padding string '", *pad,
                     "', should be one of {'valid', 'same'}");
      FL_CHECK_VALUE(*pad == "valid" || all_equal(opts.stride.values(), 1),
                     "padding='same' is not supported for strided convolutions");
    }
  }
  FL_CHECK_VALUE(mode == "zeros" || mode == "reflect" || mode == "replicate" || mode == "circular",
                 "padding_mode must be one of {'zeros', 'reflect', 'replicate', 'circular'}, but got padding_mode='",
                 mode, "'");
  // torch's _single / _pair: each argument as one value per spatial dim.
  auto expand = [dims](const ExpandingArray& a, const char* name) {
    return ExpandingArray(nn::detail::expand_conv_param(a, dims, name));
  };
  options.kernel_size = expand(opts.kernel_size, "kernel_size");
  options.stride = expand(opts.stride, "stride");
  options.dilation = expand(opts.dilation, "dilation");
  if constexpr (kTransposed<Options>) {
    options.padding = expand(opts.padding, "padding");
    options.output_padding = expand(opts.output_padding, "output_padding");
  } else if (!opts.padding.mode()) {
    options.padding = expand(opts.padding.values(), "padding").values();
  }

  Shape shape = kTransposed<Options> ? Shape{opts.in_channels, opts.out_channels / opts.groups}
                                     : Shape{opts.out_channels, opts.in_channels / opts.groups};
  for (int64_t k : options.kernel_size.values()) shape.push_back(k);
  weight = register_parameter("weight", fl::empty(shape, opts.tensor_options));
  bias = register_parameter("bias", opts.bias ? fl::empty({opts.out_channels}, opts.tensor_options) : Tensor());
  reset_parameters();
}

template <typename Options>
void detail::ConvNdBase<Options>::reset_parameters() {
  reset_kaiming_uniform(weight, bias);
}

template <typename Options>
std::string detail::ConvNdBase<Options>::extra_repr() const {
  const Options& o = options;
  std::string s = std::to_string(o.in_channels) + ", " + std::to_string(o.out_channels) +
                  ", kernel_size=" + py_tuple(o.kernel_size.values()) + ", stride=" + py_tuple(o.stride.values());
  if constexpr (kTransposed<Options>) {
    if (!all_equal(o.padding.values(), 0)) s += ", padding=" + py_tuple(o.padding.values());
  } else if (const auto& pad = o.padding.mode()) {
    s += ", padding=" + *pad;
  } else if (!all_equal(o.padding.values().values(), 0)) {
    s += ", padding=" + py_tuple(o.padding.values().values());
  }
  if (!all_equal(o.dilation.values(), 1)) s += ", dilation=" + py_tuple(o.dilation.values());
  if constexpr (kTransposed<Options>) {
    if (!all_equal(o.output_padding.values(), 0)) s += ", output_padding=" + py_tuple(o.output_padding.values());
  }
  if (o.groups != 1) s += ", groups=" + std::to_string(o.groups);
  if (!bias.defined()) s += ", bias=False";
  if (o.padding_mode != "zeros") s += ", padding_mode=" + o.padding_mode;
  return s;
}

template class detail::ConvNdBase<ConvOptions>;
template class detail::ConvNdBase<ConvTransposeOptions>;

// --- Conv1d / Conv2d ----------------------------------------------------------------------------------------------

ConvNd::ConvNd(const ConvOptions& opts, int64_t dims) : ConvNdBase(opts, dims) {
  // Pairs from the last spatial dim back, as F.pad takes them; "same" puts the odd one at the end.
  const Shape& k = options.kernel_size.values();
  const Shape& d = options.dilation.values();
  const auto& pad_mode = options.padding.mode();
  reversed_padding_repeated_twice_.assign(2 * dims, 0);
  for (int64_t i = 0; i < dims; ++i) {
    int64_t before = 0, after = 0;
    if (!pad_mode) {
      before = after = options.padding.values().values()[i];
    } else if (*pad_mode == "same") {
      int64_t total = d[i] * (k[i] - 1);
      before = total / 2;
      after = total - before;
    }
    reversed_padding_repeated_twice_[2 * (dims - 1 - i)] = before;
    reversed_padding_repeated_twice_[2 * (dims - 1 - i) + 1] = after;
  }
}

Tensor ConvNd::forward(const Tensor& input) {
  auto conv = dims() == 1 ? &F::conv1d : &F::conv2d;
  const ConvOptions& o = options;
  if (o.padding_mode != "zeros")
    return conv(fl::pad(input, reversed_padding_repeated_twice_, o.padding_mode, 0.0), weight, opt(bias), o.stride, 0,
                o.dilation, o.groups);
  return conv(input, weight, opt(bias), o.stride, o.padding, o.dilation, o.groups);
}

// --- ConvTranspose1d / ConvTranspose2d ----------------------------------------------------------------------------

ConvTransposeNd::ConvTransposeNd(const ConvTransposeOptions& opts, int64_t dims) : ConvNdBase(opts, dims) {}

Tensor ConvTransposeNd::forward(const Tensor& input) { return run(input, options.output_padding.values()); }

Tensor ConvTransposeNd::forward(const Tensor& input, const Shape& output_size) {
  return run(input, output_padding_for(input, output_size));
}

Tensor ConvTransposeNd::operator()(const Tensor& input, const Shape& output_size) {
  return call_hooked({input}, [&](const std::vector<Tensor>& in) { return forward(in[0], output_size); });
}

Tensor ConvTransposeNd::run(const Tensor& input, const Shape& output_padding) {
  auto conv = dims() == 1 ? &F::conv_transpose1d : &F::conv_transpose2d;
  const ConvTransposeOptions& o = options;
  return conv(input, weight, opt(bias), o.stride, o.padding, output_padding, o.groups, o.dilation);
}

Shape ConvTransposeNd::output_padding_for(const Tensor& input, Shape output_size) const {
  const int64_t n = dims();
  const int64_t non_spatial = input.dim() == n + 2 ? 2 : 1;
  const auto size = static_cast<int64_t>(output_size.size());
  if (size == non_spatial + n) output_size.erase(output_size.begin(), output_size.begin() + non_spatial);
  FL_CHECK_VALUE(static_cast<int64_t>(output_size.size()) == n, "ConvTranspose", n, "D: for ", input.dim(),
                 "D input, output_size must have ", n, " or ", non_spatial + n, " elements (got ", size, ")");
  const Shape &k = options.kernel_size.values(), &s = options.stride.values(), &p = options.padding.values(),
              &d = options.dilation.values();
  Shape min_sizes, max_sizes, result;
  for (int64_t i = 0; i < n; ++i) {
    min_sizes.push_back((input.size(i + non_spatial) - 1) * s[i] - 2 * p[i] + d[i] * (k[i] - 1) + 1);
    max_sizes.push_back(min_sizes[i] + s[i] - 1);
  }
  for (int64_t i = 0; i < n; ++i) {
    const Shape& sizes = input.sizes();
    FL_CHECK_VALUE(output_size[i] >= min_sizes[i] && output_size[i] <= max_sizes[i], "requested an output size of ",
                   shape_to_string(output_size), ", but valid sizes range from ", shape_to_string(min_sizes), " to ",
                   shape_to_string(max_sizes), " (for an input of ",
                   py_size(Shape(sizes.begin() + std::min<int64_t>(2, input.dim()), sizes.end())), ")");
    result.push_back(output_size[i] - min_sizes[i]);
  }
  return result;
}

}  // namespace fl::nn
