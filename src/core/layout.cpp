// PyTorch's stride rules for new results (see layout.h): c10's contiguity predicates, empty_like's
// preserve_format (infer_dense_strides) and TensorIterator's output strides (fast setup, reorder_dimensions).
#include "core/layout.h"

#include <algorithm>
#include <numeric>

#include "fl/error.h"

namespace fl {

namespace {
bool dense_in_order(const Shape& shape, const Shape& strides, std::initializer_list<int64_t> order) {
  int64_t expected = 1;
  for (int64_t d : order) {
    if (shape[d] == 1) continue;
    if (strides[d] != expected) return false;
    expected *= shape[d];
  }
  return true;
}

// Insertion sort of dims (initially last dim first), as TensorIterator::reorder_dimensions and
// infer_dense_strides do: `cmp(a, b)` > 0 moves a after b, < 0 stops, 0 (ambiguous) looks further back.
template <typename Cmp>
std::vector<int64_t> sorted_dims(size_t ndim, Cmp cmp) {
  std::vector<int64_t> perm(ndim);
  std::iota(perm.rbegin(), perm.rend(), 0);
  for (size_t i = 1; i < ndim; ++i) {
    size_t dim1 = i;
    for (size_t j = 1; j <= i; ++j) {
      size_t dim0 = i - j;
      int c = cmp(perm[dim0], perm[dim1]);
      if (c > 0) {
        std::swap(perm[dim0], perm[dim1]);
        dim1 = dim0;
      } else if (c < 0) {
        break;
      }
    }
  }
  return perm;
}

// torch's infer_dense_strides: dense strides keeping the order of a (non-dense) tensor's strides.
Shape infer_dense_strides(const Shape& shape, const Shape& strides) {
  size_t n = shape.size();
  if (n <= 1) return Shape(n, 1);
  auto perm = sorted_dims(n, [&](int64_t a, int64_t b) {
    if (strides[a] == 0 || strides[b] == 0) return 0;
    if (strides[a] != strides[b]) return strides[a] < strides[b] ? -1 : 1;
    return shape[a] > shape[b] ? 1 : 0;
  });
  Shape out(n);
  int64_t acc = 1;
  for (int64_t d : perm) {
    out[d] = acc;
    if (shape[d] > 1) acc *= shape[d];
  }
  return out;
}

// TensorIterator's fast setup: all inputs of the output's shape, and all contiguous, all channels-last or all dense
// with equal strides. nullopt: the general rule decides.
std::optional<Shape> fast_setup_strides(const Shape& shape, std::initializer_list<const Tensor*> inputs) {
  bool contiguous = true, channels_last = shape.size() == 4, dense = true;
  for (const Tensor* t : inputs) {
    if (t->sizes() != shape) return std::nullopt;
    contiguous = contiguous && t->is_contiguous();
    channels_last = channels_last && contiguous_in(shape, t->strides(), MemoryFormat::ChannelsLast);
    dense = dense && non_overlapping_and_dense(shape, t->strides());
  }
  if (contiguous) return contiguous_strides(shape);
  if (channels_last) return format_strides(shape, MemoryFormat::ChannelsLast);
  if (!dense) return std::nullopt;
  for (const Tensor* t : inputs)
    if (t->strides() != (*inputs.begin())->strides()) return std::nullopt;
  return (*(inputs.end() - 1))->strides();
}

// TensorIterator's general rule (compute_strides, reorder_dimensions, allocate_or_resize_outputs).
Shape iterator_strides(const Shape& shape, std::initializer_list<const Tensor*> inputs) {
  size_t n = shape.size();
  // Each input's strides over the output's dims; broadcast dims get 0.
  std::vector<Shape> st;
  for (const Tensor* t : inputs) {
    Shape s(n, 0);
    size_t off = n - t->sizes().size();
    for (size_t i = 0; i < t->sizes().size(); ++i)
      s[off + i] = t->sizes()[i] == 1 && shape[off + i] != 1 ? 0 : t->strides()[i];
    st.push_back(std::move(s));
  }
  auto perm = sorted_dims(n, [&](int64_t a, int64_t b) {
    for (const Shape& s : st) {
      if (s[a] == 0 || s[b] == 0) continue;
      if (s[a] != s[b]) return s[a] < s[b] ? -1 : 1;
      if (shape[a] > shape[b]) return 1;
    }
    return 0;
  });
  bool inverted = true;
  for (size_t j = 0; j < n; ++j) inverted = inverted && perm[j] == static_cast<int64_t>(n - 1 - j);
  if (inverted) return contiguous_strides(shape);
  Shape out(n);
  int64_t acc = 1;
  for (int64_t d : perm) {
    out[d] = acc;
    acc *= shape[d];
  }
  return out;
}
}  // namespace

bool contiguous_in(const Shape& shape, const Shape& strides, MemoryFormat fmt) {
  switch (fmt) {
    // The dim orders, innermost first, of the channels-last formats.
    case MemoryFormat::ChannelsLast:
      return shape.size() == 4 && dense_in_order(shape, strides, {1, 3, 2, 0});
    case MemoryFormat::ChannelsLast3d:
      return shape.size() == 5 && dense_in_order(shape, strides, {1, 4, 3, 2, 0});
    default: {
      if (numel_of(shape) == 0) return true;
      int64_t expected = 1;
      for (size_t i = shape.size(); i-- > 0;) {
        if (shape[i] == 1) continue;
        if (strides[i] != expected) return false;
        expected *= shape[i];
      }
      return true;
    }
  }
}

bool non_overlapping_and_dense(const Shape& shape, const Shape& strides) {
  size_t n = shape.size();
  if (contiguous_in(shape, strides) || contiguous_in(shape, strides, MemoryFormat::ChannelsLast) ||
      contiguous_in(shape, strides, MemoryFormat::ChannelsLast3d))
    return true;
  if (n == 1) return shape[0] < 2 || strides[0] == 1;
  // Dims by increasing stride, dims of size < 2 last (they end the check).
  std::vector<size_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  std::sort(perm.begin(), perm.end(), [&](size_t a, size_t b) {
    if (shape[a] < 2) return false;
    if (shape[b] < 2) return true;
    return strides[a] < strides[b];
  });
  int64_t expected = 1;
  for (size_t d : perm) {
    if (shape[d] < 2) return true;
    if (strides[d] != expected) return false;
    expected *= shape[d];
  }
  return true;
}

bool has_row_major_strides(const Shape& shape, const Shape& strides) {
  int64_t acc = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    if (strides[i] != acc) return false;
    acc *= std::max<int64_t>(shape[i], 1);
  }
  return true;
}

Shape format_strides(const Shape& shape, MemoryFormat fmt) {
  auto ordered = [&](std::initializer_list<int64_t> order) {
    Shape s(shape.size());
    int64_t acc = 1;
    for (int64_t d : order) {
      s[d] = acc;
      acc *= shape[d];
    }
    return s;
  };
  switch (fmt) {
    case MemoryFormat::ChannelsLast:
      FL_CHECK(shape.size() == 4, "required rank 4 tensor to use channels_last format");
      return ordered({1, 3, 2, 0});
    case MemoryFormat::ChannelsLast3d:
      FL_CHECK(shape.size() == 5, "required rank 5 tensor to use channels_last_3d format");
      return ordered({1, 4, 3, 2, 0});
    default:
      return contiguous_strides(shape);
  }
}

Shape copy_strides(const Shape& shape, const Shape& strides, MemoryFormat fmt) {
  if (fmt != MemoryFormat::Preserve) return format_strides(shape, fmt);
  if (non_overlapping_and_dense(shape, strides)) return strides;
  return infer_dense_strides(shape, strides);
}

Tensor with_elementwise_strides(Tensor out, std::initializer_list<const Tensor*> inputs) {
  // Row-major inputs give a row-major result (what `out` already has), except for zero-size broadcasts.
  TensorImpl* impl = out.impl();
  bool row_major = true;
  for (const Tensor* t : inputs) {
    if (t->impl() == impl) return out;  // the op returned an input: not a fresh result
    row_major = row_major && has_row_major_strides(t->sizes(), t->strides());
  }
  if ((row_major && numel_of(impl->shape) != 0) || impl->is_view()) return out;
  auto fast = fast_setup_strides(impl->shape, inputs);
  impl->strides = fast ? std::move(*fast) : iterator_strides(impl->shape, inputs);
  return out;
}

Tensor leaf_grad_layout(Tensor g, const TensorImpl& leaf, bool aliased) {
  bool dense = non_overlapping_and_dense(leaf.shape, leaf.strides);
  if (!aliased) {
    if (!dense) {
      if (g.is_contiguous()) return g;
    } else {
      bool obeys = true;  // torch's obeys_layout_contract: size-1 dims may have any non-zero stride
      for (size_t i = 0; i < leaf.shape.size() && obeys; ++i)
        obeys = g.sizes()[i] != 1 ? g.strides()[i] == leaf.strides[i] : g.strides()[i] != 0;
      if (obeys) return g;
    }
  }
  if (aliased || g.is_view()) g = g.clone(MemoryFormat::Contiguous);
  g.impl()->strides = dense ? leaf.strides : contiguous_strides(leaf.shape);
  return g;
}

Tensor with_copy_strides(Tensor out, const Tensor& like, MemoryFormat fmt) {
  TensorImpl* impl = out.impl();
  if (impl == like.impl() || impl->is_view()) return out;
  if (fmt == MemoryFormat::Preserve && has_row_major_strides(like.sizes(), like.strides())) return out;
  impl->strides = copy_strides(like.sizes(), like.strides(), fmt);
  return out;
}

}  // namespace fl
