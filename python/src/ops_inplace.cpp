// Bindings for the in-place forms of fl/ops/inplace_list.h and their kin. One mechanism for the op forms:
// x.name_(...) calls the out-of-place method x.name(...) (so arguments parse exactly as the op's) and writes its
// result back into x (fl::assign_result: PyTorch's dtype and shape rules, views written through to the base).
#include "bind.h"
#include "core/autograd_impl.h"
#include "ops/op_utils.h"

namespace flpy {

using fl::Tensor;

void init_inplace(Module&) {
  nb::handle cls = nb::type<Tensor>();
  // An alias's form (absolute_) takes the text of the op the alias names (abs_): both are one function object.
  auto doc_of = [&](const char* name) -> const char* {
    const char* d = doc("Tensor", name);
    std::string_view n(name);
    if (*d || n.back() != '_' || !nb::hasattr(cls, std::string(n.substr(0, n.size() - 1)).c_str())) return d;
    nb::object target = nb::getattr(cls, std::string(n.substr(0, n.size() - 1)).c_str()).attr("__name__");
    return doc("Tensor", nb::cast<std::string>(target) + "_");
  };
  auto method = [&](const char* name, auto f, auto... extra) {
    nb::setattr(cls, name,
                nb::cpp_function(f, nb::is_method(), nb::name(name), nb::scope(cls), doc_of(name), extra...,
                                 nb::rv_policy::reference_internal));
  };
  struct Form {
    const char* outplace;
    const char* inplace;
  };
#define FL_FORM(m, fn) Form{#m, #m "_"},
  const Form forms[] = {FL_INPLACE_UNARY_OPS(FL_FORM) FL_INPLACE_BINARY_OPS(FL_FORM)
                            FL_INPLACE_BINARY_TENSOR_OPS(FL_FORM) Form{"round", "round_"},
                        Form{"logit", "logit_"}, Form{"nan_to_num", "nan_to_num_"}, Form{"clamp_min", "clamp_min_"},
                        Form{"clamp_max", "clamp_max_"}, Form{"clip", "clip_"}};
#undef FL_FORM
  for (const Form& f : forms) {
    nb::object outplace = nb::getattr(cls, f.outplace);
    method(f.inplace, [outplace](Tensor& self, nb::args args, nb::kwargs kwargs) -> Tensor& {
      Tensor r = nb::cast<Tensor>(outplace(self, *args, **kwargs));
      std::vector<Tensor> others;
      for (nb::handle a : args)
        if (nb::isinstance<Tensor>(a)) others.push_back(nb::cast<Tensor>(a));
      return fl::assign_result(self, r, others);
    });
  }
  method("float_power_", [](Tensor& self, nb::handle e) -> Tensor& {
    return is_number(e) ? self.float_power_(to_scalar(e)) : self.float_power_(nb::cast<Tensor>(e));
  }, "exponent"_a);
  method("fill_diagonal_", [](Tensor& self, nb::handle v, bool wrap) -> Tensor& {
    return self.fill_diagonal_(to_scalar(v), wrap);
  }, "fill_value"_a, "wrap"_a = false);

  // Random fills (torch.Tensor's defaults), with generator=.
  method("exponential_", [](Tensor& self, double lambd, nb::handle g) -> Tensor& {
    return self.exponential_(lambd, generator_arg(g));
  }, "lambd"_a = 1.0, nb::kw_only(), "generator"_a = nb::none());
  method("cauchy_", [](Tensor& self, double median, double sigma, nb::handle g) -> Tensor& {
    return self.cauchy_(median, sigma, generator_arg(g));
  }, "median"_a = 0.0, "sigma"_a = 1.0, nb::kw_only(), "generator"_a = nb::none());
  method("log_normal_", [](Tensor& self, double mean, double std, nb::handle g) -> Tensor& {
    return self.log_normal_(mean, std, generator_arg(g));
  }, "mean"_a = 1.0, "std"_a = 2.0, nb::kw_only(), "generator"_a = nb::none());
  method("geometric_", [](Tensor& self, double p, nb::handle g) -> Tensor& {
    return self.geometric_(p, generator_arg(g));
  }, "p"_a, nb::kw_only(), "generator"_a = nb::none());

  // In-place view ops.
  method("squeeze_", [](Tensor& self, nb::handle dim) -> Tensor& {
    if (dim.is_none()) return self.squeeze_();
    if (PyLong_Check(dim.ptr())) return self.squeeze_(nb::cast<int64_t>(dim));
    std::vector<int64_t> dims;
    for (auto d : to_shape(dim)) dims.push_back(fl::wrap_dim(d, self.dim()));
    std::sort(dims.rbegin(), dims.rend());
    for (auto d : dims) self.squeeze_(d);
    return self;
  }, "dim"_a = nb::none());
  method("unsqueeze_", [](Tensor& self, int64_t dim) -> Tensor& { return self.unsqueeze_(dim); }, "dim"_a);
  method("t_", [](Tensor& self) -> Tensor& { return self.t_(); });
  method("transpose_", [](Tensor& self, int64_t a, int64_t b) -> Tensor& { return self.transpose_(a, b); }, "dim0"_a,
         "dim1"_a);
  method("swapaxes_", [](Tensor& self, int64_t a, int64_t b) -> Tensor& { return self.swapaxes_(a, b); }, "axis0"_a,
         "axis1"_a);
  method("swapdims_", [](Tensor& self, int64_t a, int64_t b) -> Tensor& { return self.swapdims_(a, b); }, "dim0"_a,
         "dim1"_a);
  method("is_inference", [](const Tensor& self) { return self.is_inference(); });
}

}  // namespace flpy
