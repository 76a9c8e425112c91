// End to end in C++: the seed MLP (Linear(784, 256), ReLU, Linear(256, 10)) trained with Adam and cross_entropy
// through fl::data::DataLoader on a learnable 10-class problem (labels of a fixed random linear teacher).
#include <gtest/gtest.h>

#include "fl/data/dataloader.h"
#include "fl/nn/functional/loss.h"
#include "fl/nn/modules/activation.h"
#include "fl/nn/modules/container.h"
#include "fl/nn/modules/linear.h"
#include "fl/optim/adam.h"
#include "test_util.h"

namespace fl::test {
namespace {

double accuracy(nn::Sequential& model, const Tensor& x, const Tensor& y) {
  NoGradGuard no_grad;
  return model(x).argmax(1).eq(y).to(kFloat64).mean().item<double>();
}

TEST(E2eMlp, AdamLearnsTeacherLabels) {
  Generator data_gen(1234);
  const Tensor x = randn({1024, 784}, {}, &data_gen);
  const Tensor teacher = randn({784, 10}, {}, &data_gen);
  const Tensor y = x.matmul(teacher).argmax(1);  // int64 class labels
  ASSERT_EQ(y.dtype(), kInt64);

  manual_seed(0);
  nn::Sequential model(nn::Linear(784, 256), nn::ReLU(), nn::Linear(256, 10));
  optim::Adam opt(model.parameters(), optim::AdamOptions{.lr = 1e-3});
  Generator shuffle_gen(7);
  data::DataLoader loader(data::TensorDataset({x, y}), 64, /*shuffle=*/true, /*drop_last=*/false, &shuffle_gen);
  ASSERT_EQ(loader.size(), 16);

  const double initial_acc = accuracy(model, x, y);
  EXPECT_LT(initial_acc, 0.3);  // untrained: near chance, so reaching > 95% below means it learnt
  double first_epoch_loss = 0, last_epoch_loss = 0;
  for (int epoch = 0; epoch < 6; ++epoch) {
    double epoch_loss = 0;
    for (const std::vector<Tensor>& batch : loader) {
      opt.zero_grad();
      Tensor loss = nn::functional::cross_entropy(model(batch[0]), batch[1]);
      loss.backward();
      opt.step();
      epoch_loss += loss.item<double>() / loader.size();
    }
    if (epoch == 0) first_epoch_loss = epoch_loss;
    last_epoch_loss = epoch_loss;
  }
  EXPECT_LT(last_epoch_loss, 0.25 * first_epoch_loss);
  EXPECT_GT(accuracy(model, x, y), 0.95);
}

}  // namespace
}  // namespace fl::test
