// Helpers shared by the reduction tests (test_reduction.cpp, test_reduction_sort.cpp).
#pragma once
#include <cmath>

#include "test_util.h"

namespace fl::test::reduction {

inline const double nan = NAN, inf = INFINITY;

inline Tensor T(const std::vector<double>& v, const Shape& shape, Dtype d = kFloat64) { return tensor(v, shape, d); }
// x = [[1, 5, 3], [4, 2, 6]] (float64).
inline Tensor X() { return T({1, 5, 3, 4, 2, 6}, {2, 3}); }

// d(sum(f(x)))/dx for a float64 leaf.
inline std::vector<double> grad_of(const std::function<Tensor(const Tensor&)>& f, const std::vector<double>& v,
                            const Shape& shape) {
  Tensor x = T(v, shape).requires_grad_();
  f(x).sum().backward();
  return x.grad().tolist<double>();
}
inline std::vector<double> grad_of(const std::function<Tensor(const Tensor&)>& f, const std::vector<double>& v) {
  return grad_of(f, v, {static_cast<int64_t>(v.size())});
}
inline void expect_list(const std::vector<double>& got, const std::vector<double>& want, double tol = 1e-9) {
  expect_values(tensor(got, Shape{static_cast<int64_t>(got.size())}, kFloat64), want, tol);
}
template <typename F>
void expect_error(F f, const std::string& msg) {
  try {
    f();
    ADD_FAILURE() << "expected error: " << msg;
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), msg);
  }
}

}  // namespace fl::test::reduction
