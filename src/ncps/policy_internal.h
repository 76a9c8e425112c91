// Shared by the layers (modules_layers.cpp) and the Policy's tensor step: the checks of a layer's state list.
#pragma once
#include <string>
#include <vector>

#include "fl/ncps/policy.h"

namespace fl::ncps::detail {

/// hx is empty (zeros) or one {h, c} per unit: c present with mixed memory, each 2-D for a batched input and
/// 1-D for an unbatched one; torch's errors otherwise.
void check_states(const std::vector<CellState>& hx, size_t units, bool mixed, bool batched, const std::string& name);

}  // namespace fl::ncps::detail
