// Bindings for fl/ops/unary.h: each op as fl.<name>(input), as a method, and in place where PyTorch has it.
#include "bind.h"

namespace flpy {

using fl::Tensor;

void init_unary(Module& m) {
  using UnaryFn = Tensor (*)(const Tensor&);
  struct Entry {
    const char* name;
    UnaryFn fn;
  };
  const Entry simple[] = {
      {"exp", fl::exp},         {"exp2", fl::exp2},       {"expm1", fl::expm1},       {"log", fl::log},
      {"log2", fl::log2},       {"log10", fl::log10},     {"log1p", fl::log1p},       {"sqrt", fl::sqrt},
      {"rsqrt", fl::rsqrt},     {"sin", fl::sin},         {"cos", fl::cos},           {"tan", fl::tan},
      {"asin", fl::asin},       {"acos", fl::acos},       {"atan", fl::atan},         {"sinh", fl::sinh},
      {"cosh", fl::cosh},       {"tanh", fl::tanh},       {"asinh", fl::asinh},       {"acosh", fl::acosh},
      {"atanh", fl::atanh},     {"erf", fl::erf},         {"erfinv", fl::erfinv},     {"reciprocal", fl::reciprocal},
      {"sigmoid", fl::sigmoid}, {"deg2rad", fl::deg2rad}, {"rad2deg", fl::rad2deg},   {"abs", fl::abs},
      {"neg", fl::neg},         {"negative", fl::negative}, {"sign", fl::sign},       {"square", fl::square},
      {"floor", fl::floor},     {"ceil", fl::ceil},       {"trunc", fl::trunc},       {"frac", fl::frac},
      {"positive", fl::positive}, {"isnan", fl::isnan},   {"isinf", fl::isinf},       {"isfinite", fl::isfinite},
      {"signbit", fl::signbit}, {"logical_not", fl::logical_not}, {"bitwise_not", fl::bitwise_not},
      {"relu", fl::relu},       {"selu", fl::selu},       {"silu", fl::silu},         {"mish", fl::mish},
      {"softsign", fl::softsign}, {"hardsigmoid", fl::hardsigmoid}, {"hardswish", fl::hardswish},
      {"tanhshrink", fl::tanhshrink}, {"logsigmoid", fl::logsigmoid}, {"relu6", fl::relu6},
  };
  for (auto& e : simple) def_both(m, e.name, e.fn, "input"_a);
  m.attr("absolute") = m.attr("abs");
  m.attr("arcsin") = m.attr("asin");
  m.attr("arccos") = m.attr("acos");
  m.attr("arctan") = m.attr("atan");
  m.attr("arcsinh") = m.attr("asinh");
  m.attr("arccosh") = m.attr("acosh");
  m.attr("arctanh") = m.attr("atanh");
  m.attr("fix") = m.attr("trunc");
  {  // the aliases are Tensor methods too (x.absolute(), x.arccos(), ...), as in torch
    nb::handle cls = nb::type<Tensor>();
    for (auto [alias, name] : {std::pair{"absolute", "abs"}, {"arcsin", "asin"}, {"arccos", "acos"}, {"arctan", "atan"},
                               {"arcsinh", "asinh"}, {"arccosh", "acosh"}, {"arctanh", "atanh"}, {"fix", "trunc"}})
      nb::setattr(cls, alias, nb::getattr(cls, name));
  }
  def_both(m, "round", [](const Tensor& x, int64_t decimals) { return fl::round(x, decimals); }, "input"_a,
           nb::kw_only(), "decimals"_a = 0);
  def_both(m, "logit", &fl::logit, "input"_a, "eps"_a = nb::none());
  def_both(m, "nan_to_num", &fl::nan_to_num, "input"_a, "nan"_a = nb::none(), "posinf"_a = nb::none(),
           "neginf"_a = nb::none());
  m.def("leaky_relu", &fl::leaky_relu, "input"_a, "negative_slope"_a = 0.01);
  m.def("elu", &fl::elu, "input"_a, "alpha"_a = 1.0);
  m.def("celu", &fl::celu, "input"_a, "alpha"_a = 1.0);
  m.def("gelu", &fl::gelu, "input"_a, nb::kw_only(), "approximate"_a = "none");
  m.def("softplus", &fl::softplus, "input"_a, "beta"_a = 1.0, "threshold"_a = 20.0);
  m.def("hardtanh", &fl::hardtanh, "input"_a, "min_val"_a = -1.0, "max_val"_a = 1.0);
  def_both(m, "hardshrink", &fl::hardshrink, "input"_a, "lambd"_a = 0.5);  // torch.Tensor.hardshrink exists
  m.def("softshrink", &fl::softshrink, "input"_a, "lambd"_a = 0.5);
  def_method("__neg__", &fl::neg);
  def_method("__invert__", [](const Tensor& x) {  // torch's Python operator checks the dtype first (TypeError)
    FL_CHECK_TYPE(!x.is_floating_point(), "~ (operator.invert) is only implemented on integer and Boolean-type tensors");
    return fl::bitwise_not(x);
  });
  def_method("__abs__", &fl::abs);
  def_method("__pos__", &fl::positive);

  // In-place forms: x.exp_() etc. are the out-of-place op written back into x.
  nb::handle cls = nb::type<Tensor>();
  auto inplace = [&](const char* name, Tensor& (Tensor::*fn)()) {
    nb::setattr(cls, name, nb::cpp_function([fn](Tensor& t) -> Tensor& { return (t.*fn)(); }, nb::is_method(),
                                            nb::name(name), nb::scope(cls), doc("Tensor", name),
                                            nb::rv_policy::reference_internal));
  };
  inplace("neg_", &Tensor::neg_);
  inplace("exp_", &Tensor::exp_);
  inplace("sqrt_", &Tensor::sqrt_);
  inplace("relu_", &Tensor::relu_);
  inplace("sigmoid_", &Tensor::sigmoid_);
  inplace("tanh_", &Tensor::tanh_);
}

}  // namespace flpy
