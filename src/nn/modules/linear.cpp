#include "fl/nn/modules/linear.h"

#include <cmath>

#include "fl/nn/init.h"
#include "fl/nn/repr.h"
#include "fl/ops/binary.h"
#include "fl/ops/creation.h"
#include "fl/ops/linalg.h"
#include "nn/modules/module_utils.h"

namespace fl::nn {

Linear::Linear(const LinearOptions& opts) : options(opts) {
  weight = register_parameter("weight", fl::empty({opts.out_features, opts.in_features}, opts.tensor_options));
  bias = register_parameter("bias", opts.bias ? fl::empty({opts.out_features}, opts.tensor_options) : Tensor());
  reset_parameters();
}

void Linear::reset_parameters() { detail::reset_kaiming_uniform(weight, bias); }

Tensor Linear::forward(const Tensor& input) {
  if (input.dim() == 2 && bias.defined()) return fl::addmm(bias, input, weight.t());
  Tensor out = fl::matmul(input, weight.t());
  return bias.defined() ? out + bias : out;
}

std::string Linear::extra_repr() const {
  return "in_features=" + std::to_string(options.in_features) +
         ", out_features=" + std::to_string(options.out_features) + ", bias=" + py_bool(bias.defined());
}

Bilinear::Bilinear(const BilinearOptions& opts) : options(opts) {
  weight = register_parameter(
      "weight", fl::empty({opts.out_features, opts.in1_features, opts.in2_features}, opts.tensor_options));
  bias = register_parameter("bias", opts.bias ? fl::empty({opts.out_features}, opts.tensor_options) : Tensor());
  reset_parameters();
}

void Bilinear::reset_parameters() {
  double bound = 1.0 / std::sqrt(static_cast<double>(weight.size(1)));
  init::uniform_(weight, -bound, bound);
  if (bias.defined()) init::uniform_(bias, -bound, bound);
}

Tensor Bilinear::forward(const Tensor& x1, const Tensor& x2) {
  FL_CHECK(x1.dim() == x2.dim(), "bilinear(): input dimensions do not match: got ", x1.dim(), " and ", x2.dim());
  for (int64_t i = 0; i + 1 < x1.dim(); ++i)
    FL_CHECK(x1.size(i) == x2.size(i), "bilinear(): input batch dimensions do not match at dim ", i, ": got ",
             x1.size(i), " and ", x2.size(i));
  FL_CHECK(x1.size(-1) == weight.size(1), "bilinear(): input1 size does not match weight size: got ", x1.size(-1),
           " but expected ", weight.size(1));
  FL_CHECK(x2.size(-1) == weight.size(2), "bilinear(): input2 size does not match weight size: got ", x2.size(-1),
           " but expected ", weight.size(2));
  Tensor out = fl::einsum("...i,oij,...j->...o", {x1, weight, x2});
  return bias.defined() ? out + bias : out;
}

Tensor Bilinear::operator()(const Tensor& x1, const Tensor& x2) {
  return call_hooked({x1, x2}, [this](const std::vector<Tensor>& in) { return forward(in[0], in[1]); });
}

std::string Bilinear::extra_repr() const {
  return "in1_features=" + std::to_string(options.in1_features) +
         ", in2_features=" + std::to_string(options.in2_features) +
         ", out_features=" + std::to_string(options.out_features) + ", bias=" + py_bool(bias.defined());
}

}  // namespace fl::nn
