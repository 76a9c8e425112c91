// Index-producing ops (one_hot, bincount, unique, searchsorted, bucketize; none differentiable, those whose
// size or checks depend on the data evaluate), and the helpers the indexing*.cpp files share.
#include <algorithm>
#include <cmath>
#include <limits>

#include "fl/ops/indexing.h"
#include "ops/indexing_impl.h"

namespace fl {

namespace indexing {

const char* typemeta_name(Dtype d) {
  switch (d) {
    case kBool:
      return "bool";
    case kUInt8:
      return "unsigned char";
    case kInt8:
      return "signed char";
    case kInt16:
      return "short int";
    case kInt32:
      return "int";
    case kInt64:
      return "long int";
    case kFloat16:
      return "c10::Half";
    case kBFloat16:
      return "c10::BFloat16";
    case kFloat32:
      return "float";
    case kFloat64:
      return "double";
  }
  return "unknown";
}

namespace {
const char* checked_type_name(Dtype d) {
  switch (d) {
    case kUInt8:
      return "uint8_t";
    case kInt8:
      return "int8_t";
    case kInt16:
      return "int16_t";
    case kInt64:
      return "int64_t";
    default:
      return typemeta_name(d);
  }
}
}  // namespace

void check_scalar_fits(const Scalar& s, Dtype d) {
  if (d == kBool || s.is_bool()) return;
  bool overflow = dispatch_dtype(d, [&]<typename T>() {
    double lo, hi;
    if constexpr (std::is_same_v<T, mx::float16_t>)
      lo = -65504.0, hi = 65504.0;
    else if constexpr (std::is_same_v<T, mx::bfloat16_t>)
      lo = -3.3895313892515355e38, hi = 3.3895313892515355e38;
    else
      lo = static_cast<double>(std::numeric_limits<T>::lowest()),
      hi = static_cast<double>(std::numeric_limits<T>::max());
    if (s.is_floating_point()) {
      double f = s.to_double();
      if (std::isnan(f)) return is_integral(d);
      if (std::isinf(f) && !is_integral(d)) return false;
      return f < lo || f > hi;
    }
    int64_t i = s.to_int();
    if constexpr (std::is_integral_v<T> && !std::is_signed_v<T>) {
      // c10 lets negative integers wrap into unsigned types when |i| fits.
      return static_cast<double>(i) > hi || (i < 0 && static_cast<double>(-i) > hi);
    }
    return static_cast<double>(i) < lo || static_cast<double>(i) > hi;
  });
  FL_CHECK(!overflow, "value cannot be converted to type ", checked_type_name(d), " without overflow");
}

mx::array scalar_array(const Scalar& s, Dtype d) {
  return dispatch_dtype(d, [&]<typename T>() { return mx::array(s.to<T>(), to_mlx(d)); });
}

std::optional<int64_t> first_out_of_range(const Tensor& index, int64_t lo, int64_t hi) {
  if (index.numel() == 0) return std::nullopt;
  mx::array i = mx::astype(index.mlx(), mx::int64);
  mx::array bad =
      mx::any(mx::logical_or(mx::less(i, mx::array(lo, mx::int64)), mx::greater_equal(i, mx::array(hi, mx::int64))));
  mx::eval(bad);
  if (!bad.item<bool>()) return std::nullopt;
  for (int64_t v : index.tolist<int64_t>())
    if (v < lo || v >= hi) return v;
  return std::nullopt;
}

mx::array wrap_negative(const mx::array& idx, int64_t size) {
  mx::array zero(0, idx.dtype());
  return mx::where(mx::less(idx, zero), mx::add(idx, mx::array(size, idx.dtype())), idx);
}

std::vector<int64_t> nonzero_flat(const mx::array& a) {
  mx::array nz = mx::contiguous(mx::flatten(mx::not_equal(a, mx::zeros({}, a.dtype()))));
  mx::eval(nz);
  const bool* p = nz.data<bool>();
  std::vector<int64_t> r;
  for (size_t k = 0; k < nz.size(); ++k)
    if (p[k]) r.push_back(static_cast<int64_t>(k));
  return r;
}

Tensor int64_tensor(const std::vector<int64_t>& data, const Shape& shape) {
  return make_tensor(mx::array(data.begin(), to_mx_shape(shape), mx::int64));
}

Tensor strip_leading_ones(const Tensor& v) {
  Shape s = v.sizes();
  size_t k = 0;
  while (k < s.size() && s[k] == 1) ++k;
  if (k == 0) return v;
  return v.reshape(Shape(s.begin() + k, s.end()));
}

}  // namespace indexing

using namespace indexing;

namespace {
int64_t eval_int(const mx::array& a) {
  mx::array v = mx::astype(a, mx::int64);
  mx::eval(v);
  return v.item<int64_t>();
}
}  // namespace

Tensor one_hot(const Tensor& x, int64_t num_classes) {
  FL_CHECK(x.dtype() == kInt64, "one_hot is only applicable to index tensor of type LongTensor.");
  Shape out = x.sizes();
  if (x.numel() == 0) {
    FL_CHECK(num_classes != -1, "Can not infer total number of classes from empty tensor.");
    out.push_back(num_classes);
    return make_tensor(mx::zeros(to_mx_shape(out), mx::int64), x.device());
  }
  FL_CHECK(eval_int(mx::min(x.mlx())) >= 0, "Class values must be non-negative.");
  int64_t max_class = eval_int(mx::max(x.mlx()));
  if (num_classes == -1)
    num_classes = max_class + 1;
  else
    FL_CHECK(num_classes > max_class, "Class values must be smaller than num_classes.");
  mx::array r = mx::astype(mx::equal(mx::expand_dims(x.mlx(), -1), mx::arange(num_classes, mx::int64)), mx::int64);
  return make_tensor(r, x.device());
}

Tensor bincount(const Tensor& x, const std::optional<Tensor>& weights, int64_t minlength) {
  FL_CHECK_AS(NotImplementedError, is_integral(x.dtype(), false), "\"bincount_cpu\" not implemented for '",
              scalar_type_name(x.dtype()), "'");
  FL_CHECK(minlength >= 0, "minlength should be >= 0");
  if (x.dim() == 1 && x.numel() == 0)
    return make_tensor(mx::zeros({static_cast<int>(minlength)}, mx::int64), x.device());
  auto v = x.dim() == 1 ? x.tolist<int64_t>() : std::vector<int64_t>{};
  FL_CHECK(x.dim() == 1 && *std::min_element(v.begin(), v.end()) >= 0,
           "bincount only supports 1-d non-negative integral inputs.");
  bool has_w = weights && weights->defined();
  FL_CHECK(!(has_w && (weights->dim() != 1 || weights->size(0) != x.size(0))),
           "weights should be 1-d and have the same length as input");
  int64_t nbins = std::max(*std::max_element(v.begin(), v.end()) + 1, minlength);
  if (!has_w) {
    std::vector<int64_t> counts(nbins, 0);
    for (int64_t e : v) counts[e]++;
    return int64_tensor(counts, {nbins});
  }
  // Float weights give float results; any other weights are summed in double, as PyTorch.
  Dtype out = weights->dtype() == kFloat32 ? kFloat32 : kFloat64;
  auto w = weights->tolist<double>();
  std::vector<double> sums(nbins, 0.0);
  for (size_t k = 0; k < v.size(); ++k) sums[v[k]] += out == kFloat32 ? static_cast<float>(w[k]) : w[k];
  mx::array r = mx::array(sums.begin(), {static_cast<int>(nbins)}, mx::float64);
  return make_tensor(mx::astype(r, to_mlx(out)), x.device());
}

Tensor unique(const Tensor& x, bool sorted) {
  // PyTorch's CPU unique sorts whether or not `sorted` is asked for; NaNs come last, each one distinct.
  (void)sorted;
  mx::array r = [&] {
    if (x.is_floating_point()) {
      auto v = x.tolist<double>();
      std::sort(v.begin(), v.end(), [](double a, double b) { return a < b || (!std::isnan(a) && std::isnan(b)); });
      std::vector<double> u;
      for (double e : v)
        if (u.empty() || !(u.back() == e)) u.push_back(e);
      return mx::array(u.begin(), {static_cast<int>(u.size())}, mx::float64);
    }
    auto v = x.tolist<int64_t>();
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    return mx::array(v.begin(), {static_cast<int>(v.size())}, mx::int64);
  }();
  return make_tensor(mx::astype(r, to_mlx(x.dtype())), x.device());
}

Tensor searchsorted(const Tensor& seq, const Tensor& values, bool right) {
  FL_CHECK(values.dim() > 0 || (values.numel() == 1 && seq.dim() == 1),
           "torch.searchsorted(): input value can be a scalar only when boundaries tensor dimension is 1, but we got "
           "boundaries tensor dim(",
           seq.dim(), ") and input value's dim(", values.dim(), ") numel(", values.numel(), ")");
  FL_CHECK(seq.dim() != 0,
           "torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension");
  bool leading_match =
      seq.dim() == values.dim() && std::equal(seq.sizes().begin(), seq.sizes().end() - 1, values.sizes().begin());
  FL_CHECK(seq.dim() == 1 || leading_match,
           "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries "
           "tensor and input value tensor must match, but we got boundaries tensor ",
           shape_to_string(seq.sizes()), " and input value tensor ", shape_to_string(values.sizes()));
  Dtype common = promote_types(seq.dtype(), values.dtype());
  FL_CHECK_AS(NotImplementedError, common != kBool, "\"searchsorted_out_cpu\" not implemented for 'Bool'");
  mx::array b = cast(seq.mlx(), common), v = cast(values.mlx(), common);
  mx::array r = [&] {
    if (values.numel() == 0) return mx::zeros(v.shape(), mx::int64);
    if (seq.dim() == 1) {
      if (seq.numel() == 0) return mx::zeros(v.shape(), mx::int64);
      return mx::astype(mx::searchsorted(b, v, right ? "right" : "left"), mx::int64);
    }
    // Batched boundaries: count, per value, the boundaries before it (NaN values sort last, as in PyTorch).
    mx::array bb = mx::expand_dims(b, -2), vv = mx::expand_dims(v, -1);
    mx::array before = mx::logical_not(right ? mx::greater(bb, vv) : mx::greater_equal(bb, vv));
    return mx::sum(mx::astype(before, mx::int64), -1);
  }();
  return make_tensor(r, values.device());
}

Tensor bucketize(const Tensor& values, const Tensor& boundaries, bool right) {
  FL_CHECK(boundaries.dim() == 1, "boundaries tensor must be 1 dimension, but got dim(", boundaries.dim(), ")");
  return searchsorted(boundaries, values, right);
}

}  // namespace fl
