// Unary maths and activations against closed forms (std:: maths in double), over shapes, dtypes and views.
#include <cmath>

#include "test_util.h"

namespace fl::test {
namespace {

struct UnaryCase {
  const char* name;
  std::function<Tensor(const Tensor&)> fn;
  std::function<double(double)> ref;
  double lo, hi;
};

double sigmoid_ref(double x) { return 1 / (1 + std::exp(-x)); }
double softplus_ref(double x) { return x > 20 ? x : std::log1p(std::exp(x)); }
double elu_ref(double x, double a = 1.0) { return x > 0 ? x : a * std::expm1(x); }

const std::vector<UnaryCase>& cases() {
  static const std::vector<UnaryCase> c = {
      {"exp", [](auto& x) { return fl::exp(x); }, [](double x) { return std::exp(x); }, -3, 3},
      {"exp2", [](auto& x) { return fl::exp2(x); }, [](double x) { return std::exp2(x); }, -3, 3},
      {"expm1", [](auto& x) { return fl::expm1(x); }, [](double x) { return std::expm1(x); }, -3, 3},
      {"log", [](auto& x) { return fl::log(x); }, [](double x) { return std::log(x); }, 0.1, 5},
      {"log2", [](auto& x) { return fl::log2(x); }, [](double x) { return std::log2(x); }, 0.1, 5},
      {"log10", [](auto& x) { return fl::log10(x); }, [](double x) { return std::log10(x); }, 0.1, 5},
      {"log1p", [](auto& x) { return fl::log1p(x); }, [](double x) { return std::log1p(x); }, -0.5, 5},
      {"sqrt", [](auto& x) { return fl::sqrt(x); }, [](double x) { return std::sqrt(x); }, 0.1, 5},
      {"rsqrt", [](auto& x) { return fl::rsqrt(x); }, [](double x) { return 1 / std::sqrt(x); }, 0.1, 5},
      {"sin", [](auto& x) { return fl::sin(x); }, [](double x) { return std::sin(x); }, -3, 3},
      {"cos", [](auto& x) { return fl::cos(x); }, [](double x) { return std::cos(x); }, -3, 3},
      {"tan", [](auto& x) { return fl::tan(x); }, [](double x) { return std::tan(x); }, -1.2, 1.2},
      {"asin", [](auto& x) { return fl::asin(x); }, [](double x) { return std::asin(x); }, -0.9, 0.9},
      {"acos", [](auto& x) { return fl::acos(x); }, [](double x) { return std::acos(x); }, -0.9, 0.9},
      {"atan", [](auto& x) { return fl::atan(x); }, [](double x) { return std::atan(x); }, -3, 3},
      {"sinh", [](auto& x) { return fl::sinh(x); }, [](double x) { return std::sinh(x); }, -3, 3},
      {"cosh", [](auto& x) { return fl::cosh(x); }, [](double x) { return std::cosh(x); }, -3, 3},
      {"tanh", [](auto& x) { return fl::tanh(x); }, [](double x) { return std::tanh(x); }, -3, 3},
      {"asinh", [](auto& x) { return fl::asinh(x); }, [](double x) { return std::asinh(x); }, -3, 3},
      {"acosh", [](auto& x) { return fl::acosh(x); }, [](double x) { return std::acosh(x); }, 1.1, 4},
      {"atanh", [](auto& x) { return fl::atanh(x); }, [](double x) { return std::atanh(x); }, -0.9, 0.9},
      {"erf", [](auto& x) { return fl::erf(x); }, [](double x) { return std::erf(x); }, -2, 2},
      {"reciprocal", [](auto& x) { return fl::reciprocal(x); }, [](double x) { return 1 / x; }, 0.5, 3},
      {"sigmoid", [](auto& x) { return fl::sigmoid(x); }, sigmoid_ref, -5, 5},
      {"logit", [](auto& x) { return fl::logit(x); }, [](double x) { return std::log(x / (1 - x)); }, 0.1, 0.9},
      {"deg2rad", [](auto& x) { return fl::deg2rad(x); }, [](double x) { return x * M_PI / 180; }, -90, 90},
      {"rad2deg", [](auto& x) { return fl::rad2deg(x); }, [](double x) { return x * 180 / M_PI; }, -3, 3},
      {"abs", [](auto& x) { return fl::abs(x); }, [](double x) { return std::fabs(x); }, -3, 3},
      {"neg", [](auto& x) { return fl::neg(x); }, [](double x) { return -x; }, -3, 3},
      {"negative", [](auto& x) { return fl::negative(x); }, [](double x) { return -x; }, -3, 3},
      {"positive", [](auto& x) { return fl::positive(x); }, [](double x) { return x; }, -3, 3},
      {"sign", [](auto& x) { return fl::sign(x); }, [](double x) { return (x > 0) - (x < 0); }, -3, 3},
      {"square", [](auto& x) { return fl::square(x); }, [](double x) { return x * x; }, -3, 3},
      {"floor", [](auto& x) { return fl::floor(x); }, [](double x) { return std::floor(x); }, -3, 3},
      {"ceil", [](auto& x) { return fl::ceil(x); }, [](double x) { return std::ceil(x); }, -3, 3},
      {"round", [](auto& x) { return fl::round(x); }, [](double x) { return std::nearbyint(x); }, -3, 3},
      {"trunc", [](auto& x) { return fl::trunc(x); }, [](double x) { return std::trunc(x); }, -3, 3},
      {"frac", [](auto& x) { return fl::frac(x); }, [](double x) { return x - std::trunc(x); }, -3, 3},
      {"nan_to_num", [](auto& x) { return fl::nan_to_num(x); }, [](double x) { return x; }, -3, 3},
      {"relu", [](auto& x) { return fl::relu(x); }, [](double x) { return x > 0 ? x : 0; }, -3, 3},
      {"relu6", [](auto& x) { return fl::relu6(x); }, [](double x) { return std::min(std::max(x, 0.0), 6.0); }, -3, 8},
      {"leaky_relu", [](auto& x) { return fl::leaky_relu(x, 0.1); }, [](double x) { return x > 0 ? x : 0.1 * x; }, -3, 3},
      {"elu", [](auto& x) { return fl::elu(x, 1.5); }, [](double x) { return elu_ref(x, 1.5); }, -3, 3},
      {"selu", [](auto& x) { return fl::selu(x); },
       [](double x) { return 1.0507009873554804934193349852946 * elu_ref(x, 1.6732632423543772848170429916717); }, -3, 3},
      {"celu", [](auto& x) { return fl::celu(x, 2.0); }, [](double x) { return x > 0 ? x : 2.0 * std::expm1(x / 2.0); }, -3, 3},
      {"gelu", [](auto& x) { return fl::gelu(x); }, [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); }, -3, 3},
      {"silu", [](auto& x) { return fl::silu(x); }, [](double x) { return x * sigmoid_ref(x); }, -3, 3},
      {"mish", [](auto& x) { return fl::mish(x); }, [](double x) { return x * std::tanh(softplus_ref(x)); }, -3, 3},
      {"softplus", [](auto& x) { return fl::softplus(x); }, softplus_ref, -3, 3},
      {"softsign", [](auto& x) { return fl::softsign(x); }, [](double x) { return x / (1 + std::fabs(x)); }, -3, 3},
      {"hardtanh", [](auto& x) { return fl::hardtanh(x); }, [](double x) { return std::min(std::max(x, -1.0), 1.0); }, -3, 3},
      {"hardsigmoid", [](auto& x) { return fl::hardsigmoid(x); }, [](double x) { return std::min(std::max(x + 3, 0.0), 6.0) / 6; }, -5, 5},
      {"hardswish", [](auto& x) { return fl::hardswish(x); }, [](double x) { return x * std::min(std::max(x + 3, 0.0), 6.0) / 6; }, -5, 5},
      {"hardshrink", [](auto& x) { return fl::hardshrink(x); }, [](double x) { return std::fabs(x) > 0.5 ? x : 0; }, -3, 3},
      {"softshrink", [](auto& x) { return fl::softshrink(x); }, [](double x) { return x > 0.5 ? x - 0.5 : x < -0.5 ? x + 0.5 : 0; }, -3, 3},
      {"tanhshrink", [](auto& x) { return fl::tanhshrink(x); }, [](double x) { return x - std::tanh(x); }, -3, 3},
      {"logsigmoid", [](auto& x) { return fl::logsigmoid(x); }, [](double x) { return -softplus_ref(-x); }, -3, 3},
  };
  return c;
}

std::vector<double> apply_ref(const std::function<double(double)>& f, const std::vector<double>& xs) {
  std::vector<double> r;
  for (double x : xs) r.push_back(f(x));
  return r;
}

TEST(Unary, ClosedFormOverShapesDtypesAndViews) {
  for (auto& c : cases()) {
    SCOPED_TRACE(c.name);
    for (Shape shape : {Shape{}, Shape{0}, Shape{5}, Shape{3, 4}, Shape{2, 3, 2}}) {
      Tensor x = random_input(shape, c.lo, c.hi, 3);
      Tensor y = c.fn(x);
      EXPECT_EQ(y.dtype(), kFloat64);
      expect_values(y, apply_ref(c.ref, x.tolist<double>()), shape, 1e-12);
      // float32: computed in float32, within float rounding of the double reference.
      Tensor y32 = c.fn(x.to(kFloat32));
      EXPECT_EQ(y32.dtype(), kFloat32);
      expect_values(y32, apply_ref(c.ref, x.to(kFloat32).tolist<double>()), shape, 2e-5);
    }
    // A non-contiguous view: transpose then step-slice.
    Tensor base = random_input({4, 6}, c.lo, c.hi, 5);
    Tensor v = base.t().slice(0, 0, std::nullopt, 2);
    ASSERT_FALSE(v.is_contiguous());
    expect_values(c.fn(v), apply_ref(c.ref, v.tolist<double>()), v.sizes(), 1e-12);
  }
}

TEST(Unary, IntegerInputsPromoteOrKeepDtype) {
  Tensor i = tensor({1, 2, 3});
  EXPECT_EQ(fl::exp(i).dtype(), kFloat32);
  EXPECT_EQ(fl::sqrt(i).dtype(), kFloat32);
  EXPECT_EQ(fl::abs(i).dtype(), kInt64);
  EXPECT_EQ(fl::neg(i).dtype(), kInt64);
  EXPECT_EQ(fl::square(i).dtype(), kInt64);
  EXPECT_EQ(fl::relu(i).dtype(), kInt64);
  EXPECT_EQ(fl::floor(i).dtype(), kInt64);
  expect_values(fl::exp(i), {std::exp(1.0), std::exp(2.0), std::exp(3.0)}, 1e-6);
  expect_values(fl::square(tensor({-3, 4})), {9, 16});
  Tensor h = tensor({0.5, 1.5}, kFloat16);
  EXPECT_EQ(fl::exp(h).dtype(), kFloat16);
  Tensor b16 = tensor({0.5, 1.5}, kBFloat16);
  expect_values(fl::exp(b16), {std::exp(0.5), std::exp(1.5)}, 1e-2);
}

TEST(Unary, SpecialValues) {
  const double inf = INFINITY, nan = NAN;
  Tensor x = tensor({-inf, -1.0, 0.0, 1.0, inf, nan}, kFloat64);
  expect_values(fl::isnan(x), {0, 0, 0, 0, 0, 1});
  expect_values(fl::isinf(x), {1, 0, 0, 0, 1, 0});
  expect_values(fl::isfinite(x), {0, 1, 1, 1, 0, 0});
  expect_values(fl::nan_to_num(x, 7.0, 100.0, -100.0), {-100, -1, 0, 1, 100, 7});
  expect_values(fl::signbit(tensor({-0.0, 0.0, -2.0, 3.0}, kFloat64)), {1, 0, 1, 0});
  expect_values(fl::round(tensor({0.5, 1.5, 2.5, -0.5})), {0, 2, 2, -0.0});
  expect_values(fl::round(tensor({1.2345, 2.5678}, kFloat64), 2), {1.23, 2.57}, 1e-12);
  expect_values(fl::logical_not(tensor({0.0, 2.0})), {1, 0});
  expect_values(fl::bitwise_not(tensor({0, 5})), {-1, -6});
  expect_values(fl::bitwise_not(tensor({true, false})), {0, 1});
  expect_values(fl::erfinv(tensor({0.0, 0.5}, kFloat64)), {0.0, 0.47693627620446987}, 1e-12);
  expect_values(fl::gelu(tensor({1.0}, kFloat64), "tanh"),
                {0.5 * (1 + std::tanh(std::sqrt(2 / M_PI) * (1 + 0.044715)))}, 1e-12);
  expect_values(fl::softplus(tensor({1.0, 30.0}, kFloat64), 2.0, 20.0), {std::log1p(std::exp(2.0)) / 2, 30.0}, 1e-12);
}

TEST(Unary, Errors) {
  EXPECT_THROW(fl::neg(tensor({true})), Error);
  EXPECT_THROW(fl::gelu(tensor({1, 2})), NotImplementedError);
  EXPECT_THROW(fl::gelu(tensor({1.0}), "fast"), ValueError);
  EXPECT_THROW(fl::bitwise_not(tensor({1.0})), NotImplementedError);
  EXPECT_THROW(fl::relu(tensor({true})), NotImplementedError);
}

static ValueTested kValues({"exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sin", "cos",
                            "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "erf",
                            "erfinv", "reciprocal", "sigmoid", "logit", "deg2rad", "rad2deg", "abs", "neg", "negative",
                            "sign", "square", "floor", "ceil", "round", "trunc", "frac", "positive", "nan_to_num",
                            "isnan", "isinf", "isfinite", "signbit", "logical_not", "bitwise_not", "relu", "relu6",
                            "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "softplus", "softsign",
                            "hardtanh", "hardsigmoid", "hardswish", "hardshrink", "softshrink", "tanhshrink",
                            "logsigmoid"});

std::vector<GradCase> unary_grad_cases() {
  std::vector<GradCase> rows;
  for (auto& c : cases()) {
    auto fn = c.fn;
    double lo = c.lo, hi = c.hi;
    // Keep piecewise ops away from their kinks, where finite differences are meaningless.
    std::string n = c.name;
    if (n == "floor" || n == "ceil" || n == "round" || n == "trunc" || n == "sign") lo = 0.1, hi = 0.4;
    if (n == "frac") lo = 0.1, hi = 0.9;
    rows.push_back({c.name, [fn](const std::vector<Tensor>& x) { return fn(x[0]); }, {{3, 4}}, lo, hi});
  }
  rows.push_back({"erfinv", [](auto& x) { return fl::erfinv(x[0]); }, {{5}}, -0.8, 0.8});
  rows.push_back({"gelu", [](auto& x) { return fl::gelu(x[0], "tanh"); }, {{5}}});
  return rows;
}
static GradCases kGrads(unary_grad_cases());

}  // namespace
}  // namespace fl::test
