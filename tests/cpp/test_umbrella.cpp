// fl/flashlight.h alone brings in the whole C++ API (it is what the README tells users to include).
#include <gtest/gtest.h>

#include "fl/flashlight.h"

namespace {

TEST(Umbrella, WholeApiFromOneInclude) {
  fl::manual_seed(0);
  fl::nn::Sequential model(fl::nn::Linear(4, 8), fl::nn::ReLU(), fl::nn::Linear(8, 2));
  fl::optim::SGDOptions options;
  options.lr = 0.1;
  fl::optim::SGD opt(model.parameters(), options);
  fl::Tensor x = fl::randn({3, 4});
  fl::Tensor loss = model.forward(x).pow(2).mean();
  opt.zero_grad();
  loss.backward();
  opt.step();
  EXPECT_LT(model.forward(x).pow(2).mean().item<double>(), loss.item<double>());
  fl::ncps::CfC cfc(3, std::make_shared<fl::ncps::AutoNCP>(8, 2));
  EXPECT_EQ(cfc.forward(fl::randn({1, 5, 3})).output.size(-1), 2);
}

}  // namespace
