// Internal autograd: the node kinds and the recorder that every op goes through.
#pragma once
#include <functional>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include <mlx/array.h>
#include <mlx/small_vector.h>

#include "core/tensor_impl.h"
#include "fl/autograd.h"

namespace fl {

using ArrayFn = std::function<std::vector<mlx::core::array>(const std::vector<mlx::core::array>&)>;

/// What the backward engine runs: a node with outputs whose gradients it turns into input gradients.
struct BackwardNode : Node {
  // Per output, tensors with retain_grad(). Inline storage here and below: a node costs no allocation per field
  // for the usual op of up to four inputs and one output.
  mlx::core::SmallVector<std::weak_ptr<TensorImpl>, 1> retained;
  virtual size_t num_outputs() const = 0;
  /// Gradients for each input, given gradients for each output (undefined = zero).
  virtual std::vector<Tensor> apply(const std::vector<Tensor>& grad_outputs, bool create_graph) = 0;
  /// Frees what the backward saved, after a backward without retain_graph.
  virtual void release() {}
};

/// An op's backward: the vjp of its forward function, taken by MLX at the saved primals.
struct FunctionNode : BackwardNode {
  std::string op_name;
  ArrayFn fn;
  std::vector<mlx::core::array> primals;
  mlx::core::SmallVector<bool, 4> input_needs_grad;
  mlx::core::SmallVector<mlx::core::Shape, 1> out_shapes;
  mlx::core::SmallVector<mlx::core::Dtype, 1> out_dtypes;
  // Saved tensors checked for in-place modification before backward runs.
  struct Saved {
    std::weak_ptr<Storage> storage;
    int64_t version;
    std::string desc;  // "torch.FloatTensor [3]"
    bool is_output;
    int index;
  };
  std::vector<Saved> saved;
  bool released = false;

  std::string name() const override { return op_name; }
  size_t num_outputs() const override { return out_dtypes.size(); }
  std::vector<Tensor> apply(const std::vector<Tensor>& grad_outputs, bool create_graph) override;
  void check_saved() const;
  void release() override;
};

/// A user-defined backward (autograd::custom_function, Python's autograd.Function).
struct CustomNode : BackwardNode {
  std::string op_name;
  std::function<std::vector<Tensor>(const std::vector<Tensor>&)> backward;
  std::vector<Shape> out_shapes;
  std::vector<Dtype> out_dtypes;
  std::vector<Device> out_devices;
  std::vector<bool> input_needs_grad;
  bool released = false;

  std::string name() const override { return op_name; }
  size_t num_outputs() const override { return out_dtypes.size(); }
  std::vector<Tensor> apply(const std::vector<Tensor>& grad_outputs, bool create_graph) override;
  // Dropping the backward function frees what it captured (for Python, the ctx and its saved tensors).
  void release() override {
    released = true;
    backward = nullptr;
  }
};

/// Accumulates into a leaf's `.grad`.
struct AccumulateGrad : Node {
  std::weak_ptr<TensorImpl> leaf;
  std::string name() const override { return "AccumulateGrad"; }
};

/// One op input: its value, and where its gradient goes.
struct OpInput {
  mlx::core::array value;  // its dtype and shape are the tensor's
  Node::Edge edge;
  bool requires_grad = false;
  std::shared_ptr<Storage> storage;  // for saved-tensor version checks (may be null)
};

OpInput to_input(const Tensor& t);
/// The edge a tensor's gradient flows into (its grad_fn, or its leaf accumulator).
Node::Edge gradient_edge(const Tensor& t);

/// Which inputs (bits 0..30) and whether the output (bit 31) the backward reads, for version checks.
using SaveMask = uint32_t;
inline constexpr SaveMask kSaveNone = 0, kSaveOutput = 1u << 31, kSaveAll = 0x7fffffffu;
inline constexpr SaveMask save_inputs(std::initializer_list<int> idx) {
  SaveMask m = 0;
  for (int i : idx) m |= 1u << i;
  return m;
}

/// Runs fn on the inputs' values and records it on the tape when a gradient is needed. (The initializer-list
/// overloads take `{a, b}` without building a vector.)
std::vector<Tensor> apply_op(const char* name, ArrayFn fn, const std::vector<Tensor>& inputs,
                             SaveMask saves = kSaveNone);
std::vector<Tensor> apply_op(const char* name, ArrayFn fn, std::initializer_list<Tensor> inputs,
                             SaveMask saves = kSaveNone);
/// The same, from raw inputs (used by create_graph backward and in-place ops).
std::vector<Tensor> apply_op_inputs(const char* name, ArrayFn fn, std::span<const OpInput> inputs, SaveMask saves);
/// Single-output convenience.
Tensor apply1(const char* name, ArrayFn fn, const std::vector<Tensor>& inputs, SaveMask saves = kSaveNone);
Tensor apply1(const char* name, ArrayFn fn, std::initializer_list<Tensor> inputs, SaveMask saves = kSaveNone);

namespace detail {
/// Whether an op on these inputs is recorded: grad mode is on and one of them requires grad. Undefined inputs
/// raise, as to_input does.
bool records(std::initializer_list<const Tensor*> inputs);
/// The result of an op that is not recorded: a fresh tensor on the first input's device, with the lazy-depth
/// bookkeeping apply_op does.
Tensor unrecorded_result(mlx::core::array out, std::initializer_list<const Tensor*> inputs);
/// apply1 on tensors given by address (no copies of them), whose output `out` (fn of their values) is computed.
Tensor apply_recorded(const char* name, ArrayFn&& fn, mlx::core::array out, std::initializer_list<const Tensor*> inputs,
                      SaveMask saves);
template <typename F, size_t... I>
ArrayFn array_fn(F f, std::index_sequence<I...>) {
  return [f](const std::vector<mlx::core::array>& in) { return std::vector<mlx::core::array>{f(in[I]...)}; };
}
}  // namespace detail

/// apply1 for a single-output forward written as `f(const array&...) -> array`, one array per input. When the
/// op is not recorded (no grad mode, or no input requires grad: the usual case), f runs on the inputs' values
/// directly: no ArrayFn, OpInputs or vectors are built. Otherwise f becomes the ArrayFn that apply1 records.
template <typename F, typename... Ts>
  requires(std::is_same_v<Ts, Tensor> && ...)
Tensor apply_direct(const char* name, const F& f, SaveMask saves, const Ts&... inputs) {
  const bool record = detail::records({&inputs...});
  mlx::core::array out = f(inputs.impl()->value_ref()...);
  if (!record) return detail::unrecorded_result(std::move(out), {&inputs...});
  return detail::apply_recorded(name, detail::array_fn(f, std::index_sequence_for<Ts...>{}), std::move(out),
                                {&inputs...}, saves);
}

/// In-place: self = fn(self, others...) cast to self's dtype, written through views into the base, with
/// history rewritten as PyTorch does (CopySlices on the base for views).
Tensor& apply_inplace(const char* name, Tensor& self, ArrayFn fn, const std::vector<Tensor>& others,
                      SaveMask saves = kSaveNone);

/// PyTorch's checks before an in-place write to `impl` (overlap, inference tensors; when `records`: leaves that
/// require grad, views made under no_grad or by multi-output ops).
void check_inplace(TensorImpl* impl, bool records);
/// In-place by write-back: self takes `result`, an op's out-of-place result computed from self (same shape, a dtype
/// castable to self's): its values, through views into the base (CopySlices), and its history. `others` are the
/// op's tensor operands, which get zero gradients when the result has none (eq_, ...).
Tensor& assign_result(Tensor& self, const Tensor& result, const std::vector<Tensor>& others = {});
/// In-place view op: self takes the metadata of `view` (a view of self), keeping its identity; the view's
/// grad_fn is renamed `grad_name` (TBackward1, SqueezeBackward3, ...).
Tensor& assign_view(Tensor& self, Tensor view, const char* grad_name);

/// A description of a tensor's type as PyTorch prints it: "torch.FloatTensor [3, 4]".
std::string type_desc(const Tensor& t);

}  // namespace fl

namespace fl {
/// Records the view op that made `view` from `self` (its last chain op) when self requires grad.
void record_view(const Tensor& self, Tensor& view);
/// Whether a tensor requires grad (refreshing a view's grad_fn after in-place writes).
bool tensor_requires_grad(TensorImpl* impl);
}  // namespace fl
