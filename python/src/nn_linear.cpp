// flashlight._C._nn: linear and bilinear (include/fl/nn/functional/linear.h).
#include "bind.h"
#include "fl/nn/functional/linear.h"

namespace flpy {
namespace F = fl::nn::functional;

void init_nn_linear(Module& m) {
  m.def("linear", &F::linear, "input"_a, "weight"_a, "bias"_a = nb::none());
  m.def("bilinear", &F::bilinear, "input1"_a, "input2"_a, "weight"_a, "bias"_a = nb::none());
}

}  // namespace flpy
