// Normalisation ops against closed-form values (means and variances worked by hand), running-statistics updates
// in training mode, float64 finite-difference gradients (input, weight, bias) and torch's errors.
#include <cmath>

#include "fl/nn/functional/normalization.h"
#include "test_util.h"

namespace fl::test {
namespace {
namespace F = fl::nn::functional;

static ValueTested kValues({"batch_norm", "instance_norm", "layer_norm", "rms_norm", "group_norm", "normalize"});

Tensor t64(std::initializer_list<double> v, const Shape& shape) {
  return fl::tensor(std::vector<double>(v), shape, TensorOptions(kFloat64));
}

TEST(NnNormalization, BatchNormTrainingUsesBatchStatsAndUpdatesRunningStats) {
  // Channel 0: {1, 3, 5} (mean 3, biased var 8/3, unbiased 4); channel 1: {2, 6, 10} (mean 6, var 32/3, 16).
  Tensor x = t64({1, 2, 3, 6, 5, 10}, {3, 2});
  Tensor rm = fl::zeros({2}, kFloat64), rv = fl::ones({2}, kFloat64);
  Tensor y = F::batch_norm(x, rm, rv, std::nullopt, std::nullopt, true, 0.1, 1e-30);
  const double a = std::sqrt(3.0 / 2.0);  // (x - mean) / sqrt(var) = {-a, 0, a} in both channels
  expect_values(y, {-a, -a, 0, 0, a, a}, {3, 2}, 1e-12);
  expect_values(rm, {0.3, 0.6}, {2}, 1e-12);
  expect_values(rv, {0.9 + 0.4, 0.9 + 1.6}, {2}, 1e-12);
  EXPECT_FALSE(rm.requires_grad());
  // A second call moves them again, with momentum 0.5.
  F::batch_norm(x, rm, rv, std::nullopt, std::nullopt, true, 0.5);
  expect_values(rm, {0.5 * 0.3 + 1.5, 0.5 * 0.6 + 3.0}, {2}, 1e-12);
}

TEST(NnNormalization, BatchNormEvalUsesRunningStatsAndAffine) {
  Tensor x = t64({1, 2, 5, 4, 0, 0, 1, 1}, {2, 2, 2});  // (N, C, L)
  Tensor rm = t64({1, 2}, {2}), rv = t64({4, 16}, {2});
  Tensor y = F::batch_norm(x, rm, rv, t64({2, 3}, {2}), t64({1, -1}, {2}), false, 0.1, 0.0);
  // channel 0: (x - 1) / 2 * 2 + 1 = x; channel 1: (x - 2) / 4 * 3 - 1
  expect_values(y, {1, 2, 1.25, 0.5, 0, 0, -1.75, -1.75}, {2, 2, 2}, 1e-12);
  expect_values(rm, {1, 2}, {2});  // untouched in evaluation
}

TEST(NnNormalization, LayerNormGroupNormInstanceNorm) {
  const double a = std::sqrt(1.5);
  expect_values(F::layer_norm(t64({1, 2, 3, 2, 4, 6}, {2, 3}), {3}, std::nullopt, std::nullopt, 0.0),
                {-a, 0, a, -a, 0, a}, {2, 3}, 1e-12);
  // Over the last two dims, with weight and bias of normalized_shape.
  Tensor ln =
      F::layer_norm(t64({1, 3, 1, 3}, {1, 2, 2}), {2, 2}, t64({1, 2, 3, 4}, {2, 2}), t64({0, 0, 1, 1}, {2, 2}), 0.0);
  expect_values(ln, {-1, 2, -2, 5}, {1, 2, 2}, 1e-12);
  // Two groups of two channels: {1, 2} and {3, 5}; per-channel weight.
  Tensor gn = F::group_norm(t64({1, 2, 3, 5}, {1, 4, 1}), 2, t64({1, 1, 2, 2}, {4}), std::nullopt, 0.0);
  expect_values(gn, {-1, 1, -2, 2}, {1, 4, 1}, 1e-12);
  Tensor in = F::instance_norm(t64({1, 3, 2, 6}, {1, 2, 2}), std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                               true, 0.1, 1e-30);
  expect_values(in, {-1, 1, -1, 1}, {1, 2, 2}, 1e-12);
  // Running stats: mean over the batch of per-instance statistics (unbiased variances 2 and 8).
  Tensor rm = fl::zeros({2}, kFloat64), rv = fl::ones({2}, kFloat64);
  F::instance_norm(t64({1, 3, 2, 6}, {1, 2, 2}), rm, rv, std::nullopt, std::nullopt, true, 0.5);
  expect_values(rm, {1.0, 2.0}, {2}, 1e-12);
  expect_values(rv, {1.5, 4.5}, {2}, 1e-12);
}

TEST(NnNormalization, RmsNorm) {
  // rms of {3, 4} is sqrt(12.5); of {1, 1, 1, 1} is 1.
  const double r = std::sqrt(12.5);
  expect_values(F::rms_norm(t64({3, 4}, {1, 2}), {2}, std::nullopt, 0.0), {3 / r, 4 / r}, {1, 2}, 1e-12);
  expect_values(F::rms_norm(t64({1, -1, 1, -1}, {1, 2, 2}), {2, 2}, t64({1, 2, 3, 4}, {2, 2}), 0.0), {1, -2, 3, -4},
                {1, 2, 2}, 1e-12);
  // The default eps is float32's machine epsilon: a zero row stays zero, finitely.
  expect_values(F::rms_norm(fl::zeros({1, 3}), {3}), {0, 0, 0}, {1, 3});
  expect_error_containing<Error>(
      [] {
        F::rms_norm(fl::randn({2, 3}), {4});
      },
      "Given normalized_shape=[4], expected input with shape [*4], but got input of size[2, 3]");
}

TEST(NnNormalization, Normalize) {
  expect_values(F::normalize(t64({3, 4, 0, 0}, {2, 2}), 2.0, 1), {0.6, 0.8, 0, 0}, {2, 2}, 1e-12);
  expect_values(F::normalize(t64({3, 4, 1, -1}, {2, 2}), 1.0, 0), {0.75, 0.8, 0.25, -0.2}, {2, 2}, 1e-12);
}

TEST(NnNormalization, Errors) {
  Tensor x = fl::randn({2, 3});
  expect_error_containing<ValueError>(
      [] {
        F::batch_norm(fl::randn({1, 3}), std::nullopt, std::nullopt, {}, {}, true);
      },
      "Expected more than 1 value per channel when training, got input size "
      "torch.Size([1, 3])");
  expect_error_containing<Error>([&] { F::batch_norm(x, fl::zeros({4}), fl::ones({4})); },
                                 "running_mean should contain 3 elements not 4");
  expect_error_containing<Error>([&] { F::batch_norm(x, std::nullopt, std::nullopt); },
                                 "running_mean must be defined in evaluation mode");
  expect_error_containing<ValueError>([&] { F::batch_norm(x, std::nullopt, std::nullopt, {}, {}, true, 0.1, 0.0); },
                                      "batch_norm eps must be positive during training, but got 0");
  expect_error_containing<Error>([&] { F::layer_norm(x, {4}); },
                                 "Given normalized_shape=[4], expected input with shape [*, 4], but got input of "
                                 "size[2, 3]");
  expect_error_containing<Error>([&] { F::layer_norm(x, {3}, fl::ones({4})); },
                                 "Expected weight to be of same shape as normalized_shape, but got weight of shape [4] "
                                 "and normalized_shape = [3]");
  expect_error_containing<Error>(
      [] {
        F::group_norm(fl::randn({2, 6, 4}), 4);
      },
      "Expected number of channels in input to be divisible by num_groups, but got input "
      "of shape [2, 6, 4] and num_groups=4");
  expect_error_containing<Error>([] { F::group_norm(fl::randn({6}), 3); },
                                 "Expected at least 2 dimensions for input tensor but received 1");
  expect_error_containing<ValueError>(
      [] {
        F::instance_norm(fl::randn({2, 3, 1}));
      },
      "Expected more than 1 spatial element when training");
}

static GradCases kGrads({
    {"batch_norm",
     [](auto& x) { return F::batch_norm(x[0], std::nullopt, std::nullopt, x[1], x[2], true); },
     {{4, 3}, {3}, {3}}},
    {"batch_norm",
     [](auto& x) {
       Tensor rm = fl::zeros({2}, kFloat64), rv = fl::ones({2}, kFloat64);
       return F::batch_norm(x[0], rm, rv, x[1], std::nullopt, true, 0.1, 1e-3);
     },
     {{3, 2, 2, 2}, {2}}},
    {"batch_norm",
     [](auto& x) {
       return F::batch_norm(x[0], t64({0.5, -1}, {2}), t64({2, 0.5}, {2}), x[1], x[2], false);
     },
     {{3, 2, 4}, {2}, {2}}},
    {"layer_norm", [](auto& x) { return F::layer_norm(x[0], {4}, x[1], x[2]); }, {{3, 4}, {4}, {4}}},
    {"layer_norm",
     [](auto& x) {
       return F::layer_norm(x[0], {2, 3}, x[1], std::nullopt, 1e-3);
     },
     {{2, 2, 3}, {2, 3}}},
    {"rms_norm",
     [](auto& x) {
       return F::rms_norm(x[0], {2, 3}, x[1]);
     },
     {{2, 2, 3}, {2, 3}}},
    {"group_norm", [](auto& x) { return F::group_norm(x[0], 2, x[1], x[2]); }, {{2, 4, 3}, {4}, {4}}},
    {"group_norm", [](auto& x) { return F::group_norm(x[0], 3, std::nullopt, std::nullopt, 1e-3); }, {{2, 3, 2, 2}}},
    {"instance_norm",
     [](auto& x) { return F::instance_norm(x[0], std::nullopt, std::nullopt, x[1], x[2]); },
     {{2, 3, 4}, {3}, {3}}},
    {"normalize", [](auto& x) { return F::normalize(x[0]); }, {{3, 4}}},
    {"normalize", [](auto& x) { return F::normalize(x[0], 3.0, 0); }, {{3, 4}}},
});

}  // namespace
}  // namespace fl::test
