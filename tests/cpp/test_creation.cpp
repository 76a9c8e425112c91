// Creation and random ops: values, dtypes, options and errors.
#include <set>

#include "test_util.h"

namespace fl::test {
namespace {

TEST(Creation, BasicFactories) {
  expect_values(zeros({2, 2}), {0, 0, 0, 0}, {2, 2});
  expect_values(ones({3}), {1, 1, 1}, {3});
  expect_values(empty({0, 3}), {}, {0, 3});
  EXPECT_EQ(zeros({2}).dtype(), kFloat32);
  EXPECT_EQ(zeros({2}, kInt32).dtype(), kInt32);
  expect_values(full({2}, 7), {7, 7});
  EXPECT_EQ(full({2}, 7).dtype(), kInt64);
  EXPECT_EQ(full({2}, 7.5).dtype(), kFloat32);
  EXPECT_EQ(full({2}, true).dtype(), kBool);
  expect_values(eye(2, 3), {1, 0, 0, 0, 1, 0}, {2, 3});
  expect_values(eye(2), {1, 0, 0, 1}, {2, 2});
  Tensor like = ones({2, 3}, kFloat64);
  EXPECT_EQ(zeros_like(like).dtype(), kFloat64);
  EXPECT_EQ(ones_like(like, kInt32).dtype(), kInt32);
  expect_values(full_like(like, 2.5), {2.5, 2.5, 2.5, 2.5, 2.5, 2.5}, {2, 3});
  EXPECT_EQ(empty_like(like).sizes(), (Shape{2, 3}));
  expect_values(scalar_tensor(3.5, {}), {3.5}, {});
  expect_values(tensor(4), {4}, {});
  EXPECT_EQ(tensor(4).dtype(), kInt64);
  EXPECT_EQ(tensor({1.0, 2.0}).dtype(), kFloat32);
  EXPECT_EQ(tensor({1, 2}).dtype(), kInt64);
  EXPECT_EQ(tensor({true, false}).dtype(), kBool);
  expect_values(tensor(std::vector<double>{1, 2, 3, 4, 5, 6}, Shape{2, 3}), {1, 2, 3, 4, 5, 6}, {2, 3});
  Tensor r = ones({2}, TensorOptions().requires_grad());
  EXPECT_TRUE(r.requires_grad() && r.is_leaf());
  auto a = mlx::core::array({1.0f, 2.0f});
  expect_values(from_mlx(a), {1, 2});
}

TEST(Creation, RangesMatchPyTorch) {
  expect_values(arange(5), {0, 1, 2, 3, 4});
  EXPECT_EQ(arange(5).dtype(), kInt64);
  expect_values(arange(1, 2.5, 0.5), {1, 1.5, 2});
  EXPECT_EQ(arange(1, 2.5, 0.5).dtype(), kFloat32);
  expect_values(arange(5, 0, -2), {5, 3, 1});
  expect_values(arange(0, 10, 3, kFloat64), {0, 3, 6, 9});
  // torch.linspace(0, 1, 5) and torch.linspace(-1, 1, 4, dtype=float64)
  expect_values(linspace(0, 1, 5), {0, 0.25, 0.5, 0.75, 1});
  expect_values(linspace(-1, 1, 4, kFloat64), {-1, -1.0 / 3, 1.0 / 3, 1}, 1e-15);
  expect_values(linspace(2, 2, 1), {2});
  EXPECT_EQ(linspace(0, 1, 0).numel(), 0);
  expect_values(logspace(0, 2, 3), {1, 10, 100});
  expect_values(linspace(0, 10, 4, kInt64), {0, 3, 6, 10});
}

TEST(Creation, Errors) {
  EXPECT_THROW(zeros({-1}), Error);
  EXPECT_THROW(arange(0, 5, 0), Error);
  EXPECT_THROW(arange(5, 0, 1), Error);
  EXPECT_THROW(linspace(0, 1, -1), Error);
  EXPECT_THROW(eye(-1), Error);
  EXPECT_THROW(tensor(std::vector<double>{1, 2, 3}, Shape{2, 2}), Error);
  EXPECT_THROW(zeros({2}, TensorOptions(kInt64).requires_grad()), Error);
  if (!gpu_available()) EXPECT_THROW(zeros({2}, TensorOptions(Device("cuda"))), Error);
  EXPECT_THROW(zeros({2}, TensorOptions(Device("cuda:1"))), Error);  // MLX has at most one GPU
  EXPECT_THROW(Device("tpu"), Error);
  EXPECT_EQ(Device("cuda:1").index(), 1);
  EXPECT_EQ(Device("cpu").str(), "cpu");
}

TEST(Random, SeededReproducibleAndInRange) {
  manual_seed(42);
  Tensor a = rand({100});
  manual_seed(42);
  Tensor b = rand({100});
  EXPECT_TRUE(equal(a, b));
  EXPECT_FALSE(equal(rand({100}), a));
  for (double v : a.tolist<double>()) ASSERT_TRUE(v >= 0 && v < 1);
  Generator g(3);
  Tensor c = rand({5}, kFloat64, &g);
  Generator g2(3);
  EXPECT_TRUE(equal(c, rand({5}, kFloat64, &g2)));
  EXPECT_EQ(c.dtype(), kFloat64);
  // Moments of large draws.
  auto stats = [](const Tensor& t) {
    auto v = t.tolist<double>();
    double m = 0, s = 0;
    for (double x : v) m += x / v.size();
    for (double x : v) s += (x - m) * (x - m) / v.size();
    return std::make_pair(m, std::sqrt(s));
  };
  auto [m1, s1] = stats(randn({20000}, kFloat64));
  EXPECT_NEAR(m1, 0, 0.03);
  EXPECT_NEAR(s1, 1, 0.03);
  auto [m2, s2] = stats(normal(3.0, 2.0, {20000}));
  EXPECT_NEAR(m2, 3, 0.06);
  EXPECT_NEAR(s2, 2, 0.06);
  auto [m3, s3] = stats(uniform({20000}, -1, 3));
  EXPECT_NEAR(m3, 1, 0.05);
  EXPECT_NEAR(s3, 4 / std::sqrt(12.0), 0.05);
  auto [m4, s4] = stats(normal(full({20000}, 1.0), full({20000}, 0.5)));
  EXPECT_NEAR(m4, 1, 0.03);
  EXPECT_NEAR(s4, 0.5, 0.03);
  auto [m5, s5] = stats(rand_like(ones({20000}, kFloat64)));
  EXPECT_NEAR(m5, 0.5, 0.02);
  EXPECT_EQ(randn_like(ones({2}, kFloat64)).dtype(), kFloat64);
  (void)s5;
}

TEST(Random, IntegerDraws) {
  Tensor r = randint(3, 7, {1000});
  EXPECT_EQ(r.dtype(), kInt64);
  std::set<int64_t> seen;
  for (auto v : r.tolist<int64_t>()) {
    ASSERT_TRUE(v >= 3 && v < 7);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 4u);
  EXPECT_EQ(randint(5, {2}).dtype(), kInt64);
  Tensor p = randperm(10);
  auto pv = p.tolist<int64_t>();
  EXPECT_EQ(std::set<int64_t>(pv.begin(), pv.end()).size(), 10u);
  EXPECT_EQ(p.dtype(), kInt64);
  Tensor bern = bernoulli(full({10000}, 0.3, kFloat64));
  double mean = 0;
  for (double v : bern.tolist<double>()) mean += v / 10000;
  EXPECT_NEAR(mean, 0.3, 0.03);
  EXPECT_EQ(bern.dtype(), kFloat64);
  Tensor bern2 = bernoulli(zeros({1000}), 1.0);
  for (double v : bern2.tolist<double>()) ASSERT_EQ(v, 1.0);
  Tensor m = multinomial(tensor({0.0, 1.0, 0.0, 3.0}), 2);
  auto mv = m.tolist<int64_t>();
  EXPECT_EQ(std::set<int64_t>(mv.begin(), mv.end()), (std::set<int64_t>{1, 3}));
  Tensor mr = multinomial(tensor({0.0, 1.0}), 5, true);
  for (auto v : mr.tolist<int64_t>()) EXPECT_EQ(v, 1);
  // Rows of a 2-D distribution, with replacement: shape (rows, num_samples).
  Tensor m2 = multinomial(tensor(std::vector<double>{0, 1, 0, 0, 0, 1}, Shape{2, 3}), 5, true);
  EXPECT_EQ(m2.sizes(), (Shape{2, 5}));
  EXPECT_EQ(m2.tolist<int64_t>(), (std::vector<int64_t>{1, 1, 1, 1, 1, 2, 2, 2, 2, 2}));
  // Fewer samples than categories (mx::random::categorical failed to broadcast this shape).
  Tensor m3 = multinomial(tensor(std::vector<double>{0, 0, 2, 0, 0, 1, 0, 0, 0, 0}, Shape{2, 5}), 4, true);
  EXPECT_EQ(m3.sizes(), (Shape{2, 4}));
  EXPECT_EQ(m3.tolist<int64_t>(), (std::vector<int64_t>{2, 2, 2, 2, 0, 0, 0, 0}));
  EXPECT_THROW(randint(5, 5, {2}), Error);
  EXPECT_THROW(rand({2}, kInt64), NotImplementedError);
  EXPECT_THROW(bernoulli(full({2}, 1.5)), Error);
  EXPECT_THROW(multinomial(tensor({1.0, 1.0}), 3), Error);
  EXPECT_THROW(normal(0.0, -1.0, {2}), Error);
}

static ValueTested kValues({"empty", "zeros", "ones", "full", "arange", "linspace", "logspace", "eye", "empty_like",
                            "zeros_like", "ones_like", "full_like", "scalar_tensor", "tensor", "from_mlx", "rand",
                            "randn", "randint", "randperm", "rand_like", "randn_like", "normal", "uniform",
                            "bernoulli", "multinomial"});

}  // namespace
}  // namespace fl::test
