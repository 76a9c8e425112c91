// flashlight._C._nn: embedding and one_hot (include/fl/nn/functional/sparse.h).
#include "bind.h"
#include "fl/nn/functional/sparse.h"

namespace flpy {
namespace F = fl::nn::functional;
using fl::Tensor;

void init_nn_sparse(Module& m) {
  m.def(
      "embedding",
      [](const Tensor& input, const Tensor& weight, std::optional<int64_t> padding_idx, std::optional<double> max_norm,
         double norm_type, bool scale_grad_by_freq, bool sparse) {
        // torch.nn.functional checks padding_idx with a Python assert.
        if (padding_idx && weight.dim() >= 1 && (*padding_idx >= weight.size(0) || *padding_idx < -weight.size(0))) {
          PyErr_SetString(PyExc_AssertionError, "Padding_idx must be within num_embeddings");
          throw nb::python_error();
        }
        return F::embedding(input, weight, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse);
      },
      "input"_a, "weight"_a, "padding_idx"_a = nb::none(), "max_norm"_a = nb::none(), "norm_type"_a = 2.0,
      "scale_grad_by_freq"_a = false, "sparse"_a = false);
  m.def("one_hot", &F::one_hot, "tensor"_a, "num_classes"_a = -1);
}

}  // namespace flpy
