// cosine_similarity and pairwise_distance against hand-computed values, float64 gradients and errors.
#include <cmath>

#include "fl/nn/functional/distance.h"
#include "test_util.h"

namespace fl::test {
namespace {
namespace F = fl::nn::functional;

static ValueTested kValues({"cosine_similarity", "pairwise_distance"});

Tensor t64(std::initializer_list<double> v, const Shape& shape) {
  return fl::tensor(std::vector<double>(v), shape, TensorOptions(kFloat64));
}

TEST(NnDistance, CosineSimilarity) {
  Tensor a = t64({1, 0, 3, 4, 0, 0}, {3, 2}), b = t64({1, 1, -3, -4, 1, 2}, {3, 2});
  // 1/sqrt(2); opposite vectors -1; a zero vector gives 0 (its norm is clamped to eps).
  expect_values(F::cosine_similarity(a, b), {1 / std::sqrt(2.0), -1, 0}, {3}, 1e-12);
  // Broadcasting (2, 1, 2) against (3, 2) along the last dim.
  Tensor c = F::cosine_similarity(t64({1, 0, 0, 1}, {2, 1, 2}), t64({1, 0, 0, 2, 1, 1}, {3, 2}), -1);
  expect_values(c, {1, 0, 1 / std::sqrt(2.0), 0, 1, 1 / std::sqrt(2.0)}, {2, 3}, 1e-12);
  expect_error_containing<Error>([] { F::cosine_similarity(fl::arange(3), fl::arange(3), 0); },
                                 "expected common dtype to be floating point, yet common dtype is Long");
  expect_error_containing<Error>(
      [] {
        F::cosine_similarity(fl::randn({3, 2}), fl::randn({4, 2}));
      },
      "The size of tensor a (3) must match the size of tensor b (4)");
}

TEST(NnDistance, PairwiseDistance) {
  Tensor a = t64({0, 0, 1, 1}, {2, 2}), b = t64({3, 4, 1, 1}, {2, 2});
  // ||a - b + eps||: eps shifts every difference.
  const double e = 1e-6;
  expect_values(F::pairwise_distance(a, b), {std::hypot(-3 + e, -4 + e), std::hypot(e, e)}, {2}, 1e-12);
  expect_values(F::pairwise_distance(a, b, 1.0, 0.0, true), {7, 0}, {2, 1}, 1e-12);
  expect_values(F::pairwise_distance(t64({1, 2, 3}, {3}), t64({0, 0, 0}, {3}), 2.0, 0.0), {std::sqrt(14.0)}, {}, 1e-12);
}

static GradCases kGrads({
    {"cosine_similarity", [](auto& x) { return F::cosine_similarity(x[0], x[1]); }, {{3, 4}, {3, 4}}},
    {"cosine_similarity", [](auto& x) { return F::cosine_similarity(x[0], x[1], 0); }, {{4, 2}, {4, 1}}},
    {"pairwise_distance", [](auto& x) { return F::pairwise_distance(x[0], x[1]); }, {{3, 4}, {3, 4}}},
    {"pairwise_distance", [](auto& x) { return F::pairwise_distance(x[0], x[1], 3.0, 1e-6, true); }, {{3, 4}, {4}}},
});

}  // namespace
}  // namespace fl::test
