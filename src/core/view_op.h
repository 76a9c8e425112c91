// A view op: how a view derives its value from its base's (apply) and how a write to the view becomes a
// new base value (write back). Chains of these make views and in-place ops work over immutable arrays.
#pragma once
#include <vector>

#include <mlx/array.h>

#include "fl/tensor.h"

namespace fl {

struct ViewOp {
  enum class Kind : uint8_t { Slice, Select, Permute, Reshape, Expand, Diagonal };
  Kind kind;
  int64_t dim = 0, start = 0, stop = 0, step = 1;  // Slice / Select (start is the index) / Diagonal (offset, dim, dim2=stop)
  Shape shape;  // Permute: the permutation; Reshape, Expand: target shape; all: the input shape
  const char* grad_name = nullptr;  // PyTorch's grad_fn name for the op that made the view

  mlx::core::array apply(const mlx::core::array& in) const;
  /// The new value of this op's input, given its old value and the new value of its output.
  mlx::core::array write_back(const mlx::core::array& in, const mlx::core::array& out) const;
  /// PyTorch's grad_fn name for this view.
  const char* backward_name() const;
};

using ViewChain = std::vector<ViewOp>;

mlx::core::array apply_chain(const ViewChain& chain, mlx::core::array base);
/// Writes `value` into the view that `chain` selects of `base`, returning the new base.
mlx::core::array write_chain(const ViewChain& chain, const mlx::core::array& base, const mlx::core::array& value);

}  // namespace fl
