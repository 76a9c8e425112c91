// x[...] and x[...] = v with PyTorch's rules: basic indices (ints, slices, None, Ellipsis) make views,
// tensor indices go through advanced indexing (gather / scatter). Also masked_select/scatter and nonzero,
// whose sizes depend on the data (they evaluate).
#include <limits>

#include "fl/ops/indexing.h"
#include "ops/indexing_impl.h"

namespace fl {

using namespace indexing;

namespace {

using OptTensors = std::vector<std::optional<Tensor>>;

// Advanced indices after masks are expanded and all are broadcast (torch's make_info).
struct AdvIndex {
  std::vector<Tensor> idx;   // the defined index tensors, in dim order
  std::vector<int> axes;     // the dims of x they index
  std::vector<int> sizes;    // x's size along each of those dims
  Shape bshape;              // their broadcast shape
  Shape rest;                // x's dims that are not indexed, in order
  int64_t insert_pos = 0;    // where bshape goes among `rest` in the result
  Shape result;              // the shape of x[indices]
  bool single_mask = false;  // one bool mask and nothing else (PyTorch then takes a masked_fill path)
};

bool is_mask(const Tensor& t) { return t.dtype() == kBool || t.dtype() == kUInt8; }

// Row-major coordinates (n, ndim) of the non-zero elements of t (evaluates).
std::vector<int64_t> nonzero_coords(const Tensor& t, int64_t& n) {
  auto flat = nonzero_flat(t.mlx());
  int64_t nd = t.dim();
  n = static_cast<int64_t>(flat.size());
  std::vector<int64_t> data(n * nd);
  for (int64_t k = 0; k < n; ++k) {
    int64_t p = flat[k];
    for (int64_t j = nd - 1; j >= 0; --j) {
      data[k * nd + j] = p % t.size(j);
      p /= t.size(j);
    }
  }
  return data;
}

// The same coordinates as one int64 tensor per dim.
std::vector<Tensor> nonzero_columns(const Tensor& t) {
  int64_t n = 0, nd = t.dim();
  auto data = nonzero_coords(t, n);
  std::vector<Tensor> r;
  for (int64_t j = 0; j < nd; ++j) {
    std::vector<int64_t> c(n);
    for (int64_t k = 0; k < n; ++k) c[k] = data[k * nd + j];
    r.push_back(int64_tensor(c, {n}));
  }
  return r;
}

AdvIndex make_info(const Tensor& x, const OptTensors& indices) {
  FL_CHECK_INDEX(static_cast<int64_t>(indices.size()) <= x.dim(), "too many indices for tensor of dimension ", x.dim(),
                 " (got ", indices.size(), ")");
  int defined = 0, masks = 0;
  for (auto& t : indices) {
    if (!t || !t->defined()) continue;
    ++defined;
    masks += is_mask(*t);
    Dtype d = t->dtype();
    FL_CHECK_INDEX(d == kInt64 || d == kInt32 || is_mask(*t),
                   "tensors used as indices must be long, int, byte or bool tensors");
  }
  AdvIndex info;
  info.single_mask = defined == 1 && masks == 1;
  OptTensors ex;
  for (auto& o : indices) {
    if (!o || !o->defined()) {
      ex.emplace_back();
      continue;
    }
    const Tensor& t = *o;
    if (!is_mask(t)) {
      ex.push_back(t);
      continue;
    }
    for (int64_t j = 0; j < t.dim(); ++j) {
      int64_t src = static_cast<int64_t>(ex.size()) + j;
      FL_CHECK_INDEX(t.size(j) == x.size(wrap_dim(src, x.dim())), "The shape of the mask ", shape_to_string(t.sizes()),
                     " at index ", j, " does not match the shape of the indexed tensor ", shape_to_string(x.sizes()),
                     " at index ", src);
    }
    for (auto& c : nonzero_columns(t)) ex.push_back(c);
  }
  FL_CHECK_INDEX(static_cast<int64_t>(ex.size()) <= x.dim(), "too many indices for tensor of dimension ", x.dim());
  // Broadcast the index tensors together.
  std::string shapes;
  bool first = true;
  for (auto& t : ex)
    if (t) {
      shapes += (first ? "" : ", ") + shape_to_string(t->sizes());
      first = false;
    }
  first = true;
  for (size_t p = 0; p < ex.size(); ++p) {
    if (!ex[p]) continue;
    try {
      info.bshape = first ? ex[p]->sizes() : broadcast_shapes(info.bshape, ex[p]->sizes());
    } catch (const Error&) {
      throw IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes " + shapes);
    }
    first = false;
    info.idx.push_back(*ex[p]);
    info.axes.push_back(static_cast<int>(p));
    info.sizes.push_back(static_cast<int>(x.size(p)));
  }
  for (int64_t p = 0; p < x.dim(); ++p)
    if (p >= static_cast<int64_t>(ex.size()) || !ex[p]) info.rest.push_back(x.size(p));
  bool contiguous = info.axes.empty() || info.axes.back() - info.axes.front() + 1 == static_cast<int>(info.axes.size());
  info.insert_pos = contiguous && !info.axes.empty() ? info.axes.front() : 0;
  info.result.assign(info.rest.begin(), info.rest.begin() + info.insert_pos);
  info.result.insert(info.result.end(), info.bshape.begin(), info.bshape.end());
  info.result.insert(info.result.end(), info.rest.begin() + info.insert_pos, info.rest.end());
  for (size_t k = 0; k < info.idx.size(); ++k)
    if (auto bad = first_out_of_range(info.idx[k], -info.sizes[k], info.sizes[k]))
      throw IndexError(
          detail::concat("index ", *bad, " is out of bounds for dimension ", k, " with size ", info.sizes[k]));
  return info;
}

// The index arrays (in[first..]) wrapped and broadcast, as mx::gather / mx::scatter take them.
std::vector<mx::array> index_arrays(const AdvIndex& info, const Arrays& in, size_t first) {
  std::vector<mx::array> r;
  for (size_t k = 0; k < info.idx.size(); ++k)
    r.push_back(
        mx::broadcast_to(wrap_negative(mx::astype(in[first + k], mx::int64), info.sizes[k]), to_mx_shape(info.bshape)));
  return r;
}

mx::Shape slice_sizes(const AdvIndex& info, const mx::Shape& xs) {
  mx::Shape s = xs;
  for (int a : info.axes) s[a] = 1;
  return s;
}

// Moves `n` dims starting at `from` to start at `to`.
mx::array move_block(const mx::array& a, int from, int n, int to) {
  if (from == to || n == 0) return a;
  std::vector<int> dims, perm;
  for (int k = 0; k < static_cast<int>(a.ndim()); ++k)
    if (k < from || k >= from + n) dims.push_back(k);
  perm.assign(dims.begin(), dims.begin() + to);
  for (int k = 0; k < n; ++k) perm.push_back(from + k);
  perm.insert(perm.end(), dims.begin() + to, dims.end());
  return mx::transpose(a, perm);
}

mx::array gather_adv(const AdvIndex& info, const Arrays& in) {
  const mx::array& a = in[0];
  if (numel_of(info.result) == 0) return mx::zeros(to_mx_shape(info.result), a.dtype());
  mx::array g = mx::gather(a, index_arrays(info, in, 1), info.axes, slice_sizes(info, a.shape()));
  Shape s = info.bshape;
  s.insert(s.end(), info.rest.begin(), info.rest.end());
  g = mx::reshape(g, to_mx_shape(s));
  return move_block(g, 0, static_cast<int>(info.bshape.size()), static_cast<int>(info.insert_pos));
}

// in: x, values, indices...
mx::array scatter_adv(const AdvIndex& info, const Arrays& in, bool accumulate) {
  const mx::array& a = in[0];
  if (numel_of(info.bshape) == 0) return mx::copy(a);
  mx::array v = mx::broadcast_to(mx::astype(in[1], a.dtype()), to_mx_shape(info.result));
  int nb = static_cast<int>(info.bshape.size());
  v = move_block(v, static_cast<int>(info.insert_pos), nb, 0);
  mx::Shape us = to_mx_shape(info.bshape), ss = slice_sizes(info, a.shape());
  us.insert(us.end(), ss.begin(), ss.end());
  v = mx::reshape(v, us);
  auto idx = index_arrays(info, in, 2);
  return accumulate ? mx::scatter_add(a, idx, v, info.axes) : mx::scatter(a, idx, v, info.axes);
}

SaveMask index_saves(const AdvIndex& info, int first) {
  SaveMask m = 0;
  for (size_t k = 0; k < info.idx.size() && first + k < 31; ++k) m |= 1u << (first + k);
  return m;
}

void check_put_value(const Tensor& self, const AdvIndex& info, const Tensor& value, bool accumulate) {
  const Shape& vs = value.sizes();
  bool ok = vs.size() <= info.result.size();
  for (size_t k = 0; ok && k < vs.size(); ++k) {
    int64_t r = info.result[info.result.size() - vs.size() + k];
    ok = vs[k] == r || vs[k] == 1;
  }
  FL_CHECK(ok, "shape mismatch: value tensor of shape ", shape_to_string(vs),
           " cannot be broadcast to indexing result of shape ", shape_to_string(info.result));
  // A single mask with a one-element value is a masked_fill in PyTorch, which casts the value.
  if (info.single_mask && !accumulate && value.numel() == 1) return;
  FL_CHECK(value.dtype() == self.dtype(), "Index put requires the source and destination dtypes match, got ",
           scalar_type_name(self.dtype()), " for the destination and ", scalar_type_name(value.dtype()),
           " for the source.");
}

// --- basic indexing (views) -------------------------------------------------------------------------------

Tensor alias(const Tensor& t) {
  ViewOp op{ViewOp::Kind::Reshape, 0, 0, 0, 1, t.sizes(), nullptr};
  op.grad_name = "AliasBackward0";
  Tensor v = make_view(t, op, t.sizes(), t.strides(), t.storage_offset());
  record_view(t, v);
  return v;
}

Tensor apply_select(const Tensor& t, int64_t dim, int64_t index, int64_t real_dim) {
  if (t.dim() == 0) {
    FL_CHECK_INDEX(!(index == 0 && dim == 0),
                   "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                   "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number");
    throw IndexError(detail::concat("index ", index, " is out of bounds for dimension ", real_dim, " with size 0"));
  }
  int64_t size = t.size(dim);
  FL_CHECK_INDEX(index >= -size && index < size, "index ", index, " is out of bounds for dimension ", real_dim,
                 " with size ", size);
  return t.select(dim, index);
}

Tensor apply_slice(const Tensor& t, int64_t dim, const Slice& s, bool disable_optimization) {
  FL_CHECK_VALUE(s.step > 0, "step must be greater than zero");
  if (!disable_optimization && t.dim() > 0 && s.start.value_or(0) == 0 &&
      t.size(dim) <= s.stop.value_or(std::numeric_limits<int64_t>::max()) && s.step == 1)
    return t;
  return t.slice(dim, s.start, s.stop, s.step);
}

Tensor bool_index(bool v) { return int64_tensor(v ? std::vector<int64_t>{0} : std::vector<int64_t>{}, {v ? 1 : 0}); }

// torch's applySlicing: basic indices become views; tensor indices are collected per dim of the result.
Tensor apply_slicing(const Tensor& self, const std::vector<TensorIndex>& indices, OptTensors& out, bool disable_opt) {
  using K = TensorIndex::Kind;
  int64_t specified = 0;
  for (auto& i : indices) {
    if (i.kind() == K::Tensor)
      specified += is_mask(i.tensor()) ? i.tensor().dim() : 1;
    else if (i.kind() == K::Int || i.kind() == K::Slice)
      ++specified;
  }
  FL_CHECK_INDEX(specified <= self.dim(), "too many indices for tensor of dimension ", self.dim());
  Tensor result = self;
  int64_t dim = 0;
  auto record = [&](const Tensor& t) {
    if (out.empty()) {
      out.resize(dim + 1);
      out[dim] = t;
    } else {
      out.push_back(t);
    }
    dim += is_mask(t) ? t.dim() : 1;
  };
  for (size_t k = 0; k < indices.size(); ++k) {
    const TensorIndex& i = indices[k];
    int64_t real_dim = static_cast<int64_t>(k);
    switch (i.kind()) {
      case K::Int:
        result = apply_select(result, dim, i.integer(), real_dim);
        break;
      case K::Slice:
        result = apply_slice(result, dim, i.slice(), disable_opt);
        ++dim;
        if (!out.empty()) out.emplace_back();
        break;
      case K::Ellipsis: {
        int64_t n = self.dim() - specified;
        dim += n;
        if (!out.empty()) out.resize(out.size() + n);
        break;
      }
      case K::None:
        result = result.unsqueeze(dim);
        ++dim;
        if (!out.empty()) out.emplace_back();
        break;
      case K::Bool:
        result = result.unsqueeze(dim);
        record(bool_index(i.integer() != 0));
        break;
      case K::Tensor: {
        const Tensor& t = i.tensor();
        if (t.dim() == 0 && is_integral(t.dtype(), true)) {
          if (!is_mask(t)) {
            result = apply_select(result, dim, t.item<int64_t>(), real_dim);
          } else {
            result = result.unsqueeze(dim);
            record(bool_index(t.item<int64_t>() != 0));
          }
        } else {
          record(t);
        }
        break;
      }
    }
  }
  while (!out.empty() && !out.back()) out.pop_back();
  return result;
}

// x[...] = value for a basic-indexed view: copy with PyTorch's setitem broadcasting.
void copy_to(Tensor dst, const Tensor& src) {
  if (dst.sizes() == src.sizes() || src.dim() == 0) {
    dst.copy_(src);
    return;
  }
  dst.copy_(strip_leading_ones(src).expand(dst.sizes()));
}

Tensor& index_put_inplace(Tensor& self, const OptTensors& indices, const Tensor& value, bool accumulate) {
  AdvIndex info = make_info(self, indices);
  check_put_value(self, info, value, accumulate);
  std::vector<Tensor> others{value};
  others.insert(others.end(), info.idx.begin(), info.idx.end());
  return apply_inplace(
      "IndexPutBackward0", self,
      [info, accumulate](const Arrays& in) { return Arrays{scatter_adv(info, in, accumulate)}; }, others,
      index_saves(info, 2));
}

}  // namespace

// --- public API ----------------------------------------------------------------------------------------

Tensor index(const Tensor& x, const std::vector<std::optional<Tensor>>& indices) {
  AdvIndex info = make_info(x, indices);
  std::vector<Tensor> inputs{x};
  inputs.insert(inputs.end(), info.idx.begin(), info.idx.end());
  if (info.idx.empty()) return apply1("IndexBackward0", fn1([](const Arrays& in) { return mx::copy(in[0]); }), {x});
  return apply1("IndexBackward0", fn1([info](const Arrays& in) { return gather_adv(info, in); }), inputs,
                index_saves(info, 1));
}

Tensor index_put(const Tensor& x, const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                 bool accumulate) {
  AdvIndex info = make_info(x, indices);
  check_put_value(x, info, values, accumulate);
  std::vector<Tensor> inputs{x, values};
  inputs.insert(inputs.end(), info.idx.begin(), info.idx.end());
  return apply1("IndexPutBackward0",
                fn1([info, accumulate](const Arrays& in) { return scatter_adv(info, in, accumulate); }), inputs,
                index_saves(info, 2));
}

Tensor Tensor::index(const std::vector<TensorIndex>& indices) const {
  using K = TensorIndex::Kind;
  if (indices.size() == 1) {
    const TensorIndex& i = indices[0];
    switch (i.kind()) {
      case K::Int:
        return apply_select(*this, 0, i.integer(), 0);
      case K::Slice:
        return apply_slice(*this, 0, i.slice(), true);
      case K::None:
        return unsqueeze(0);
      case K::Ellipsis:
        return alias(*this);
      case K::Bool:
        return fl::index(unsqueeze(0), {bool_index(i.integer() != 0)});
      case K::Tensor:
        break;
    }
  }
  OptTensors tensors;
  Tensor sliced = apply_slicing(*this, indices, tensors, false);
  if (tensors.empty()) return sliced.impl() == impl() ? alias(sliced) : sliced;
  return fl::index(sliced, tensors);
}

Tensor& Tensor::index_put_(const std::vector<TensorIndex>& indices, const Tensor& value) {
  using K = TensorIndex::Kind;
  if (indices.size() == 1) {
    const TensorIndex& i = indices[0];
    switch (i.kind()) {
      case K::Bool:
        if (i.integer()) copy_to(unsqueeze(0), value);
        return *this;
      case K::Ellipsis:
        copy_to(*this, value);
        return *this;
      case K::None:
        copy_to(unsqueeze(0), value);
        return *this;
      case K::Int:
        copy_to(apply_select(*this, 0, i.integer(), 0), value);
        return *this;
      case K::Slice:
        copy_to(apply_slice(*this, 0, i.slice(), false), value);
        return *this;
      case K::Tensor:
        break;
    }
  }
  OptTensors tensors;
  Tensor sliced = apply_slicing(*this, indices, tensors, false);
  if (tensors.empty()) {
    copy_to(sliced, value);
    return *this;
  }
  index_put_inplace(sliced, tensors, strip_leading_ones(value), false);
  return *this;
}

Tensor& Tensor::index_put_(const std::vector<TensorIndex>& indices, const Scalar& value) {
  check_scalar_fits(value, dtype());
  return index_put_(indices, make_tensor(scalar_array(value, dtype()), device()));
}

// --- data-dependent shapes --------------------------------------------------------------------------------

Tensor masked_select(const Tensor& x, const Tensor& mask) {
  FL_CHECK(mask.dtype() == kBool, "masked_select: expected BoolTensor for mask");
  Shape shape = broadcast_shapes(mask.sizes(), x.sizes());
  auto pos = nonzero_flat(mx::broadcast_to(mask.mlx(), to_mx_shape(shape)));
  Tensor ipos = int64_tensor(pos, {static_cast<int64_t>(pos.size())});
  // A gather with the evaluated positions, so that MLX's vjp gives the backward.
  return apply1("MaskedSelectBackward0", fn1([shape](const Arrays& in) {
                  if (in[2].size() == 0) return mx::zeros({0}, in[0].dtype());
                  return mx::take(mx::flatten(mx::broadcast_to(in[0], to_mx_shape(shape))), in[2]);
                }),
                {x, mask, ipos}, save_inputs({1}));
}

Tensor masked_scatter(const Tensor& x, const Tensor& mask, const Tensor& source) {
  FL_CHECK(x.dtype() == source.dtype(), "masked_scatter: expected self and source to have same dtypes but got",
           scalar_type_name(x.dtype()), " and ", scalar_type_name(source.dtype()));
  FL_CHECK(mask.dtype() == kBool, "masked_scatter_ only supports boolean masks, but got mask with dtype ",
           scalar_type_name(mask.dtype()));
  Shape shape = broadcast_shapes(mask.sizes(), x.sizes());
  mx::array count = mx::sum(mx::astype(mx::broadcast_to(mask.mlx(), to_mx_shape(shape)), mx::int64));
  mx::eval(count);
  FL_CHECK(count.item<int64_t>() <= source.numel(), "Number of elements of source < number of ones in mask");
  bool any = count.item<int64_t>() > 0;
  return apply1("MaskedScatterBackward0", fn1([shape, any](const Arrays& in) {
                  mx::Shape s = to_mx_shape(shape);
                  mx::array self = mx::broadcast_to(in[0], s);
                  if (!any) return mx::copy(self);
                  mx::array m = mx::flatten(mx::broadcast_to(in[1], s));
                  // The k-th true position takes source element k.
                  mx::array rank = mx::subtract(mx::cumsum(mx::astype(m, mx::int64)), mx::array(1, mx::int64));
                  rank = mx::where(m, rank, mx::zeros_like(rank));
                  mx::array src = mx::reshape(mx::take(mx::flatten(in[2]), rank), s);
                  return mx::where(mx::reshape(m, s), src, self);
                }),
                {x, mask, source}, save_inputs({1}));
}

Tensor nonzero(const Tensor& x) {
  int64_t n = 0;
  auto data = nonzero_coords(x, n);
  return int64_tensor(data, {n, x.dim()});
}

std::vector<Tensor> nonzero_tuple(const Tensor& x) { return nonzero_columns(x.dim() == 0 ? x.reshape({1}) : x); }

}  // namespace fl
