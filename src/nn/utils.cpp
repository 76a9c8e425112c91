// torch.nn.utils.clip_grad and convert_parameters, step for step as torch computes them (so the total norm and
// the clipped gradients agree to rounding).
#include "fl/nn/utils.h"

#include "fl/autograd.h"
#include "fl/nn/repr.h"
#include "fl/ops/binary.h"
#include "fl/ops/creation.h"
#include "fl/ops/reduction.h"
#include "fl/ops/shape.h"
#include "fl/ops/unary.h"

namespace fl::nn::utils {

namespace {
// The defined .grad of each parameter, as handles (in-place ops on them update the parameters' grads).
std::vector<Tensor> grads_of(const std::vector<Tensor>& parameters) {
  std::vector<Tensor> grads;
  for (auto& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  return grads;
}

// torch's _check_param_device: every parameter on the first one's device.
void check_same_device(const Tensor& p, std::optional<Device>& first) {
  if (!first) first = p.device();
  FL_CHECK_TYPE(p.device().type() == first->type() && p.device().index() == first->index(),
                "Found two parameters on different devices, this is currently not supported.");
}
}  // namespace

Tensor get_total_norm(const std::vector<Tensor>& tensors, double norm_type, bool error_if_nonfinite,
                      std::optional<bool>) {
  NoGradGuard no_grad;
  if (tensors.empty()) return fl::tensor(Scalar(0.0));
  Device first = tensors[0].device();
  std::vector<Tensor> norms;
  norms.reserve(tensors.size());
  for (auto& t : tensors) norms.push_back(fl::norm(t, norm_type).to(first));
  Tensor total = fl::norm(fl::stack(norms), norm_type);
  if (error_if_nonfinite) {
    FL_CHECK(!fl::logical_or(fl::isnan(total), fl::isinf(total)).item<bool>(), "The total norm of order ",
             py_float(norm_type),
             " for gradients from `parameters` is non-finite, so it cannot be clipped. To disable this error and "
             "scale the gradients by the non-finite norm anyway, set `error_if_nonfinite=False`");
  }
  return total;
}

void clip_grads_with_norm_(const std::vector<Tensor>& parameters, double max_norm, const Tensor& total_norm,
                           std::optional<bool>) {
  NoGradGuard no_grad;
  std::vector<Tensor> grads = grads_of(parameters);
  if (grads.empty()) return;
  Tensor coef = fl::clamp(max_norm / (total_norm + 1e-6), std::nullopt, 1.0);
  for (auto& g : grads) g.mul_(coef.to(g.device()));
}

Tensor clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type,
                       bool error_if_nonfinite, std::optional<bool> foreach) {
  Tensor total = get_total_norm(grads_of(parameters), norm_type, error_if_nonfinite, foreach);
  clip_grads_with_norm_(parameters, max_norm, total, foreach);
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value, std::optional<bool>) {
  NoGradGuard no_grad;
  for (auto& g : grads_of(parameters)) g.clamp_(-clip_value, clip_value);
}

Tensor parameters_to_vector(const std::vector<Tensor>& parameters) {
  std::optional<Device> device;
  std::vector<Tensor> flat;
  flat.reserve(parameters.size());
  for (auto& p : parameters) {
    check_same_device(p, device);
    flat.push_back(p.view({-1}));
  }
  return fl::cat(flat);
}

void vector_to_parameters(const Tensor& vec, const std::vector<Tensor>& parameters) {
  std::optional<Device> device;
  int64_t pointer = 0;
  for (auto p : parameters) {
    check_same_device(p, device);
    int64_t n = p.numel();
    p.set_data(vec.slice(0, pointer, pointer + n).view(p.sizes()).data());
    pointer += n;
  }
}

}  // namespace fl::nn::utils
