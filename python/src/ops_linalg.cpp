// Bindings for fl/ops/linalg.h: matmul and the named products, einsum, tensordot, diag/trace/cross; x @ y.
#include "bind.h"
#include "ops/op_utils.h"

namespace flpy {

namespace {
using fl::Shape;
using fl::Tensor;

fl::Scalar scalar_or(nb::handle h, int64_t dflt) { return h.is_none() ? fl::Scalar(dflt) : to_scalar(h); }

// torch.einsum(equation, *operands) or torch.einsum(equation, [operands]).
Tensor einsum(const std::string& eq, const nb::args& args) {
  std::vector<Tensor> ops;
  if (args.size() == 1 && !nb::isinstance<Tensor>(args[0])) {
    for (nb::handle h : args[0]) ops.push_back(nb::cast<Tensor>(h));
  } else {
    for (nb::handle h : args) {
      FL_CHECK_TYPE(nb::isinstance<Tensor>(h),
                    "einsum(): operands must be tensors (the sublist format is not supported by flashlight)");
      ops.push_back(nb::cast<Tensor>(h));
    }
  }
  return fl::einsum(eq, ops);
}

// torch.tensordot's dims: an int, a pair of dim lists ([1, 0], [0, 1]), or a pair of ints (1, 0).
Tensor tensordot(const Tensor& a, const Tensor& b, nb::handle dims) {
  if (nb::isinstance<Tensor>(dims)) {
    Tensor d = nb::cast<Tensor>(dims);
    if (d.numel() == 1) return fl::tensordot(a, b, d.item().to_int());
    FL_CHECK(d.dim() == 2 && d.size(0) == 2, "tensordot expects dims to be a 2-row tensor of dims");
    return fl::tensordot(a, b, d.select(0, 0).tolist<int64_t>(), d.select(0, 1).tolist<int64_t>());
  }
  if (PyLong_Check(dims.ptr())) {
    int64_t n = nb::cast<int64_t>(dims);
    FL_CHECK(n >= 0, "tensordot expects dims >= 0, but got dims=", n);
    return fl::tensordot(a, b, n);
  }
  FL_CHECK(PySequence_Check(dims.ptr()) && nb::len(dims) == 2,
           "tensordot expects dims to be an int or a pair of lists of dims");
  return fl::tensordot(a, b, to_shape(dims[0]), to_shape(dims[1]));
}

// torch.cross's dim=None: the first dim of size 3 (torch.linalg.cross defaults to -1).
Tensor cross(const Tensor& a, const Tensor& b, std::optional<int64_t> dim) {
  if (!dim) {
    Shape s = fl::broadcast_shapes(a.sizes(), b.sizes());
    for (size_t i = 0; i < s.size() && !dim; ++i)
      if (s[i] == 3) dim = static_cast<int64_t>(i);
    FL_CHECK(dim.has_value(), "no dimension of size 3 in input");
  }
  return fl::cross(a, b, *dim);
}
}  // namespace

void init_linalg(Module& m) {
  def_both(m, "matmul", &fl::matmul, "input"_a, "other"_a);
  def_both(m, "mm", &fl::mm, "input"_a, "mat2"_a);
  def_both(m, "bmm", &fl::bmm, "input"_a, "mat2"_a);
  def_both(m, "mv", &fl::mv, "input"_a, "vec"_a);
  def_both(m, "dot", &fl::dot, "input"_a, "tensor"_a);
  def_both(m, "vdot", &fl::vdot, "input"_a, "other"_a);
  def_both(m, "inner", &fl::inner, "input"_a, "other"_a);
  def_both(m, "outer", &fl::outer, "input"_a, "vec2"_a);
  def_both(m, "ger", &fl::outer, "input"_a, "vec2"_a);
  def_both(m, "kron", &fl::kron, "input"_a, "other"_a);
  def_both(m, "trace", &fl::trace, "input"_a);
  def_both(m, "diag", &fl::diag, "input"_a, "diagonal"_a = 0);
  def_both(m, "diag_embed", &fl::diag_embed, "input"_a, "offset"_a = 0, "dim1"_a = -2, "dim2"_a = -1);
  def_both(m, "cross", &cross, "input"_a, "other"_a, "dim"_a = nb::none());

  // beta * input + alpha * (a @ b), with keyword-only beta/alpha as torch; in-place forms copy back into self.
  using Fused = Tensor (*)(const Tensor&, const Tensor&, const Tensor&, const fl::Scalar&, const fl::Scalar&);
  struct FusedEntry {
    const char* name;
    const char* inplace;
    Fused fn;
    const char* a;
    const char* b;
  };
  const FusedEntry fused[] = {
      {"addmm", "addmm_", &fl::addmm, "mat1", "mat2"},
      {"addmv", "addmv_", &fl::addmv, "mat", "vec"},
      {"baddbmm", "baddbmm_", &fl::baddbmm, "batch1", "batch2"},
      {"addbmm", "addbmm_", &fl::addbmm, "batch1", "batch2"},
  };
  for (const auto& e : fused) {
    Fused f = e.fn;
    def_both(m, e.name, [f](const Tensor& x, const Tensor& a, const Tensor& b, nb::handle beta, nb::handle alpha) {
      return f(x, a, b, scalar_or(beta, 1), scalar_or(alpha, 1));
    }, "input"_a, nb::arg(e.a), nb::arg(e.b), nb::kw_only(), "beta"_a = 1, "alpha"_a = 1);
    def_method(e.inplace, [f](Tensor& x, const Tensor& a, const Tensor& b, nb::handle beta, nb::handle alpha) -> Tensor& {
      return x.copy_(f(x, a, b, scalar_or(beta, 1), scalar_or(alpha, 1)));
    }, nb::arg(e.a), nb::arg(e.b), nb::kw_only(), "beta"_a = 1, "alpha"_a = 1, nb::rv_policy::reference_internal);
  }

  m.def("einsum", &einsum, "equation"_a, "operands"_a);
  m.def("tensordot", &tensordot, "a"_a, "b"_a, "dims"_a = 2);
  m.def("get_num_threads", &fl::get_num_threads);
  m.def("set_num_threads", &fl::set_num_threads, "num"_a);

  // x @ y (NotImplemented for non-tensor operands, so Python tries the other side).
  def_method("__matmul__", [](const Tensor& a, const Tensor& b) { return fl::matmul(a, b); }, "other"_a,
             nb::is_operator());
  def_method("__rmatmul__", [](const Tensor& a, const Tensor& b) { return fl::matmul(b, a); }, "other"_a,
             nb::is_operator());
}

}  // namespace flpy
