// Bindings for fl/nn/functional/normalization.h with torch.nn.functional's signatures.
#include "bind.h"
#include "fl/nn/functional/normalization.h"

namespace flpy {
namespace F = fl::nn::functional;
using fl::Tensor;
using OptT = std::optional<Tensor>;

void init_nn_normalization(Module& m) {
  m.def("batch_norm", &F::batch_norm, "input"_a, "running_mean"_a.none(), "running_var"_a.none(),
        "weight"_a = nb::none(), "bias"_a = nb::none(), "training"_a = false, "momentum"_a = 0.1, "eps"_a = 1e-5);
  m.def("instance_norm", &F::instance_norm, "input"_a, "running_mean"_a = nb::none(), "running_var"_a = nb::none(),
        "weight"_a = nb::none(), "bias"_a = nb::none(), "use_input_stats"_a = true, "momentum"_a = 0.1, "eps"_a = 1e-5);
  m.def(
      "layer_norm",
      [](const Tensor& input, nb::handle normalized_shape, OptT weight, OptT bias, double eps) {
        return F::layer_norm(input, shape_of(normalized_shape), weight, bias, eps);
      },
      "input"_a, "normalized_shape"_a, "weight"_a = nb::none(), "bias"_a = nb::none(), "eps"_a = 1e-5);
  m.def(
      "rms_norm",
      [](const Tensor& input, nb::handle normalized_shape, OptT weight, std::optional<double> eps) {
        return F::rms_norm(input, shape_of(normalized_shape), weight, eps);
      },
      "input"_a, "normalized_shape"_a, "weight"_a = nb::none(), "eps"_a = nb::none());
  m.def("group_norm", &F::group_norm, "input"_a, "num_groups"_a, "weight"_a = nb::none(), "bias"_a = nb::none(),
        "eps"_a = 1e-5);
  m.def(
      "normalize",
      [](const Tensor& input, double p, int64_t dim, double eps, OptT out) {
        Tensor r = F::normalize(input, p, dim, eps);
        if (!out) return r;
        out->copy_(r);
        return *out;
      },
      "input"_a, "p"_a = 2.0, "dim"_a = 1, "eps"_a = 1e-12, "out"_a = nb::none());
}
}  // namespace flpy
