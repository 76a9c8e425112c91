// autograd::custom_function: a hand-written backward inside the tape.
#include "test_util.h"

namespace fl::test {
namespace {

// y = x^3 with backward 3 x^2 g, written by hand (and differentiable again through create_graph).
Tensor cube(const Tensor& x) {
  return autograd::custom_function(
      "CubeBackward", {x}, [](const std::vector<Tensor>& in) { return std::vector<Tensor>{in[0] * in[0] * in[0]}; },
      [x](const std::vector<Tensor>& g) { return std::vector<Tensor>{g[0] * 3.0 * x * x}; })[0];
}

TEST(CustomFunction, ForwardBackwardAndDoubleBackward) {
  Tensor x = tensor({1.0, 2.0}, kFloat64).requires_grad_();
  Tensor y = cube(x);
  EXPECT_EQ(y.grad_fn_name(), "CubeBackward");
  expect_values(y, {1, 8});
  auto g = autograd::grad({y}, {x}, {ones_like(y)}, std::nullopt, true);
  expect_values(g[0], {3, 12});
  auto h = autograd::grad({g[0]}, {x}, {ones_like(x)});
  expect_values(h[0], {6, 12});
  Tensor z = cube(x * 2.0) + x;
  autograd::backward({z}, {ones_like(z)});
  expect_values(x.grad(), {25, 97});  // 3 (2x)^2 * 2 + 1
}

TEST(CustomFunction, BackwardWithoutRetainGraphFreesWhatBackwardCaptured) {
  Tensor x = tensor({1.0, 2.0}, kFloat64).requires_grad_();
  auto token = std::make_shared<int>(0);
  std::weak_ptr<int> watch = token;
  Tensor y = autograd::custom_function(
      "TwiceBackward", {x}, [](const std::vector<Tensor>& in) { return std::vector<Tensor>{in[0] * 2.0}; },
      [token](const std::vector<Tensor>& g) { return std::vector<Tensor>{g[0] * 2.0}; })[0];
  token.reset();
  EXPECT_FALSE(watch.expired());  // the graph holds the backward
  y.sum().backward();
  EXPECT_TRUE(watch.expired());  // released with the graph
  expect_values(x.grad(), {2, 2});
  EXPECT_THROW(y.sum().backward(), Error);
}

TEST(CustomFunction, NoGradInputsAndErrors) {
  Tensor x = tensor({1.0, 2.0}, kFloat64);
  Tensor y = cube(x);
  EXPECT_FALSE(y.requires_grad());
  Tensor w = tensor({1.0}, kFloat64).requires_grad_();
  Tensor bad = autograd::custom_function(
      "Bad", {w}, [](const std::vector<Tensor>& in) { return std::vector<Tensor>{in[0] * 2.0}; },
      [](const std::vector<Tensor>& g) { return std::vector<Tensor>{g[0], g[0]}; })[0];
  EXPECT_THROW(autograd::backward({bad}, {ones_like(bad)}), Error);
}

}  // namespace
}  // namespace fl::test
