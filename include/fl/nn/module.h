// fl::nn::Module: PyTorch's nn.Module in C++ (named parameters, buffers and submodules; state_dict; hooks; repr).
//
// Design
//  * Modules live in std::shared_ptr. A module registers its parameters, buffers and children by name, in order,
//    and keeps the returned handles in members:
//
//      struct Net : fl::nn::Module {
//        std::shared_ptr<fl::nn::Linear> fc1, fc2;
//        Net() {
//          fc1 = register_module("fc1", fl::nn::Linear(784, 256));  // a module value is moved into a shared_ptr
//          fc2 = register_module("fc2", std::make_shared<fl::nn::Linear>(256, 10));
//        }
//        fl::Tensor forward(const fl::Tensor& x) { return (*fc2)(fl::relu((*fc1)(x))); }
//      };
//      auto net = std::make_shared<Net>();  // prints as "Net(\n  (fc1): Linear(...)\n  (fc2): ...\n)"
//
//  * A Tensor is a handle: a member `weight` and its registry entry are the same tensor, so load_state_dict()
//    (copy_ in place) and to() (set_data) update both. Registering a name again replaces the registry entry only.
//  * Module fixes no forward() signature. UnaryModule is the interface of Tensor -> Tensor modules, the ones
//    Sequential chains: its operator() runs the forward hooks around forward(), as torch's __call__ does (calling
//    forward() directly skips them, as in torch). Modules with other signatures use call_with_hooks().
//  * A module prints under its class name without namespaces (torch's _get_name()), so a subclass of Linear
//    prints its own name; a name given to Module's constructor overrides it.
//  * Modules move but do not copy. Lookup failures throw fl::IndexError where torch raises KeyError or
//    AttributeError.
#pragma once
#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <typeinfo>
#include <unordered_set>
#include <vector>

#include "fl/nn/ordered_dict.h"
#include "fl/tensor.h"

namespace fl::nn {

class Module;
using StateDict = OrderedDict<Tensor>;

/// What load_state_dict found: keys the module has that the dict lacks, and keys the dict has that it lacks.
struct IncompatibleKeys {
  std::vector<std::string> missing_keys, unexpected_keys;
};

/// hook(module, inputs) before forward: nullopt keeps the inputs, a value replaces them.
using ForwardPreHook = std::function<std::optional<std::vector<Tensor>>(Module&, const std::vector<Tensor>&)>;
/// hook(module, inputs, outputs) after forward: nullopt keeps the outputs, a value replaces them.
using ForwardHook =
    std::function<std::optional<std::vector<Tensor>>(Module&, const std::vector<Tensor>&, const std::vector<Tensor>&)>;

namespace detail {
/// The class name of a type without namespaces ("fl::nn::Linear" -> "Linear").
std::string type_name(const std::type_info& type);

struct Hooks {
  int64_t next_id = 0;
  std::vector<std::pair<int64_t, ForwardPreHook>> pre;
  std::vector<std::pair<int64_t, ForwardHook>> post;
};
}  // namespace detail

/// torch's RemovableHandle: remove() unregisters the hook (a no-op once done, or once the module is gone).
class HookHandle {
 public:
  HookHandle() = default;
  HookHandle(std::weak_ptr<detail::Hooks> hooks, int64_t id) : hooks_(std::move(hooks)), id_(id) {}
  /// Unregisters the hook.
  void remove();

 private:
  std::weak_ptr<detail::Hooks> hooks_;
  int64_t id_ = -1;
};

/// torch.nn.Module: the base of every module (see the design notes at the top of this file).
class Module : public std::enable_shared_from_this<Module> {
 public:
  using ForwardFn = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

  explicit Module(std::string name = "");
  virtual ~Module() = default;
  Module(Module&&) = default;
  Module& operator=(Module&&) = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  /// torch's _get_name(): the name the module prints under.
  std::string name() const;

  // --- registration (torch's checks; an undefined Tensor or a null module is torch's None) ----------------
  /// Registers a parameter (requires_grad set as given) and returns it.
  Tensor register_parameter(const std::string& name, Tensor tensor, bool requires_grad = true);
  /// Registers a buffer; non-persistent buffers stay out of state_dict().
  Tensor register_buffer(const std::string& name, Tensor tensor, bool persistent = true);
  /// Registers a child module (null is torch's None) and returns it.
  template <typename M>
  requires std::derived_from<M, Module> std::shared_ptr<M> register_module(const std::string& name,
                                                                           std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }
  /// A module value is moved into a new shared_ptr.
  template <typename M>
  requires(std::derived_from<std::remove_cvref_t<M>, Module> && !std::is_lvalue_reference_v<M>)
      std::shared_ptr<std::remove_cvref_t<M>> register_module(const std::string& name, M&& module) {
    return register_module(name, std::make_shared<std::remove_cvref_t<M>>(std::move(module)));
  }
  /// torch's add_module: the same as register_module.
  template <typename M>
  auto add_module(const std::string& name, M&& module) {
    return register_module(name, std::forward<M>(module));
  }

  // --- traversal (torch's order: own entries first, then each child's, depth first) ----------------------
  /// The parameters (with recurse, the descendants' too), each once.
  std::vector<Tensor> parameters(bool recurse = true) const;
  /// Dotted names ("layers.0.weight"); a tensor shared under two names is listed once unless remove_duplicate
  /// is false.
  OrderedDict<Tensor> named_parameters(bool recurse = true, const std::string& prefix = "",
                                       bool remove_duplicate = true) const;
  /// The buffers (with recurse, the descendants' too), each once.
  std::vector<Tensor> buffers(bool recurse = true) const;
  /// Buffers under dotted names, as named_parameters.
  OrderedDict<Tensor> named_buffers(bool recurse = true, const std::string& prefix = "",
                                    bool remove_duplicate = true) const;
  /// The direct submodules, each once.
  std::vector<std::shared_ptr<Module>> children() const;
  /// The direct submodules by name, each once.
  OrderedDict<std::shared_ptr<Module>> named_children() const;
  /// This module and every descendant, pre-order. A module not owned by a shared_ptr appears as a non-owning
  /// pointer to itself.
  std::vector<std::shared_ptr<Module>> modules() const;
  /// modules() under dotted names ("" for this module, or prefix).
  OrderedDict<std::shared_ptr<Module>> named_modules(const std::string& prefix = "",
                                                     bool remove_duplicate = true) const;
  /// Dotted-path lookups with torch's AttributeError messages (as fl::IndexError).
  std::shared_ptr<Module> get_submodule(const std::string& target) const;
  /// The parameter at a dotted path ("layers.0.weight").
  Tensor get_parameter(const std::string& target) const;
  /// The buffer at a dotted path ("bn.running_mean").
  Tensor get_buffer(const std::string& target) const;

  // --- modes and gradients -------------------------------------------------------------------------------
  /// Sets training mode here and in every descendant.
  virtual Module& train(bool mode = true);
  /// train(false).
  Module& eval() { return train(false); }
  /// torch's `training` attribute.
  bool is_training() const { return training_; }
  /// Clears each parameter's .grad (set_to_none), or zeroes it in place.
  void zero_grad(bool set_to_none = true);
  /// Sets requires_grad on every parameter, the descendants' included.
  Module& requires_grad_(bool requires_grad = true);
  /// Calls fn on every descendant (children first), then on this module.
  Module& apply(const std::function<void(Module&)>& fn);
  /// Converts floating-point parameters, their grads and buffers (torch's module.to(dtype)); TypeError for
  /// non-floating dtypes.
  Module& to(Dtype dtype);
  /// Moves every parameter, grad and buffer.
  Module& to(const Device& device);
  /// Moves and converts, as to(device) then to(dtype).
  Module& to(const Device& device, Dtype dtype);

  // --- state ---------------------------------------------------------------------------------------------
  /// Parameters and persistent buffers under torch's keys ("0.weight", "bn.running_mean"), detached unless
  /// keep_vars.
  StateDict state_dict(const std::string& prefix = "", bool keep_vars = false) const;
  /// Copies values in place (no grad). Strict: missing or unexpected keys raise torch's error; size mismatches
  /// raise in either mode.
  IncompatibleKeys load_state_dict(const StateDict& state_dict, bool strict = true);
  /// From any range of (name, Tensor) pairs (std::map, std::unordered_map, a vector of pairs), in its order.
  template <typename Map>
  requires(!std::same_as<Map, StateDict>) IncompatibleKeys load_state_dict(const Map& state_dict, bool strict = true) {
    StateDict ordered;
    for (const auto& [key, value] : state_dict) ordered.insert(key, value);
    return load_state_dict(ordered, strict);
  }

  // --- hooks ---------------------------------------------------------------------------------------------
  /// Adds a hook run before forward (see ForwardPreHook), in registration order.
  HookHandle register_forward_pre_hook(ForwardPreHook hook);
  /// Adds a hook run after forward (see ForwardHook), in registration order.
  HookHandle register_forward_hook(ForwardHook hook);
  /// Whether any forward hook or pre-hook is registered.
  bool has_forward_hooks() const { return hooks_ && (!hooks_->pre.empty() || !hooks_->post.empty()); }
  /// Runs the pre-hooks on inputs, forward, then the hooks on its outputs (torch's __call__).
  std::vector<Tensor> call_with_hooks(std::vector<Tensor> inputs, const ForwardFn& forward);
  /// The same for a forward returning one tensor; hooks must keep the number of inputs and return one output.
  Tensor call_hooked(std::vector<Tensor> inputs, const std::function<Tensor(const std::vector<Tensor>&)>& forward);

  // --- printing ------------------------------------------------------------------------------------------
  /// The text inside the parentheses, as torch's extra_repr().
  virtual std::string extra_repr() const { return ""; }
  /// torch's __repr__: the module tree.
  virtual std::string repr() const;

 protected:
  /// torch's _load_from_state_dict for this module's own entries (keys under prefix); override for format
  /// fix-ups such as BatchNorm's num_batches_tracked.
  virtual void load_from_state_dict(const StateDict& state_dict, const std::string& prefix, IncompatibleKeys& keys,
                                    std::vector<std::string>& error_msgs);
  /// torch's _apply: replaces the value of each of this module's own tensors (and parameter grads) by fn of it,
  /// through set_data so handles stay valid. Override to convert other tensor state.
  virtual void apply_to_tensors(const std::function<Tensor(const Tensor&)>& fn);

  const OrderedDict<Tensor>& own_parameters() const { return parameters_; }
  const OrderedDict<Tensor>& own_buffers() const { return buffers_; }
  const OrderedDict<std::shared_ptr<Module>>& own_children() const { return children_; }
  /// For containers that renumber or remove children (ModuleList, Sequential).
  OrderedDict<std::shared_ptr<Module>>& mutable_children() { return children_; }
  OrderedDict<Tensor>& mutable_parameters() { return parameters_; }
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  std::shared_ptr<Module> self_ptr() const;

 private:
  void check_new_name(const std::string& name, const char* kind, const void* own_dict) const;
  bool has_attribute(const std::string& name) const;
  OrderedDict<Tensor> named_tensors(bool recurse, const std::string& prefix, bool remove_duplicate, bool buffers) const;
  void named_modules_into(OrderedDict<std::shared_ptr<Module>>& out, std::unordered_set<const Module*>& memo,
                          const std::string& prefix, bool remove_duplicate) const;
  void state_dict_into(StateDict& out, const std::string& prefix, bool keep_vars) const;
  void load_recursive(const StateDict& state_dict, const std::string& prefix, IncompatibleKeys& keys,
                      std::vector<std::string>& error_msgs);
  void apply_recursive(const std::function<Tensor(const Tensor&)>& fn);

  std::string name_;
  OrderedDict<Tensor> parameters_;
  OrderedDict<Tensor> buffers_;
  std::unordered_set<std::string> non_persistent_;
  OrderedDict<std::shared_ptr<Module>> children_;
  bool training_ = true;
  std::shared_ptr<detail::Hooks> hooks_ = std::make_shared<detail::Hooks>();
};

/// A module with `Tensor forward(const Tensor&)`: what Sequential chains.
class UnaryModule : public Module {
 public:
  using Module::Module;
  virtual Tensor forward(const Tensor& input) = 0;
  /// forward() with the forward pre-hooks and hooks around it.
  Tensor operator()(const Tensor& input);
};

/// Indents every line after the first by n spaces (torch's _addindent).
std::string add_indent(const std::string& s, int n);
/// Prints m.repr().
std::ostream& operator<<(std::ostream& os, const Module& m);

}  // namespace fl::nn
