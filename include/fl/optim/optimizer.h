// fl::optim::Optimizer: torch.optim.Optimizer in C++ — parameter groups with per-group options, per-parameter state,
// zero_grad, step, and state_dict()/load_state_dict() in torch's layout.
#pragma once
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "fl/optim/value.h"
#include "fl/tensor.h"

namespace fl::optim {

/// One parameter group: its tensors and its options (torch's group dict without "params").
struct ParamGroup {
  ParamGroup(std::vector<Tensor> params, Dict options = {}) : params(std::move(params)), options(std::move(options)) {}
  std::vector<Tensor> params;
  Dict options;
};

/// What an optimizer is given: tensors (one group), groups, or nothing yet (MLX style: bound by add_param_group).
struct Params {
  Params() = default;
  Params(std::vector<Tensor> tensors) : given(true) {
    if (!tensors.empty()) groups.emplace_back(std::move(tensors));  // an empty list is torch's ValueError
  }
  Params(std::initializer_list<Tensor> tensors) : Params(std::vector<Tensor>(tensors)) {}
  Params(std::vector<ParamGroup> g) : groups(std::move(g)), given(true) {}
  std::vector<ParamGroup> groups;
  bool given = false;
};

/// torch's optimizer state_dict: {"state": {index: {...}}, "param_groups": [{...options..., "params": [indices]}]}.
struct StateDict {
  std::vector<std::pair<int64_t, Dict>> state;
  std::vector<Dict> param_groups;
};

/// torch's zero_grad over tensors: grads set to undefined (set_to_none), or detached and zeroed in place.
void zero_grad(const std::vector<Tensor>& params, bool set_to_none = true);

/// torch.optim.Optimizer: the base of every optimizer; subclasses implement update_group.
class Optimizer {
 public:
  using Closure = std::function<Tensor()>;
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  /// The class name, as torch's ("Adam").
  const std::string& name() const { return name_; }
  /// torch's `defaults`: the options a new group takes for the keys it lacks.
  const Dict& defaults() const { return defaults_; }
  /// The parameter groups, editable in place (non-const and const overloads).
  std::vector<ParamGroup>& param_groups() { return groups_; }
  const std::vector<ParamGroup>& param_groups() const { return groups_; }

  /// Adds a group; options it lacks take the defaults (appended in the defaults' order, as dict.setdefault).
  /// ValueError for non-leaf tensors and for tensors already in another group.
  virtual void add_param_group(ParamGroup group);
  /// Replaces every group's tensors and options (state is kept per tensor). The Python layer calls this before
  /// each step with its own group dicts.
  void set_param_groups(std::vector<ParamGroup> groups);

  /// Sets every parameter's grad to undefined (set_to_none) or zeros it in place.
  void zero_grad(bool set_to_none = true);
  /// One optimization step with each parameter's `.grad` (parameters without one are skipped). A closure is called
  /// first with grad enabled and its loss returned (undefined without a closure). Parameters and state are updated
  /// in place under no_grad, and evaluated before returning.
  virtual Tensor step(const Closure& closure = nullptr);
  /// MLX-style update with explicit gradients: grads[g][i] belongs to param_groups()[g].params[i] (undefined:
  /// skipped). Parameters are updated in place, as by step().
  void apply_gradients(const std::vector<std::vector<Tensor>>& grads);

  /// The state of a parameter (created empty when absent, as torch's defaultdict).
  Dict& state(const Tensor& param);
  /// Whether param has state (without creating it).
  bool has_state(const Tensor& param) const;
  /// torch's state_dict(): parameters numbered across groups in order; state only for parameters that have some.
  StateDict state_dict() const;
  /// Loads a state_dict: group options are replaced by the saved ones (tensors kept), state is matched to the
  /// current parameters by position and its tensors cast to each parameter's dtype (except "step").
  void load_state_dict(const StateDict& sd);

 protected:
  Optimizer(std::string name, Params params, Dict defaults);
  /// Updates the group's parameters that have a gradient (grads[i] for group.params[i]; undefined: skipped).
  virtual void update_group(ParamGroup& group, const std::vector<Tensor>& grads) = 0;
  /// Evaluates every parameter and state tensor (one mx::eval), so the lazy graph never grows across steps.
  void evaluate() const;

 private:
  struct Entry {
    Tensor param;
    Dict state;
  };
  std::string name_;
  Dict defaults_;
  std::vector<ParamGroup> groups_;
  std::vector<Entry> state_;  // in insertion order, as torch's dict
  std::unordered_map<const void*, size_t> state_index_;
};

}  // namespace fl::optim
