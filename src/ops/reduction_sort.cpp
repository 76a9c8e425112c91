// Sorting and selection: sort, argsort, topk, kthvalue, median. Indices are int64 and never differentiable;
// values gather at the indices so the gradient flows to the selected elements, as in PyTorch.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "fl/ops/reduction.h"
#include "ops/op_utils.h"

namespace fl {

namespace {
mx::array c(double v, const mx::array& like) { return mx::array(v, like.dtype()); }
int64_t size_at(const Tensor& x, int64_t d) { return x.dim() == 0 ? 1 : x.size(d); }
mx::array sortable(const mx::array& a) { return a.dtype() == mx::bool_ ? mx::astype(a, mx::uint8) : a; }

// Stable sort indices along an axis. MLX sorts ascending with NaN last; descending sorts the reversed
// array and reverses back, so equal elements keep their order and NaN (the largest, as in PyTorch) comes first.
mx::array sort_indices(const mx::array& a, int axis, bool descending) {
  auto v = sortable(a);
  if (!descending) return mx::astype(mx::argsort(v, axis), mx::int64);
  int n = v.shape(axis);
  auto rev = mx::arange(n - 1, -1, -1);
  auto i = mx::take(mx::argsort(mx::take(v, rev, axis), axis), rev, axis);
  return mx::subtract(mx::array(static_cast<int64_t>(n - 1), mx::int64), mx::astype(i, mx::int64));
}

// (values gathered at idx, idx): idx is a constant, so the gradient scatters to the chosen elements.
std::tuple<Tensor, Tensor> gather_pair(const char* name, const Tensor& x, int axis, mx::array idx, bool squeeze) {
  auto outs = apply_op(name, [idx, axis, squeeze](const Arrays& in) {
    if (in[0].ndim() == 0) return Arrays{in[0], mx::zeros({}, mx::int64)};
    auto v = mx::take_along_axis(in[0], idx, axis);
    if (squeeze) return Arrays{mx::squeeze(v, axis), mx::squeeze(idx, axis)};
    return Arrays{v, idx};
  }, {x});
  return {outs[0], outs[1]};
}

// --- PyTorch's CPU selection algorithms, run on evaluated rows so that tie order matches torch exactly. ---
template <typename V>
bool is_nan(V v) {
  if constexpr (std::is_floating_point_v<V>) return std::isnan(v);
  else return false;
}
template <typename V>
bool gt_or_nan(V x, V y) { return (is_nan(x) && !is_nan(y)) || x > y; }

// at::native quick_select_template: partitions row so that position k holds the k-th smallest (NaN largest).
template <typename V>
void quick_select(std::vector<V>& arr, std::vector<int64_t>& idx, int64_t k) {
  auto swap = [&](int64_t i, int64_t j) { std::swap(arr[i], arr[j]); std::swap(idx[i], idx[j]); };
  int64_t L = 0, R = static_cast<int64_t>(arr.size()) - 1;
  while (true) {
    if (R <= L) return;
    if (R == L + 1) {
      if (gt_or_nan(arr[L], arr[R])) swap(L, R);
      return;
    }
    int64_t P = L + (R - L) / 2;
    swap(P, L + 1);
    if (gt_or_nan(arr[L + 1], arr[R])) swap(L + 1, R);
    if (gt_or_nan(arr[L], arr[R])) swap(L, R);
    if (gt_or_nan(arr[L + 1], arr[L])) swap(L + 1, L);
    int64_t i = L + 1, j = R;
    V piv = arr[L];
    while (true) {
      do i++; while (gt_or_nan(piv, arr[i]));
      do j--; while (gt_or_nan(arr[j], piv));
      if (j < i) break;
      swap(i, j);
    }
    swap(L, j);
    if (j <= k) L = i;
    if (j >= k) R = j - 1;
  }
}

// at::native topk_impl_loop: partial_sort for small k, else nth_element (+ sort of the first k-1).
template <typename V>
void topk_row(std::vector<std::pair<V, int64_t>>& q, int64_t k, bool largest, bool sorted) {
  using E = std::pair<V, int64_t>;
  auto run = [&](auto comp) {
    if (k * 64 <= static_cast<int64_t>(q.size())) {
      std::partial_sort(q.begin(), q.begin() + k, q.end(), comp);
    } else {
      std::nth_element(q.begin(), q.begin() + k - 1, q.end(), comp);
      if (sorted) std::sort(q.begin(), q.begin() + k - 1, comp);
    }
  };
  if (largest) run([](const E& a, const E& b) { return gt_or_nan(a.first, b.first); });
  else run([](const E& a, const E& b) { return gt_or_nan(b.first, a.first); });
}

// Runs row_fn over each row along `axis` of a (evaluated on the host); returns int64 indices of shape
// a.shape with the axis replaced by `out_len`.
template <typename RowFn>
mx::array host_select(const Tensor& x, int axis, int64_t out_len, RowFn row_fn) {
  mx::array moved = mx::moveaxis(x.mlx(), axis, -1);
  int64_t n = moved.shape(-1);
  int64_t rows = n == 0 ? 0 : static_cast<int64_t>(moved.size()) / n;
  std::vector<int64_t> out(static_cast<size_t>(rows * out_len));
  auto run = [&]<typename V>() {
    auto data = Tensor::from_mlx(moved).tolist<V>();
    for (int64_t r = 0; r < rows; ++r) {
      std::vector<V> row(data.begin() + r * n, data.begin() + (r + 1) * n);
      row_fn(row, out.data() + r * out_len);
    }
  };
  if (x.is_floating_point()) run.template operator()<double>();
  else run.template operator()<int64_t>();
  mx::Shape shape = moved.shape();
  shape.back() = static_cast<int>(out_len);
  return mx::moveaxis(mx::array(out.begin(), shape, mx::int64), -1, axis);
}
}  // namespace

std::tuple<Tensor, Tensor> sort(const Tensor& x, int64_t dim, bool descending, bool stable) {
  // Always stable: PyTorch leaves the order of equal elements unspecified when stable=false.
  int axis = static_cast<int>(wrap_dim(dim, x.dim()));
  auto outs = apply_op("SortBackward0", [=](const Arrays& in) {
    if (in[0].ndim() == 0) return Arrays{in[0], mx::zeros({}, mx::int64)};
    auto idx = mx::stop_gradient(sort_indices(in[0], axis, descending));
    return Arrays{mx::take_along_axis(in[0], idx, axis), idx};
  }, {x});
  return {outs[0], outs[1]};
}

Tensor argsort(const Tensor& x, int64_t dim, bool descending, bool stable) {
  int axis = static_cast<int>(wrap_dim(dim, x.dim()));
  return apply1("", fn1([=](const Arrays& in) {
    if (in[0].ndim() == 0) return mx::zeros({}, mx::int64);
    return sort_indices(in[0], axis, descending);
  }), {x});
}

std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim, bool largest, bool sorted) {
  int axis = static_cast<int>(wrap_dim(dim, x.dim()));
  FL_CHECK(k >= 0 && k <= size_at(x, axis), "selected index k out of range");
  FL_CHECK(x.dtype() != kBool, "topk does not support bool dtypes on CPU");
  if (x.dim() == 0) return gather_pair("TopkBackward0", x, 0, mx::zeros({}, mx::int64), false);
  auto idx = host_select(x, axis, k, [&](auto& row, int64_t* out) {
    if (k == 0) return;
    using V = typename std::decay_t<decltype(row)>::value_type;
    std::vector<std::pair<V, int64_t>> q(row.size());
    for (size_t j = 0; j < row.size(); ++j) q[j] = {row[j], static_cast<int64_t>(j)};
    topk_row(q, k, largest, sorted);
    for (int64_t j = 0; j < k; ++j) out[j] = q[j].second;
  });
  return gather_pair("TopkBackward0", x, axis, idx, false);
}

std::tuple<Tensor, Tensor> kthvalue(const Tensor& x, int64_t k, int64_t dim, bool keepdim) {
  int axis = static_cast<int>(wrap_dim(dim, x.dim()));
  FL_CHECK_AS(NotImplementedError, x.dtype() != kBool, "\"kthvalue_cpu\" not implemented for 'Bool'");
  if (x.dim() > 0) FL_CHECK_INDEX(x.size(axis) != 0, "kthvalue(): Expected reduction dim ", axis, " to have non-zero size.");
  FL_CHECK(k >= 1 && k <= size_at(x, axis), "kthvalue(): selected number k out of range for dimension ", axis);
  if (x.dim() == 0) return gather_pair("KthvalueBackward0", x, 0, mx::zeros({}, mx::int64), false);
  auto idx = host_select(x, axis, 1, [&](auto& row, int64_t* out) {
    std::vector<int64_t> pos(row.size());
    std::iota(pos.begin(), pos.end(), 0);
    quick_select(row, pos, k - 1);
    out[0] = pos[k - 1];
  });
  return gather_pair("KthvalueBackward0", x, axis, idx, !keepdim);
}

Tensor median(const Tensor& x) {
  FL_CHECK_AS(NotImplementedError, x.dtype() != kBool, "\"median_cpu\" not implemented for 'Bool'");
  int64_t n = x.numel();
  bool fp = x.is_floating_point();
  return apply1("MedianBackward0", fn1([=](const Arrays& in) {
    auto f = mx::flatten(in[0]);
    if (n == 0) {
      // PyTorch returns nan (int64: its lowest value) for an empty input.
      double fill = fp ? NAN : f.dtype() == mx::int64 ? static_cast<double>(std::numeric_limits<int64_t>::min()) : 0;
      return mx::array(fill, f.dtype());
    }
    // The lower of the two middle values; NaN if any element is NaN.
    auto m = mx::take(mx::sort(f), static_cast<int>((n - 1) / 2));
    if (!fp) return m;
    m = mx::stop_gradient(mx::where(mx::any(mx::isnan(f)), c(NAN, m), m));
    // Exactly m forward; the gradient splits evenly among the elements equal to m, as PyTorch's.
    auto hit = mx::equal(f, m);
    auto share = mx::sum(mx::where(hit, mx::subtract(f, mx::stop_gradient(f)), c(0.0, f)));
    return mx::add(m, mx::divide(share, mx::astype(mx::sum(hit), f.dtype())));
  }), {x}, save_inputs({0}) | kSaveOutput);
}

std::tuple<Tensor, Tensor> median(const Tensor& x, int64_t dim, bool keepdim) {
  FL_CHECK_AS(NotImplementedError, x.dtype() != kBool, "\"median_out\" not implemented for 'Bool'");
  int axis = static_cast<int>(wrap_dim(dim, x.dim()));
  if (x.dim() > 0) FL_CHECK_INDEX(x.size(axis) != 0, "median(): Expected reduction dim ", axis, " to have non-zero size.");
  bool fp = x.is_floating_point();
  auto outs = apply_op("MedianBackward1", [=](const Arrays& in) {
    if (in[0].ndim() == 0) return Arrays{in[0], mx::zeros({}, mx::int64)};
    const auto& a = in[0];
    int n = a.shape(axis);
    // The lower middle of a stable ascending sort (as torch's tie-broken nth_element); the first NaN if any.
    auto order = sort_indices(a, axis, false);
    auto idx = mx::take(order, mx::array({(n - 1) / 2}), axis);
    if (fp && a.size() > 0) {  // (MLX refuses empty argmax)
      auto nan = mx::isnan(a);
      auto first_nan = mx::astype(mx::argmax(nan, axis, true), mx::int64);
      idx = mx::where(mx::any(nan, axis, true), first_nan, idx);
    }
    idx = mx::stop_gradient(idx);
    auto v = mx::take_along_axis(a, idx, axis);
    if (!keepdim) return Arrays{mx::squeeze(v, axis), mx::squeeze(idx, axis)};
    return Arrays{v, idx};
  }, {x});
  return {outs[0], outs[1]};
}

}  // namespace fl
