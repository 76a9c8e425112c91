// fl::nn::Module: state_dict, load_state_dict (torch's key rules and error messages) and to().
#include <sstream>

#include "fl/autograd.h"
#include "fl/nn/module.h"
#include "fl/nn/repr.h"

namespace fl::nn {

void Module::state_dict_into(StateDict& out, const std::string& prefix, bool keep_vars) const {
  for (auto& [name, p] : parameters_)
    if (p.defined()) out.insert(prefix + name, keep_vars ? p : p.detach());
  for (auto& [name, b] : buffers_)
    if (b.defined() && !non_persistent_.count(name)) out.insert(prefix + name, keep_vars ? b : b.detach());
  for (auto& [name, child] : children_)
    if (child) child->state_dict_into(out, prefix + name + ".", keep_vars);
}

StateDict Module::state_dict(const std::string& prefix, bool keep_vars) const {
  StateDict out;
  state_dict_into(out, prefix, keep_vars);
  return out;
}

void Module::load_from_state_dict(const StateDict& state_dict, const std::string& prefix, IncompatibleKeys& keys,
                                  std::vector<std::string>& error_msgs) {
  OrderedDict<Tensor> local;
  for (auto& [name, p] : parameters_)
    if (p.defined()) local.insert(name, p);
  for (auto& [name, b] : buffers_)
    if (b.defined() && !non_persistent_.count(name)) local.insert(name, b);

  for (auto& [name, param] : local) {
    std::string key = prefix + name;
    const Tensor* found = state_dict.find(key);
    if (!found) {
      keys.missing_keys.push_back(key);
      continue;
    }
    Tensor input = *found;
    // torch loads a 1-element 1-d checkpoint entry into a 0-d parameter (0.3-era files).
    if (param.dim() == 0 && input.dim() == 1 && input.size(0) == 1) input = input[0];
    if (input.sizes() != param.sizes()) {
      error_msgs.push_back(
          fl::detail::concat("size mismatch for ", key, ": copying a param with shape ", py_size(input.sizes()),
                             " from checkpoint, the shape in current model is ", py_size(param.sizes()), "."));
      continue;
    }
    try {
      NoGradGuard no_grad;
      Tensor target = param;
      target.copy_(input);
    } catch (const std::exception& e) {
      error_msgs.push_back(fl::detail::concat("While copying the parameter named \"", key,
                                              "\", whose dimensions in the model are ", py_size(param.sizes()),
                                              " and whose dimensions in the checkpoint are ", py_size(input.sizes()),
                                              ", an exception occurred : ('", e.what(), "',)."));
    }
  }
  // A key under prefix is unexpected unless it names a local entry, or its first component names a child.
  for (auto& [key, value] : state_dict) {
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    std::string rest = key.substr(prefix.size());
    size_t dot = rest.find('.');
    bool known = dot == std::string::npos ? local.contains(rest) : own_children().contains(rest.substr(0, dot));
    if (!known) keys.unexpected_keys.push_back(key);
  }
}

void Module::load_recursive(const StateDict& state_dict, const std::string& prefix, IncompatibleKeys& keys,
                            std::vector<std::string>& error_msgs) {
  load_from_state_dict(state_dict, prefix, keys, error_msgs);
  for (auto& [name, child] : children_)
    if (child) child->load_recursive(state_dict, prefix + name + ".", keys, error_msgs);
}

IncompatibleKeys Module::load_state_dict(const StateDict& state_dict, bool strict) {
  IncompatibleKeys keys;
  std::vector<std::string> error_msgs;
  load_recursive(state_dict, "", keys, error_msgs);
  auto quoted = [](const std::vector<std::string>& ks) {
    std::string s;
    for (size_t i = 0; i < ks.size(); ++i) s += (i ? ", \"" : "\"") + ks[i] + "\"";
    return s;
  };
  if (strict) {
    if (!keys.unexpected_keys.empty())
      error_msgs.insert(error_msgs.begin(), "Unexpected key(s) in state_dict: " + quoted(keys.unexpected_keys) + ". ");
    if (!keys.missing_keys.empty())
      error_msgs.insert(error_msgs.begin(), "Missing key(s) in state_dict: " + quoted(keys.missing_keys) + ". ");
  }
  if (!error_msgs.empty()) {
    std::string msg = "Error(s) in loading state_dict for " + name() + ":";
    for (auto& m : error_msgs) msg += "\n\t" + m;
    throw Error(msg);
  }
  return keys;
}

// --- conversion -----------------------------------------------------------------------------------------------

void Module::apply_to_tensors(const std::function<Tensor(const Tensor&)>& fn) {
  for (auto& [name, p] : parameters_) {
    if (!p.defined()) continue;
    p.set_data(fn(p.detach()));
    if (p.grad().defined()) p.mutable_grad().set_data(fn(p.grad().detach()));
  }
  for (auto& [name, b] : buffers_)
    if (b.defined()) b.set_data(fn(b.detach()));
}

void Module::apply_recursive(const std::function<Tensor(const Tensor&)>& fn) {
  for (auto& child : children()) child->apply_recursive(fn);
  apply_to_tensors(fn);
}

Module& Module::to(Dtype dtype) {
  FL_CHECK_TYPE(is_floating_point(dtype),
                "nn.Module.to only accepts floating point or complex dtypes, but got "
                "desired dtype=torch.",
                dtype_name(dtype));
  NoGradGuard no_grad;
  apply_recursive([dtype](const Tensor& t) { return t.is_floating_point() ? t.to(dtype) : t; });
  return *this;
}

Module& Module::to(const Device& device) {
  NoGradGuard no_grad;
  apply_recursive([&device](const Tensor& t) { return t.to(device); });
  return *this;
}

Module& Module::to(const Device& device, Dtype dtype) {
  FL_CHECK_TYPE(is_floating_point(dtype),
                "nn.Module.to only accepts floating point or complex dtypes, but got "
                "desired dtype=torch.",
                dtype_name(dtype));
  NoGradGuard no_grad;
  apply_recursive(
      [&device, dtype](const Tensor& t) { return t.is_floating_point() ? t.to(device, dtype) : t.to(device); });
  return *this;
}

}  // namespace fl::nn
