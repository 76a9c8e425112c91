// torch.nn.utils: gradient clipping and flattening parameters into one vector.
#pragma once
#include <optional>
#include <vector>

#include "fl/tensor.h"

namespace fl::nn::utils {

/// The norm of the per-tensor norm_type-norms (torch.nn.utils.get_total_norm), a 0-d tensor (0.0 when empty).
/// error_if_nonfinite: RuntimeError when it is nan or inf. foreach is accepted for torch's signature; the maths is
/// the same either way.
Tensor get_total_norm(const std::vector<Tensor>& tensors, double norm_type = 2.0, bool error_if_nonfinite = false,
                      std::optional<bool> foreach = std::nullopt);
/// Scales each parameter's .grad in place by min(1, max_norm / (total_norm + 1e-6)).
void clip_grads_with_norm_(const std::vector<Tensor>& parameters, double max_norm, const Tensor& total_norm,
                           std::optional<bool> foreach = std::nullopt);
/// Clips the gradients' total norm to max_norm in place; returns the total norm before clipping.
Tensor clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type = 2.0,
                       bool error_if_nonfinite = false, std::optional<bool> foreach = std::nullopt);
/// Clamps each gradient element to [-clip_value, clip_value] in place.
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value,
                      std::optional<bool> foreach = std::nullopt);
/// The parameters flattened and concatenated (ValueError for an empty list, as torch.cat).
Tensor parameters_to_vector(const std::vector<Tensor>& parameters);
/// Each parameter's data becomes its slice of vec (sharing vec's storage, as torch's `param.data = ...`).
void vector_to_parameters(const Tensor& vec, const std::vector<Tensor>& parameters);

}  // namespace fl::nn::utils
