// Bindings for fl/nn/functional/loss.h with torch.nn.functional's signatures, including the deprecated
// size_average / reduce arguments (which override reduction, as torch's _Reduction.legacy_get_string).
#include "bind.h"
#include "fl/nn/functional/loss.h"
#include "nn/functional/nn_utils.h"

namespace flpy {
namespace F = fl::nn::functional;
using fl::Tensor;
using OptT = std::optional<Tensor>;
using OptB = std::optional<bool>;

namespace {
// A Python UserWarning at the caller's line, as torch's warnings.warn.
void warn(const std::string& msg) {
  if (PyErr_WarnEx(PyExc_UserWarning, msg.c_str(), 1) < 0) throw nb::python_error();
}

std::string legacy_reduction(OptB size_average, OptB reduce, const std::string& reduction) {
  if (!size_average && !reduce) return reduction;
  std::string r = !reduce.value_or(true) ? "none" : size_average.value_or(true) ? "mean" : "sum";
  warn("size_average and reduce args will be deprecated, please use reduction='" + r + "' instead.");
  return r;
}

// torch's warning for regression losses whose target broadcasts against the input.
void warn_target_size(const Tensor& input, const Tensor& target) {
  if (input.sizes() == target.sizes()) return;
  namespace d = fl::nn::functional::detail;
  warn("Using a target size (" + d::torch_size(target.sizes()) + ") that is different to the input size (" +
       d::torch_size(input.sizes()) +
       "). This will likely lead to incorrect results due to broadcasting. Please "
       "ensure they have the same size.");
}
}  // namespace

void init_nn_loss(Module& m) {
  // --- regression ---
  m.def(
      "mse_loss",
      [](const Tensor& input, const Tensor& target, OptB size_average, OptB reduce, const std::string& reduction,
         OptT weight) {
        warn_target_size(input, target);
        return F::mse_loss(input, target, legacy_reduction(size_average, reduce, reduction), weight);
      },
      "input"_a, "target"_a, "size_average"_a = nb::none(), "reduce"_a = nb::none(), "reduction"_a = "mean",
      "weight"_a = nb::none());
  m.def(
      "l1_loss",
      [](const Tensor& input, const Tensor& target, OptB size_average, OptB reduce, const std::string& reduction,
         OptT weight) {
        warn_target_size(input, target);
        return F::l1_loss(input, target, legacy_reduction(size_average, reduce, reduction), weight);
      },
      "input"_a, "target"_a, "size_average"_a = nb::none(), "reduce"_a = nb::none(), "reduction"_a = "mean",
      "weight"_a = nb::none());
  m.def(
      "smooth_l1_loss",
      [](const Tensor& input, const Tensor& target, OptB size_average, OptB reduce, const std::string& reduction,
         double beta) {
        warn_target_size(input, target);
        return F::smooth_l1_loss(input, target, legacy_reduction(size_average, reduce, reduction), beta);
      },
      "input"_a, "target"_a, "size_average"_a = nb::none(), "reduce"_a = nb::none(), "reduction"_a = "mean",
      "beta"_a = 1.0);
  m.def(
      "huber_loss",
      [](const Tensor& input, const Tensor& target, const std::string& reduction, double delta, OptT weight) {
        warn_target_size(input, target);
        return F::huber_loss(input, target, reduction, delta, weight);
      },
      "input"_a, "target"_a, "reduction"_a = "mean", "delta"_a = 1.0, "weight"_a = nb::none());
  m.def(
      "kl_div",
      [](const Tensor& input, const Tensor& target, OptB size_average, OptB reduce, const std::string& reduction,
         bool log_target) {
        if (!size_average && !reduce && reduction == "mean")
          warn(
              "reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' "
              "divides only by the batch size, and aligns with the KL div math definition.'mean' will be changed to "
              "behave the same as 'batchmean' in the next major release.");
        return F::kl_div(input, target, legacy_reduction(size_average, reduce, reduction), log_target);
      },
      "input"_a, "target"_a, "size_average"_a = nb::none(), "reduce"_a = nb::none(), "reduction"_a = "mean",
      "log_target"_a = false);
  m.def(
      "poisson_nll_loss",
      [](const Tensor& input, const Tensor& target, bool log_input, bool full, OptB size_average, double eps,
         OptB reduce, const std::string& reduction) {
        return F::poisson_nll_loss(input, target, log_input, full, eps,
                                   legacy_reduction(size_average, reduce, reduction));
      },
      "input"_a, "target"_a, "log_input"_a = true, "full"_a = false, "size_average"_a = nb::none(), "eps"_a = 1e-8,
      "reduce"_a = nb::none(), "reduction"_a = "mean");
  m.def(
      "gaussian_nll_loss",
      [](const Tensor& input, const Tensor& target, nb::handle var, bool full, double eps,
         const std::string& reduction) {
        if (nb::isinstance<Tensor>(var))
          return F::gaussian_nll_loss(input, target, nb::cast<Tensor>(var), full, eps, reduction);
        return F::gaussian_nll_loss(input, target, nb::cast<double>(var), full, eps, reduction);
      },
      "input"_a, "target"_a, "var"_a, "full"_a = false, "eps"_a = 1e-6, "reduction"_a = "mean");

  // --- classification ---
  m.def(
      "nll_loss",
      [](const Tensor& input, const Tensor& target, OptT weight, OptB size_average, int64_t ignore_index, OptB reduce,
         const std::string& reduction) {
        return F::nll_loss(input, target, weight, ignore_index, legacy_reduction(size_average, reduce, reduction));
      },
      "input"_a, "target"_a, "weight"_a = nb::none(), "size_average"_a = nb::none(), "ignore_index"_a = -100,
      "reduce"_a = nb::none(), "reduction"_a = "mean");
  m.def(
      "cross_entropy",
      [](const Tensor& input, const Tensor& target, OptT weight, OptB size_average, int64_t ignore_index, OptB reduce,
         const std::string& reduction, double label_smoothing) {
        return F::cross_entropy(input, target, weight, ignore_index, legacy_reduction(size_average, reduce, reduction),
                                label_smoothing);
      },
      "input"_a, "target"_a, "weight"_a = nb::none(), "size_average"_a = nb::none(), "ignore_index"_a = -100,
      "reduce"_a = nb::none(), "reduction"_a = "mean", "label_smoothing"_a = 0.0);
  m.def(
      "binary_cross_entropy",
      [](const Tensor& input, const Tensor& target, OptT weight, OptB size_average, OptB reduce,
         const std::string& reduction) {
        return F::binary_cross_entropy(input, target, weight, legacy_reduction(size_average, reduce, reduction));
      },
      "input"_a, "target"_a, "weight"_a = nb::none(), "size_average"_a = nb::none(), "reduce"_a = nb::none(),
      "reduction"_a = "mean");
  m.def(
      "binary_cross_entropy_with_logits",
      [](const Tensor& input, const Tensor& target, OptT weight, OptB size_average, OptB reduce,
         const std::string& reduction, OptT pos_weight) {
        return F::binary_cross_entropy_with_logits(input, target, weight,
                                                   legacy_reduction(size_average, reduce, reduction), pos_weight);
      },
      "input"_a, "target"_a, "weight"_a = nb::none(), "size_average"_a = nb::none(), "reduce"_a = nb::none(),
      "reduction"_a = "mean", "pos_weight"_a = nb::none());
  m.def(
      "soft_margin_loss",
      [](const Tensor& input, const Tensor& target, OptB size_average, OptB reduce, const std::string& reduction) {
        return F::soft_margin_loss(input, target, legacy_reduction(size_average, reduce, reduction));
      },
      "input"_a, "target"_a, "size_average"_a = nb::none(), "reduce"_a = nb::none(), "reduction"_a = "mean");

  // --- margins and embeddings ---
  m.def(
      "cosine_embedding_loss",
      [](const Tensor& input1, const Tensor& input2, const Tensor& target, double margin, OptB size_average,
         OptB reduce, const std::string& reduction) {
        return F::cosine_embedding_loss(input1, input2, target, margin,
                                        legacy_reduction(size_average, reduce, reduction));
      },
      "input1"_a, "input2"_a, "target"_a, "margin"_a = 0.0, "size_average"_a = nb::none(), "reduce"_a = nb::none(),
      "reduction"_a = "mean");
  m.def(
      "margin_ranking_loss",
      [](const Tensor& input1, const Tensor& input2, const Tensor& target, double margin, OptB size_average,
         OptB reduce, const std::string& reduction) {
        return F::margin_ranking_loss(input1, input2, target, margin,
                                      legacy_reduction(size_average, reduce, reduction));
      },
      "input1"_a, "input2"_a, "target"_a, "margin"_a = 0.0, "size_average"_a = nb::none(), "reduce"_a = nb::none(),
      "reduction"_a = "mean");
  m.def(
      "hinge_embedding_loss",
      [](const Tensor& input, const Tensor& target, double margin, OptB size_average, OptB reduce,
         const std::string& reduction) {
        return F::hinge_embedding_loss(input, target, margin, legacy_reduction(size_average, reduce, reduction));
      },
      "input"_a, "target"_a, "margin"_a = 1.0, "size_average"_a = nb::none(), "reduce"_a = nb::none(),
      "reduction"_a = "mean");
  m.def(
      "triplet_margin_loss",
      [](const Tensor& anchor, const Tensor& positive, const Tensor& negative, double margin, double p, double eps,
         bool swap, OptB size_average, OptB reduce, const std::string& reduction) {
        return F::triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                      legacy_reduction(size_average, reduce, reduction));
      },
      "anchor"_a, "positive"_a, "negative"_a, "margin"_a = 1.0, "p"_a = 2.0, "eps"_a = 1e-6, "swap"_a = false,
      "size_average"_a = nb::none(), "reduce"_a = nb::none(), "reduction"_a = "mean");
}
}  // namespace flpy
