// Bindings for fl/nn/functional/dropout.h with torch.nn.functional's signatures.
#include "bind.h"
#include "fl/nn/functional/dropout.h"

namespace flpy {
namespace F = fl::nn::functional;
using fl::Tensor;

namespace {
// torch's deprecation warning for channel dropout on inputs of unexpected rank (the op still runs).
void warn_rank(const char* op, const Tensor& input, int64_t lo, int spatial, const char* dims) {
  if (input.dim() == lo || input.dim() == lo + 1) return;
  std::string d = std::to_string(input.dim()), s = std::to_string(spatial);
  std::string msg = std::string(op) + ": Received a " + d + "-D input to " + op +
                    ", which is deprecated and will result in an error in a future release. To retain the behavior "
                    "and silence this warning, please use dropout instead. Note that " +
                    op + " exists to provide channel-wise dropout on inputs with " + s +
                    " spatial dimensions, a channel dimension, and an optional batch dimension (i.e. " + dims +
                    " inputs).";
  if (PyErr_WarnEx(PyExc_UserWarning, msg.c_str(), 1) < 0) throw nb::python_error();
}
}  // namespace

void init_nn_dropout(Module& m) {
  m.def("dropout", &F::dropout, "input"_a, "p"_a = 0.5, "training"_a = true, "inplace"_a = false);
  m.def("dropout1d", &F::dropout1d, "input"_a, "p"_a = 0.5, "training"_a = true, "inplace"_a = false);
  m.def(
      "dropout2d",
      [](const Tensor& input, double p, bool training, bool inplace) {
        if (p >= 0 && p <= 1) warn_rank("dropout2d", input, 3, 2, "3D or 4D");
        return F::dropout2d(input, p, training, inplace);
      },
      "input"_a, "p"_a = 0.5, "training"_a = true, "inplace"_a = false);
  m.def(
      "dropout3d",
      [](const Tensor& input, double p, bool training, bool inplace) {
        if (p >= 0 && p <= 1) warn_rank("dropout3d", input, 4, 3, "4D or 5D");
        return F::dropout3d(input, p, training, inplace);
      },
      "input"_a, "p"_a = 0.5, "training"_a = true, "inplace"_a = false);
  // torch's alpha dropouts default to training=False.
  m.def("alpha_dropout", &F::alpha_dropout, "input"_a, "p"_a = 0.5, "training"_a = false, "inplace"_a = false);
  m.def("feature_alpha_dropout", &F::feature_alpha_dropout, "input"_a, "p"_a = 0.5, "training"_a = false,
        "inplace"_a = false);
}
}  // namespace flpy
