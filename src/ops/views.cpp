// View ops: they share storage with their base, with PyTorch's stride metadata and grad_fn names.
#include <numeric>

#include "ops/op_utils.h"

namespace fl {

namespace {
Tensor finish_view(const Tensor& self, ViewOp op, Shape shape, Shape strides, int64_t offset) {
  Tensor v = make_view(self, std::move(op), std::move(shape), std::move(strides), offset);
  record_view(self, v);
  return v;
}

ViewOp reshape_op(Shape shape, const char* name) {
  ViewOp op{ViewOp::Kind::Reshape};
  op.shape = std::move(shape);
  op.grad_name = name;
  return op;
}

// PyTorch's computeStride: strides for viewing (shape, stride) as new_shape, or nullopt if impossible.
std::optional<Shape> compute_stride(const Shape& oldshape, const Shape& oldstride, const Shape& newshape) {
  if (oldshape.empty()) return Shape(newshape.size(), 1);
  int64_t numel = numel_of(oldshape);
  if (numel == 0 && oldshape == newshape) return oldstride;
  Shape newstride(newshape.size());
  if (numel == 0) {
    for (int64_t d = static_cast<int64_t>(newshape.size()) - 1; d >= 0; --d)
      newstride[d] = d == static_cast<int64_t>(newshape.size()) - 1 ? 1 : std::max<int64_t>(newshape[d + 1], 1) * newstride[d + 1];
    return newstride;
  }
  int64_t view_d = static_cast<int64_t>(newshape.size()) - 1;
  int64_t chunk_base_stride = oldstride.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t tensor_d = static_cast<int64_t>(oldshape.size()) - 1; tensor_d >= 0; tensor_d--) {
    tensor_numel *= oldshape[tensor_d];
    if (tensor_d == 0 ||
        (oldshape[tensor_d - 1] != 1 && oldstride[tensor_d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || newshape[view_d] == 1)) {
        newstride[view_d] = view_numel * chunk_base_stride;
        view_numel *= newshape[view_d];
        view_d--;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (tensor_d > 0) {
        chunk_base_stride = oldstride[tensor_d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return newstride;
}
}  // namespace

/// Resolves one -1 in a requested shape, with PyTorch's errors.
Shape infer_size(const Shape& shape, int64_t numel) {
  Shape r = shape;
  int64_t known = 1;
  std::optional<size_t> infer;
  for (size_t i = 0; i < r.size(); ++i) {
    if (r[i] == -1) {
      FL_CHECK(!infer, "only one dimension can be inferred");
      infer = i;
    } else {
      FL_CHECK(r[i] >= 0, "invalid shape dimension ", r[i]);
      known *= r[i];
    }
  }
  if (infer) {
    FL_CHECK(known != 0 && numel % known == 0, "shape '", shape_to_string(shape), "' is invalid for input of size ", numel);
    r[*infer] = numel / known;
  } else {
    FL_CHECK(known == numel, "shape '", shape_to_string(shape), "' is invalid for input of size ", numel);
  }
  return r;
}

Tensor Tensor::view(const Shape& shape) const {
  Shape target = infer_size(shape, numel());
  auto st = compute_stride(sizes(), strides(), target);
  FL_CHECK(st,
           "view size is not compatible with input tensor's size and stride (at least one dimension spans across two "
           "contiguous subspaces). Use .reshape(...) instead.");
  return finish_view(*this, reshape_op(target, "ViewBackward0"), target, *st, storage_offset());
}

Tensor Tensor::reshape(const Shape& shape) const {
  Shape target = infer_size(shape, numel());
  if (auto st = compute_stride(sizes(), strides(), target))
    return finish_view(*this, reshape_op(target, "ViewBackward0"), target, *st, storage_offset());
  return apply1("UnsafeViewBackward0", fn1([target](const Arrays& in) { return mx::reshape(in[0], to_mx_shape(target)); }),
                {*this});
}

Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  if (dim() == 0) return reshape({1});
  int64_t s = wrap_dim(start_dim, dim()), e = wrap_dim(end_dim, dim());
  FL_CHECK(s <= e, "flatten() has invalid args: start_dim cannot come after end_dim");
  if (s == e) return *this;
  Shape shape(sizes().begin(), sizes().begin() + s);
  int64_t merged = 1;
  for (int64_t i = s; i <= e; ++i) merged *= sizes()[i];
  shape.push_back(merged);
  shape.insert(shape.end(), sizes().begin() + e + 1, sizes().end());
  return reshape(shape);
}

Tensor Tensor::permute(const Shape& dims) const {
  FL_CHECK(static_cast<int64_t>(dims.size()) == dim(), "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = ",
           dim(), " is not equal to len(dims) = ", dims.size());
  Shape perm, shape, st;
  std::vector<bool> seen(dim(), false);
  for (auto d : dims) {
    int64_t w = wrap_dim(d, dim());
    FL_CHECK(!seen[w], "permute(): duplicate dims are not allowed.");
    seen[w] = true;
    perm.push_back(w);
    shape.push_back(sizes()[w]);
    st.push_back(strides()[w]);
  }
  ViewOp op{ViewOp::Kind::Permute};
  op.shape = perm;
  op.grad_name = "PermuteBackward0";
  return finish_view(*this, op, shape, st, storage_offset());
}

Tensor Tensor::transpose(int64_t d0, int64_t d1) const {
  int64_t n = dim();
  int64_t a = wrap_dim(d0, n), b = wrap_dim(d1, n);
  Shape perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  if (n > 0) std::swap(perm[a], perm[b]);
  Shape shape = sizes(), st = strides();
  if (n > 0) {
    std::swap(shape[a], shape[b]);
    std::swap(st[a], st[b]);
  }
  ViewOp op{ViewOp::Kind::Permute};
  op.shape = perm;
  op.grad_name = "TransposeBackward0";
  return finish_view(*this, op, shape, st, storage_offset());
}

Tensor Tensor::t() const {
  FL_CHECK(dim() <= 2, "t() expects a tensor with <= 2 dimensions, but self is ", dim(), "D");
  Tensor r = transpose(0, dim() < 2 ? 0 : 1);
  r.impl()->chain.back().grad_name = "TBackward0";
  if (auto fn = r.grad_fn()) static_cast<FunctionNode*>(fn.get())->op_name = "TBackward0";
  return r;
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  FL_CHECK_INDEX(dim() > 0, "select() cannot be applied to a 0-dim tensor.");
  int64_t w = wrap_dim(d, dim());
  int64_t size = sizes()[w];
  FL_CHECK_INDEX(index >= -size && index < size, "select(): index ", index, " out of range for tensor of size ",
                 shape_to_string(sizes()), " at dimension ", w);
  if (index < 0) index += size;
  Shape shape = sizes(), st = strides();
  int64_t offset = storage_offset() + index * st[w];
  shape.erase(shape.begin() + w);
  st.erase(st.begin() + w);
  ViewOp op{ViewOp::Kind::Select};
  op.dim = w;
  op.start = index;
  op.grad_name = "SelectBackward0";
  return finish_view(*this, op, shape, st, offset);
}

Tensor Tensor::slice(int64_t d, std::optional<int64_t> start_opt, std::optional<int64_t> stop_opt, int64_t step) const {
  FL_CHECK_INDEX(dim() > 0, "slice() cannot be applied to a 0-dim tensor.");
  FL_CHECK_VALUE(step > 0, "step must be greater than zero");
  int64_t w = wrap_dim(d, dim());
  int64_t size = sizes()[w];
  int64_t start = start_opt.value_or(0), stop = stop_opt.value_or(size);
  if (start < 0) start += size;
  if (stop < 0) stop += size;
  start = std::clamp<int64_t>(start, 0, size);
  stop = std::clamp<int64_t>(stop, start, size);
  Shape shape = sizes(), st = strides();
  int64_t offset = storage_offset() + start * st[w];
  shape[w] = (stop - start + step - 1) / step;
  st[w] *= step;
  ViewOp op{ViewOp::Kind::Slice};
  op.dim = w;
  op.start = start;
  op.stop = stop;
  op.step = step;
  op.grad_name = "SliceBackward0";
  return finish_view(*this, op, shape, st, offset);
}

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  FL_CHECK(dim() > 0, "narrow() cannot be applied to a 0-dim tensor.");
  int64_t w = wrap_dim(d, dim());
  int64_t size = sizes()[w];
  FL_CHECK_INDEX(start >= -size && start <= size, "start out of range (expected to be in range of [", -size, ", ", size,
                 "], but got ", start, ")");
  if (start < 0) start += size;
  FL_CHECK(length >= 0 && start <= size - length, "start (", start, ") + length (", length,
           ") exceeds dimension size (", size, ").");
  return slice(w, start, start + length, 1);
}

Tensor Tensor::expand(const Shape& target) const {
  int64_t n = dim(), m = static_cast<int64_t>(target.size());
  FL_CHECK(m >= n, "expand(torch.", scalar_type_name(dtype()), "Tensor{", shape_to_string(sizes()), "}, size=", shape_to_string(target),
           "): the number of sizes provided (", m, ") must be greater or equal to the number of dimensions in the tensor (",
           n, ")");
  Shape shape(m), st(m);
  for (int64_t i = m - 1; i >= 0; --i) {
    int64_t j = i - (m - n);
    int64_t want = target[i];
    if (j >= 0) {
      int64_t have = sizes()[j];
      if (want == -1) want = have;
      FL_CHECK(have == want || have == 1, "The expanded size of the tensor (", want,
               ") must match the existing size (", have, ") at non-singleton dimension ", i, ".  Target sizes: ",
               shape_to_string(target), ".  Tensor sizes: ", shape_to_string(sizes()));
      shape[i] = want;
      st[i] = have == want ? strides()[j] : 0;
    } else {
      FL_CHECK(want >= 0, "The expanded size of the tensor (", want,
               ") isn't allowed in a leading, non-existing dimension ", i);
      shape[i] = want;
      st[i] = 0;
    }
  }
  ViewOp op{ViewOp::Kind::Expand};
  op.shape = shape;
  op.grad_name = "ExpandBackward0";
  return finish_view(*this, op, shape, st, storage_offset());
}

Tensor Tensor::expand_as(const Tensor& other) const { return expand(other.sizes()); }

Tensor Tensor::unsqueeze(int64_t d) const {
  int64_t w = wrap_dim(d, dim() + 1);
  Shape shape = sizes(), st = strides();
  int64_t ns = w >= dim() ? 1 : shape[w] * st[w];
  shape.insert(shape.begin() + w, 1);
  st.insert(st.begin() + w, ns);
  return finish_view(*this, reshape_op(shape, "UnsqueezeBackward0"), shape, st, storage_offset());
}

Tensor Tensor::squeeze() const {
  Shape shape, st;
  for (int64_t i = 0; i < dim(); ++i)
    if (sizes()[i] != 1) {
      shape.push_back(sizes()[i]);
      st.push_back(strides()[i]);
    }
  return finish_view(*this, reshape_op(shape, "SqueezeBackward0"), shape, st, storage_offset());
}

Tensor Tensor::squeeze(int64_t d) const {
  int64_t w = wrap_dim(d, dim());
  Shape shape = sizes(), st = strides();
  if (dim() > 0 && shape[w] == 1) {
    shape.erase(shape.begin() + w);
    st.erase(st.begin() + w);
  }
  return finish_view(*this, reshape_op(shape, "SqueezeBackward1"), shape, st, storage_offset());
}

Tensor Tensor::diagonal(int64_t offset, int64_t dim1, int64_t dim2) const {
  int64_t a = wrap_dim(dim1, dim()), b = wrap_dim(dim2, dim());
  FL_CHECK(a != b, "diagonal dimensions cannot be identical ", dim1, ", ", dim2);
  int64_t len = offset >= 0 ? std::max<int64_t>(std::min(sizes()[a], sizes()[b] - offset), 0)
                            : std::max<int64_t>(std::min(sizes()[a] + offset, sizes()[b]), 0);
  int64_t off = storage_offset();
  if (len > 0) off += offset >= 0 ? offset * strides()[b] : -offset * strides()[a];
  Shape shape, st;
  for (int64_t i = 0; i < dim(); ++i)
    if (i != a && i != b) {
      shape.push_back(sizes()[i]);
      st.push_back(strides()[i]);
    }
  shape.push_back(len);
  st.push_back(strides()[a] + strides()[b]);
  ViewOp op{ViewOp::Kind::Diagonal};
  op.start = offset;
  op.dim = a;
  op.stop = b;
  op.grad_name = "DiagonalBackward0";
  return finish_view(*this, op, shape, st, off);
}

}  // namespace fl
