// interpolate against hand-computed source indices and weights: nearest (floor(dst * scale) in float, the
// exact-2x shortcut), nearest-exact, linear/bilinear with and without align_corners, bicubic (A = -0.75,
// clamped taps), area, antialiasing; PyTorch's errors; float64 gradient rows for every mode.
#include "fl/nn/functional/vision.h"
#include "nn_test_util.h"

namespace fl::test {
namespace F = fl::nn::functional;

static ValueTested kValues({"interpolate"});

TEST(NnVision, Nearest) {
  Tensor x = f64({1, 2, 3, 4}, {1, 1, 4});
  expect_values(F::interpolate(x, 8), {1, 1, 2, 2, 3, 3, 4, 4}, {1, 1, 8}, 0);
  // scale 1/1.5 in float: 3 * 0.6666667f = 2.0000002 reads index 2.
  expect_values(F::interpolate(x, {}, 1.5), {1, 1, 2, 3, 3, 4}, {1, 1, 6}, 0);
  expect_values(F::interpolate(x, 6, {}, "nearest-exact"), {1, 2, 2, 3, 4, 4}, {1, 1, 6}, 0);
  expect_values(F::interpolate(x, 3), {1, 2, 3}, {1, 1, 3}, 0);
  expect_values(F::interpolate(iota({1, 1, 2, 2}), {3, 2}), {1, 2, 1, 2, 3, 4}, {1, 1, 3, 2}, 0);
  // uint8 images resize with nearest.
  Tensor u = F::interpolate(x.to(kUInt8), 8);
  EXPECT_EQ(u.dtype(), kUInt8);
  expect_values(u, {1, 1, 2, 2, 3, 3, 4, 4}, {1, 1, 8}, 0);
}

TEST(NnVision, LinearAndBilinear) {
  Tensor x = f64({0, 1}, {1, 1, 2});
  // Half-pixel centres, clamped at the borders.
  expect_values(F::interpolate(x, 4, {}, "linear"), {0, 0.25, 0.75, 1}, {1, 1, 4}, 1e-12);
  expect_values(F::interpolate(x * 2, 3, {}, "linear", true), {0, 1, 2}, {1, 1, 3}, 1e-12);
  Tensor y = f64({0, 1, 2, 3}, {1, 1, 2, 2});
  expect_values(F::interpolate(y, 3, {}, "bilinear", true), {0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3}, {1, 1, 3, 3}, 1e-12);
  // Same size: a copy.
  expect_values(F::interpolate(y, 2, {}, "bilinear"), {0, 1, 2, 3}, {1, 1, 2, 2}, 0);
  // Trilinear on a 5-D input averages the corners at the centre.
  Tensor z = iota({1, 1, 2, 2, 2});
  expect_values(F::interpolate(z, 3, {}, "trilinear", true).select(2, 1).select(2, 1).select(2, 1), {4.5}, {1, 1},
                1e-12);
}

TEST(NnVision, BicubicAndArea) {
  // Cubic convolution (A = -0.75) with taps clamped at the border: t = 0.5 gives weights -3/32, 19/32, 19/32, -3/32.
  Tensor ramp = f64({0, 1, 2, 3}, {1, 1, 1, 4});
  Tensor r = F::interpolate(ramp, {1, 7}, {}, "bicubic", true);
  expect_values(r.narrow(3, 0, 4), {0, 0.40625, 1, 1.5}, {1, 1, 1, 4}, 1e-12);
  // Constant images stay constant (the weights sum to 1).
  expect_values(F::interpolate(full({1, 1, 2, 3}, 2.5, kFloat64), {3, 5}, {}, "bicubic"), std::vector<double>(15, 2.5),
                {1, 1, 3, 5}, 1e-12);
  // Area: adaptive average pooling.
  expect_values(F::interpolate(f64({1, 2, 3, 4, 5}, {1, 1, 5}), 3, {}, "area"), {1.5, 3, 4.5}, {1, 1, 3}, 1e-12);
}

TEST(NnVision, Antialias) {
  // Downsampling by 2 widens the triangle filter to 2 pixels each side: weights (3, 3, 1) / 7 and (1, 3, 3) / 7.
  Tensor ramp = f64({0, 1, 2, 3}, {1, 1, 1, 4});
  expect_values(F::interpolate(ramp, {1, 2}, {}, "bilinear", std::nullopt, {}, true), {5.0 / 7, 16.0 / 7}, {1, 1, 1, 2},
                1e-12);
  // Constant images stay constant (the weights are normalised), bilinear and bicubic.
  for (const char* mode : {"bilinear", "bicubic"})
    expect_values(F::interpolate(full({1, 1, 9, 7}, 1.5, kFloat64), {4, 3}, {}, mode, std::nullopt, {}, true),
                  std::vector<double>(12, 1.5), {1, 1, 4, 3}, 1e-12);
}

TEST(NnVision, Errors) {
  Tensor x = random_input({2, 3, 4, 5});
  expect_error_containing<ValueError>([&] { F::interpolate(x); }, "either size or scale_factor should be defined");
  expect_error_containing<ValueError>([&] { F::interpolate(x, 3, 2.0); },
                                      "only one of size or scale_factor should be defined");
  expect_error_containing<ValueError>([&] { F::interpolate(x, 3, {}, "nearest", true); },
                                      "align_corners option can only be set with the interpolating modes");
  expect_error_containing<ValueError>(
      [&] {
        F::interpolate(x, {3, 3, 3});
      },
      "Input and output must have the same number of spatial dimensions, but got input "
      "with spatial dimensions of [4, 5] and output size of (3, 3, 3).");
  expect_error_containing<NotImplementedError>(
      [&] {
        F::interpolate(random_input({2, 3, 4}), 3, {}, "bilinear");
      },
      "Got 3D input, but bilinear mode needs 4D input");
  expect_error_containing<NotImplementedError>([&] { F::interpolate(x, 3, {}, "foo"); },
                                               "Input Error: Only 3D, 4D and 5D input Tensors supported (got 4D)");
  expect_error_containing<Error>([&] { F::interpolate(x, {}, 0.1); },
                                 "Input and output sizes should be greater than 0, but got input (H: 4, W: 5) output "
                                 "(H: 0, W: 0)");
  expect_error_containing<NotImplementedError>([&] { F::interpolate(x.to(kInt64), 3); },
                                               "\"upsample_nearest2d\" not implemented for 'Long'");
  expect_error_containing<ValueError>([&] { F::interpolate(x, 3, {}, "nearest", std::nullopt, true); },
                                      "recompute_scale_factor is not meaningful with an explicit size.");
  expect_error_containing<ValueError>([&] { F::interpolate(x, 3, {}, "nearest", std::nullopt, {}, true); },
                                      "Anti-alias option is restricted to bilinear and bicubic modes");
}

static GradCases kGrads({
    {"interpolate",
     [](auto& x) {
       return F::interpolate(x[0], {5, 3});
     },
     {{1, 2, 3, 4}}},
    {"interpolate", [](auto& x) { return F::interpolate(x[0], {}, 1.7, "nearest-exact"); }, {{2, 2, 5}}},
    {"interpolate", [](auto& x) { return F::interpolate(x[0], 7, {}, "linear"); }, {{2, 2, 4}}},
    {"interpolate",
     [](auto& x) {
       return F::interpolate(x[0].transpose(2, 3), {}, {1.5, 0.6}, "bilinear", true);
     },
     {{1, 2, 5, 4}}},
    {"interpolate",
     [](auto& x) {
       return F::interpolate(x[0], {5, 6}, {}, "bicubic");
     },
     {{1, 2, 3, 4}}},
    {"interpolate",
     [](auto& x) {
       return F::interpolate(x[0], {3, 4, 3}, {}, "trilinear");
     },
     {{1, 1, 2, 3, 2}}},
    {"interpolate",
     [](auto& x) {
       return F::interpolate(x[0], {2, 3}, {}, "area");
     },
     {{1, 2, 5, 4}}},
});

}  // namespace fl::test
