// torch.nn.init over Flashlight's random ops: each draws a fresh value and copies it into the tensor under no
// grad, so views, parameters and their aliases all see it.
#include "fl/nn/init.h"

#include <mlx/linalg.h>
#include <mlx/ops.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>

#include "fl/autograd.h"
#include "fl/ops/binary.h"
#include "fl/ops/creation.h"
#include "fl/ops/indexing.h"
#include "fl/ops/reduction.h"
#include "fl/ops/shape.h"
#include "fl/ops/unary.h"

namespace fl::nn::init {

namespace mx = mlx::core;

namespace {
TensorOptions like(const Tensor& t) { return TensorOptions(t.dtype()).device(t.device()); }

Tensor assign(Tensor& tensor, const Tensor& value) {
  NoGradGuard no_grad;
  tensor.copy_(value);
  return tensor;
}

double norm_cdf(double x) { return (1.0 + std::erf(x / std::sqrt(2.0))) / 2.0; }
}  // namespace

double calculate_gain(const std::string& nonlinearity, std::optional<double> param) {
  static const char* linear_fns[] = {"linear",           "conv1d",           "conv2d",           "conv3d",
                                     "conv_transpose1d", "conv_transpose2d", "conv_transpose3d", "sigmoid"};
  for (const char* f : linear_fns)
    if (nonlinearity == f) return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") {
    double slope = param.value_or(0.01);
    return std::sqrt(2.0 / (1 + slope * slope));
  }
  if (nonlinearity == "selu") return 3.0 / 4;
  throw ValueError("Unsupported nonlinearity " + nonlinearity);
}

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& tensor) {
  FL_CHECK_VALUE(tensor.dim() >= 2, "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
  int64_t receptive = 1;
  for (int64_t d = 2; d < tensor.dim(); ++d) receptive *= tensor.size(d);
  return {tensor.size(1) * receptive, tensor.size(0) * receptive};
}

int64_t calculate_correct_fan(const Tensor& tensor, const std::string& mode) {
  std::string m = mode;
  std::transform(m.begin(), m.end(), m.begin(), [](unsigned char c) { return std::tolower(c); });
  FL_CHECK_VALUE(m == "fan_in" || m == "fan_out", "Mode ", m,
                 " not supported, please use one of ['fan_in', 'fan_out']");
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  return m == "fan_in" ? fan_in : fan_out;
}

Tensor uniform_(Tensor tensor, double a, double b, Generator* gen) {
  return assign(tensor, fl::uniform(tensor.sizes(), a, b, like(tensor), gen));
}

Tensor normal_(Tensor tensor, double mean, double std, Generator* gen) {
  return assign(tensor, fl::normal(mean, std, tensor.sizes(), like(tensor), gen));
}

namespace {
// Rejection sampling: each round proposes enough candidates for the slots still empty at the expected acceptance
// rate, and keeps the accepted ones (independent draws from the target, so their order does not matter).
using Proposal = std::function<std::pair<Tensor, Tensor>(int64_t)>;  // m -> (candidates, accepted mask)
Tensor rejection_sample(int64_t n, double rate, const Proposal& propose) {
  std::vector<Tensor> parts;
  for (int64_t filled = 0; filled < n;) {
    int64_t need = n - filled;
    double want = 1.1 * static_cast<double>(need) / std::max(rate, 1e-9) + 64;
    auto m = static_cast<int64_t>(std::min(want, double{1 << 22}));
    auto [candidates, accepted] = propose(m);
    Tensor kept = candidates.masked_select(accepted);
    int64_t got = std::min(kept.numel(), need);
    if (got > 0) parts.push_back(kept.slice(0, 0, got));
    filled += got;
    rate = kept.numel() > 0 ? static_cast<double>(kept.numel()) / static_cast<double>(m) : rate / 16;
  }
  return parts.empty() ? Tensor() : fl::cat(parts);
}
}  // namespace

Tensor trunc_normal_(Tensor tensor, double mean, double std, double a, double b, Generator* gen) {
  NoGradGuard no_grad;
  TensorOptions opts = like(tensor);
  double p = norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std);
  Proposal propose;
  double rate = p;
  if (p > 0.3) {
    // Most normal draws land in [a, b]: keep those. Bounds compare in the tensor's dtype, as torch's.
    propose = [=](int64_t m) {
      Tensor c = fl::normal(mean, std, {m}, opts, gen);
      return std::pair{c, fl::logical_and(c >= a, c <= b)};
    };
  } else {
    // Little mass in [a, b]: uniform proposals on [a, b], accepted with the density's ratio to its peak there.
    double mode = std::max(a, std::min(mean, b));
    double log_peak = -0.5 * std::pow((mode - mean) / std, 2);
    rate = p * std * std::sqrt(2 * M_PI) * std::exp(-log_peak) / (b - a);
    propose = [=](int64_t m) {
      Tensor c = fl::uniform({m}, a, b, opts, gen);
      Tensor log_accept = fl::square((c - mean) / std) * -0.5 - log_peak;
      return std::pair{c, fl::log(fl::rand({m}, opts, gen)) <= log_accept};
    };
  }
  if (tensor.numel() == 0) {
    propose(0);  // still raises torch's error for integer tensors
    return tensor;
  }
  return assign(tensor, rejection_sample(tensor.numel(), rate, propose).view(tensor.sizes()));
}

Tensor constant_(Tensor tensor, const Scalar& value) {
  NoGradGuard no_grad;
  tensor.fill_(value);
  return tensor;
}

Tensor zeros_(Tensor tensor) { return constant_(tensor, 0); }
Tensor ones_(Tensor tensor) { return constant_(tensor, 1.0); }

Tensor eye_(Tensor tensor) {
  FL_CHECK_VALUE(tensor.dim() == 2, "Only tensors with 2 dimensions are supported");
  return assign(tensor, fl::eye(tensor.size(0), tensor.size(1), like(tensor)));
}

Tensor dirac_(Tensor tensor, int64_t groups) {
  int64_t dims = tensor.dim();
  FL_CHECK_VALUE(dims >= 3 && dims <= 5, "Only tensors with 3, 4, or 5 dimensions are supported");
  const Shape& s = tensor.sizes();
  FL_CHECK_VALUE(groups > 0 && s[0] % groups == 0, "dim 0 must be divisible by groups");
  int64_t out_per_group = s[0] / groups;
  int64_t min_dim = std::min(out_per_group, s[1]);
  // Row-major offset of [g * out_per_group + d, d, centre...]: ones at each kernel centre.
  std::vector<double> data(static_cast<size_t>(tensor.numel()), 0.0);
  for (int64_t g = 0; g < groups; ++g) {
    for (int64_t d = 0; d < min_dim; ++d) {
      int64_t offset = g * out_per_group + d;
      offset = offset * s[1] + d;
      for (int64_t k = 2; k < dims; ++k) offset = offset * s[k] + s[k] / 2;
      data[static_cast<size_t>(offset)] = 1.0;
    }
  }
  return assign(tensor, fl::tensor(data, s, TensorOptions(kFloat64)));
}

Tensor xavier_uniform_(Tensor tensor, double gain, Generator* gen) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  double a = std::sqrt(3.0) * std;
  return uniform_(tensor, -a, a, gen);
}

Tensor xavier_normal_(Tensor tensor, double gain, Generator* gen) {
  auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(tensor);
  double std = gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  return normal_(tensor, 0.0, std, gen);
}

namespace {
// torch: a tensor with a zero-size dim is left alone (a warning in Python), before any fan check.
bool has_zero_dim(const Tensor& t) {
  const Shape& s = t.sizes();
  return std::find(s.begin(), s.end(), 0) != s.end();
}
double kaiming_std(const Tensor& tensor, double a, const std::string& mode, const std::string& nonlinearity) {
  int64_t fan = calculate_correct_fan(tensor, mode);
  return calculate_gain(nonlinearity, a) / std::sqrt(static_cast<double>(fan));
}
}  // namespace

Tensor kaiming_uniform_(Tensor tensor, double a, const std::string& mode, const std::string& nonlinearity,
                        Generator* gen) {
  if (has_zero_dim(tensor)) return tensor;
  double bound = std::sqrt(3.0) * kaiming_std(tensor, a, mode, nonlinearity);
  return uniform_(tensor, -bound, bound, gen);
}

Tensor kaiming_normal_(Tensor tensor, double a, const std::string& mode, const std::string& nonlinearity,
                       Generator* gen) {
  if (has_zero_dim(tensor)) return tensor;
  return normal_(tensor, 0.0, kaiming_std(tensor, a, mode, nonlinearity), gen);
}

Tensor orthogonal_(Tensor tensor, double gain, Generator* gen) {
  FL_CHECK_VALUE(tensor.dim() >= 2, "Only tensors with 2 or more dimensions are supported");
  if (tensor.numel() == 0) return tensor;
  int64_t rows = tensor.size(0), cols = tensor.numel() / rows;
  // MLX's QR runs on the CPU in float32 or float64.
  Dtype work = tensor.dtype() == kFloat64 ? kFloat64 : kFloat32;
  mx::array flat = fl::normal(0.0, 1.0, {rows, cols}, TensorOptions(work), gen).mlx();
  if (rows < cols) flat = mx::transpose(flat);
  auto [q, r] = mx::linalg::qr(flat, mx::Device(mx::Device::cpu));
  // Signs of diag(R) make the factorisation unique, so Q is uniform over the orthogonal group.
  q = mx::multiply(q, mx::sign(mx::diagonal(r)));
  if (rows < cols) q = mx::transpose(q);
  Tensor value = fl::from_mlx(q).reshape(tensor.sizes()) * gain;
  return assign(tensor, value);
}

Tensor sparse_(Tensor tensor, double sparsity, double std, Generator* gen) {
  FL_CHECK_VALUE(tensor.dim() == 2, "Only tensors with 2 dimensions are supported");
  int64_t rows = tensor.size(0);
  auto num_zeros = static_cast<int64_t>(std::ceil(sparsity * static_cast<double>(rows)));
  NoGradGuard no_grad;
  Tensor value = fl::normal(0.0, std, tensor.sizes(), like(tensor), gen);
  // Per column, the rows ranked first by an independent random permutation are zeroed (torch's randperm[:k]).
  Tensor rank = fl::argsort(fl::argsort(fl::rand(tensor.sizes(), TensorOptions(kFloat32), gen), 0), 0);
  return assign(tensor, fl::where(rank < num_zeros, 0.0, value));
}

}  // namespace fl::nn::init
