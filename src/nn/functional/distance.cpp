// Distances, composed from the core's norm so that their gradients match torch's (zero-norm rows included).
#include "fl/nn/functional/distance.h"

#include "fl/ops/binary.h"
#include "fl/ops/reduction.h"
#include "fl/ops/shape.h"
#include "nn/functional/nn_utils.h"

namespace fl::nn::functional {

Tensor cosine_similarity(const Tensor& x1, const Tensor& x2, int64_t dim, double eps) {
  const Dtype d = result_type(x1, x2);
  FL_CHECK(is_floating_point(d), "expected common dtype to be floating point, yet common dtype is ",
           scalar_type_name(d));
  auto b = fl::broadcast_tensors({x1.to(d), x2.to(d)});
  // torch clamps clones of the norms in place under no_grad: clamped values, gradients as if unclamped.
  auto normalized = [&](const Tensor& x) {
    Tensor n = fl::norm(x, 2.0, {dim}, true);
    return x / (n + (fl::clamp_min(n, eps) - n).detach());
  };
  return (normalized(b[0]) * normalized(b[1])).sum({dim});
}

Tensor pairwise_distance(const Tensor& x1, const Tensor& x2, double p, double eps, bool keepdim) {
  const int64_t innermost = std::max(x1.dim(), x2.dim()) - 1;
  return fl::norm(x1 - x2 + eps, p, {innermost}, keepdim);
}

static OpRegistrar registrar({
    {"cosine_similarity", "nn.distance", true},
    {"pairwise_distance", "nn.distance", true},
});

}  // namespace fl::nn::functional
