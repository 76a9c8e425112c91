// What a training step relies on for speed, checked for values: backward leaves fresh leaf gradients lazy (read
// or stepped, they hold the right values; accumulating ones are evaluated, so repeated backwards never grow one
// graph), Linear's weight gradient comes out row-major, and ReLU's backward primitive (kernels/relu_grad.h) against
// the closed form, eager and lazy, with its own gradients, jvp and vmap.
#include <gtest/gtest.h>
#include <mlx/mlx.h>

#include <cmath>
#include <limits>
#include <vector>

#include "fl/nn/functional/linear.h"
#include "fl/optim/sgd.h"
#include "kernels/elementwise_impl.h"
#include "kernels/relu_grad.h"
#include "test_util.h"

namespace fl::test {
namespace {
namespace mx = mlx::core;
namespace F = fl::nn::functional;

TEST(TrainStep, FreshLeafGradsStayLazyAndHoldTheirValues) {
  Tensor w = tensor(std::vector<double>{1.0, -2.0, 3.0}, std::nullopt, kFloat64).requires_grad_();
  (w * w).sum().backward();
  EXPECT_FALSE(w.grad().mlx().is_available());  // evaluated by whoever reads it, the optimizer step included
  w.detach().mul_(10.0);                        // the parameter changes; the gradient was taken before
  expect_values(w.grad(), {2, -4, 6}, {3}, 1e-15);
}

TEST(TrainStep, AccumulatedGradsAreEvaluated) {
  Tensor w = tensor(std::vector<double>{1.0, -2.0, 3.0}, std::nullopt, kFloat64).requires_grad_();
  for (int i = 1; i <= 50; ++i) {
    (w * w).sum().backward();
    if (i > 1) EXPECT_TRUE(w.grad().mlx().is_available()) << "backward " << i;
  }
  expect_values(w.grad(), {100, -200, 300}, {3}, 1e-12);
  optim::zero_grad({w}, /*set_to_none=*/false);
  (w * 3.0).sum().backward();
  expect_values(w.grad(), {3, 3, 3}, {3}, 1e-15);
}

TEST(TrainStep, StepEvaluatesLazyGradsWithTheUpdate) {
  Tensor w = tensor(std::vector<double>{1.0, -2.0}, std::nullopt, kFloat64).requires_grad_();
  optim::SGD opt({w}, optim::SGDOptions{.lr = 0.1});
  for (int i = 0; i < 3; ++i) {
    opt.zero_grad();
    (w * w).sum().backward();
    opt.step();
    EXPECT_TRUE(w.grad().mlx().is_available());
  }
  expect_values(w, {std::pow(0.8, 3), -2 * std::pow(0.8, 3)}, {2}, 1e-15);
}

TEST(TrainStep, LinearWeightGradIsRowMajor) {
  Tensor x = tensor(std::vector<double>{1.0, 2.0, 3.0, 4.0, 5.0, 6.0}, std::nullopt, kFloat64).view({2, 3});
  Tensor w =
      tensor(std::vector<double>{0.5, -1.0, 2.0, 1.5, 0.0, -0.5}, std::nullopt, kFloat64).view({2, 3}).requires_grad_();
  Tensor b = zeros({2}, kFloat64).requires_grad_();
  Tensor g = tensor(std::vector<double>{1.0, -1.0, 2.0, 0.5}, std::nullopt, kFloat64).view({2, 2});
  (F::linear(x, w, b) * g).sum().backward();
  // dW = g^T x, PyTorch's layout: the fused updates read it without a gather.
  expect_values(w.grad(), {9, 12, 15, 1, 0.5, 0}, {2, 3}, 1e-15);
  EXPECT_TRUE(w.grad().mlx().flags().row_contiguous);
  expect_values(b.grad(), {3, -0.5}, {2}, 1e-15);
}

// relu_grad over n elements of y with zeros, negatives, positives and nan; g random.
template <class T>
void check_relu_grad(size_t n, bool lazy) {
  std::vector<T> gv(n), yv(n);
  for (size_t i = 0; i < n; ++i) {
    gv[i] = static_cast<T>(std::sin(0.37 * i) * 3);
    const int k = i % 5;
    yv[i] = k == 0 ? T(0) : k == 1 ? T(-1.5) : k == 2 ? std::numeric_limits<T>::quiet_NaN() : T(0.25 * i);
  }
  const mx::Shape shape{static_cast<int>(n)};
  const mx::Dtype dt = std::is_same_v<T, float> ? mx::float32 : mx::float64;
  mx::array g(gv.begin(), shape, dt), y(yv.begin(), shape, dt);
  if (lazy) {  // inputs inside a graph: the primitive (or MLX below its threshold)
    g = mx::add(g, mx::array(0.0, dt));
    y = mx::add(y, mx::array(0.0, dt));
  } else {
    mx::eval(g, y);
  }
  mx::array r = fl::kernels::relu_grad(g, y);
  mx::eval(r);
  const T* out = r.data<T>();
  for (size_t i = 0; i < n; ++i) {
    // PyTorch's threshold_backward: zero where y <= 0; nan (not <= 0) passes the gradient.
    const T want = yv[i] <= 0 ? T(0) : gv[i];
    ASSERT_EQ(out[i], want) << "element " << i << " of " << n << (lazy ? " (lazy)" : " (computed)");
  }
}

TEST(TrainStep, ReluGradMatchesThresholdBackward) {
  const size_t big = fl::kernels::detail::kCheap.threaded_from + 3;  // split between threads when there are 2
  for (size_t n : {size_t(1), size_t(7), size_t(4095), size_t(4096), size_t(4099), big})
    for (bool lazy : {false, true}) {
      check_relu_grad<float>(n, lazy);
      check_relu_grad<double>(n, lazy);
    }
}

TEST(TrainStep, ReluBackwardThroughTheOpMatchesTheMask) {
  const int n = 5000;  // above the lazy threshold: backward runs the primitive
  Tensor x = (arange(n, kFloat64) - 2500.0).requires_grad_();
  Tensor g = cos(arange(n, kFloat64));
  relu(x).backward(g);
  Tensor want = where(x.detach() > 0, g, zeros_like(g));
  EXPECT_TRUE(equal(x.grad(), want));
  // Second order: d/dg of <relu_grad(g, y), c> is the same mask; finite differences in float64.
  expect_gradcheck([](const std::vector<Tensor>& in) { return relu(in[0]); }, {randn({64, 80}, kFloat64)});
}

TEST(TrainStep, ReluGradJvpVjpAndVmap) {
  const int n = 5000;
  std::vector<float> yv(n), gv(n), tv(n);
  for (int i = 0; i < n; ++i) {
    yv[i] = static_cast<float>(i % 3) - 1.0f;  // -1, 0, 1
    gv[i] = static_cast<float>(i);
    tv[i] = 0.5f;
  }
  mx::array y(yv.begin(), {n}, mx::float32), g(gv.begin(), {n}, mx::float32), t(tv.begin(), {n}, mx::float32);
  auto f = [&](const std::vector<mx::array>& in) { return std::vector<mx::array>{fl::kernels::relu_grad(in[0], y)}; };
  auto [outs, jvps] = mx::jvp(f, {g}, {t});
  auto [outs2, vjps] = mx::vjp(f, {g}, {t});
  mx::array mask = mx::astype(mx::greater(y, mx::array(0.0f)), mx::float32);
  EXPECT_TRUE(mx::array_equal(jvps[0], mx::multiply(t, mask)).item<bool>());
  EXPECT_TRUE(mx::array_equal(vjps[0], mx::multiply(t, mask)).item<bool>());
  // vmap over a leading axis of g, y shared.
  mx::array g2 = mx::stack({g, mx::negative(g)});
  auto mapped = mx::vmap([&](const mx::array& a) { return fl::kernels::relu_grad(a, y); })(g2);
  EXPECT_TRUE(mx::array_equal(mapped, mx::multiply(g2, mask)).item<bool>());
}

}  // namespace
}  // namespace fl::test
