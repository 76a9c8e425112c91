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
struct Slice {
  std::optional<int64_t> start, stop;
  int64_t step = 1;
};
struct NoneIndex {};
struct EllipsisIndex {};
inline constexpr NoneIndex None{};
inline constexpr EllipsisIndex Ellipsis{};

class TensorIndex;
class Generator;

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}
  /// Wraps an MLX array without copying.
  static Tensor from_mlx(const mlx::core::array& a, bool requires_grad = false);

  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

  // --- metadata -----------------------------------------------------------------------------------
  const Shape& sizes() const;
  const Shape& shape() const { return sizes(); }
  int64_t size(int64_t dim) const;
  int64_t dim() const;
  int64_t ndimension() const { return dim(); }
  int64_t numel() const;
  Dtype dtype() const;
  Device device() const;
  size_t element_size() const { return itemsize(dtype()); }
  bool is_floating_point() const { return fl::is_floating_point(dtype()); }
  /// Strides in elements, as PyTorch reports them for the same sequence of view ops.
  const Shape& strides() const;
  Shape stride() const { return strides(); }
  int64_t stride(int64_t dim) const;
  int64_t storage_offset() const;
  bool is_contiguous(MemoryFormat memory_format = MemoryFormat::Contiguous) const;
  /// An address that is equal for tensors that PyTorch would report sharing memory at the same offset.
  const void* data_ptr() const;
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
  Scalar item() const;
  template <typename T>
  T item() const {
    return item().to<T>();
  }
  /// The elements in row-major order, converted to T.
  template <typename T>
  std::vector<T> tolist() const;
  std::string str() const;

  // --- autograd -----------------------------------------------------------------------------------
  bool requires_grad() const;
  Tensor& requires_grad_(bool requires_grad = true);
  Tensor& set_requires_grad(bool requires_grad) { return requires_grad_(requires_grad); }
  const Tensor& grad() const;
  Tensor& mutable_grad();
  void set_grad(const Tensor& g);
  bool is_leaf() const;
  std::shared_ptr<Node> grad_fn() const;
  /// "AddBackward0", or "" when the tensor has no grad_fn.
  std::string grad_fn_name() const;
  void backward(const Tensor& gradient = Tensor(), bool retain_graph = false, bool create_graph = false) const;
  Tensor detach() const;
  Tensor& detach_();
  void retain_grad();
  bool retains_grad() const;
  /// PyTorch's `.data`: shares the storage, with no autograd history.
  Tensor data() const;
  /// `t.data = other`: t takes other's values and shape (sharing its storage); t's history is untouched.
  void set_data(const Tensor& other);

  // --- conversion ---------------------------------------------------------------------------------
  Tensor to(Dtype dtype, bool copy = false) const;
  Tensor to(const Device& device, bool copy = false) const;
  Tensor to(const Device& device, Dtype dtype, bool copy = false) const;
  Tensor cpu() const { return to(Device(DeviceType::CPU)); }
  Tensor float_() const { return to(kFloat32); }
  Tensor double_() const { return to(kFloat64); }
  Tensor long_() const { return to(kInt64); }
  Tensor int_() const { return to(kInt32); }
  Tensor bool_() const { return to(kBool); }
  Tensor half() const { return to(kFloat16); }
  /// Self if already contiguous in `memory_format`, else a copy that is.
  Tensor contiguous(MemoryFormat memory_format = MemoryFormat::Contiguous) const;
  /// A copy; preserve_format keeps a dense input's strides (see core/layout.h).
  Tensor clone(MemoryFormat memory_format = MemoryFormat::Preserve) const;

  // --- views --------------------------------------------------------------------------------------
  Tensor view(const Shape& shape) const;
  Tensor reshape(const Shape& shape) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const;
  Tensor permute(const Shape& dims) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor slice(int64_t dim, std::optional<int64_t> start, std::optional<int64_t> stop, int64_t step = 1) const;
  Tensor expand(const Shape& sizes) const;
  Tensor expand_as(const Tensor& other) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor diagonal(int64_t offset = 0, int64_t dim1 = 0, int64_t dim2 = 1) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor view_as(const Tensor& other) const { return view(other.sizes()); }
  Tensor reshape_as(const Tensor& other) const { return reshape(other.sizes()); }
  Tensor mT() const { return transpose(-2, -1); }

  // --- indexing (x[...] in PyTorch) ---------------------------------------------------------------
  Tensor index(const std::vector<TensorIndex>& indices) const;
  Tensor operator[](int64_t i) const { return select(0, i); }
  /// x[indices] = value
  Tensor& index_put_(const std::vector<TensorIndex>& indices, const Tensor& value);
  Tensor& index_put_(const std::vector<TensorIndex>& indices, const Scalar& value);

  // --- in-place -----------------------------------------------------------------------------------
  Tensor& copy_(const Tensor& src);
  Tensor& fill_(const Scalar& value);
  Tensor& zero_();
  Tensor& add_(const Tensor& other, const Scalar& alpha = 1);
  Tensor& add_(const Scalar& other, const Scalar& alpha = 1);
  Tensor& sub_(const Tensor& other, const Scalar& alpha = 1);
  Tensor& sub_(const Scalar& other, const Scalar& alpha = 1);
  Tensor& mul_(const Tensor& other);
  Tensor& mul_(const Scalar& other);
  Tensor& div_(const Tensor& other);
  Tensor& div_(const Scalar& other);
  Tensor& pow_(const Scalar& exponent);
  Tensor& clamp_(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt);
  Tensor& neg_();
  Tensor& exp_();
  Tensor& sqrt_();
  Tensor& relu_();
  Tensor& sigmoid_();
  Tensor& tanh_();
  Tensor& addcmul_(const Tensor& t1, const Tensor& t2, const Scalar& value = 1);
  Tensor& addcdiv_(const Tensor& t1, const Tensor& t2, const Scalar& value = 1);
  Tensor& lerp_(const Tensor& end, const Scalar& weight);
  Tensor& masked_fill_(const Tensor& mask, const Scalar& value);
  Tensor& uniform_(double from = 0, double to = 1);
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
  Tensor& round_(int64_t decimals = 0);
  Tensor& logit_(std::optional<double> eps = std::nullopt);
  Tensor& nan_to_num_(std::optional<double> nan = std::nullopt, std::optional<double> posinf = std::nullopt,
                      std::optional<double> neginf = std::nullopt);
  Tensor& clamp_min_(const Scalar& min);
  Tensor& clamp_max_(const Scalar& max);
  Tensor& clip_(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt);
  /// Needs a float64 self, as PyTorch's (the op computes in double).
  Tensor& float_power_(const Tensor& exponent);
  Tensor& float_power_(const Scalar& exponent);
  Tensor& fill_diagonal_(const Scalar& fill_value, bool wrap = false);
  Tensor& exponential_(double lambd = 1, Generator* generator = nullptr);
  Tensor& cauchy_(double median = 0, double sigma = 1, Generator* generator = nullptr);
  Tensor& log_normal_(double mean = 1, double std = 2, Generator* generator = nullptr);
  Tensor& geometric_(double p, Generator* generator = nullptr);
  // In-place view ops: they change this tensor's own shape and strides (a view stays a view of its base).
  Tensor& squeeze_();
  Tensor& squeeze_(int64_t dim);
  Tensor& unsqueeze_(int64_t dim);
  Tensor& t_();
  Tensor& transpose_(int64_t dim0, int64_t dim1);
  Tensor& swapaxes_(int64_t dim0, int64_t dim1) { return transpose_(dim0, dim1); }
  Tensor& swapdims_(int64_t dim0, int64_t dim1) { return transpose_(dim0, dim1); }

  // --- methods: each forwards to the function of the same name, defined beside it in src/ops/<family>.cpp ---
  // unary (src/ops/unary.cpp)
  Tensor abs() const;
  Tensor neg() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor log1p() const;
  Tensor sqrt() const;
  Tensor rsqrt() const;
  Tensor sin() const;
  Tensor cos() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor sign() const;
  Tensor square() const;
  Tensor floor() const;
  Tensor ceil() const;
  Tensor round() const;
  Tensor reciprocal() const;
  Tensor logical_not() const;
  Tensor isnan() const;
  // binary (src/ops/binary.cpp)
  Tensor add(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor sub(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor mul(const Tensor& other) const;
  Tensor div(const Tensor& other) const;
  Tensor pow(const Scalar& exponent) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor maximum(const Tensor& other) const;
  Tensor minimum(const Tensor& other) const;
  Tensor eq(const Tensor& other) const;
  Tensor ne(const Tensor& other) const;
  Tensor lt(const Tensor& other) const;
  Tensor gt(const Tensor& other) const;
  Tensor clamp(std::optional<Scalar> min, std::optional<Scalar> max = std::nullopt) const;
  Tensor lerp(const Tensor& end, const Scalar& weight) const;
  bool allclose(const Tensor& other, double rtol = 1e-5, double atol = 1e-8) const;
  bool equal(const Tensor& other) const;
  // reduction (src/ops/reduction.cpp)
  Tensor sum(const Shape& dims = {}, bool keepdim = false) const;
  Tensor mean(const Shape& dims = {}, bool keepdim = false) const;
  Tensor prod() const;
  Tensor max() const;
  Tensor min() const;
  Tensor amax(const Shape& dims = {}, bool keepdim = false) const;
  Tensor amin(const Shape& dims = {}, bool keepdim = false) const;
  Tensor argmax(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor argmin(std::optional<int64_t> dim = std::nullopt, bool keepdim = false) const;
  Tensor var(const Shape& dims = {}, double correction = 1, bool keepdim = false) const;
  Tensor std(const Shape& dims = {}, double correction = 1, bool keepdim = false) const;
  Tensor norm(double p = 2.0) const;
  Tensor logsumexp(const Shape& dims, bool keepdim = false) const;
  Tensor all() const;
  Tensor any() const;
  Tensor cumsum(int64_t dim) const;
  Tensor softmax(int64_t dim) const;
  Tensor log_softmax(int64_t dim) const;
  // linalg (src/ops/linalg.cpp)
  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& other) const;
  Tensor bmm(const Tensor& other) const;
  Tensor mv(const Tensor& v) const;
  Tensor dot(const Tensor& other) const;
  // shape (src/ops/shape.cpp)
  Tensor repeat(const Shape& repeats) const;
  Tensor flip(const Shape& dims) const;
  Tensor roll(const Shape& shifts, const Shape& dims = {}) const;
  Tensor tril(int64_t diagonal = 0) const;
  Tensor triu(int64_t diagonal = 0) const;
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;
  std::vector<Tensor> unbind(int64_t dim = 0) const;
  // indexing (src/ops/indexing.cpp)
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor gather(int64_t dim, const Tensor& index) const;
  Tensor scatter(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor masked_fill(const Tensor& mask, const Scalar& value) const;
  Tensor masked_select(const Tensor& mask) const;
  Tensor nonzero() const;

  // --- PyTorch's helpers --------------------------------------------------------------------------
  Tensor type_as(const Tensor& other) const { return to(other.dtype()); }

 private:
  std::shared_ptr<TensorImpl> impl_;
};

/// One element of an index list: int, Slice, None, Ellipsis, bool or integer Tensor.
class TensorIndex {
 public:
  enum class Kind { Int, Slice, None, Ellipsis, Bool, Tensor };
  TensorIndex(int64_t i) : kind_(Kind::Int), int_(i) {}
  TensorIndex(int i) : kind_(Kind::Int), int_(i) {}
  TensorIndex(fl::Slice s) : kind_(Kind::Slice), slice_(s) {}
  TensorIndex(NoneIndex) : kind_(Kind::None) {}
  TensorIndex(EllipsisIndex) : kind_(Kind::Ellipsis) {}
  TensorIndex(bool b) : kind_(Kind::Bool), int_(b) {}
  TensorIndex(const fl::Tensor& t) : kind_(Kind::Tensor), tensor_(t) {}
  Kind kind() const { return kind_; }
  int64_t integer() const { return int_; }
  const fl::Slice& slice() const { return slice_; }
  const fl::Tensor& tensor() const { return tensor_; }

 private:
  Kind kind_;
  int64_t int_ = 0;
  fl::Slice slice_;
  fl::Tensor tensor_;
};

std::ostream& operator<<(std::ostream& os, const Tensor& t);

}  // namespace fl
