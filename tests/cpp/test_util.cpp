#include "test_util.h"

#include <algorithm>

#include <cmath>

namespace fl::test {

void expect_values(const Tensor& t, const std::vector<double>& expected, const Shape& shape, double tol) {
  EXPECT_EQ(t.sizes(), shape);
  expect_values(t, expected, tol);
}

void expect_values(const Tensor& t, const std::vector<double>& expected, double tol) {
  auto got = t.tolist<double>();
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "at " << i;
      continue;
    }
    if (std::isinf(expected[i])) {
      EXPECT_EQ(got[i], expected[i]) << "at " << i;
      continue;
    }
    EXPECT_NEAR(got[i], expected[i], tol * std::max(1.0, std::fabs(expected[i]))) << "at " << i;
  }
}

std::vector<GradCase>& grad_cases() {
  static std::vector<GradCase> cases;
  return cases;
}
GradCases::GradCases(std::vector<GradCase> cases) {
  grad_cases().insert(grad_cases().end(), cases.begin(), cases.end());
}

std::vector<std::string>& value_tested() {
  static std::vector<std::string> ops;
  return ops;
}
ValueTested::ValueTested(std::initializer_list<const char*> ops) {
  for (auto* o : ops) value_tested().push_back(o);
}

Tensor random_input(const Shape& shape, double lo, double hi, uint64_t seed) {
  Generator g(seed + 12345);
  return rand(shape, kFloat64, &g) * (hi - lo) + lo;
}

void expect_gradcheck(const Fn& fn, const std::vector<Tensor>& inputs, double eps, double atol, double rtol,
                      const std::vector<int>& fixed_inputs) {
  std::vector<Tensor> leaves;
  for (size_t i = 0; i < inputs.size(); ++i) {
    Tensor l = inputs[i].detach().clone();
    bool fixed = std::find(fixed_inputs.begin(), fixed_inputs.end(), static_cast<int>(i)) != fixed_inputs.end();
    if (l.is_floating_point() && !fixed) l.requires_grad_(true);
    leaves.push_back(l);
  }
  Tensor out = fn(leaves);
  ASSERT_TRUE(out.is_floating_point());
  Generator g(7);
  Tensor cot = rand(out.sizes(), out.dtype(), &g) + 0.5;
  std::vector<Tensor> diff;
  std::vector<size_t> diff_idx;
  for (size_t i = 0; i < leaves.size(); ++i)
    if (leaves[i].requires_grad()) {
      diff.push_back(leaves[i]);
      diff_idx.push_back(i);
    }
  auto analytic = autograd::grad({out}, diff, {cot}, std::nullopt, false, true);
  NoGradGuard no_grad;
  auto eval_at = [&](const std::vector<Tensor>& xs) {
    auto v = (fn(xs).to(kFloat64) * cot.to(kFloat64)).tolist<double>();
    double s = 0;
    for (double e : v) s += e;
    return s;
  };
  for (size_t k = 0; k < diff.size(); ++k) {
    size_t i = diff_idx[k];
    auto base = leaves[i].detach().to(kFloat64).tolist<double>();
    std::vector<double> numeric(base.size());
    for (size_t e = 0; e < base.size(); ++e) {
      std::vector<Tensor> plus(leaves.begin(), leaves.end()), minus(leaves.begin(), leaves.end());
      auto bp = base, bm = base;
      bp[e] += eps;
      bm[e] -= eps;
      plus[i] = tensor(bp, leaves[i].sizes(), kFloat64);
      minus[i] = tensor(bm, leaves[i].sizes(), kFloat64);
      numeric[e] = (eval_at(plus) - eval_at(minus)) / (2 * eps);
    }
    std::vector<double> got = analytic[k].defined() ? analytic[k].to(kFloat64).tolist<double>()
                                                     : std::vector<double>(base.size(), 0.0);
    ASSERT_EQ(got.size(), numeric.size());
    for (size_t e = 0; e < got.size(); ++e)
      EXPECT_NEAR(got[e], numeric[e], atol + rtol * std::fabs(numeric[e])) << "input " << i << " element " << e;
  }
}

}  // namespace fl::test
