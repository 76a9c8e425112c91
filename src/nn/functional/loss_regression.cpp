// Regression losses: elementwise functions of (input, target) in one MLX composition, then reduced.
#include <cmath>

#include "fl/nn/functional/loss.h"
#include "fl/ops/binary.h"
#include "fl/ops/creation.h"
#include "fl/ops/reduction.h"
#include "kernels/elementwise.h"
#include "kernels/precise_unary.h"
#include "kernels/squared_error.h"
#include "nn/functional/nn_utils.h"

namespace fl::nn::functional {

using namespace detail;

namespace {

using Elementwise = std::function<mx::array(const mx::array& input, const mx::array& target)>;

// How a weighted loss averages: torch's mse/l1 divide by the summed weights, huber takes the plain mean.
enum class WeightedMean { ByWeights, ByCount };

// The weighted forms are Python code in torch, with their own message for a bad reduction.
Reduction weighted_reduction(const std::string& r) {
  if (r == "none") return Reduction::None;
  if (r == "sum") return Reduction::Sum;
  if (r == "mean") return Reduction::Mean;
  throw ValueError("Invalid reduction mode: " + r + ". Expected one of 'none', 'mean', 'sum'.");
}
Reduction loss_reduction(const std::string& r, const std::optional<Tensor>& weight) {
  return weight ? weighted_reduction(r) : parse_reduction(r);
}

// l(input, target) over the broadcast shapes, times weight when given, reduced.
Tensor pointwise_loss(const char* name, const char* kernel, const Tensor& input, const Tensor& target, Reduction r,
                      const std::optional<Tensor>& weight, WeightedMean wmean, Elementwise f) {
  FL_CHECK_VALUE(!weight || weight->sizes() == input.sizes(), "Weights and input must have the same size.");
  broadcast_shapes(input.sizes(), target.sizes());
  Inputs ins;
  ins.add(input);
  ins.add(target);
  const int iw = ins.add(weight);
  Dtype d = loss_dtype(ins.tensors, kernel);
  return apply1(name, fn1([=](const Arrays& in) {
                  auto l = f(cast(in[0], d), cast(in[1], d));
                  if (iw < 0) return reduce(l, r);
                  auto w = cast(in[iw], d);
                  l = mx::multiply(l, w);
                  if (r == Reduction::Mean && wmean == WeightedMean::ByWeights)
                    return mx::divide(mx::sum(l), mx::sum(w));
                  return reduce(l, r);
                }),
                ins.tensors, kSaveAll);
}

// On Flashlight's threaded elementwise kernels, as their gradients are (MLX's CPU ops are single-threaded).
mx::array squared(const mx::array& x, const mx::array& t) {
  return kernels::unary(kernels::UnaryOp::Square, kernels::subtract(x, t));
}
mx::array absolute(const mx::array& x, const mx::array& t) {
  return kernels::unary(kernels::UnaryOp::Abs, kernels::subtract(x, t));
}

// 0.5 d^2 / beta * scale inside |d| < beta, |d| - 0.5 beta (times scale) outside: smooth_l1 (scale 1) and huber
// (beta = delta, scale = delta) share it.
Elementwise smooth(double beta, double scale) {
  return [beta, scale](const mx::array& x, const mx::array& t) {
    auto z = mx::abs(mx::subtract(x, t));
    auto quad = mx::multiply(mx::square(z), c(0.5 * scale / beta, z));
    auto lin = mx::multiply(mx::subtract(z, c(0.5 * beta, z)), c(scale, z));
    return mx::where(mx::less(z, c(beta, z)), quad, lin);
  };
}

// t * log(t) with 0 at t = 0 and finite gradients there (log of a safe argument).
mx::array xlogx(const mx::array& t) {
  auto zero = mx::equal(t, c(0.0, t));
  return mx::where(zero, c(0.0, t), mx::multiply(t, mx::log(mx::where(zero, c(1.0, t), t))));
}

}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, const std::string& reduction,
                const std::optional<Tensor>& weight) {
  const Reduction r = loss_reduction(reduction, weight);
  if (!weight && r != Reduction::None) {
    // One pass over input and target (and one for the gradient) instead of the composition's three.
    broadcast_shapes(input.sizes(), target.sizes());
    Dtype d = loss_dtype({input, target}, "mse_cpu");
    const bool mean = r == Reduction::Mean;
    return apply1("MseLossBackward0",
                  fn1([=](const Arrays& in) { return kernels::squared_error(cast(in[0], d), cast(in[1], d), mean); }),
                  {input, target}, kSaveAll);
  }
  return pointwise_loss("MseLossBackward0", "mse_cpu", input, target, r, weight, WeightedMean::ByWeights, squared);
}

Tensor l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction,
               const std::optional<Tensor>& weight) {
  return pointwise_loss("L1LossBackward0", "l1_cpu", input, target, loss_reduction(reduction, weight), weight,
                        WeightedMean::ByWeights, absolute);
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const std::string& reduction, double beta) {
  parse_reduction(reduction);
  FL_CHECK(beta >= 0, "smooth_l1_loss does not support negative values for beta.");
  if (beta == 0) return l1_loss(input, target, reduction);
  return pointwise_loss("SmoothL1LossBackward0", "smooth_l1_cpu", input, target, parse_reduction(reduction),
                        std::nullopt, WeightedMean::ByCount, smooth(beta, 1.0));
}

Tensor huber_loss(const Tensor& input, const Tensor& target, const std::string& reduction, double delta,
                  const std::optional<Tensor>& weight) {
  Reduction r = loss_reduction(reduction, weight);
  FL_CHECK(delta > 0, "huber_loss does not support non-positive values for delta.");
  return pointwise_loss("HuberLossBackward0", "huber_cpu", input, target, r, weight, WeightedMean::ByCount,
                        smooth(delta, delta));
}

Tensor kl_div(const Tensor& input, const Tensor& target, const std::string& reduction, bool log_target) {
  const bool batchmean = reduction == "batchmean";
  Reduction r = batchmean ? Reduction::Sum : parse_reduction(reduction);
  auto pointwise = [log_target](const mx::array& x, const mx::array& t) {
    if (log_target) return mx::multiply(kernels::exp(t), mx::subtract(t, x));
    return mx::subtract(xlogx(t), mx::multiply(t, x));
  };
  Tensor loss =
      pointwise_loss("KlDivBackward0", "kl_div_cpu", input, target, r, std::nullopt, WeightedMean::ByCount, pointwise);
  if (batchmean && input.dim() != 0) return loss / static_cast<double>(input.size(0));
  return loss;
}

Tensor poisson_nll_loss(const Tensor& input, const Tensor& target, bool log_input, bool full, double eps,
                        const std::string& reduction) {
  return pointwise_loss("PoissonNllLossBackward0", "poisson_nll_cpu", input, target, parse_reduction(reduction),
                        std::nullopt, WeightedMean::ByCount, [=](const mx::array& x, const mx::array& t) {
                          auto l = log_input ? mx::subtract(kernels::exp(x), mx::multiply(t, x))
                                             : mx::subtract(x, mx::multiply(t, mx::log(mx::add(x, c(eps, x)))));
                          if (!full) return l;
                          // Stirling's approximation of log(t!), only where t > 1 (evaluated at a safe argument
                          // elsewhere).
                          auto big = mx::greater(t, c(1.0, t));
                          auto ts = mx::where(big, t, c(2.0, t));
                          auto stirling = mx::add(mx::subtract(mx::multiply(ts, mx::log(ts)), ts),
                                                  mx::multiply(c(0.5, ts), mx::log(mx::multiply(c(2 * M_PI, ts), ts))));
                          return mx::add(l, mx::where(big, stirling, c(0.0, l)));
                        });
}

Tensor gaussian_nll_loss(const Tensor& input, const Tensor& target, const Tensor& var_in, bool full, double eps,
                         const std::string& reduction) {
  Tensor var = var_in;
  FL_CHECK_VALUE(!fl::any(var < 0).item<bool>(), "var has negative entry/entries");
  if (var.sizes() != input.sizes()) {
    const Shape& is = input.sizes();
    Shape leading(is.begin(), is.end() - (is.empty() ? 0 : 1));
    int64_t mismatched = 0;
    if (input.dim() == var.dim())
      for (int64_t i = 0; i < input.dim(); ++i)
        if (is[i] != var.size(i)) mismatched += var.size(i);
    if (!is.empty() && leading == var.sizes())
      var = var.unsqueeze(-1);
    else
      FL_CHECK_VALUE(input.dim() == var.dim() && mismatched == 1, "var is of incorrect size");
  }
  FL_CHECK_VALUE(reduction == "none" || reduction == "mean" || reduction == "sum", reduction, " is not valid");
  Reduction r = parse_reduction(reduction);
  Dtype d = loss_dtype({input, target, var}, "gaussian_nll_loss");
  broadcast_shapes(broadcast_shapes(input.sizes(), target.sizes()), var.sizes());
  return apply1("GaussianNllLossBackward", fn1([=](const Arrays& in) {
                  auto x = cast(in[0], d), t = cast(in[1], d), v = cast(in[2], d);
                  // torch clamps a clone of var under no_grad: the value is clamped, the gradient passes as if it were
                  // not.
                  v = mx::add(v, mx::stop_gradient(mx::subtract(mx::maximum(v, c(eps, v)), v)));
                  auto l = mx::multiply(c(0.5, v), mx::add(mx::log(v), mx::divide(mx::square(mx::subtract(x, t)), v)));
                  if (full) l = mx::add(l, c(0.5 * std::log(2 * M_PI), l));
                  return reduce(l, r);
                }),
                {input, target, var}, kSaveAll);
}

Tensor gaussian_nll_loss(const Tensor& input, const Tensor& target, double var, bool full, double eps,
                         const std::string& reduction) {
  FL_CHECK_VALUE(var >= 0, "var has negative entry/entries");
  return gaussian_nll_loss(input, target, fl::full_like(input, var), full, eps, reduction);
}

static OpRegistrar registrar({
    {"mse_loss", "nn.loss", true},
    {"l1_loss", "nn.loss", true},
    {"smooth_l1_loss", "nn.loss", true},
    {"huber_loss", "nn.loss", true},
    {"kl_div", "nn.loss", true},
    {"poisson_nll_loss", "nn.loss", true},
    {"gaussian_nll_loss", "nn.loss", true},
});

}  // namespace fl::nn::functional
