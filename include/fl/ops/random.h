// Random creation ops over MLX's counter-based PRNG, with PyTorch's names and a seedable Generator.
#pragma once
#include <cstdint>
#include <memory>

#include <mlx/array.h>

#include "fl/options.h"
#include "fl/tensor.h"

namespace fl {

/// torch.Generator, whose numbers differ from torch's for the same seed (the stream is MLX's, not torch's).
/// A PRNG state: an MLX key split on every draw, so a seed gives a reproducible stream.
class Generator {
 public:
  explicit Generator(uint64_t seed = 67280421310721ULL);
  /// Restarts the stream from seed; returns *this.
  Generator& manual_seed(uint64_t seed);
  /// The seed last set.
  uint64_t initial_seed() const { return seed_; }
  /// A fresh key for one draw.
  mlx::core::array next_key();

 private:
  uint64_t seed_;
  std::shared_ptr<mlx::core::array> key_;
};

/// The generator used when none is given.
Generator& default_generator();
/// Seeds the default generator (torch.manual_seed).
void manual_seed(uint64_t seed);

/// torch.rand: U[0, 1) draws (floating-point dtypes only).
Tensor rand(const Shape& size, TensorOptions opts = {}, Generator* gen = nullptr);
/// torch.randn: standard normal draws.
Tensor randn(const Shape& size, TensorOptions opts = {}, Generator* gen = nullptr);
/// torch.randint (overloads: [low, high), or [0, high)):
/// Integers in [low, high); dtype defaults to int64.
Tensor randint(int64_t low, int64_t high, const Shape& size, TensorOptions opts = {}, Generator* gen = nullptr);
Tensor randint(int64_t high, const Shape& size, TensorOptions opts = {}, Generator* gen = nullptr);
/// A random permutation of 0..n-1 (int64 by default).
Tensor randperm(int64_t n, TensorOptions opts = {}, Generator* gen = nullptr);
/// torch.rand_like: rand of t's shape, in t's dtype unless opts gives one.
Tensor rand_like(const Tensor& t, TensorOptions opts = {}, Generator* gen = nullptr);
/// torch.randn_like: randn of t's shape, in t's dtype unless opts gives one.
Tensor randn_like(const Tensor& t, TensorOptions opts = {}, Generator* gen = nullptr);
/// torch.normal: N(mean, std^2) draws of the given size.
Tensor normal(double mean, double std, const Shape& size, TensorOptions opts = {}, Generator* gen = nullptr);
/// Elementwise normal draws with tensor mean and std (broadcast).
Tensor normal(const Tensor& mean, const Tensor& std, Generator* gen = nullptr);
/// U[low, high) draws of the given size (as torch.empty(size).uniform_(low, high)).
Tensor uniform(const Shape& size, double low, double high, TensorOptions opts = {}, Generator* gen = nullptr);
/// torch.bernoulli (overloads: probabilities p, or one p for a tensor shaped and typed like `like`):
/// Draws 0/1 with probability p, elementwise; the result has p's dtype.
Tensor bernoulli(const Tensor& p, Generator* gen = nullptr);
Tensor bernoulli(const Tensor& like, double p, Generator* gen = nullptr);
/// torch.multinomial: int64 category indices, num_samples per row of a 1-D or 2-D probs.
/// Samples indices from each row of non-negative weights.
Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement = false, Generator* gen = nullptr);

}  // namespace fl
