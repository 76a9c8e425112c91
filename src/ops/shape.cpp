// Shape ops: view-like reshapes, joining and splitting. Splits return views (slice/select), as PyTorch's do;
// repeat/flip/roll/pad live in shape_ops.cpp.
#include "fl/ops/shape.h"

#include <algorithm>

#include "fl/registry.h"
#include "ops/op_utils.h"

namespace fl {

namespace {
// PyTorch names a split's outputs after the op that made them (SplitBackward0, UnbindBackward0, ...), and
// forbids in-place writes to them when they require grad (creation_fn: "Split" for SplitBackward0).
Tensor renamed_view(Tensor v, const char* name, const char* creation_fn, int64_t index) {
  v.impl()->chain.back().grad_name = name;
  if (auto fn = v.grad_fn()) static_cast<FunctionNode*>(fn.get())->op_name = name;
  auto& m = v.impl()->meta();
  if (m.creation == AutogradMeta::Creation::Default) {
    m.creation = AutogradMeta::Creation::MultipleOutputs;
    m.creation_fn = creation_fn;
    m.creation_index = static_cast<int>(index);
  }
  return v;
}

Tensor atleast_3d(const Tensor& x) {
  if (x.dim() == 0) return x.reshape({1, 1, 1});
  if (x.dim() == 1) return x.unsqueeze(0).unsqueeze(-1);
  if (x.dim() == 2) return x.unsqueeze(-1);
  return x;
}

template <typename F>
std::vector<Tensor> map_tensors(const std::vector<Tensor>& ts, F f) {
  std::vector<Tensor> r;
  r.reserve(ts.size());
  for (auto& t : ts) r.push_back(f(t));
  return r;
}
}  // namespace

// --- view-like ----------------------------------------------------------------------------------------

Tensor unflatten(const Tensor& x, int64_t dim, const Shape& sizes) {
  int64_t w = wrap_dim(dim, x.dim());
  FL_CHECK(!sizes.empty(), "unflatten: sizes must be non-empty");
  FL_CHECK(x.dim() > 0, "unflatten got an unexpected error:\nDimension specified as 0 but tensor has no dimensions");
  int64_t n = x.size(w), known = 1, infer = -1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == -1) {
      FL_CHECK(infer < 0, "unflatten got an unexpected error:\nonly one dimension can be inferred");
      infer = static_cast<int64_t>(i);
    } else {
      FL_CHECK(sizes[i] >= 0, "unflatten got an unexpected error:\ninvalid shape dimension ", sizes[i]);
      known *= sizes[i];
    }
  }
  Shape inferred = sizes;
  bool ok = infer >= 0 ? known != 0 && n % known == 0 : known == n;
  FL_CHECK(ok, "unflatten: Provided sizes ", shape_to_string(sizes), " don't multiply up to the size of dim ", w,
           " (", n, ") in the input tensor");
  if (infer >= 0) inferred[infer] = n / known;
  Shape shape(x.sizes().begin(), x.sizes().begin() + w);
  shape.insert(shape.end(), inferred.begin(), inferred.end());
  shape.insert(shape.end(), x.sizes().begin() + w + 1, x.sizes().end());
  return x.view(shape);
}

Tensor movedim(const Tensor& x, const Shape& source, const Shape& destination) {
  FL_CHECK(source.size() == destination.size(), "movedim: Invalid source or destination dims: source (",
           shape_to_string(source), " dims) should contain the same number of dims as destination (",
           shape_to_string(destination), " dims)");
  int64_t n = x.dim();
  Shape src, dst;
  for (auto d : source) src.push_back(wrap_dim(d, n));
  for (auto d : destination) dst.push_back(wrap_dim(d, n));
  auto unique = [](Shape v) {
    std::sort(v.begin(), v.end());
    return std::adjacent_find(v.begin(), v.end()) == v.end();
  };
  FL_CHECK(unique(src), "movedim: repeated dim in `source` (", shape_to_string(source), ")");
  FL_CHECK(unique(dst), "movedim: repeated dim in `destination` (", shape_to_string(destination), ")");
  if (n == 0) return x.permute({});
  // The moved dims take their destinations; the rest keep their relative order in the free slots.
  Shape order(n, -1);
  std::vector<bool> src_used(n, false);
  for (size_t i = 0; i < src.size(); ++i) {
    order[dst[i]] = src[i];
    src_used[src[i]] = true;
  }
  int64_t next = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (order[i] != -1) continue;
    while (src_used[next]) ++next;
    order[i] = next++;
  }
  return x.permute(order);
}
Tensor movedim(const Tensor& x, int64_t source, int64_t destination) {
  return movedim(x, Shape{source}, Shape{destination});
}
Tensor swapaxes(const Tensor& x, int64_t a, int64_t b) { return x.transpose(a, b); }
Tensor broadcast_to(const Tensor& x, const Shape& shape) { return x.expand(shape); }

std::vector<Tensor> broadcast_tensors(const std::vector<Tensor>& tensors) {
  if (tensors.empty()) return {};
  Shape shape = tensors[0].sizes();
  for (size_t i = 1; i < tensors.size(); ++i) shape = broadcast_shapes(shape, tensors[i].sizes());
  // Tensors already of the broadcast shape come back as they are (no ExpandBackward0), as in PyTorch.
  return map_tensors(tensors, [&](const Tensor& t) { return t.sizes() == shape ? t : t.expand(shape); });
}

Tensor atleast_1d(const Tensor& x) { return x.dim() == 0 ? x.reshape({1}) : x; }
Tensor atleast_2d(const Tensor& x) {
  if (x.dim() == 0) return x.reshape({1, 1});
  if (x.dim() == 1) return x.unsqueeze(0);
  return x;
}

// --- joining ----------------------------------------------------------------------------------------------

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  FL_CHECK_VALUE(!tensors.empty(), "torch.cat(): expected a non-empty list of Tensors");
  for (size_t i = 0; i < tensors.size(); ++i)
    FL_CHECK(tensors[i].dim() > 0, "zero-dimensional tensor (at position ", i, ") cannot be concatenated");
  Dtype d = result_type(tensors);
  // Legacy behaviour: 1-D empty tensors are skipped, whatever the other inputs' shapes.
  auto skipped = [](const Tensor& t) { return t.dim() == 1 && t.numel() == 0; };
  std::vector<int> used;
  for (size_t i = 0; i < tensors.size(); ++i)
    if (!skipped(tensors[i])) used.push_back(static_cast<int>(i));
  if (used.empty()) {
    return apply1("CatBackward0", fn1([d](const Arrays&) { return mx::zeros({0}, to_mlx(d)); }), tensors);
  }
  const Tensor& first = tensors[used[0]];
  int64_t w = wrap_dim(dim, first.dim());
  for (int i : used) {
    const Tensor& t = tensors[i];
    FL_CHECK(t.dim() == first.dim(), "Tensors must have same number of dimensions: got ", first.dim(), " and ",
             t.dim());
    for (int64_t k = 0; k < first.dim(); ++k) {
      if (k == w) continue;
      FL_CHECK(first.size(k) == t.size(k), "Sizes of tensors must match except in dimension ", w, ". Expected size ",
               first.size(k), " but got size ", t.size(k), " for tensor number ", i, " in the list.");
    }
  }
  return apply1("CatBackward0", fn1([used, w, d](const Arrays& in) {
    std::vector<mx::array> parts;
    parts.reserve(used.size());
    for (int i : used) parts.push_back(cast(in[i], d));
    return mx::concatenate(parts, static_cast<int>(w));
  }), tensors);
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  FL_CHECK(!tensors.empty(), "stack expects a non-empty TensorList");
  int64_t w = wrap_dim(dim, tensors[0].dim() + 1);
  for (size_t i = 1; i < tensors.size(); ++i)
    FL_CHECK(tensors[i].sizes() == tensors[0].sizes(), "stack expects each tensor to be equal size, but got ",
             shape_to_string(tensors[0].sizes()), " at entry 0 and ", shape_to_string(tensors[i].sizes()),
             " at entry ", i);
  Dtype d = result_type(tensors);
  return apply1("StackBackward0", fn1([w, d](const Arrays& in) {
    std::vector<mx::array> parts;
    parts.reserve(in.size());
    for (auto& a : in) parts.push_back(cast(a, d));
    return mx::stack(parts, static_cast<int>(w));
  }), tensors);
}

Tensor hstack(const std::vector<Tensor>& tensors) {
  FL_CHECK(!tensors.empty(), "hstack expects a non-empty TensorList");
  auto rep = map_tensors(tensors, atleast_1d);
  return cat(rep, rep[0].dim() == 1 ? 0 : 1);
}
Tensor vstack(const std::vector<Tensor>& tensors) {
  FL_CHECK(!tensors.empty(), "vstack expects a non-empty TensorList");
  return cat(map_tensors(tensors, atleast_2d), 0);
}
Tensor dstack(const std::vector<Tensor>& tensors) {
  FL_CHECK(!tensors.empty(), "dstack expects a non-empty TensorList");
  return cat(map_tensors(tensors, atleast_3d), 2);
}

// --- splitting (views) ------------------------------------------------------------------------------------

std::vector<Tensor> split(const Tensor& x, int64_t split_size, int64_t dim) {
  FL_CHECK(x.dim() != 0, "split expects at least a 1-dimensional tensor");
  FL_CHECK(split_size >= 0, "split expects split_size be non-negative, but got split_size=", split_size);
  int64_t w = wrap_dim(dim, x.dim()), n = x.size(w);
  FL_CHECK(split_size != 0 || n == 0, "split_size can only be 0 if dimension size is 0, but got dimension size of ", n);
  int64_t num = split_size == 0 ? 1 : std::max<int64_t>((n + split_size - 1) / split_size, 1);
  int64_t last = split_size - (split_size * num - n);
  std::vector<Tensor> out;
  out.reserve(num);
  for (int64_t i = 0; i < num; ++i) {
    int64_t start = i * split_size, len = i == num - 1 ? last : split_size;
    out.push_back(renamed_view(x.slice(w, start, start + len), "SplitBackward0", "Split", i));
  }
  return out;
}

std::vector<Tensor> split(const Tensor& x, const Shape& split_sizes, int64_t dim) {
  FL_CHECK(x.dim() != 0, "split expects at least a 1-dimensional tensor");
  int64_t w = wrap_dim(dim, x.dim()), n = x.size(w);
  int64_t total = 0;
  for (auto s : split_sizes) {
    FL_CHECK(s >= 0, "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=",
             shape_to_string(split_sizes));
    total += s;
  }
  FL_CHECK(total == n, "split_with_sizes expects split_sizes to sum exactly to ", n,
           " (input tensor's size at dimension ", dim, "), but got split_sizes=", shape_to_string(split_sizes));
  std::vector<Tensor> out;
  out.reserve(split_sizes.size());
  int64_t start = 0;
  for (auto s : split_sizes) {
    out.push_back(renamed_view(x.slice(w, start, start + s), "SplitWithSizesBackward0", "SplitWithSizes",
                               static_cast<int64_t>(out.size())));
    start += s;
  }
  return out;
}

std::vector<Tensor> chunk(const Tensor& x, int64_t chunks, int64_t dim) {
  FL_CHECK(x.dim() > 0, "chunk expects at least a 1-dimensional tensor");
  FL_CHECK(chunks > 0, "chunk expects `chunks` to be greater than 0, got: ", chunks);
  int64_t w = wrap_dim(dim, x.dim()), n = x.size(w);
  int64_t split_size = (n + chunks - 1) / chunks;
  // An empty dim still yields `chunks` empty pieces (split would give one).
  if (split_size == 0 && n == 0) return split(x, Shape(chunks, 0), w);
  return split(x, split_size, w);
}

std::vector<Tensor> unbind(const Tensor& x, int64_t dim) {
  int64_t w = wrap_dim(dim, x.dim());
  FL_CHECK_INDEX(x.dim() > 0, "Dimension specified as ", w, " but tensor has no dimensions");
  std::vector<Tensor> out;
  out.reserve(x.size(w));
  for (int64_t i = 0; i < x.size(w); ++i) out.push_back(renamed_view(x.select(w, i), "UnbindBackward0", "Unbind", i));
  return out;
}

std::vector<Tensor> tensor_split(const Tensor& x, int64_t sections, int64_t dim) {
  FL_CHECK(x.dim() > 0, "tensor_split expected at least a 1-dimensional tensor, but got a tensor with ", x.dim(),
           " dims");
  FL_CHECK(sections > 0, "number of sections must be larger than 0, got ", sections);
  int64_t w = wrap_dim(dim, x.dim()), n = x.size(w);
  int64_t min_size = n / sections, extra = n % sections, start = 0;
  std::vector<Tensor> out;
  out.reserve(sections);
  for (int64_t i = 0; i < sections; ++i) {
    int64_t len = i < extra ? min_size + 1 : min_size;
    out.push_back(x.slice(w, start, start + len));
    start += len;
  }
  return out;
}

}  // namespace fl

namespace fl {
std::vector<Tensor> Tensor::split(int64_t split_size, int64_t dim) const { return fl::split(*this, split_size, dim); }
std::vector<Tensor> Tensor::chunk(int64_t chunks, int64_t dim) const { return fl::chunk(*this, chunks, dim); }
std::vector<Tensor> Tensor::unbind(int64_t dim) const { return fl::unbind(*this, dim); }
Tensor Tensor::repeat(const Shape& repeats) const { return fl::repeat(*this, repeats); }
Tensor Tensor::flip(const Shape& dims) const { return fl::flip(*this, dims); }
Tensor Tensor::roll(const Shape& shifts, const Shape& dims) const { return fl::roll(*this, shifts, dims); }
Tensor Tensor::tril(int64_t diagonal) const { return fl::tril(*this, diagonal); }
Tensor Tensor::triu(int64_t diagonal) const { return fl::triu(*this, diagonal); }
}  // namespace fl

namespace fl {
static OpRegistrar kRegistrar({
    // View forms (src/ops/views.cpp, src/core/tensor.cpp), registered here with their tests in test_shape.cpp.
    {"reshape", "views", true},      {"flatten", "views", true},     {"squeeze", "views", true},
    {"unsqueeze", "views", true},    {"permute", "views", true},     {"transpose", "views", true},
    {"t", "views", true},            {"select", "views", true},      {"narrow", "views", true},
    {"diagonal", "views", true},     {"clone", "views", true},       {"expand", "views", true},
    // Shape ops.
    {"unflatten", "shape", true},    {"movedim", "shape", true},     {"swapaxes", "shape", true},
    {"broadcast_to", "shape", true}, {"broadcast_tensors", "shape", true}, {"atleast_1d", "shape", true},
    {"atleast_2d", "shape", true},   {"cat", "shape", true},         {"concat", "shape", true},
    {"stack", "shape", true},        {"hstack", "shape", true},      {"vstack", "shape", true},
    {"dstack", "shape", true},       {"split", "shape", true},       {"chunk", "shape", true},
    {"unbind", "shape", true},       {"tensor_split", "shape", true}, {"repeat", "shape", true},
    {"tile", "shape", true},         {"repeat_interleave", "shape", true}, {"flip", "shape", true},
    {"fliplr", "shape", true},       {"flipud", "shape", true},      {"roll", "shape", true},
    {"rot90", "shape", true},        {"tril", "shape", true},        {"triu", "shape", true},
    {"pad", "shape", true},
});
}  // namespace fl
