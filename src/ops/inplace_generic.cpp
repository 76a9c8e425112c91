// In-place forms of out-of-place ops, by one mechanism: the op's result written back into self (assign_result in
// src/core/inplace_write.cpp), so each form has the op's maths, promotion and gradient, with PyTorch's in-place
// rules. In-place view ops (t_, squeeze_, ...) change self's own view metadata (assign_view).
#include <cmath>
#include <numbers>
#include <string_view>

#include "fl/ops/binary.h"
#include "fl/ops/random.h"
#include "fl/ops/unary.h"
#include "ops/op_utils.h"

namespace fl {

#define FL_DEFINE_INPLACE_UNARY(method, fn) \
  Tensor& Tensor::method##_() { return assign_result(*this, fl::fn(*this)); }
#define FL_DEFINE_INPLACE_TENSOR(method, fn) \
  Tensor& Tensor::method##_(const Tensor& other) { return assign_result(*this, fl::fn(*this, other), {other}); }
#define FL_DEFINE_INPLACE_BINARY(method, fn) \
  FL_DEFINE_INPLACE_TENSOR(method, fn)       \
  Tensor& Tensor::method##_(const Scalar& other) { return assign_result(*this, fl::fn(*this, scalar_tensor(other))); }
FL_INPLACE_UNARY_OPS(FL_DEFINE_INPLACE_UNARY)
FL_INPLACE_BINARY_OPS(FL_DEFINE_INPLACE_BINARY)
FL_INPLACE_BINARY_TENSOR_OPS(FL_DEFINE_INPLACE_TENSOR)
#undef FL_DEFINE_INPLACE_UNARY
#undef FL_DEFINE_INPLACE_TENSOR
#undef FL_DEFINE_INPLACE_BINARY

Tensor& Tensor::round_(int64_t decimals) { return assign_result(*this, fl::round(*this, decimals)); }
Tensor& Tensor::logit_(std::optional<double> eps) { return assign_result(*this, fl::logit(*this, eps)); }
Tensor& Tensor::nan_to_num_(std::optional<double> nan, std::optional<double> posinf, std::optional<double> neginf) {
  return assign_result(*this, fl::nan_to_num(*this, nan, posinf, neginf));
}
Tensor& Tensor::clamp_min_(const Scalar& min) { return assign_result(*this, fl::clamp_min(*this, min)); }
Tensor& Tensor::clamp_max_(const Scalar& max) { return assign_result(*this, fl::clamp_max(*this, max)); }
Tensor& Tensor::clip_(std::optional<Scalar> min, std::optional<Scalar> max) {
  return assign_result(*this, fl::clamp(*this, min, max));
}

namespace {
void check_float_power_base(const Tensor& self) {
  FL_CHECK(self.dtype() == kFloat64, "the base given to float_power_ has dtype ", scalar_type_name(self.dtype()),
           " but the operation's result requires dtype Double");
}
}  // namespace
Tensor& Tensor::float_power_(const Tensor& exponent) {
  check_float_power_base(*this);
  return assign_result(*this, fl::float_power(*this, exponent));
}
Tensor& Tensor::float_power_(const Scalar& exponent) { return float_power_(scalar_tensor(exponent)); }

Tensor& Tensor::fill_diagonal_(const Scalar& fill_value, bool wrap) {
  const int64_t n = dim();
  FL_CHECK(n >= 2, "dimensions must larger than 1");
  const int64_t height = size(0), width = size(1);
  for (int64_t i = 1; n > 2 && i < n; ++i) FL_CHECK(size(i) == height, "all dimensions of input must be of equal length");
  // The diagonal's row-major flat positions: (k, k, ..., k) for k < min(height, width); with wrap (2-d, tall
  // matrices) the 2-d diagonal continues every width + 1 elements, as PyTorch's strided fill.
  std::vector<uint8_t> mask(static_cast<size_t>(numel()), 0);
  int64_t step = 0;
  for (int64_t i = 0, acc = 1; i < n; ++i) {
    step += numel() / (acc * size(i));
    acc *= size(i);
  }
  const int64_t len = std::min(height, width);
  for (int64_t k = 0; k < len; ++k) mask[k * step] = 1;
  if (wrap && n == 2 && height > width + 1)
    for (int64_t p = len * step; p < numel(); p += step) mask[p] = 1;
  mx::array m(mask.data(), to_mx_shape(sizes()), mx::uint8);
  Tensor fill = scalar_tensor(fill_value, dtype());
  return assign_result(*this, fl::where(make_tensor(mx::astype(m, mx::bool_), device()), fill, *this));
}

namespace {
// A uniform (0, 1) draw for a random fill of self, in self's float dtype (float32 for lower precisions, float64
// for integer self), mapped by `f` and copied into self.
template <typename F>
Tensor& random_fill(Tensor& self, Generator* gen, F f) {
  Dtype d = self.dtype() == kFloat64 || !self.is_floating_point() ? kFloat64 : kFloat32;
  Tensor u = rand(self.sizes(), TensorOptions().dtype(d), gen);
  // rand draws [0, 1): 1 - u is in (0, 1], so logs stay finite.
  return self.copy_(f(1.0 - u));
}
void check_float_fill(const Tensor& self, const char* kernel) {
  FL_CHECK_AS(NotImplementedError, self.is_floating_point(), "\"", kernel, "\" not implemented for '",
              scalar_type_name(self.dtype()), "'");
}
}  // namespace

Tensor& Tensor::exponential_(double lambd, Generator* gen) {
  FL_CHECK(lambd > 0, "exponential_ expects lambda > 0.0, but found lambda=", lambd);
  check_float_fill(*this, "exponential_cpu");
  return random_fill(*this, gen, [lambd](const Tensor& u) { return fl::log(u) * (-1.0 / lambd); });
}
Tensor& Tensor::cauchy_(double median, double sigma, Generator* gen) {
  check_float_fill(*this, "cauchy_cpu");
  return random_fill(*this, gen,
                     [=](const Tensor& u) { return fl::tan((u - 0.5) * std::numbers::pi) * sigma + median; });
}
Tensor& Tensor::log_normal_(double mean, double std, Generator* gen) {
  FL_CHECK(std > 0, "log_normal_ expects std > 0.0, but found std=", std);
  check_float_fill(*this, "log_normal_cpu");
  Dtype d = dtype() == kFloat64 ? kFloat64 : kFloat32;
  return copy_(fl::exp(randn(sizes(), TensorOptions().dtype(d), gen) * std + mean));
}
Tensor& Tensor::geometric_(double p, Generator* gen) {
  FL_CHECK(p > 0 && p < 1, "geometric_ expects p to be in (0, 1), but got p=", p);
  return random_fill(*this, gen, [p](const Tensor& u) { return fl::ceil(fl::log(u) / std::log1p(-p)).clamp(1, {}); });
}

// --- in-place view ops ---------------------------------------------------------------------------------------

Tensor& Tensor::squeeze_() { return assign_view(*this, squeeze(), "SqueezeBackward3"); }
Tensor& Tensor::squeeze_(int64_t d) { return assign_view(*this, squeeze(d), "SqueezeBackward4"); }
Tensor& Tensor::unsqueeze_(int64_t d) { return assign_view(*this, unsqueeze(d), "UnsqueezeBackward1"); }
Tensor& Tensor::t_() { return assign_view(*this, t(), "TBackward1"); }
Tensor& Tensor::transpose_(int64_t d0, int64_t d1) { return assign_view(*this, transpose(d0, d1), "TransposeBackward1"); }

}  // namespace fl

namespace fl {
namespace {
// Integer/bool-only ops, and floor_divide (no derivative in PyTorch), have no gradient check.
constexpr bool differentiable_inplace(std::string_view fn) {
  for (std::string_view n : {"bitwise_not", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "logical_and",
                             "logical_or", "logical_xor", "floor_divide"})
    if (fn == n) return false;
  return true;
}
}  // namespace
#define FL_REGISTER_INPLACE(method, fn) {#method "_", "inplace", differentiable_inplace(#fn)},
static OpRegistrar kRegistrar({
    FL_INPLACE_UNARY_OPS(FL_REGISTER_INPLACE) FL_INPLACE_BINARY_OPS(FL_REGISTER_INPLACE)
    FL_INPLACE_BINARY_TENSOR_OPS(FL_REGISTER_INPLACE)
    {"round_", "inplace", true}, {"logit_", "inplace", true}, {"nan_to_num_", "inplace", true},
    {"clamp_min_", "inplace", true}, {"clamp_max_", "inplace", true}, {"clip_", "inplace", true},
    {"float_power_", "inplace", true}, {"fill_diagonal_", "inplace", true}, {"exponential_", "inplace", false},
    {"cauchy_", "inplace", false}, {"log_normal_", "inplace", false}, {"geometric_", "inplace", false},
    {"squeeze_", "inplace", true}, {"unsqueeze_", "inplace", true}, {"t_", "inplace", true},
    {"transpose_", "inplace", true}, {"swapaxes_", "inplace", true}, {"swapdims_", "inplace", true},
});
#undef FL_REGISTER_INPLACE
}  // namespace fl
