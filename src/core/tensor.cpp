// fl::Tensor: metadata, values, autograd accessors and conversions. Views live in ops/views.cpp.
#include "fl/tensor.h"

#include <mlx/ops.h>
#include <mlx/transforms.h>

#include "core/autograd_impl.h"
#include "core/layout.h"
#include "core/tensor_impl.h"
#include "fl/autograd.h"
#include "ops/op_utils.h"

namespace fl {
namespace mx = mlx::core;

Tensor Tensor::from_mlx(const mx::array& a, bool requires_grad) {
  Tensor t = make_tensor(a);
  if (requires_grad) t.requires_grad_(true);
  return t;
}

namespace {
TensorImpl& checked(const std::shared_ptr<TensorImpl>& p) {
  FL_CHECK(p, "undefined tensor: this Tensor holds no value");
  return *p;
}
}  // namespace

const Shape& Tensor::sizes() const { return checked(impl_).shape; }
int64_t Tensor::size(int64_t d) const { return sizes()[wrap_dim(d, dim())]; }
int64_t Tensor::dim() const { return static_cast<int64_t>(sizes().size()); }
int64_t Tensor::numel() const { return numel_of(sizes()); }
Dtype Tensor::dtype() const { return checked(impl_).dtype; }
Device Tensor::device() const { return checked(impl_).storage->device; }
const Shape& Tensor::strides() const { return checked(impl_).strides; }
int64_t Tensor::stride(int64_t d) const { return strides()[wrap_dim(d, dim())]; }
int64_t Tensor::storage_offset() const { return checked(impl_).offset; }
bool Tensor::is_view() const { return checked(impl_).is_view(); }
Tensor Tensor::_base() const { return Tensor(checked(impl_).base); }
int64_t Tensor::_version() const { return checked(impl_).storage->version; }
bool Tensor::is_inference() const { return checked(impl_).storage->inference; }

bool Tensor::is_contiguous(MemoryFormat memory_format) const {
  return contiguous_in(sizes(), strides(), memory_format);
}

const void* Tensor::data_ptr() const {
  auto& impl = checked(impl_);
  if (numel() == 0) return nullptr;  // PyTorch's data_ptr of an empty tensor, views included
  return reinterpret_cast<const char*>(impl.storage.get()) + impl.offset * static_cast<int64_t>(itemsize(impl.dtype));
}

mx::array Tensor::mlx() const { return checked(impl_).value(); }

const Tensor& Tensor::eval() const {
  mx::array v = mlx();
  mx::eval(v);
  return *this;
}

Scalar Tensor::item() const {
  FL_CHECK(numel() == 1, "a Tensor with ", numel(), " elements cannot be converted to Scalar");
  // An evaluated value is read in place; anything else costs an evaluation.
  mx::array v = mlx();
  if (!v.is_available() || v.dtype() != to_mlx(dtype())) {
    v = mx::reshape(v, {});
    mx::eval(v);
  }
  return dispatch_dtype(dtype(), [&]<typename T>() -> Scalar {
    T x = v.item<T>();
    if constexpr (std::is_same_v<T, bool>) return Scalar(x);
    else if constexpr (std::is_integral_v<T>) return Scalar(static_cast<int64_t>(x));
    else return Scalar(static_cast<double>(x));
  });
}

template <typename T>
std::vector<T> Tensor::tolist() const {
  mx::array v = mlx();
  if (!v.is_available() || !v.flags().row_contiguous || v.dtype() != to_mlx(dtype())) {
    v = mx::contiguous(mx::flatten(v));
    mx::eval(v);
  }
  std::vector<T> out(v.size());
  dispatch_dtype(dtype(), [&]<typename U>() {
    const U* p = v.data<U>();
    for (size_t i = 0; i < out.size(); ++i) {
      if constexpr (std::is_same_v<T, bool>) out[i] = static_cast<double>(p[i]) != 0;
      else out[i] = static_cast<T>(static_cast<std::conditional_t<std::is_integral_v<U>, U, double>>(p[i]));
    }
  });
  return out;
}
template std::vector<float> Tensor::tolist<float>() const;
template std::vector<double> Tensor::tolist<double>() const;
template std::vector<int64_t> Tensor::tolist<int64_t>() const;
template std::vector<int32_t> Tensor::tolist<int32_t>() const;
template std::vector<int16_t> Tensor::tolist<int16_t>() const;
template std::vector<int8_t> Tensor::tolist<int8_t>() const;
template std::vector<uint8_t> Tensor::tolist<uint8_t>() const;
template std::vector<bool> Tensor::tolist<bool>() const;

// --- autograd accessors -----------------------------------------------------------------------------------

bool Tensor::requires_grad() const { return tensor_requires_grad(&checked(impl_)); }

Tensor& Tensor::requires_grad_(bool requires_grad) {
  auto& impl = checked(impl_);
  if (!requires_grad && impl.autograd && impl.autograd->grad_fn)
    throw Error(
        "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a "
        "subgraph that doesn't require differentiation use var_no_grad = var.detach().");
  FL_CHECK(!requires_grad || fl::is_floating_point(impl.dtype),
           "only Tensors of floating point and complex dtype can require gradients");
  impl.meta().requires_grad = requires_grad;
  return *this;
}

const Tensor& Tensor::grad() const {
  static const Tensor undefined;
  auto& impl = checked(impl_);
  return impl.autograd ? impl.autograd->grad : undefined;
}
Tensor& Tensor::mutable_grad() { return checked(impl_).meta().grad; }
void Tensor::set_grad(const Tensor& g) {
  if (g.defined()) {
    FL_CHECK(g.sizes() == sizes(), "assigned grad has data of a different size");
    FL_CHECK(g.dtype() == dtype(), "assigned grad has data of a different type");
  }
  checked(impl_).meta().grad = g;
}

bool Tensor::is_leaf() const { return grad_fn() == nullptr; }

std::shared_ptr<Node> Tensor::grad_fn() const {
  auto& impl = checked(impl_);
  if (!tensor_requires_grad(&impl)) return nullptr;
  return impl.autograd->grad_fn;
}

std::string Tensor::grad_fn_name() const {
  auto fn = grad_fn();
  return fn ? fn->name() : "";
}

void Tensor::backward(const Tensor& gradient, bool retain_graph, bool create_graph) const {
  autograd::backward({*this}, {gradient}, retain_graph, create_graph);
}

Tensor Tensor::detach() const {
  auto& src = checked(impl_);
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = src.storage;
  impl->chain = src.chain;
  impl->shape = src.shape;
  impl->strides = src.strides;
  impl->offset = src.offset;
  impl->dtype = src.dtype;
  return Tensor(std::move(impl));
}

Tensor& Tensor::detach_() {
  auto& impl = checked(impl_);
  FL_CHECK(!impl.is_view(), "Can't detach views in-place. Use detach() instead.");
  impl.autograd.reset();
  return *this;
}

Tensor Tensor::data() const { return detach(); }

void Tensor::set_data(const Tensor& other) {
  auto& impl = checked(impl_);
  const TensorImpl& src = checked(other.impl_ptr());
  impl.storage = src.storage;
  impl.chain = src.chain;
  impl.shape = src.shape;
  impl.strides = src.strides;
  impl.offset = src.offset;
  impl.dtype = src.dtype;
  impl.base.reset();
  impl.cache.reset();
}

void Tensor::retain_grad() {
  auto fn = grad_fn();
  if (!fn) {
    FL_CHECK(requires_grad(), "can't retain_grad on Tensor that has requires_grad=False");
    return;
  }
  auto& m = impl_->meta();
  m.retains_grad = true;
  if (auto* f = dynamic_cast<BackwardNode*>(fn.get())) f->retained[m.output_nr] = impl_;
}

bool Tensor::retains_grad() const { return impl_ && impl_->autograd && impl_->autograd->retains_grad; }

// --- conversion -------------------------------------------------------------------------------------------

Tensor Tensor::to(Dtype d, bool copy) const {
  if (d == dtype() && !copy) return *this;
  return with_copy_strides(
      apply1("ToCopyBackward0", fn1([d](const Arrays& in) { return mx::astype(in[0], to_mlx(d)); }), {*this}), *this);
}

Tensor Tensor::to(const Device& device, bool copy) const {
  device.check_available();
  if (device == this->device() && !copy) return *this;
  Tensor r = with_copy_strides(
      apply1("ToCopyBackward0", fn1([](const Arrays& in) { return mx::copy(in[0]); }), {*this}), *this);
  r.impl()->storage->device = device.index() < 0 && !device.is_cpu() ? Device(device.type(), 0) : device;
  return r;
}

Tensor Tensor::to(const Device& device, Dtype d, bool copy) const {
  return to(device, copy).to(d, false);
}

Tensor Tensor::contiguous(MemoryFormat memory_format) const {
  if (is_contiguous(memory_format)) return *this;
  FL_CHECK(memory_format != MemoryFormat::Preserve, "preserve memory format is unsupported by the contiguous operator");
  return clone(memory_format);
}

Tensor Tensor::clone(MemoryFormat memory_format) const {
  return with_copy_strides(apply1("CloneBackward0", fn1([](const Arrays& in) { return mx::copy(in[0]); }), {*this}),
                           *this, memory_format);
}

}  // namespace fl
