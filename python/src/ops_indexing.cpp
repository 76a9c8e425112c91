// Bindings for fl/ops/indexing.h: gather/scatter family, index_*, masks, take, nonzero/where(cond), index_put,
// bincount/unique/searchsorted/bucketize; one_hot as the internal fl._C.one_hot (for nn.functional).
// In-place forms the C++ core lacks (all but masked_fill_ with a number) are the out-of-place op copied into self.
#include "bind.h"

namespace flpy {

namespace {
using fl::Shape;
using fl::Tensor;

nb::tuple tuple_of(const std::vector<Tensor>& ts) {
  nb::list l;
  for (auto& t : ts) l.append(nb::cast(t));
  return nb::tuple(l);
}

// torch.scatter(input, dim, index, src | value, *, reduce=None): src a Tensor, value a number.
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, nb::handle src, nb::handle value,
               const std::optional<std::string>& reduce) {
  FL_CHECK_TYPE(src.is_none() || value.is_none(), "scatter() got both 'src' and 'value'");
  nb::handle v = src.is_none() ? value : src;
  FL_CHECK_TYPE(!v.is_none(), "scatter() missing 1 required positional argument: 'src' or 'value'");
  if (nb::isinstance<Tensor>(v)) return fl::scatter(x, dim, index, nb::cast<Tensor>(v), reduce);
  FL_CHECK_TYPE(is_number(v), "scatter(): argument 'src' must be Tensor or a number");
  fl::Scalar s = to_scalar(v);
  if (!reduce) return fl::scatter(x, dim, index, s);
  // A number with a reduction: the number spread over index's shape as src.
  return fl::scatter(x, dim, index, fl::full(index.sizes(), s, fl::TensorOptions().dtype(x.dtype())), reduce);
}

// index_fill's value: a number or a 0-d tensor.
fl::Scalar fill_value(nb::handle v) {
  if (nb::isinstance<Tensor>(v)) {
    Tensor t = nb::cast<Tensor>(v);
    FL_CHECK(t.dim() == 0, "index_fill_ only supports a 0-dimensional value tensor, but got tensor with ", t.dim(),
             " dimension(s).");
    return t.item();
  }
  return to_scalar(v);
}

Tensor masked_fill(const Tensor& x, const Tensor& mask, nb::handle value) {
  if (nb::isinstance<Tensor>(value)) {
    Tensor v = nb::cast<Tensor>(value);
    FL_CHECK(v.dim() == 0, "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with ", v.dim(),
             " dimension(s).");
    return fl::masked_fill(x, mask, v);
  }
  return fl::masked_fill(x, mask, to_scalar(value));
}

// index_put's indices: a tuple/list of index tensors (None standing for ':').
std::vector<std::optional<Tensor>> index_list(nb::handle indices) {
  std::vector<std::optional<Tensor>> out;
  for (nb::handle h : indices) {
    if (h.is_none()) out.emplace_back(std::nullopt);
    else out.emplace_back(nb::cast<Tensor>(h));
  }
  return out;
}

// torch.unique: sorted values, with the inverse map (searchsorted into them) and counts (bincount of it).
nb::object unique(const Tensor& x, bool sorted, bool return_inverse, bool return_counts, nb::handle dim) {
  if (!dim.is_none()) throw fl::NotImplementedError("unique(dim=...) is not supported by flashlight");
  Tensor u = fl::unique(x, sorted);
  if (!return_inverse && !return_counts) return nb::cast(u);
  Tensor inverse = fl::searchsorted(u, x.reshape({-1})).reshape(x.sizes());
  nb::list out;
  out.append(nb::cast(u));
  if (return_inverse) out.append(nb::cast(inverse));
  if (return_counts) out.append(nb::cast(fl::bincount(inverse.reshape({-1}), std::nullopt, u.numel())));
  return nb::tuple(out);
}

// searchsorted / bucketize's values: a Tensor or a number.
Tensor values_of(nb::handle v) { return nb::isinstance<Tensor>(v) ? nb::cast<Tensor>(v) : to_tensor_operand(v); }

Tensor searchsorted(const Tensor& seq, nb::handle values, bool out_int32, bool right, std::optional<std::string> side,
                    std::optional<Tensor> sorter) {
  if (side) {
    FL_CHECK(*side == "left" || *side == "right", "torch.searchsorted(): side can only be 'left' or 'right' but got ",
             *side);
    FL_CHECK(!right || *side == "right", "torch.searchsorted(): side and right can't be set to opposites, got side of ",
             *side, " while right was True");
    right = *side == "right";
  }
  Tensor s = sorter ? fl::take_along_dim(seq, *sorter, -1) : seq;
  Tensor r = fl::searchsorted(s, values_of(values), right);
  return out_int32 ? r.to(fl::kInt32) : r;
}
}  // namespace

void init_indexing(Module& m) {
  def_both(m, "index_select", &fl::index_select, "input"_a, "dim"_a, "index"_a);
  def_both(m, "gather", [](const Tensor& x, int64_t dim, const Tensor& index, bool) { return fl::gather(x, dim, index); },
           "input"_a, "dim"_a, "index"_a, nb::kw_only(), "sparse_grad"_a = false);

  // --- scatter family (out of place, and x.<op>_ in place) ---
  def_both(m, "scatter", &scatter, "input"_a, "dim"_a, "index"_a, "src"_a = nb::none(), nb::kw_only(),
           "value"_a = nb::none(), "reduce"_a = nb::none());
  def_method("scatter_", [](Tensor& x, int64_t dim, const Tensor& index, nb::handle src, nb::handle value,
                            const std::optional<std::string>& reduce) -> Tensor& {
    return x.copy_(scatter(x, dim, index, src, value, reduce));
  }, "dim"_a, "index"_a, "src"_a = nb::none(), nb::kw_only(), "value"_a = nb::none(), "reduce"_a = nb::none(),
             nb::rv_policy::reference_internal);
  def_both(m, "scatter_add", &fl::scatter_add, "input"_a, "dim"_a, "index"_a, "src"_a);
  def_method("scatter_add_", [](Tensor& x, int64_t dim, const Tensor& index, const Tensor& src) -> Tensor& {
    return x.copy_(fl::scatter_add(x, dim, index, src));
  }, "dim"_a, "index"_a, "src"_a, nb::rv_policy::reference_internal);
  def_both(m, "scatter_reduce", &fl::scatter_reduce, "input"_a, "dim"_a, "index"_a, "src"_a, "reduce"_a, nb::kw_only(),
           "include_self"_a = true);
  def_method("scatter_reduce_", [](Tensor& x, int64_t dim, const Tensor& index, const Tensor& src,
                                   const std::string& reduce, bool include_self) -> Tensor& {
    return x.copy_(fl::scatter_reduce(x, dim, index, src, reduce, include_self));
  }, "dim"_a, "index"_a, "src"_a, "reduce"_a, nb::kw_only(), "include_self"_a = true,
             nb::rv_policy::reference_internal);

  // --- index_add / index_copy / index_fill ---
  def_both(m, "index_add", [](const Tensor& x, int64_t dim, const Tensor& index, const Tensor& source, nb::handle alpha) {
    return fl::index_add(x, dim, index, source, to_scalar(alpha));
  }, "input"_a, "dim"_a, "index"_a, "source"_a, nb::kw_only(), "alpha"_a = 1);
  def_method("index_add_", [](Tensor& x, int64_t dim, const Tensor& index, const Tensor& source,
                              nb::handle alpha) -> Tensor& {
    return x.copy_(fl::index_add(x, dim, index, source, to_scalar(alpha)));
  }, "dim"_a, "index"_a, "source"_a, nb::kw_only(), "alpha"_a = 1, nb::rv_policy::reference_internal);
  def_both(m, "index_copy", &fl::index_copy, "input"_a, "dim"_a, "index"_a, "source"_a);
  def_method("index_copy_", [](Tensor& x, int64_t dim, const Tensor& index, const Tensor& source) -> Tensor& {
    return x.copy_(fl::index_copy(x, dim, index, source));
  }, "dim"_a, "index"_a, "source"_a, nb::rv_policy::reference_internal);
  def_both(m, "index_fill", [](const Tensor& x, int64_t dim, const Tensor& index, nb::handle value) {
    return fl::index_fill(x, dim, index, fill_value(value));
  }, "input"_a, "dim"_a, "index"_a, "value"_a);
  def_method("index_fill_", [](Tensor& x, int64_t dim, const Tensor& index, nb::handle value) -> Tensor& {
    return x.copy_(fl::index_fill(x, dim, index, fill_value(value)));
  }, "dim"_a, "index"_a, "value"_a, nb::rv_policy::reference_internal);

  // --- masks ---
  def_both(m, "masked_fill", &masked_fill, "input"_a, "mask"_a, "value"_a);
  def_method("masked_fill_", [](Tensor& x, const Tensor& mask, nb::handle value) -> Tensor& {
    if (is_number(value)) return x.masked_fill_(mask, to_scalar(value));  // the core's in-place op
    return x.copy_(masked_fill(x, mask, value));
  }, "mask"_a, "value"_a, nb::rv_policy::reference_internal);
  def_both(m, "masked_select", &fl::masked_select, "input"_a, "mask"_a);
  def_both(m, "masked_scatter", &fl::masked_scatter, "input"_a, "mask"_a, "source"_a);
  def_method("masked_scatter_", [](Tensor& x, const Tensor& mask, const Tensor& source) -> Tensor& {
    return x.copy_(fl::masked_scatter(x, mask, source));
  }, "mask"_a, "source"_a, nb::rv_policy::reference_internal);

  // --- take, nonzero, where(condition), index_put ---
  def_both(m, "take", &fl::take, "input"_a, "index"_a);
  def_both(m, "take_along_dim", &fl::take_along_dim, "input"_a, "indices"_a, "dim"_a = nb::none());
  def_both(m, "nonzero", [](const Tensor& x, bool as_tuple) -> nb::object {
    if (as_tuple) return tuple_of(fl::nonzero_tuple(x));
    return nb::cast(fl::nonzero(x));
  }, "input"_a, nb::kw_only(), "as_tuple"_a = false);
  def_both(m, "argwhere", [](const Tensor& x) { return fl::nonzero(x); }, "input"_a);
  // One-argument torch.where(condition): nonzero(condition, as_tuple=True). Joins binary's where overloads.
  m.def("where", [](const Tensor& c) { return tuple_of(fl::where(c)); }, "condition"_a);
  def_both(m, "index_put", [](const Tensor& x, nb::handle indices, const Tensor& values, bool accumulate) {
    return fl::index_put(x, index_list(indices), values, accumulate);
  }, "input"_a, "indices"_a, "values"_a, "accumulate"_a = false);
  def_method("index_put_", [](Tensor& x, nb::handle indices, const Tensor& values, bool accumulate) -> Tensor& {
    return x.copy_(fl::index_put(x, index_list(indices), values, accumulate));
  }, "indices"_a, "values"_a, "accumulate"_a = false, nb::rv_policy::reference_internal);

  // --- counting, unique, searching ---
  m.def("one_hot", &fl::one_hot, "tensor"_a, "num_classes"_a = -1);
  def_both(m, "bincount", &fl::bincount, "input"_a, "weights"_a = nb::none(), "minlength"_a = 0);
  def_both(m, "unique", &unique, "input"_a, "sorted"_a = true, "return_inverse"_a = false, "return_counts"_a = false,
           "dim"_a = nb::none());
  m.def("searchsorted", &searchsorted, "sorted_sequence"_a, "input"_a, nb::kw_only(), "out_int32"_a = false,
        "right"_a = false, "side"_a = nb::none(), "sorter"_a = nb::none());
  m.def("bucketize", [](nb::handle values, const Tensor& boundaries, bool out_int32, bool right) {
    Tensor r = fl::bucketize(values_of(values), boundaries, right);
    return out_int32 ? r.to(fl::kInt32) : r;
  }, "input"_a, "boundaries"_a, nb::kw_only(), "out_int32"_a = false, "right"_a = false);
}

}  // namespace flpy
