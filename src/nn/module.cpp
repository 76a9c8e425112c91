// fl::nn::Module: registration, traversal, modes, hooks and printing. State dicts and conversion are in
// module_state.cpp.
#include "fl/nn/module.h"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include "fl/autograd.h"

namespace fl::nn {

std::string detail::type_name(const std::type_info& type) {
  int status = 0;
  char* demangled = abi::__cxa_demangle(type.name(), nullptr, nullptr, &status);
  std::string full = status == 0 && demangled ? demangled : type.name();
  std::free(demangled);
  // Strip namespaces outside any template arguments.
  size_t angle = full.find('<');
  size_t colon = full.rfind("::", angle == std::string::npos ? full.size() : angle);
  return colon == std::string::npos ? full : full.substr(colon + 2);
}

namespace {

std::string join_name(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "." + name;
}
}  // namespace

void HookHandle::remove() {
  auto hooks = hooks_.lock();
  if (!hooks) return;
  auto drop = [this](auto& list) {
    list.erase(std::remove_if(list.begin(), list.end(), [this](auto& h) { return h.first == id_; }), list.end());
  };
  drop(hooks->pre);
  drop(hooks->post);
}

Module::Module(std::string name) : name_(std::move(name)) {}

std::string Module::name() const { return name_.empty() ? detail::type_name(typeid(*this)) : name_; }

// --- registration ---------------------------------------------------------------------------------------------

bool Module::has_attribute(const std::string& name) const {
  return parameters_.contains(name) || buffers_.contains(name) || children_.contains(name);
}

void Module::check_new_name(const std::string& name, const char* kind, const void* own_dict) const {
  if (std::string(kind) == "module") {
    FL_CHECK_AS(IndexError, name.find('.') == std::string::npos, "module name can't contain \".\", got: ", name);
  } else {
    FL_CHECK_AS(IndexError, name.find('.') == std::string::npos, kind, " name can't contain \".\"");
  }
  FL_CHECK_AS(IndexError, !name.empty(), kind, " name can't be empty string \"\"");
  bool in_own = (own_dict == &parameters_ && parameters_.contains(name)) ||
                (own_dict == &buffers_ && buffers_.contains(name)) ||
                (own_dict == &children_ && children_.contains(name));
  FL_CHECK_AS(IndexError, in_own || !has_attribute(name), "attribute '", name, "' already exists");
}

Tensor Module::register_parameter(const std::string& name, Tensor tensor, bool requires_grad) {
  check_new_name(name, "parameter", &parameters_);
  if (tensor.defined()) {
    FL_CHECK_VALUE(tensor.is_leaf(), "Cannot assign non-leaf Tensor to parameter '", name,
                   "'. Model parameters must be created explicitly. To express '", name,
                   "' as a function of another Tensor, compute the value in the forward() method.");
    tensor.requires_grad_(requires_grad);
  }
  return parameters_.insert(name, tensor);
}

Tensor Module::register_buffer(const std::string& name, Tensor tensor, bool persistent) {
  check_new_name(name, "buffer", &buffers_);
  if (persistent)
    non_persistent_.erase(name);
  else
    non_persistent_.insert(name);
  return buffers_.insert(name, tensor);
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_new_name(name, "module", &children_);
  children_.insert(name, std::move(module));
}

std::shared_ptr<Module> Module::self_ptr() const {
  if (auto p = weak_from_this().lock()) return std::const_pointer_cast<Module>(p);
  return std::shared_ptr<Module>(std::shared_ptr<Module>(), const_cast<Module*>(this));
}

// --- traversal ------------------------------------------------------------------------------------------------

void Module::named_modules_into(OrderedDict<std::shared_ptr<Module>>& out, std::unordered_set<const Module*>& memo,
                                const std::string& prefix, bool remove_duplicate) const {
  if (remove_duplicate && !memo.insert(this).second) return;
  out.insert(prefix, self_ptr());
  for (auto& [name, child] : children_)
    if (child) child->named_modules_into(out, memo, join_name(prefix, name), remove_duplicate);
}

OrderedDict<std::shared_ptr<Module>> Module::named_modules(const std::string& prefix, bool remove_duplicate) const {
  OrderedDict<std::shared_ptr<Module>> out;
  std::unordered_set<const Module*> memo;
  named_modules_into(out, memo, prefix, remove_duplicate);
  return out;
}

std::vector<std::shared_ptr<Module>> Module::modules() const { return named_modules().values(); }

OrderedDict<std::shared_ptr<Module>> Module::named_children() const {
  OrderedDict<std::shared_ptr<Module>> out;
  std::unordered_set<const Module*> memo;
  for (auto& [name, child] : children_)
    if (child && memo.insert(child.get()).second) out.insert(name, child);
  return out;
}

std::vector<std::shared_ptr<Module>> Module::children() const { return named_children().values(); }

OrderedDict<Tensor> Module::named_tensors(bool recurse, const std::string& prefix, bool remove_duplicate,
                                          bool buffers) const {
  OrderedDict<Tensor> out;
  std::unordered_set<const TensorImpl*> memo;
  OrderedDict<std::shared_ptr<Module>> mods;
  if (recurse)
    mods = named_modules(prefix, remove_duplicate);
  else
    mods.insert(prefix, self_ptr());
  for (auto& [mod_prefix, mod] : mods) {
    for (auto& [name, t] : buffers ? mod->buffers_ : mod->parameters_) {
      if (!t.defined() || memo.count(t.impl())) continue;
      if (remove_duplicate) memo.insert(t.impl());
      out.insert(join_name(mod_prefix, name), t);
    }
  }
  return out;
}

OrderedDict<Tensor> Module::named_parameters(bool recurse, const std::string& prefix, bool remove_duplicate) const {
  return named_tensors(recurse, prefix, remove_duplicate, false);
}
OrderedDict<Tensor> Module::named_buffers(bool recurse, const std::string& prefix, bool remove_duplicate) const {
  return named_tensors(recurse, prefix, remove_duplicate, true);
}
std::vector<Tensor> Module::parameters(bool recurse) const { return named_parameters(recurse).values(); }
std::vector<Tensor> Module::buffers(bool recurse) const { return named_buffers(recurse).values(); }

std::shared_ptr<Module> Module::get_submodule(const std::string& target) const {
  std::shared_ptr<Module> mod = self_ptr();
  if (target.empty()) return mod;
  std::stringstream ss(target);
  std::string item;
  while (std::getline(ss, item, '.')) {
    FL_CHECK_AS(IndexError, mod->has_attribute(item), mod->name(), " has no attribute `", item, "`");
    const std::shared_ptr<Module>* child = mod->children_.find(item);
    FL_CHECK_AS(IndexError, child && *child, "`", item, "` is not an nn.Module");
    mod = *child;
  }
  return mod;
}

namespace {
std::pair<std::string, std::string> rpartition(const std::string& target) {
  size_t dot = target.rfind('.');
  if (dot == std::string::npos) return {"", target};
  return {target.substr(0, dot), target.substr(dot + 1)};
}
}  // namespace

Tensor Module::get_parameter(const std::string& target) const {
  auto [path, name] = rpartition(target);
  auto mod = get_submodule(path);
  FL_CHECK_AS(IndexError, mod->has_attribute(name), mod->name(), " has no attribute `", name, "`");
  const Tensor* p = mod->parameters_.find(name);
  FL_CHECK_AS(IndexError, p && p->defined(), "`", name, "` is not an nn.Parameter");
  return *p;
}

Tensor Module::get_buffer(const std::string& target) const {
  auto [path, name] = rpartition(target);
  auto mod = get_submodule(path);
  FL_CHECK_AS(IndexError, mod->has_attribute(name), mod->name(), " has no attribute `", name, "`");
  const Tensor* b = mod->buffers_.find(name);
  FL_CHECK_AS(IndexError, b && b->defined(), "`", name, "` is not a buffer");
  return *b;
}

// --- modes and gradients --------------------------------------------------------------------------------------

Module& Module::train(bool mode) {
  training_ = mode;
  for (auto& child : children()) child->train(mode);
  return *this;
}

void Module::zero_grad(bool set_to_none) {
  for (auto& p : parameters()) {
    if (!p.grad().defined()) continue;
    if (set_to_none) {
      p.set_grad(Tensor());
      continue;
    }
    Tensor& g = p.mutable_grad();
    if (g.grad_fn())
      g.detach_();
    else
      g.requires_grad_(false);
    g.zero_();
  }
}

Module& Module::requires_grad_(bool requires_grad) {
  for (auto& p : parameters()) p.requires_grad_(requires_grad);
  return *this;
}

Module& Module::apply(const std::function<void(Module&)>& fn) {
  for (auto& child : children()) child->apply(fn);
  fn(*this);
  return *this;
}

// --- hooks ----------------------------------------------------------------------------------------------------

HookHandle Module::register_forward_pre_hook(ForwardPreHook hook) {
  if (!hooks_) hooks_ = std::make_shared<detail::Hooks>();
  int64_t id = hooks_->next_id++;
  hooks_->pre.emplace_back(id, std::move(hook));
  return HookHandle(hooks_, id);
}

HookHandle Module::register_forward_hook(ForwardHook hook) {
  if (!hooks_) hooks_ = std::make_shared<detail::Hooks>();
  int64_t id = hooks_->next_id++;
  hooks_->post.emplace_back(id, std::move(hook));
  return HookHandle(hooks_, id);
}

std::vector<Tensor> Module::call_with_hooks(std::vector<Tensor> inputs, const ForwardFn& forward) {
  if (!has_forward_hooks()) return forward(inputs);
  // Copies: a hook may remove itself (or others) while running.
  auto pre = hooks_->pre;
  for (auto& [id, hook] : pre)
    if (auto replaced = hook(*this, inputs)) inputs = std::move(*replaced);
  std::vector<Tensor> outputs = forward(inputs);
  auto post = hooks_->post;
  for (auto& [id, hook] : post)
    if (auto replaced = hook(*this, inputs, outputs)) outputs = std::move(*replaced);
  return outputs;
}

Tensor Module::call_hooked(std::vector<Tensor> inputs,
                           const std::function<Tensor(const std::vector<Tensor>&)>& forward) {
  if (!has_forward_hooks()) return forward(inputs);
  size_t n = inputs.size();
  auto out = call_with_hooks(std::move(inputs), [&](const std::vector<Tensor>& in) {
    FL_CHECK(in.size() == n, name(), ": a forward pre-hook returned ", in.size(), " inputs; forward takes ", n);
    return std::vector<Tensor>{forward(in)};
  });
  FL_CHECK(out.size() == 1, name(), ": a forward hook returned ", out.size(), " outputs; forward returns 1");
  return out[0];
}

Tensor UnaryModule::operator()(const Tensor& input) {
  if (!has_forward_hooks()) return forward(input);
  return call_hooked({input}, [this](const std::vector<Tensor>& in) { return forward(in[0]); });
}

// --- printing -------------------------------------------------------------------------------------------------

std::string add_indent(const std::string& s, int n) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    out += ch;
    if (ch == '\n') out.append(static_cast<size_t>(n), ' ');
  }
  return out;
}

std::string Module::repr() const {
  std::vector<std::string> extra_lines, child_lines;
  std::string extra = extra_repr();
  if (!extra.empty()) {
    std::stringstream ss(extra);
    std::string line;
    while (std::getline(ss, line, '\n')) extra_lines.push_back(line);
    if (extra.back() == '\n') extra_lines.push_back("");
  }
  for (auto& [key, child] : children_)
    child_lines.push_back("(" + key + "): " + add_indent(child ? child->repr() : "None", 2));
  std::string out = name() + "(";
  if (extra_lines.size() == 1 && child_lines.empty()) {
    out += extra_lines[0];
  } else if (!extra_lines.empty() || !child_lines.empty()) {
    out += "\n";
    for (auto* lines : {&extra_lines, &child_lines})
      for (auto& l : *lines) out += "  " + l + "\n";
  }
  return out + ")";
}

std::ostream& operator<<(std::ostream& os, const Module& m) { return os << m.repr(); }

}  // namespace fl::nn
