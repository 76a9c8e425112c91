#include <gtest/gtest.h>

#include "fl/fl.h"

TEST(Smoke, AddAndGrad) {
  fl::Tensor a = fl::tensor({1.0, 2.0, 3.0}).requires_grad_();
  fl::Tensor b = fl::exp(a) * 2.0 + 1;
  EXPECT_EQ(b.dtype(), fl::kFloat32);
  fl::autograd::backward({fl::exp(a)}, {fl::ones({3})});
  auto g = a.grad().tolist<double>();
  EXPECT_NEAR(g[1], std::exp(2.0), 1e-5);
}
