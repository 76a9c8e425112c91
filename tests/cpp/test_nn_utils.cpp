// fl::nn::utils: clip_grad_norm_ against hand-computed norms (2, 1, inf), clip_grad_value_, and the
// parameters <-> vector round trip.
#include <cmath>
#include <limits>

#include "fl/nn/utils.h"
#include "test_util.h"

namespace fl::test {
namespace {

namespace utils = fl::nn::utils;

Tensor param_with_grad(const std::vector<double>& grad, const Shape& shape) {
  Tensor p = zeros(shape, TensorOptions().requires_grad());
  p.set_grad(tensor(grad, shape));
  return p;
}

TEST(NnUtils, ClipGradNormL2) {
  Tensor a = param_with_grad({3, 4}, {2});
  Tensor b = param_with_grad({12}, {1, 1});
  Tensor none = zeros({3}, TensorOptions().requires_grad());  // no grad: skipped
  Tensor total = utils::clip_grad_norm_({a, b, none}, 1.0);
  EXPECT_NEAR(total.item<double>(), 13.0, 1e-5);  // norm of the norms (5, 12)
  EXPECT_EQ(total.dim(), 0);
  double coef = 1.0 / (13.0 + 1e-6);
  expect_values(a.grad(), {3 * coef, 4 * coef});
  expect_values(b.grad(), {12 * coef}, {1, 1});
  EXPECT_FALSE(none.grad().defined());
  // Below max_norm the gradients stay as they are (coefficient clamped to 1).
  Tensor c = param_with_grad({0.3, 0.4}, {2});
  EXPECT_NEAR(utils::clip_grad_norm_({c}, 1.0).item<double>(), 0.5, 1e-6);
  expect_values(c.grad(), {0.3, 0.4});
}

TEST(NnUtils, ClipGradNormOtherOrders) {
  Tensor a = param_with_grad({3, -4}, {2});
  Tensor b = param_with_grad({-1}, {1});
  EXPECT_NEAR(utils::clip_grad_norm_({a, b}, 100.0, 1.0).item<double>(), 8.0, 1e-5);
  Tensor inf_total = utils::clip_grad_norm_({a, b}, 2.0, std::numeric_limits<double>::infinity());
  EXPECT_NEAR(inf_total.item<double>(), 4.0, 1e-6);
  expect_values(a.grad(), {3 * 2 / (4 + 1e-6), -4 * 2 / (4 + 1e-6)});
  EXPECT_EQ(utils::clip_grad_norm_({}, 1.0).item<double>(), 0.0);
  EXPECT_EQ(utils::get_total_norm({tensor({3.0, 4.0}), tensor({0.0})}).item<double>(), 5.0);
  // float64 gradients keep their dtype.
  Tensor d = zeros({2}, TensorOptions(kFloat64).requires_grad());
  d.set_grad(tensor(std::vector<double>{6, 8}, std::nullopt, kFloat64));
  EXPECT_EQ(utils::clip_grad_norm_({d}, 5.0).dtype(), kFloat64);
  expect_values(d.grad(), {6 * 5 / (10 + 1e-6), 8 * 5 / (10 + 1e-6)}, 1e-12);
  EXPECT_EQ(d.grad().dtype(), kFloat64);
}

TEST(NnUtils, ClipGradNormNonFinite) {
  Tensor a = param_with_grad({std::numeric_limits<double>::infinity(), 1.0}, {2});
  expect_error_containing<Error>([&] { utils::clip_grad_norm_({a}, 1.0, 2.0, true); },
                                 "The total norm of order 2.0 for gradients from `parameters` is non-finite, so it "
                                 "cannot be clipped. To disable this error and scale the gradients by the non-finite "
                                 "norm anyway, set `error_if_nonfinite=False`");
  EXPECT_TRUE(std::isinf(utils::clip_grad_norm_({a}, 1.0).item<double>()));
}

TEST(NnUtils, ClipGradValue) {
  Tensor a = param_with_grad({-3, 0.05, 2, -0.1}, {2, 2});
  utils::clip_grad_value_({a}, 0.1);
  expect_values(a.grad(), {-0.1, 0.05, 0.1, -0.1}, {2, 2});
}

TEST(NnUtils, ParametersToVectorRoundTrip) {
  Tensor a = tensor({1.0, 2.0, 3.0, 4.0}).view({2, 2}).requires_grad_();
  Tensor b = tensor({5.0}).requires_grad_();
  Tensor v = utils::parameters_to_vector({a, b});
  expect_values(v, {1, 2, 3, 4, 5}, {5});
  Tensor w = tensor({10.0, 20.0, 30.0, 40.0, 50.0});
  utils::vector_to_parameters(w, {a, b});
  expect_values(a, {10, 20, 30, 40}, {2, 2});
  expect_values(b, {50});
  EXPECT_TRUE(a.requires_grad());
  // The parameters now share the vector's storage, as after torch's `param.data = vec[...]`.
  {
    NoGradGuard g;
    w.mul_(2.0);
  }
  expect_values(b, {100});
  expect_error_containing<ValueError>([] { utils::parameters_to_vector({}); },
                                      "torch.cat(): expected a non-empty list of Tensors");
}

}  // namespace
}  // namespace fl::test
