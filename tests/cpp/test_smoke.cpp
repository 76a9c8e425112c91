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

TEST(Smoke, PrintsLikePyTorch) {
  EXPECT_EQ(fl::tensor({1.5, 2.0}).str(), "tensor([1.5000, 2.0000])");
  EXPECT_EQ(fl::tensor({1, 2}).str(), "tensor([1, 2])");
  // Empty tensors show every non-default dtype (nothing to infer int64 or bool from), and non-(0,) sizes.
  EXPECT_EQ(fl::zeros({2, 0}, fl::kInt64).str(), "tensor([], size=(2, 0), dtype=torch.int64)");
  EXPECT_EQ(fl::zeros({0}, fl::kBool).str(), "tensor([], dtype=torch.bool)");
  EXPECT_EQ(fl::zeros({0}).str(), "tensor([])");
}
