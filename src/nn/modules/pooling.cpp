#include "fl/nn/modules/pooling.h"

#include "fl/nn/functional/pooling.h"
#include "fl/nn/repr.h"
#include "nn/modules/args_repr.h"

namespace fl::nn {

namespace F = functional;
using detail::py_int_or_tuple;

namespace {

// torch's `stride if stride is not None else kernel_size`.
ExpandingArray stride_or_kernel(ExpandingArray stride, const ExpandingArray& kernel_size) {
  return stride.values().empty() ? kernel_size : stride;
}

// forward() of a module built with return_indices: torch returns (values, indices), which a Tensor cannot.
void check_no_indices(const Module& m, bool return_indices) {
  FL_CHECK(!return_indices, m.name(),
           "(return_indices=True).forward() would return (values, indices): call forward_with_indices() instead");
}

}  // namespace

// --- MaxPool1d / MaxPool2d ----------------------------------------------------------------------------------------

MaxPoolBase::MaxPoolBase(int64_t dims, ExpandingArray kernel_size_, ExpandingArray stride_, ExpandingArray padding_,
                         ExpandingArray dilation_, bool return_indices_, bool ceil_mode_)
    : kernel_size(std::move(kernel_size_)),
      stride(stride_or_kernel(std::move(stride_), kernel_size)),
      padding(std::move(padding_)),
      dilation(std::move(dilation_)),
      return_indices(return_indices_),
      ceil_mode(ceil_mode_),
      dims_(dims) {}

Tensor MaxPoolBase::forward(const Tensor& input) {
  check_no_indices(*this, return_indices);
  auto pool = dims_ == 1 ? &F::max_pool1d : &F::max_pool2d;
  return pool(input, kernel_size, stride, padding, dilation, ceil_mode);
}

std::tuple<Tensor, Tensor> MaxPoolBase::forward_with_indices(const Tensor& input) {
  auto pool = dims_ == 1 ? &F::max_pool1d_with_indices : &F::max_pool2d_with_indices;
  return pool(input, kernel_size, stride, padding, dilation, ceil_mode);
}

std::string MaxPoolBase::extra_repr() const {
  return "kernel_size=" + py_int_or_tuple(kernel_size) + ", stride=" + py_int_or_tuple(stride) +
         ", padding=" + py_int_or_tuple(padding) + ", dilation=" + py_int_or_tuple(dilation) +
         ", ceil_mode=" + py_bool(ceil_mode);
}

// --- AvgPool1d / AvgPool2d ----------------------------------------------------------------------------------------

AvgPool1d::AvgPool1d(ExpandingArray kernel_size_, ExpandingArray stride_, ExpandingArray padding_, bool ceil_mode_,
                     bool count_include_pad_)
    : kernel_size(std::move(kernel_size_)),
      stride(stride_or_kernel(std::move(stride_), kernel_size)),
      padding(std::move(padding_)),
      ceil_mode(ceil_mode_),
      count_include_pad(count_include_pad_) {}

Tensor AvgPool1d::forward(const Tensor& input) {
  return F::avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad);
}

std::string AvgPool1d::extra_repr() const {
  // torch stores _single(...) of each argument, so they print as tuples.
  return "kernel_size=" + py_tuple(kernel_size.values()) + ", stride=" + py_tuple(stride.values()) +
         ", padding=" + py_tuple(padding.values());
}

AvgPool2d::AvgPool2d(ExpandingArray kernel_size_, ExpandingArray stride_, ExpandingArray padding_, bool ceil_mode_,
                     bool count_include_pad_, std::optional<int64_t> divisor_override_)
    : kernel_size(std::move(kernel_size_)),
      stride(stride_or_kernel(std::move(stride_), kernel_size)),
      padding(std::move(padding_)),
      ceil_mode(ceil_mode_),
      count_include_pad(count_include_pad_),
      divisor_override(divisor_override_) {}

Tensor AvgPool2d::forward(const Tensor& input) {
  return F::avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);
}

std::string AvgPool2d::extra_repr() const {
  return "kernel_size=" + py_int_or_tuple(kernel_size) + ", stride=" + py_int_or_tuple(stride) +
         ", padding=" + py_int_or_tuple(padding);
}

// --- adaptive pools -----------------------------------------------------------------------------------------------

std::string AdaptivePoolBase::extra_repr() const { return "output_size=" + detail::py_output_size(output_size); }

Tensor AdaptiveAvgPool1d::forward(const Tensor& input) { return F::adaptive_avg_pool1d(input, output_size); }

Tensor AdaptiveAvgPool2d::forward(const Tensor& input) { return F::adaptive_avg_pool2d(input, output_size); }

Tensor AdaptiveMaxPoolBase::forward(const Tensor& input) {
  check_no_indices(*this, return_indices);
  return (dims_ == 1 ? &F::adaptive_max_pool1d : &F::adaptive_max_pool2d)(input, output_size);
}

std::tuple<Tensor, Tensor> AdaptiveMaxPoolBase::forward_with_indices(const Tensor& input) {
  return (dims_ == 1 ? &F::adaptive_max_pool1d_with_indices : &F::adaptive_max_pool2d_with_indices)(input, output_size);
}

}  // namespace fl::nn
