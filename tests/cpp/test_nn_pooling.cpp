// Max, average and adaptive pools against hand-computed cases: PyTorch's flat indices, ties (first maximum),
// NaN, padding, ceil_mode overhang, count_include_pad, divisor_override, uneven adaptive windows, None output
// sizes, unbatched inputs; gradients go to the argmax only; PyTorch's errors; float64 gradient rows.
#include <cmath>

#include "fl/nn/functional/pooling.h"
#include "nn_test_util.h"

namespace fl::test {
namespace F = fl::nn::functional;

static ValueTested kValues({"max_pool1d", "max_pool2d", "max_pool1d_with_indices", "max_pool2d_with_indices",
                            "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
                            "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool1d_with_indices",
                            "adaptive_max_pool2d_with_indices"});

TEST(NnPooling, MaxPool2dValuesAndFlatIndices) {
  Tensor x = iota({1, 1, 4, 4});
  auto [v, i] = F::max_pool2d_with_indices(x, 2);
  expect_values(v, {6, 8, 14, 16}, {1, 1, 2, 2}, 0);
  EXPECT_EQ(i.dtype(), kInt64);
  expect_values(i, {5, 7, 13, 15}, {1, 1, 2, 2}, 0);
  expect_values(F::max_pool2d(x, 2), {6, 8, 14, 16}, {1, 1, 2, 2}, 0);
  // Stride 1, padding 1 (padding never wins), dilation 2, unbatched.
  expect_values(F::max_pool2d(x[0], 3, 1, 1, 2), {16, 15, 12, 11}, {1, 2, 2}, 0);
  auto [v2, i2] = F::max_pool2d_with_indices(x, 2, 2, 1);
  expect_values(v2, {1, 3, 4, 9, 11, 12, 13, 15, 16}, {1, 1, 3, 3}, 0);
  expect_values(i2, {0, 2, 3, 8, 10, 11, 12, 14, 15}, {1, 1, 3, 3}, 0);
  // ceil_mode keeps a last, overhanging window.
  expect_values(F::max_pool2d(iota({1, 1, 3, 3}), 2, 2, 0, 1, true), {5, 6, 8, 9}, {1, 1, 2, 2}, 0);
  expect_values(F::max_pool2d(iota({1, 1, 3, 3}), 2, 2, 0, 1, false), {5}, {1, 1, 1, 1}, 0);
}

TEST(NnPooling, MaxPoolTiesNanAndGradient) {
  // All-equal windows report their first element, and only it gets the gradient.
  Tensor z = zeros({1, 1, 2, 4}, kFloat64).requires_grad_();
  auto [v, i] = F::max_pool2d_with_indices(z, 2);
  expect_values(i, {0, 2}, {1, 1, 1, 2}, 0);
  v.sum().backward();
  expect_values(z.grad(), {1, 0, 1, 0, 0, 0, 0, 0}, {1, 1, 2, 4}, 0);
  // A NaN wins its window (the last NaN, as PyTorch), -inf windows report their first element.
  double nan = std::nan(""), inf = INFINITY;
  Tensor y = f64({1, nan, -inf, -inf, nan, 2, -inf, -inf}, {1, 1, 2, 4});
  auto [vy, iy] = F::max_pool2d_with_indices(y, 2);
  expect_values(iy, {4, 2}, {1, 1, 1, 2}, 0);
  EXPECT_TRUE(std::isnan(vy.tolist<double>()[0]));
  EXPECT_EQ(vy.tolist<double>()[1], -inf);
  // Integers compare exactly.
  expect_values(F::max_pool2d(iota({1, 1, 4, 4}).to(kInt32), 2), {6, 8, 14, 16}, {1, 1, 2, 2}, 0);
}

TEST(NnPooling, MaxPool1d) {
  Tensor x = f64({3, 1, 4, 1, 5, 9, 2}, {1, 1, 7});
  expect_values(F::max_pool1d(x, 2), {3, 4, 9}, {1, 1, 3}, 0);
  auto [v, i] = F::max_pool1d_with_indices(x[0], 3, 2, 1);
  expect_values(v, {3, 4, 9, 9}, {1, 4}, 0);
  expect_values(i, {0, 2, 5, 5}, {1, 4}, 0);
  expect_values(F::max_pool1d(x, 2, 3, 0, 2, true), {4, 9, 2}, {1, 1, 3}, 0);
}

TEST(NnPooling, AvgPool) {
  Tensor x = iota({1, 1, 4, 4});
  expect_values(F::avg_pool2d(x, 2), {3.5, 5.5, 11.5, 13.5}, {1, 1, 2, 2}, 1e-12);
  // Padding 1, stride 2: corners include three padded zeros (count_include_pad) or not.
  expect_values(F::avg_pool2d(x, 2, 2, 1), {0.25, 1.25, 1, 3.5, 8.5, 5, 3.25, 7.25, 4}, {1, 1, 3, 3}, 1e-12);
  expect_values(F::avg_pool2d(x, 2, 2, 1, false, false), {1, 2.5, 4, 7, 8.5, 10, 13, 14.5, 16}, {1, 1, 3, 3}, 1e-12);
  expect_values(F::avg_pool2d(x, 2, 2, 1, false, true, 2), {0.5, 2.5, 2, 7, 17, 10, 6.5, 14.5, 8}, {1, 1, 3, 3}, 1e-12);
  // ceil_mode: the overhanging window's divisor stops at the padded edge (here: the image edge, no padding).
  expect_values(F::avg_pool2d(iota({1, 1, 3, 3}), 2, 2, 0, true), {3, 4.5, 7.5, 9}, {1, 1, 2, 2}, 1e-12);
  expect_values(F::avg_pool1d(f64({1, 2, 3, 4, 5}, {1, 5}), 2), {1.5, 3.5}, {1, 2}, 1e-12);
  expect_values(F::avg_pool1d(f64({1, 2, 3, 4, 5}, {1, 1, 5}), 3, 2, 1, true, false), {1.5, 3, 4.5}, {1, 1, 3}, 1e-12);
  // Integer pools truncate, as PyTorch's integer division.
  expect_values(F::avg_pool2d(f64({-3, 5, 7, 1, 2, -9}, {1, 1, 2, 3}).to(kInt64), 2, 1), {1, 1}, {1, 1, 1, 2}, 0);
}

TEST(NnPooling, AdaptivePools) {
  Tensor x = f64({1, 2, 3, 4, 5}, {1, 1, 5});
  // Windows [0, 2), [1, 4), [3, 5).
  expect_values(F::adaptive_avg_pool1d(x, 3), {1.5, 3, 4.5}, {1, 1, 3}, 1e-12);
  auto [v, i] = F::adaptive_max_pool1d_with_indices(x[0], 3);
  expect_values(v, {2, 4, 5}, {1, 3}, 0);
  expect_values(i, {1, 3, 4}, {1, 3}, 0);
  expect_values(F::adaptive_max_pool1d(x, 3), {2, 4, 5}, {1, 1, 3}, 0);
  Tensor y = iota({1, 1, 3, 4});
  expect_values(F::adaptive_avg_pool2d(y, 1), {6.5}, {1, 1, 1, 1}, 1e-12);
  expect_values(F::adaptive_avg_pool2d(y, {2, std::nullopt}), {3, 4, 5, 6, 7, 8, 9, 10}, {1, 1, 2, 4}, 1e-12);
  auto [mv, mi] = F::adaptive_max_pool2d_with_indices(y[0], {2, 2});
  expect_values(mv, {6, 8, 10, 12}, {1, 2, 2}, 0);
  expect_values(mi, {5, 7, 9, 11}, {1, 2, 2}, 0);
  expect_values(F::adaptive_max_pool2d(y, {2, 2}), {6, 8, 10, 12}, {1, 1, 2, 2}, 0);
  // Upsampling windows repeat elements.
  expect_values(F::adaptive_avg_pool1d(f64({1, 2}, {1, 1, 2}), 3), {1, 1.5, 2}, {1, 1, 3}, 1e-12);
}

TEST(NnPooling, Errors) {
  Tensor x = random_input({2, 3, 7, 7});
  expect_error_containing<Error>(
      [&] {
        F::max_pool2d(random_input({7, 7}), 3);
      },
      "non-empty 3D or 4D (batch mode) tensor expected for input");
  expect_error_containing<Error>([&] { F::max_pool2d(x, 3, 0); }, "stride should not be zero");
  expect_error_containing<Error>(
      [&] { F::max_pool2d(x, 3, {}, 2); },
      "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and "
      "dilation=1");
  expect_error_containing<Error>(
      [&] { F::max_pool2d(x, 8); },
      "Given input size: (3x7x7). Calculated output size: (3x0x0). Output size is too small");
  expect_error_containing<Error>(
      [&] {
        F::max_pool2d(x, {3, 3, 3});
      },
      "max_pool2d: kernel_size must either be a single int, or a tuple of two ints");
  expect_error_containing<NotImplementedError>([&] { F::max_pool2d(x.gt(x), 3); },
                                               "\"max_pool2d\" not implemented for 'Bool'");
  expect_error_containing<Error>(
      [&] {
        F::max_pool1d(random_input({2, 3, 7}), 3, {}, 2);
      },
      "max_pool1d() padding should be at most half of kernel size");
  expect_error_containing<NotImplementedError>(
      [&] {
        F::max_pool1d(random_input({2, 3, 7}).to(kInt64), 3);
      },
      "\"max_pool1d_impl\" not implemented for 'Long'");
  expect_error_containing<IndexError>([&] { F::avg_pool2d(random_input({7, 7}), 3); }, "Dimension out of range");
  expect_error_containing<Error>([&] { F::avg_pool2d(x, 3, {}, 0, false, true, 0); }, "divisor must be not zero");
  expect_error_containing<Error>([&] { F::avg_pool1d(random_input({7}), 3); },
                                 "Expected 2 to 3 dimensions, but got 1-dimensional tensor for argument #1 'self' "
                                 "(while checking arguments for avg_pool1d)");
  expect_error_containing<Error>(
      [&] {
        F::adaptive_avg_pool2d(x, {-1, 2});
      },
      "elements of output_size must be greater than or equal to 0 but received {-1, 2}");
  expect_error_containing<NotImplementedError>([&] { F::adaptive_avg_pool2d(x.to(kInt64), 2); },
                                               "\"adaptive_avg_pool2d\" not implemented for 'Long'");
  expect_error_containing<Error>(
      [&] {
        F::adaptive_max_pool2d(random_input({2, 3, 0, 7}), 2);
      },
      "with dimension 2 being empty");
  expect_error_containing<Error>(
      [&] {
        F::adaptive_max_pool1d(random_input({2, 3, 7}), {1, 2});
      },
      "adaptive_max_pool1d() argument 'output_size' should contain one int (got 2)");
}

static GradCases kGrads({
    {"max_pool2d",
     [](auto& x) {
       return F::max_pool2d(x[0], {3, 2}, {2, 1}, 1, {1, 2}, true);
     },
     {{2, 2, 6, 5}}},
    {"max_pool2d_with_indices",
     [](auto& x) { return std::get<0>(F::max_pool2d_with_indices(x[0].transpose(1, 2), 2)); },
     {{3, 4, 5}}},
    {"max_pool1d", [](auto& x) { return F::max_pool1d(x[0], 3, 2, 1, 1, true); }, {{2, 3, 8}}},
    {"max_pool1d_with_indices",
     [](auto& x) { return std::get<0>(F::max_pool1d_with_indices(x[0], 2, 1, 0, 2)); },
     {{3, 7}}},
    {"avg_pool2d", [](auto& x) { return F::avg_pool2d(x[0], 3, 2, 1, true, false); }, {{2, 2, 6, 5}}},
    {"avg_pool2d",
     [](auto& x) {
       return F::avg_pool2d(x[0], {2, 3}, 1, {1, 0}, false, true, 4);
     },
     {{2, 4, 5}}},
    {"avg_pool1d", [](auto& x) { return F::avg_pool1d(x[0], 3, 2, 1, true); }, {{2, 3, 8}}},
    {"adaptive_avg_pool2d",
     [](auto& x) {
       return F::adaptive_avg_pool2d(x[0], {3, std::nullopt});
     },
     {{2, 2, 5, 4}}},
    {"adaptive_avg_pool1d", [](auto& x) { return F::adaptive_avg_pool1d(x[0], 4); }, {{3, 7}}},
    {"adaptive_max_pool2d",
     [](auto& x) {
       return F::adaptive_max_pool2d(x[0], {2, 3});
     },
     {{2, 2, 5, 4}}},
    {"adaptive_max_pool2d_with_indices",
     [](auto& x) { return std::get<0>(F::adaptive_max_pool2d_with_indices(x[0], 3)); },
     {{2, 5, 4}}},
    {"adaptive_max_pool1d", [](auto& x) { return F::adaptive_max_pool1d(x[0], 3); }, {{2, 3, 7}}},
    {"adaptive_max_pool1d_with_indices",
     [](auto& x) { return std::get<0>(F::adaptive_max_pool1d_with_indices(x[0], 4)); },
     {{3, 9}}},
});

}  // namespace fl::test
