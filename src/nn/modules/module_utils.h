// Helpers shared by the module implementations.
#pragma once
#include <optional>

#include "fl/tensor.h"

namespace fl::nn::detail {

/// A registered tensor as the functional ops take it: an undefined one (torch's None) is nullopt.
inline std::optional<Tensor> opt(const Tensor& t) {
  if (!t.defined()) return std::nullopt;
  return t;
}
/// The reverse, for registering an optional constructor argument (nullopt registers None).
inline Tensor or_undefined(const std::optional<Tensor>& t) { return t ? *t : Tensor(); }

}  // namespace fl::nn::detail
