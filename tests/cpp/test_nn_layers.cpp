// The C++ layers: Linear and Bilinear against hand computation and torch's init bounds, Flatten/Unflatten, every
// activation module against closed-form values and torch's repr, in-place activations under autograd, and a
// 2-layer MLP whose training loss falls.
#include <cmath>

#include "fl/nn/modules/activation.h"
#include "fl/nn/modules/container.h"
#include "fl/nn/modules/flatten.h"
#include "fl/nn/modules/linear.h"
#include "fl/nn/utils.h"
#include "test_util.h"

namespace fl::test {
namespace {

using namespace fl::nn;

const std::vector<double> kX = {-2.0, -0.5, 0.0, 0.5, 2.0};

Tensor f64(const std::vector<double>& v, std::optional<Shape> shape = std::nullopt) {
  return tensor(v, shape, kFloat64);
}

// Expects the module's output on kX to equal f applied elementwise.
void expect_elementwise(UnaryModule& m, const std::function<double(double)>& f, double tol = 1e-6) {
  std::vector<double> want;
  for (double v : kX) want.push_back(f(v));
  expect_values(m(f64(kX)), want, tol);
}

double sigmoid_d(double v) { return 1 / (1 + std::exp(-v)); }
double softplus_d(double v) { return std::log1p(std::exp(v)); }

TEST(NnLayers, LinearMatchesHandComputation) {
  Linear lin(3, 2);
  {
    NoGradGuard g;
    lin.weight.copy_(tensor({1.0, 2.0, 3.0, -1.0, 0.0, 1.0}).view({2, 3}));
    lin.bias.copy_(tensor({0.5, -0.5}));
  }
  // [1, 1, 2] -> [1 + 2 + 6 + 0.5, -1 + 0 + 2 - 0.5]
  expect_values(lin(tensor({1.0, 1.0, 2.0})), {9.5, 0.5}, {2});
  expect_values(lin(tensor({1.0, 1.0, 2.0, 0.0, 0.0, 0.0}).view({2, 3})), {9.5, 0.5, 0.5, -0.5}, {2, 2});
  expect_values(lin(ones({2, 1, 3})), {6.5, -0.5, 6.5, -0.5}, {2, 1, 2});
  Linear nobias(3, 2, false);
  EXPECT_FALSE(nobias.bias.defined());
  EXPECT_EQ(nobias.parameters().size(), 1u);
  {
    NoGradGuard g;
    nobias.weight.fill_(1.0);
  }
  expect_values(nobias(tensor({1.0, 2.0, 3.0}).view({1, 3})), {6, 6}, {1, 2});
  expect_error_containing<Error>(
      [&] {
        lin(zeros({5, 4}));
      },
      "mat1 and mat2 shapes cannot be multiplied (5x4 and 3x2)");
  // Gradients reach weight and bias.
  lin(ones({4, 3})).sum().backward();
  expect_values(lin.bias.grad(), {4, 4});
  expect_values(lin.weight.grad(), {4, 4, 4, 4, 4, 4}, {2, 3});
  // Options: dtype of the parameters.
  Linear dbl(LinearOptions{.in_features = 2, .out_features = 2, .tensor_options = TensorOptions(kFloat64)});
  EXPECT_EQ(dbl.weight.dtype(), kFloat64);
  EXPECT_EQ(dbl.bias.dtype(), kFloat64);
}

TEST(NnLayers, LinearDefaultInitBounds) {
  // torch: weight, bias ~ U(-1/sqrt(in), 1/sqrt(in)); std of U(-b, b) is b/sqrt(3).
  manual_seed(1);
  Linear lin(400, 300);
  double bound = 1.0 / std::sqrt(400.0);
  EXPECT_LE(lin.weight.abs().max().item<double>(), bound);
  EXPECT_GT(lin.weight.abs().max().item<double>(), 0.99 * bound);
  EXPECT_NEAR(lin.weight.std().item<double>(), bound / std::sqrt(3.0), 0.01 * bound);
  EXPECT_NEAR(lin.weight.mean().item<double>(), 0.0, 0.01 * bound);
  EXPECT_LE(lin.bias.abs().max().item<double>(), bound);
  EXPECT_GT(lin.bias.abs().max().item<double>(), 0.9 * bound);
  EXPECT_TRUE(lin.weight.is_leaf());
  EXPECT_TRUE(lin.weight.requires_grad());
  Bilinear bil(50, 30, 20);
  double b2 = 1.0 / std::sqrt(50.0);
  EXPECT_LE(bil.weight.abs().max().item<double>(), b2);
  EXPECT_NEAR(bil.weight.std().item<double>(), b2 / std::sqrt(3.0), 0.02 * b2);
  EXPECT_LE(bil.bias.abs().max().item<double>(), b2);
}

TEST(NnLayers, BilinearMatchesHandComputation) {
  Bilinear bil(2, 3, 1);
  {
    NoGradGuard g;
    bil.weight.copy_(tensor({1.0, 0.0, 2.0, 0.0, 1.0, -1.0}).view({1, 2, 3}));
    bil.bias.fill_(0.25);
  }
  // x1 A x2 = [1, 2] [[1, 0, 2], [0, 1, -1]] [1, 1, 1]ᵀ = 3 + 2 * 0 = 3
  expect_values(bil(tensor({1.0, 2.0}).view({1, 2}), ones({1, 3})), {3.25}, {1, 1});
  expect_values(bil(tensor({1.0, 2.0}), ones({3})), {3.25}, {1});
  EXPECT_EQ(bil.repr(), "Bilinear(in1_features=2, in2_features=3, out_features=1, bias=True)");
  EXPECT_EQ(Bilinear(2, 3, 4, false).repr(), "Bilinear(in1_features=2, in2_features=3, out_features=4, bias=False)");
  expect_error_containing<Error>(
      [&] {
        bil(zeros({5, 2}), zeros({5, 4}));
      },
      "bilinear(): input2 size does not match weight size: got 4 but expected 3");
  expect_error_containing<Error>(
      [&] {
        bil(zeros({5, 3}), zeros({5, 3}));
      },
      "bilinear(): input1 size does not match weight size: got 3 but expected 2");
  expect_error_containing<Error>(
      [&] {
        bil(zeros({5, 2}), zeros({6, 3}));
      },
      "bilinear(): input batch dimensions do not match at dim 0: got 5 and 6");
  expect_error_containing<Error>(
      [&] {
        bil(zeros({5, 2}), zeros({3}));
      },
      "bilinear(): input dimensions do not match: got 2 and 1");
}

TEST(NnLayers, FlattenUnflattenIdentity) {
  Tensor x = randn({2, 3, 4, 5});
  EXPECT_EQ(Flatten()(x).sizes(), (Shape{2, 60}));
  EXPECT_EQ(Flatten(0, -1)(x).sizes(), (Shape{120}));
  EXPECT_EQ(Flatten(1, 2)(x).sizes(), (Shape{2, 12, 5}));
  EXPECT_EQ(Unflatten(1, {3, 20})(Flatten()(x)).sizes(), (Shape{2, 3, 20}));
  EXPECT_EQ(Unflatten(-1, {-1, 5})(zeros({2, 10})).sizes(), (Shape{2, 2, 5}));
  EXPECT_TRUE(Unflatten(1, {3, 4, 5})(Flatten()(x)).equal(x));
  expect_error_containing<Error>(
      [] {
        Unflatten(1, {2, 3})(zeros({4, 5}));
      },
      "unflatten: Provided sizes [2, 3] don't multiply up to the size of dim 1 (5)");
  EXPECT_EQ(Flatten().repr(), "Flatten(start_dim=1, end_dim=-1)");
  EXPECT_EQ(Flatten(0, -1).repr(), "Flatten(start_dim=0, end_dim=-1)");
  EXPECT_EQ(Unflatten(1, {2, 5}).repr(), "Unflatten(dim=1, unflattened_size=(2, 5))");
  EXPECT_EQ(Identity().repr(), "Identity()");
  EXPECT_EQ(Identity()(x).impl(), x.impl());
}

TEST(NnLayers, ActivationValues) {
  const double kAlpha = 1.6732632423543772, kScale = 1.0507009873554805;
  ReLU relu;
  expect_elementwise(relu, [](double v) { return std::max(v, 0.0); });
  ReLU6 relu6;
  expect_elementwise(relu6, [](double v) { return std::min(std::max(v, 0.0), 6.0); });
  LeakyReLU leaky(0.2);
  expect_elementwise(leaky, [](double v) { return v > 0 ? v : 0.2 * v; });
  ELU elu(0.5);
  expect_elementwise(elu, [](double v) { return v > 0 ? v : 0.5 * std::expm1(v); });
  CELU celu(2.0);
  expect_elementwise(celu, [](double v) { return v > 0 ? v : 2.0 * std::expm1(v / 2.0); });
  SELU selu;
  expect_elementwise(selu, [&](double v) { return kScale * (v > 0 ? v : kAlpha * std::expm1(v)); });
  GELU gelu;
  expect_elementwise(gelu, [](double v) { return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0))); });
  GELU gelu_tanh("tanh");
  expect_elementwise(
      gelu_tanh, [](double v) { return 0.5 * v * (1 + std::tanh(std::sqrt(2 / M_PI) * (v + 0.044715 * v * v * v))); });
  SiLU silu;
  expect_elementwise(silu, [](double v) { return v * sigmoid_d(v); });
  Mish mish;
  expect_elementwise(mish, [](double v) { return v * std::tanh(softplus_d(v)); });
  Tanh tanh_m;
  expect_elementwise(tanh_m, [](double v) { return std::tanh(v); });
  Sigmoid sig;
  expect_elementwise(sig, sigmoid_d);
  Softplus sp(2.0, 1.5);  // beta * x above the threshold returns x
  expect_elementwise(sp, [](double v) { return 2 * v > 1.5 ? v : std::log1p(std::exp(2 * v)) / 2; });
  Hardtanh ht(-1.0, 0.25);
  expect_elementwise(ht, [](double v) { return std::min(std::max(v, -1.0), 0.25); });
  Softsign ss;
  expect_elementwise(ss, [](double v) { return v / (1 + std::abs(v)); });
  Hardsigmoid hs;
  expect_elementwise(hs, [](double v) { return std::min(std::max(v / 6 + 0.5, 0.0), 1.0); });
  Hardswish hw;
  expect_elementwise(hw, [](double v) { return v * std::min(std::max(v + 3, 0.0), 6.0) / 6; });
  LogSigmoid ls;
  expect_elementwise(ls, [](double v) { return std::log(sigmoid_d(v)); });
  Tanhshrink ts;
  expect_elementwise(ts, [](double v) { return v - std::tanh(v); });
  Softshrink soft(0.5);
  expect_elementwise(soft, [](double v) { return v > 0.5 ? v - 0.5 : v < -0.5 ? v + 0.5 : 0.0; });
  Hardshrink hard(0.4);
  expect_elementwise(hard, [](double v) { return std::abs(v) > 0.4 ? v : 0.0; });
  Threshold th(0.1, 20.0);
  expect_elementwise(th, [](double v) { return v > 0.1 ? v : 20.0; });
  RReLU rrelu(0.1, 0.3);
  rrelu.eval();
  expect_elementwise(rrelu, [](double v) { return v >= 0 ? v : 0.2 * v; });
  PReLU prelu(1, 0.25, kFloat64);
  expect_elementwise(prelu, [](double v) { return v > 0 ? v : 0.25 * v; });
}

TEST(NnLayers, SoftmaxFamilyAndGlu) {
  Tensor x = f64({1.0, 2.0, 3.0, 4.0, 0.0, -1.0}, Shape{2, 3});
  auto row = [](double a, double b, double c) {
    double s = std::exp(a) + std::exp(b) + std::exp(c);
    return std::vector<double>{std::exp(a) / s, std::exp(b) / s, std::exp(c) / s};
  };
  std::vector<double> want = row(1, 2, 3), r2 = row(4, 0, -1);
  want.insert(want.end(), r2.begin(), r2.end());
  expect_values(Softmax(1)(x), want, {2, 3});
  expect_values(Softmax()(x), want, {2, 3});  // legacy dim for 2-d input: 1
  std::vector<double> logw;
  for (double v : want) logw.push_back(std::log(v));
  expect_values(LogSoftmax(-1)(x), logw, {2, 3});
  expect_values(Softmin(1)(-x), want, {2, 3});
  // Legacy dim 0 for 1-d and 3-d inputs.
  expect_values(Softmax()(zeros({4})), {0.25, 0.25, 0.25, 0.25});
  expect_values(Softmax()(zeros({2, 1, 1})).sum({0}), {1.0}, {1, 1});
  expect_values(Softmax2d()(zeros({2, 4, 1, 1})).sum({1}), {1.0, 1.0}, {2, 1, 1});
  expect_error_containing<ValueError>(
      [] {
        Softmax2d()(zeros({2, 2}));
      },
      "Softmax2d: expected input to be 3D or 4D, got 2D instead");
  // GLU: first half * sigmoid(second half).
  Tensor g = f64({1.0, 2.0, 0.0, 1.0}, Shape{1, 4});
  expect_values(GLU()(g), {1.0 * 0.5, 2.0 * sigmoid_d(1.0)}, {1, 2});
  expect_values(GLU(0)(tensor({3.0, 0.0})), {1.5});
  expect_error_containing<Error>(
      [] {
        GLU()(zeros({2, 3}));
      },
      "Halving dimension must be even, but dimension 1 is size 3");
}

TEST(NnLayers, PReLUAndRReLU) {
  PReLU prelu(3, 0.1);
  EXPECT_EQ(prelu.named_parameters().keys(), std::vector<std::string>{"weight"});
  {
    NoGradGuard g;
    prelu.weight.copy_(tensor({0.1, 0.2, 0.3}));
  }
  Tensor x = full({2, 3, 2}, -1.0);
  Tensor y = prelu(x);
  expect_values(y.select(0, 0), {-0.1, -0.1, -0.2, -0.2, -0.3, -0.3}, {3, 2});
  y.sum().backward();
  expect_values(prelu.weight.grad(), {-4, -4, -4});
  expect_error_containing<Error>(
      [&] {
        prelu(zeros({2, 4}));
      },
      "Mismatch of parameter numbers and input channel size. Found parameter numbers = 3 "
      "and channel size = 4.");
  expect_error_containing<Error>([&] { prelu(zeros({})); }, "Not allow zero-dim input tensor.");
  expect_error_containing<Error>(
      [&] {
        prelu(zeros({2, 3}, kFloat64));
      },
      "prelu: Type promoting not supported. Got Double and Float");
  // RReLU in training: each negative element gets its own slope in [lower, upper].
  RReLU rrelu(0.1, 0.3);
  Tensor neg = full({10000}, -1.0);
  Tensor slopes = -rrelu(neg);
  EXPECT_GE(slopes.min().item<double>(), 0.1);
  EXPECT_LE(slopes.max().item<double>(), 0.3);
  EXPECT_NEAR(slopes.mean().item<double>(), 0.2, 0.005);
  EXPECT_GT(slopes.std().item<double>(), 0.05);
  expect_values(rrelu(ones({3})), {1, 1, 1});
}

TEST(NnLayers, InplaceActivations) {
  Tensor x = f64({-1.0, 2.0, -3.0, 4.0}).requires_grad_();
  Tensor y = x * 1;
  Tensor out = ReLU(true)(y);
  EXPECT_EQ(out.impl(), y.impl());
  expect_values(y, {0, 2, 0, 4});
  EXPECT_EQ(y.grad_fn_name(), "ReluBackward0");
  (y * f64({1.0, 2.0, 3.0, 4.0})).sum().backward();
  expect_values(x.grad(), {0, 2, 0, 4});

  // LeakyReLU in place through a view: the base sees it, and gradients match the out-of-place form.
  Tensor a = f64({-1.0, 2.0, -3.0, 4.0}).requires_grad_();
  Tensor base = a * 1;
  Tensor view = base.slice(0, 1, 3);
  LeakyReLU(0.1, true)(view);
  expect_values(base, {-1.0, 2.0, -0.3, 4.0});
  base.sum().backward();
  expect_values(a.grad(), {1.0, 1.0, 0.1, 1.0});
  EXPECT_EQ(LeakyReLU(0.2, true).repr(), "LeakyReLU(negative_slope=0.2, inplace=True)");

  // A module that is gone by backward time leaves a working graph (the recorded op captured its values).
  Tensor b = f64({-2.0, 1.0}).requires_grad_();
  Tensor c = b * 1;
  {
    auto elu = std::make_shared<ELU>(0.5, true);
    (*elu)(c);
  }
  c.sum().backward();
  expect_values(b.grad(), {0.5 * std::exp(-2.0), 1.0});
  // In-place on a leaf that requires grad is refused, as in torch.
  Tensor leaf = ones({2}, TensorOptions().requires_grad());
  expect_error_containing<Error>([&] { ReLU(true)(leaf); }, "leaf Variable that requires grad");
}

TEST(NnLayers, ActivationReprsMatchTorch) {
  std::vector<std::pair<std::shared_ptr<Module>, std::string>> cases = {
      {std::make_shared<ReLU>(), "ReLU()"},
      {std::make_shared<ReLU>(true), "ReLU(inplace=True)"},
      {std::make_shared<GELU>(), "GELU(approximate='none')"},
      {std::make_shared<GELU>("tanh"), "GELU(approximate='tanh')"},
      {std::make_shared<SiLU>(), "SiLU()"},
      {std::make_shared<SiLU>(true), "SiLU(inplace=True)"},
      {std::make_shared<Tanh>(), "Tanh()"},
      {std::make_shared<Sigmoid>(), "Sigmoid()"},
      {std::make_shared<Softmax>(1), "Softmax(dim=1)"},
      {std::make_shared<Softmax>(), "Softmax(dim=None)"},
      {std::make_shared<LogSoftmax>(-1), "LogSoftmax(dim=-1)"},
      {std::make_shared<Softmin>(1), "Softmin(dim=1)"},
      {std::make_shared<Softmax2d>(), "Softmax2d()"},
      {std::make_shared<LeakyReLU>(), "LeakyReLU(negative_slope=0.01)"},
      {std::make_shared<ELU>(), "ELU(alpha=1.0)"},
      {std::make_shared<ELU>(1.0, true), "ELU(alpha=1.0, inplace=True)"},
      {std::make_shared<ELU>(1e-5), "ELU(alpha=1e-05)"},
      {std::make_shared<Softplus>(), "Softplus(beta=1.0, threshold=20.0)"},
      {std::make_shared<Mish>(), "Mish()"},
      {std::make_shared<Mish>(true), "Mish(inplace=True)"},
      {std::make_shared<Hardtanh>(), "Hardtanh(min_val=-1.0, max_val=1.0)"},
      {std::make_shared<Hardtanh>(-1.0, 1.0, true), "Hardtanh(min_val=-1.0, max_val=1.0, inplace=True)"},
      {std::make_shared<Hardtanh>(0.0001, 1e16), "Hardtanh(min_val=0.0001, max_val=1e+16)"},
      {std::make_shared<ReLU6>(), "ReLU6()"},
      {std::make_shared<ReLU6>(true), "ReLU6(inplace=True)"},
      {std::make_shared<SELU>(), "SELU()"},
      {std::make_shared<SELU>(true), "SELU(inplace=True)"},
      {std::make_shared<CELU>(), "CELU(alpha=1.0)"},
      {std::make_shared<CELU>(2.0), "CELU(alpha=2.0)"},
      {std::make_shared<CELU>(1.0, true), "CELU(alpha=1.0, inplace=True)"},
      {std::make_shared<Softsign>(), "Softsign()"},
      {std::make_shared<Hardsigmoid>(), "Hardsigmoid()"},
      {std::make_shared<Hardsigmoid>(true), "Hardsigmoid()"},
      {std::make_shared<Hardswish>(true), "Hardswish()"},
      {std::make_shared<LogSigmoid>(), "LogSigmoid()"},
      {std::make_shared<Tanhshrink>(), "Tanhshrink()"},
      {std::make_shared<Softshrink>(), "Softshrink(0.5)"},
      {std::make_shared<Softshrink>(1e-4), "Softshrink(0.0001)"},
      {std::make_shared<Hardshrink>(0.3), "Hardshrink(0.3)"},
      {std::make_shared<PReLU>(), "PReLU(num_parameters=1)"},
      {std::make_shared<PReLU>(3, 0.1), "PReLU(num_parameters=3)"},
      {std::make_shared<Threshold>(0.1, 20.0, true), "Threshold(threshold=0.1, value=20.0, inplace=True)"},
      {std::make_shared<GLU>(), "GLU(dim=-1)"},
      {std::make_shared<GLU>(0), "GLU(dim=0)"},
      {std::make_shared<RReLU>(), "RReLU(lower=0.125, upper=0.3333333333333333)"},
      {std::make_shared<RReLU>(0.1, 0.3, true), "RReLU(lower=0.1, upper=0.3, inplace=True)"},
      {std::make_shared<Linear>(3, 4, false), "Linear(in_features=3, out_features=4, bias=False)"},
  };
  for (auto& [m, want] : cases) EXPECT_EQ(m->repr(), want);
  expect_error_containing<ValueError>([] { Hardtanh(1.0, -1.0); }, "max_val (-1) must be greater than min_val (1)");
}

TEST(NnLayers, MlpTrainingLossFalls) {
  manual_seed(0);
  const int64_t n = 256;
  Tensor x = randn({n, 4});
  Tensor y = sin(x.sum({1}, true));
  auto model = std::make_shared<Sequential>(Linear(4, 32), Tanh(), Linear(32, 1));
  auto params = model->parameters();
  double first = 0, last = 0;
  for (int step = 0; step < 200; ++step) {
    Tensor loss = ((*model)(x)-y).square().mean();
    model->zero_grad();
    loss.backward();
    utils::clip_grad_norm_(params, 5.0);
    {
      NoGradGuard g;
      for (auto& p : params) p.sub_(p.grad(), 0.1);
    }
    (step == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, 0.2 * first) << "first " << first << " last " << last;
}

}  // namespace
}  // namespace fl::test
