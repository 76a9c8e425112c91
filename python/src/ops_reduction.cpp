// Bindings for fl/ops/reduction.h: reductions, scans, softmax and sorting, as functions and Tensor methods,
// with PyTorch's signatures (dim as int, tuple, list or None; (values, indices) as flashlight.return_types).
#include <algorithm>
#include <cmath>

#include "bind.h"
#include "ops/op_utils.h"

namespace flpy {

namespace {
using fl::Shape;
using fl::Tensor;

// dim=None / int / tuple / list / fl.Size / 0-d integer tensor; nullopt for None.
std::optional<Shape> opt_dims(nb::handle h) {
  if (h.is_none()) return std::nullopt;
  if (nb::isinstance<Tensor>(h) && nb::cast<Tensor>(h).dim() == 0) return Shape{nb::cast<Tensor>(h).item().to_int()};
  if (!PyLong_Check(h.ptr()) && !PySequence_Check(h.ptr()) && nb::hasattr(h, "__index__"))
    return Shape{nb::cast<int64_t>(h.attr("__index__")())};
  return to_shape(h);
}
// For reductions where no dims (None or ()) means all dims, as the C++ core takes it.
Shape dims_or_all(nb::handle h) { return opt_dims(h).value_or(Shape{}); }

// A flashlight.return_types.<name>(first, second) instance.
nb::object named(const char* type, const std::tuple<Tensor, Tensor>& r) {
  static nb::handle mod = nb::module_::import_("flashlight.return_types").release();
  return mod.attr(type)(std::get<0>(r), std::get<1>(r));
}

// var/std's arguments: the legacy `unbiased` (also as a bool in dim's place) or `correction`.
double correction_of(nb::handle& dim, nb::handle unbiased, nb::handle correction) {
  if (PyBool_Check(dim.ptr())) {
    FL_CHECK_TYPE(unbiased.is_none(), "var(): unbiased given twice");
    unbiased = dim;
    dim = nb::none();
  }
  double corr = 1;
  if (!unbiased.is_none()) corr = nb::cast<bool>(unbiased) ? 1 : 0;
  if (!correction.is_none()) {
    FL_CHECK(unbiased.is_none(), "Cannot specify both unbiased and correction");
    corr = nb::cast<double>(correction);
  }
  return corr;
}

// all/any over dim=None (every dim), an int, or a tuple (dim=() reduces nothing, as PyTorch).
Tensor logical(bool is_all, const Tensor& x, nb::handle dim, bool keepdim) {
  if (dim.is_none()) {
    Tensor r = is_all ? fl::all(x) : fl::any(x);
    return keepdim ? r.reshape(Shape(x.dim(), 1)) : r;
  }
  Shape dims = *opt_dims(dim);
  if (dims.empty()) {
    Tensor b = x.to(fl::kBool);
    return x.dtype() == fl::kUInt8 ? b.to(fl::kUInt8) : b;
  }
  std::vector<int64_t> w;
  for (auto d : dims) w.push_back(fl::wrap_dim(d, x.dim()));
  std::sort(w.rbegin(), w.rend());
  w.erase(std::unique(w.begin(), w.end()), w.end());
  Tensor r = x;
  for (auto d : w) r = is_all ? fl::all(r, d, keepdim) : fl::any(r, d, keepdim);
  return r;
}

// torch.norm's p: 'fro' (2-norm over <= 2 dims), a number (inf included) or None (2).
double norm_p(nb::handle p, const std::optional<Shape>& dims) {
  if (p.is_none()) return 2.0;
  if (nb::isinstance<nb::str>(p)) {
    std::string s = nb::cast<std::string>(p);
    if (s == "fro") {
      FL_CHECK(!dims || dims->size() <= 2, "linalg.matrix_norm: dim must be a 2-tuple. Got ",
               fl::shape_to_string(*dims));
      return 2.0;
    }
    if (s == "nuc") throw fl::NotImplementedError("norm(p='nuc') (the nuclear norm) is not supported by flashlight");
    throw fl::Error("linalg.matrix_norm: Order " + s + " not supported.");
  }
  return nb::cast<double>(p);
}

Tensor cast_opt(const Tensor& x, std::optional<fl::Dtype> dtype) { return dtype ? x.to(*dtype) : x; }
}  // namespace

void init_reduction(Module& m) {
  // --- sums and means ---
  def_both(m, "sum", [](const Tensor& x, nb::handle dim, bool keepdim, std::optional<fl::Dtype> dtype) {
    return fl::sum(x, dims_or_all(dim), keepdim, dtype);
  }, "input"_a, "dim"_a = nb::none(), "keepdim"_a = false, nb::kw_only(), "dtype"_a = nb::none());
  def_both(m, "mean", [](const Tensor& x, nb::handle dim, bool keepdim, std::optional<fl::Dtype> dtype) {
    return fl::mean(x, dims_or_all(dim), keepdim, dtype);
  }, "input"_a, "dim"_a = nb::none(), "keepdim"_a = false, nb::kw_only(), "dtype"_a = nb::none());
  def_both(m, "nansum", [](const Tensor& x, nb::handle dim, bool keepdim, std::optional<fl::Dtype> dtype) {
    return fl::nansum(cast_opt(x, dtype), dims_or_all(dim), keepdim);
  }, "input"_a, "dim"_a = nb::none(), "keepdim"_a = false, nb::kw_only(), "dtype"_a = nb::none());
  def_both(m, "nanmean", [](const Tensor& x, nb::handle dim, bool keepdim, std::optional<fl::Dtype> dtype) {
    return fl::nanmean(cast_opt(x, dtype), dims_or_all(dim), keepdim);
  }, "input"_a, "dim"_a = nb::none(), "keepdim"_a = false, nb::kw_only(), "dtype"_a = nb::none());
  def_both(m, "prod", [](const Tensor& x, std::optional<int64_t> dim, bool keepdim, std::optional<fl::Dtype> dtype) {
    return fl::prod(x, dim, keepdim, dtype);
  }, "input"_a, "dim"_a = nb::none(), "keepdim"_a = false, nb::kw_only(), "dtype"_a = nb::none());

  // --- max / min: over everything, along a dim (values, indices), or elementwise with another tensor ---
  // (nanobind chains same-name definitions in one scope into an overload set, tried in order.)
  def_both(m, "max", [](const Tensor& x) { return fl::max(x); }, "input"_a);
  def_both(m, "max", [](const Tensor& x, int64_t dim, bool keepdim) { return named("max", fl::max(x, dim, keepdim)); },
                "input"_a, "dim"_a, "keepdim"_a = false);
  def_both(m, "max", [](const Tensor& x, const Tensor& other) { return fl::maximum(x, other); }, "input"_a,
                "other"_a);
  def_both(m, "min", [](const Tensor& x) { return fl::min(x); }, "input"_a);
  def_both(m, "min", [](const Tensor& x, int64_t dim, bool keepdim) { return named("min", fl::min(x, dim, keepdim)); },
                "input"_a, "dim"_a, "keepdim"_a = false);
  def_both(m, "min", [](const Tensor& x, const Tensor& other) { return fl::minimum(x, other); }, "input"_a,
                "other"_a);
  def_both(m, "amax", [](const Tensor& x, nb::handle dim, bool keepdim) { return fl::amax(x, dims_or_all(dim), keepdim); },
           "input"_a, "dim"_a = nb::none(), "keepdim"_a = false);
  def_both(m, "amin", [](const Tensor& x, nb::handle dim, bool keepdim) { return fl::amin(x, dims_or_all(dim), keepdim); },
           "input"_a, "dim"_a = nb::none(), "keepdim"_a = false);
  def_both(m, "aminmax", [](const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
    return named("aminmax", fl::aminmax(x, dim, keepdim));
  }, "input"_a, nb::kw_only(), "dim"_a = nb::none(), "keepdim"_a = false);
  def_both(m, "argmax", [](const Tensor& x, std::optional<int64_t> dim, bool keepdim) { return fl::argmax(x, dim, keepdim); },
           "input"_a, "dim"_a = nb::none(), "keepdim"_a = false);
  def_both(m, "argmin", [](const Tensor& x, std::optional<int64_t> dim, bool keepdim) { return fl::argmin(x, dim, keepdim); },
           "input"_a, "dim"_a = nb::none(), "keepdim"_a = false);

  // --- statistics: var/std(input, dim=None, unbiased=None, keepdim=False, *, correction=None) ---
  auto stat = [&](const char* name, auto f) {
    def_both(m, name, [f](const Tensor& x, nb::handle dim, nb::handle unbiased, bool keepdim, nb::handle correction) {
      double corr = correction_of(dim, unbiased, correction);
      return f(x, dims_or_all(dim), corr, keepdim);
    }, "input"_a, "dim"_a = nb::none(), "unbiased"_a = nb::none(), "keepdim"_a = false, nb::kw_only(),
             "correction"_a = nb::none());
  };
  stat("var", [](const Tensor& x, const Shape& d, double c, bool k) { return fl::var(x, d, c, k); });
  stat("std", [](const Tensor& x, const Shape& d, double c, bool k) { return fl::std(x, d, c, k); });
  auto stat_pair = [&](const char* name, auto f) {
    m.def(name, [f](const Tensor& x, nb::handle dim, nb::handle unbiased, bool keepdim, nb::handle correction) {
      double corr = correction_of(dim, unbiased, correction);
      auto [a, b] = f(x, dims_or_all(dim), corr, keepdim);
      return nb::make_tuple(a, b);
    }, "input"_a, "dim"_a = nb::none(), "unbiased"_a = nb::none(), "keepdim"_a = false, nb::kw_only(),
          "correction"_a = nb::none());
  };
  stat_pair("var_mean", [](const Tensor& x, const Shape& d, double c, bool k) { return fl::var_mean(x, d, c, k); });
  stat_pair("std_mean", [](const Tensor& x, const Shape& d, double c, bool k) { return fl::std_mean(x, d, c, k); });

  def_both(m, "norm", [](const Tensor& x, nb::handle p, nb::handle dim, bool keepdim, std::optional<fl::Dtype> dtype) {
    auto dims = opt_dims(dim);
    double pv = norm_p(p, dims);
    return fl::norm(cast_opt(x, dtype), pv, dims.value_or(Shape{}), keepdim);
  }, "input"_a, nb::arg("p").none() = "fro", "dim"_a = nb::none(), "keepdim"_a = false, "dtype"_a = nb::none());
  def_both(m, "logsumexp", [](const Tensor& x, nb::handle dim, bool keepdim) {
    return fl::logsumexp(x, dims_or_all(dim), keepdim);
  }, "input"_a, "dim"_a, "keepdim"_a = false);
  def_both(m, "all", [](const Tensor& x, nb::handle dim, bool keepdim) { return logical(true, x, dim, keepdim); },
           "input"_a, "dim"_a = nb::none(), "keepdim"_a = false);
  def_both(m, "any", [](const Tensor& x, nb::handle dim, bool keepdim) { return logical(false, x, dim, keepdim); },
           "input"_a, "dim"_a = nb::none(), "keepdim"_a = false);
  def_both(m, "count_nonzero", [](const Tensor& x, nb::handle dim) { return fl::count_nonzero(x, dims_or_all(dim)); },
           "input"_a, "dim"_a = nb::none());
  def_both(m, "median", [](const Tensor& x) { return fl::median(x); }, "input"_a);
  def_both(m, "median", [](const Tensor& x, int64_t dim, bool keepdim) {
    return named("median", fl::median(x, dim, keepdim));
  }, "input"_a, "dim"_a, "keepdim"_a = false);

  // --- scans and softmax ---
  def_both(m, "cumsum", [](const Tensor& x, int64_t dim, std::optional<fl::Dtype> dtype) { return fl::cumsum(x, dim, dtype); },
           "input"_a, "dim"_a, nb::kw_only(), "dtype"_a = nb::none());
  def_both(m, "cumprod", [](const Tensor& x, int64_t dim, std::optional<fl::Dtype> dtype) { return fl::cumprod(x, dim, dtype); },
           "input"_a, "dim"_a, nb::kw_only(), "dtype"_a = nb::none());
  def_both(m, "cummax", [](const Tensor& x, int64_t dim) { return named("cummax", fl::cummax(x, dim)); }, "input"_a, "dim"_a);
  def_both(m, "cummin", [](const Tensor& x, int64_t dim) { return named("cummin", fl::cummin(x, dim)); }, "input"_a, "dim"_a);
  def_both(m, "logcumsumexp", &fl::logcumsumexp, "input"_a, "dim"_a);
  // No C++ in-place scans: x.cumsum_(dim) is the out-of-place op copied back into x.
  def_method("cumsum_", [](Tensor& x, int64_t dim, std::optional<fl::Dtype> dtype) -> Tensor& {
    return x.copy_(fl::cumsum(x, dim, dtype));
  }, "dim"_a, nb::kw_only(), "dtype"_a = nb::none(), nb::rv_policy::reference_internal);
  def_method("cumprod_", [](Tensor& x, int64_t dim, std::optional<fl::Dtype> dtype) -> Tensor& {
    // cumprod saves its input for backward: a clone, so the write into x doesn't invalidate it (torch saves the
    // original self of an in-place op the same way).
    return x.copy_(fl::cumprod(x.clone(), dim, dtype));
  }, "dim"_a, nb::kw_only(), "dtype"_a = nb::none(), nb::rv_policy::reference_internal);
  def_both(m, "softmax", [](const Tensor& x, int64_t dim, std::optional<fl::Dtype> dtype) { return fl::softmax(x, dim, dtype); },
           "input"_a, "dim"_a, "dtype"_a = nb::none());
  def_both(m, "log_softmax", [](const Tensor& x, int64_t dim, std::optional<fl::Dtype> dtype) {
    return fl::log_softmax(x, dim, dtype);
  }, "input"_a, "dim"_a, "dtype"_a = nb::none());

  // --- sorting and selection ---
  def_both(m, "sort", [](const Tensor& x, int64_t dim, bool descending, std::optional<bool> stable) {
    return named("sort", fl::sort(x, dim, descending, stable.value_or(false)));
  }, "input"_a, "dim"_a = -1, "descending"_a = false, nb::kw_only(), "stable"_a = false);
  def_both(m, "argsort", [](const Tensor& x, int64_t dim, bool descending, std::optional<bool> stable) {
    return fl::argsort(x, dim, descending, stable.value_or(false));
  }, "input"_a, "dim"_a = -1, "descending"_a = false, nb::kw_only(), "stable"_a = false);
  def_both(m, "msort", [](const Tensor& x) { return std::get<0>(fl::sort(x, 0)); }, "input"_a);
  def_both(m, "topk", [](const Tensor& x, int64_t k, int64_t dim, bool largest, bool sorted) {
    return named("topk", fl::topk(x, k, dim, largest, sorted));
  }, "input"_a, "k"_a, "dim"_a = -1, "largest"_a = true, "sorted"_a = true);
  def_both(m, "kthvalue", [](const Tensor& x, int64_t k, int64_t dim, bool keepdim) {
    return named("kthvalue", fl::kthvalue(x, k, dim, keepdim));
  }, "input"_a, "k"_a, "dim"_a = -1, "keepdim"_a = false);
}

}  // namespace flpy
