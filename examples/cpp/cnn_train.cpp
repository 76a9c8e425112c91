// A LeNet-style CNN trained with Adam on a synthetic task: bright squares vs dark crosses placed at random in 28x28
// noise. The model and the loop are what a PyTorch user writes, in C++: nn::Sequential of Conv2d / ReLU / MaxPool2d
// / Flatten / Linear, CrossEntropyLoss, optim::Adam, shuffled mini-batches, and a held-out accuracy each epoch.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "fl/fl.h"
#include "fl/nn/modules/activation.h"
#include "fl/nn/modules/container.h"
#include "fl/nn/modules/conv.h"
#include "fl/nn/modules/flatten.h"
#include "fl/nn/modules/linear.h"
#include "fl/nn/modules/loss.h"
#include "fl/nn/modules/pooling.h"
#include "fl/optim/adam.h"

namespace nn = fl::nn;

// n images (n, 1, 28, 28) in N(0, 0.3²) noise: even i a bright (+1) 7x7 square, odd i a dark (-1) cross of two
// 9x2 bars, each at a random place; shifted and scaled to about unit size. Labels (n) are i % 2.
std::pair<fl::Tensor, fl::Tensor> make_shapes(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<float> pixels(static_cast<size_t>(n) * 28 * 28, 0.0f);
  std::vector<int64_t> labels(n);
  for (int64_t i = 0; i < n; ++i) {
    int r = 2 + static_cast<int>(rng() % 17), c = 2 + static_cast<int>(rng() % 17);
    float* img = pixels.data() + i * 28 * 28;
    labels[i] = i % 2;
    for (int a = 0; a < 9; ++a)
      for (int b = 0; b < 9; ++b) {
        bool square = a >= 1 && a < 8 && b >= 1 && b < 8, cross = a == 4 || a == 5 || b == 4 || b == 5;
        if (labels[i] == 0 && square) img[(r + a) * 28 + c + b] = 1.0f;
        if (labels[i] == 1 && cross) img[(r + a) * 28 + c + b] = -1.0f;
      }
  }
  fl::Tensor x = fl::tensor(pixels, fl::Shape{n, 1, 28, 28}) + fl::randn({n, 1, 28, 28}) * 0.3;
  return {(x - 0.1) / 0.4, fl::tensor(labels)};
}

double accuracy(nn::Sequential& model, const fl::Tensor& x, const fl::Tensor& y) {
  fl::NoGradGuard no_grad;
  return (model(x).argmax(1) == y).to(fl::kFloat64).mean().item<double>();
}

int main() {
  fl::manual_seed(0);
  const int64_t n_train = 256, n_test = 256, batch = 32, epochs = 8;
  auto [x_train, y_train] = make_shapes(n_train, 1);
  auto [x_test, y_test] = make_shapes(n_test, 2);

  // LeNet: 28 -> conv5 -> 24 -> pool -> 12 -> conv5 -> 8 -> pool -> 4, so 16 * 4 * 4 = 256 features.
  auto model = std::make_shared<nn::Sequential>(nn::Conv2d(1, 6, 5), nn::ReLU(), nn::MaxPool2d(2), nn::Conv2d(6, 16, 5),
                                                nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(), nn::Linear(256, 120),
                                                nn::ReLU(), nn::Linear(120, 84), nn::ReLU(), nn::Linear(84, 10));
  std::printf("%s\n", model->repr().c_str());
  fl::optim::Adam optimizer(model->parameters(), fl::optim::AdamOptions{.lr = 2e-3});
  nn::CrossEntropyLoss criterion;

  std::printf("squares vs crosses: %lld training and %lld held-out images, batch %lld\n",
              static_cast<long long>(n_train), static_cast<long long>(n_test), static_cast<long long>(batch));
  std::printf("epoch %2d  held-out accuracy %.3f\n", 0, accuracy(*model, x_test, y_test));
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    model->train();
    fl::Tensor order = fl::randperm(n_train);
    double total = 0;
    for (int64_t start = 0; start < n_train; start += batch) {
      fl::Tensor idx = order.slice(0, start, std::min(start + batch, n_train));
      fl::Tensor loss = criterion((*model)(x_train.index_select(0, idx)), y_train.index_select(0, idx));
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      total += loss.item<double>() * static_cast<double>(idx.numel());
    }
    model->eval();
    std::printf("epoch %2d  train loss %.4f  held-out accuracy %.3f\n", epoch, total / static_cast<double>(n_train),
                accuracy(*model, x_test, y_test));
  }
  return 0;
}
