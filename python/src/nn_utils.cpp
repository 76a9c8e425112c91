// flashlight._C._nn_utils: fl/nn/utils.h (gradient clipping, parameters <-> vector). flashlight.nn.utils turns
// iterables and generators into lists before calling these.
#include "bind.h"
#include "fl/nn/utils.h"

namespace flpy {

void init_nn_utils(Module& m) {
  namespace utils = fl::nn::utils;
  using Tensors = std::vector<fl::Tensor>;
  m.def("get_total_norm", &utils::get_total_norm, "tensors"_a, "norm_type"_a = 2.0, "error_if_nonfinite"_a = false,
        "foreach"_a = nb::none());
  m.def("clip_grads_with_norm_", &utils::clip_grads_with_norm_, "parameters"_a, "max_norm"_a, "total_norm"_a,
        "foreach"_a = nb::none());
  m.def("clip_grad_norm_", &utils::clip_grad_norm_, "parameters"_a, "max_norm"_a, "norm_type"_a = 2.0,
        "error_if_nonfinite"_a = false, "foreach"_a = nb::none());
  m.def("clip_grad_value_", &utils::clip_grad_value_, "parameters"_a, "clip_value"_a, "foreach"_a = nb::none());
  m.def("parameters_to_vector", &utils::parameters_to_vector, "parameters"_a);
  m.def(
      "vector_to_parameters",
      [](const fl::Tensor& vec, const Tensors& parameters) { utils::vector_to_parameters(vec, parameters); }, "vec"_a,
      "parameters"_a);
}

}  // namespace flpy
