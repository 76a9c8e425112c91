// Structural products: kron, trace, diag, diag_embed, cross. All are MLX compositions (MLX differentiates them).
#include <algorithm>
#include <cstdlib>

#include "fl/ops/linalg.h"
#include "ops/op_utils.h"

namespace fl {

namespace {
mx::array zero_like(const mx::array& x) { return mx::zeros({}, x.dtype()); }

// x[..., n] -> [..., m, m] (m = n + |offset|) with x on the offset diagonal of the last two dims.
mx::array embed_last(const mx::array& x, int offset) {
  int n = x.shape(-1), m = n + std::abs(offset);
  int last = x.ndim() - 1;
  mx::array v = std::abs(offset) == 0 ? x : mx::pad(x, {last}, {0}, {std::abs(offset)}, mx::array(0, x.dtype()));
  mx::array mask = mx::eye(m, m, offset, mx::bool_);
  // Above the diagonal, row i holds x[i]; below it, column j holds x[j].
  mx::array vals = offset >= 0 ? mx::expand_dims(v, -1) : mx::expand_dims(v, -2);
  return mx::where(mask, vals, zero_like(x));
}
}  // namespace

Tensor kron(const Tensor& a, const Tensor& b) {
  Dtype d = result_type(a, b);
  int64_t nd = std::max(a.dim(), b.dim());
  Shape sa(nd - a.dim(), 1), sb(nd - b.dim(), 1);
  sa.insert(sa.end(), a.sizes().begin(), a.sizes().end());
  sb.insert(sb.end(), b.sizes().begin(), b.sizes().end());
  // Interleave: a as [a0, 1, a1, 1, ...], b as [1, b0, 1, b1, ...]; their product reshapes to [a0*b0, ...].
  mx::Shape ia, ib, out;
  for (int64_t i = 0; i < nd; ++i) {
    ia.insert(ia.end(), {static_cast<int>(sa[i]), 1});
    ib.insert(ib.end(), {1, static_cast<int>(sb[i])});
    out.push_back(static_cast<int>(sa[i] * sb[i]));
  }
  return apply1("UnsafeViewBackward0", fn1([d, ia, ib, out](const Arrays& in) {
    auto x = mx::reshape(cast(in[0], d), ia), y = mx::reshape(cast(in[1], d), ib);
    return mx::reshape(d == kBool ? mx::logical_and(x, y) : mx::multiply(x, y), out);
  }), {a, b}, save_inputs({0, 1}));
}

Tensor trace(const Tensor& x) {
  FL_CHECK(x.dim() == 2, "trace: expected a matrix, but got tensor with dim ", x.dim());
  FL_CHECK_AS(NotImplementedError, x.dtype() != kBool, "\"trace\" not implemented for 'Bool'");
  // As sum: integer traces are int64.
  Dtype d = is_integral(x.dtype()) ? kInt64 : x.dtype();
  return apply1("TraceBackward0", fn1([d](const Arrays& in) {
    return mx::sum(cast(mx::diagonal(in[0], 0, 0, 1), d));
  }), {x});
}

Tensor diag_embed(const Tensor& x, int64_t offset, int64_t dim1, int64_t dim2) {
  int64_t nd = x.dim() + 1;
  int64_t d1 = wrap_dim(dim1, nd), d2 = wrap_dim(dim2, nd);
  FL_CHECK(d1 != d2, "diagonal dimensions cannot be identical ", dim1, ", ", dim2);
  // The embedded matrix comes out as the last two dims (rows, cols); move them to d1 and d2.
  std::vector<int> perm(nd);
  int next = 0;
  for (int64_t p = 0; p < nd; ++p) perm[p] = p == d1 ? nd - 2 : p == d2 ? nd - 1 : next++;
  int off = static_cast<int>(offset);
  return apply1("DiagEmbedBackward0", fn1([perm, off](const Arrays& in) {
    return mx::transpose(embed_last(in[0], off), perm);
  }), {x});
}

Tensor diag(const Tensor& x, int64_t diagonal) {
  FL_CHECK(x.dim() == 1 || x.dim() == 2, "diag(): Supports 1D or 2D tensors. Got ", x.dim(), "D");
  if (x.dim() == 1) return diag_embed(x, diagonal, 0, 1);
  int64_t rows = x.size(0), cols = x.size(1);
  int64_t len = diagonal >= 0 ? std::min(rows, cols - diagonal) : std::min(rows + diagonal, cols);
  int off = static_cast<int>(diagonal);
  return apply1("DiagonalBackward0_copy", fn1([off, len](const Arrays& in) {
    if (len <= 0) return mx::zeros({0}, in[0].dtype());
    return mx::diagonal(in[0], off, 0, 1);
  }), {x});
}

Tensor cross(const Tensor& a, const Tensor& b, int64_t dim) {
  FL_CHECK(a.dim() == b.dim(), "linalg.cross: inputs must have the same number of dimensions.");
  int64_t d = wrap_dim(dim, a.dim());
  FL_CHECK(a.size(d) == 3 && b.size(d) == 3, "linalg.cross: inputs dimension ", dim, " must have length 3. Got ",
           a.size(d), " and ", b.size(d));
  FL_CHECK(a.dtype() == b.dtype(), "expected scalar type ", scalar_type_name(a.dtype()), " but found ",
           scalar_type_name(b.dtype()));
  FL_CHECK_AS(NotImplementedError, a.dtype() != kBool, "\"cross\" not implemented for 'Bool'");
  Shape shape = broadcast_shapes(a.sizes(), b.sizes());
  int ax = static_cast<int>(d);
  return apply1("LinalgCrossBackward0", fn1([shape, ax](const Arrays& in) {
    auto x = mx::broadcast_to(in[0], to_mx_shape(shape)), y = mx::broadcast_to(in[1], to_mx_shape(shape));
    auto comp = [ax](const mx::array& t, int i) {
      mx::Shape start(t.ndim(), 0), stop = t.shape();
      start[ax] = i;
      stop[ax] = i + 1;
      return mx::slice(t, start, stop);
    };
    auto term = [&](int i, int j) {
      return mx::subtract(mx::multiply(comp(x, i), comp(y, j)), mx::multiply(comp(x, j), comp(y, i)));
    };
    return mx::concatenate({term(1, 2), term(2, 0), term(0, 1)}, ax);
  }), {a, b}, save_inputs({0, 1}));
}

}  // namespace fl
