// Bindings for fl/ops/binary.h: functions, methods, operators (reflected and in-place).
#include "bind.h"

namespace flpy {

namespace {
using fl::Tensor;

// `other` may be a Tensor or a Python number (kept as a wrapped scalar for PyTorch's promotion).
Tensor operand(nb::handle h) { return to_tensor_operand(h); }

// A Tensor operand is used in place (no copy); anything else is converted.
template <typename F>
auto binary(F f) {
  return [f](const Tensor& a, nb::handle b) {
    if (const Tensor* t = tensor_ptr(b)) return f(a, *t);
    return f(a, operand(b));
  };
}
// torch's atan2, hypot and logical_* take only a Tensor `other`: a number is a TypeError.
template <typename F>
auto tensor_binary(const char* name, F f) {
  return [name, f](const Tensor& a, nb::handle b) {
    if (!nb::isinstance<Tensor>(b))
      throw fl::TypeError(std::string(name) + "(): argument 'other' must be Tensor, not " +
                          nb::cast<std::string>(nb::str(b.type().attr("__name__"))));
    return f(a, nb::cast<Tensor>(b));
  };
}
template <typename F>
auto reflected(F f) {
  return [f](const Tensor& a, nb::handle b) {
    if (const Tensor* t = tensor_ptr(b)) return f(*t, a);
    return f(operand(b), a);
  };
}
}  // namespace

void init_binary(Module& m) {
  def_both(m, "add", [](const Tensor& a, nb::handle b, nb::handle alpha) {
    return fl::add(a, operand(b), alpha.is_none() ? fl::Scalar(1) : to_scalar(alpha));
  }, "input"_a, "other"_a, nb::kw_only(), "alpha"_a = nb::none());
  def_both(m, "sub", [](const Tensor& a, nb::handle b, nb::handle alpha) {
    return fl::sub(a, operand(b), alpha.is_none() ? fl::Scalar(1) : to_scalar(alpha));
  }, "input"_a, "other"_a, nb::kw_only(), "alpha"_a = nb::none());
  m.attr("subtract") = m.attr("sub");
  def_both(m, "rsub", [](const Tensor& a, nb::handle b, nb::handle alpha) {
    return fl::rsub(a, operand(b), alpha.is_none() ? fl::Scalar(1) : to_scalar(alpha));
  }, "input"_a, "other"_a, nb::kw_only(), "alpha"_a = nb::none());
  def_both(m, "mul", binary([](const auto& a, const auto& b) { return fl::mul(a, b); }), "input"_a, "other"_a);
  m.attr("multiply") = m.attr("mul");
  def_both(m, "div", [](const Tensor& a, nb::handle b, std::optional<std::string> mode) {
    return fl::div(a, operand(b), mode);
  }, "input"_a, "other"_a, nb::kw_only(), "rounding_mode"_a = nb::none());
  m.attr("divide") = m.attr("div");
  def_both(m, "true_divide", binary([](const auto& a, const auto& b) { return fl::true_divide(a, b); }), "input"_a, "other"_a);
  def_both(m, "floor_divide", binary([](const auto& a, const auto& b) { return fl::floor_divide(a, b); }), "input"_a, "other"_a);
  def_both(m, "remainder", binary([](const auto& a, const auto& b) { return fl::remainder(a, b); }), "input"_a, "other"_a);
  def_both(m, "fmod", binary([](const auto& a, const auto& b) { return fl::fmod(a, b); }), "input"_a, "other"_a);
  m.def("pow", [](nb::handle a, nb::handle b) { return fl::pow(operand(a), operand(b)); }, "input"_a, "exponent"_a);
  def_method("pow", [](const Tensor& a, nb::handle b) {
    return is_number(b) ? fl::pow(a, to_scalar(b)) : fl::pow(a, nb::cast<Tensor>(b));
  }, "exponent"_a);
  def_both(m, "float_power", binary([](const auto& a, const auto& b) { return fl::float_power(a, b); }), "input"_a, "exponent"_a);
  def_both(m, "atan2", tensor_binary("atan2", [](const Tensor& a, const Tensor& b) { return fl::atan2(a, b); }),
           "input"_a, "other"_a);
  m.attr("arctan2") = m.attr("atan2");
  def_both(m, "hypot", tensor_binary("hypot", [](const Tensor& a, const Tensor& b) { return fl::hypot(a, b); }),
           "input"_a, "other"_a);
  def_both(m, "copysign", binary([](const auto& a, const auto& b) { return fl::copysign(a, b); }), "input"_a, "other"_a);
  def_both(m, "xlogy", binary([](const auto& a, const auto& b) { return fl::xlogy(a, b); }), "input"_a, "other"_a);
  def_both(m, "maximum", &fl::maximum, "input"_a, "other"_a);
  def_both(m, "minimum", &fl::minimum, "input"_a, "other"_a);
  def_both(m, "fmax", &fl::fmax, "input"_a, "other"_a);
  def_both(m, "fmin", &fl::fmin, "input"_a, "other"_a);
  def_both(m, "eq", binary([](const auto& a, const auto& b) { return fl::eq(a, b); }), "input"_a, "other"_a);
  def_both(m, "ne", binary([](const auto& a, const auto& b) { return fl::ne(a, b); }), "input"_a, "other"_a);
  def_both(m, "lt", binary([](const auto& a, const auto& b) { return fl::lt(a, b); }), "input"_a, "other"_a);
  def_both(m, "le", binary([](const auto& a, const auto& b) { return fl::le(a, b); }), "input"_a, "other"_a);
  def_both(m, "gt", binary([](const auto& a, const auto& b) { return fl::gt(a, b); }), "input"_a, "other"_a);
  def_both(m, "ge", binary([](const auto& a, const auto& b) { return fl::ge(a, b); }), "input"_a, "other"_a);
  m.attr("greater") = m.attr("gt");
  m.attr("less") = m.attr("lt");
  m.attr("greater_equal") = m.attr("ge");
  m.attr("less_equal") = m.attr("le");
  m.attr("not_equal") = m.attr("ne");
  {  // the aliases are Tensor methods too (x.subtract(y), x.greater(y), ...), as in torch
    nb::handle cls = nb::type<Tensor>();
    for (auto [alias, name] : {std::pair{"subtract", "sub"}, {"multiply", "mul"}, {"divide", "div"}, {"greater", "gt"},
                               {"less", "lt"}, {"greater_equal", "ge"}, {"less_equal", "le"}, {"not_equal", "ne"},
                               {"arctan2", "atan2"}})
      nb::setattr(cls, alias, nb::getattr(cls, name));
  }
  def_both(m, "isclose", &fl::isclose, "input"_a, "other"_a, "rtol"_a = 1e-5, "atol"_a = 1e-8, "equal_nan"_a = false);
  def_both(m, "allclose", &fl::allclose, "input"_a, "other"_a, "rtol"_a = 1e-5, "atol"_a = 1e-8, "equal_nan"_a = false);
  def_both(m, "equal", &fl::equal, "input"_a, "other"_a);
  def_both(m, "logical_and",
           tensor_binary("logical_and", [](const Tensor& a, const Tensor& b) { return fl::logical_and(a, b); }),
           "input"_a, "other"_a);
  def_both(m, "logical_or",
           tensor_binary("logical_or", [](const Tensor& a, const Tensor& b) { return fl::logical_or(a, b); }),
           "input"_a, "other"_a);
  def_both(m, "logical_xor",
           tensor_binary("logical_xor", [](const Tensor& a, const Tensor& b) { return fl::logical_xor(a, b); }),
           "input"_a, "other"_a);
  def_both(m, "bitwise_and", binary([](const auto& a, const auto& b) { return fl::bitwise_and(a, b); }), "input"_a, "other"_a);
  def_both(m, "bitwise_or", binary([](const auto& a, const auto& b) { return fl::bitwise_or(a, b); }), "input"_a, "other"_a);
  def_both(m, "bitwise_xor", binary([](const auto& a, const auto& b) { return fl::bitwise_xor(a, b); }), "input"_a, "other"_a);
  m.def("where", [](const Tensor& c, nb::handle a, nb::handle b) { return fl::where(c, operand(a), operand(b)); },
        "condition"_a, "input"_a, "other"_a);
  def_method("where", [](const Tensor& self, const Tensor& c, nb::handle b) { return fl::where(c, self, operand(b)); },
             "condition"_a, "other"_a);
  def_both(m, "lerp", [](const Tensor& s, const Tensor& e, nb::handle w) {
    return is_number(w) ? fl::lerp(s, e, to_scalar(w)) : fl::lerp(s, e, nb::cast<Tensor>(w));
  }, "input"_a, "end"_a, "weight"_a);
  def_both(m, "addcmul", [](const Tensor& i, const Tensor& a, const Tensor& b, nb::handle v) {
    return fl::addcmul(i, a, b, to_scalar(v));
  }, "input"_a, "tensor1"_a, "tensor2"_a, nb::kw_only(), "value"_a = 1);
  def_both(m, "addcdiv", [](const Tensor& i, const Tensor& a, const Tensor& b, nb::handle v) {
    return fl::addcdiv(i, a, b, to_scalar(v));
  }, "input"_a, "tensor1"_a, "tensor2"_a, nb::kw_only(), "value"_a = 1);
  auto clamp = [](const Tensor& x, nb::handle lo, nb::handle hi) {
    if ((lo.is_none() || is_number(lo)) && (hi.is_none() || is_number(hi))) {
      std::optional<fl::Scalar> l, h;
      if (!lo.is_none()) l = to_scalar(lo);
      if (!hi.is_none()) h = to_scalar(hi);
      return fl::clamp(x, l, h);
    }
    std::optional<Tensor> l, h;
    if (!lo.is_none()) l = operand(lo);
    if (!hi.is_none()) h = operand(hi);
    return fl::clamp(x, l, h);
  };
  def_both(m, "clamp", clamp, "input"_a, "min"_a = nb::none(), "max"_a = nb::none());
  def_both(m, "clip", clamp, "input"_a, "min"_a = nb::none(), "max"_a = nb::none());
  def_both(m, "clamp_min", [](const Tensor& x, nb::handle v) { return fl::clamp_min(x, to_scalar(v)); }, "input"_a, "min"_a);
  def_both(m, "clamp_max", [](const Tensor& x, nb::handle v) { return fl::clamp_max(x, to_scalar(v)); }, "input"_a, "max"_a);

  // Operators. NotImplemented for unknown operand types lets Python try the other side.
  nb::handle cls = nb::type<Tensor>();
  auto op = [&](const char* name, auto f) { def_method(name, f, "other"_a); };
  op("__add__", binary([](const auto& a, const auto& b) { return fl::add(a, b); }));
  op("__radd__", reflected([](const auto& a, const auto& b) { return fl::add(a, b); }));
  op("__sub__", binary([](const auto& a, const auto& b) { return fl::sub(a, b); }));
  op("__rsub__", reflected([](const auto& a, const auto& b) { return fl::sub(a, b); }));
  op("__mul__", binary([](const auto& a, const auto& b) { return fl::mul(a, b); }));
  op("__rmul__", reflected([](const auto& a, const auto& b) { return fl::mul(a, b); }));
  op("__truediv__", binary([](const auto& a, const auto& b) { return fl::div(a, b); }));
  op("__rtruediv__", reflected([](const auto& a, const auto& b) { return fl::div(a, b); }));
  op("__floordiv__", binary([](const auto& a, const auto& b) { return fl::floor_divide(a, b); }));
  op("__rfloordiv__", reflected([](const auto& a, const auto& b) { return fl::floor_divide(a, b); }));
  op("__mod__", binary([](const auto& a, const auto& b) { return fl::remainder(a, b); }));
  op("__rmod__", reflected([](const auto& a, const auto& b) { return fl::remainder(a, b); }));
  op("__pow__", [](const Tensor& a, nb::handle b) {
    return is_number(b) ? fl::pow(a, to_scalar(b)) : fl::pow(a, operand(b));
  });
  op("__rpow__", reflected([](const auto& a, const auto& b) { return fl::pow(a, b); }));
  op("__and__", binary([](const auto& a, const auto& b) { return fl::bitwise_and(a, b); }));
  op("__rand__", reflected([](const auto& a, const auto& b) { return fl::bitwise_and(a, b); }));
  op("__or__", binary([](const auto& a, const auto& b) { return fl::bitwise_or(a, b); }));
  op("__ror__", reflected([](const auto& a, const auto& b) { return fl::bitwise_or(a, b); }));
  op("__xor__", binary([](const auto& a, const auto& b) { return fl::bitwise_xor(a, b); }));
  op("__rxor__", reflected([](const auto& a, const auto& b) { return fl::bitwise_xor(a, b); }));
  op("__eq__", binary([](const auto& a, const auto& b) { return fl::eq(a, b); }));
  op("__ne__", binary([](const auto& a, const auto& b) { return fl::ne(a, b); }));
  op("__lt__", binary([](const auto& a, const auto& b) { return fl::lt(a, b); }));
  op("__le__", binary([](const auto& a, const auto& b) { return fl::le(a, b); }));
  op("__gt__", binary([](const auto& a, const auto& b) { return fl::gt(a, b); }));
  op("__ge__", binary([](const auto& a, const auto& b) { return fl::ge(a, b); }));

  // In-place forms: x += 1, x.add_(1), ...
  auto inplace = [&](const char* name, auto f) {
    nb::setattr(cls, name, nb::cpp_function([f](Tensor& a, nb::handle b) -> Tensor& { return f(a, b); }, nb::is_method(),
                                            nb::name(name), nb::scope(cls), doc("Tensor", name), "other"_a,
                                            nb::rv_policy::reference_internal));
  };
  auto add_ = [](Tensor& a, nb::handle b) -> Tensor& { return is_number(b) ? a.add_(to_scalar(b)) : a.add_(operand(b)); };
  auto sub_ = [](Tensor& a, nb::handle b) -> Tensor& { return is_number(b) ? a.sub_(to_scalar(b)) : a.sub_(operand(b)); };
  auto mul_ = [](Tensor& a, nb::handle b) -> Tensor& { return is_number(b) ? a.mul_(to_scalar(b)) : a.mul_(operand(b)); };
  auto div_ = [](Tensor& a, nb::handle b) -> Tensor& { return is_number(b) ? a.div_(to_scalar(b)) : a.div_(operand(b)); };
  inplace("__iadd__", add_);
  inplace("__isub__", sub_);
  inplace("__imul__", mul_);
  inplace("__itruediv__", div_);
  inplace("mul_", mul_);
  inplace("div_", div_);
  nb::setattr(cls, "add_", nb::cpp_function([](Tensor& a, nb::handle b, nb::handle alpha) -> Tensor& {
    fl::Scalar al = alpha.is_none() ? fl::Scalar(1) : to_scalar(alpha);
    return is_number(b) ? a.add_(to_scalar(b), al) : a.add_(operand(b), al);
  }, nb::is_method(), nb::name("add_"), nb::scope(cls), doc("Tensor", "add_"), "other"_a, nb::kw_only(), "alpha"_a = nb::none(),
     nb::rv_policy::reference_internal));
  nb::setattr(cls, "sub_", nb::cpp_function([](Tensor& a, nb::handle b, nb::handle alpha) -> Tensor& {
    fl::Scalar al = alpha.is_none() ? fl::Scalar(1) : to_scalar(alpha);
    return is_number(b) ? a.sub_(to_scalar(b), al) : a.sub_(operand(b), al);
  }, nb::is_method(), nb::name("sub_"), nb::scope(cls), doc("Tensor", "sub_"), "other"_a, nb::kw_only(), "alpha"_a = nb::none(),
     nb::rv_policy::reference_internal));
  inplace("pow_", [](Tensor& a, nb::handle e) -> Tensor& { return a.pow_(to_scalar(e)); });
  inplace("__ipow__", [](Tensor& a, nb::handle e) -> Tensor& { return a.pow_(to_scalar(e)); });
  nb::setattr(cls, "clamp_", nb::cpp_function([](Tensor& a, nb::handle lo, nb::handle hi) -> Tensor& {
    std::optional<fl::Scalar> l, h;
    if (!lo.is_none()) l = to_scalar(lo);
    if (!hi.is_none()) h = to_scalar(hi);
    return a.clamp_(l, h);
  }, nb::is_method(), nb::name("clamp_"), nb::scope(cls), doc("Tensor", "clamp_"), "min"_a = nb::none(), "max"_a = nb::none(),
     nb::rv_policy::reference_internal));
  nb::setattr(cls, "addcmul_", nb::cpp_function([](Tensor& a, const Tensor& t1, const Tensor& t2, nb::handle v) -> Tensor& {
    return a.addcmul_(t1, t2, to_scalar(v));
  }, nb::is_method(), nb::name("addcmul_"), nb::scope(cls), doc("Tensor", "addcmul_"), "tensor1"_a, "tensor2"_a, nb::kw_only(), "value"_a = 1,
     nb::rv_policy::reference_internal));
  nb::setattr(cls, "addcdiv_", nb::cpp_function([](Tensor& a, const Tensor& t1, const Tensor& t2, nb::handle v) -> Tensor& {
    return a.addcdiv_(t1, t2, to_scalar(v));
  }, nb::is_method(), nb::name("addcdiv_"), nb::scope(cls), doc("Tensor", "addcdiv_"), "tensor1"_a, "tensor2"_a, nb::kw_only(), "value"_a = 1,
     nb::rv_policy::reference_internal));
  nb::setattr(cls, "lerp_", nb::cpp_function([](Tensor& a, const Tensor& end, nb::handle w) -> Tensor& {
    return a.lerp_(end, to_scalar(w));
  }, nb::is_method(), nb::name("lerp_"), nb::scope(cls), doc("Tensor", "lerp_"), "end"_a, "weight"_a, nb::rv_policy::reference_internal));
}

}  // namespace flpy
