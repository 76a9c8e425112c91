// Docstrings of flashlight._C._nn_utils (torch.nn.utils' clipping and vector conversions; nn_utils.cpp).
#pragma once
#include "docs/doc_table.h"

namespace flpy::docs {

#define FL_FOREACH "    foreach (bool, optional): accepted for torch compatibility (one fused path). Default: None.\n"
#define FL_PARAMS "    parameters (iterable of Tensors or a Tensor): the parameters whose .grad to use.\n"

inline constexpr Doc kNnUtils[] = {
    {"get_total_norm",
     "Returns the norm of the norms of tensors, as if they were concatenated into one vector.\n\n"
     "Args:\n    tensors (iterable of Tensors or a Tensor): the tensors (typically gradients).\n"
     "    norm_type (float): the p of the p-norm (inf for the max norm). Default: 2.0.\n"
     "    error_if_nonfinite (bool): raise a RuntimeError when the norm is nan or inf. Default: "
     "False.\n" FL_FOREACH "\nReturns:\n    Tensor: the 0-d total norm.\n"},
    {"clip_grads_with_norm_",
     "Scales the gradients of parameters by max_norm / (total_norm + 1e-6) when that is "
     "below 1.\n\nArgs:\n" FL_PARAMS "    max_norm (float): the norm to clip to.\n"
     "    total_norm (Tensor): the total norm of the gradients (get_total_norm).\n" FL_FOREACH
     "\nReturns:\n    None.\n"},
    {"clip_grad_norm_",
     "Clips the gradients of parameters in place so that their total norm is at most max_norm.\n\n"
     "Args:\n" FL_PARAMS "    max_norm (float): the largest allowed total norm.\n"
     "    norm_type (float): the p of the p-norm (inf for the max norm). Default: 2.0.\n"
     "    error_if_nonfinite (bool): raise a RuntimeError when the norm is nan or inf. Default: "
     "False.\n" FL_FOREACH "\nReturns:\n    Tensor: the total norm before clipping.\n"},
    {"clip_grad_value_",
     "Clamps every gradient of parameters in place to [-clip_value, clip_value].\n\nArgs:\n" FL_PARAMS
     "    clip_value (float): the largest allowed absolute value.\n" FL_FOREACH "\nReturns:\n    None.\n"},
    {"parameters_to_vector",
     "Flattens and concatenates parameters into one vector.\n\nArgs:\n"
     "    parameters (iterable of Tensors): the parameters.\n\nReturns:\n"
     "    Tensor: a 1-D tensor (a copy).\n"},
    {"vector_to_parameters",
     "Copies consecutive slices of a vector into parameters (the inverse of "
     "parameters_to_vector).\n\nArgs:\n    vec (Tensor): a 1-D tensor with as many elements "
     "as the parameters together.\n    parameters (iterable of Tensors): the parameters, "
     "written in place.\n\nReturns:\n    None.\n"},
};

#undef FL_FOREACH
#undef FL_PARAMS

}  // namespace flpy::docs
