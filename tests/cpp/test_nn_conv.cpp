// conv1d/conv2d/conv_transpose1d/conv_transpose2d/unfold/fold against hand-computed small cases (padding,
// stride, dilation, groups, 'same' with an even kernel, unbatched, views, integers), the im2col / col2im
// primitives against each other (adjointness), PyTorch's errors, and float64 finite-difference gradient rows.
#include "fl/nn/functional/conv.h"
#include "nn_test_util.h"

namespace fl::test {
namespace F = fl::nn::functional;

static ValueTested kValues({"conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "unfold", "fold"});

TEST(NnConv, Conv2dHandComputed) {
  Tensor x = iota({1, 1, 3, 3}), w = f64({1, 2, 3, 4}, {1, 1, 2, 2});
  expect_values(F::conv2d(x, w), {37, 47, 67, 77}, {1, 1, 2, 2}, 1e-12);
  expect_values(F::conv2d(x, w, f64({0.5}, {1})), {37.5, 47.5, 67.5, 77.5}, {1, 1, 2, 2}, 1e-12);
  // Zero padding 1, stride 2: the corner windows see one, two or four pixels.
  expect_values(F::conv2d(x, w, std::nullopt, 2, 1), {4, 18, 36, 77}, {1, 1, 2, 2}, 1e-12);
  // Dilation 2: the taps are the image's corners.
  expect_values(F::conv2d(x, w, std::nullopt, 1, 0, 2), {64}, {1, 1, 1, 1}, 1e-12);
  // 'same' with an even kernel pads one more at the end (right/bottom), as PyTorch.
  expect_values(F::conv2d(x, w, std::nullopt, 1, "same"), {37, 47, 21, 67, 77, 33, 23, 26, 9}, {1, 1, 3, 3}, 1e-12);
  expect_values(F::conv2d(x, w, std::nullopt, 1, "valid"), {37, 47, 67, 77}, {1, 1, 2, 2}, 1e-12);
  // Unbatched (C, H, W) input gives an unbatched result.
  expect_values(F::conv2d(x[0], w), {37, 47, 67, 77}, {1, 2, 2}, 1e-12);
}

TEST(NnConv, Conv2dGroupsChannelsAndViews) {
  // Two channels, groups = 2: each output channel scales its own input channel.
  Tensor x = iota({1, 2, 2, 2});
  expect_values(F::conv2d(x, f64({2, 3}, {2, 1, 1, 1}), std::nullopt, 1, 0, 1, 2), {2, 4, 6, 8, 15, 18, 21, 24},
                {1, 2, 2, 2}, 1e-12);
  // groups = 1 sums over the channels.
  expect_values(F::conv2d(x, f64({1, 1}, {1, 2, 1, 1})), {6, 8, 10, 12}, {1, 1, 2, 2}, 1e-12);
  // A transposed (non-contiguous) input reads the same as its contiguous copy.
  Tensor big = random_input({2, 3, 6, 5}), wt = random_input({4, 3, 3, 2}, -2, 2, 1);
  Tensor a = F::conv2d(big.transpose(2, 3), wt, std::nullopt, {2, 1}, {1, 0});
  Tensor b = F::conv2d(big.transpose(2, 3).contiguous(), wt, std::nullopt, {2, 1}, {1, 0});
  EXPECT_TRUE(a.allclose(b, 0, 0));
  // Integers: the integer GEMM, exact.
  Tensor xi = iota({1, 1, 3, 3}).to(kInt64), wi = f64({1, 2, 3, 4}, {1, 1, 2, 2}).to(kInt64);
  Tensor yi = F::conv2d(xi, wi);
  EXPECT_EQ(yi.dtype(), kInt64);
  expect_values(yi, {37, 47, 67, 77}, {1, 1, 2, 2}, 0);
  // float32 agrees with float64.
  EXPECT_TRUE(F::conv2d(big.to(kFloat32), wt.to(kFloat32)).to(kFloat64).allclose(F::conv2d(big, wt), 1e-5, 1e-5));
}

TEST(NnConv, Conv1dHandComputed) {
  Tensor x = f64({1, 2, 3, 4}, {1, 1, 4}), w = f64({1, -1}, {1, 1, 2});
  expect_values(F::conv1d(x, w), {-1, -1, -1}, {1, 1, 3}, 1e-12);
  expect_values(F::conv1d(x, w, f64({1}, {1}), 2, 1), {0, 0, 5}, {1, 1, 3}, 1e-12);
  expect_values(F::conv1d(x[0], w, std::nullopt, 1, 0, 3), {-3}, {1, 1}, 1e-12);
  expect_values(F::conv1d(x, w, std::nullopt, 1, "same"), {-1, -1, -1, 4}, {1, 1, 4}, 1e-12);
}

TEST(NnConv, ConvTransposeHandComputed) {
  // Stride 2: each input element spreads a copy of the kernel; overlaps add.
  expect_values(F::conv_transpose1d(f64({1, 2}, {1, 1, 2}), f64({1, 1, 1}, {1, 1, 3}), std::nullopt, 2),
                {1, 1, 3, 2, 2}, {1, 1, 5}, 1e-12);
  // Padding crops, output_padding adds one more column at the end.
  expect_values(F::conv_transpose1d(f64({1, 2}, {1, 1, 2}), f64({1, 1, 1}, {1, 1, 3}), f64({10}, {1}), 2, 1, 1),
                {11, 13, 12, 12}, {1, 1, 4}, 1e-12);
  Tensor x = iota({1, 1, 2, 2}), ones = f64({1, 1, 1, 1}, {1, 1, 2, 2});
  expect_values(F::conv_transpose2d(x, ones), {1, 3, 2, 4, 10, 6, 3, 7, 4}, {1, 1, 3, 3}, 1e-12);
  expect_values(F::conv_transpose2d(x[0], ones), {1, 3, 2, 4, 10, 6, 3, 7, 4}, {1, 3, 3}, 1e-12);
  // Groups: weight (C_in, C_out / groups, k, k); each group maps its input channel to its output channel.
  Tensor x2 = iota({1, 2, 1, 1});
  expect_values(F::conv_transpose2d(x2, f64({2, 3}, {2, 1, 1, 1}), std::nullopt, 1, 0, 0, 2), {2, 6}, {1, 2, 1, 1},
                1e-12);
}

TEST(NnConv, ConvTransposeIsTheAdjointOfConv) {
  // <conv(x), y> == <x, conv_transpose(y)> for the same stride, padding, dilation and groups.
  Tensor x = random_input({2, 4, 7, 6}), w = random_input({6, 2, 3, 2}, -2, 2, 1);
  Tensor y = F::conv2d(x, w, std::nullopt, {2, 1}, {1, 1}, {1, 2}, 2);
  Tensor g = random_input(y.sizes(), -2, 2, 2);
  Tensor back = F::conv_transpose2d(g, w, std::nullopt, {2, 1}, {1, 1}, {0, 0}, 2, {1, 2});
  ASSERT_EQ(back.sizes(), x.sizes());
  EXPECT_NEAR((y * g).sum().item<double>(), (x * back).sum().item<double>(), 1e-9);
}

TEST(NnConv, UnfoldAndFold) {
  Tensor x = iota({1, 1, 3, 3});
  expect_values(F::unfold(x, 2), {1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9}, {1, 4, 4}, 1e-12);
  expect_values(F::unfold(x[0], 2, 1, 0, 2), {1, 2, 4, 5}, {4, 1}, 1e-12);
  expect_values(F::unfold(x[0], 1, 1, 0, 2), {1, 3, 7, 9}, {1, 4}, 1e-12);
  // fold(unfold(x)) multiplies each pixel by the number of windows covering it.
  expect_values(F::fold(F::unfold(x, 2), {3, 3}, 2), {1, 4, 3, 8, 20, 12, 7, 16, 9}, {1, 1, 3, 3}, 1e-12);
  expect_values(F::fold(F::unfold(x, 2)[0], 3, 2), {1, 4, 3, 8, 20, 12, 7, 16, 9}, {1, 3, 3}, 1e-12);
}

TEST(NnConv, UnfoldAndFoldAreAdjoint) {
  // <unfold(x), c> == <x, fold(c)>, with padding, stride, dilation and a strided (transposed) input: the
  // im2col and col2im primitives are each other's vjp, so this is what makes conv gradients right.
  Tensor x = random_input({2, 3, 6, 5}).transpose(2, 3);
  Tensor c = random_input({2, 18, 6}, -2, 2, 1);
  Tensor u = F::unfold(x, {2, 3}, {2, 1}, 1, {2, 3});
  ASSERT_EQ(u.sizes(), c.sizes());
  EXPECT_NEAR((u * c).sum().item<double>(), (x * F::fold(c, {5, 6}, {2, 3}, {2, 1}, 1, {2, 3})).sum().item<double>(),
              1e-10);
}

TEST(NnConv, Errors) {
  Tensor x = random_input({2, 4, 5, 5}), w = random_input({6, 4, 3, 3});
  expect_error_containing<Error>(
      [&] {
        F::conv2d(random_input({5, 5}), w);
      },
      "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [5, 5]");
  expect_error_containing<Error>(
      [&] {
        F::conv2d(x, random_input({6, 3, 3, 3}));
      },
      "Given groups=1, weight of size [6, 3, 3, 3], expected input[2, 4, 5, 5] to have 3 "
      "channels, but got 4 channels instead");
  expect_error_containing<Error>(
      [&] {
        F::conv2d(x, random_input({5, 2, 3, 3}), std::nullopt, 1, 0, 1, 2);
      },
      "expected weight to be divisible by 2 at dimension 0");
  expect_error_containing<Error>([&] { F::conv2d(x, w, std::nullopt, 1, 0, 1, 0); },
                                 "non-positive groups is not supported");
  expect_error_containing<Error>(
      [&] {
        F::conv2d(x, random_input({6, 4, 7, 7}));
      },
      "Calculated padded input size per channel: (5 x 5). Kernel size: (7 x 7). Kernel size "
      "can't be greater than actual input size");
  expect_error_containing<Error>([&] { F::conv2d(x, w, std::nullopt, 2, "same"); },
                                 "padding='same' is not supported for strided convolutions");
  expect_error_containing<Error>([&] { F::conv2d(x, w, std::nullopt, 1, "full"); }, "Invalid padding string: 'full'");
  expect_error_containing<Error>([&] { F::conv2d(x, w, random_input({5})); },
                                 "expected bias to be 1-dimensional with 6 elements, but got bias of size [5]");
  expect_error_containing<Error>(
      [&] { F::conv2d(x, w.to(kFloat32)); },
      "Input type (torch.DoubleTensor) and weight type (torch.FloatTensor) should be the same");
  expect_error_containing<Error>(
      [&] {
        F::conv2d(x, w, std::nullopt, {1, 1, 1});
      },
      "expected stride to be a single integer value or a list of 2 values");
  expect_error_containing<Error>([&] { F::conv2d(x, w, std::nullopt, 0); }, "non-positive stride is not supported");
  expect_error_containing<Error>([&] { F::conv2d(x, w, std::nullopt, 1, -1); }, "negative padding is not supported");
  expect_error_containing<NotImplementedError>([&] { F::conv2d(x.gt(x), w.gt(w)); },
                                               "\"slow_conv2d_cpu\" not implemented for 'Bool'");
  expect_error_containing<Error>(
      [&] {
        F::conv_transpose2d(x, random_input({4, 3, 3, 3}), std::nullopt, 2, 0, 2);
      },
      "output padding must be smaller than either stride or dilation");
  expect_error_containing<Error>(
      [&] {
        F::conv_transpose2d(x, random_input({3, 3, 3, 3}));
      },
      "Given transposed=1, weight of size [3, 3, 3, 3], expected input[2, 4, 5, 5] to have 3 "
      "channels, but got 4 channels instead");
  expect_error_containing<Error>(
      [&] {
        F::conv_transpose2d(x, random_input({4, 3, 3, 3}), std::nullopt, 1, 5);
      },
      "Output size is too small");
  expect_error_containing<Error>([&] { F::unfold(x, 6); }, "but its components must be at least one.");
  expect_error_containing<NotImplementedError>([&] { F::unfold(x.to(kInt64), 2); },
                                               "\"im2col_out_cpu\" not implemented for 'Long'");
  expect_error_containing<Error>(
      [&] {
        F::fold(random_input({2, 15, 16}), {5, 5}, 2);
      },
      "to be divisible by the product of kernel_size");
  expect_error_containing<Error>(
      [&] {
        F::fold(random_input({2, 16, 15}), {5, 5}, 2);
      },
      "to match the calculated number of sliding blocks 4 * 4 = 16");
}

static GradCases kGrads({
    {"conv2d", [](auto& x) { return F::conv2d(x[0], x[1], x[2]); }, {{2, 3, 5, 4}, {4, 3, 3, 2}, {4}}},
    {"conv2d",
     [](auto& x) {
       return F::conv2d(x[0], x[1], x[2], {2, 1}, {1, 2}, {1, 2}, 2);
     },
     {{2, 4, 5, 6}, {6, 2, 2, 3}, {6}}},
    {"conv2d",
     [](auto& x) { return F::conv2d(x[0].transpose(1, 2), x[1], std::nullopt, 1, "same"); },
     {{2, 5, 3}, {2, 2, 2, 3}}},
    {"conv1d", [](auto& x) { return F::conv1d(x[0], x[1], x[2], 2, 1, 2); }, {{2, 3, 7}, {4, 3, 2}, {4}}},
    {"conv1d", [](auto& x) { return F::conv1d(x[0], x[1], std::nullopt, 1, "same", 1, 3); }, {{3, 6}, {3, 1, 4}}},
    {"conv_transpose2d",
     [](auto& x) { return F::conv_transpose2d(x[0], x[1], x[2], 2, 1, 1); },
     {{2, 4, 3, 2}, {4, 3, 3, 2}, {3}}},
    {"conv_transpose2d",
     [](auto& x) { return F::conv_transpose2d(x[0], x[1], std::nullopt, 1, 0, 0, 2, 2); },
     {{4, 3, 3}, {4, 1, 2, 2}}},
    {"conv_transpose1d",
     [](auto& x) { return F::conv_transpose1d(x[0], x[1], x[2], 3, 1, 2, 2); },
     {{2, 4, 3}, {4, 2, 3}, {4}}},
    {"unfold",
     [](auto& x) {
       return F::unfold(x[0], {2, 3}, {1, 2}, 1, 2);
     },
     {{2, 2, 4, 5}}},
    {"fold",
     [](auto& x) {
       return F::fold(x[0], {4, 5}, 2, 1, 1, 2);
     },
     {{2, 8, 9}}},
});

}  // namespace fl::test
