// Bindings for fl/nn/functional/dropout.h with torch.nn.functional's signatures.
#include "bind.h"
#include "fl/nn/functional/dropout.h"

namespace flpy {
namespace F = fl::nn::functional;

void init_nn_dropout(nb::module_& m) {
  m.def("dropout", &F::dropout, "input"_a, "p"_a = 0.5, "training"_a = true, "inplace"_a = false);
  m.def("dropout1d", &F::dropout1d, "input"_a, "p"_a = 0.5, "training"_a = true, "inplace"_a = false);
  m.def("dropout2d", &F::dropout2d, "input"_a, "p"_a = 0.5, "training"_a = true, "inplace"_a = false);
  m.def("dropout3d", &F::dropout3d, "input"_a, "p"_a = 0.5, "training"_a = true, "inplace"_a = false);
  // torch's alpha dropouts default to training=False.
  m.def("alpha_dropout", &F::alpha_dropout, "input"_a, "p"_a = 0.5, "training"_a = false, "inplace"_a = false);
  m.def("feature_alpha_dropout", &F::feature_alpha_dropout, "input"_a, "p"_a = 0.5, "training"_a = false,
        "inplace"_a = false);
}
}  // namespace flpy
