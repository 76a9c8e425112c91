// Shared test helpers: value comparison, the float64 finite-difference gradient check, and the coverage
// tables that test_registry.cpp checks against fl::op_registry().
#pragma once
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "fl/fl.h"

namespace fl::test {

using Fn = std::function<Tensor(const std::vector<Tensor>&)>;

/// Expects t's values (in row-major order) to match `expected` within tolerance, and its shape.
void expect_values(const Tensor& t, const std::vector<double>& expected, const Shape& shape, double tol = 1e-6);
void expect_values(const Tensor& t, const std::vector<double>& expected, double tol = 1e-6);
/// A braced shape (`{3}`) binds here, never to the tolerance above (list-initialization prefers this).
inline void expect_values(const Tensor& t, const std::vector<double>& expected, std::initializer_list<int64_t> shape,
                          double tol = 1e-6) {
  expect_values(t, expected, Shape(shape), tol);
}

/// One row of the gradient-check table: fn of float64 inputs with the given shapes, drawn in [lo, hi].
struct GradCase {
  std::string op;
  Fn fn;
  std::vector<Shape> shapes;
  double lo = -2.0, hi = 2.0;
  /// Inputs at these positions are not differentiated (e.g. index tensors built inside fn are better).
  std::vector<int> no_grad_inputs = {};
};
std::vector<GradCase>& grad_cases();
struct GradCases {
  GradCases(std::vector<GradCase> cases);
};

/// Ops whose values a family's tests check (declared beside those tests).
std::vector<std::string>& value_tested();
struct ValueTested {
  ValueTested(std::initializer_list<const char*> ops);
};

/// Central finite differences in float64 against autograd (first order), with a random cotangent. Inputs at
/// `fixed_inputs` are held constant (not differentiated).
void expect_gradcheck(const Fn& fn, const std::vector<Tensor>& inputs, double eps = 1e-6, double atol = 1e-6,
                      double rtol = 1e-5, const std::vector<int>& fixed_inputs = {});

/// The message of the exception f throws, or "" if it throws none.
template <typename F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

/// Expects f to throw Exc with a message containing msg.
template <typename Exc, typename F>
void expect_error_containing(F f, const std::string& msg) {
  try {
    f();
    ADD_FAILURE() << "no exception; expected: " << msg;
  } catch (const Exc& e) {
    EXPECT_NE(std::string(e.what()).find(msg), std::string::npos) << "got: " << e.what() << "\nwant: " << msg;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "wrong exception class: " << e.what();
  }
}

/// Random float64 input of a shape, in [lo, hi].
Tensor random_input(const Shape& shape, double lo = -2.0, double hi = 2.0, uint64_t seed = 0);

}  // namespace fl::test
