// fl::optim::Optimizer: groups, state, zero_grad, step and torch's state_dict layout.
#include "fl/optim/optimizer.h"

#include <mlx/transforms.h>

#include <unordered_set>

#include "fl/autograd.h"
#include "fl/error.h"
#include "optim/optim_impl.h"

namespace fl::optim {
namespace mx = mlx::core;

Optimizer::Optimizer(std::string name, Params params, Dict defaults)
    : name_(std::move(name)), defaults_(std::move(defaults)) {
  if (!params.given) return;  // MLX style: parameters are bound later
  FL_CHECK_VALUE(!params.groups.empty(), "optimizer got an empty parameter list");
  for (auto& g : params.groups) add_param_group(std::move(g));
}

void Optimizer::add_param_group(ParamGroup group) {
  const bool differentiable = defaults_.contains("differentiable") && defaults_.flag("differentiable");
  for (auto& p : group.params) {
    FL_CHECK_TYPE(p.defined(), "optimizer can only optimize Tensors, but one of the params is NoneType");
    FL_CHECK_VALUE(differentiable || p.is_leaf() || p.retains_grad(), "can't optimize a non-leaf Tensor");
  }
  for (auto& [k, v] : defaults_) group.options.setdefault(k, v);
  std::unordered_set<const void*> seen;
  for (auto& g : groups_)
    for (auto& p : g.params) seen.insert(p.impl());
  for (auto& p : group.params)
    FL_CHECK_VALUE(!seen.count(p.impl()), "some parameters appear in more than one parameter group");
  groups_.push_back(std::move(group));
}

void Optimizer::set_param_groups(std::vector<ParamGroup> groups) { groups_ = std::move(groups); }

void zero_grad(const std::vector<Tensor>& params, bool set_to_none) {
  for (auto p : params) {
    if (!p.grad().defined()) continue;
    if (set_to_none) {
      p.set_grad(Tensor());
      continue;
    }
    Tensor& grad = p.mutable_grad();
    if (grad.grad_fn())
      grad.detach_();
    else
      grad.requires_grad_(false);
    grad.zero_();
  }
}

void Optimizer::zero_grad(bool set_to_none) {
  for (auto& g : groups_) optim::zero_grad(g.params, set_to_none);
}

Tensor Optimizer::step(const Closure& closure) {
  Tensor loss;
  if (closure) {
    EnableGradGuard enable;
    loss = closure();
  }
  {
    NoGradGuard no_grad;
    detail::UpdateBatch batch;  // every parameter's update in one primitive
    for (auto& g : groups_) {
      std::vector<Tensor> grads;
      grads.reserve(g.params.size());
      for (auto& p : g.params) grads.push_back(p.grad());
      update_group(g, grads);
    }
    batch.run();
  }
  evaluate();
  return loss;
}

void Optimizer::apply_gradients(const std::vector<std::vector<Tensor>>& grads) {
  FL_CHECK_VALUE(grads.size() == groups_.size(), "expected gradients for ", groups_.size(), " parameter groups, got ",
                 grads.size());
  for (size_t i = 0; i < grads.size(); ++i) {
    FL_CHECK_VALUE(grads[i].size() == groups_[i].params.size(), "expected ", groups_[i].params.size(),
                   " gradients for parameter group ", i, ", got ", grads[i].size());
    for (size_t j = 0; j < grads[i].size(); ++j) {
      if (!grads[i][j].defined()) continue;
      FL_CHECK(grads[i][j].sizes() == groups_[i].params[j].sizes(), "gradient ", j, " of parameter group ", i,
               " has a different shape than its parameter");
    }
  }
  {
    NoGradGuard no_grad;
    detail::UpdateBatch batch;
    for (size_t i = 0; i < grads.size(); ++i) update_group(groups_[i], grads[i]);
    batch.run();
  }
  evaluate();
}

namespace {
void collect(const Value& v, std::vector<mx::array>& out) {
  if (v.is_tensor())
    out.push_back(v.tensor().mlx());
  else if (v.is_list())
    for (auto& x : v.list()) collect(x, out);
  else if (v.is_dict())
    for (auto& [k, x] : v.dict()) collect(x, out);
}
}  // namespace

// One evaluation at the end of a step, so the lazy graph never grows across steps.
void Optimizer::evaluate() const {
  std::vector<mx::array> arrays;
  for (auto& g : groups_)
    for (auto& p : g.params) arrays.push_back(p.mlx());
  for (auto& e : state_)
    for (auto& [k, v] : e.state) collect(v, arrays);
  mx::eval(arrays);
}

Dict& Optimizer::state(const Tensor& param) {
  auto it = state_index_.find(param.impl());
  if (it != state_index_.end()) return state_[it->second].state;
  state_index_[param.impl()] = state_.size();
  state_.push_back({param, Dict()});
  return state_.back().state;
}

bool Optimizer::has_state(const Tensor& param) const { return state_index_.count(param.impl()) > 0; }

StateDict Optimizer::state_dict() const {
  StateDict sd;
  std::unordered_map<const void*, int64_t> index;
  int64_t start = 0;
  for (auto& g : groups_) {
    Dict packed;
    for (auto& [k, v] : g.options)
      if (k != "params") packed.set(k, v);
    Value::List ids;
    for (size_t i = 0; i < g.params.size(); ++i) {
      auto [it, inserted] = index.emplace(g.params[i].impl(), start + static_cast<int64_t>(i));
      ids.emplace_back(it->second);
    }
    start += static_cast<int64_t>(g.params.size());
    packed.set("params", std::move(ids));
    sd.param_groups.push_back(std::move(packed));
  }
  for (auto& e : state_) {
    auto it = index.find(e.param.impl());
    if (it != index.end()) sd.state.emplace_back(it->second, e.state);
  }
  return sd;
}

namespace {
// torch's _cast: state tensors take the parameter's floating dtype, except "step" (kept as saved).
Value cast_to_param(const Tensor& param, const Value& v, const std::string& key) {
  if (v.is_tensor()) {
    if (key == "step" || !param.is_floating_point()) return v;
    return Value(v.tensor().to(param.dtype()));
  }
  if (v.is_dict()) {
    Dict d;
    for (auto& [k, x] : v.dict()) d.set(k, cast_to_param(param, x, k));
    return d;
  }
  if (v.is_list()) {
    Value::List l;
    for (auto& x : v.list()) l.push_back(cast_to_param(param, x, ""));
    return l;
  }
  return v;
}
}  // namespace

void Optimizer::load_state_dict(const StateDict& sd) {
  FL_CHECK_VALUE(sd.param_groups.size() == groups_.size(),
                 "loaded state dict has a different number of parameter groups");
  std::unordered_map<int64_t, Tensor> id_map;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const Value& ids = sd.param_groups[g].at("params");
    FL_CHECK_VALUE(ids.list().size() == groups_[g].params.size(),
                   "loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
  }
  for (size_t g = 0; g < groups_.size(); ++g) {
    const auto& ids = sd.param_groups[g].at("params").list();
    for (size_t i = 0; i < ids.size(); ++i) id_map.emplace(ids[i].to_int(), groups_[g].params[i]);
  }
  std::vector<Entry> state;
  std::unordered_map<const void*, size_t> index;
  for (auto& [k, st] : sd.state) {
    auto it = id_map.find(k);
    if (it == id_map.end()) continue;  // state of no current parameter
    const Tensor& p = it->second;
    auto [pos, inserted] = index.emplace(p.impl(), state.size());
    Dict casted = cast_to_param(p, Value(st), "").dict();
    if (inserted)
      state.push_back({p, std::move(casted)});
    else
      state[pos->second].state = std::move(casted);
  }
  for (size_t g = 0; g < groups_.size(); ++g) {
    Dict options;
    for (auto& [k, v] : sd.param_groups[g])
      if (k != "params") options.set(k, v);
    if (groups_[g].options.contains("param_names") && !options.contains("param_names"))
      options.set("param_names", groups_[g].options.at("param_names"));
    groups_[g].options = std::move(options);
  }
  state_ = std::move(state);
  state_index_ = std::move(index);
}

}  // namespace fl::optim
