// Helpers shared by the torch.nn.functional ops (nn_utils.h).
#include "nn/functional/nn_utils.h"

#include <numeric>

#include "kernels/elementwise.h"
#include "kernels/precise_unary.h"

namespace fl::nn::functional::detail {

Reduction parse_reduction(const std::string& r) {
  if (r == "none") return Reduction::None;
  if (r == "mean") return Reduction::Mean;
  if (r == "sum") return Reduction::Sum;
  throw ValueError(r + " is not a valid value for reduction");
}

mx::array reduce(const mx::array& loss, Reduction r) {
  switch (r) {
    case Reduction::None:
      return loss;
    case Reduction::Sum:
    case Reduction::Mean: {
      // Flashlight's threaded reductions (MLX's own are single-threaded); small and empty arrays go to MLX's, whose
      // mean of an empty array is 0/0 = nan, as torch's mean reduction.
      std::vector<int> axes(loss.ndim());
      std::iota(axes.begin(), axes.end(), 0);
      return r == Reduction::Sum ? kernels::sum(loss, axes, false) : kernels::mean(loss, axes, false);
    }
  }
  return loss;
}

Tensor reduce(const Tensor& loss, Reduction r) {
  switch (r) {
    case Reduction::None:
      return loss;
    case Reduction::Sum:
      return loss.sum();
    case Reduction::Mean:
      return loss.mean();
  }
  return loss;
}

mx::array softplus_neg(const mx::array& x) {
  // Each branch sees an argument where exp cannot overflow, so the unselected branch has finite gradients.
  auto pos = mx::greater(x, c(0.0, x));
  auto xp = mx::where(pos, x, c(0.0, x)), xn = mx::where(pos, c(0.0, x), x);
  return mx::where(pos, mx::log1p(kernels::exp(mx::negative(xp))), mx::subtract(mx::log1p(kernels::exp(xn)), xn));
}

Dtype loss_dtype(const std::vector<Tensor>& ts, const char* op) {
  Dtype d = result_type(ts);
  FL_CHECK_AS(NotImplementedError, is_floating_point(d), "\"", op, "\" not implemented for '", scalar_type_name(d),
              "'");
  return d;
}

}  // namespace fl::nn::functional::detail
