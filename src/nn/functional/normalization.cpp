// Normalisation ops. Each is one MLX composition recorded by apply_op, so MLX's vjp gives the gradients for
// input, weight and bias; batch_norm's running statistics are updated in place on the caller's buffers.
#include "fl/nn/functional/normalization.h"

#include <limits>

#include "fl/autograd.h"
#include "fl/ops/binary.h"
#include "fl/ops/reduction.h"
#include "fl/ops/shape.h"
#include "nn/functional/nn_utils.h"

namespace fl::nn::functional {

using namespace detail;

namespace {

// (x - mean) / sqrt(var + eps) with the biased variance over `ax`; also returns the statistics (kept dims).
struct Standardized {
  mx::array y, mean, var;
};
Standardized standardize(const mx::array& x, const std::vector<int>& ax, double eps) {
  auto mean = mx::mean(x, ax, true);
  auto xc = mx::subtract(x, mean);
  auto var = mx::mean(mx::square(xc), ax, true);
  return {mx::multiply(xc, mx::rsqrt(mx::add(var, c(eps, var)))), mean, var};
}

// y * weight + bias, with the per-channel parameters reshaped to `pshape` for broadcasting.
mx::array affine(mx::array y, const std::optional<mx::array>& w, const std::optional<mx::array>& b,
                 const mx::Shape& pshape) {
  if (w) y = mx::multiply(y, mx::reshape(*w, pshape));
  if (b) y = mx::add(y, mx::reshape(*b, pshape));
  return y;
}

// Shape (1, C, 1, ...) of an ndim input: per-channel parameters broadcast along dim 1.
mx::Shape channel_shape(int64_t ndim, int64_t C) {
  mx::Shape s(ndim, 1);
  s[1] = static_cast<int>(C);
  return s;
}

// torch's _verify_batch_size: more than one value per channel is needed for batch statistics.
void verify_batch_size(const Shape& size, const std::string& shown) {
  int64_t n = size[0];
  for (size_t i = 2; i < size.size(); ++i) n *= size[i];
  FL_CHECK_VALUE(n != 1, "Expected more than 1 value per channel when training, got input size ", shown);
}

}  // namespace

Tensor batch_norm(const Tensor& input, const std::optional<Tensor>& running_mean,
                  const std::optional<Tensor>& running_var, const std::optional<Tensor>& weight,
                  const std::optional<Tensor>& bias, bool training, double momentum, double eps) {
  if (training && input.dim() > 0) verify_batch_size(input.sizes(), torch_size(input.sizes()));
  FL_CHECK_VALUE(!training || eps > 0, "batch_norm eps must be positive during training, but got ", eps);
  FL_CHECK_VALUE(eps >= 0, "batch_norm eps must be non-negative, but got ", eps);
  const int64_t C = input.dim() > 1 ? input.size(1) : 0;
  for (auto [t, what] :
       {std::pair{&running_mean, "running_mean"}, {&running_var, "running_var"}, {&weight, "weight"}, {&bias, "bias"}})
    if (*t) FL_CHECK((*t)->numel() == C, what, " should contain ", C, " elements not ", (*t)->numel());
  FL_CHECK(input.dim() >= 2, "batch_norm: expected 2D or higher input (got ", input.dim(), "D input)");
  FL_CHECK(training || running_mean, "running_mean must be defined in evaluation mode");
  FL_CHECK(training || running_var, "running_var must be defined in evaluation mode");
  FL_CHECK(input.is_floating_point(), "batch_norm: expected a floating point input, got ",
           scalar_type_name(input.dtype()));

  const Dtype d = input.dtype(), acc = acc_dtype(d);
  std::vector<int> ax{0};
  for (int i = 2; i < input.dim(); ++i) ax.push_back(i);
  const mx::Shape pshape = channel_shape(input.dim(), C);
  const double n = static_cast<double>(input.numel()) / static_cast<double>(std::max<int64_t>(C, 1));
  Inputs ins;
  ins.add(input);
  const int iw = ins.add(weight), ib = ins.add(bias);

  if (!training) {
    const int im = ins.add(*running_mean), iv = ins.add(*running_var);
    return apply1("NativeBatchNormBackward0", fn1([=](const Arrays& in) {
                    auto x = cast(in[0], acc);
                    auto mean = mx::reshape(cast(in[im], acc), pshape), var = mx::reshape(cast(in[iv], acc), pshape);
                    auto y = mx::multiply(mx::subtract(x, mean), mx::rsqrt(mx::add(var, c(eps, var))));
                    return cast(affine(y, opt_at(in, iw, acc), opt_at(in, ib, acc), pshape), d);
                  }),
                  ins.tensors, kSaveAll);
  }

  // Outputs: the normalised input, the batch mean and the unbiased batch variance (for the running stats).
  auto outs = apply_op(
      "NativeBatchNormBackward0",
      [=](const Arrays& in) {
        auto s = standardize(cast(in[0], acc), ax, eps);
        mx::Shape cs{static_cast<int>(C)};
        auto unbiased = mx::multiply(s.var, c(n / std::max(n - 1, 1.0), s.var));
        return Arrays{cast(affine(s.y, opt_at(in, iw, acc), opt_at(in, ib, acc), pshape), d), mx::reshape(s.mean, cs),
                      mx::reshape(unbiased, cs)};
      },
      ins.tensors, kSaveAll);
  NoGradGuard no_grad;
  for (auto [stat, batch] : {std::pair{running_mean, outs[1]}, {running_var, outs[2]}}) {
    if (!stat) continue;
    Tensor r = *stat;  // shares the caller's buffer: copy_ writes into it
    r.copy_(r * (1.0 - momentum) + batch.detach() * momentum);
  }
  return outs[0];
}

Tensor instance_norm(const Tensor& input, const std::optional<Tensor>& running_mean,
                     const std::optional<Tensor>& running_var, const std::optional<Tensor>& weight,
                     const std::optional<Tensor>& bias, bool use_input_stats, double momentum, double eps) {
  FL_CHECK(input.dim() >= 2, "instance_norm: expected 2D or higher input (got ", input.dim(), "D input)");
  if (use_input_stats) {
    int64_t spatial = 1;
    for (int64_t i = 2; i < input.dim(); ++i) spatial *= input.size(i);
    FL_CHECK_VALUE(spatial != 1, "Expected more than 1 spatial element when training, got input size ",
                   torch_size(input.sizes()));
  }
  // As torch: batch_norm of the (1, N * C, *) reshape, with per-channel tensors repeated over the batch.
  const int64_t N = input.size(0), C = input.size(1);
  auto repeated = [N](const std::optional<Tensor>& t) -> std::optional<Tensor> {
    if (!t) return std::nullopt;
    return t->repeat({N});
  };
  Shape folded = input.sizes();
  folded[0] = 1;
  folded[1] = N * C;
  std::optional<Tensor> rm = repeated(running_mean), rv = repeated(running_var);
  Tensor out =
      batch_norm(input.reshape(folded), rm, rv, repeated(weight), repeated(bias), use_input_stats, momentum, eps)
          .view(input.sizes());
  NoGradGuard no_grad;
  for (auto [stat, rep] : {std::pair{running_mean, rm}, {running_var, rv}}) {
    if (!stat) continue;
    Tensor r = *stat;
    r.copy_(rep->view({N, C}).mean({0}));
  }
  return out;
}

namespace {

// torch's checks of normalized_shape against the input's trailing dims and the parameters' shapes; returns the
// normalised axes. `sep` is what torch prints after "[*" in the expected shape (", " for layer_norm, "" for rms_norm).
std::vector<int> trailing_axes(const Tensor& input, const Shape& normalized_shape,
                               std::initializer_list<std::pair<const std::optional<Tensor>*, const char*>> params,
                               const char* sep) {
  const int64_t k = static_cast<int64_t>(normalized_shape.size());
  FL_CHECK(k >= 1,
           "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, "
           "but got normalized_shape = ",
           shape_to_string(normalized_shape));
  for (auto [t, what] : params)
    FL_CHECK(!*t || (*t)->sizes() == normalized_shape, "Expected ", what,
             " to be of same shape as normalized_shape, but got ", what, " of shape ", shape_to_string((*t)->sizes()),
             " and normalized_shape = ", shape_to_string(normalized_shape));
  bool fits = input.dim() >= k;
  for (int64_t i = 0; fits && i < k; ++i) fits = input.size(input.dim() - k + i) == normalized_shape[i];
  if (!fits) {
    std::string expected = "[*";
    for (size_t i = 0; i < normalized_shape.size(); ++i)
      expected += (i ? ", " : sep) + std::to_string(normalized_shape[i]);
    throw Error("Given normalized_shape=" + shape_to_string(normalized_shape) + ", expected input with shape " +
                expected + "], but got input of size" + shape_to_string(input.sizes()));
  }
  FL_CHECK(input.is_floating_point(), "expected a floating point input, got ", scalar_type_name(input.dtype()));
  std::vector<int> ax;
  for (int64_t i = input.dim() - k; i < input.dim(); ++i) ax.push_back(static_cast<int>(i));
  return ax;
}

}  // namespace

Tensor layer_norm(const Tensor& input, const Shape& normalized_shape, const std::optional<Tensor>& weight,
                  const std::optional<Tensor>& bias, double eps) {
  const std::vector<int> ax = trailing_axes(input, normalized_shape, {{&weight, "weight"}, {&bias, "bias"}}, ", ");
  const Dtype d = input.dtype(), acc = acc_dtype(d);
  const mx::Shape pshape = to_mx_shape(normalized_shape);
  Inputs ins;
  ins.add(input);
  const int iw = ins.add(weight), ib = ins.add(bias);
  return apply1("NativeLayerNormBackward0", fn1([=](const Arrays& in) {
                  auto s = standardize(cast(in[0], acc), ax, eps);
                  return cast(affine(s.y, opt_at(in, iw, acc), opt_at(in, ib, acc), pshape), d);
                }),
                ins.tensors, kSaveAll);
}

Tensor rms_norm(const Tensor& input, const Shape& normalized_shape, const std::optional<Tensor>& weight,
                std::optional<double> eps) {
  const std::vector<int> ax = trailing_axes(input, normalized_shape, {{&weight, "weight"}}, "");
  const Dtype d = input.dtype(), acc = acc_dtype(d);
  // As torch: everything in the accumulation dtype (float32 for half inputs), whose machine epsilon is the default
  // eps, then one cast back.
  const double e =
      eps.value_or(acc == kFloat64 ? std::numeric_limits<double>::epsilon() : std::numeric_limits<float>::epsilon());
  const mx::Shape pshape = to_mx_shape(normalized_shape);
  Inputs ins;
  ins.add(input);
  const int iw = ins.add(weight);
  return apply1("MulBackward0", fn1([=](const Arrays& in) {
                  auto x = cast(in[0], acc);
                  auto y = mx::multiply(x, mx::rsqrt(mx::add(mx::mean(mx::square(x), ax, true), c(e, x))));
                  return cast(affine(y, opt_at(in, iw, acc), std::nullopt, pshape), d);
                }),
                ins.tensors, kSaveAll);
}

Tensor group_norm(const Tensor& input, int64_t num_groups, const std::optional<Tensor>& weight,
                  const std::optional<Tensor>& bias, double eps) {
  FL_CHECK(input.dim() >= 2, "Expected at least 2 dimensions for input tensor but received ", input.dim());
  const int64_t N = input.size(0), C = input.size(1);
  FL_CHECK(num_groups > 0, "Expected num groups to be greater than 0, got ", num_groups);
  Shape counted{N * C / num_groups, num_groups};
  for (int64_t i = 2; i < input.dim(); ++i) counted.push_back(input.size(i));
  verify_batch_size(counted, shape_to_string(counted));
  FL_CHECK(C % num_groups == 0,
           "Expected number of channels in input to be divisible by num_groups, but got input "
           "of shape ",
           shape_to_string(input.sizes()), " and num_groups=", num_groups);
  for (auto [t, what] : {std::pair{&weight, "weight"}, {&bias, "bias"}})
    FL_CHECK(!*t || ((*t)->dim() == 1 && (*t)->numel() == C), "Expected ", what,
             " to be a vector of size equal to the number of channels in input, but got ", what, " of shape ",
             shape_to_string((*t)->sizes()), " and input of shape ", shape_to_string(input.sizes()));
  FL_CHECK(input.is_floating_point(), "group_norm: expected a floating point input, got ",
           scalar_type_name(input.dtype()));
  const Dtype d = input.dtype(), acc = acc_dtype(d);
  const mx::Shape pshape = channel_shape(input.dim(), C), full = to_mx_shape(input.sizes());
  const int per_group = static_cast<int>(N == 0 ? 0 : input.numel() / (N * num_groups));
  const mx::Shape grouped{static_cast<int>(N), static_cast<int>(num_groups), per_group};
  Inputs ins;
  ins.add(input);
  const int iw = ins.add(weight), ib = ins.add(bias);
  return apply1("NativeGroupNormBackward0", fn1([=](const Arrays& in) {
                  auto s = standardize(mx::reshape(cast(in[0], acc), grouped), {2}, eps);
                  return cast(affine(mx::reshape(s.y, full), opt_at(in, iw, acc), opt_at(in, ib, acc), pshape), d);
                }),
                ins.tensors, kSaveAll);
}

Tensor normalize(const Tensor& input, double p, int64_t dim, double eps) {
  // As torch: the norm is clamped from below (with gradient through the clamp), then divides the input.
  return input / fl::clamp_min(fl::norm(input, p, {dim}, true), eps).expand_as(input);
}

static OpRegistrar registrar({
    {"batch_norm", "nn.normalization", true},
    {"instance_norm", "nn.normalization", true},
    {"layer_norm", "nn.normalization", true},
    {"rms_norm", "nn.normalization", true},
    {"group_norm", "nn.normalization", true},
    {"normalize", "nn.normalization", true},
});

}  // namespace fl::nn::functional
