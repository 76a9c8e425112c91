// Bindings for fl/nn/functional/distance.h with torch.nn.functional's signatures.
#include "bind.h"
#include "fl/nn/functional/distance.h"

namespace flpy {
namespace F = fl::nn::functional;

void init_nn_distance(Module& m) {
  m.def("cosine_similarity", &F::cosine_similarity, "x1"_a, "x2"_a, "dim"_a = 1, "eps"_a = 1e-8);
  m.def("pairwise_distance", &F::pairwise_distance, "x1"_a, "x2"_a, "p"_a = 2.0, "eps"_a = 1e-6, "keepdim"_a = false);
}
}  // namespace flpy
