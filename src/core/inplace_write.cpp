// The one mechanism behind PyTorch's in-place ops over immutable arrays: an op's out-of-place result written back
// into `self` (through views into the base), and in-place view ops that change `self`'s own view metadata.
#include <mlx/ops.h>

#include "core/autograd_impl.h"
#include "ops/op_utils.h"

namespace fl {

void check_inplace(TensorImpl* impl, bool records) {
  for (size_t i = 0; i < impl->shape.size(); ++i)
    FL_CHECK(!(impl->strides[i] == 0 && impl->shape[i] > 1),
             "unsupported operation: more than one element of the written-to tensor refers to a single memory "
             "location. Please clone() the tensor before performing the operation.");
  FL_CHECK(!impl->storage->inference || is_inference_mode_enabled(),
           "Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to get a "
           "normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for more details.");
  if (!records) return;
  using Creation = AutogradMeta::Creation;
  const AutogradMeta* m = impl->autograd.get();
  if (!impl->is_view()) {
    FL_CHECK(!(m && m->requires_grad && !m->grad_fn),
             "a leaf Variable that requires grad is being used in an in-place operation.");
    return;
  }
  FL_CHECK(!(m && m->creation == Creation::NoGradMode),
           "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given that this "
           "use case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the view "
           "and the inplace either both inside the no_grad block (if you don't want the inplace to be tracked) or "
           "both outside (if you want the inplace to be tracked).");
  FL_CHECK(!(m && m->creation == Creation::MultipleOutputs), "Output ", m ? m->creation_index : 0, " of ",
           m && m->creation_fn ? m->creation_fn : "", " is a view and is being modified inplace. This view is the "
           "output of a function that returns multiple views. Such functions do not allow the output views to be "
           "modified inplace. You should replace the inplace operation by an out-of-place one.");
  const AutogradMeta* bm = impl->base->autograd.get();
  FL_CHECK(!(bm && bm->requires_grad && !bm->grad_fn),
           "a view of a leaf Variable that requires grad is being used in an in-place operation.");
}

namespace {
// The new storage value after writing `value` into what `impl` (a non-view, or a root base) presents.
void store(TensorImpl* impl, const mx::array& value, int value_depth) {
  Storage& s = *impl->storage;
  s.value = impl->chain.empty() ? value : write_chain(impl->chain, s.value, value);
  s.version++;
  s.depth = std::max(s.depth, value_depth) + 1;
  maybe_eval(s);
}

// The op's own saved tensors: self before the write is input 0, whose value the node keeps (immutable arrays), so
// it needs no version check (PyTorch saves a copy of the original self); the output is now self. Other saved
// aliases of self still trip the version check, as in PyTorch.
void adopt_saved(const Tensor& result, const std::shared_ptr<Storage>& storage, int64_t old_version) {
  auto* node = dynamic_cast<FunctionNode*>(result.impl()->has_meta() ? result.impl()->autograd->grad_fn.get() : nullptr);
  if (!node) return;
  auto& saved = node->saved;
  std::erase_if(saved, [&](const FunctionNode::Saved& s) {
    return !s.is_output && s.index == 0 && s.storage.lock() == storage && s.version == old_version;
  });
  for (auto& s : saved) {
    if (s.is_output && s.storage.lock() == result.impl()->storage) {
      s.storage = storage;
      s.version = storage->version;
    }
  }
}

void take_history(TensorImpl* impl, const Tensor& from) {
  auto& m = impl->meta();
  m.grad_fn = from.impl()->autograd->grad_fn;
  m.output_nr = from.impl()->autograd->output_nr;
}
}  // namespace

Tensor& assign_result(Tensor& self, const Tensor& result, const std::vector<Tensor>& others) {
  TensorImpl* impl = self.impl();
  const Dtype dt = impl->dtype;
  FL_CHECK(result.sizes() == impl->shape, "output with shape ", shape_to_string(impl->shape),
           " doesn't match the broadcast shape ", shape_to_string(result.sizes()));
  FL_CHECK(can_cast(result.dtype(), dt), "result type ", scalar_type_name(result.dtype()),
           " can't be cast to the desired output type ", scalar_type_name(dt));
  const bool self_rg = to_input(self).requires_grad, result_rg = to_input(result).requires_grad;
  const bool records = self_rg || result_rg;
  check_inplace(impl, records);

  Tensor value = result;
  if (result.dtype() != dt) {
    value = result.to(dt);
    // The cast is part of the in-place op: its node keeps the op's name (AddBackward0, not ToCopyBackward0).
    if (auto* node = dynamic_cast<FunctionNode*>(value.grad_fn().get())) node->op_name = result.grad_fn_name();
  }
  Storage& storage = *impl->storage;
  const int64_t old_version = storage.version;
  const int depth = value.impl()->storage->depth;
  if (records && !result_rg) {
    // A result without a gradient (eq_, floor_divide_) keeps self and the op's tensor operands in the graph, with
    // zero gradients, as PyTorch's nodes for these ops.
    std::vector<Tensor> ins{value, self};
    ins.insert(ins.end(), others.begin(), others.end());
    value = apply1("CopyBackwards", fn1([](const Arrays& in) { return in[0]; }), ins);
  }
  if (!impl->is_view()) {
    store(impl, value.mlx(), depth);
    if (records) take_history(impl, value);
  } else {
    // base' = base with the view's elements replaced, recorded as PyTorch's CopySlices.
    TensorImpl* base = impl->base.get();
    ViewChain sub(impl->chain.begin() + base->chain.size(), impl->chain.end());
    Tensor base_t(impl->base);
    Tensor nb = apply1("CopySlices", fn1([sub](const Arrays& in) { return write_chain(sub, in[0], in[1]); }),
                       {base_t, value});
    store(base, nb.mlx(), depth);
    if (records) take_history(base, nb);
  }
  if (records) adopt_saved(result, impl->storage, old_version);
  return self;
}

Tensor& assign_view(Tensor& self, Tensor view, const char* grad_name) {
  TensorImpl* impl = self.impl();
  TensorImpl* v = view.impl();
  v->chain.back().grad_name = grad_name;
  auto fn = view.grad_fn();
  if (auto* node = dynamic_cast<FunctionNode*>(fn.get())) node->op_name = grad_name;
  const AutogradMeta* m = impl->autograd.get();
  FL_CHECK(impl->is_view() || !(fn && m && m->requires_grad && !m->grad_fn),
           "a leaf Variable that requires grad is being used in an in-place operation.");
  impl->chain = v->chain;
  impl->shape = v->shape;
  impl->strides = v->strides;
  impl->offset = v->offset;
  impl->cache.reset();
  if (impl->is_view()) {
    if (impl->autograd) impl->autograd->view_version = -1;  // the grad_fn is remade from the base
  } else if (fn) {
    take_history(impl, view);
  }
  return self;
}

}  // namespace fl
