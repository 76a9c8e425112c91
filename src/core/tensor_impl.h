// The internals behind fl::Tensor: shared storage slot, view chain, stride metadata and autograd meta.
#pragma once
#include <memory>

#include <mlx/array.h>

#include "core/pooled.h"
#include "core/view_op.h"
#include "fl/tensor.h"

namespace fl {

/// The mutable slot a base and all its views share: the current MLX array and a version counter.
struct Storage {
  explicit Storage(mlx::core::array v, Device d) : value(std::move(v)), device(d) {}
  mlx::core::array value;
  int64_t version = 0;
  int depth = 0;  // ops since the value was last evaluated, to bound the lazy graph
  Device device;
  bool inference = false;  // made in inference mode: its tensors are inference tensors
};

struct Edge {
  std::shared_ptr<Node> node;
  int input_nr = 0;
  bool valid() const { return node != nullptr; }
};

struct AutogradMeta {
  bool requires_grad = false;  // set on leaves by the user
  Tensor grad;
  std::shared_ptr<Node> grad_fn;
  int output_nr = 0;
  // Held for the leaf's lifetime (PyTorch holds it weakly and makes one per graph): not remade for every op that
  // reads the leaf. It holds the leaf weakly, so this makes no cycle.
  std::shared_ptr<Node> grad_accumulator;
  bool retains_grad = false;
  int64_t view_version = -1;  // for views: storage version at which grad_fn was made
  // How a view was made, for PyTorch's checks on in-place writes to it (torch's CreationMeta).
  enum class Creation : uint8_t { Default, NoGradMode, MultipleOutputs };
  Creation creation = Creation::Default;
  const char* creation_fn = nullptr;  // MultipleOutputs: "Split", "Unbind", ...
  int creation_index = 0;             // MultipleOutputs: which output of creation_fn

  static void* operator new(size_t) { return pool::allocate<sizeof(AutogradMeta)>(); }
  static void operator delete(void* p) { pool::deallocate<sizeof(AutogradMeta)>(p); }
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  std::shared_ptr<TensorImpl> base;  // the root base, for views
  ViewChain chain;                   // from the root base's value to this view's
  Shape shape, strides;
  int64_t offset = 0;
  Dtype dtype = kFloat32;
  bool wrapped_number = false;  // a Python-style scalar turned into a 0-d tensor (type promotion)
  std::unique_ptr<AutogradMeta> autograd;

  mutable std::optional<mlx::core::array> cache;
  mutable int64_t cache_version = -1;

  bool is_view() const { return base != nullptr; }
  mlx::core::array value() const { return value_ref(); }
  /// The current value without copying the array handle; valid until the storage or this view changes.
  const mlx::core::array& value_ref() const;
  AutogradMeta& meta();
  bool has_meta() const { return autograd != nullptr; }
};

Shape contiguous_strides(const Shape& shape);
int64_t numel_of(const Shape& shape);
/// A fresh, non-view tensor holding `value`.
Tensor make_tensor(mlx::core::array value, Device device = default_device());
/// A view of `self` derived by `op`, with the given PyTorch stride metadata.
Tensor make_view(const Tensor& self, ViewOp op, Shape shape, Shape strides, int64_t offset);

/// Evaluates arrays whose lazy graph has grown past a bound.
void maybe_eval(Storage& s);

}  // namespace fl
