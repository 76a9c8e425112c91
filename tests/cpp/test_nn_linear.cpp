// linear and bilinear against hand-computed values and an einsum reference over batch ranks, PyTorch's
// dispatch (grad_fn names), errors, and float64 gradient rows.
#include "fl/nn/functional/linear.h"
#include "nn_test_util.h"

namespace fl::test {
namespace F = fl::nn::functional;

static ValueTested kValues({"linear", "bilinear"});

TEST(NnLinear, LinearValues) {
  Tensor x = f64({1, 2}, {1, 2}), w = f64({1, 1, 2, -1}, {2, 2}), b = f64({0.5, 1}, {2});
  expect_values(F::linear(x, w, b), {3.5, 1}, {1, 2}, 1e-12);
  expect_values(F::linear(x, w), {3, 0}, {1, 2}, 1e-12);
  expect_values(F::linear(x[0], w, b), {3.5, 1}, {2}, 1e-12);
  expect_values(F::linear(x.reshape({1, 1, 2}).expand({2, 1, 2}), w, b), {3.5, 1, 3.5, 1}, {2, 1, 2}, 1e-12);
  expect_values(F::linear(x, f64({1, 1}, {2})), {3}, {1}, 1e-12);
  // N-D input against matmul with the transposed weight, contiguous and not.
  Tensor xs = random_input({2, 3, 4}), ws = random_input({5, 4}, -2, 2, 1), bs = random_input({5}, -2, 2, 2);
  EXPECT_TRUE(F::linear(xs, ws, bs).allclose(matmul(xs, ws.t()) + bs, 1e-12, 1e-12));
  EXPECT_TRUE(F::linear(xs.transpose(0, 1), ws, bs).allclose(matmul(xs.transpose(0, 1), ws.t()) + bs, 1e-12, 1e-12));
}

TEST(NnLinear, LinearFollowsTorchDispatch) {
  Tensor w = random_input({5, 4}).requires_grad_(), b = random_input({5}).requires_grad_();
  EXPECT_EQ(F::linear(random_input({3, 4}), w, b).grad_fn_name(), "AddmmBackward0");
  EXPECT_EQ(F::linear(random_input({2, 3, 4}), w, b).grad_fn_name(), "ViewBackward0");
  EXPECT_EQ(F::linear(random_input({3, 4}), w).grad_fn_name(), "MmBackward0");
}

TEST(NnLinear, BilinearValues) {
  Tensor x1 = f64({1, 2}, {1, 2}), x2 = f64({3}, {1, 1}), w = f64({1, 2}, {1, 2, 1});
  expect_values(F::bilinear(x1, x2, w, f64({1}, {1})), {16}, {1, 1}, 1e-12);
  expect_values(F::bilinear(x1[0], x2[0], w), {15}, {1}, 1e-12);
  Tensor a = random_input({2, 3, 4}), c = random_input({2, 3, 5}, -2, 2, 1), W = random_input({6, 4, 5}, -2, 2, 2);
  Tensor bias = random_input({6}, -2, 2, 3);
  EXPECT_TRUE(F::bilinear(a, c, W, bias).allclose(einsum("abi,abj,oij->abo", {a, c, W}) + bias, 1e-12, 1e-12));
}

TEST(NnLinear, Errors) {
  expect_error_containing<Error>(
      [] {
        F::linear(random_input({3, 4}), random_input({5, 3}));
      },
      "mat1 and mat2 shapes cannot be multiplied (3x4 and 3x5)");
  expect_error_containing<Error>(
      [] {
        F::linear(random_input({}), random_input({5, 4}));
      },
      "both arguments to linear need to be at least 1D, but they are 0D and 2D");
  expect_error_containing<Error>(
      [] {
        F::linear(random_input({3, 4}), random_input({2, 5, 4}));
      },
      "t() expects a tensor with <= 2 dimensions, but self is 3D");
  expect_error_containing<Error>(
      [] {
        F::bilinear(random_input({3, 4}), random_input({3, 5}), random_input({6, 4, 6}));
      },
      "bilinear(): input2 size does not match weight size: got 5 but expected 6");
  expect_error_containing<Error>(
      [] {
        F::bilinear(random_input({3, 4}), random_input({2, 5}), random_input({6, 4, 5}));
      },
      "bilinear(): input batch dimensions do not match");
  expect_error_containing<Error>(
      [] {
        F::bilinear(random_input({3, 4}), random_input({3, 5}), random_input({6, 4, 5}), random_input({5}));
      },
      "bilinear(): bias size does not match weight size: got 5 but expected 6");
}

static GradCases kGrads({
    {"linear", [](auto& x) { return F::linear(x[0], x[1], x[2]); }, {{3, 4}, {5, 4}, {5}}},
    {"linear", [](auto& x) { return F::linear(x[0], x[1], x[2]); }, {{2, 3, 4}, {5, 4}, {5}}},
    {"linear", [](auto& x) { return F::linear(x[0].transpose(0, 1), x[1]); }, {{4, 2, 3}, {5, 3}}},
    {"linear", [](auto& x) { return F::linear(x[0], x[1]); }, {{3, 4}, {4}}},
    {"bilinear", [](auto& x) { return F::bilinear(x[0], x[1], x[2], x[3]); }, {{3, 4}, {3, 2}, {2, 4, 2}, {2}}},
    {"bilinear", [](auto& x) { return F::bilinear(x[0], x[1], x[2]); }, {{2, 2, 3}, {2, 2, 2}, {3, 3, 2}}},
});

}  // namespace fl::test
