// fl::Tensor: PyTorch's mutable tensor (views, in-place ops, autograd) over immutable, lazy MLX arrays.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <mlx/array.h>

#include "fl/device.h"
#include "fl/dtype.h"
#include "fl/memory_format.h"
#include "fl/ops/inplace_list.h"

namespace fl {

using Shape = std::vector<int64_t>;
struct TensorImpl;
struct Node;
class Tensor;

/// One index of `Tensor::index`: an int, a slice, None (new axis), Ellipsis, a bool or an integer tensor.
/// A Python slice start:stop:step; nullopt start or stop is omitted (Slice{} is `:`).
struct Slice {
  std::optional<int64_t> start, stop;
  int64_t step = 1;
};
/// The type of None (a new axis of size 1 in an index).
struct NoneIndex {};
/// The type of Ellipsis (`...` in an index).
struct EllipsisIndex {};
inline constexpr NoneIndex None{};
inline constexpr EllipsisIndex Ellipsis{};

class TensorIndex;
class Generator;

/// torch.Tensor: a handle to shared tensor state (copies alias, as Python references do); a default-constructed
/// Tensor is undefined (PyTorch's None). Values are lazy MLX arrays, evaluated when read.
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}
  /// Wraps an MLX array without copying.
  static Tensor from_mlx(const mlx::core::array& a, bool requires_grad = false);

  /// Whether it holds a tensor (false for a default-constructed Tensor).
  bool defined() const { return impl_ != nullptr; }
  /// The shared implementation (identity of the tensor; internal use).
  TensorImpl* impl() const { return impl_.get(); }
  /// The owning pointer to the implementation (internal use).
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

  // --- metadata -----------------------------------------------------------------------------------
  /// The shape (torch's size()).
  const Shape& sizes() const;
  /// torch.Tensor.shape: the same as sizes().
  const Shape& shape() const { return sizes(); }
  /// The size of one dim (negative counts from the end); IndexError when out of range.
  int64_t size(int64_t dim) const;
  /// The number of dims.
  int64_t dim() const;
  /// torch's alias of dim().
  int64_t ndimension() const { return dim(); }
  /// The number of elements.
  int64_t numel() const;
  /// The element type.
  Dtype dtype() const;
  /// The device of the storage.
  Device device() const;
  /// Bytes per element.
  size_t element_size() const { return itemsize(dtype()); }
  /// Whether the dtype is a floating-point one.
  bool is_floating_point() const { return fl::is_floating_point(dtype()); }
  /// Strides in elements, as PyTorch reports them for the same sequence of view ops.
  const Shape& strides() const;
  /// torch.Tensor.stride(): strides() by value (overloads: all dims, or one dim, negative counting from the end).
  Shape stride() const { return strides(); }
  int64_t stride(int64_t dim) const;
  /// The offset into the storage in elements, as PyTorch reports it.
  int64_t storage_offset() const;
  /// Whether the strides are contiguous in memory_format (PyTorch's rule: size-1 dims do not matter).
  bool is_contiguous(MemoryFormat memory_format = MemoryFormat::Contiguous) const;
  /// An address that is equal for tensors that PyTorch would report sharing memory at the same offset.
  const void* data_ptr() const;
  /// Whether it is a view of another tensor's storage (torch's _is_view()).
  bool is_view() const;
  /// The base a view was taken from (undefined for non-views).
  Tensor _base() const;
  /// The version counter shared by a base and its views; bumped by every in-place write.
  int64_t _version() const;
  /// Whether the tensor was made in inference mode (torch's inference tensors).
  bool is_inference() const;

  // --- values -------------------------------------------------------------------------------------
  /// The current value as an MLX array (lazy; no copy).
  mlx::core::array mlx() const;
  /// Forces evaluation of the value.
  const Tensor& eval() const;
  /// torch.Tensor.item: the value of a one-element tensor, as a Scalar or converted to T (two overloads);
  /// fl::Error for other sizes.
  Scalar item() const;
  template <typename T>
  T item() const {
    return item().to<T>();
  }
  /// The elements in row-major order, converted to T.
  template <typename T>
  std::vector<T> tolist() const;
  /// As PyTorch prints it: "tensor([1., 2.])", with torch's device, dtype, grad_fn and requires_grad suffixes.
  std::string str() const;

  // --- autograd -----------------------------------------------------------------------------------
  /// Whether autograd records ops on it.
  bool requires_grad() const;
  /// Sets requires_grad (floating-point tensors only; on non-leaf tensors only turning it on); returns *this.
  Tensor& requires_grad_(bool requires_grad = true);
  /// requires_grad_ under libtorch's name.
  Tensor& set_requires_grad(bool requires_grad) { return requires_grad_(requires_grad); }
  /// torch.Tensor.grad: the accumulated gradient (undefined when none).
  const Tensor& grad() const;
  /// The gradient slot, writable (libtorch's mutable_grad()).
  Tensor& mutable_grad();
  /// `t.grad = g`: g must have t's shape and dtype, or be undefined.
  void set_grad(const Tensor& g);
  /// Whether it has no grad_fn (created by the user, or not requiring grad).
  bool is_leaf() const;
  /// The node that produced it (null for leaves and tensors without grad).
  std::shared_ptr<Node> grad_fn() const;
  /// "AddBackward0", or "" when the tensor has no grad_fn.
  std::string grad_fn_name() const;
  /// torch.Tensor.backward: autograd::backward({*this}, {gradient}, ...); gradient may be undefined for a scalar.
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false, bool create_graph = false) const;
  /// torch.Tensor.detach: the same storage and view, without autograd history.
  Tensor detach() const;
  /// torch.Tensor.detach_: drops the history in place (fl::Error on views, as torch).
  Tensor& detach_();
  /// torch.Tensor.retain_grad: a non-leaf keeps its .grad after backward.
  void retain_grad();
  /// Whether retain_grad() was called on this non-leaf.
  bool retains_grad() const;
  /// PyTorch's `.data`: shares the storage, with no autograd history.
  Tensor data() const;
  /// `t.data = other`: t takes other's values and shape (sharing its storage); t's history is untouched.
  void set_data(const Tensor& other);

  // --- conversion ---------------------------------------------------------------------------------
  /// torch.Tensor.to: converts dtype and/or moves; returns *this itself when nothing changes and copy is false
  /// (three overloads: dtype, device, or both).
  Tensor to(Dtype dtype, bool copy = false) const;
  Tensor to(const Device& device, bool copy = false) const;
  Tensor to(const Device& device, Dtype dtype, bool copy = false) const;
  /// to("cpu").
  Tensor cpu() const { return to(Device(DeviceType::CPU)); }
  /// torch's .float(): to(kFloat32) (named float_ since float is a C++ keyword).
  Tensor float_() const { return to(kFloat32); }
  /// torch's .double(): to(kFloat64).
  Tensor double_() const { return to(kFloat64); }
  /// torch's .long(): to(kInt64).
  Tensor long_() const { return to(kInt64); }
  /// torch's .int(): to(kInt32).
  Tensor int_() const { return to(kInt32); }
  /// torch's .bool(): to(kBool).
  Tensor bool_() const { return to(kBool); }
  /// torch.Tensor.half: to(kFloat16).
  Tensor half() const { return to(kFloat16); }
  /// Self if already contiguous in `memory_format`, else a copy that is.
  Tensor contiguous(MemoryFormat memory_format = MemoryFormat::Contiguous) const;
  /// A copy; preserve_format keeps a dense input's strides (see core/layout.h).
  Tensor clone(MemoryFormat memory_format = MemoryFormat::Preserve) const;

  // --- views --------------------------------------------------------------------------------------
  /// torch.Tensor.view: a view with the new shape (one -1 inferred); fl::Error when the strides do not allow it.
  Tensor view(const Shape& shape) const;
  /// torch.Tensor.reshape: a view when the strides allow it, else a copy.
  Tensor reshape(const Shape& shape) const;
  /// torch.Tensor.transpose: a view with two dims swapped.
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  /// torch.Tensor.t: transpose(0, 1) for tensors of at most 2 dims.
  Tensor t() const;
  /// torch.Tensor.permute: a view with the dims reordered.
  Tensor permute(const Shape& dims) const;
  /// torch.Tensor.select: a view of one index along dim, removing that dim.
  Tensor select(int64_t dim, int64_t index) const;
  /// torch.Tensor.narrow: a view of length entries from start along dim.
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  /// x[..., start:stop:step] along dim, as a view (Python's slice clamping).
  Tensor slice(int64_t dim, std::optional<int64_t> start, std::optional<int64_t> stop, int64_t step = 1) const;
  /// torch.Tensor.expand: a broadcast view (-1 keeps a size; new leading dims may be added).
  Tensor expand(const Shape& sizes) const;
  /// expand(other.sizes()).
  Tensor expand_as(const Tensor& other) const;
  /// torch.Tensor.unsqueeze: a view with a size-1 dim inserted at dim.
  Tensor unsqueeze(int64_t dim) const;
  /// torch.Tensor.squeeze: a view without size-1 dims (overloads: every such dim, or dim only if its size is 1).
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  /// torch.Tensor.diagonal: a view of the diagonal of dims dim1 and dim2, as the last dim.
  Tensor diagonal(int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1) const;
  /// torch.Tensor.flatten: dims start_dim..end_dim merged (reshape: a view when possible); a 0-d tensor gives 1-d.
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  /// view(other.sizes()).
  Tensor view_as(const Tensor& other) const { return view(other.sizes()); }
  /// reshape(other.sizes()).
  Tensor reshape_as(const Tensor& other) const { return reshape(other.sizes()); }
  /// torch.Tensor.mT: the last two dims swapped, as a view.
  Tensor mT() const { return transpose(-2, -1); }

  // --- indexing (x[...] in PyTorch) ---------------------------------------------------------------
  /// x[indices] with PyTorch's semantics: ints, slices, None and Ellipsis give views; tensor indices
  /// advanced indexing (a copy).
  Tensor index(const std::vector<TensorIndex>& indices) const;
  /// x[i]: select(0, i).
  Tensor operator[](int64_t i) const { return select(0, i); }
  /// torch.Tensor.index_put_ (overloads for a Tensor or a Scalar value):
  /// x[indices] = value
  Tensor& index_put_(const std::vector<TensorIndex>& indices, const Tensor& value);
  Tensor& index_put_(const std::vector<TensorIndex>& indices, const Scalar& value);

  // --- in-place -----------------------------------------------------------------------------------
  /// torch.Tensor.copy_: writes src (broadcast, cast to this dtype) into this tensor and every alias.
  Tensor& copy_(const Tensor& src);
  /// torch.Tensor.fill_: every element set to value.
  Tensor& fill_(const Scalar& value);
  /// torch.Tensor.zero_: fill_(0).
  Tensor& zero_();
  /// torch.Tensor.add_: *this += alpha * other (overloads for a Tensor or a Scalar other).
  Tensor& add_(const Tensor& other, const Scalar& alpha = 1);
  Tensor& add_(const Scalar& other, const Scalar& alpha = 1);
  /// torch.Tensor.sub_: *this -= alpha * other (overloads for a Tensor or a Scalar other).
  Tensor& sub_(const Tensor& other, const Scalar& alpha = 1);
  Tensor& sub_(const Scalar& other, const Scalar& alpha = 1);
  /// torch.Tensor.mul_: *this *= other (overloads for a Tensor or a Scalar other).
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(const Scalar& other);
  /// torch.Tensor.div_: *this /= other, true division (overloads for a Tensor or a Scalar other).
  Tensor& div_(const Tensor& other);
  Tensor& div_(const Scalar& other);
  /// torch.Tensor.pow_: *this = *this ** exponent.
  Tensor& pow_(const Scalar& exponent);
  /// torch.Tensor.clamp_: clamps in place to [min, max] (either may be nullopt).
  Tensor& clamp_(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt);
  /// torch.Tensor.neg_: negates in place.
  Tensor& neg_();
  /// torch.Tensor.exp_: exp in place.
  Tensor& exp_();
  /// torch.Tensor.sqrt_: sqrt in place.
  Tensor& sqrt_();
  /// torch.Tensor.relu_: relu in place.
  Tensor& relu_();
  /// torch.Tensor.sigmoid_: sigmoid in place.
  Tensor& sigmoid_();
  /// torch.Tensor.tanh_: tanh in place.
  Tensor& tanh_();
  /// torch.Tensor.addcmul_: *this += value * t1 * t2.
  Tensor& addcmul_(const Tensor& t1, const Tensor& t2, const Scalar& value = 1);
  /// torch.Tensor.addcdiv_: *this += value * t1 / t2.
  Tensor& addcdiv_(const Tensor& t1, const Tensor& t2, const Scalar& value = 1);
  /// torch.Tensor.lerp_: *this += weight * (end - *this).
  Tensor& lerp_(const Tensor& end, const Scalar& weight);
  /// torch.Tensor.masked_fill_: value where mask is true.
  Tensor& masked_fill_(const Tensor& mask, const Scalar& value);
  /// torch.Tensor.uniform_: U(from, to) draws from the default generator.
  Tensor& uniform_(double from = 0, double to = 1);
  /// torch.Tensor.normal_: N(mean, std^2) draws from the default generator.
  Tensor& normal_(double mean = 0, double std = 1);
  // The in-place forms of unary and binary ops listed in fl/ops/inplace_list.h (abs_, sin_, atan2_, eq_, ...).
#define FL_DECLARE_INPLACE_UNARY(method, fn) Tensor& method##_();
#define FL_DECLARE_INPLACE_TENSOR(method, fn) Tensor& method##_(const Tensor& other);
#define FL_DECLARE_INPLACE_BINARY(method, fn) \
  FL_DECLARE_INPLACE_TENSOR(method, fn)       \
  Tensor& method##_(const Scalar& other);
  FL_INPLACE_UNARY_OPS(FL_DECLARE_INPLACE_UNARY)
  FL_INPLACE_BINARY_OPS(FL_DECLARE_INPLACE_BINARY)
  FL_INPLACE_BINARY_TENSOR_OPS(FL_DECLARE_INPLACE_TENSOR)
#undef FL_DECLARE_INPLACE_UNARY
#undef FL_DECLARE_INPLACE_TENSOR
#undef FL_DECLARE_INPLACE_BINARY
  /// torch.Tensor.round_: round half to even, at `decimals` decimal places.
  Tensor& round_(int64_t decimals = 0);
  /// torch.Tensor.logit_: log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given.
  Tensor& logit_(std::optional<double> eps = std::nullopt);
  /// torch.Tensor.nan_to_num_: NaN, +inf and -inf replaced (defaults: 0 and the dtype's largest/lowest).
  Tensor& nan_to_num_(std::optional<double> nan = std::nullopt, std::optional<double> posinf = std::nullopt,
                      std::optional<double> neginf = std::nullopt);
  /// torch.Tensor.clamp_min_: max(*this, min).
  Tensor& clamp_min_(const Scalar& min);
  /// torch.Tensor.clamp_max_: min(*this, max).
  Tensor& clamp_max_(const Scalar& max);
  /// torch.Tensor.clip_: alias of clamp_.
  Tensor& clip_(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt);
  /// torch.Tensor.float_power_ (overloads: tensor or scalar exponent); needs a float64 self, as PyTorch's (the
  /// op computes in double).
  Tensor& float_power_(const Tensor& exponent);
  Tensor& float_power_(const Scalar& exponent);
  /// torch.Tensor.fill_diagonal_: the main diagonal set to fill_value; `wrap` restarts it down a tall matrix.
  Tensor& fill_diagonal_(const Scalar& fill_value, bool wrap = false);
  /// torch.Tensor.exponential_: Exp(lambd) draws.
  Tensor& exponential_(double lambd = 1, Generator* generator = nullptr);
  /// torch.Tensor.cauchy_: Cauchy(median, sigma) draws.
  Tensor& cauchy_(double median = 0, double sigma = 1, Generator* generator = nullptr);
  /// torch.Tensor.log_normal_: exp(N(mean, std^2)) draws.
  Tensor& log_normal_(double mean = 1, double std = 2, Generator* generator = nullptr);
  /// torch.Tensor.geometric_: the number of Bernoulli(p) trials to the first success (1, 2, ...).
  Tensor& geometric_(double p, Generator* generator = nullptr);
  // In-place view ops: they change this tensor's own shape and strides (a view stays a view of its base).
  /// torch.Tensor.squeeze_ (overloads: every size-1 dim, or one dim).
  Tensor& squeeze_();
  Tensor& squeeze_(int64_t dim);
  /// torch.Tensor.unsqueeze_: a size-1 dim inserted at dim.
  Tensor& unsqueeze_(int64_t dim);
  /// torch.Tensor.t_: transpose of a tensor of at most 2 dims.
  Tensor& t_();
  /// torch.Tensor.transpose_: dims dim0 and dim1 swapped.
  Tensor& transpose_(int64_t dim0, int64_t dim1);
  /// torch.Tensor.swapaxes_: alias of transpose_.
  Tensor& swapaxes_(int64_t dim0, int64_t dim1) { return transpose_(dim0, dim1); }
  /// torch.Tensor.swapdims_: alias of transpose_.
  Tensor& swapdims_(int64_t dim0, int64_t dim1) { return transpose_(dim0, dim1); }

  // --- methods: each forwards to the function of the same name, defined beside it in src/ops/<family>.cpp ---
  // unary (src/ops/unary.cpp)
  /// fl::abs(*this).
  Tensor abs() const;
  /// fl::neg(*this).
  Tensor neg() const;
  /// fl::exp(*this).
  Tensor exp() const;
  /// fl::log(*this).
  Tensor log() const;
  /// fl::log1p(*this).
  Tensor log1p() const;
  /// fl::sqrt(*this).
  Tensor sqrt() const;
  /// fl::rsqrt(*this).
  Tensor rsqrt() const;
  /// fl::sin(*this).
  Tensor sin() const;
  /// fl::cos(*this).
  Tensor cos() const;
  /// fl::tanh(*this).
  Tensor tanh() const;
  /// fl::sigmoid(*this).
  Tensor sigmoid() const;
  /// fl::relu(*this).
  Tensor relu() const;
  /// fl::sign(*this).
  Tensor sign() const;
  /// fl::square(*this).
  Tensor square() const;
  /// fl::floor(*this).
  Tensor floor() const;
  /// fl::ceil(*this).
  Tensor ceil() const;
  /// fl::round(*this).
  Tensor round() const;
  /// fl::reciprocal(*this).
  Tensor reciprocal() const;
  /// fl::logical_not(*this).
  Tensor logical_not() const;
  /// fl::isnan(*this).
  Tensor isnan() const;
  // binary (src/ops/binary.cpp)
  /// fl::add(*this, other, alpha).
  Tensor add(const Tensor& other, const Scalar& alpha = 1) const;
  /// fl::sub(*this, other, alpha).
  Tensor sub(const Tensor& other, const Scalar& alpha = 1) const;
  /// fl::mul(*this, other).
  Tensor mul(const Tensor& other) const;
  /// fl::div(*this, other).
  Tensor div(const Tensor& other) const;
  /// fl::pow(*this, exponent) (overloads for a Scalar or a Tensor exponent).
  Tensor pow(const Scalar& exponent) const;
  Tensor pow(const Tensor& exponent) const;
  /// fl::maximum(*this, other).
  Tensor maximum(const Tensor& other) const;
  /// fl::minimum(*this, other).
  Tensor minimum(const Tensor& other) const;
  /// fl::eq(*this, other).
  Tensor eq(const Tensor& other) const;
  /// fl::ne(*this, other).
  Tensor ne(const Tensor& other) const;
  /// fl::lt(*this, other).
  Tensor lt(const Tensor& other) const;
  /// fl::gt(*this, other).
  Tensor gt(const Tensor& other) const;
  /// fl::clamp(*this, min, max).
  Tensor clamp(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  /// fl::lerp(*this, end, weight).
  Tensor lerp(const Tensor& end, const Scalar& weight) const;
  /// fl::allclose(*this, other, rtol, atol).
  bool allclose(const Tensor& other, double rtol = 1e-5, double atol = 1e-8) const;
  /// fl::equal(*this, other).
  bool equal(const Tensor& other) const;
  // reduction (src/ops/reduction.cpp)
  /// fl::sum(*this, dims, keepdim).
  Tensor sum(const Shape& dims = {}, bool keepdim = false) const;
  /// fl::mean(*this, dims, keepdim).
  Tensor mean(const Shape& dims = {}, bool keepdim = false) const;
  /// fl::prod(*this).
  Tensor prod() const;
  /// fl::max(*this).
  Tensor max() const;
  /// fl::min(*this).
  Tensor min() const;
  /// fl::amax(*this, dims, keepdim).
  Tensor amax(const Shape& dims = {}, bool keepdim = false) const;
  /// fl::amin(*this, dims, keepdim).
  Tensor amin(const Shape& dims = {}, bool keepdim = false) const;
  /// fl::argmax(*this, dim, keepdim).
  Tensor argmax(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  /// fl::argmin(*this, dim, keepdim).
  Tensor argmin(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  /// fl::var(*this, dims, correction, keepdim).
  Tensor var(const Shape& dims = {}, double correction = 1, bool keepdim = false) const;
  /// fl::std(*this, dims, correction, keepdim).
  Tensor std(const Shape& dims = {}, double correction = 1, bool keepdim = false) const;
  /// fl::norm(*this, p).
  Tensor norm(double p = 2.0) const;
  /// fl::logsumexp(*this, dims, keepdim).
  Tensor logsumexp(const Shape& dims, bool keepdim = false) const;
  /// fl::all(*this).
  Tensor all() const;
  /// fl::any(*this).
  Tensor any() const;
  /// fl::cumsum(*this, dim).
  Tensor cumsum(int64_t dim) const;
  /// fl::softmax(*this, dim).
  Tensor softmax(int64_t dim) const;
  /// fl::log_softmax(*this, dim).
  Tensor log_softmax(int64_t dim) const;
  // linalg (src/ops/linalg.cpp)
  /// fl::matmul(*this, other).
  Tensor matmul(const Tensor& other) const;
  /// fl::mm(*this, other).
  Tensor mm(const Tensor& other) const;
  /// fl::bmm(*this, other).
  Tensor bmm(const Tensor& other) const;
  /// fl::mv(*this, v).
  Tensor mv(const Tensor& v) const;
  /// fl::dot(*this, other).
  Tensor dot(const Tensor& other) const;
  // shape (src/ops/shape.cpp)
  /// fl::repeat(*this, repeats).
  Tensor repeat(const Shape& repeats) const;
  /// fl::flip(*this, dims).
  Tensor flip(const Shape& dims) const;
  /// fl::roll(*this, shifts, dims).
  Tensor roll(const Shape& shifts, const Shape& dims = {}) const;
  /// fl::tril(*this, diagonal).
  Tensor tril(int64_t diagonal = 0) const;
  /// fl::triu(*this, diagonal).
  Tensor triu(int64_t diagonal = 0) const;
  /// fl::split(*this, split_size, dim).
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;
  /// fl::chunk(*this, chunks, dim).
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;
  /// fl::unbind(*this, dim).
  std::vector<Tensor> unbind(int64_t dim = 0) const;
  // indexing (src/ops/indexing.cpp)
  /// fl::index_select(*this, dim, index).
  Tensor index_select(int64_t dim, const Tensor& index) const;
  /// fl::gather(*this, dim, index).
  Tensor gather(int64_t dim, const Tensor& index) const;
  /// fl::scatter(*this, dim, index, src).
  Tensor scatter(int64_t dim, const Tensor& index, const Tensor& src) const;
  /// fl::scatter_add(*this, dim, index, src).
  Tensor scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const;
  /// fl::masked_fill(*this, mask, value).
  Tensor masked_fill(const Tensor& mask, const Scalar& value) const;
  /// fl::masked_select(*this, mask).
  Tensor masked_select(const Tensor& mask) const;
  /// fl::nonzero(*this).
  Tensor nonzero() const;

  // --- PyTorch's helpers --------------------------------------------------------------------------
  /// torch.Tensor.type_as: to(other.dtype()).
  Tensor type_as(const Tensor& other) const { return to(other.dtype()); }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

/// One element of an index list: int, Slice, None, Ellipsis, bool or integer Tensor.
class TensorIndex {
 public:
  /// What the index holds.
  enum class Kind { Int, Slice, None, Ellipsis, Bool, Tensor };
  TensorIndex(int64_t i) : kind_(Kind::Int), int_(i) {}
  TensorIndex(int i) : kind_(Kind::Int), int_(i) {}
  TensorIndex(fl::Slice s) : kind_(Kind::Slice), slice_(s) {}
  TensorIndex(NoneIndex) : kind_(Kind::None) {}
  TensorIndex(EllipsisIndex) : kind_(Kind::Ellipsis) {}
  TensorIndex(bool b) : kind_(Kind::Bool), int_(b) {}
  TensorIndex(const fl::Tensor& t) : kind_(Kind::Tensor), tensor_(t) {}
  /// What the index holds.
  Kind kind() const { return kind_; }
  /// The int (Kind::Int), or the bool as 0/1 (Kind::Bool).
  int64_t integer() const { return int_; }
  /// The slice (Kind::Slice).
  const fl::Slice& slice() const { return slice_; }
  /// The index tensor (Kind::Tensor).
  const fl::Tensor& tensor() const { return tensor_; }

 private:
  Kind kind_;
  int64_t int_ = 0;
  fl::Slice slice_;
  fl::Tensor tensor_;
};

/// Prints t.str().
std::ostream& operator<<(std::ostream& os, const Tensor& t);

}  // namespace fl
