// Flatten and Unflatten (torch.nn's flatten.py).
#pragma once
#include "fl/nn/module.h"

namespace fl::nn {

/// Flattens dims start_dim..end_dim into one (a view when possible).
class Flatten : public UnaryModule {
 public:
  explicit Flatten(int64_t start_dim = 1, int64_t end_dim = -1) : start_dim(start_dim), end_dim(end_dim) {}
  Tensor forward(const Tensor& input) override { return input.flatten(start_dim, end_dim); }
  std::string extra_repr() const override;
  int64_t start_dim, end_dim;
};

/// Splits dim into unflattened_size (one entry may be -1).
class Unflatten : public UnaryModule {
 public:
  Unflatten(int64_t dim, Shape unflattened_size);
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  int64_t dim;
  Shape unflattened_size;
};

}  // namespace fl::nn
