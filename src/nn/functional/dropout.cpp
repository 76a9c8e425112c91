// The dropout family: a Bernoulli keep-mask from the core generator, applied as one recorded multiply (so the
// gradient is mask / (1 - p)), or in place through the core's in-place machinery.
#include "fl/nn/functional/dropout.h"

#include <cmath>

#include "fl/ops/binary.h"
#include "fl/ops/creation.h"
#include "fl/ops/random.h"
#include "nn/functional/nn_utils.h"

namespace fl::nn::functional {

namespace {

void check_p(double p) {
  FL_CHECK_VALUE(p >= 0.0 && p <= 1.0, "dropout probability has to be between 0 and 1, but got ", p);
}

// torch's _dropout_impl: noise is a keep-mask over the input (or over (N, C, 1, ...) for feature dropout).
Tensor dropout_impl(const Tensor& input, double p, bool train, bool inplace, bool feature, bool alpha) {
  if (p == 0 || !train || input.numel() == 0) return input;
  Shape noise_shape = input.sizes();
  if (feature) {
    FL_CHECK(input.dim() >= 2, "Feature dropout requires at least 2 dimensions in the input");
    for (size_t i = 2; i < noise_shape.size(); ++i) noise_shape[i] = 1;
  }
  Tensor x = input;
  TensorOptions opts = TensorOptions().dtype(input.is_floating_point() ? input.dtype() : get_default_dtype());
  if (p == 1) {
    Tensor zero = fl::zeros({}, opts);
    return inplace ? x.mul_(zero) : x * zero;
  }
  Tensor noise = fl::bernoulli(fl::empty(noise_shape, opts), 1 - p);
  if (!alpha) {
    noise = noise / (1 - p);
    if (inplace) return x.mul_(noise);
    return apply1(feature ? "MulBackward0" : "NativeDropoutBackward0",
                  fn1([](const Arrays& in) { return mx::multiply(in[0], in[1]); }), {x, noise}, save_inputs({1}));
  }
  // Alpha dropout: x * a * noise + b, b = (noise - 1) * alpha * a + alpha * a * p, keeping mean 0 and variance 1.
  constexpr double kAlpha = 1.7580993408473766;  // -SELU's saturation value
  const double a = 1.0 / std::sqrt((kAlpha * kAlpha * p + 1) * (1 - p));
  Tensor b = (noise - 1.0) * (kAlpha * a) + kAlpha * a * p;
  noise = noise * a;
  if (inplace) return x.mul_(noise).add_(b);
  return apply1("AddBackward0", fn1([](const Arrays& in) { return mx::add(mx::multiply(in[0], in[1]), in[2]); }),
                {x, noise, b}, save_inputs({1}));
}

// Channel-wise dropout over a batched view of an unbatched input (dim == batched_dim - 1), as torch does.
Tensor feature_dropout(const Tensor& input, double p, bool training, bool inplace, int64_t batched_dim) {
  if (input.dim() == batched_dim) return dropout_impl(input, p, training, inplace, true, false);
  return dropout_impl(input.unsqueeze(0), p, training, inplace, true, false).squeeze(0);
}

}  // namespace

Tensor dropout(const Tensor& input, double p, bool training, bool inplace) {
  check_p(p);
  return dropout_impl(input, p, training, inplace, false, false);
}

Tensor dropout1d(const Tensor& input, double p, bool training, bool inplace) {
  check_p(p);
  FL_CHECK(input.dim() == 2 || input.dim() == 3, "dropout1d: Expected 2D or 3D input, but received a ", input.dim(),
           "D input. Note that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
           "channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).");
  Tensor r = feature_dropout(input, p, training, inplace, 3);
  return inplace ? input : r;
}

Tensor dropout2d(const Tensor& input, double p, bool training, bool inplace) {
  check_p(p);
  // torch takes every input as batched here (a 3D input is (N, C, L)), with a deprecation warning.
  return dropout_impl(input, p, training, inplace, true, false);
}

Tensor dropout3d(const Tensor& input, double p, bool training, bool inplace) {
  check_p(p);
  Tensor r = feature_dropout(input, p, training, inplace, 5);
  return inplace ? input : r;
}

Tensor alpha_dropout(const Tensor& input, double p, bool training, bool inplace) {
  check_p(p);
  return dropout_impl(input, p, training, inplace, false, true);
}

Tensor feature_alpha_dropout(const Tensor& input, double p, bool training, bool inplace) {
  check_p(p);
  return dropout_impl(input, p, training, inplace, true, true);
}

static OpRegistrar registrar({
    {"dropout", "nn.dropout", true},
    {"dropout1d", "nn.dropout", true},
    {"dropout2d", "nn.dropout", true},
    {"dropout3d", "nn.dropout", true},
    {"alpha_dropout", "nn.dropout", true},
    {"feature_alpha_dropout", "nn.dropout", true},
});

}  // namespace fl::nn::functional
