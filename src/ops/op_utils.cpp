#include "ops/op_utils.h"

#include <algorithm>
#include <type_traits>

namespace fl {

int64_t wrap_dim(int64_t dim, int64_t ndim) {
  int64_t n = std::max<int64_t>(ndim, 1);  // 0-d tensors accept dims -1 and 0, as in PyTorch
  FL_CHECK_INDEX(dim >= -n && dim < n, "Dimension out of range (expected to be in range of [", -n, ", ", n - 1,
                 "], but got ", dim, ")");
  return dim < 0 ? dim + n : dim;
}

std::vector<int> wrap_dims(const Shape& dims, int64_t ndim) {
  std::vector<int> r;
  if (dims.empty()) {
    for (int64_t i = 0; i < ndim; ++i) r.push_back(static_cast<int>(i));
    return r;
  }
  for (auto d : dims) {
    int w = static_cast<int>(wrap_dim(d, ndim));
    FL_CHECK(std::find(r.begin(), r.end(), w) == r.end(), "dim ", w, " appears multiple times in the list of dims");
    if (ndim > 0) r.push_back(w);
  }
  std::sort(r.begin(), r.end());
  return r;
}

std::string shape_to_string(const Shape& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

namespace {
// Calls f(i, size) for each dim of the broadcast shape, after PyTorch's check.
template <typename F>
void for_broadcast_dims(const Shape& a, const Shape& b, F f) {
  size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    FL_CHECK(da == db || da == 1 || db == 1, "The size of tensor a (", da, ") must match the size of tensor b (", db,
             ") at non-singleton dimension ", i);
    f(i, da == 1 ? db : da);
  }
}
}  // namespace

Shape broadcast_shapes(const Shape& a, const Shape& b) {
  Shape out(std::max(a.size(), b.size()));
  for_broadcast_dims(a, b, [&](size_t i, int64_t d) { out[i] = d; });
  return out;
}
void check_broadcastable(const Shape& a, const Shape& b) {
  if (a != b) for_broadcast_dims(a, b, [](size_t, int64_t) {});
}

Tensor scalar_tensor(const Scalar& s, std::optional<Dtype> dtype) {
  Dtype d = dtype.value_or(s.is_bool() ? kBool : s.is_integral() ? kInt64 : kFloat64);
  mx::array a = dispatch_dtype(d, [&]<typename T>() { return mx::array(s.to<T>(), to_mlx(d)); });
  Tensor t = make_tensor(a);
  t.impl()->wrapped_number = !dtype.has_value();
  return t;
}

bool is_wrapped_number(const Tensor& t) { return t.impl()->wrapped_number; }

mx::array cast_value(const mx::array& a, Dtype d) {
  // mx::array's constructor converts with static_cast, as mx::astype does.
  return dispatch_dtype(from_mlx(a.dtype()),
                        [&]<typename T>() { return mx::array(a.data<T>(), a.shape(), to_mlx(d)); });
}

namespace {
enum { kNone = -1 };
// PyTorch's combine_categories: a higher-priority class wins unless a lower one brings a higher category.
std::optional<Dtype> combine(std::optional<Dtype> higher, std::optional<Dtype> lower) {
  if (!higher) return lower;
  if (!lower) return higher;
  if (is_floating_point(*higher)) return higher;
  if (*higher == kBool || is_floating_point(*lower)) return promote_types(*higher, *lower);
  return higher;
}
void update(std::optional<Dtype>& r, Dtype d) { r = r ? promote_types(*r, d) : d; }
}  // namespace

namespace {
template <typename... Ts>
Dtype result_type_of(const Ts&... tensors) {
  std::optional<Dtype> dim_r, zero_r, wrapped_r;
  auto add = [&](const Tensor& t) {
    if (!t.defined()) return;
    Dtype d = t.dtype();
    if (t.impl()->wrapped_number) update(wrapped_r, is_floating_point(d) ? get_default_dtype() : d);
    else if (t.dim() == 0) update(zero_r, d);
    else update(dim_r, d);
  };
  auto add_all = [&](const auto& x) {
    if constexpr (std::is_same_v<std::decay_t<decltype(x)>, Tensor>) add(x);
    else for (auto& t : x) add(t);
  };
  (add_all(tensors), ...);
  auto r = combine(dim_r, combine(zero_r, wrapped_r));
  return r.value_or(get_default_dtype());
}
}  // namespace

Dtype result_type(const std::vector<Tensor>& tensors) { return result_type_of(tensors); }
Dtype result_type(const Tensor& a, const Tensor& b) {
  // Two tensors of one dtype, neither a wrapped number (nearly every call): that dtype, whatever their dims.
  if (a.defined() && b.defined() && a.impl()->dtype == b.impl()->dtype && !a.impl()->wrapped_number &&
      !b.impl()->wrapped_number)
    return a.impl()->dtype;
  return result_type_of(a, b);
}

Tensor finish_creation(mx::array value, const TensorOptions& opts) {
  Device dev = opts.device_or_default();
  dev.check_available();
  Tensor t = make_tensor(std::move(value), dev);
  if (opts.requires_grad_flag()) {
    FL_CHECK(t.is_floating_point(), "Only Tensors of floating point dtype can require gradients");
    t.requires_grad_(true);
  }
  return t;
}

}  // namespace fl
