// Docstrings of flashlight._C._optim's functions (optim.cpp). The optimizer classes surface through
// flashlight.optim's Python classes, which carry torch's documentation.
#pragma once
#include "docs/doc_table.h"

namespace flpy::docs {

inline constexpr Doc kOptim[] = {
    {"zero_grad", R"(Resets the gradients of a list of tensors (torch's Optimizer.zero_grad over its parameters).

Args:
    params (list of Tensors): the parameters.
    set_to_none (bool): set .grad to None instead of filling it with zeros. Default: True.

Returns:
    None.)"},
};

}  // namespace flpy::docs
