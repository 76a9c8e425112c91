// Indexing ops along one dim: gather/scatter family, index_select/add/copy/fill, masked_fill, take.
// Index bounds are checked eagerly (the index is evaluated), since PyTorch raises on them.
#include "fl/ops/indexing.h"

#include <mlx/transforms.h>

#include <cmath>
#include <limits>

#include "ops/indexing_impl.h"

namespace fl {

using namespace indexing;

namespace {

bool is_index_dtype(Dtype d) { return d == kInt64 || d == kInt32; }
int64_t nonempty_dim(int64_t n) { return n == 0 ? 1 : n; }
int64_t nonempty_size(const Tensor& t, int64_t d) { return t.dim() == 0 ? 1 : t.size(d); }
mx::array at_least_1d(const mx::array& a) { return a.ndim() == 0 ? mx::reshape(a, {1}) : a; }

// The leading part of `a` with shape `shape` (dims of `a` may be larger).
mx::array slice_to(const mx::array& a, const mx::Shape& shape) {
  if (a.shape() == shape) return a;
  return mx::slice(a, mx::Shape(a.ndim(), 0), shape);
}

enum class Reduce { None, Sum, Prod, Max, Min };

// Scatters src (sliced to idx's shape) into a along `dim`, as torch.scatter: idx may be smaller than a on
// the other dims, where it addresses their leading positions only.
mx::array scatter_axis(const mx::array& a, const mx::array& idx, const mx::array& src, int dim, Reduce r) {
  const mx::Shape& ishape = idx.shape();
  mx::array s = slice_to(src, ishape);
  if (r == Reduce::None || r == Reduce::Sum) {
    mx::Shape stop = ishape;
    stop[dim] = a.shape(dim);
    auto put = [&](const mx::array& reg) {
      return r == Reduce::None ? mx::put_along_axis(reg, idx, s, dim) : mx::scatter_add_axis(reg, idx, s, dim);
    };
    if (stop == a.shape()) return put(a);
    mx::Shape start(a.ndim(), 0);
    return mx::slice_update(a, put(mx::slice(a, start, stop)), start, stop);
  }
  // Other reductions have no axis form: scatter with full coordinates.
  std::vector<mx::array> coords;
  std::vector<int> axes;
  for (int k = 0; k < static_cast<int>(a.ndim()); ++k) {
    axes.push_back(k);
    if (k == dim) {
      coords.push_back(idx);
      continue;
    }
    mx::Shape sh(a.ndim(), 1);
    sh[k] = ishape[k];
    coords.push_back(mx::broadcast_to(mx::reshape(mx::arange(ishape[k], mx::int64), sh), ishape));
  }
  mx::Shape ushape = ishape;
  ushape.insert(ushape.end(), a.ndim(), 1);
  mx::array upd = mx::reshape(s, ushape);
  if (r == Reduce::Prod) return mx::scatter_prod(a, coords, upd, axes);
  if (r == Reduce::Max) return mx::scatter_max(a, coords, upd, axes);
  return mx::scatter_min(a, coords, upd, axes);
}

mx::array gather_axis(const mx::array& a, const mx::array& idx, int dim) {
  mx::Shape stop = idx.shape();
  stop[dim] = a.shape(dim);
  return mx::take_along_axis(slice_to(a, stop), idx, dim);
}

void check_scatter_gather_bounds(const Tensor& index, int64_t dim, int64_t size) {
  if (auto bad = first_out_of_range(index, 0, size))
    throw Error(detail::concat("index ", *bad, " is out of bounds for dimension ", dim, " with size ", size));
}

// torch's scatter_shape_check (skipped for an empty index).
void scatter_shape_check(const Tensor& x, int64_t dim, const Tensor& index, const Tensor* src) {
  if (index.numel() == 0) return;
  FL_CHECK(nonempty_dim(x.dim()) == nonempty_dim(index.dim()),
           "Index tensor must have the same number of dimensions as self tensor");
  int64_t n = nonempty_dim(x.dim());
  bool wrong = false;
  for (int64_t d = 0; d < n && !wrong; ++d)
    if (d != dim && nonempty_size(index, d) > nonempty_size(x, d)) wrong = true;
  if (src && !wrong)
    for (int64_t d = 0; d < n && !wrong; ++d) {
      if (src->dim() > 0) wrap_dim(d, src->dim());
      if (nonempty_size(index, d) > nonempty_size(*src, d)) wrong = true;
    }
  if (src)
    FL_CHECK(!wrong, "Expected index ", shape_to_string(index.sizes()), " to be no larger than self ",
             shape_to_string(x.sizes()), " apart from dimension ", dim, " and to be no larger size than src ",
             shape_to_string(src->sizes()));
  FL_CHECK(!wrong, "Expected index ", shape_to_string(index.sizes()), " to be no larger than self ",
           shape_to_string(x.sizes()), " apart from dimension ", dim);
}

// The identity of a reduction for dtype d (what include_self=False puts first).
mx::array reduce_identity(const std::string& reduce, mx::Dtype d) {
  if (reduce == "prod") return mx::array(1, d);
  if (reduce == "amax" || reduce == "amin") {
    bool is_max = reduce == "amax";
    if (mx::issubdtype(d, mx::floating)) return mx::astype(mx::array(is_max ? -INFINITY : INFINITY), d);
    return dispatch_dtype(from_mlx(d), [&]<typename T>() {
      return mx::array(is_max ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max(), d);
    });
  }
  return mx::array(0, d);
}

// scatter_reduce's forward on arrays (at least 1-d, equal ndim).
mx::array scatter_reduce_fwd(const mx::array& a, const mx::array& idx, const mx::array& src, int dim,
                             const std::string& reduce, bool include_self) {
  mx::array base = a;
  if (!include_self)
    base = scatter_axis(a, idx, mx::full(idx.shape(), reduce_identity(reduce, a.dtype())), dim, Reduce::None);
  if (reduce == "sum") return scatter_axis(base, idx, src, dim, Reduce::Sum);
  if (reduce == "prod") return scatter_axis(base, idx, src, dim, Reduce::Prod);
  if (reduce == "amax") return scatter_axis(base, idx, src, dim, Reduce::Max);
  if (reduce == "amin") return scatter_axis(base, idx, src, dim, Reduce::Min);
  // mean: sum / count, where untouched positions count 1; integers use floor division.
  mx::array total = scatter_axis(base, idx, src, dim, Reduce::Sum);
  mx::array count = scatter_axis(include_self ? mx::ones_like(a) : mx::zeros_like(a), idx,
                                 mx::ones(idx.shape(), a.dtype()), dim, Reduce::Sum);
  count = mx::where(mx::equal(count, mx::zeros_like(count)), mx::ones_like(count), count);
  if (mx::issubdtype(a.dtype(), mx::floating)) return mx::divide(total, count);
  mx::array q = mx::floor_divide(total, count);
  mx::array rem = mx::subtract(total, mx::multiply(q, count));
  return mx::where(mx::less(rem, mx::zeros_like(rem)), mx::subtract(q, mx::ones_like(q)), q);
}

// PyTorch's scatter_reduce backward for prod/amax/amin, which MLX's scatter vjps do not match.
Arrays scatter_reduce_vjp(const Arrays& prim, const Arrays& cot, const Arrays& outs, int dim, const std::string& reduce,
                          bool include_self) {
  const mx::array &a = prim[0], &idx = prim[1], &g = cot[0], &res = outs[0];
  mx::array s = slice_to(prim[2], idx.shape());
  auto zeros_at_idx = [&](const mx::array& t) {
    return scatter_axis(t, idx, mx::zeros(idx.shape(), t.dtype()), dim, Reduce::None);
  };
  mx::array gs = g, gsrc = g;
  if (reduce == "prod") {
    mx::array one = mx::ones_like(a);
    mx::array masked_self = mx::where(mx::equal(a, mx::zeros_like(a)), one, a);
    mx::array msr = scatter_reduce_fwd(masked_self, idx, s, dim, reduce, include_self);
    gs = mx::divide(mx::multiply(g, msr), masked_self);
    mx::array src_zero = mx::equal(s, mx::zeros_like(s));
    mx::array nzeros =
        gather_axis(scatter_axis(mx::zeros_like(a), idx, mx::astype(src_zero, a.dtype()), dim, Reduce::Sum), idx, dim);
    mx::array single = mx::logical_and(src_zero, mx::equal(nzeros, mx::ones_like(nzeros)));
    mx::array masked_src = mx::where(single, mx::ones_like(s), s);
    mx::array msrc_res = scatter_reduce_fwd(a, idx, masked_src, dim, reduce, include_self);
    gsrc = mx::where(single, gather_axis(mx::multiply(g, msrc_res), idx, dim),
                     mx::divide(gather_axis(mx::multiply(g, res), idx, dim), mx::where(src_zero, mx::ones_like(s), s)));
  } else {  // amax / amin: the gradient is shared evenly between ties.
    mx::array value = gather_axis(res, idx, dim);
    mx::array self_is = mx::astype(mx::equal(a, res), a.dtype());
    mx::array src_is = mx::astype(mx::equal(s, value), a.dtype());
    mx::array n = scatter_axis(self_is, idx, src_is, dim, Reduce::Sum);
    mx::array gd = mx::divide(g, n);
    gs = mx::multiply(self_is, gd);
    gsrc = mx::multiply(src_is, gather_axis(gd, idx, dim));
  }
  if (!include_self) gs = zeros_at_idx(gs);
  mx::array gsrc_full = mx::zeros_like(prim[2]);
  if (gsrc.shape() == gsrc_full.shape())
    gsrc_full = gsrc;
  else
    gsrc_full = mx::slice_update(gsrc_full, gsrc, mx::Shape(gsrc.ndim(), 0), gsrc.shape());
  return {gs, mx::zeros_like(idx), gsrc_full};
}

Tensor scatter_impl(const char* name, const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src,
                    const std::string& reduce, bool include_self) {
  int64_t d = wrap_dim(dim, x.dim());
  FL_CHECK(is_index_dtype(index.dtype()), "scatter(): Expected dtype int32/int64 for index");
  FL_CHECK(x.dtype() == src.dtype(), "scatter(): Expected self.dtype to be equal to src.dtype");
  scatter_shape_check(x, d, index, &src);
  check_scatter_gather_bounds(index, d, x.dim() == 0 ? 1 : x.size(d));
  Shape shape = x.sizes();
  int axis = static_cast<int>(d);
  if (index.numel() == 0)
    return apply1(name, fn1([](const Arrays& in) { return mx::copy(in[0]); }), {x, index, src}, save_inputs({1}));
  auto fwd = [=](const Arrays& in) {
    mx::array a = at_least_1d(in[0]), i = at_least_1d(in[1]), s = at_least_1d(in[2]);
    mx::array r = reduce == "replace" ? scatter_axis(a, i, s, axis, Reduce::None)
                                      : scatter_reduce_fwd(a, i, s, axis, reduce, include_self);
    return Arrays{mx::reshape(r, to_mx_shape(shape))};
  };
  ArrayFn fn = fwd;
  if (reduce == "prod" || reduce == "amax" || reduce == "amin") {
    fn = mx::custom_vjp(fwd, [=](const Arrays& prim, const Arrays& cot, const Arrays& outs) {
      Arrays p = {at_least_1d(prim[0]), at_least_1d(prim[1]), at_least_1d(prim[2])};
      auto g = scatter_reduce_vjp(p, {at_least_1d(cot[0])}, {at_least_1d(outs[0])}, axis, reduce, include_self);
      for (int k = 0; k < 3; ++k) g[k] = mx::reshape(g[k], prim[k].shape());
      return g;
    });
  }
  return apply1(name, fn, {x, index, src},
                save_inputs({1}) | (reduce == "replace" || reduce == "sum" ? 0 : kSaveOutput));
}

// The shape checks shared by index_add / index_copy: source matches self except along dim.
void check_index_vector(const char* op, const Tensor& index) {
  FL_CHECK_INDEX(index.dim() <= 1, op, "_(): Index is supposed to be a vector, but got dim: ", index.dim(),
                 " with type: ", scalar_type_name(index.dtype()), " and size: ", shape_to_string(index.sizes()));
}

// Scatters source slices (along dim, one per index entry) into a; reduce None or Sum.
mx::array index_scatter(const mx::array& a0, const mx::array& i, const mx::array& s0, int d, bool add) {
  if (i.size() == 0) return mx::add(a0, mx::zeros_like(a0));  // nothing to write (MLX's scatter rejects empties)
  mx::array a = at_least_1d(a0);
  mx::array s = s0.ndim() == 0 ? mx::reshape(s0, mx::Shape(a.ndim(), 1)) : s0;
  mx::array upd = mx::expand_dims(mx::moveaxis(s, d, 0), d + 1);
  mx::array idx = mx::flatten(i);
  mx::array r = add ? mx::scatter_add(a, {idx}, upd, {d}) : mx::scatter(a, {idx}, upd, {d});
  return mx::reshape(r, a0.shape());
}

}  // namespace

// --- gather / scatter ---------------------------------------------------------------------------------

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  int64_t d = wrap_dim(dim, x.dim());
  Shape out = index.sizes();
  if (index.numel() == 0)
    return apply1("GatherBackward0",
                  fn1([out](const Arrays& in) { return mx::zeros(to_mx_shape(out), in[0].dtype()); }), {x, index},
                  save_inputs({1}));
  FL_CHECK(is_index_dtype(index.dtype()), "gather(): Expected dtype int32/int64 for index");
  FL_CHECK(nonempty_dim(x.dim()) == nonempty_dim(index.dim()),
           "Index tensor must have the same number of dimensions as input tensor");
  for (int64_t k = 0; k < nonempty_dim(x.dim()); ++k)
    FL_CHECK(k == d || nonempty_size(index, k) <= nonempty_size(x, k), "Size does not match at dimension ", k,
             " expected index ", shape_to_string(index.sizes()), " to be no larger than self ",
             shape_to_string(x.sizes()), " apart from dimension ", d);
  check_scatter_gather_bounds(index, d, x.dim() == 0 ? 1 : x.size(d));
  int axis = static_cast<int>(d);
  return apply1("GatherBackward0", fn1([axis, out](const Arrays& in) {
                  return mx::reshape(gather_axis(at_least_1d(in[0]), at_least_1d(in[1]), axis), to_mx_shape(out));
                }),
                {x, index}, save_inputs({1}));
}

Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src,
               const std::optional<std::string>& reduce) {
  if (!reduce) return scatter_impl("ScatterBackward0", x, dim, index, src, "replace", true);
  FL_CHECK(*reduce == "add" || *reduce == "multiply", "reduce argument must be either add or multiply.");
  return scatter_impl("ScatterBackward0", x, dim, index, src, *reduce == "add" ? "sum" : "prod", true);
}

Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Scalar& value) {
  int64_t d = wrap_dim(dim, x.dim());
  FL_CHECK(is_index_dtype(index.dtype()), "scatter(): Expected dtype int32/int64 for index");
  scatter_shape_check(x, d, index, nullptr);
  check_scatter_gather_bounds(index, d, x.dim() == 0 ? 1 : x.size(d));
  check_scalar_fits(value, x.dtype());
  mx::array v = scalar_array(value, x.dtype());
  int axis = static_cast<int>(d);
  return apply1("ScatterBackward1", fn1([axis, v](const Arrays& in) {
                  if (in[1].size() == 0) return mx::copy(in[0]);
                  mx::array a = at_least_1d(in[0]), i = at_least_1d(in[1]);
                  return mx::reshape(scatter_axis(a, i, mx::broadcast_to(v, i.shape()), axis, Reduce::None),
                                     in[0].shape());
                }),
                {x, index}, save_inputs({1}));
}

Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_impl("ScatterAddBackward0", x, dim, index, src, "sum", true);
}

Tensor scatter_reduce(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src, const std::string& reduce,
                      bool include_self) {
  std::string r = reduce == "max" ? "amax" : reduce == "min" ? "amin" : reduce;
  FL_CHECK(r == "sum" || r == "prod" || r == "mean" || r == "amax" || r == "amin",
           "reduce argument must be either sum, prod, mean, amax or amin, got ", reduce);
  return scatter_impl("ScatterReduceBackward0", x, dim, index, src, r, include_self);
}

// --- index_* along one dim -------------------------------------------------------------------------------

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  int64_t d = wrap_dim(dim, x.dim());
  FL_CHECK_INDEX(index.dim() <= 1, "index_select(): Index is supposed to be a vector");
  FL_CHECK(!(x.dim() == 0 && index.numel() != 1), "index_select(): Index to scalar can have only 1 value, got ",
           index.numel(), " value(s)");
  FL_CHECK(is_index_dtype(index.dtype()), "index_select(): Expected dtype int32 or int64 for index");
  FL_CHECK_INDEX(!first_out_of_range(index, 0, x.dim() == 0 ? 1 : x.size(d)), "index out of range in self");
  Shape out = x.sizes();
  if (x.dim() > 0) out[d] = index.numel();
  int axis = static_cast<int>(d);
  return apply1("IndexSelectBackward0", fn1([axis, out](const Arrays& in) {
                  return mx::reshape(mx::take(at_least_1d(in[0]), mx::flatten(in[1]), axis), to_mx_shape(out));
                }),
                {x, index}, save_inputs({1}));
}

Tensor index_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& source, const Scalar& alpha) {
  int64_t d = wrap_dim(dim, x.dim());
  check_index_vector("index_add", index);
  FL_CHECK(is_index_dtype(index.dtype()),
           "index_add_(): Expected dtype int32/int64 for index but got: ", scalar_type_name(index.dtype()));
  FL_CHECK(x.dtype() == source.dtype(), "index_add_(): self (", scalar_type_name(x.dtype()), ") and source (",
           scalar_type_name(source.dtype()), ") must have the same scalar type");
  FL_CHECK(d == 0 || d < source.dim(), "index_add_(): Indexing dim ", d,
           " is out of bounds of the source tensor with dim ", source.dim());
  int64_t src_n = source.dim() == 0 ? 1 : source.size(d);
  FL_CHECK(index.numel() == src_n, "index_add_(): Number of indices (", index.numel(),
           ") should be equal to source.size(dim): (", src_n, "), for dim: ", d);
  Shape xs = x.sizes(), ss = source.sizes();
  if (x.dim() != 0 && source.dim() != 0) {
    xs.erase(xs.begin() + d);
    ss.erase(ss.begin() + d);
  }
  FL_CHECK(xs == ss,
           "source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = ",
           shape_to_string(x.sizes()), " source.shape = ", shape_to_string(source.sizes()));
  int64_t size = x.dim() == 0 ? 1 : x.size(d);
  if (auto bad = first_out_of_range(index, 0, size))
    throw Error(detail::concat("index ", *bad, " is out of bounds for dimension ", d, " with size ", size));
  mx::array a = scalar_array(alpha, x.dtype());
  bool scale = !(alpha.to_double() == 1.0);
  int axis = static_cast<int>(d);
  return apply1("IndexAddBackward0", fn1([axis, a, scale](const Arrays& in) {
                  mx::array s = scale ? mx::multiply(in[2], a) : in[2];
                  return index_scatter(in[0], in[1], s, axis, true);
                }),
                {x, index, source}, save_inputs({1}));
}

Tensor index_copy(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& source) {
  int64_t d = wrap_dim(dim, x.dim());
  FL_CHECK_INDEX(index.dim() < 2, "index_copy_(): Index should have dimension 1 or 0 (got ", index.dim(), ")");
  int64_t n = index.numel();
  FL_CHECK_INDEX(!(source.dim() == 0 && n != 1),
                 "index_copy_(): When source is scalar, index should have one element (got ", n, ")");
  FL_CHECK_INDEX(!(source.dim() != x.dim() && source.dim() != 0 && x.dim() != 0),
                 "index_copy_(): When source and destination are not scalars, their dimensionality must match. "
                 "Source dimensionality (",
                 source.dim(), "), destination dimensionality (", x.dim(), ")");
  FL_CHECK(index.dtype() == kInt64, "index_copy_(): Expected a long tensor for index, but got ",
           scalar_type_name(index.dtype()));
  FL_CHECK(x.dtype() == source.dtype(),
           "index_copy_(): self and source expected to have the same dtype, but got (self) ",
           scalar_type_name(x.dtype()), " and (source) ", scalar_type_name(source.dtype()));
  Shape xs = x.sizes(), ss = source.sizes();
  if (!xs.empty()) xs.erase(xs.begin() + d);
  if (!ss.empty()) ss.erase(ss.begin() + d);
  if (xs != ss) {
    auto join = [](const Shape& s) {
      std::string r;
      for (size_t k = 0; k < s.size(); ++k) r += (k ? " " : "") + std::to_string(s[k]);
      return r;
    };
    throw Error(detail::concat(
        "index_copy_(): Source/destination tensor must have same slice shapes. Destination slice shape: ", join(xs),
        " at dimension ", d, " and source slice shape: ", join(ss), " at dimension 0."));
  }
  FL_CHECK_INDEX(source.dim() == 0 || n == source.size(d), "index_copy_(): Number of indices (", n,
                 ") should be equal to source.size(dim) (", source.size(d), ")");
  int64_t size = x.dim() == 0 ? 1 : x.size(d);
  if (auto bad = first_out_of_range(index, 0, size))
    throw IndexError(
        detail::concat("index_copy_(): index ", *bad, " is out of bounds for dimension ", d, " with size ", size));
  int axis = static_cast<int>(d);
  return apply1("IndexCopyBackward0",
                fn1([axis](const Arrays& in) { return index_scatter(in[0], in[1], in[2], axis, false); }),
                {x, index, source}, save_inputs({1}));
}

Tensor index_fill(const Tensor& x, int64_t dim, const Tensor& index, const Scalar& value) {
  FL_CHECK_INDEX(index.dtype() == kInt64, "index_fill_(): Expected dtype int64 for index.");
  int64_t d = wrap_dim(dim, x.dim());
  FL_CHECK(index.dim() <= 1, "Index has to be a vector/scalar");
  int64_t size = x.dim() == 0 ? 1 : x.size(d);
  if (auto bad = first_out_of_range(index, -size, size))
    throw IndexError(detail::concat("index ", *bad, " is out of bounds for dimension ", d, " with size ", size));
  check_scalar_fits(value, x.dtype());
  mx::array v = scalar_array(value, x.dtype());
  mx::Shape mshape(std::max<int64_t>(x.dim(), 1), 1);
  mshape[d] = static_cast<int>(size);
  return apply1("IndexFillBackward0", fn1([v, size, mshape](const Arrays& in) {
                  mx::array i = wrap_negative(mx::flatten(in[1]), size);
                  mx::array m = mx::scatter(mx::zeros({static_cast<int>(size)}, mx::bool_), {i},
                                            mx::ones({static_cast<int>(i.size()), 1}, mx::bool_), {0});
                  m = mx::reshape(m, mshape);
                  if (in[0].ndim() == 0) m = mx::reshape(m, {});
                  return mx::where(m, v, in[0]);
                }),
                {x, index}, save_inputs({1}));
}

// --- masks, take ---------------------------------------------------------------------------------------------

Tensor masked_fill(const Tensor& x, const Tensor& mask, const Scalar& value) {
  FL_CHECK(mask.dtype() == kBool, "masked_fill_ only supports boolean masks, but got mask with dtype ",
           typemeta_name(mask.dtype()));
  check_scalar_fits(value, x.dtype());
  broadcast_shapes(x.sizes(), mask.sizes());
  mx::array v = scalar_array(value, x.dtype());
  return apply1("MaskedFillBackward0", fn1([v](const Arrays& in) { return mx::where(in[1], v, in[0]); }), {x, mask},
                save_inputs({1}));
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, const Tensor& value) {
  FL_CHECK(mask.dtype() == kBool, "masked_fill_ only supports boolean masks, but got mask with dtype ",
           typemeta_name(mask.dtype()));
  FL_CHECK(value.dim() == 0, "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ",
           value.dim(), " dimension(s).");
  broadcast_shapes(x.sizes(), mask.sizes());
  mx::Dtype d = to_mlx(x.dtype());
  return apply1("MaskedFillBackward1", fn1([d](const Arrays& in) {
                  return mx::where(in[1], in[2].dtype() == d ? in[2] : mx::astype(in[2], d), in[0]);
                }),
                {x, mask, value}, save_inputs({1}));
}

Tensor take(const Tensor& x, const Tensor& index) {
  FL_CHECK(index.dtype() == kInt64, "take(): Expected a long tensor for index, but got ",
           scalar_type_name(index.dtype()));
  int64_t n = x.numel();
  FL_CHECK_INDEX(!(n == 0 && index.numel() != 0), "take(): tried to take from an empty tensor");
  if (auto bad = first_out_of_range(index, -n, n))
    throw IndexError(detail::concat("out of range: tried to access index ", *bad, " on a tensor of ", n, " elements."));
  return apply1("TakeBackward0", fn1([n](const Arrays& in) {
                  if (in[1].size() == 0) return mx::zeros(in[1].shape(), in[0].dtype());
                  return mx::take(mx::flatten(in[0]), wrap_negative(in[1], n));
                }),
                {x, index}, save_inputs({1}));
}

Tensor take_along_dim(const Tensor& x, const Tensor& indices, std::optional<int64_t> dim) {
  if (!dim) return gather(x.view({-1}), 0, indices.view({-1}));  // view: non-contiguous input errors, as torch
  FL_CHECK(x.dim() == indices.dim(),
           "torch.take_along_dim(): input and indices should have the same number of "
           "dimensions, but got ",
           x.dim(), " dimensions for input, and ", indices.dim(), " dimensions for indices");
  FL_CHECK(indices.dtype() == kInt64, "torch.take_along_dim(): dtype of indices should be Long but got ",
           scalar_type_name(indices.dtype()));
  int64_t d = wrap_dim(*dim, x.dim());
  Shape xs = x.sizes(), is = indices.sizes();
  if (x.dim() == 0) return gather(x, 0, indices);
  xs[d] = indices.size(d);
  Shape ishape = broadcast_shapes(xs, indices.sizes());
  is[d] = x.size(d);
  Shape xshape = broadcast_shapes(is, x.sizes());
  Tensor xb = x.expand(xshape), ib = indices.expand(ishape);
  // Negative indices wrap here (PyTorch does not bounds-check this path).
  int64_t size = x.size(d);
  if (auto bad = first_out_of_range(ib, -size, size))
    throw Error(detail::concat("index ", *bad, " is out of bounds for dimension ", d, " with size ", size));
  int axis = static_cast<int>(d);
  return apply1("GatherBackward0",
                fn1([axis, size](const Arrays& in) { return gather_axis(in[0], wrap_negative(in[1], size), axis); }),
                {xb, ib}, save_inputs({1}));
}

}  // namespace fl

namespace fl {
Tensor Tensor::index_select(int64_t dim, const Tensor& index) const { return fl::index_select(*this, dim, index); }
Tensor Tensor::gather(int64_t dim, const Tensor& index) const { return fl::gather(*this, dim, index); }
Tensor Tensor::scatter(int64_t dim, const Tensor& index, const Tensor& src) const {
  return fl::scatter(*this, dim, index, src);
}
Tensor Tensor::scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const {
  return fl::scatter_add(*this, dim, index, src);
}
Tensor Tensor::masked_fill(const Tensor& mask, const Scalar& value) const {
  return fl::masked_fill(*this, mask, value);
}
Tensor Tensor::masked_select(const Tensor& mask) const { return fl::masked_select(*this, mask); }
Tensor Tensor::nonzero() const { return fl::nonzero(*this); }
}  // namespace fl

namespace fl {
static OpRegistrar kRegistrar({
    {"index_select", "indexing", true},   {"gather", "indexing", true},         {"scatter", "indexing", true},
    {"scatter_add", "indexing", true},    {"scatter_reduce", "indexing", true}, {"index_add", "indexing", true},
    {"index_copy", "indexing", true},     {"index_fill", "indexing", true},     {"masked_fill", "indexing", true},
    {"masked_select", "indexing", true},  {"masked_scatter", "indexing", true}, {"take", "indexing", true},
    {"take_along_dim", "indexing", true}, {"nonzero", "indexing", false},       {"nonzero_tuple", "indexing", false},
    {"index", "indexing", true},          {"index_put", "indexing", true},      {"index_put_", "indexing", true},
    {"one_hot", "indexing", false},       {"bincount", "indexing", false},      {"unique", "indexing", false},
    {"searchsorted", "indexing", false},  {"bucketize", "indexing", false},
});
}  // namespace fl
