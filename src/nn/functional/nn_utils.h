// Helpers shared by the torch.nn.functional ops: reductions of losses, optional tensor inputs, messages.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ops/op_utils.h"

namespace fl::nn::functional::detail {

/// A constant of the same dtype as `like`.
inline mx::array c(double v, const mx::array& like) { return mx::array(v, like.dtype()); }
/// Half types compute statistics in float32, as PyTorch's CPU kernels do.
inline Dtype acc_dtype(Dtype d) { return d == kFloat16 || d == kBFloat16 ? kFloat32 : d; }
/// Python's repr of a size, as torch's Python-level messages print it: "torch.Size([1, 3])".
inline std::string torch_size(const Shape& s) { return "torch.Size(" + shape_to_string(s) + ")"; }

/// A loss reduction: 'none' | 'mean' | 'sum'.
enum class Reduction { None, Mean, Sum };
/// Parses a reduction string; ValueError "<r> is not a valid value for reduction" as torch's _Reduction.get_enum.
Reduction parse_reduction(const std::string& r);
/// Reduces an elementwise loss (mean of an empty loss is nan, as in torch).
mx::array reduce(const mx::array& loss, Reduction r);
Tensor reduce(const Tensor& loss, Reduction r);
/// max(x, 0) whose gradient passes at x = 0, as torch's clamp_min backward (MLX's maximum sends ties elsewhere).
inline mx::array clamp_min0(const mx::array& x) { return mx::where(mx::less(x, c(0.0, x)), c(0.0, x), x); }
/// log(1 + exp(-x)) = -logsigmoid(x), stable for any x, with the exact gradient -sigmoid(-x) also at x = 0.
mx::array softplus_neg(const mx::array& x);

/// Collects an op's inputs, where optional tensors get an index only when present.
struct Inputs {
  std::vector<Tensor> tensors;
  int add(const Tensor& t) {
    tensors.push_back(t);
    return static_cast<int>(tensors.size()) - 1;
  }
  int add(const std::optional<Tensor>& t) { return t ? add(*t) : -1; }
};
/// The array at index i cast to dtype d, or nullopt for an absent optional input (i < 0).
inline std::optional<mx::array> opt_at(const Arrays& in, int i, Dtype d) {
  if (i < 0) return std::nullopt;
  return cast(in[i], d);
}

/// Common floating dtype of the given tensors (PyTorch's promotion); `op` names the op for the error.
Dtype loss_dtype(const std::vector<Tensor>& ts, const char* op);

}  // namespace fl::nn::functional::detail
