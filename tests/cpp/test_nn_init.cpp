// fl::nn::init: gains and fans against torch's formulas, the statistics of large draws against the distributions
// each initialiser promises, exact structure (eye, dirac, orthogonality), and torch's error messages.
#include <cmath>

#include "fl/nn/init.h"
#include "test_util.h"

namespace fl::test {
namespace {

namespace init = fl::nn::init;

double mean_of(const Tensor& t) { return t.to(kFloat64).mean().item<double>(); }
double std_of(const Tensor& t) { return t.to(kFloat64).std({}, 0).item<double>(); }

TEST(NnInit, CalculateGain) {
  for (const char* f :
       {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid"})
    EXPECT_EQ(init::calculate_gain(f), 1.0) << f;
  EXPECT_DOUBLE_EQ(init::calculate_gain("tanh"), 5.0 / 3);
  EXPECT_DOUBLE_EQ(init::calculate_gain("relu"), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(init::calculate_gain("leaky_relu"), std::sqrt(2.0 / (1 + 0.01 * 0.01)));
  EXPECT_DOUBLE_EQ(init::calculate_gain("leaky_relu", 0.2), 1.3867504905630728);  // torch's value
  EXPECT_DOUBLE_EQ(init::calculate_gain("selu"), 0.75);
  expect_error_containing<ValueError>([] { init::calculate_gain("foo"); }, "Unsupported nonlinearity foo");
}

TEST(NnInit, Fans) {
  EXPECT_EQ(init::calculate_fan_in_and_fan_out(empty({3, 5})), (std::pair<int64_t, int64_t>{5, 3}));
  EXPECT_EQ(init::calculate_fan_in_and_fan_out(empty({16, 8, 3, 3})), (std::pair<int64_t, int64_t>{72, 144}));
  EXPECT_EQ(init::calculate_correct_fan(empty({16, 8, 3}), "fan_out"), 48);
  EXPECT_EQ(init::calculate_correct_fan(empty({16, 8, 3}), "FAN_IN"), 24);
  const char* few = "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions";
  expect_error_containing<ValueError>([&] { init::calculate_fan_in_and_fan_out(empty({3})); }, few);
  expect_error_containing<ValueError>([&] { init::xavier_uniform_(empty({3})); }, few);
  expect_error_containing<ValueError>([&] { init::kaiming_normal_(empty({3})); }, few);
  expect_error_containing<ValueError>(
      [&] {
        init::kaiming_uniform_(empty({3, 3}), 0, "fanout");
      },
      "Mode fanout not supported, please use one of ['fan_in', 'fan_out']");
  expect_error_containing<ValueError>(
      [&] {
        init::kaiming_uniform_(empty({3, 3}), 0, "fan_in", "foo");
      },
      "Unsupported nonlinearity foo");
}

TEST(NnInit, UniformAndNormalStatistics) {
  manual_seed(3);
  Tensor u = init::uniform_(empty({200000}), -1.0, 3.0);
  EXPECT_GE(u.min().item<double>(), -1.0);
  EXPECT_LT(u.max().item<double>(), 3.0);
  EXPECT_NEAR(mean_of(u), 1.0, 0.02);
  EXPECT_NEAR(std_of(u), 4.0 / std::sqrt(12.0), 0.01);
  Tensor n = init::normal_(empty({200000}, kFloat64), 2.0, 0.5);
  EXPECT_NEAR(mean_of(n), 2.0, 0.005);
  EXPECT_NEAR(std_of(n), 0.5, 0.005);
  EXPECT_EQ(n.dtype(), kFloat64);
  expect_error_containing<NotImplementedError>([] { init::uniform_(zeros({3}, kInt64)); },
                                               "\"check_uniform_bounds\" not implemented for 'Long'");
  expect_error_containing<NotImplementedError>([] { init::normal_(zeros({3}, kInt64)); },
                                               "\"normal_kernel_cpu\" not implemented for 'Long'");
}

TEST(NnInit, InPlaceOnParametersWithoutGrad) {
  Tensor w = zeros({4, 5}, TensorOptions().requires_grad());
  Tensor same = init::kaiming_uniform_(w, std::sqrt(5.0));
  EXPECT_EQ(same.impl(), w.impl());
  EXPECT_TRUE(w.is_leaf());
  EXPECT_TRUE(w.grad_fn_name().empty());
  EXPECT_GT(w.abs().sum().item<double>(), 0.0);
  // Through a view: the base is written.
  Tensor base = zeros({4, 4});
  init::ones_(base.slice(0, 1, 3));
  expect_values(base.sum({1}), {0, 4, 4, 0});
}

TEST(NnInit, GeneratorReproducibility) {
  Generator g1(42), g2(42), g3(7);
  Tensor a = init::xavier_normal_(empty({20, 30}), 1.0, &g1);
  Tensor b = init::xavier_normal_(empty({20, 30}), 1.0, &g2);
  Tensor c = init::xavier_normal_(empty({20, 30}), 1.0, &g3);
  EXPECT_TRUE(a.equal(b));
  EXPECT_FALSE(a.equal(c));
  Tensor t1 = init::trunc_normal_(empty({1000}), 0, 1, -2, 2, &g1);
  Tensor t2 = init::trunc_normal_(empty({1000}), 0, 1, -2, 2, &g2);
  EXPECT_TRUE(t1.equal(t2));
}

TEST(NnInit, ConstantsEyeDirac) {
  expect_values(init::constant_(empty({2, 2}), 0.3), {0.3, 0.3, 0.3, 0.3}, {2, 2});
  expect_values(init::zeros_(ones({3})), {0, 0, 0});
  expect_values(init::ones_(zeros({2}, kInt64)), {1, 1});
  expect_values(init::eye_(empty({2, 3})), {1, 0, 0, 0, 1, 0}, {2, 3});
  expect_values(init::eye_(empty({3, 2})), {1, 0, 0, 1, 0, 0}, {3, 2});
  expect_error_containing<ValueError>([] { init::eye_(empty({3})); }, "Only tensors with 2 dimensions are supported");
  // dirac_ on [out=2, in=3, k=3]: out channel d takes input d at the kernel centre.
  expect_values(init::dirac_(empty({2, 3, 3})), {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}, {2, 3, 3});
  // groups = 2 on [4, 1, 3]: each group's first out channel takes input 0.
  expect_values(init::dirac_(empty({4, 1, 3}), 2), {0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0}, {4, 1, 3});
  Tensor d4 = init::dirac_(empty({3, 3, 3, 3}));
  EXPECT_EQ(d4.sum().item<double>(), 3.0);
  for (int64_t i = 0; i < 3; ++i) EXPECT_EQ(d4.index({i, i, 1, 1}).item<double>(), 1.0);
  EXPECT_EQ(init::dirac_(empty({2, 2, 2, 2, 2})).sum().item<double>(), 2.0);
  expect_error_containing<ValueError>(
      [] {
        init::dirac_(empty({3, 3}));
      },
      "Only tensors with 3, 4, or 5 dimensions are supported");
  expect_error_containing<ValueError>([] { init::dirac_(empty({3, 3, 3}), 2); }, "dim 0 must be divisible by groups");
}

TEST(NnInit, XavierAndKaimingStatistics) {
  manual_seed(5);
  // xavier_uniform_: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)).
  Tensor xu = init::xavier_uniform_(empty({300, 500}), 2.0);
  double a = 2.0 * std::sqrt(6.0 / 800.0);
  EXPECT_LE(xu.abs().max().item<double>(), a);
  EXPECT_GT(xu.abs().max().item<double>(), 0.999 * a);
  EXPECT_NEAR(std_of(xu), a / std::sqrt(3.0), 0.01 * a);
  // xavier_normal_: std = gain * sqrt(2 / (fan_in + fan_out)); conv fans include the receptive field.
  Tensor xn = init::xavier_normal_(empty({64, 32, 3, 3}));
  EXPECT_NEAR(std_of(xn), std::sqrt(2.0 / (288 + 576)), 0.002);
  EXPECT_NEAR(mean_of(xn), 0.0, 0.002);
  // kaiming_uniform_(a=sqrt(5)) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (nn.Linear's default).
  Tensor ku = init::kaiming_uniform_(empty({400, 250}), std::sqrt(5.0));
  double bound = 1.0 / std::sqrt(250.0);
  EXPECT_LE(ku.abs().max().item<double>(), bound);
  EXPECT_GT(ku.abs().max().item<double>(), 0.999 * bound);
  // kaiming_normal_(relu, fan_out): std = sqrt(2) / sqrt(fan_out).
  Tensor kn = init::kaiming_normal_(empty({256, 128}), 0, "fan_out", "relu");
  EXPECT_NEAR(std_of(kn), std::sqrt(2.0 / 256), 0.002);
  // A zero-size dim is left alone before any fan check (torch warns in Python).
  Tensor z = init::kaiming_uniform_(empty({0}));
  EXPECT_EQ(z.numel(), 0);
  EXPECT_EQ(init::kaiming_normal_(empty({0, 3})).numel(), 0);
}

TEST(NnInit, OrthogonalRowsOrColumns) {
  manual_seed(11);
  auto expect_identity = [](const Tensor& m, double scale) {
    int64_t n = m.size(0);
    Tensor diff = (m - eye(n, std::nullopt, m.dtype()) * (scale * scale)).abs().max();
    EXPECT_LT(diff.item<double>(), 1e-5) << "not orthogonal";
  };
  Tensor wide = init::orthogonal_(empty({4, 9}));  // rows orthonormal: W Wᵀ = I
  expect_identity(matmul(wide, wide.t()), 1.0);
  Tensor tall = init::orthogonal_(empty({9, 4}), 2.0);  // columns orthonormal, scaled: Wᵀ W = 4 I
  expect_identity(matmul(tall.t(), tall), 2.0);
  Tensor square = init::orthogonal_(empty({6, 6}, kFloat64));
  expect_identity(matmul(square, square.t()), 1.0);
  expect_identity(matmul(square.t(), square), 1.0);
  Tensor conv = init::orthogonal_(empty({3, 2, 2, 2}));  // flattened to 3 x 8
  Tensor flat = conv.reshape({3, 8});
  expect_identity(matmul(flat, flat.t()), 1.0);
  // Not a fixed matrix: two draws differ.
  EXPECT_FALSE(init::orthogonal_(empty({4, 4})).equal(init::orthogonal_(empty({4, 4}))));
  expect_error_containing<ValueError>([] { init::orthogonal_(empty({3})); },
                                      "Only tensors with 2 or more dimensions are supported");
}

// Mean and std of N(mu, sigma) truncated to [a, b].
std::pair<double, double> truncated_moments(double mu, double sigma, double a, double b) {
  auto pdf = [](double x) { return std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI); };
  auto cdf = [](double x) { return 0.5 * (1 + std::erf(x / std::sqrt(2.0))); };
  double al = (a - mu) / sigma, be = (b - mu) / sigma, z = cdf(be) - cdf(al);
  double m = (pdf(al) - pdf(be)) / z;
  double var = 1 + (al * pdf(al) - be * pdf(be)) / z - m * m;
  return {mu + sigma * m, sigma * std::sqrt(var)};
}

TEST(NnInit, TruncNormalBoundsAndMoments) {
  manual_seed(9);
  struct Case {
    double mean, std, a, b;
  };
  // The first two hold most of the mass (redraw sampler); the last two little (rejection sampler).
  for (Case c : {Case{0, 1, -2, 2}, Case{1, 2, -1, 4}, Case{0, 1, 1, 3}, Case{0, 0.02, 0.05, 0.1}}) {
    Tensor t = init::trunc_normal_(empty({100000}, kFloat64), c.mean, c.std, c.a, c.b);
    EXPECT_GE(t.min().item<double>(), c.a);
    EXPECT_LE(t.max().item<double>(), c.b);
    auto [m, s] = truncated_moments(c.mean, c.std, c.a, c.b);
    EXPECT_NEAR(mean_of(t), m, 0.015 * s) << c.a << " " << c.b;
    EXPECT_NEAR(std_of(t), s, 0.015 * s) << c.a << " " << c.b;
  }
  Tensor f = init::trunc_normal_(empty({1000}), 0.0, 1.0, -0.5, 0.5);
  EXPECT_EQ(f.dtype(), kFloat32);
  EXPECT_LE(f.abs().max().item<double>(), 0.5);
  expect_error_containing<NotImplementedError>([] { init::trunc_normal_(zeros({3}, kInt64)); },
                                               "not implemented for 'Long'");
}

TEST(NnInit, SparseZerosPerColumn) {
  manual_seed(2);
  Tensor s = init::sparse_(empty({10, 40}), 0.25, 0.5);
  Tensor zeros_per_col = (s == 0.0).sum({0});
  // ceil(0.25 * 10) = 3 zeros in each column.
  for (int64_t j = 0; j < 40; ++j) EXPECT_EQ(zeros_per_col.index({j}).item<int64_t>(), 3);
  Tensor nonzero = s.masked_select(s != 0.0);
  EXPECT_NEAR(std_of(nonzero), 0.5, 0.06);
  expect_error_containing<ValueError>([] { init::sparse_(empty({3}), 0.1); },
                                      "Only tensors with 2 dimensions are supported");
}

}  // namespace
}  // namespace fl::test
