#include "core/tensor_impl.h"

#include <mlx/ops.h>
#include <mlx/transforms.h>

#include "core/thread_stream.h"
#include "fl/autograd.h"

namespace fl {
namespace mx = mlx::core;

namespace {
// Past this many unevaluated ops on one storage, evaluate: the lazy graph must not grow without bound.
constexpr int kMaxLazyDepth = 256;
}

const mx::array& TensorImpl::value_ref() const {
  detail::adopt_shared_stream();
  if (chain.empty()) return storage->value;
  if (cache && cache_version == storage->version) return *cache;
  cache = apply_chain(chain, storage->value);
  cache_version = storage->version;
  return *cache;
}

AutogradMeta& TensorImpl::meta() {
  if (!autograd) autograd = std::make_unique<AutogradMeta>();
  return *autograd;
}

Shape contiguous_strides(const Shape& shape) {
  Shape s(shape.size());
  int64_t acc = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    s[i] = acc;
    acc *= std::max<int64_t>(shape[i], 1);
  }
  return s;
}

int64_t numel_of(const Shape& shape) {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

Tensor make_tensor(mx::array value, Device device) {
  auto impl = pool::make_shared<TensorImpl>();
  impl->shape = Shape(value.shape().begin(), value.shape().end());
  impl->strides = contiguous_strides(impl->shape);
  impl->dtype = from_mlx(value.dtype());
  if (value.dtype() != to_mlx(impl->dtype)) value = mx::astype(value, to_mlx(impl->dtype));
  impl->storage = pool::make_shared<Storage>(std::move(value), device);
  impl->storage->inference = is_inference_mode_enabled();
  return Tensor(std::move(impl));
}

Tensor make_view(const Tensor& self, ViewOp op, Shape shape, Shape strides, int64_t offset) {
  auto* src = self.impl();
  auto impl = pool::make_shared<TensorImpl>();
  impl->storage = src->storage;
  impl->base = src->is_view() ? src->base : self.impl_ptr();
  impl->chain = src->chain;
  impl->chain.push_back(std::move(op));
  impl->shape = std::move(shape);
  impl->strides = std::move(strides);
  impl->offset = offset;
  impl->dtype = src->dtype;
  return Tensor(std::move(impl));
}

void maybe_eval(Storage& s) {
  if (s.depth < kMaxLazyDepth) return;
  mx::eval(s.value);
  s.depth = 0;
}

}  // namespace fl
