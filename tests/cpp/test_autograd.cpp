// Tape autograd semantics: accumulation, retain_graph, create_graph, grad_fn names, version checks, no_grad.
#include "test_util.h"

namespace fl::test {
namespace {

Tensor leaf(std::vector<double> v) { return tensor(v, std::nullopt, kFloat64).requires_grad_(); }
void backward_ones(const Tensor& y, bool retain = false) { autograd::backward({y}, {ones_like(y)}, retain); }

TEST(Autograd, LeafGradAccumulatesAcrossBackwards) {
  Tensor x = leaf({1, 2, 3});
  Tensor y = x * x;
  backward_ones(y, true);
  expect_values(x.grad(), {2, 4, 6});
  backward_ones(y);
  expect_values(x.grad(), {4, 8, 12});
  Tensor g = x.grad();
  backward_ones(x * 3.0);
  expect_values(g, {7, 11, 15});  // accumulated in place, as PyTorch does
}

TEST(Autograd, SecondBackwardWithoutRetainGraphFails) {
  Tensor x = leaf({1, 2});
  Tensor y = x.exp();
  backward_ones(y);
  EXPECT_THROW(backward_ones(y), Error);
  // Nodes that save nothing can be run again (AddBackward0), as in PyTorch.
  Tensor z = x + 1.0;
  backward_ones(z);
  EXPECT_NO_THROW(backward_ones(z));
}

TEST(Autograd, GradFnNamesAndLeaves) {
  Tensor x = leaf({1, 2, 3, 4}).detach().reshape({2, 2}).requires_grad_();
  EXPECT_TRUE(x.is_leaf());
  EXPECT_EQ(x.grad_fn(), nullptr);
  EXPECT_EQ((x + x).grad_fn_name(), "AddBackward0");
  EXPECT_EQ((x * 2.0).grad_fn_name(), "MulBackward0");
  EXPECT_EQ(x.exp().grad_fn_name(), "ExpBackward0");
  EXPECT_EQ(x.t().grad_fn_name(), "TBackward0");
  EXPECT_EQ(x.select(0, 1).grad_fn_name(), "SelectBackward0");
  EXPECT_EQ(x.transpose(0, 1).grad_fn_name(), "TransposeBackward0");
  EXPECT_EQ(x.view({4}).grad_fn_name(), "ViewBackward0");
  EXPECT_EQ(x.unsqueeze(0).grad_fn_name(), "UnsqueezeBackward0");
  EXPECT_EQ(x.expand({3, 2, 2}).grad_fn_name(), "ExpandBackward0");
  Tensor y = x * 1.0;
  EXPECT_FALSE(y.is_leaf());
  y.select(0, 0).mul_(2.0);
  EXPECT_EQ(y.grad_fn_name(), "CopySlices");
  auto fn = (x + x).grad_fn();
  ASSERT_EQ(fn->next_functions.size(), 2u);
  EXPECT_EQ(fn->next_functions[0].node->name(), "AccumulateGrad");
}

TEST(Autograd, InplaceOnViewOfNonLeafGivesCorrectGradients) {
  Tensor x = leaf({1, 2, 3, 4, 5, 6}).detach().reshape({2, 3}).requires_grad_();
  Tensor y = x * 1.0;
  y.select(0, 0).mul_(2.0);
  backward_ones(y);
  expect_values(x.grad(), {2, 2, 2, 1, 1, 1});
}

TEST(Autograd, WriteGradTensorIntoPlainBuffer) {
  Tensor w = leaf({5, 6});
  Tensor buf = zeros({4}, kFloat64);
  buf.slice(0, 1, 3).copy_(w * w);
  EXPECT_TRUE(buf.requires_grad());
  EXPECT_EQ(buf.grad_fn_name(), "CopySlices");
  backward_ones(buf * 3.0);
  expect_values(w.grad(), {30, 36});
}

TEST(Autograd, SavedTensorModifiedInplaceRaises) {
  Tensor x = leaf({1, 2, 3});
  Tensor y = x.exp();  // saves its output
  y.add_(1.0);
  try {
    backward_ones(y);
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("one of the variables needed for gradient computation has been modified by an inplace operation: "
                       "[torch.DoubleTensor [3]], which is output 0 of ExpBackward0, is at version 1; expected version 0 "
                       "instead."),
              std::string::npos)
        << msg;
  }
  Tensor a = x * 2.0;
  Tensor b = a.sin();  // saves its input
  a.mul_(3.0);
  EXPECT_THROW(backward_ones(b), Error);
  // add saves nothing: modifying its input afterwards is fine.
  Tensor c = x * 2.0;
  Tensor d = c + 1.0;
  c.mul_(3.0);
  x.mutable_grad() = Tensor();
  backward_ones(d);
  expect_values(x.grad(), {2, 2, 2});
}

TEST(Autograd, RetainGradOnNonLeaf) {
  Tensor x = leaf({1, 2});
  Tensor y = x * 3.0;
  y.retain_grad();
  Tensor z = y * y;
  backward_ones(z);
  expect_values(y.grad(), {6, 12});
  expect_values(x.grad(), {18, 36});
  EXPECT_FALSE((x * 2.0).retains_grad());
}

TEST(Autograd, CreateGraphGivesHigherOrderGradients) {
  Tensor x = leaf({1, 2, 3});
  Tensor y = x * x * x;
  auto g = autograd::grad({y}, {x}, {ones_like(y)}, std::nullopt, true);
  expect_values(g[0], {3, 12, 27});
  EXPECT_TRUE(g[0].requires_grad());
  auto h = autograd::grad({g[0]}, {x}, {ones_like(x)});
  expect_values(h[0], {6, 12, 18});
  // Hessian-vector product of f(x) = sum(sin(x) * x): H = diag(2 cos x - x sin x).
  Tensor v = tensor({1.0, -1.0, 0.5}, kFloat64);
  Tensor f = x.sin() * x;
  auto gf = autograd::grad({f}, {x}, {ones_like(f)}, std::nullopt, true);
  auto hv = autograd::grad({gf[0] * v}, {x}, {ones_like(x)});
  std::vector<double> expect;
  for (int i = 0; i < 3; ++i) {
    double xi = i + 1.0, vi = std::vector<double>{1, -1, 0.5}[i];
    expect.push_back((2 * std::cos(xi) - xi * std::sin(xi)) * vi);
  }
  expect_values(hv[0], expect, 1e-12);
  // backward(create_graph=True) leaves a differentiable .grad (gradient penalty).
  Tensor w = leaf({2.0});
  Tensor loss = w * w * w;
  loss.backward(ones_like(loss), false, true);
  Tensor penalty = w.grad() * w.grad();  // (3 w^2)^2 -> d/dw = 36 w^3
  w.mutable_grad() = Tensor();
  backward_ones(penalty);
  expect_values(w.grad(), {36 * 8});
}

TEST(Autograd, GradApiAndErrors) {
  Tensor x = leaf({1, 2});
  Tensor unused = leaf({3});
  Tensor y = x * x;
  EXPECT_THROW(autograd::grad({y}, {x, unused}, {ones_like(y)}, true), Error);
  auto g = autograd::grad({y}, {x, unused}, {ones_like(y)}, true, false, true);
  expect_values(g[0], {2, 4});
  EXPECT_FALSE(g[1].defined());
  EXPECT_FALSE(x.grad().defined());  // autograd.grad does not touch .grad
  EXPECT_THROW(y.backward(), Error);  // grad can be implicitly created only for scalar outputs
  Tensor c = tensor({1.0});
  EXPECT_THROW(c.backward(), Error);  // does not require grad
  EXPECT_THROW(tensor({1, 2}).requires_grad_(), Error);
  EXPECT_THROW((x * 2.0).requires_grad_(false), Error);
  EXPECT_THROW(autograd::backward({y}, {ones({3}, kFloat64)}), Error);  // shape mismatch
}

TEST(Autograd, NoGradAndEnableGrad) {
  Tensor x = leaf({1, 2});
  {
    NoGradGuard g;
    Tensor y = x * 2.0;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
    {
      EnableGradGuard e;
      EXPECT_TRUE((x * 2.0).requires_grad());
    }
  }
  EXPECT_TRUE(is_grad_enabled());
  EXPECT_FALSE((x.detach() * 2.0).requires_grad());
}

TEST(Autograd, BroadcastGradientsReduceToInputShape) {
  Tensor a = tensor(std::vector<double>{1, 2, 3}, Shape{3, 1}, kFloat64).requires_grad_();
  Tensor b = tensor(std::vector<double>{10, 20}, Shape{1, 2}, kFloat64).requires_grad_();
  backward_ones(a * b);
  expect_values(a.grad(), {30, 30, 30}, {3, 1});
  expect_values(b.grad(), {6, 6}, {1, 2});
}

TEST(Autograd, FunctionalValueAndGrad) {
  auto f = [](const std::vector<Tensor>& xs) { return (xs[0] * xs[0] * xs[1]).sum(); };
  auto vg = value_and_grad(f);
  auto [value, grads] = vg({tensor({1.0, 2.0}, kFloat64), tensor({3.0, 4.0}, kFloat64)});
  EXPECT_DOUBLE_EQ(value.item<double>(), 3 + 16);
  expect_values(grads[0], {6, 16});
  expect_values(grads[1], {1, 4});
  auto g = fl::grad(f)({tensor({1.0, 2.0}, kFloat64), tensor({3.0, 4.0}, kFloat64)});
  expect_values(g[0], {6, 16});
}

TEST(Autograd, ViewGradientsAndIntegerOutputs) {
  Tensor x = leaf({1, 2, 3, 4, 5, 6}).detach().reshape({2, 3}).requires_grad_();
  backward_ones(x.t().slice(0, 1, 3).select(1, 0) * 5.0);
  expect_values(x.grad(), {0, 5, 5, 0, 0, 0});
  EXPECT_FALSE((x > 2.0).requires_grad());
}

}  // namespace
}  // namespace fl::test
