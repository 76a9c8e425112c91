// Losses against values worked by hand (each reduction, weights, ignore_index, label smoothing, K-dim and
// probability targets), float64 finite-difference gradients, and torch's errors.
#include <cmath>

#include "fl/nn/functional/loss.h"
#include "test_util.h"

namespace fl::test {
namespace {
namespace F = fl::nn::functional;

static ValueTested kValues({"mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div", "poisson_nll_loss",
                            "gaussian_nll_loss", "nll_loss", "cross_entropy", "binary_cross_entropy",
                            "binary_cross_entropy_with_logits", "soft_margin_loss", "cosine_embedding_loss",
                            "margin_ranking_loss", "hinge_embedding_loss", "triplet_margin_loss"});

Tensor t64(std::vector<double> v, const Shape& shape) { return fl::tensor(v, shape, TensorOptions(kFloat64)); }
Tensor idx(std::vector<int64_t> v, const Shape& shape) { return fl::tensor(v, shape, TensorOptions(kInt64)); }

TEST(NnLoss, RegressionReductions) {
  Tensor x = t64({1, 2, 3, 4}, {2, 2}), t = t64({1, 0, 5, 4.5}, {2, 2});  // d = {0, 2, -2, -0.5}
  expect_values(F::mse_loss(x, t, "none"), {0, 4, 4, 0.25}, {2, 2});
  expect_values(F::mse_loss(x, t), {8.25 / 4}, {});
  expect_values(F::mse_loss(x, t, "sum"), {8.25}, {});
  expect_values(F::l1_loss(x, t), {4.5 / 4}, {});
  // Weighted: 'mean' divides by the summed weights.
  expect_values(F::mse_loss(x, t, "mean", t64({1, 1, 0, 2}, {2, 2})), {4.5 / 4}, {});
  expect_values(F::l1_loss(x, t, "sum", t64({1, 1, 0, 2}, {2, 2})), {3}, {});
  // smooth_l1 (beta 1): 0.5 d^2 inside, |d| - 0.5 outside; huber(delta) = delta * smooth_l1(beta = delta).
  expect_values(F::smooth_l1_loss(x, t, "none"), {0, 1.5, 1.5, 0.125}, {2, 2});
  expect_values(F::smooth_l1_loss(x, t, "none", 4.0), {0, 0.5, 0.5, 0.03125}, {2, 2});
  expect_values(F::smooth_l1_loss(x, t, "sum", 0.0), {4.5}, {});
  expect_values(F::huber_loss(x, t, "none", 0.5), {0, 0.875, 0.875, 0.125}, {2, 2});
  expect_values(F::huber_loss(x, t, "mean", 1.0, t64({2, 2, 2, 2}, {2, 2})), {3.125 * 2 / 4}, {});
  // Broadcast target.
  expect_values(F::mse_loss(x, t64({1, 2}, {2}), "none"), {0, 0, 4, 4}, {2, 2});
  // Empty input: mean is nan, sum 0.
  EXPECT_TRUE(std::isnan(F::mse_loss(fl::zeros({0}), fl::zeros({0})).item<double>()));
  EXPECT_EQ(F::mse_loss(fl::zeros({0}), fl::zeros({0}), "sum").item<double>(), 0.0);
}

TEST(NnLoss, KlPoissonGaussian) {
  Tensor logq = t64({std::log(0.5), std::log(0.5), std::log(0.25), std::log(0.75)}, {2, 2});
  Tensor p = t64({0.25, 0.75, 1, 0}, {2, 2});
  // Per element p (log p - log q); 0 where p = 0.
  std::vector<double> kl = {0.25 * std::log(0.5), 0.75 * std::log(1.5), std::log(4.0), 0};
  expect_values(F::kl_div(logq, p, "none"), kl, {2, 2}, 1e-12);
  double total = kl[0] + kl[1] + kl[2];
  expect_values(F::kl_div(logq, p, "batchmean"), {total / 2}, {}, 1e-12);
  expect_values(F::kl_div(logq, p, "mean"), {total / 4}, {}, 1e-12);
  expect_values(F::kl_div(logq, logq, "sum", true), {0}, {}, 1e-12);
  // Poisson: exp(x) - t x; without log input x - t log(x + eps); Stirling's term only where t > 1.
  Tensor x = t64({0, 1}, {2}), t = t64({1, 3}, {2});
  expect_values(F::poisson_nll_loss(x, t, true, false, 1e-8, "none"), {1, std::exp(1.0) - 3}, {2}, 1e-12);
  expect_values(F::poisson_nll_loss(t64({1, 2}, {2}), t, false, false, 0.0, "none"), {1, 2 - 3 * std::log(2.0)}, {2},
                1e-12);
  double stirling = 3 * std::log(3.0) - 3 + 0.5 * std::log(2 * M_PI * 3);
  expect_values(F::poisson_nll_loss(x, t, true, true, 1e-8, "none"), {1, std::exp(1.0) - 3 + stirling}, {2}, 1e-12);
  // Gaussian: 0.5 (log var + d^2 / var), var clamped at eps; a var one dim short is unsqueezed.
  Tensor mu = t64({0, 1, 2, 3}, {2, 2}), y = t64({1, 1, 0, 3}, {2, 2});
  expect_values(F::gaussian_nll_loss(mu, y, t64({1, 4}, {2}), false, 1e-6, "none"),
                {0.5, 0, 0.5 * (std::log(4.0) + 1), 0.5 * std::log(4.0)}, {2, 2}, 1e-12);
  expect_values(F::gaussian_nll_loss(mu, y, 0.0, false, 0.5, "sum"), {2 * std::log(0.5) + 5.0}, {}, 1e-12);
}

TEST(NnLoss, NllAndCrossEntropy) {
  Tensor logp = t64({-1, -2, -3, -4, -5, -6}, {2, 3});
  expect_values(F::nll_loss(logp, idx({2, 0}, {2}), std::nullopt, -100, "none"), {3, 4}, {2});
  expect_values(F::nll_loss(logp, idx({2, 0}, {2})), {3.5}, {});
  // Class weights: the mean divides by the weights of the targets; ignored targets count for nothing.
  Tensor w = t64({1, 2, 3}, {3});
  expect_values(F::nll_loss(logp, idx({2, 0}, {2}), w), {(9.0 + 4.0) / 4.0}, {});
  expect_values(F::nll_loss(logp, idx({2, 1}, {2}), w, 1), {3}, {});
  expect_values(F::nll_loss(logp, idx({2, 1}, {2}), w, 1, "none"), {9, 0}, {2});
  EXPECT_TRUE(std::isnan(F::nll_loss(logp, idx({1, 1}, {2}), std::nullopt, 1).item<double>()));
  // Unbatched (C,) with a 0-d target; K-dim (N, C, d) with (N, d) targets.
  expect_values(F::nll_loss(t64({-1, -2}, {2}), idx({1}, {})), {2}, {});
  Tensor kdim = t64({-1, -2, -3, -4}, {1, 2, 2});  // [n=0][c][d]
  expect_values(F::nll_loss(kdim, idx({1, 0}, {1, 2}), std::nullopt, -100, "none"), {3, 2}, {1, 2});

  // cross_entropy = nll_loss(log_softmax): equal logits give log C.
  Tensor z = fl::zeros({2, 4}, kFloat64);
  expect_values(F::cross_entropy(z, idx({0, 3}, {2})), {std::log(4.0)}, {}, 1e-12);
  Tensor logits = t64({0, std::log(3.0)}, {1, 2});  // probabilities {1/4, 3/4}
  expect_values(F::cross_entropy(logits, idx({1}, {1})), {-std::log(0.75)}, {}, 1e-12);
  // Label smoothing 0.5 over C = 2: 0.5 * nll + 0.5 * mean over classes of -log p.
  double smooth = 0.5 * -std::log(0.75) + 0.25 * -(std::log(0.25) + std::log(0.75));
  expect_values(F::cross_entropy(logits, idx({1}, {1}), std::nullopt, -100, "mean", 0.5), {smooth}, {}, 1e-12);
  // Probability targets: -sum(p log q) per sample.
  Tensor probs = t64({0.5, 0.5}, {1, 2});
  expect_values(F::cross_entropy(logits, probs), {-(0.5 * std::log(0.25) + 0.5 * std::log(0.75))}, {}, 1e-12);
  expect_values(F::cross_entropy(t64({0, std::log(3.0)}, {2}), idx({0}, {}), std::nullopt, -100, "none"),
                {-std::log(0.25)}, {}, 1e-12);
}

TEST(NnLoss, BinaryCrossEntropy) {
  Tensor x = t64({0.5, 0.25, 0.0}, {3}), t = t64({1, 0, 1}, {3});
  // log(0) is clamped at -100.
  expect_values(F::binary_cross_entropy(x, t, std::nullopt, "none"), {std::log(2.0), -std::log(0.75), 100}, {3}, 1e-12);
  expect_values(F::binary_cross_entropy(x, t, t64({2, 1, 0}, {3}), "sum"), {2 * std::log(2.0) - std::log(0.75)}, {},
                1e-12);
  // The input gradient is torch's (x - t) / max(x (1 - x), eps): finite at the saturated x = 0.
  Tensor xs = x.clone().requires_grad_();
  F::binary_cross_entropy(xs, t, std::nullopt, "sum").backward();
  auto g = xs.grad().tolist<double>();
  EXPECT_NEAR(g[0], -2.0, 1e-12);
  EXPECT_NEAR(g[1], 0.25 / 0.1875, 1e-12);
  EXPECT_LT(g[2], -1e11);
  // With logits: log(1 + exp(-x)) for t = 1, stable for large |x|; pos_weight scales the positive term.
  Tensor lg = t64({0, 100, -100}, {3}), lt = t64({1, 0, 1}, {3});
  expect_values(F::binary_cross_entropy_with_logits(lg, lt, std::nullopt, "none"), {std::log(2.0), 100, 100}, {3},
                1e-12);
  expect_values(F::binary_cross_entropy_with_logits(lg, lt, std::nullopt, "none", t64({3}, {1})),
                {3 * std::log(2.0), 100, 300}, {3}, 1e-12);
  // At x = 0 the gradient is sigmoid(0) - t exactly.
  Tensor z = fl::zeros({1}, kFloat64).requires_grad_();
  F::binary_cross_entropy_with_logits(z, t64({1}, {1})).backward();
  EXPECT_NEAR(z.grad().item<double>(), -0.5, 1e-15);
  expect_values(F::soft_margin_loss(t64({0, 2}, {2}), t64({1, -1}, {2}), "none"),
                {std::log(2.0), std::log1p(std::exp(2.0))}, {2}, 1e-12);
}

TEST(NnLoss, MarginLosses) {
  Tensor a = t64({1, 0, 1, 1}, {2, 2}), b = t64({1, 0, -1, 1}, {2, 2});  // cos = 1 and 0
  expect_values(F::cosine_embedding_loss(a, b, t64({1, 1}, {2}), 0, "none"), {0, 1}, {2}, 1e-9);
  expect_values(F::cosine_embedding_loss(a, b, t64({-1, -1}, {2}), 0.5, "none"), {0.5, 0}, {2}, 1e-9);
  expect_values(F::margin_ranking_loss(t64({1, 2}, {2}), t64({2, 1}, {2}), t64({1, 1}, {2}), 0.5, "none"), {1.5, 0},
                {2});
  expect_values(F::hinge_embedding_loss(t64({0.3, 2, 0.5}, {3}), t64({1, -1, -1}, {3}), 1.0, "none"), {0.3, 0, 0.5},
                {3});
  // d(a, p) = ||a - p + eps||: with anchor = positive the positive distance is ~0.
  Tensor anc = t64({0, 0}, {1, 2}), neg = t64({3, 4}, {1, 2});
  Tensor trip = F::triplet_margin_loss(anc, anc, neg, 6.0, 2, 0.0);
  expect_values(trip, {1}, {}, 1e-12);
  expect_values(F::triplet_margin_loss(anc, neg, neg, 1.0, 2, 0.0, true), {6}, {}, 1e-12);  // swap: d(p, n) = 0
}

TEST(NnLoss, Errors) {
  Tensor x = fl::randn({3, 4});
  expect_error_containing<ValueError>([&] { F::mse_loss(x, x, "batchmean"); },
                                      "batchmean is not a valid value for reduction");
  expect_error_containing<ValueError>([&] { F::mse_loss(x, x, "foo", x); }, "Invalid reduction mode: foo.");
  expect_error_containing<Error>([&] { F::mse_loss(x, fl::randn({5})); },
                                 "The size of tensor a (4) must match the size of tensor b (5)");
  expect_error_containing<NotImplementedError>([] { F::mse_loss(fl::arange(3), fl::arange(3)); },
                                               "\"mse_cpu\" not implemented for 'Long'");
  expect_error_containing<Error>([&] { F::smooth_l1_loss(x, x, "mean", -1); },
                                 "smooth_l1_loss does not support negative values for beta.");
  expect_error_containing<Error>([&] { F::huber_loss(x, x, "mean", 0); },
                                 "huber_loss does not support non-positive values for delta.");
  expect_error_containing<IndexError>([&] { F::cross_entropy(x, idx({0, 5, 1}, {3})); }, "Target 5 is out of bounds.");
  expect_error_containing<Error>(
      [&] {
        F::nll_loss(x, idx({0, 1, 1}, {3}).to(kInt32));
      },
      "expected target dtype to be Long or Byte, but got Int");
  expect_error_containing<ValueError>(
      [&] {
        F::nll_loss(x, idx({0, 1}, {2}));
      },
      "Expected input batch_size (3) to match target batch_size (2).");
  expect_error_containing<Error>(
      [] {
        F::cross_entropy(fl::randn({3, 4, 2}), idx({0, 0, 0, 0, 0, 0, 0, 0, 0}, {3, 3}));
      },
      "Expected target size [3, 2], got [3, 3]");
  expect_error_containing<Error>(
      [&] {
        F::cross_entropy(x, idx({0, 1, 1}, {3}), fl::ones({3}));
      },
      "weight tensor should be defined either for all 4 classes or no classes but got "
      "weight tensor of shape: [3]");
  expect_error_containing<Error>([&] { F::cross_entropy(x, x, std::nullopt, 1); },
                                 "ignore_index is not supported for floating point target");
  expect_error_containing<Error>(
      [&] {
        F::cross_entropy(x, idx({0, 1, 1}, {3}), std::nullopt, -100, "mean", 1.5);
      },
      "label_smoothing must be between 0.0 and 1.0. Got: 1.5");
  expect_error_containing<Error>([] { F::binary_cross_entropy(fl::full({2}, 1.5), fl::ones({2})); },
                                 "all elements of input should be between 0 and 1");
  expect_error_containing<ValueError>([] { F::binary_cross_entropy(fl::full({2}, 0.5), fl::ones({3})); },
                                      "Using a target size (torch.Size([3])) that is different to the input size "
                                      "(torch.Size([2])) is deprecated.");
  expect_error_containing<ValueError>(
      [] {
        F::binary_cross_entropy_with_logits(fl::randn({3, 1}), fl::ones({3}));
      },
      "Target size (torch.Size([3])) must be the same as input size "
      "(torch.Size([3, 1]))");
  expect_error_containing<ValueError>(
      [] {
        F::gaussian_nll_loss(fl::randn({2, 3}), fl::randn({2, 3}), fl::ones({2, 2}));
      },
      "var is of incorrect size");
  expect_error_containing<ValueError>([] { F::gaussian_nll_loss(fl::randn({2}), fl::randn({2}), -1.0); },
                                      "var has negative entry/entries");
  expect_error_containing<Error>([] { F::cosine_embedding_loss(fl::randn({3}), fl::randn({3}), fl::ones({3})); },
                                 "1D target tensor expects 2D input tensors, but found inputs with sizes [3] and [3].");
  expect_error_containing<ValueError>(
      [] {
        F::triplet_margin_loss(fl::randn({2, 3}), fl::randn({2, 3}), fl::randn({2, 3}), 0);
      },
      "margin must be greater than 0, got 0");
}

// Targets built inside each function: class indices, signs, probabilities.
Tensor classes() { return idx({2, 0, -100, 1}, {4}); }
Tensor signs() { return t64({1, -1, -1, 1}, {4}); }
Tensor class_weights() { return t64({0.5, 1.5, 2}, {3}); }

static GradCases kGrads({
    {"mse_loss", [](auto& x) { return F::mse_loss(x[0], x[1]); }, {{3, 4}, {3, 4}}},
    {"mse_loss", [](auto& x) { return F::mse_loss(x[0], x[1], "sum", x[2].abs()); }, {{3, 4}, {4}, {3, 4}}},
    {"l1_loss", [](auto& x) { return F::l1_loss(x[0], x[1], "none"); }, {{3, 4}, {3, 4}}},
    {"smooth_l1_loss", [](auto& x) { return F::smooth_l1_loss(x[0], x[1], "sum", 0.7); }, {{3, 4}, {3, 4}}},
    {"huber_loss", [](auto& x) { return F::huber_loss(x[0], x[1], "mean", 0.6); }, {{3, 4}, {3, 4}}},
    {"kl_div", [](auto& x) { return F::kl_div(x[0], x[1], "batchmean"); }, {{3, 4}, {3, 4}}, 0.1, 2.0},
    {"kl_div", [](auto& x) { return F::kl_div(x[0], x[1], "none", true); }, {{3, 4}, {3, 4}}},
    {"poisson_nll_loss",
     [](auto& x) { return F::poisson_nll_loss(x[0], x[1], true, true); },
     {{3, 4}, {3, 4}},
     1.5,
     3.0},
    {"poisson_nll_loss",
     [](auto& x) { return F::poisson_nll_loss(x[0], x[1], false, false, 1e-8, "sum"); },
     {{3, 4}, {3, 4}},
     0.5,
     2.0},
    {"gaussian_nll_loss",
     [](auto& x) { return F::gaussian_nll_loss(x[0], x[1], x[2].abs() + 0.1, true); },
     {{3, 4}, {3, 4}, {3, 1}}},
    {"nll_loss", [](auto& x) { return F::nll_loss(x[0], classes(), class_weights()); }, {{4, 3}}},
    {"nll_loss",
     [](auto& x) {
       return F::nll_loss(x[0], idx({1, 0, 2, 1}, {2, 2}), std::nullopt, -100, "none");
     },
     {{2, 3, 2}}},
    {"cross_entropy", [](auto& x) { return F::cross_entropy(x[0], classes()); }, {{4, 3}}},
    {"cross_entropy",
     [](auto& x) { return F::cross_entropy(x[0], classes(), class_weights(), -100, "mean", 0.2); },
     {{4, 3}}},
    {"cross_entropy",
     [](auto& x) { return F::cross_entropy(x[0], fl::softmax(x[1], 1), std::nullopt, -100, "sum", 0.1); },
     {{4, 3}, {4, 3}}},
    {"binary_cross_entropy",
     [](auto& x) { return F::binary_cross_entropy(x[0], x[1], x[2]); },
     {{3, 4}, {3, 4}, {4}},
     0.05,
     0.95},
    {"binary_cross_entropy_with_logits",
     [](auto& x) { return F::binary_cross_entropy_with_logits(x[0], x[1], x[2], "sum", x[3]); },
     {{3, 4}, {3, 4}, {3, 1}, {4}}},
    {"soft_margin_loss", [](auto& x) { return F::soft_margin_loss(x[0], signs()); }, {{4}}},
    {"cosine_embedding_loss",
     [](auto& x) { return F::cosine_embedding_loss(x[0], x[1], signs(), -0.5, "sum"); },
     {{4, 3}, {4, 3}}},
    {"margin_ranking_loss", [](auto& x) { return F::margin_ranking_loss(x[0], x[1], signs(), 0.3); }, {{4}, {4}}},
    {"hinge_embedding_loss", [](auto& x) { return F::hinge_embedding_loss(x[0], signs(), 1.5, "sum"); }, {{4}}},
    {"triplet_margin_loss",
     [](auto& x) { return F::triplet_margin_loss(x[0], x[1], x[2], 2.0, 2, 1e-6, true); },
     {{4, 3}, {4, 3}, {4, 3}}},
});

}  // namespace
}  // namespace fl::test
