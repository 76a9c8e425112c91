// Helpers shared by the nn.functional tests: float64 tensors from values and a shape.
#pragma once
#include "test_util.h"

namespace fl::test {

/// A float64 tensor with the given values (row-major) and shape.
inline Tensor f64(const std::vector<double>& v, const Shape& shape) { return tensor(v, shape, kFloat64); }
/// 1, 2, ..., n as a float64 tensor of a shape.
inline Tensor iota(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return arange(1, n + 1, 1, kFloat64).reshape(shape);
}

}  // namespace fl::test
