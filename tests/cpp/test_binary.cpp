// Binary, comparison, logical and ternary ops against closed forms, with broadcasting, 0-d and views.
#include <cmath>
#include <set>

#include "test_util.h"

namespace fl::test {
namespace {

struct BinaryCase {
  const char* name;
  std::function<Tensor(const Tensor&, const Tensor&)> fn;
  std::function<double(double, double)> ref;
  double lo, hi;
};

double py_mod(double a, double b) { double r = std::fmod(a, b); return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r; }

const std::vector<BinaryCase>& cases() {
  static const std::vector<BinaryCase> c = {
      {"add", [](auto& a, auto& b) { return fl::add(a, b, 2); }, [](double a, double b) { return a + 2 * b; }, -3, 3},
      {"sub", [](auto& a, auto& b) { return fl::sub(a, b); }, [](double a, double b) { return a - b; }, -3, 3},
      {"rsub", [](auto& a, auto& b) { return fl::rsub(a, b); }, [](double a, double b) { return b - a; }, -3, 3},
      {"mul", [](auto& a, auto& b) { return fl::mul(a, b); }, [](double a, double b) { return a * b; }, -3, 3},
      {"div", [](auto& a, auto& b) { return fl::div(a, b); }, [](double a, double b) { return a / b; }, 0.5, 3},
      {"true_divide", [](auto& a, auto& b) { return fl::true_divide(a, b); }, [](double a, double b) { return a / b; }, 0.5, 3},
      {"remainder", [](auto& a, auto& b) { return fl::remainder(a, b); }, py_mod, 0.5, 3},
      {"fmod", [](auto& a, auto& b) { return fl::fmod(a, b); }, [](double a, double b) { return std::fmod(a, b); }, 0.5, 3},
      {"pow", [](auto& a, auto& b) { return fl::pow(a, b); }, [](double a, double b) { return std::pow(a, b); }, 0.5, 2},
      {"float_power", [](auto& a, auto& b) { return fl::float_power(a, b); }, [](double a, double b) { return std::pow(a, b); }, 0.5, 2},
      {"atan2", [](auto& a, auto& b) { return fl::atan2(a, b); }, [](double a, double b) { return std::atan2(a, b); }, -3, 3},
      {"hypot", [](auto& a, auto& b) { return fl::hypot(a, b); }, [](double a, double b) { return std::hypot(a, b); }, 0.5, 3},
      {"copysign", [](auto& a, auto& b) { return fl::copysign(a, b); }, [](double a, double b) { return std::copysign(a, b); }, -3, 3},
      {"xlogy", [](auto& a, auto& b) { return fl::xlogy(a, b); }, [](double a, double b) { return a * std::log(b); }, 0.5, 3},
      {"maximum", [](auto& a, auto& b) { return fl::maximum(a, b); }, [](double a, double b) { return std::max(a, b); }, -3, 3},
      {"minimum", [](auto& a, auto& b) { return fl::minimum(a, b); }, [](double a, double b) { return std::min(a, b); }, -3, 3},
      {"fmax", [](auto& a, auto& b) { return fl::fmax(a, b); }, [](double a, double b) { return std::fmax(a, b); }, -3, 3},
      {"fmin", [](auto& a, auto& b) { return fl::fmin(a, b); }, [](double a, double b) { return std::fmin(a, b); }, -3, 3},
      {"eq", [](auto& a, auto& b) { return fl::eq(a, b.floor()); }, [](double a, double b) { return a == std::floor(b); }, -3, 3},
      {"ne", [](auto& a, auto& b) { return fl::ne(a, b); }, [](double a, double b) { return a != b; }, -3, 3},
      {"lt", [](auto& a, auto& b) { return fl::lt(a, b); }, [](double a, double b) { return a < b; }, -3, 3},
      {"le", [](auto& a, auto& b) { return fl::le(a, b); }, [](double a, double b) { return a <= b; }, -3, 3},
      {"gt", [](auto& a, auto& b) { return fl::gt(a, b); }, [](double a, double b) { return a > b; }, -3, 3},
      {"ge", [](auto& a, auto& b) { return fl::ge(a, b); }, [](double a, double b) { return a >= b; }, -3, 3},
      {"logical_and", [](auto& a, auto& b) { return fl::logical_and(a > 0.0, b); }, [](double a, double b) { return a > 0 && b != 0; }, -3, 3},
      {"logical_or", [](auto& a, auto& b) { return fl::logical_or(a > 0.0, b > 1.0); }, [](double a, double b) { return a > 0 || b > 1; }, -3, 3},
      {"logical_xor", [](auto& a, auto& b) { return fl::logical_xor(a > 0.0, b > 0.0); }, [](double a, double b) { return (a > 0) != (b > 0); }, -3, 3},
      {"isclose", [](auto& a, auto& b) { return fl::isclose(a, a + b * 1e-9); }, [](double, double) { return 1.0; }, -3, 3},
      {"where", [](auto& a, auto& b) { return fl::where(a > b, a, b * 2.0); }, [](double a, double b) { return a > b ? a : 2 * b; }, -3, 3},
      {"lerp", [](auto& a, auto& b) { return fl::lerp(a, b, 0.25); }, [](double a, double b) { return a + 0.25 * (b - a); }, -3, 3},
      {"addcmul", [](auto& a, auto& b) { return fl::addcmul(a, b, b, 0.5); }, [](double a, double b) { return a + 0.5 * b * b; }, -3, 3},
      {"addcdiv", [](auto& a, auto& b) { return fl::addcdiv(a, a, b, 2); }, [](double a, double b) { return a + 2 * a / b; }, 0.5, 3},
      {"clamp", [](auto& a, auto& b) { return fl::clamp(a, -1.0, 1.0) + b * 0.0; }, [](double a, double) { return std::clamp(a, -1.0, 1.0); }, -3, 3},
      {"clamp_min", [](auto& a, auto& b) { return fl::clamp_min(a, 0.5) + b * 0.0; }, [](double a, double) { return std::max(a, 0.5); }, -3, 3},
      {"clamp_max", [](auto& a, auto& b) { return fl::clamp_max(a, 0.5) + b * 0.0; }, [](double a, double) { return std::min(a, 0.5); }, -3, 3},
      {"clip", [](auto& a, auto& b) { return fl::clip(a, -0.5, 0.5) + b * 0.0; }, [](double a, double) { return std::clamp(a, -0.5, 0.5); }, -3, 3},
  };
  return c;
}

std::vector<double> broadcast_ref(const BinaryCase& c, const Tensor& a, const Tensor& b) {
  // a: [m, 1], b: [n] -> [m, n]
  auto av = a.tolist<double>(), bv = b.tolist<double>();
  std::vector<double> r;
  for (double x : av)
    for (double y : bv) r.push_back(c.ref(x, y));
  return r;
}

TEST(Binary, ClosedFormWithBroadcastingDtypesAndViews) {
  for (auto& c : cases()) {
    SCOPED_TRACE(c.name);
    Tensor a = random_input({4, 1}, c.lo, c.hi, 1), b = random_input({3}, c.lo, c.hi, 2);
    Tensor y = c.fn(a, b);
    EXPECT_EQ(y.sizes(), (Shape{4, 3}));
    expect_values(y, broadcast_ref(c, a, b), 1e-12);
    Tensor y32 = c.fn(a.to(kFloat32), b.to(kFloat32));
    expect_values(y32, broadcast_ref(c, a.to(kFloat32), b.to(kFloat32)), 1e-5);
    // 0-d with 0-d, and an empty operand.
    Tensor s = c.fn(a.select(0, 0).squeeze(), b.select(0, 1));
    EXPECT_EQ(s.dim(), 0);
    expect_values(s, {c.ref(a.tolist<double>()[0], b.tolist<double>()[1])}, 1e-12);
    EXPECT_EQ(c.fn(zeros({0, 1}, kFloat64), b).sizes(), (Shape{0, 3}));
    // Non-contiguous operands.
    Tensor m = random_input({3, 4}, c.lo, c.hi, 3);
    Tensor n = random_input({4, 3}, c.lo, c.hi, 4).t();
    auto mv = m.tolist<double>(), nv = n.tolist<double>();
    std::vector<double> ref;
    for (size_t i = 0; i < mv.size(); ++i) ref.push_back(c.ref(mv[i], nv[i]));
    expect_values(c.fn(m, n), ref, 1e-12);
  }
}

TEST(Binary, IntegerSemantics) {
  Tensor a = tensor({-7, 7, -7, 7}), b = tensor({2, 2, -2, -2});
  expect_values(fl::floor_divide(a, b), {-4, 3, 3, -4});
  expect_values(fl::div(a, b, std::string("trunc")), {-3, 3, 3, -3});
  EXPECT_EQ(fl::div(a, b, std::string("trunc")).dtype(), kInt64);
  expect_values(fl::div(a, b), {-3.5, 3.5, 3.5, -3.5});
  expect_values(fl::remainder(a, b), {1, 1, -1, -1});
  expect_values(fl::fmod(a, b), {-1, 1, -1, 1});
  expect_values(a % 3, {2, 1, 2, 1});
  expect_values(fl::pow(tensor({2, 3}), 3), {8, 27});
  expect_values(fl::pow(2, tensor({1.0, 3.0})), {2, 8});
  expect_values(fl::bitwise_and(tensor({12, 10}), tensor({10, 6})), {8, 2});
  expect_values(fl::bitwise_or(tensor({12, 10}), tensor({10, 6})), {14, 14});
  expect_values(fl::bitwise_xor(tensor({12, 10}), tensor({10, 6})), {6, 12});
  expect_values(tensor({true, false}) + tensor({true, true}), {1, 1});
  expect_values(tensor({true, false}) * tensor({true, true}), {1, 0});
  expect_values(2 - tensor({1.0, 5.0}), {1, -3});
  expect_values(1.0 / tensor({2.0, 4.0}), {0.5, 0.25});
  expect_values(fl::div(tensor({-7.5, 7.5}), 2, std::string("floor")), {-4, 3});
  EXPECT_TRUE(fl::equal(tensor({1, 2}), tensor({1, 2})));
  EXPECT_FALSE(fl::equal(tensor({1, 2}), tensor({1, 3})));
  EXPECT_FALSE(fl::equal(tensor({1, 2}), tensor({1, 2, 3})));
  EXPECT_TRUE(fl::allclose(tensor({1.0, 2.0}), tensor({1.0, 2.0 + 1e-7})));
  EXPECT_FALSE(fl::allclose(tensor({1.0}), tensor({1.1})));
  const double nan = NAN;
  expect_values(fl::maximum(tensor({nan, 1.0}), tensor({1.0, 2.0})), {nan, 2});
  expect_values(fl::fmax(tensor({nan, 1.0}), tensor({1.0, 2.0})), {1, 2});
  expect_values(fl::clamp(tensor({nan, -5.0}), -1.0, 1.0), {nan, -1});
  expect_values(fl::clamp(tensor({-2.0, 0.0, 2.0}), tensor({-1.0, 0.5, 0.0}), tensor({1.0, 1.0, 1.0})), {-1, 0.5, 1});
  expect_values(fl::isclose(tensor({nan}), tensor({nan}), 1e-5, 1e-8, true), {1});
  const double inf = INFINITY;
  expect_values(fl::isclose(tensor({1.0, inf, -inf}), tensor({-inf, inf, 1.0}), 0.1, 0.5), {0, 1, 0});
}

TEST(Binary, MaxMinGradientsAtTiesAndNans) {
  // PyTorch: maximum/minimum split a tie's gradient in half and give nan to both; fmax/fmin give ties (and a
  // nan `b`) to `a`. Broadcast inputs reduce their gradient.
  const double nan = NAN;
  auto grads = [](auto op, std::vector<double> x, std::vector<double> y) {
    Tensor a = tensor(x).requires_grad_(), b = tensor(y).requires_grad_();
    op(a, b).sum().backward();
    return std::make_pair(a.grad(), b.grad());
  };
  std::vector<double> x = {1, nan, 2, nan, 3, 5}, y = {2, 1, nan, nan, 3, 4};
  auto [ma, mb] = grads([](auto& a, auto& b) { return fl::maximum(a, b); }, x, y);
  expect_values(ma, {0, 1, 1, 1, 0.5, 1});
  expect_values(mb, {1, 1, 1, 1, 0.5, 0});
  auto [na, nb] = grads([](auto& a, auto& b) { return fl::minimum(a, b); }, x, y);
  expect_values(na, {1, 1, 1, 1, 0.5, 0});
  expect_values(nb, {0, 1, 1, 1, 0.5, 1});
  auto [fa, fb] = grads([](auto& a, auto& b) { return fl::fmax(a, b); }, x, y);
  expect_values(fa, {0, 0, 1, 1, 1, 1});
  expect_values(fb, {1, 1, 0, 0, 0, 0});
  auto [ga, gb] = grads([](auto& a, auto& b) { return fl::fmin(a, b); }, x, y);
  expect_values(ga, {1, 0, 1, 1, 1, 0});
  expect_values(gb, {0, 1, 0, 0, 0, 1});
  Tensor a = tensor({1.0, 3.0, 2.0}).requires_grad_(), b = tensor({2.0}).requires_grad_();
  fl::maximum(a, b).sum().backward();
  expect_values(a.grad(), {0, 1, 0.5});
  expect_values(b.grad(), {1.5});
}

TEST(Binary, ClampTensorBoundsGradientsAsPyTorch) {
  // clamp_backward_min_max: x where lo <= x <= hi; lo where x < lo < hi; hi where x > hi or hi < lo.
  Tensor x = tensor({0.0, 0.5, 2.0, 1.0}).requires_grad_(), lo = tensor({0.5, 0.5, 1.0, 2.0}).requires_grad_(),
         hi = tensor({0.5, 1.0, 1.0, 1.0}).requires_grad_();
  Tensor r = fl::clamp(x, lo, hi);
  EXPECT_EQ(r.grad_fn_name(), "ClampBackward1");
  expect_values(r, {0.5, 0.5, 1, 1});
  r.sum().backward();
  expect_values(x.grad(), {0, 1, 0, 0});
  expect_values(lo.grad(), {0, 0, 0, 0});
  expect_values(hi.grad(), {0, 0, 1, 1});
  const double nan = NAN;
  expect_values(fl::clamp(tensor({nan, 1.0}), tensor({0.0, nan}), tensor({1.0, 2.0})), {nan, nan});
  // copysign's gradient for the sign source is zero, also at 0 (no nan from the sign test).
  Tensor a = tensor({1.0, -2.0}).requires_grad_(), s = tensor({0.0, -0.0}).requires_grad_();
  fl::copysign(a, s).sum().backward();
  expect_values(s.grad(), {0, 0});
  expect_values(a.grad(), {1, 1});  // -abs(a) at a = -2
}

TEST(Binary, Errors) {
  EXPECT_THROW(ones({2, 3}) + ones({4}), Error);
  try {
    (void)(ones({2, 3}) + ones({4}));
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1");
  }
  EXPECT_THROW(tensor({true}) - tensor({false}), Error);
  EXPECT_THROW(fl::add(tensor({1}), tensor({2}), 1.5), Error);
  EXPECT_THROW(fl::div(tensor({1}), tensor({0}), std::string("floor")), Error);
  EXPECT_THROW(fl::div(tensor({1}), fl::tensor(Scalar(0)), std::string("trunc")), Error);
  // A 0-d nonzero divisor never raises (the zero check once read a 1-byte bool as an int: garbage bytes).
  for (int i = 0; i < 200; ++i) {
    (void)fl::exp(ones({64}) * 3.0).sum().item();
    expect_values(fl::div(tensor({-7, 7}), fl::tensor(Scalar(int64_t(4))), std::string("trunc")), {-1, 1});
  }
  EXPECT_THROW(fl::div(tensor({1.0}), tensor({1.0}), std::string("round")), Error);  // RuntimeError, as torch
  EXPECT_THROW(fl::floor_divide(tensor({true}), tensor({true})), NotImplementedError);  // as torch: bool // bool
  // Bool (and for hypot, integer) kernels torch doesn't have; bool ** int and int ** bool still work.
  EXPECT_THROW(fl::remainder(tensor({true}), tensor({true})), NotImplementedError);
  EXPECT_THROW(fl::fmod(tensor({true}), true), NotImplementedError);
  EXPECT_THROW(fl::pow(tensor({true}), tensor({false})), NotImplementedError);
  EXPECT_THROW(fl::hypot(tensor({1}), tensor({2})), NotImplementedError);
  EXPECT_EQ(fl::pow(tensor({true}), 2).dtype(), kInt64);
  EXPECT_EQ(fl::remainder(tensor({true}), 2).dtype(), kInt64);
  EXPECT_THROW(fl::abs(tensor({true})), NotImplementedError);
  EXPECT_THROW(fl::floor(tensor({true})), NotImplementedError);
  EXPECT_THROW(fl::round(tensor({true})), NotImplementedError);
  EXPECT_THROW(fl::positive(tensor({true})), Error);
  expect_values(fl::floor(tensor({3, -2})), {3, -2});
  EXPECT_EQ(fl::floor_divide(tensor({true}), tensor({2})).dtype(), kInt64);
  EXPECT_THROW(fl::pow(tensor({2}), -1), Error);
  EXPECT_THROW(fl::bitwise_and(tensor({1.0}), tensor({1.0})), NotImplementedError);
  EXPECT_THROW(fl::where(tensor({1.0}), tensor({1.0}), tensor({2.0})), Error);
  EXPECT_THROW(fl::lerp(tensor({1.0}), tensor({1.0}, kFloat64), 0.5), Error);
  EXPECT_THROW(fl::clamp(tensor({1.0}), std::optional<Scalar>(), std::optional<Scalar>()), Error);
  EXPECT_THROW(fl::addcdiv(tensor({1}), tensor({1}), tensor({1})), Error);
}

static ValueTested kValues({"add", "sub", "rsub", "mul", "div", "true_divide", "floor_divide", "remainder", "fmod", "pow",
                            "float_power", "atan2", "hypot", "copysign", "xlogy", "maximum", "minimum", "fmax", "fmin",
                            "eq", "ne", "lt", "le", "gt", "ge", "isclose", "allclose", "equal", "logical_and",
                            "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "where", "lerp",
                            "addcmul", "addcdiv", "clamp", "clamp_min", "clamp_max", "clip"});

std::vector<GradCase> binary_grads() {
  std::vector<GradCase> rows;
  for (auto& c : cases()) {
    static const std::set<std::string> bool_results = {"eq", "ne", "lt", "le", "gt", "ge", "logical_and",
                                                       "logical_or", "logical_xor", "isclose"};
    if (bool_results.count(c.name)) continue;
    auto fn = c.fn;
    rows.push_back({c.name, [fn](const std::vector<Tensor>& x) { return fn(x[0], x[1]); }, {{4, 1}, {3}}, c.lo, c.hi});
  }
  rows.push_back({"where", [](auto& x) { return fl::where(x[0] > 0.0, x[0], x[1]); }, {{3, 2}, {2}}});
  rows.push_back({"lerp", [](auto& x) { return fl::lerp(x[0], x[1], x[2]); }, {{3}, {3}, {3}}});
  return rows;
}
static GradCases kGrads(binary_grads());

}  // namespace
}  // namespace fl::test
