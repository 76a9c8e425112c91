// A liquid network trained in pure C++: a CfC wired by an AutoNCP policy learns to forecast a sine wave sampled at
// irregular times (the gaps are the timespans), with Adam; then it is saved as a safetensors checkpoint that
// Python's `model.load_state_dict(fl.load(path))` reads.
//
//   cfc_train [OUT.safetensors]
#include <cmath>
#include <cstdio>
#include <string>

#include "fl/fl.h"
#include "fl/ncps/modules.h"
#include "fl/optim/adam.h"
#include "fl/serialize.h"

int main(int argc, char** argv) {
  fl::manual_seed(0);
  const int64_t batch = 16, length = 40;
  // x_t = sin(t), target = sin(t_next); t advances by random gaps in [0.1, 0.4).
  fl::Tensor gaps = fl::rand({batch, length + 1}) * 0.3 + 0.1;
  fl::Tensor t = fl::cumsum(gaps, 1) + fl::rand({batch, 1}) * 6.28;
  fl::Tensor wave = fl::sin(t);
  fl::Tensor x = fl::stack({wave.slice(1, 0, length), gaps.slice(1, 1, length + 1)}, 2);  // value, next gap
  fl::Tensor target = wave.slice(1, 1, length + 1).unsqueeze(2);
  fl::Tensor timespans = gaps.slice(1, 0, length);

  auto model = std::make_shared<fl::ncps::CfC>(2, std::make_shared<fl::ncps::AutoNCP>(16, 1));
  fl::optim::AdamOptions options;
  options.lr = 0.01;
  fl::optim::Adam opt(model->parameters(), options);
  std::printf("CfC(2, AutoNCP(16, 1)): %zu parameter tensors, training on %lld irregular sequences\n",
              model->parameters().size(), static_cast<long long>(batch));
  double first = 0, last = 0;
  for (int step = 0; step <= 300; ++step) {
    fl::Tensor loss = (model->forward(x, {}, timespans).output - target).pow(2).mean();
    opt.zero_grad();
    loss.backward();
    opt.step();
    last = loss.item<double>();
    if (step == 0) first = last;
    if (step % 50 == 0) std::printf("  step %3d  mse %.5f\n", step, last);
  }
  std::string path = argc > 1 ? argv[1] : "cfc_train.safetensors";
  fl::save(path, model->state_dict());
  std::printf("mse %.5f -> %.5f; saved %s\n", first, last, path.c_str());
  return last < first * 0.2 ? 0 : 1;
}
