#include "core/view_op.h"

#include <numeric>

#include <mlx/ops.h>

namespace fl {
namespace mx = mlx::core;

namespace {
mx::Shape to_mx(const Shape& s) { return mx::Shape(s.begin(), s.end()); }
std::vector<int> to_axes(const Shape& s) { return std::vector<int>(s.begin(), s.end()); }
}  // namespace

mx::array ViewOp::apply(const mx::array& in) const {
  switch (kind) {
    case Kind::Slice: {
      mx::Shape starts(in.ndim(), 0), stops = in.shape(), steps(in.ndim(), 1);
      starts[dim] = start;
      stops[dim] = stop;
      steps[dim] = step;
      return mx::slice(in, starts, stops, steps);
    }
    case Kind::Select: {
      mx::Shape starts(in.ndim(), 0), stops = in.shape();
      starts[dim] = start;
      stops[dim] = start + 1;
      return mx::squeeze(mx::slice(in, starts, stops), static_cast<int>(dim));
    }
    case Kind::Permute: return mx::transpose(in, to_axes(shape));
    case Kind::Reshape: return mx::reshape(in, to_mx(shape));
    case Kind::Expand: return mx::broadcast_to(in, to_mx(shape));
    case Kind::Diagonal: return mx::diagonal(in, static_cast<int>(start), static_cast<int>(dim), static_cast<int>(stop));
  }
  return in;
}

mx::array ViewOp::write_back(const mx::array& in, const mx::array& out) const {
  switch (kind) {
    case Kind::Slice: {
      mx::Shape starts(in.ndim(), 0), stops = in.shape(), steps(in.ndim(), 1);
      starts[dim] = start;
      stops[dim] = stop;
      steps[dim] = step;
      return mx::slice_update(in, out, starts, stops, steps);
    }
    case Kind::Select: {
      mx::Shape starts(in.ndim(), 0), stops = in.shape();
      starts[dim] = start;
      stops[dim] = start + 1;
      return mx::slice_update(in, mx::expand_dims(out, static_cast<int>(dim)), starts, stops);
    }
    case Kind::Permute: {
      std::vector<int> inv(shape.size());
      for (size_t i = 0; i < shape.size(); ++i) inv[shape[i]] = static_cast<int>(i);
      return mx::transpose(out, inv);
    }
    case Kind::Reshape: return mx::reshape(out, in.shape());
    case Kind::Expand: {
      // Only reached when nothing is really expanded (checked before writing): sum back the new dims.
      int lead = static_cast<int>(out.ndim() - in.ndim());
      mx::array r = out;
      if (lead > 0) {
        std::vector<int> axes(lead);
        std::iota(axes.begin(), axes.end(), 0);
        r = mx::sum(r, axes);
      }
      return mx::reshape(r, in.shape());
    }
    case Kind::Diagonal: {
      // Move the two dims last, flatten them, and put the diagonal at its flat positions.
      int d1 = static_cast<int>(dim), d2 = static_cast<int>(stop), nd = static_cast<int>(in.ndim());
      int64_t off = start;
      std::vector<int> perm;
      for (int i = 0; i < nd; ++i)
        if (i != d1 && i != d2) perm.push_back(i);
      perm.push_back(d1);
      perm.push_back(d2);
      mx::array moved = mx::transpose(in, perm);
      auto mshape = moved.shape();
      int rows = mshape[nd - 2], cols = mshape[nd - 1];
      int len = out.shape().back();
      mx::array i = mx::arange(len, mx::int32);
      mx::array flat_idx = mx::add(mx::multiply(mx::add(i, mx::array(static_cast<int>(off < 0 ? -off : 0))), mx::array(cols)),
                                   mx::add(i, mx::array(static_cast<int>(off > 0 ? off : 0))));
      mx::Shape flat_shape(mshape.begin(), mshape.end() - 2);
      flat_shape.push_back(rows * cols);
      mx::array flat = mx::reshape(moved, flat_shape);
      mx::Shape idx_shape(flat_shape.size(), 1);
      idx_shape.back() = len;
      mx::Shape bshape = out.shape();
      mx::array idx = mx::broadcast_to(mx::reshape(flat_idx, idx_shape), bshape);
      flat = mx::put_along_axis(flat, idx, mx::astype(out, flat.dtype()), -1);
      std::vector<int> inv(nd);
      for (int k = 0; k < nd; ++k) inv[perm[k]] = k;
      return mx::transpose(mx::reshape(flat, mshape), inv);
    }
  }
  return out;
}

const char* ViewOp::backward_name() const {
  if (grad_name) return grad_name;
  switch (kind) {
    case Kind::Slice: return "SliceBackward0";
    case Kind::Select: return "SelectBackward0";
    case Kind::Permute: return "PermuteBackward0";
    case Kind::Reshape: return "ViewBackward0";
    case Kind::Expand: return "ExpandBackward0";
    case Kind::Diagonal: return "DiagonalBackward0";
  }
  return "ViewBackward0";
}

mx::array apply_chain(const ViewChain& chain, mx::array base) {
  for (const auto& op : chain) base = op.apply(base);
  return base;
}

mx::array write_chain(const ViewChain& chain, const mx::array& base, const mx::array& value) {
  if (chain.empty()) return value;
  // Values at each level of the chain, then write back from the view up to the base.
  std::vector<mx::array> levels{base};
  for (size_t i = 0; i + 1 < chain.size(); ++i) levels.push_back(chain[i].apply(levels.back()));
  mx::array cur = value;
  for (size_t i = chain.size(); i-- > 0;) cur = chain[i].write_back(levels[i], cur);
  return cur;
}

}  // namespace fl
