// fl::nn::functional activations beyond the core set: closed-form values, gradients, errors.
#include "fl/nn/functional/activation.h"

#include "test_util.h"

namespace fl::test {
namespace {
namespace F = fl::nn::functional;

TEST(NnActivation, ThresholdValues) {
  expect_values(F::threshold(tensor({-1.0, 0.5, 2.0}), 0.5, 9.0), {9.0, 9.0, 2.0}, {3});
}

TEST(NnActivation, PreluSharedAndPerChannel) {
  expect_values(F::prelu(tensor({-2.0, 3.0}), tensor({0.25})), {-0.5, 3.0}, {2});
  // (N=1, C=2, L=2): channel 0 slope 0.1, channel 1 slope 2.
  Tensor x = tensor({-1.0, 1.0, -1.0, 1.0}).reshape({1, 2, 2});
  expect_values(F::prelu(x, tensor({0.1, 2.0})), {-0.1, 1.0, -2.0, 1.0}, {1, 2, 2});
  expect_error_containing<Error>([&] { F::prelu(x, tensor({0.1, 0.2, 0.3})); },
                                 "Mismatch of parameter numbers and input channel size");
}

TEST(NnActivation, GluHalves) {
  Tensor x = tensor({1.0, 2.0, 0.0, 0.0}).reshape({1, 4});
  expect_values(F::glu(x), {0.5, 1.0}, {1, 2});
  expect_error_containing<Error>([] { F::glu(tensor({1.0, 2.0, 3.0})); }, "Halving dimension must be even");
}

TEST(NnActivation, SoftminIsSoftmaxOfNegation) {
  Tensor s = F::softmin(tensor({0.0, std::log(3.0)}), 0);
  expect_values(s, {0.75, 0.25}, {2});
}

static ValueTested kValues({"threshold", "prelu", "glu", "softmin"});
static GradCases kGrads({
    {"threshold", [](const std::vector<Tensor>& in) { return F::threshold(in[0], 0.1, -3.0); }, {{3, 4}}},
    {"prelu", [](const std::vector<Tensor>& in) { return F::prelu(in[0], in[1]); }, {{2, 3, 4}, {3}}},
    {"glu", [](const std::vector<Tensor>& in) { return F::glu(in[0], 1); }, {{3, 4}}},
    {"softmin", [](const std::vector<Tensor>& in) { return F::softmin(in[0], 1); }, {{3, 4}}},
});

}  // namespace
}  // namespace fl::test
