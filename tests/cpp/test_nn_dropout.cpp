// The dropout family: statistics of the masks (fraction dropped, 1 / (1 - p) scaling, whole channels, alpha
// dropout's affine map), eval-mode identity, gradients (mask / (1 - p), also by finite differences under a fixed
// seed), in-place forms and errors.
#include <cmath>

#include "fl/nn/functional/dropout.h"
#include "test_util.h"

namespace fl::test {
namespace {
namespace F = fl::nn::functional;

static ValueTested kValues({"dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
                            "feature_alpha_dropout"});

TEST(NnDropout, FractionScalingAndGradient) {
  manual_seed(0);
  Tensor x = (fl::rand({100, 100}, kFloat64) + 1).requires_grad_();
  Tensor y = F::dropout(x, 0.3);
  auto yv = y.tolist<double>(), xv = x.tolist<double>();
  int dropped = 0;
  for (size_t i = 0; i < yv.size(); ++i) {
    if (yv[i] == 0)
      ++dropped;
    else
      EXPECT_NEAR(yv[i], xv[i] / 0.7, 1e-12);
  }
  EXPECT_NEAR(dropped / 10000.0, 0.3, 0.02);
  y.backward(fl::ones_like(y));
  auto g = x.grad().tolist<double>();
  for (size_t i = 0; i < g.size(); ++i) EXPECT_DOUBLE_EQ(g[i], yv[i] == 0 ? 0.0 : 1 / 0.7);
}

TEST(NnDropout, EvalAndEdgeProbabilities) {
  Tensor x = fl::randn({3, 4});
  EXPECT_EQ(F::dropout(x, 0.5, false).impl(), x.impl());  // the input itself, as torch
  EXPECT_EQ(F::dropout(x, 0.0).impl(), x.impl());
  EXPECT_EQ(F::alpha_dropout(x, 0.5).impl(), x.impl());  // training defaults to false
  expect_values(F::dropout(x, 1.0), std::vector<double>(12, 0.0), {3, 4});
  expect_values(F::alpha_dropout(x, 1.0, true), std::vector<double>(12, 0.0), {3, 4});
}

TEST(NnDropout, ChannelWise) {
  manual_seed(1);
  for (auto [fn, shape, per_channel] : {std::tuple{&F::dropout1d, Shape{8, 40, 5}, int64_t{5}},
                                        {&F::dropout1d, Shape{40, 5}, int64_t{5}},
                                        {&F::dropout2d, Shape{4, 40, 2, 3}, int64_t{6}},
                                        {&F::dropout3d, Shape{40, 2, 2, 2}, int64_t{8}}}) {
    Tensor x = fl::ones(shape);
    auto v = fn(x, 0.5, true, false).tolist<double>();
    int64_t zero_channels = 0, channels = static_cast<int64_t>(v.size()) / per_channel;
    for (int64_t c = 0; c < channels; ++c) {
      double first = v[c * per_channel];
      EXPECT_TRUE(first == 0.0 || first == 2.0);
      for (int64_t i = 1; i < per_channel; ++i) EXPECT_EQ(v[c * per_channel + i], first);
      zero_channels += first == 0.0;
    }
    EXPECT_GT(zero_channels, channels / 5);
    EXPECT_LT(zero_channels, channels * 4 / 5);
  }
}

TEST(NnDropout, AlphaDropoutAffineMap) {
  manual_seed(2);
  const double p = 0.2, alpha = 1.7580993408473766, a = 1 / std::sqrt((alpha * alpha * p + 1) * (1 - p));
  Tensor x = fl::randn({20000}, kFloat64);
  auto y = F::alpha_dropout(x, p, true).tolist<double>(), xv = x.tolist<double>();
  double mean = 0, sq = 0;
  int dropped = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    double kept = a * xv[i] + alpha * a * p, drop = -alpha * a + alpha * a * p;
    EXPECT_TRUE(std::abs(y[i] - kept) < 1e-12 || std::abs(y[i] - drop) < 1e-12);
    dropped += std::abs(y[i] - drop) < 1e-12;
    mean += y[i];
    sq += y[i] * y[i];
  }
  mean /= y.size();
  EXPECT_NEAR(dropped / 20000.0, p, 0.015);
  EXPECT_NEAR(mean, 0, 0.03);
  EXPECT_NEAR(sq / y.size() - mean * mean, 1, 0.05);
  // Feature alpha dropout drops whole channels to the same value.
  auto f = F::feature_alpha_dropout(fl::randn({50, 3, 4}), p, true).tolist<double>();
  EXPECT_EQ(f.size(), 600u);
}

TEST(NnDropout, InPlace) {
  manual_seed(3);
  Tensor x = fl::ones({1000});
  Tensor y = F::dropout(x, 0.5, true, true);
  EXPECT_EQ(y.impl(), x.impl());
  EXPECT_GT(x._version(), 0);
  for (double v : x.tolist<double>()) EXPECT_TRUE(v == 0.0 || v == 2.0);
  Tensor a = fl::ones({3, 50}).requires_grad_();
  Tensor h = a * 1.0;
  F::dropout1d(h, 0.5, true, true);
  h.sum().backward();
  auto g = a.grad().tolist<double>(), hv = h.tolist<double>();
  for (size_t i = 0; i < g.size(); ++i) EXPECT_EQ(g[i], hv[i]);
}

TEST(NnDropout, Errors) {
  Tensor x = fl::randn({4});
  expect_error_containing<ValueError>([&] { F::dropout(x, 1.5); },
                                      "dropout probability has to be between 0 and 1, but got 1.5");
  expect_error_containing<ValueError>([&] { F::alpha_dropout(x, -0.5); }, "dropout probability has to be between");
  expect_error_containing<Error>([&] { F::dropout1d(x); },
                                 "dropout1d: Expected 2D or 3D input, but received a 1D input");
  expect_error_containing<Error>([&] { F::feature_alpha_dropout(x, 0.5, true); },
                                 "Feature dropout requires at least 2 dimensions in the input");
}

// A fixed seed inside the function gives the same mask on every evaluation of the finite differences.
template <typename Fn>
test::Fn seeded(Fn f) {
  return [f](const std::vector<Tensor>& x) {
    manual_seed(11);
    return f(x[0]);
  };
}

static GradCases kGrads({
    {"dropout", seeded([](const Tensor& x) { return F::dropout(x, 0.4); }), {{5, 4}}},
    {"dropout1d", seeded([](const Tensor& x) { return F::dropout1d(x, 0.4); }), {{2, 3, 4}}},
    {"dropout2d", seeded([](const Tensor& x) { return F::dropout2d(x, 0.4); }), {{2, 3, 2, 2}}},
    {"dropout3d", seeded([](const Tensor& x) { return F::dropout3d(x, 0.4); }), {{3, 2, 2, 2}}},
    {"alpha_dropout", seeded([](const Tensor& x) { return F::alpha_dropout(x, 0.3, true); }), {{5, 4}}},
    {"feature_alpha_dropout",
     seeded([](const Tensor& x) { return F::feature_alpha_dropout(x, 0.3, true); }),
     {{2, 3, 4}}},
});

}  // namespace
}  // namespace fl::test
