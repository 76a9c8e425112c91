// Tape autograd with PyTorch's semantics; gradients come from MLX's vjp of each recorded op.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <mlx/array.h>

#include "fl/tensor.h"

namespace fl {

struct Node;
struct AutogradMeta;

/// A node of the backward graph, the `grad_fn` of a tensor.
struct Node : std::enable_shared_from_this<Node> {
  /// Where one input's gradient flows: the producing node and which of its outputs the input was.
  struct Edge {
    std::shared_ptr<Node> node;
    int input_nr = 0;
  };
  virtual ~Node() = default;
  /// The node's PyTorch-style class name, such as "AddmmBackward0" or "AccumulateGrad".
  virtual std::string name() const = 0;
  /// One edge per input of the op: where that input's gradient goes (node is null if none).
  std::vector<Edge> next_functions;
  int64_t sequence_nr = 0;
};

/// torch.is_grad_enabled: whether ops record the backward graph (per thread, on by default).
bool is_grad_enabled();
/// torch.set_grad_enabled: turns recording on or off for the calling thread.
void set_grad_enabled(bool enabled);

/// RAII: disables gradient recording in scope (torch.no_grad()).
class NoGradGuard {
 public:
  NoGradGuard() : prev_(is_grad_enabled()) { set_grad_enabled(false); }
  ~NoGradGuard() { set_grad_enabled(prev_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool prev_;
};

/// RAII: enables gradient recording in scope (torch.enable_grad()).
class EnableGradGuard {
 public:
  EnableGradGuard() : prev_(is_grad_enabled()) { set_grad_enabled(true); }
  ~EnableGradGuard() { set_grad_enabled(prev_); }
  EnableGradGuard(const EnableGradGuard&) = delete;
  EnableGradGuard& operator=(const EnableGradGuard&) = delete;

 private:
  bool prev_;
};

/// torch.inference_mode: while on, ops record nothing (even under EnableGradGuard) and the tensors they make are
/// inference tensors, which a recorded op must not save for backward later.
bool is_inference_mode_enabled();
/// Turns inference mode on or off for this thread (prefer InferenceModeGuard).
void set_inference_mode(bool enabled);

/// Whether ops record for autograd now: grad mode on and inference mode off. Work done only for a recorded backward
/// (saved forward state) checks this, not is_grad_enabled() alone.
bool is_recording_grad();

/// RAII: inference mode in scope (torch.inference_mode()); it also turns grad mode off, as torch's does.
class InferenceModeGuard {
 public:
  explicit InferenceModeGuard(bool enabled = true)
      : prev_(is_inference_mode_enabled()), prev_grad_(is_grad_enabled()) {
    set_inference_mode(enabled);
    set_grad_enabled(!enabled);
  }
  ~InferenceModeGuard() {
    set_inference_mode(prev_);
    set_grad_enabled(prev_grad_);
  }
  InferenceModeGuard(const InferenceModeGuard&) = delete;
  InferenceModeGuard& operator=(const InferenceModeGuard&) = delete;

 private:
  bool prev_, prev_grad_;
};

namespace autograd {
/// torch.autograd.backward.
void backward(const std::vector<Tensor>& tensors, const std::vector<Tensor>& grad_tensors = {},
              bool retain_graph = false, bool create_graph = false);
/// torch.autograd.grad: gradients of outputs with respect to inputs, without touching `.grad`.
std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs = {}, std::optional<bool> retain_graph = std::nullopt,
                         bool create_graph = false, bool allow_unused = false);

using TensorsFn = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;
/// A differentiable op with a hand-written backward (torch.autograd.Function): `forward` runs on the inputs
/// without recording; `backward` maps output gradients (undefined = zero) to one gradient per input (undefined
/// = none). With create_graph, the ops in `backward` are recorded, so it can be differentiated again.
std::vector<Tensor> custom_function(const std::string& name, const std::vector<Tensor>& inputs,
                                    const TensorsFn& forward, TensorsFn backward);
}  // namespace autograd

/// A function of tensors returning one (scalar) tensor, as value_and_grad and grad take.
using TensorFn = std::function<Tensor(const std::vector<Tensor>&)>;
/// MLX-style (mx.value_and_grad): a function returning the detached value of fn and its gradients with respect to
/// all arguments (zeros for arguments fn does not use). fn gets detached aliases of the arguments, so their .grad
/// and history are untouched.
std::function<std::pair<Tensor, std::vector<Tensor>>(const std::vector<Tensor>&)> value_and_grad(TensorFn fn);
/// MLX-style: a function returning the gradients of fn with respect to all arguments.
std::function<std::vector<Tensor>(const std::vector<Tensor>&)> grad(TensorFn fn);

}  // namespace fl
