// Reductions: sum/mean/prod, max/min families, var/std, norm, logsumexp, all/any. Scans and softmax live in
// reduction_scan.cpp, sorting and selection in reduction_sort.cpp.
#include "fl/ops/reduction.h"

#include <cmath>
#include <limits>

#include <mlx/transforms.h>

#include "kernels/elementwise.h"
#include "kernels/precise_unary.h"
#include "ops/op_utils.h"

namespace fl {

namespace {
mx::array c(double v, const mx::array& like) { return mx::array(v, like.dtype()); }

// Half types accumulate in float32, as PyTorch's CPU kernels do.
Dtype acc_dtype(Dtype d) { return d == kFloat16 || d == kBFloat16 ? kFloat32 : d; }
Dtype int_to_long(Dtype d) { return is_integral(d, true) ? kInt64 : d; }

// Number of elements folded into each output element.
double reduced_count(const Tensor& x, const std::vector<int>& ax) {
  double n = 1;
  for (int a : ax) n *= static_cast<double>(x.size(a));
  return n;
}
// sqrt whose gradient is 0 (not inf*0 = nan) where the argument is 0, as PyTorch's std/norm backward.
mx::array safe_sqrt(const mx::array& v) {
  auto zero = mx::equal(v, c(0.0, v));
  return mx::where(zero, c(0.0, v), mx::sqrt(mx::where(zero, c(1.0, v), v)));
}

// PyTorch's checks for reductions without an identity (max, amax, argmax...).
void check_all_nonempty(const char* op, const Tensor& x, const char* extra = " Specify the reduction dim with the 'dim' argument.") {
  FL_CHECK(x.numel() != 0, op, "(): Expected reduction dim to be specified for input.numel() == 0.", extra);
}
void check_dims_nonempty(const char* op, const Tensor& x, const std::vector<int>& ax, const char* sep = "(): ") {
  for (int a : ax)
    FL_CHECK_INDEX(x.size(a) != 0, op, sep, "Expected reduction dim ", a, " to have non-zero size.");
}
constexpr SaveMask kSelfAndResult = save_inputs({0}) | kSaveOutput;

// wrap_dims, plus PyTorch's duplicate check for 0-d inputs (where every dim wraps to 0).
std::vector<int> reduce_dims(const Shape& dims, const Tensor& x) {
  FL_CHECK(x.dim() != 0 || dims.size() <= 1, "dim 0 appears multiple times in the list of dims");
  return wrap_dims(dims, x.dim());
}

}  // namespace

// --- sum, mean, prod ---------------------------------------------------------------------------------------

Tensor sum(const Tensor& x, const Shape& dims, bool keepdim, std::optional<Dtype> dtype) {
  auto ax = reduce_dims(dims, x);
  Dtype d = dtype.value_or(int_to_long(x.dtype()));
  return apply1(dims.empty() ? "SumBackward0" : "SumBackward1",
                fn1([=](const Arrays& in) { return kernels::sum(cast(in[0], d), ax, keepdim); }), {x});
}

Tensor mean(const Tensor& x, const Shape& dims, bool keepdim, std::optional<Dtype> dtype) {
  Dtype d = dtype.value_or(x.dtype());
  FL_CHECK(is_floating_point(d), "mean(): could not infer output dtype. ",
           dtype ? "Optional dtype" : "Input dtype", " must be either a floating point or complex dtype. Got: ",
           scalar_type_name(d));
  auto ax = reduce_dims(dims, x);
  Dtype acc = acc_dtype(d);
  return apply1(dims.empty() ? "MeanBackward0" : "MeanBackward1",
                fn1([=](const Arrays& in) { return cast(kernels::mean(cast(in[0], acc), ax, keepdim), d); }), {x});
}

Tensor nansum(const Tensor& x, const Shape& dims, bool keepdim) {
  if (!x.is_floating_point()) return sum(x, dims, keepdim);
  auto ax = reduce_dims(dims, x);
  return apply1("NansumBackward0", fn1([=](const Arrays& in) {
    return mx::sum(mx::where(mx::isnan(in[0]), c(0.0, in[0]), in[0]), ax, keepdim);
  }), {x}, save_inputs({0}));
}

Tensor nanmean(const Tensor& x, const Shape& dims, bool keepdim) {
  FL_CHECK(x.is_floating_point(), "nanmean(): expected input to have floating point or complex dtype but got ",
           scalar_type_name(x.dtype()));
  auto ax = reduce_dims(dims, x);
  Dtype d = x.dtype(), acc = acc_dtype(d);
  return apply1("DivBackward0", fn1([=](const Arrays& in) {
    auto a = cast(in[0], acc);
    auto nan = mx::isnan(a);
    auto total = mx::sum(mx::where(nan, c(0.0, a), a), ax, keepdim);
    auto count = mx::astype(mx::sum(mx::logical_not(nan), ax, keepdim), a.dtype());
    return cast(mx::divide(total, count), d);
  }), {x}, save_inputs({0}));
}

Tensor prod(const Tensor& x, std::optional<int64_t> dim, bool keepdim, std::optional<Dtype> dtype) {
  std::vector<int> ax = dim ? wrap_dims({*dim}, x.dim()) : wrap_dims({}, x.dim());
  bool kd = dim && keepdim;
  Dtype d = dtype.value_or(int_to_long(x.dtype()));
  return apply1(dim ? "ProdBackward1" : "ProdBackward0",
                fn1([=](const Arrays& in) { return mx::prod(cast(in[0], d), ax, kd); }), {x}, kSelfAndResult);
}

// --- max / min -------------------------------------------------------------------------------------------

namespace {
// max/min over dims: MLX's vjp splits the gradient evenly among tied extrema, as PyTorch's amax and max().
Tensor extreme(const char* name, bool is_max, const Tensor& x, const std::vector<int>& ax, bool keepdim) {
  return apply1(name, fn1([=](const Arrays& in) {
    return is_max ? kernels::max(in[0], ax, keepdim) : kernels::min(in[0], ax, keepdim);
  }), {x}, kSelfAndResult);
}

// argmax/argmin along one axis as int64 (MLX gives uint32); the first occurrence wins ties, NaN counts as extreme.
mx::array arg_extreme(const mx::array& a, bool is_max, int axis, bool keepdims) {
  if (a.size() == 0) {  // MLX refuses empty arg-reductions; the reduced dim itself is non-empty here
    auto shape = a.shape();
    if (keepdims) shape[axis] = 1;
    else shape.erase(shape.begin() + axis);
    return mx::zeros(shape, mx::int64);
  }
  auto v = a.dtype() == mx::bool_ ? mx::astype(a, mx::uint8) : a;
  return mx::astype(is_max ? mx::argmax(v, axis, keepdims) : mx::argmin(v, axis, keepdims), mx::int64);
}

// (values, indices) along a dim; values gather at the index so the gradient goes to that element only.
std::tuple<Tensor, Tensor> extreme_dim(const char* op, const char* name, bool is_max, const Tensor& x, int64_t dim,
                                       bool keepdim) {
  int64_t d = wrap_dim(dim, x.dim());
  if (x.dim() > 0) check_dims_nonempty(op, x, {static_cast<int>(d)});
  bool scalar = x.dim() == 0;
  auto outs = apply_op(name, [=](const Arrays& in) {
    auto a = scalar ? mx::reshape(in[0], {1}) : in[0];
    int axis = static_cast<int>(d);
    auto idx = mx::stop_gradient(arg_extreme(a, is_max, axis, true));
    auto vals = mx::take_along_axis(a, idx, axis);
    if (scalar || !keepdim) {
      vals = mx::squeeze(vals, axis);
      idx = mx::squeeze(idx, axis);
    }
    return Arrays{vals, idx};
  }, {x});
  return {outs[0], outs[1]};
}
}  // namespace

Tensor max(const Tensor& x) {
  check_all_nonempty("max", x);
  return extreme("MaxBackward1", true, x, wrap_dims({}, x.dim()), false);
}
Tensor min(const Tensor& x) {
  check_all_nonempty("min", x);
  return extreme("MinBackward1", false, x, wrap_dims({}, x.dim()), false);
}
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  return extreme_dim("max", "MaxBackward0", true, x, dim, keepdim);
}
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) {
  return extreme_dim("min", "MinBackward0", false, x, dim, keepdim);
}

Tensor amax(const Tensor& x, const Shape& dims, bool keepdim) {
  auto ax = reduce_dims(dims, x);
  if (dims.empty()) check_all_nonempty("amax", x);
  check_dims_nonempty("amax", x, ax);
  return extreme("AmaxBackward0", true, x, ax, keepdim);
}
Tensor amin(const Tensor& x, const Shape& dims, bool keepdim) {
  auto ax = reduce_dims(dims, x);
  if (dims.empty()) check_all_nonempty("amin", x);
  check_dims_nonempty("amin", x, ax);
  return extreme("AminBackward0", false, x, ax, keepdim);
}

std::tuple<Tensor, Tensor> aminmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  std::vector<int> ax;
  if (dim) {
    ax = wrap_dims({*dim}, x.dim());
    check_dims_nonempty("aminmax", x, ax, ": ");
  } else {
    FL_CHECK(x.numel() != 0,
             "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.");
    ax = wrap_dims({}, x.dim());
  }
  auto outs = apply_op("AminmaxBackward0", [=](const Arrays& in) {
    auto lo = mx::min(in[0], ax, keepdim), hi = mx::max(in[0], ax, keepdim);
    // Trivial reductions return the input itself: keep the outputs distinct so the vjp sums both cotangents.
    if (lo.id() == hi.id()) hi = mx::copy(hi);
    return Arrays{lo, hi};
  }, {x}, kSelfAndResult);
  return {outs[0], outs[1]};
}

namespace {
Tensor arg_reduce(const char* op, bool is_max, const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  FL_CHECK(x.dtype() != kBool, op, "(): does not support bool input");
  if (!dim) {
    FL_CHECK_INDEX(x.numel() != 0, op, "(): Expected reduction dim to be specified for input.numel() == 0.");
    Shape ones(x.dim(), 1);
    return apply1("", fn1([=](const Arrays& in) {
      auto r = arg_extreme(mx::flatten(in[0]), is_max, 0, false);
      return keepdim ? mx::reshape(r, to_mx_shape(ones)) : r;
    }), {x});
  }
  int64_t d = wrap_dim(*dim, x.dim());
  if (x.dim() == 0) return apply1("", fn1([](const Arrays& in) { return mx::zeros({}, mx::int64); }), {x});
  check_dims_nonempty(op, x, {static_cast<int>(d)});
  return apply1("", fn1([=](const Arrays& in) { return arg_extreme(in[0], is_max, static_cast<int>(d), keepdim); }), {x});
}
}  // namespace

Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) { return arg_reduce("argmax", true, x, dim, keepdim); }
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) { return arg_reduce("argmin", false, x, dim, keepdim); }

// --- var, std ----------------------------------------------------------------------------------------------

namespace {
// (var, mean) in the accumulation dtype. var = S / max(0, N - correction) with S = sum((x - mean)^2): 0 gives
// inf/nan as PyTorch. The mean is a constant inside S (its derivative is zero), which keeps the gradient free of
// inf - inf when the divisor is 0. Gradients for N - correction <= 0 follow PyTorch's var_backward.
std::pair<mx::array, mx::array> var_mean_arr(const mx::array& x, const std::vector<int>& ax, double n,
                                             double correction, bool keepdim, bool all_dims) {
  auto mk = mx::divide(mx::sum(x, ax, true), c(n, x));
  auto m = keepdim ? mk : mx::squeeze(mk, ax);
  auto sum_sq = [ax, keepdim](const mx::array& a, const mx::array& mean) {
    auto dev = mx::subtract(a, mean);
    return mx::sum(mx::multiply(dev, dev), ax, keepdim);
  };
  double dof = n - correction;
  // With a divisor, the mean stays differentiable: its derivative cancels in the gradient but not in the
  // second derivative (create_graph), which must match PyTorch's.
  if (dof > 0) return {mx::divide(sum_sq(x, mk), c(dof, x)), m};
  auto s = sum_sq(x, mx::stop_gradient(mk));
  if (all_dims) {
    // dim=None: PyTorch's gradient is inf, or nan where x equals the mean, whatever the sign.
    auto f = mx::custom_vjp(
        [=](const Arrays& in) { return Arrays{mx::divide(sum_sq(in[0], mx::divide(mx::sum(in[0], ax, true), c(n, in[0]))), c(0.0, in[0]))}; },
        [=](const Arrays& primals, const Arrays& cots, const Arrays&) {
          auto a = primals[0];
          auto mean = mx::divide(mx::sum(a, ax, true), c(n, a));
          auto w = mx::where(mx::equal(a, mean), c(NAN, a), c(INFINITY, a));
          return Arrays{mx::multiply(w, keepdim ? cots[0] : mx::expand_dims(cots[0], ax))};
        });
    return {f({x})[0], m};
  }
  if (dof == 0) return {mx::divide(s, c(0.0, s)), m};  // gradient 2(x - mean) / 0: +-inf, nan at the mean
  // dof < 0: the value divides by 0, PyTorch's gradient by the unclamped dof.
  auto ssg = mx::stop_gradient(s);
  return {mx::add(mx::divide(ssg, c(0.0, s)), mx::divide(mx::subtract(s, ssg), c(dof, s))), m};
}

template <typename F>
std::vector<Tensor> var_family(const char* name, const Tensor& x, const Shape& dims, double correction, bool keepdim,
                               SaveMask saves, F finish) {
  FL_CHECK(x.is_floating_point(), "std and var only support floating point and complex dtypes");
  auto ax = reduce_dims(dims, x);
  double n = reduced_count(x, ax);
  Dtype d = x.dtype(), acc = acc_dtype(d);
  bool all_dims = dims.empty() || x.dim() == 0;
  return apply_op(name, [=](const Arrays& in) {
    auto [v, m] = var_mean_arr(cast(in[0], acc), ax, n, correction, keepdim, all_dims);
    Arrays r = finish(v, m);
    for (auto& a : r) a = cast(a, d);
    return r;
  }, {x}, saves);
}
}  // namespace

Tensor var(const Tensor& x, const Shape& dims, double correction, bool keepdim) {
  return var_family("VarBackward0", x, dims, correction, keepdim, save_inputs({0}),
                    [](const mx::array& v, const mx::array&) { return Arrays{v}; })[0];
}
Tensor std(const Tensor& x, const Shape& dims, double correction, bool keepdim) {
  return var_family("StdBackward0", x, dims, correction, keepdim, kSelfAndResult,
                    [](const mx::array& v, const mx::array&) { return Arrays{safe_sqrt(v)}; })[0];
}
std::tuple<Tensor, Tensor> var_mean(const Tensor& x, const Shape& dims, double correction, bool keepdim) {
  auto r = var_family("VarMeanBackward0", x, dims, correction, keepdim, save_inputs({0}),
                      [](const mx::array& v, const mx::array& m) { return Arrays{v, m}; });
  return {r[0], r[1]};
}
std::tuple<Tensor, Tensor> std_mean(const Tensor& x, const Shape& dims, double correction, bool keepdim) {
  auto r = var_family("StdMeanBackward0", x, dims, correction, keepdim, save_inputs({0}),
                      [](const mx::array& v, const mx::array& m) { return Arrays{safe_sqrt(v), m}; });
  return {r[0], r[1]};
}

// --- norm, logsumexp ---------------------------------------------------------------------------------------

namespace {
std::string p_str(double p) {
  if (std::isinf(p)) return p > 0 ? "inf" : "-inf";
  std::ostringstream s;
  s << p;
  return s.str();
}
// The p-norm written so that MLX's vjp gives PyTorch's gradient: 0 (not nan) at zero entries and zero norms.
mx::array vector_norm(const mx::array& x, double p, const std::vector<int>& ax, bool keepdim) {
  auto a = mx::abs(x);
  if (p == 0) return mx::stop_gradient(mx::astype(mx::sum(mx::not_equal(x, c(0.0, x)), ax, keepdim), x.dtype()));
  if (p == 1) return mx::sum(a, ax, keepdim);
  if (p == 2) return safe_sqrt(mx::sum(mx::multiply(x, x), ax, keepdim));
  if (std::isinf(p)) return p > 0 ? mx::max(a, ax, keepdim) : mx::min(a, ax, keepdim);
  auto zero = mx::equal(a, c(0.0, a));
  auto pw = mx::where(zero, c(p > 0 ? 0.0 : INFINITY, a), mx::power(mx::where(zero, c(1.0, a), a), c(p, a)));
  auto s = mx::sum(pw, ax, keepdim);
  if (p < 0) return mx::power(s, c(1.0 / p, s));
  auto sz = mx::equal(s, c(0.0, s));
  return mx::where(sz, c(0.0, s), mx::power(mx::where(sz, c(1.0, s), s), c(1.0 / p, s)));
}
}  // namespace

Tensor norm(const Tensor& x, double p, const Shape& dims, bool keepdim) {
  FL_CHECK(x.is_floating_point(), "linalg.vector_norm: Expected a floating point or complex tensor as input. Got ",
           scalar_type_name(x.dtype()));
  auto ax = reduce_dims(dims, x);
  if (p < 0 || std::isinf(p)) {
    bool empty = dims.empty() ? x.numel() == 0 : false;
    for (int a : ax) empty |= x.size(a) == 0;
    FL_CHECK(!empty, "linalg.vector_norm cannot compute the ", p_str(p),
             " norm on an empty tensor because the operation does not have an identity");
  }
  Dtype d = x.dtype(), acc = acc_dtype(d);
  return apply1("LinalgVectorNormBackward0", fn1([=](const Arrays& in) {
    return cast(vector_norm(cast(in[0], acc), p, ax, keepdim), d);
  }), {x}, kSelfAndResult);
}

Tensor logsumexp(const Tensor& x, const Shape& dims, bool keepdim) {
  auto ax = reduce_dims(dims, x);
  Dtype d = float_result(x.dtype());
  return apply1("LogsumexpBackward0", fn1([=](const Arrays& in) {
    auto a = cast(in[0], d);
    if (ax.empty()) return a;  // 0-d input
    // An empty reduction is log(0) = -inf.
    if (a.size() == 0) return mx::full(mx::sum(a, ax, keepdim).shape(), c(-INFINITY, a));
    if (a.dtype() != mx::float64) return mx::logsumexp(a, ax, keepdim);
    // Shift by the (constant) max; an infinite max shifts by 0 so -inf rows give -inf and +inf gives inf.
    auto m = mx::max(a, ax, true);
    m = mx::stop_gradient(mx::where(mx::isinf(m), c(0.0, m), m));
    auto r = mx::add(mx::log(mx::sum(kernels::exp(mx::subtract(a, m)), ax, true)), m);
    return keepdim ? r : mx::squeeze(r, ax);
  }), {x}, kSelfAndResult);
}

// --- all, any, count_nonzero ---------------------------------------------------------------------------------

namespace {
// Bool results, except uint8 inputs give uint8 (as PyTorch).
Tensor logical_reduce(bool is_all, const Tensor& x, std::vector<int> ax, bool keepdim) {
  bool u8 = x.dtype() == kUInt8;
  return apply1("", fn1([=](const Arrays& in) {
    auto b = mx::astype(in[0], mx::bool_);
    auto r = is_all ? mx::all(b, ax, keepdim) : mx::any(b, ax, keepdim);
    return u8 ? mx::astype(r, mx::uint8) : r;
  }), {x});
}
}  // namespace

Tensor all(const Tensor& x) { return logical_reduce(true, x, wrap_dims({}, x.dim()), false); }
Tensor all(const Tensor& x, int64_t dim, bool keepdim) { return logical_reduce(true, x, wrap_dims({dim}, x.dim()), keepdim); }
Tensor any(const Tensor& x) { return logical_reduce(false, x, wrap_dims({}, x.dim()), false); }
Tensor any(const Tensor& x, int64_t dim, bool keepdim) { return logical_reduce(false, x, wrap_dims({dim}, x.dim()), keepdim); }

Tensor count_nonzero(const Tensor& x, const Shape& dims) {
  auto ax = reduce_dims(dims, x);
  return apply1("", fn1([=](const Arrays& in) {
    auto nz = mx::not_equal(in[0], mx::zeros({}, in[0].dtype()));
    return mx::sum(mx::astype(nz, mx::int64), ax, false);
  }), {x});
}

}  // namespace fl

namespace fl {
Tensor Tensor::sum(const Shape& dims, bool keepdim) const { return fl::sum(*this, dims, keepdim); }
Tensor Tensor::mean(const Shape& dims, bool keepdim) const { return fl::mean(*this, dims, keepdim); }
Tensor Tensor::prod() const { return fl::prod(*this); }
Tensor Tensor::max() const { return fl::max(*this); }
Tensor Tensor::min() const { return fl::min(*this); }
Tensor Tensor::amax(const Shape& dims, bool keepdim) const { return fl::amax(*this, dims, keepdim); }
Tensor Tensor::amin(const Shape& dims, bool keepdim) const { return fl::amin(*this, dims, keepdim); }
Tensor Tensor::argmax(std::optional<int64_t> dim, bool keepdim) const { return fl::argmax(*this, dim, keepdim); }
Tensor Tensor::argmin(std::optional<int64_t> dim, bool keepdim) const { return fl::argmin(*this, dim, keepdim); }
Tensor Tensor::var(const Shape& dims, double correction, bool keepdim) const { return fl::var(*this, dims, correction, keepdim); }
Tensor Tensor::std(const Shape& dims, double correction, bool keepdim) const { return fl::std(*this, dims, correction, keepdim); }
Tensor Tensor::norm(double p) const { return fl::norm(*this, p); }
Tensor Tensor::logsumexp(const Shape& dims, bool keepdim) const { return fl::logsumexp(*this, dims, keepdim); }
Tensor Tensor::all() const { return fl::all(*this); }
Tensor Tensor::any() const { return fl::any(*this); }
Tensor Tensor::cumsum(int64_t dim) const { return fl::cumsum(*this, dim); }
Tensor Tensor::softmax(int64_t dim) const { return fl::softmax(*this, dim); }
Tensor Tensor::log_softmax(int64_t dim) const { return fl::log_softmax(*this, dim); }
}  // namespace fl

namespace fl {
static OpRegistrar kRegistrar({
    {"sum", "reduction", true},            {"mean", "reduction", true},           {"nansum", "reduction", true},
    {"nanmean", "reduction", true},        {"prod", "reduction", true},           {"max", "reduction", true},
    {"min", "reduction", true},            {"amax", "reduction", true},           {"amin", "reduction", true},
    {"aminmax", "reduction", true},        {"argmax", "reduction", false},        {"argmin", "reduction", false},
    {"var", "reduction", true},            {"std", "reduction", true},            {"var_mean", "reduction", true},
    {"std_mean", "reduction", true},       {"norm", "reduction", true},           {"logsumexp", "reduction", true},
    {"all", "reduction", false},           {"any", "reduction", false},           {"count_nonzero", "reduction", false},
    {"median", "reduction", true},         {"cumsum", "reduction", true},         {"cumprod", "reduction", true},
    {"cummax", "reduction", true},         {"cummin", "reduction", true},         {"logcumsumexp", "reduction", true},
    {"softmax", "reduction", true},        {"log_softmax", "reduction", true},    {"sort", "reduction", true},
    {"argsort", "reduction", false},       {"topk", "reduction", true},           {"kthvalue", "reduction", true},
});
}  // namespace fl
