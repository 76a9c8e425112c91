// Bindings for fl/ops/shape.h: function forms of the view methods (tensor.cpp binds the methods), joining,
// splitting, repeating, flipping, rolling, triangles; pad as the internal fl._C.pad (for nn.functional).
#include <algorithm>

#include "bind.h"
#include "memory_format.h"
#include "ops/op_utils.h"

namespace flpy {

namespace {
using fl::Shape;
using fl::Tensor;

// A sequence (list, tuple, generator) of tensors, as torch.cat/stack take.
std::vector<Tensor> tensors_of(nb::handle seq, const char* op) {
  FL_CHECK_TYPE(!nb::isinstance<Tensor>(seq), op, "(): argument 'tensors' must be tuple of Tensors, not Tensor");
  std::vector<Tensor> out;
  for (nb::handle h : seq) {
    FL_CHECK_TYPE(nb::isinstance<Tensor>(h), op, "(): expected Tensor as element ", out.size(),
                  " in argument 0, but got ", nb::cast<std::string>(nb::str(h.type().attr("__name__"))));
    out.push_back(nb::cast<Tensor>(h));
  }
  return out;
}

nb::tuple tuple_of(const std::vector<Tensor>& ts) {
  nb::list l;
  for (auto& t : ts) l.append(nb::cast(t));
  return nb::tuple(l);
}

// A dims argument: int or sequence of ints (None gives nullopt).
std::optional<Shape> opt_dims(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  return to_shape(h);
}

// x.repeat(2, 3) / x.repeat((2, 3)); also x.tile / x.flip / x.permute's varargs forms.
Shape varargs_shape(const nb::args& a) { return shape_from_args(a); }

Tensor squeeze_dims(const Tensor& t, nb::handle dim) {
  if (dim.is_none()) return t.squeeze();
  if (PyLong_Check(dim.ptr())) return t.squeeze(nb::cast<int64_t>(dim));
  std::vector<int64_t> wrapped;
  for (auto d : to_shape(dim)) wrapped.push_back(fl::wrap_dim(d, t.dim()));
  std::sort(wrapped.rbegin(), wrapped.rend());
  wrapped.erase(std::unique(wrapped.begin(), wrapped.end()), wrapped.end());
  Tensor r = t;
  for (auto d : wrapped) r = r.squeeze(d);
  return r;
}

Tensor atleast_3d(const Tensor& x) {
  if (x.dim() == 0) return x.reshape({1, 1, 1});
  if (x.dim() == 1) return x.unsqueeze(0).unsqueeze(-1);
  if (x.dim() == 2) return x.unsqueeze(-1);
  return x;
}

// torch.atleast_Nd(x) gives a tensor; (x, y) or ([x, y]) give a tuple.
template <typename F>
nb::object atleast(const nb::args& args, F f) {
  if (args.size() == 1 && nb::isinstance<Tensor>(args[0])) return nb::cast(f(nb::cast<Tensor>(args[0])));
  std::vector<Tensor> ts = args.size() == 1 ? tensors_of(args[0], "atleast") : tensors_of(args, "atleast");
  for (auto& t : ts) t = f(t);
  return tuple_of(ts);
}

// torch.split: an int size, or a list of section sizes.
nb::tuple split(const Tensor& x, nb::handle size, int64_t dim) {
  if (PyLong_Check(size.ptr())) return tuple_of(fl::split(x, nb::cast<int64_t>(size), dim));
  if (nb::isinstance<Tensor>(size) && nb::cast<Tensor>(size).dim() == 0)
    return tuple_of(fl::split(x, nb::cast<Tensor>(size).item().to_int(), dim));
  return tuple_of(fl::split(x, to_shape(size), dim));
}

// torch.tensor_split: a number of sections, or the indices to split before (views by narrow).
nb::tuple tensor_split(const Tensor& x, nb::handle spec_arg, int64_t dim) {
  nb::object spec = nb::borrow(spec_arg);
  if (nb::isinstance<Tensor>(spec)) {
    Tensor s = nb::cast<Tensor>(spec);
    FL_CHECK(!s.is_floating_point() && s.dtype() != fl::kBool,
             "tensor_split expected tensor_indices_or_sections to have integral dtype");
    FL_CHECK(s.dim() <= 1, "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                           "one-dimensional tensor, but got a tensor with ", s.dim(), " dims");
    if (s.dim() == 0) return tuple_of(fl::tensor_split(x, s.item().to_int(), dim));
    spec = nb::cast(s.tolist<int64_t>());
  }
  if (PyLong_Check(spec.ptr())) return tuple_of(fl::tensor_split(x, nb::cast<int64_t>(spec), dim));
  FL_CHECK(x.dim() > 0, "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims");
  int64_t d = fl::wrap_dim(dim, x.dim()), n = x.size(d), start = 0;
  // Each piece is x[start:idx] along d, with Python's slice clamping (a decreasing index gives an empty piece).
  auto piece = [&](int64_t a, int64_t b) {
    a = std::clamp<int64_t>(a < 0 ? a + n : a, 0, n);
    b = std::clamp<int64_t>(b < 0 ? b + n : b, 0, n);
    return x.narrow(d, a, std::max<int64_t>(b - a, 0));
  };
  std::vector<Tensor> out;
  for (auto idx : to_shape(spec)) {
    out.push_back(piece(start, idx));
    start = idx;
  }
  out.push_back(piece(start, n));
  return tuple_of(out);
}

// repeat_interleave with a tensor of per-slice repeats: an index_select with the repeated indices.
Tensor repeat_interleave_index(const Tensor& repeats, int64_t expected) {
  FL_CHECK(repeats.dim() <= 1, "repeat_interleave only accept 1D vector as repeat");
  FL_CHECK(repeats.dtype() == fl::kInt64 || repeats.dtype() == fl::kInt32,
           "repeats has to be Long or Int tensor");
  auto r = repeats.reshape({-1}).tolist<int64_t>();
  FL_CHECK(expected < 0 || static_cast<int64_t>(r.size()) == expected,
           "repeats must have the same size as input along dim, but got repeats.size(0) = ", r.size(),
           " and input.size(dim) = ", expected);
  std::vector<int64_t> idx;
  for (size_t i = 0; i < r.size(); ++i) {
    FL_CHECK(r[i] >= 0, "repeats can not be negative");
    idx.insert(idx.end(), r[i], static_cast<int64_t>(i));
  }
  return fl::tensor(idx, Shape{static_cast<int64_t>(idx.size())}, fl::TensorOptions().dtype(fl::kInt64));
}

Tensor repeat_interleave(const Tensor& x, nb::handle repeats, std::optional<int64_t> dim) {
  if (!nb::isinstance<Tensor>(repeats)) return fl::repeat_interleave(x, nb::cast<int64_t>(repeats), dim);
  Tensor r = nb::cast<Tensor>(repeats);
  Tensor input = dim ? x : x.flatten();
  int64_t d = dim ? fl::wrap_dim(*dim, x.dim()) : 0;
  if (r.numel() == 1 && r.dim() <= 1) return fl::repeat_interleave(x, r.item().to_int(), dim);
  return fl::index_select(input, d, repeat_interleave_index(r, input.dim() == 0 ? 1 : input.size(d)));
}
}  // namespace

void init_shape(Module& m) {
  // Function forms of the view methods bound in tensor.cpp.
  m.def("reshape", [](const Tensor& x, nb::handle shape) { return x.reshape(to_shape(shape)); }, "input"_a, "shape"_a);
  m.def("flatten", &fl::flatten, "input"_a, "start_dim"_a = 0, "end_dim"_a = -1);
  m.def("squeeze", &squeeze_dims, "input"_a, "dim"_a = nb::none());
  m.def("unsqueeze", &fl::unsqueeze, "input"_a, "dim"_a);
  m.def("permute", [](const Tensor& x, nb::handle dims) { return x.permute(to_shape(dims)); }, "input"_a, "dims"_a);
  m.def("transpose", &fl::transpose, "input"_a, "dim0"_a, "dim1"_a);
  m.def("swapaxes", &fl::swapaxes, "input"_a, "axis0"_a, "axis1"_a);
  def_both(m, "swapdims", &fl::swapaxes, "input"_a, "dim0"_a, "dim1"_a);
  m.def("t", &fl::t, "input"_a);
  m.def("select", &fl::select, "input"_a, "dim"_a, "index"_a);
  m.def("narrow", &fl::narrow, "input"_a, "dim"_a, "start"_a, "length"_a);
  m.def("diagonal", &fl::diagonal, "input"_a, "offset"_a = 0, "dim1"_a = 0, "dim2"_a = 1);
  m.def("clone", [](const Tensor& x, nb::handle f) {
    return x.clone(memory_format_arg(f, "clone").value_or(fl::MemoryFormat::Preserve));
  }, "input"_a, nb::kw_only(),
        "memory_format"_a = nb::none());

  def_both(m, "unflatten", [](const Tensor& x, int64_t dim, nb::handle sizes) {
    return fl::unflatten(x, dim, to_shape(sizes));
  }, "input"_a, "dim"_a, "sizes"_a);
  auto movedim = [](const Tensor& x, nb::handle src, nb::handle dst) {
    return fl::movedim(x, to_shape(src), to_shape(dst));
  };
  def_both(m, "movedim", movedim, "input"_a, "source"_a, "destination"_a);
  def_both(m, "moveaxis", movedim, "input"_a, "source"_a, "destination"_a);
  def_both(m, "broadcast_to", [](const Tensor& x, nb::handle s) { return fl::broadcast_to(x, to_shape(s)); },
           "input"_a, "size"_a);
  m.def("broadcast_tensors", [](const nb::args& ts) {
    return tuple_of(fl::broadcast_tensors(tensors_of(ts, "broadcast_tensors")));
  }, "tensors"_a);
  m.def("broadcast_shapes", [](const nb::args& shapes) {
    Shape r;
    for (nb::handle s : shapes) r = fl::broadcast_shapes(r, to_shape(s));
    return make_size(r);
  }, "shapes"_a);
  m.def("atleast_1d", [](const nb::args& a) { return atleast(a, fl::atleast_1d); }, "tensors"_a);
  m.def("atleast_2d", [](const nb::args& a) { return atleast(a, fl::atleast_2d); }, "tensors"_a);
  m.def("atleast_3d", [](const nb::args& a) { return atleast(a, atleast_3d); }, "tensors"_a);

  // --- joining ---
  m.def("cat", [](nb::handle ts, int64_t dim) { return fl::cat(tensors_of(ts, "cat"), dim); }, "tensors"_a, "dim"_a = 0);
  m.def("concat", [](nb::handle ts, int64_t dim) { return fl::cat(tensors_of(ts, "concat"), dim); }, "tensors"_a,
        "dim"_a = 0);
  m.def("concatenate", [](nb::handle ts, int64_t axis) { return fl::cat(tensors_of(ts, "concatenate"), axis); },
        "tensors"_a, "axis"_a = 0);
  m.def("stack", [](nb::handle ts, int64_t dim) { return fl::stack(tensors_of(ts, "stack"), dim); }, "tensors"_a,
        "dim"_a = 0);
  m.def("hstack", [](nb::handle ts) { return fl::hstack(tensors_of(ts, "hstack")); }, "tensors"_a);
  m.def("vstack", [](nb::handle ts) { return fl::vstack(tensors_of(ts, "vstack")); }, "tensors"_a);
  m.def("row_stack", [](nb::handle ts) { return fl::vstack(tensors_of(ts, "row_stack")); }, "tensors"_a);
  m.def("dstack", [](nb::handle ts) { return fl::dstack(tensors_of(ts, "dstack")); }, "tensors"_a);

  // --- splitting: tuples of views ---
  m.def("split", &split, "tensor"_a, "split_size_or_sections"_a, "dim"_a = 0);
  def_method("split", &split, "split_size"_a, "dim"_a = 0);
  def_both(m, "chunk", [](const Tensor& x, int64_t chunks, int64_t dim) { return tuple_of(fl::chunk(x, chunks, dim)); },
           "input"_a, "chunks"_a, "dim"_a = 0);
  def_both(m, "unbind", [](const Tensor& x, int64_t dim) { return tuple_of(fl::unbind(x, dim)); }, "input"_a,
           "dim"_a = 0);
  def_both(m, "tensor_split", &tensor_split, "input"_a, "indices_or_sections"_a, "dim"_a = 0);

  // --- repeating ---
  def_method("repeat", [](const Tensor& x, const nb::args& sizes) { return fl::repeat(x, varargs_shape(sizes)); },
             "sizes"_a);
  m.def("tile", [](const Tensor& x, nb::handle dims) { return fl::tile(x, to_shape(dims)); }, "input"_a, "dims"_a);
  def_method("tile", [](const Tensor& x, const nb::args& dims) { return fl::tile(x, varargs_shape(dims)); }, "dims"_a);
  def_both(m, "repeat_interleave", [](const Tensor& x, nb::handle repeats, std::optional<int64_t> dim, nb::handle) {
    return repeat_interleave(x, repeats, dim);
  }, "input"_a, "repeats"_a, "dim"_a = nb::none(), nb::kw_only(), "output_size"_a = nb::none());
  // torch.repeat_interleave(repeats): the indices repeated, as repeat_interleave(arange(len(repeats)), repeats).
  m.def("repeat_interleave", [](const Tensor& repeats, nb::handle) { return repeat_interleave_index(repeats, -1); },
        "repeats"_a, nb::kw_only(), "output_size"_a = nb::none());

  // --- flipping, rolling, triangles ---
  m.def("flip", [](const Tensor& x, nb::handle dims) { return fl::flip(x, to_shape(dims)); }, "input"_a, "dims"_a);
  def_method("flip", [](const Tensor& x, const nb::args& dims) { return fl::flip(x, varargs_shape(dims)); }, "dims"_a);
  def_both(m, "fliplr", &fl::fliplr, "input"_a);
  def_both(m, "flipud", &fl::flipud, "input"_a);
  def_both(m, "roll", [](const Tensor& x, nb::handle shifts, nb::handle dims) {
    return fl::roll(x, to_shape(shifts), opt_dims(dims).value_or(Shape{}));
  }, "input"_a, "shifts"_a, "dims"_a = nb::none());
  def_both(m, "rot90", [](const Tensor& x, int64_t k, nb::handle dims) { return fl::rot90(x, k, to_shape(dims)); },
           "input"_a, "k"_a = 1, "dims"_a = nb::make_tuple(0, 1));
  def_both(m, "tril", &fl::tril, "input"_a, "diagonal"_a = 0);
  def_both(m, "triu", &fl::triu, "input"_a, "diagonal"_a = 0);
  // No C++ in-place triangles: the out-of-place op copied back into self.
  def_method("tril_", [](Tensor& x, int64_t k) -> Tensor& { return x.copy_(fl::tril(x, k)); }, "diagonal"_a = 0,
             nb::rv_policy::reference_internal);
  def_method("triu_", [](Tensor& x, int64_t k) -> Tensor& { return x.copy_(fl::triu(x, k)); }, "diagonal"_a = 0,
             nb::rv_policy::reference_internal);

  // torch.nn.functional.pad's engine; the Python nn.functional wraps it.
  m.def("pad", [](const Tensor& x, nb::handle pad, const std::string& mode, std::optional<double> value) {
    return fl::pad(x, to_shape(pad), mode, value.value_or(0.0));
  }, "input"_a, "pad"_a, "mode"_a = "constant", "value"_a = nb::none());
}

}  // namespace flpy
