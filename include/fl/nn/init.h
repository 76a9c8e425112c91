// torch.nn.init: in-place parameter initialisers (under no grad), with torch's fan rules, gains and errors.
// Each returns its argument; `gen` picks the Generator (the default one when null).
#pragma once
#include <optional>
#include <string>
#include <utility>

#include "fl/ops/random.h"
#include "fl/tensor.h"

namespace fl::nn::init {

/// The recommended gain for a nonlinearity ("linear", "conv{1,2,3}d", "conv_transpose{1,2,3}d", "sigmoid", "tanh",
/// "relu", "leaky_relu" with param = negative_slope (0.01 by default), "selu"); ValueError otherwise.
double calculate_gain(const std::string& nonlinearity, std::optional<double> param = std::nullopt);
/// (fan_in, fan_out): size(1) and size(0) times the receptive field (the product of dims from 2 on).
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor);
/// fan_in or fan_out by mode (case-insensitive); ValueError for other modes.
int64_t calculate_correct_fan(const Tensor& tensor, const std::string& mode);

/// torch.nn.init.uniform_: fills with U(a, b) draws.
Tensor uniform_(Tensor tensor, double a = 0.0, double b = 1.0, Generator* gen = nullptr);
/// torch.nn.init.normal_: fills with N(mean, std^2) draws.
Tensor normal_(Tensor tensor, double mean = 0.0, double std = 1.0, Generator* gen = nullptr);
/// Normal draws redrawn until they fall in [a, b] (torch 2.13's two samplers: redraw when the interval holds
/// most of the mass, uniform proposals with rejection otherwise).
Tensor trunc_normal_(Tensor tensor, double mean = 0.0, double std = 1.0, double a = -2.0, double b = 2.0,
                     Generator* gen = nullptr);
/// torch.nn.init.constant_: fills with value.
Tensor constant_(Tensor tensor, const Scalar& value);
/// torch.nn.init.zeros_: fills with 0.
Tensor zeros_(Tensor tensor);
/// torch.nn.init.ones_: fills with 1.
Tensor ones_(Tensor tensor);
/// The identity matrix (2-d tensors only).
Tensor eye_(Tensor tensor);
/// The Dirac delta for convolution weights (3, 4 or 5 dims), per group.
Tensor dirac_(Tensor tensor, int64_t groups = 1);
/// torch.nn.init.xavier_uniform_: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)).
Tensor xavier_uniform_(Tensor tensor, double gain = 1.0, Generator* gen = nullptr);
/// torch.nn.init.xavier_normal_: N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).
Tensor xavier_normal_(Tensor tensor, double gain = 1.0, Generator* gen = nullptr);
/// torch.nn.init.kaiming_uniform_: U(-b, b) with b = sqrt(3) * gain(nonlinearity, a) / sqrt(fan); a tensor with a
/// zero-size dim is left as is.
Tensor kaiming_uniform_(Tensor tensor, double a = 0.0, const std::string& mode = "fan_in",
                        const std::string& nonlinearity = "leaky_relu", Generator* gen = nullptr);
/// torch.nn.init.kaiming_normal_: N(0, std^2) with std = gain(nonlinearity, a) / sqrt(fan); a tensor with a
/// zero-size dim is left as is.
Tensor kaiming_normal_(Tensor tensor, double a = 0.0, const std::string& mode = "fan_in",
                       const std::string& nonlinearity = "leaky_relu", Generator* gen = nullptr);
/// A (semi-)orthogonal matrix from the QR decomposition of a normal draw, signs fixed by diag(R); dims past
/// the first are flattened.
Tensor orthogonal_(Tensor tensor, double gain = 1.0, Generator* gen = nullptr);
/// Normal(0, std) with ceil(sparsity * rows) zeros per column (2-d tensors only).
Tensor sparse_(Tensor tensor, double sparsity, double std = 0.01, Generator* gen = nullptr);

}  // namespace fl::nn::init
