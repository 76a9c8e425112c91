// Bindings for include/fl/nn/functional/activation.h (flashlight.nn.functional.prelu, glu, softmin, threshold).
#include "fl/nn/functional/activation.h"

#include "bind.h"

namespace flpy {
void init_nn_activation(Module& m) {
  namespace F = fl::nn::functional;
  m.def("threshold", [](const fl::Tensor& x, double threshold, double value, bool inplace) {
    fl::Tensor y = F::threshold(x, threshold, value);
    if (!inplace) return y;
    fl::Tensor self = x;
    return self.copy_(y);
  }, "input"_a, "threshold"_a, "value"_a, "inplace"_a = false);
  m.def("prelu", &F::prelu, "input"_a, "weight"_a);
  m.def("glu", &F::glu, "input"_a, "dim"_a = -1);
  m.def("softmin", [](const fl::Tensor& x, std::optional<int64_t> dim, nb::handle, std::optional<fl::Dtype> dtype) {
    // torch's legacy implicit dim (dim=None): 0 for 0-, 1- and 3-d input, else 1.
    int64_t d = dim ? *dim : (x.dim() == 0 || x.dim() == 1 || x.dim() == 3 ? 0 : 1);
    return F::softmin(x, d, dtype);
  }, "input"_a, "dim"_a = nb::none(), "_stacklevel"_a = 3, "dtype"_a = nb::none());
}
}  // namespace flpy
