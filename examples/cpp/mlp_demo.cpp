// make demo (for now): a 2-layer MLP trained with autograd on a synthetic regression task.
#include <cstdio>

#include "fl/fl.h"

int main() {
  fl::manual_seed(0);
  const int64_t n = 256, in = 8, hidden = 32;
  fl::Tensor x = fl::randn({n, in});
  fl::Tensor true_w = fl::randn({in, 1});
  fl::Tensor y = fl::sin(fl::matmul(x, true_w)) + 0.05 * fl::randn({n, 1});

  fl::Tensor w1 = (fl::randn({in, hidden}) * 0.3).requires_grad_();
  fl::Tensor b1 = fl::zeros({hidden}, fl::TensorOptions().requires_grad());
  fl::Tensor w2 = (fl::randn({hidden, 1}) * 0.3).requires_grad_();
  fl::Tensor b2 = fl::zeros({1}, fl::TensorOptions().requires_grad());
  std::vector<fl::Tensor> params{w1, b1, w2, b2};

  const double lr = 0.05;
  std::printf("Training a 2-layer MLP (8 -> 32 -> 1) on y = sin(x @ w) + noise, %lld samples\n",
              static_cast<long long>(n));
  for (int step = 0; step <= 300; ++step) {
    fl::Tensor h = fl::tanh(fl::matmul(x, w1) + b1);
    fl::Tensor pred = fl::matmul(h, w2) + b2;
    fl::Tensor loss = ((pred - y) * (pred - y)).mean();
    for (auto& p : params) p.set_grad(fl::Tensor());
    loss.backward();
    {
      fl::NoGradGuard no_grad;
      for (auto& p : params) p.sub_(p.grad(), lr);
    }
    if (step % 30 == 0) std::printf("step %4d  loss %.5f\n", step, loss.item<double>());
  }
  return 0;
}
