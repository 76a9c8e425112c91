// The recorder every op goes through, in-place rewriting of history, and the backward engine.
#include <algorithm>
#include <numeric>
#include <unordered_map>

#include <mlx/ops.h>
#include <mlx/small_vector.h>
#include <mlx/transforms.h>

#include "core/autograd_impl.h"
#include "core/layout.h"
#include "fl/ops/binary.h"

namespace fl {
namespace mx = mlx::core;

namespace {
thread_local bool g_grad_enabled = true;
thread_local bool g_inference_mode = false;
int64_t g_sequence_nr = 0;

bool differentiable(mx::Dtype d) { return mx::issubdtype(d, mx::floating); }

std::string shape_str(const Shape& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

// Gradients of fn's differentiable outputs w.r.t. the inputs in diff_idx, by MLX's vjp at `primals`.
std::vector<mx::array> vjp_arrays(const ArrayFn& fn, const std::vector<mx::array>& primals,
                                  const std::vector<int>& diff_idx, const std::vector<int>& out_idx,
                                  const std::vector<mx::array>& cots) {
  auto restricted = [&](const std::vector<mx::array>& d) {
    std::vector<mx::array> full = primals;
    for (size_t k = 0; k < diff_idx.size(); ++k) full[diff_idx[k]] = d[k];
    auto outs = fn(full);
    std::vector<mx::array> r;
    r.reserve(out_idx.size());
    for (int k : out_idx) r.push_back(outs[k]);
    return r;
  };
  std::vector<mx::array> d;
  d.reserve(diff_idx.size());
  for (int i : diff_idx) d.push_back(primals[i]);
  return mx::vjp(restricted, d, cots).second;
}
}  // namespace

bool is_grad_enabled() { return g_grad_enabled; }
void set_grad_enabled(bool enabled) { g_grad_enabled = enabled; }
bool is_inference_mode_enabled() { return g_inference_mode; }
void set_inference_mode(bool enabled) { g_inference_mode = enabled; }
bool is_recording_grad() { return g_grad_enabled && !g_inference_mode; }

std::string type_desc(const Tensor& t) {
  return std::string("torch.") + scalar_type_name(t.dtype()) + "Tensor " + shape_str(t.sizes());
}

// --- views' grad_fn ---------------------------------------------------------------------------------

namespace {
bool meta_requires_grad(TensorImpl* impl);

// A view's grad_fn is remade from its base after any in-place write to the shared storage.
void refresh_view_grad_fn(TensorImpl* v) {
  auto& m = v->meta();
  if (m.view_version == v->storage->version) return;
  TensorImpl* base = v->base.get();
  if (!meta_requires_grad(base)) {
    m.view_version = v->storage->version;
    return;
  }
  FL_CHECK(m.creation != AutogradMeta::Creation::MultipleOutputs || m.view_version < 0 || !g_grad_enabled, "Output ",
           m.creation_index, " of ", m.creation_fn, " is a view and its base or another view of its base has been "
           "modified inplace. This view is the output of a function that returns multiple views. Such functions do "
           "not allow the output views to be modified inplace. You should replace the inplace operation by an "
           "out-of-place one.");
  m.view_version = v->storage->version;
  ViewChain sub(v->chain.begin() + base->chain.size(), v->chain.end());
  Tensor base_t(v->base);
  auto node = std::make_shared<FunctionNode>();
  node->op_name = sub.empty() ? "AliasBackward0" : sub.back().backward_name();
  node->fn = [sub](const std::vector<mx::array>& in) { return std::vector<mx::array>{apply_chain(sub, in[0])}; };
  node->primals = {base->value()};
  node->input_needs_grad = {true};
  node->next_functions = {gradient_edge(base_t)};
  auto val = v->value();
  node->out_shapes = {val.shape()};
  node->out_dtypes = {val.dtype()};
  node->retained.resize(1);
  node->sequence_nr = g_sequence_nr++;
  m.grad_fn = node;
  m.output_nr = 0;
}

bool meta_requires_grad(TensorImpl* impl) {
  if (impl->is_view()) {
    if (!impl->autograd && !meta_requires_grad(impl->base.get())) return false;
    // Made under no_grad from a tensor that requires grad: requires grad, with no history (as PyTorch's).
    if (impl->autograd && impl->autograd->creation == AutogradMeta::Creation::NoGradMode) return true;
    refresh_view_grad_fn(impl);
  }
  if (!impl->autograd) return false;
  return impl->autograd->requires_grad || impl->autograd->grad_fn != nullptr;
}
}  // namespace

bool tensor_requires_grad(TensorImpl* impl) { return meta_requires_grad(impl); }

Node::Edge gradient_edge(const Tensor& t) {
  auto* impl = t.impl();
  if (!meta_requires_grad(impl)) return {};
  auto& m = *impl->autograd;
  if (m.grad_fn) return {m.grad_fn, m.output_nr};
  if (m.creation == AutogradMeta::Creation::NoGradMode) return {};  // its gradient goes nowhere
  if (!m.grad_accumulator) {
    auto acc = pool::make_shared<AccumulateGrad>();
    acc->leaf = t.impl_ptr();
    acc->sequence_nr = g_sequence_nr++;
    m.grad_accumulator = std::move(acc);
  }
  return {m.grad_accumulator, 0};
}

OpInput to_input(const Tensor& t) {
  FL_CHECK(t.defined(), "expected a defined tensor, got an undefined one");
  auto* impl = t.impl();
  OpInput in{impl->value(), {}, false, impl->storage};
  if (is_recording_grad() && (impl->autograd || impl->is_view())) {
    in.edge = gradient_edge(t);
    in.requires_grad = in.edge.node != nullptr || (impl->autograd && impl->autograd->creation ==
                                                                      AutogradMeta::Creation::NoGradMode);
  }
  return in;
}

// --- recording ----------------------------------------------------------------------------------------

ArrayFn fn_view(const ViewOp& op) {
  return [op](const std::vector<mx::array>& in) { return std::vector<mx::array>{op.apply(in[0])}; };
}

namespace {
// The node of a recorded op. `primals` are the inputs' values (moved in). Edges are moved out of inputs the
// caller owns (In = OpInput) and copied from the others (In = const OpInput).
template <typename In>
std::shared_ptr<FunctionNode> make_node(const char* name, ArrayFn fn, std::span<In> inputs,
                                        std::vector<mx::array>&& primals, std::span<const mx::array> outs,
                                        SaveMask saves) {
  auto node = pool::make_shared<FunctionNode>();
  node->op_name = name;
  node->fn = std::move(fn);
  node->sequence_nr = g_sequence_nr++;
  node->primals = std::move(primals);
  node->input_needs_grad.reserve(inputs.size());
  node->next_functions.reserve(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto& in = inputs[i];
    node->input_needs_grad.push_back(in.requires_grad);
    if (!in.requires_grad) node->next_functions.emplace_back();
    else if constexpr (std::is_const_v<In>) node->next_functions.push_back(in.edge);
    else node->next_functions.push_back(std::move(in.edge));
    if (i < 31 && (saves & (1u << i)) && in.storage) {
      FL_CHECK(!in.storage->inference, "Inference tensors cannot be saved for backward. To work around you can make "
               "a clone to get a normal tensor and use it in autograd.");
      const mx::array& v = node->primals[i];
      std::string desc = std::string("torch.") + scalar_type_name(from_mlx(v.dtype())) + "Tensor " +
                         shape_str(Shape(v.shape().begin(), v.shape().end()));
      node->saved.push_back({in.storage, in.storage->version, desc, false, static_cast<int>(i)});
    }
  }
  node->out_shapes.reserve(outs.size());
  node->out_dtypes.reserve(outs.size());
  for (auto& o : outs) {
    node->out_shapes.push_back(o.shape());
    node->out_dtypes.push_back(o.dtype());
  }
  node->retained.resize(outs.size());
  return node;
}

std::shared_ptr<FunctionNode> record(const char* name, ArrayFn fn, std::span<const OpInput> inputs,
                                     const std::vector<mx::array>& outs, SaveMask saves) {
  std::vector<mx::array> primals;
  primals.reserve(inputs.size());
  for (auto& in : inputs) primals.push_back(in.value);
  return make_node(name, std::move(fn), inputs, std::move(primals), outs, saves);
}

void save_output(FunctionNode& node, const Tensor& out, int index) {
  auto* impl = out.impl();
  node.saved.push_back({impl->storage, impl->storage->version, type_desc(out), true, index});
}

// What an op's outputs take from its inputs: the values (moved out of inputs the caller owns, In = OpInput),
// the lazy depth, the device (the first input's), and whether a gradient is needed.
struct Gathered {
  std::vector<mx::array> vals;
  int depth = 0;
  Device device;
  bool needs_grad = false;
};
template <typename In>
Gathered gather(std::span<In> inputs) {
  Gathered g;
  g.vals.reserve(inputs.size());
  const Storage* first = nullptr;
  for (auto& in : inputs) {
    if constexpr (std::is_const_v<In>) g.vals.push_back(in.value);
    else g.vals.push_back(std::move(in.value));
    if (in.storage) {
      if (!first) first = in.storage.get();
      g.depth = std::max(g.depth, in.storage->depth);
    }
    g.needs_grad |= in.requires_grad;
  }
  g.device = first ? first->device : default_device();
  return g;
}

// A fresh output tensor, its lazy depth counted from the inputs'.
Tensor make_output(mx::array value, const Device& device, int depth) {
  Tensor t = make_tensor(std::move(value), device);
  auto& s = *t.impl()->storage;
  s.depth = s.value.is_available() ? 0 : depth + 1;  // kernels that ran eagerly leave no graph behind
  maybe_eval(s);
  return t;
}

// Makes output k the node's output k (if differentiable), saving it for the version check when asked.
void attach(const std::shared_ptr<FunctionNode>& node, Tensor& out, mx::Dtype dtype, size_t k, SaveMask saves) {
  if (!differentiable(dtype)) return;
  auto& m = out.impl()->meta();
  m.grad_fn = node;
  m.output_nr = static_cast<int>(k);
  if (saves & kSaveOutput) save_output(*node, out, static_cast<int>(k));
}

// apply_op_inputs; values and edges are moved out of inputs the caller owns (In = OpInput).
template <typename In>
std::vector<Tensor> run_op(const char* name, ArrayFn&& fn, std::span<In> inputs, SaveMask saves) {
  Gathered g = gather(inputs);
  auto outs = fn(g.vals);
  std::vector<Tensor> result;
  result.reserve(outs.size());
  const bool record_node = g.needs_grad && g_grad_enabled;
  for (auto& o : outs) result.push_back(make_output(record_node ? o : std::move(o), g.device, g.depth));
  if (record_node) {
    auto node = make_node(name, std::move(fn), inputs, std::move(g.vals), outs, saves);
    for (size_t k = 0; k < result.size(); ++k) attach(node, result[k], outs[k].dtype(), k, saves);
  }
  return result;
}
}  // namespace

std::vector<Tensor> apply_op_inputs(const char* name, ArrayFn fn, std::span<const OpInput> inputs, SaveMask saves) {
  return run_op(name, std::move(fn), inputs, saves);
}

namespace {
using OpInputs = mx::SmallVector<OpInput, 4>;  // no allocation for the usual one to four inputs

std::vector<Tensor> apply_op_range(const char* name, ArrayFn&& fn, const Tensor* first, size_t n, SaveMask saves) {
  OpInputs ins;
  for (size_t i = 0; i < n; ++i) ins.emplace_back(to_input(first[i]));
  return run_op(name, std::move(fn), std::span<OpInput>(ins.data(), ins.size()), saves);
}
}  // namespace

namespace detail {
bool records(std::initializer_list<const Tensor*> inputs) {
  const bool recording = g_grad_enabled && !g_inference_mode;  // as to_input decides
  for (const Tensor* t : inputs) {
    FL_CHECK(t->defined(), "expected a defined tensor, got an undefined one");
    TensorImpl* impl = t->impl();
    if (recording && (impl->autograd || impl->is_view()) && meta_requires_grad(impl)) return true;
  }
  return false;
}

Tensor unrecorded_result(mx::array out, std::initializer_list<const Tensor*> inputs) {
  int depth = 0;
  const Storage* first = nullptr;
  for (const Tensor* t : inputs) {
    const Storage* s = t->impl()->storage.get();
    if (!s) continue;
    if (!first) first = s;
    depth = std::max(depth, s->depth);
  }
  return make_output(std::move(out), first ? first->device : default_device(), depth);
}
}  // namespace detail

Tensor detail::apply_recorded(const char* name, ArrayFn&& fn, mx::array out,
                              std::initializer_list<const Tensor*> inputs, SaveMask saves) {
  OpInputs ins;
  for (const Tensor* t : inputs) ins.emplace_back(to_input(*t));
  std::span<OpInput> span(ins.data(), ins.size());
  Gathered g = gather(span);
  Tensor result = make_output(out, g.device, g.depth);
  auto node = make_node(name, std::move(fn), span, std::move(g.vals), std::span<const mx::array>(&out, 1), saves);
  attach(node, result, out.dtype(), 0, saves);
  return result;
}

std::vector<Tensor> apply_op(const char* name, ArrayFn fn, const std::vector<Tensor>& inputs, SaveMask saves) {
  return apply_op_range(name, std::move(fn), inputs.data(), inputs.size(), saves);
}
std::vector<Tensor> apply_op(const char* name, ArrayFn fn, std::initializer_list<Tensor> inputs, SaveMask saves) {
  return apply_op_range(name, std::move(fn), inputs.begin(), inputs.size(), saves);
}
Tensor apply1(const char* name, ArrayFn fn, const std::vector<Tensor>& inputs, SaveMask saves) {
  return std::move(apply_op_range(name, std::move(fn), inputs.data(), inputs.size(), saves)[0]);
}
Tensor apply1(const char* name, ArrayFn fn, std::initializer_list<Tensor> inputs, SaveMask saves) {
  return std::move(apply_op_range(name, std::move(fn), inputs.begin(), inputs.size(), saves)[0]);
}

// --- in-place ------------------------------------------------------------------------------------------

Tensor& apply_inplace(const char* name, Tensor& self, ArrayFn fn, const std::vector<Tensor>& others,
                      SaveMask saves) {
  TensorImpl* impl = self.impl();
  const Dtype dt = impl->dtype;
  const mx::Shape self_shape(impl->shape.begin(), impl->shape.end());
  // The op's result, checked for shape and castability before anything is written.
  auto checked = [fn, dt, self_shape, name](const std::vector<mx::array>& in) {
    auto out = fn(in)[0];
    if (out.shape() != self_shape) {
      throw Error(detail::concat("output with shape ", shape_str(Shape(self_shape.begin(), self_shape.end())),
                                 " doesn't match the broadcast shape ",
                                 shape_str(Shape(out.shape().begin(), out.shape().end()))));
    }
    Dtype od = from_mlx(out.dtype());
    if (!can_cast(od, dt))
      throw Error(detail::concat("result type ", scalar_type_name(od), " can't be cast to the desired output type ",
                                 scalar_type_name(dt)));
    return std::vector<mx::array>{out.dtype() == to_mlx(dt) ? out : mx::astype(out, to_mlx(dt))};
  };

  std::vector<OpInput> ins;
  ins.reserve(others.size() + 1);
  ins.push_back(to_input(self));
  bool needs_grad = ins[0].requires_grad;
  for (auto& o : others) {
    ins.push_back(to_input(o));
    needs_grad |= ins.back().requires_grad;
  }
  std::vector<mx::array> vals;
  vals.reserve(ins.size());
  for (auto& in : ins) vals.push_back(in.value);
  // Validates before anything is written; for a non-view this is also the new value (kernels that compute
  // eagerly must not run twice).
  mx::array out = checked(vals)[0];

  auto& storage = *impl->storage;
  check_inplace(impl, needs_grad);

  if (!impl->is_view()) {
    // self = f(self, ...): the storage takes the new value, self takes the new history.
    storage.value = impl->chain.empty() ? out : write_chain(impl->chain, storage.value, out);
    storage.version++;
    storage.depth++;
    maybe_eval(storage);
    if (needs_grad && g_grad_enabled) {
      auto node = record(name, checked, ins, {out}, saves & ~kSaveOutput);
      auto& m = impl->meta();
      m.grad_fn = node;
      m.output_nr = 0;
      if (saves & kSaveOutput) save_output(*node, self, 0);
    }
    return self;
  }

  // A view: the base takes base' = write(base, chain, f(read(base, chain), ...)), recorded as CopySlices.
  TensorImpl* base = impl->base.get();
  ViewChain sub(impl->chain.begin() + base->chain.size(), impl->chain.end());
  auto copy_slices = [checked, sub](const std::vector<mx::array>& in) {
    std::vector<mx::array> args(in);
    args[0] = apply_chain(sub, in[0]);
    return std::vector<mx::array>{write_chain(sub, in[0], checked(args)[0])};
  };
  Tensor base_t(impl->base);
  std::vector<OpInput> base_ins = ins;
  base_ins[0] = to_input(base_t);
  vals.clear();
  for (auto& in : base_ins) vals.push_back(in.value);
  auto new_base = copy_slices(vals)[0];
  storage.value = base->chain.empty() ? new_base : write_chain(base->chain, storage.value, new_base);
  storage.version++;
  storage.depth++;
  maybe_eval(storage);
  if (needs_grad && g_grad_enabled) {
    base_ins[0].requires_grad = base_ins[0].edge.node != nullptr;
    auto node = record("CopySlices", copy_slices, base_ins, {new_base}, saves & ~kSaveOutput);
    auto& bm = base->meta();
    bm.grad_fn = node;
    bm.output_nr = 0;
    if (saves & kSaveOutput) save_output(*node, base_t, 0);
  }
  return self;
}

// --- backward --------------------------------------------------------------------------------------------

void FunctionNode::check_saved() const {
  for (auto& s : saved) {
    auto st = s.storage.lock();
    if (!st || st->version == s.version) continue;
    throw Error(detail::concat(
        "one of the variables needed for gradient computation has been modified by an inplace operation: [", s.desc,
        "], which is ", s.is_output ? "output " : "input ", s.index, " of ", op_name, ", is at version ", st->version,
        "; expected version ", s.version,
        " instead. Hint: the backtrace further above can point to the operation that failed to compute its "
        "gradient. The variable in question was changed in there or anywhere later. Good luck!"));
  }
}

void FunctionNode::release() {
  if (saved.empty()) return;  // PyTorch keeps nodes that save nothing usable for a second backward
  released = true;
  fn = nullptr;
  primals.clear();
}

std::vector<Tensor> FunctionNode::apply(const std::vector<Tensor>& grad_outputs, bool create_graph) {
  FL_CHECK(!released,
           "Trying to backward through the graph a second time (or directly access saved tensors after they have "
           "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
           "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or "
           "if you need to access saved tensors after calling backward.");
  check_saved();
  std::vector<int> diff_idx, out_idx;
  for (size_t i = 0; i < input_needs_grad.size(); ++i)
    if (input_needs_grad[i]) diff_idx.push_back(static_cast<int>(i));
  for (size_t k = 0; k < out_dtypes.size(); ++k)
    if (differentiable(out_dtypes[k])) out_idx.push_back(static_cast<int>(k));
  std::vector<Tensor> result(input_needs_grad.size());
  // With no output elements, or for an empty input, the gradient is zeros: MLX's scatter-based vjps (take,
  // gather) fail or crash on empty arrays, so those inputs skip the vjp.
  bool outputs_empty = true;
  for (int k : out_idx)
    outputs_empty &= std::accumulate(out_shapes[k].begin(), out_shapes[k].end(), int64_t{1}, std::multiplies<>()) == 0;
  std::erase_if(diff_idx, [&](int i) {
    if (!outputs_empty && primals[i].size() != 0) return false;
    result[i] = make_tensor(mx::zeros_like(primals[i]));
    return true;
  });
  if (diff_idx.empty()) return result;

  auto cot_of = [&](int k) {
    const Tensor& g = grad_outputs[k];
    if (!g.defined()) return make_tensor(mx::zeros(out_shapes[k], out_dtypes[k]));
    return g.dtype() == from_mlx(out_dtypes[k]) ? g : g.to(from_mlx(out_dtypes[k]));
  };

  if (!create_graph) {
    std::vector<mx::array> cots;
    for (int k : out_idx) cots.push_back(cot_of(k).mlx());
    auto grads = vjp_arrays(fn, primals, diff_idx, out_idx, cots);
    for (size_t j = 0; j < diff_idx.size(); ++j) result[diff_idx[j]] = make_tensor(grads[j]);
    return result;
  }

  // create_graph: the backward is itself a recorded op of (primals, cotangents), so it can be differentiated.
  const size_t n = primals.size();
  ArrayFn f = fn;
  auto backward_fn = [f, n, diff_idx, out_idx](const std::vector<mx::array>& in) {
    std::vector<mx::array> prim(in.begin(), in.begin() + n), cots(in.begin() + n, in.end());
    return vjp_arrays(f, prim, diff_idx, out_idx, cots);
  };
  std::vector<OpInput> ins;
  for (size_t i = 0; i < n; ++i) {
    OpInput in{primals[i], next_functions[i], input_needs_grad[i], nullptr};
    ins.push_back(in);
  }
  for (int k : out_idx) ins.push_back(to_input(cot_of(k)));
  auto grads = apply_op_inputs((op_name + "Backward").c_str(), backward_fn, ins, kSaveNone);
  for (size_t j = 0; j < diff_idx.size(); ++j) result[diff_idx[j]] = grads[j];
  return result;
}

namespace {
struct Buffer {
  std::vector<Tensor> grads;
};

void accumulate(std::vector<Tensor>& slot_vec, int idx, const Tensor& g, bool create_graph) {
  if (static_cast<int>(slot_vec.size()) <= idx) slot_vec.resize(idx + 1);
  Tensor& slot = slot_vec[idx];
  if (!slot.defined()) {
    slot = g;
    return;
  }
  std::optional<NoGradGuard> guard;
  if (!create_graph) guard.emplace();
  slot = apply1("AddBackward0", [](const std::vector<mx::array>& in) { return std::vector<mx::array>{mx::add(in[0], in[1])}; },
                {slot, g});
}

// Runs the graph from `roots`. With `targets`, returns the gradients reaching them instead of accumulating.
std::vector<Tensor> run_backward(const std::vector<Node::Edge>& roots, const std::vector<Tensor>& root_grads,
                                 bool retain_graph, bool create_graph, const std::vector<Node::Edge>* targets) {
  std::unordered_map<Node*, int> deps;
  std::unordered_map<Node*, Buffer> buffers;
  std::vector<Node*> stack;
  for (auto& r : roots)
    if (r.node && !deps.count(r.node.get())) {
      deps[r.node.get()] = 0;
      stack.push_back(r.node.get());
    }
  std::vector<Node*> order;
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (auto& e : n->next_functions) {
      if (!e.node) continue;
      auto [it, inserted] = deps.try_emplace(e.node.get(), 0);
      it->second++;
      if (inserted) stack.push_back(e.node.get());
    }
  }
  for (size_t i = 0; i < roots.size(); ++i)
    if (roots[i].node) accumulate(buffers[roots[i].node.get()].grads, roots[i].input_nr, root_grads[i], create_graph);

  std::vector<Tensor> captured(targets ? targets->size() : 0);
  std::vector<Tensor> touched;
  std::vector<Node*> ready;
  for (auto& [n, d] : deps)
    if (d == 0) ready.push_back(n);
  // Highest sequence number first: the most recent op runs first, as in PyTorch.
  auto cmp = [](Node* a, Node* b) { return a->sequence_nr < b->sequence_nr; };
  std::make_heap(ready.begin(), ready.end(), cmp);
  std::optional<NoGradGuard> no_grad;
  if (!create_graph) no_grad.emplace();

  while (!ready.empty()) {
    std::pop_heap(ready.begin(), ready.end(), cmp);
    Node* node = ready.back();
    ready.pop_back();
    auto& grads = buffers[node].grads;
    bool is_target = false;
    if (targets) {
      for (size_t t = 0; t < targets->size(); ++t)
        if ((*targets)[t].node.get() == node) {
          int nr = (*targets)[t].input_nr;
          if (nr < static_cast<int>(grads.size())) captured[t] = grads[nr];
          is_target = true;
        }
    }
    if (auto* acc = dynamic_cast<AccumulateGrad*>(node)) {
      if (targets) continue;
      auto leaf = acc->leaf.lock();
      if (!leaf || grads.empty() || !grads[0].defined()) continue;
      Tensor g = create_graph ? grads[0] : grads[0].detach();
      auto& m = leaf->meta();
      if (!m.grad.defined()) {
        // A fresh gradient must not alias a tensor the user can mutate (as PyTorch, which clones it), and takes a
        // dense leaf's strides (PyTorch's layout contract).
        m.grad = create_graph ? g : leaf_grad_layout(g, *leaf, g.impl()->storage.use_count() > 1);
        // A fresh leaf gradient stays lazy: the optimizer step (or whatever reads it) evaluates it together with
        // its own work, one MLX evaluation per training step instead of two. Its graph is this backward's only.
        if (!create_graph) continue;
      } else if (create_graph) {
        m.grad = m.grad + g;
      } else {
        m.grad.add_(g);  // accumulated: evaluated below, so repeated backwards never grow one graph
      }
      touched.push_back(m.grad);
      continue;
    }
    auto* fnode = static_cast<BackwardNode*>(node);
    grads.resize(fnode->num_outputs());
    for (size_t k = 0; k < fnode->retained.size(); ++k) {
      auto t = fnode->retained[k].lock();
      if (!t || !grads[k].defined()) continue;
      auto& m = t->meta();
      Tensor g = create_graph ? grads[k] : grads[k].detach();
      m.grad = m.grad.defined() ? m.grad + g : g.clone();
      touched.push_back(m.grad);
    }
    (void)is_target;
    auto in_grads = fnode->apply(grads, create_graph);
    buffers.erase(node);
    if (!retain_graph) fnode->release();
    for (size_t i = 0; i < fnode->next_functions.size(); ++i) {
      auto& e = fnode->next_functions[i];
      if (!e.node) continue;
      if (in_grads[i].defined()) accumulate(buffers[e.node.get()].grads, e.input_nr, in_grads[i], create_graph);
      if (--deps[e.node.get()] == 0) {
        ready.push_back(e.node.get());
        std::push_heap(ready.begin(), ready.end(), cmp);
      }
    }
  }
  std::vector<mx::array> to_eval;
  for (auto& t : touched) to_eval.push_back(t.mlx());
  for (auto& t : captured)
    if (t.defined()) to_eval.push_back(t.mlx());
  if (!to_eval.empty()) mx::eval(to_eval);
  return captured;
}

void collect_roots(const std::vector<Tensor>& tensors, const std::vector<Tensor>& grad_tensors,
                   std::vector<Node::Edge>& roots, std::vector<Tensor>& grads) {
  FL_CHECK(grad_tensors.empty() || grad_tensors.size() == tensors.size(), "grad can be implicitly created only for scalar outputs");
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    Node::Edge e = gradient_edge(t);
    FL_CHECK(e.node, "element ", i, " of tensors does not require grad and does not have a grad_fn");
    Tensor g = grad_tensors.empty() ? Tensor() : grad_tensors[i];
    if (!g.defined()) {
      FL_CHECK(t.numel() == 1, "grad can be implicitly created only for scalar outputs");
      g = make_tensor(mx::ones(mx::Shape(t.sizes().begin(), t.sizes().end()), to_mlx(t.dtype())), t.device());
    } else {
      FL_CHECK(g.sizes() == t.sizes(), "Mismatch in shape: grad_output[", i, "] has a shape of ", shape_str(g.sizes()),
               " and output[", i, "] has a shape of ", shape_str(t.sizes()), ".");
    }
    roots.push_back(e);
    grads.push_back(g);
  }
}
}  // namespace

namespace autograd {
void backward(const std::vector<Tensor>& tensors, const std::vector<Tensor>& grad_tensors, bool retain_graph,
              bool create_graph) {
  std::vector<Node::Edge> roots;
  std::vector<Tensor> grads;
  collect_roots(tensors, grad_tensors, roots, grads);
  run_backward(roots, grads, retain_graph || create_graph, create_graph, nullptr);
}

std::vector<Tensor> grad(const std::vector<Tensor>& outputs, const std::vector<Tensor>& inputs,
                         const std::vector<Tensor>& grad_outputs, std::optional<bool> retain_graph, bool create_graph,
                         bool allow_unused) {
  std::vector<Node::Edge> roots, targets;
  std::vector<Tensor> grads;
  collect_roots(outputs, grad_outputs, roots, grads);
  for (size_t i = 0; i < inputs.size(); ++i) {
    Node::Edge e = gradient_edge(inputs[i]);
    FL_CHECK(e.node, "One of the differentiated Tensors does not require grad");
    targets.push_back(e);
  }
  auto result = run_backward(roots, grads, retain_graph.value_or(create_graph), create_graph, &targets);
  for (size_t i = 0; i < result.size(); ++i)
    FL_CHECK(result[i].defined() || allow_unused,
             "One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True "
             "if this is the desired behavior.");
  return result;
}
}  // namespace autograd

std::function<std::pair<Tensor, std::vector<Tensor>>(const std::vector<Tensor>&)> value_and_grad(TensorFn fn) {
  return [fn](const std::vector<Tensor>& args) {
    std::vector<Tensor> leaves;
    for (auto& a : args) leaves.push_back(a.detach().requires_grad_(true));
    EnableGradGuard guard;
    Tensor value = fn(leaves);
    auto grads = autograd::grad({value}, leaves, {}, std::nullopt, false, true);
    for (size_t i = 0; i < grads.size(); ++i)
      if (!grads[i].defined()) grads[i] = make_tensor(mx::zeros_like(leaves[i].mlx()), leaves[i].device());
    return std::make_pair(value.detach(), grads);
  };
}

std::function<std::vector<Tensor>(const std::vector<Tensor>&)> grad(TensorFn fn) {
  auto vg = value_and_grad(std::move(fn));
  return [vg](const std::vector<Tensor>& args) { return vg(args).second; };
}

}  // namespace fl

namespace fl {
void record_view(const Tensor& self, Tensor& view) {
  auto* v = view.impl();
  auto& m = v->meta();
  m.view_version = v->storage->version;
  if (!g_grad_enabled || g_inference_mode) {
    if (!g_inference_mode && meta_requires_grad(self.impl())) m.creation = AutogradMeta::Creation::NoGradMode;
    return;
  }
  OpInput in = to_input(self);
  if (!in.requires_grad) return;
  const ViewOp op = v->chain.back();
  auto out = v->value();
  auto node = record(op.backward_name(), fn_view(op), std::span<const OpInput>(&in, 1), {out}, kSaveNone);
  m.grad_fn = node;
  m.output_nr = 0;
}
}  // namespace fl

// --- custom functions ----------------------------------------------------------------------------------------

namespace fl {

std::vector<Tensor> CustomNode::apply(const std::vector<Tensor>& grad_outputs, bool create_graph) {
  FL_CHECK(!released,
           "Trying to backward through the graph a second time (or directly access saved tensors after they have "
           "already been freed). Specify retain_graph=True if you need to backward through the graph a second time.");
  std::vector<Tensor> grads(grad_outputs);
  for (size_t k = 0; k < grads.size(); ++k)
    if (!grads[k].defined())
      grads[k] = make_tensor(mx::zeros(mx::Shape(out_shapes[k].begin(), out_shapes[k].end()), to_mlx(out_dtypes[k])),
                             out_devices[k]);
  auto result = backward(grads);
  FL_CHECK(result.size() == input_needs_grad.size(), "function ", op_name, " returned an incorrect number of gradients (expected ",
           input_needs_grad.size(), ", got ", result.size(), ")");
  for (size_t i = 0; i < result.size(); ++i) {
    if (!input_needs_grad[i]) result[i] = Tensor();
    else if (result[i].defined() && !create_graph) result[i] = result[i].detach();
  }
  return result;
}

namespace autograd {
std::vector<Tensor> custom_function(const std::string& name, const std::vector<Tensor>& inputs,
                                    const TensorsFn& forward, TensorsFn backward) {
  std::vector<OpInput> ins;
  bool needs_grad = false;
  for (auto& t : inputs) {
    ins.push_back(t.defined() ? to_input(t) : OpInput{mx::array(0.0f), {}, false, nullptr});
    needs_grad |= ins.back().requires_grad;
  }
  std::vector<Tensor> outs;
  {
    NoGradGuard guard;
    outs = forward(inputs);
  }
  for (auto& o : outs) {
    FL_CHECK(o.defined(), "function ", name, " returned an undefined tensor from forward");
    // Outputs that alias an input get their own identity, so their history is this node's.
    bool aliases = false;
    for (auto& in : inputs) aliases |= in.defined() && in.impl() == o.impl();
    if (aliases || o.is_view()) o = o.detach();
  }
  if (!needs_grad || !g_grad_enabled) return outs;
  auto node = std::make_shared<CustomNode>();
  node->op_name = name;
  node->backward = std::move(backward);
  node->sequence_nr = g_sequence_nr++;
  for (auto& in : ins) {
    node->next_functions.push_back(in.requires_grad ? in.edge : Node::Edge{});
    node->input_needs_grad.push_back(in.requires_grad);
  }
  node->retained.resize(outs.size());
  for (size_t k = 0; k < outs.size(); ++k) {
    node->out_shapes.push_back(outs[k].sizes());
    node->out_dtypes.push_back(outs[k].dtype());
    node->out_devices.push_back(outs[k].device());
    if (!outs[k].is_floating_point()) continue;
    auto& m = outs[k].impl()->meta();
    m.grad_fn = node;
    m.output_nr = static_cast<int>(k);
  }
  return outs;
}
}  // namespace autograd
}  // namespace fl
