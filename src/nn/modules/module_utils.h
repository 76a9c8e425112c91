// Helpers shared by the module implementations.
#pragma once
#include <cmath>
#include <optional>

#include "fl/nn/init.h"
#include "fl/tensor.h"

namespace fl::nn::detail {

/// A registered tensor as the functional ops take it: an undefined one (torch's None) is nullopt.
inline std::optional<Tensor> opt(const Tensor& t) {
  if (!t.defined()) return std::nullopt;
  return t;
}
/// The reverse, for registering an optional constructor argument (nullopt registers None).
inline Tensor or_undefined(const std::optional<Tensor>& t) { return t ? *t : Tensor(); }

/// torch's reset_parameters of Linear and the convolutions: weight ~ kaiming_uniform_(a=√5), i.e.
/// U(-1/√fan_in, 1/√fan_in), and bias (when defined) ~ U(-1/√fan_in, 1/√fan_in).
inline void reset_kaiming_uniform(const Tensor& weight, const Tensor& bias) {
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (!bias.defined()) return;
  int64_t fan_in = init::calculate_fan_in_and_fan_out(weight).first;
  double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
  init::uniform_(bias, -bound, bound);
}

}  // namespace fl::nn::detail
