#include "fl/nn/modules/normalization.h"

#include "fl/autograd.h"
#include "fl/nn/functional/normalization.h"
#include "fl/nn/init.h"
#include "fl/nn/repr.h"
#include "fl/ops/creation.h"
#include "nn/modules/module_utils.h"

namespace fl::nn {

namespace F = functional;
using detail::opt;

namespace {

// torch's affine pair: weight when affine, bias when affine and bias; None (undefined) otherwise.
void register_affine(Module& m, Tensor& weight, Tensor& bias, const Shape& shape, bool affine, bool use_bias,
                     const TensorOptions& o) {
  weight = m.register_parameter("weight", affine ? fl::empty(shape, o) : Tensor());
  bias = m.register_parameter("bias", affine && use_bias ? fl::empty(shape, o) : Tensor());
}

// weight = 1, bias = 0 (torch's reset_parameters of every normalisation layer).
void reset_affine(const Tensor& weight, const Tensor& bias) {
  if (weight.defined()) init::ones_(weight);
  if (bias.defined()) init::zeros_(bias);
}

}  // namespace

// --- BatchNorm ----------------------------------------------------------------------------------------------------

BatchNormBase::BatchNormBase(const BatchNormOptions& opts) : options(opts) {
  const TensorOptions& o = opts.tensor_options;
  register_affine(*this, weight, bias, {opts.num_features}, opts.affine, opts.bias, o);
  bool track = opts.track_running_stats;
  running_mean = register_buffer("running_mean", track ? fl::zeros({opts.num_features}, o) : Tensor());
  running_var = register_buffer("running_var", track ? fl::ones({opts.num_features}, o) : Tensor());
  // An int64 count on the parameters' device, whatever their dtype.
  num_batches_tracked = register_buffer(
      "num_batches_tracked", track ? fl::zeros({}, TensorOptions(kInt64).device(o.device_or_default())) : Tensor());
  reset_parameters();
}

void BatchNormBase::reset_running_stats() {
  if (!options.track_running_stats) return;
  NoGradGuard no_grad;
  running_mean.zero_();
  running_var.fill_(1);
  num_batches_tracked.zero_();
}

void BatchNormBase::reset_parameters() {
  reset_running_stats();
  reset_affine(weight, bias);
}

Tensor BatchNormBase::forward(const Tensor& input) {
  check_input_dim(input);
  double factor = options.momentum.value_or(0.0);
  if (is_training() && options.track_running_stats && num_batches_tracked.defined()) {
    NoGradGuard no_grad;
    num_batches_tracked.add_(1);
    if (!options.momentum) factor = 1.0 / num_batches_tracked.item<double>();
  }
  // Batch statistics in training, and in evaluation when there are no running ones; the running buffers are
  // passed (and so updated) only when tracked.
  bool bn_training = is_training() || (!running_mean.defined() && !running_var.defined());
  bool pass_stats = !is_training() || options.track_running_stats;
  return F::batch_norm(input, pass_stats ? opt(running_mean) : std::nullopt,
                       pass_stats ? opt(running_var) : std::nullopt, opt(weight), opt(bias), bn_training, factor,
                       options.eps);
}

std::string BatchNormBase::extra_repr() const {
  return std::to_string(options.num_features) + ", eps=" + py_float(options.eps) +
         ", momentum=" + (options.momentum ? py_float(*options.momentum) : "None") +
         ", affine=" + py_bool(options.affine) + ", bias=" + py_bool(bias.defined()) +
         ", track_running_stats=" + py_bool(options.track_running_stats);
}

void BatchNormBase::load_from_state_dict(const StateDict& state_dict, const std::string& prefix, IncompatibleKeys& keys,
                                         std::vector<std::string>& error_msgs) {
  // A StateDict carries no version metadata, so torch's rule for an unversioned dict applies.
  std::string key = prefix + "num_batches_tracked";
  if (options.track_running_stats && !state_dict.contains(key)) {
    StateDict with_count = state_dict;
    with_count.insert(key, num_batches_tracked.detach());
    Module::load_from_state_dict(with_count, prefix, keys, error_msgs);
    return;
  }
  Module::load_from_state_dict(state_dict, prefix, keys, error_msgs);
}

void BatchNorm1d::check_input_dim(const Tensor& input) const {
  FL_CHECK_VALUE(input.dim() == 2 || input.dim() == 3, "expected 2D or 3D input (got ", input.dim(), "D input)");
}

void BatchNorm2d::check_input_dim(const Tensor& input) const {
  FL_CHECK_VALUE(input.dim() == 4, "expected 4D input (got ", input.dim(), "D input)");
}

// --- LayerNorm ----------------------------------------------------------------------------------------------------

LayerNorm::LayerNorm(const LayerNormOptions& opts) : options(opts) {
  register_affine(*this, weight, bias, opts.normalized_shape, opts.elementwise_affine, opts.bias, opts.tensor_options);
  reset_parameters();
}

void LayerNorm::reset_parameters() { reset_affine(weight, bias); }

Tensor LayerNorm::forward(const Tensor& input) {
  return F::layer_norm(input, options.normalized_shape, opt(weight), opt(bias), options.eps);
}

std::string LayerNorm::extra_repr() const {
  return py_tuple(options.normalized_shape) + ", eps=" + py_float(options.eps) +
         ", elementwise_affine=" + py_bool(options.elementwise_affine) + ", bias=" + py_bool(bias.defined());
}

// --- GroupNorm ----------------------------------------------------------------------------------------------------

GroupNorm::GroupNorm(const GroupNormOptions& opts) : options(opts) {
  FL_CHECK_VALUE(opts.num_groups != 0 && opts.num_channels % opts.num_groups == 0, "num_channels (", opts.num_channels,
                 ") must be divisible by num_groups (", opts.num_groups, ")");
  register_affine(*this, weight, bias, {opts.num_channels}, opts.affine, opts.bias, opts.tensor_options);
  reset_parameters();
}

void GroupNorm::reset_parameters() { reset_affine(weight, bias); }

Tensor GroupNorm::forward(const Tensor& input) {
  return F::group_norm(input, options.num_groups, opt(weight), opt(bias), options.eps);
}

std::string GroupNorm::extra_repr() const {
  return std::to_string(options.num_groups) + ", " + std::to_string(options.num_channels) +
         ", eps=" + py_float(options.eps) + ", affine=" + py_bool(options.affine) + ", bias=" + py_bool(bias.defined());
}

}  // namespace fl::nn
