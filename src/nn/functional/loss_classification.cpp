// Classification losses: nll_loss (one MLX composition), cross_entropy (log_softmax + nll_loss, or class
// probabilities), binary cross entropy with torch's gradients, and the logistic soft margin.
#include <mlx/transforms.h>

#include "fl/nn/functional/loss.h"
#include "fl/ops/binary.h"
#include "fl/ops/indexing.h"
#include "fl/ops/reduction.h"
#include "fl/ops/unary.h"
#include "nn/functional/nn_utils.h"

namespace fl::nn::functional {

using namespace detail;

namespace {

// torch's nll_loss_nd / nll_loss checks on shapes, target dtype and weight; returns the class dim.
int64_t check_nll(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight) {
  FL_CHECK_VALUE(input.dim() >= 1, "Expected 1 or more dimensions (got ", input.dim(), ")");
  if (input.dim() != 1 && target.dim() >= 1)
    FL_CHECK_VALUE(input.size(0) == target.size(0), "Expected input batch_size (", input.size(0),
                   ") to match target batch_size (", target.size(0), ").");
  if (input.dim() <= 2) {
    FL_CHECK(target.dim() <= 1, "0D or 1D target tensor expected, multi-target not supported");
    FL_CHECK((input.dim() == 1 && target.dim() == 0) || (target.dim() == 1 && input.size(0) == target.size(0)),
             "size mismatch (got input: ", shape_to_string(input.sizes()),
             ", target: ", shape_to_string(target.sizes()), ")");
  } else {
    Shape expected{input.size(0)};
    expected.insert(expected.end(), input.sizes().begin() + 2, input.sizes().end());
    FL_CHECK(target.sizes() == expected, "Expected target size ", shape_to_string(expected), ", got ",
             shape_to_string(target.sizes()));
  }
  FL_CHECK(target.dtype() == kInt64 || target.dtype() == kUInt8, "expected target dtype to be Long or Byte, but got ",
           scalar_type_name(target.dtype()));
  const int64_t cdim = input.dim() == 1 ? 0 : 1, C = input.size(cdim);
  FL_CHECK(!weight || (weight->dim() == 1 && weight->numel() == C), "weight tensor should be defined either for all ",
           C, " classes or no classes but got weight tensor of shape: ", shape_to_string(weight->sizes()));
  return cdim;
}

// IndexError "Target 5 is out of bounds." for the first target outside [0, C) that is not ignore_index.
void check_target_bounds(const Tensor& target, int64_t C, int64_t ignore_index) {
  if (target.numel() == 0) return;
  mx::array values = target.mlx();
  if (!values.is_available()) mx::eval(values);  // torch reads the targets here too
  if (values.flags().row_contiguous) {
    // Scanned here: an MLX reduction and item() would cost an evaluation on MLX's stream thread every call.
    auto scan = [&](const auto* p) {
      for (size_t i = 0; i < values.size(); ++i) {
        const int64_t v = static_cast<int64_t>(p[i]);
        if (v != ignore_index && (v < 0 || v >= C))
          throw IndexError("Target " + std::to_string(v) + " is out of bounds.");
      }
    };
    if (values.dtype() == mx::uint8)
      scan(values.data<uint8_t>());
    else
      scan(values.data<int64_t>());
    return;
  }
  auto t = mx::reshape(mx::astype(values, mx::int64), {-1});
  auto bad = mx::logical_and(
      mx::not_equal(t, mx::array(ignore_index, mx::int64)),
      mx::logical_or(mx::less(t, mx::array(0, mx::int64)), mx::greater_equal(t, mx::array(C, mx::int64))));
  if (!mx::any(bad).item<bool>()) return;
  auto first = mx::take(t, mx::argmax(mx::astype(bad, mx::int32))).item<int64_t>();
  throw IndexError("Target " + std::to_string(first) + " is out of bounds.");
}

// Per-position weight of each target (0 where ignored), and the log-probability picked at the target class.
struct Picked {
  mx::array logp, w;
};
Picked pick_targets(const mx::array& x, const mx::array& target, const std::optional<mx::array>& weight, int cdim,
                    int64_t ignore_index) {
  auto t = mx::astype(target, mx::int64);
  auto valid = mx::not_equal(t, mx::array(ignore_index, mx::int64));
  auto tc = mx::astype(mx::where(valid, t, mx::array(0, mx::int64)), mx::int32);
  auto logp = mx::squeeze(mx::take_along_axis(x, mx::expand_dims(tc, cdim), cdim), cdim);
  auto w = weight ? mx::take(*weight, tc) : mx::ones_like(logp);
  return {logp, mx::where(valid, w, c(0.0, w))};
}

}  // namespace

Tensor nll_loss(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight, int64_t ignore_index,
                const std::string& reduction) {
  Reduction r = parse_reduction(reduction);
  const int cdim = static_cast<int>(check_nll(input, target, weight));
  check_target_bounds(target, input.size(cdim), ignore_index);
  Inputs ins;
  ins.add(input);
  ins.add(target);
  const int iw = ins.add(weight);
  const Dtype d = input.dtype();
  return apply1("NllLossBackward0", fn1([=](const Arrays& in) {
                  auto p = pick_targets(cast(in[0], d), in[1], opt_at(in, iw, d), cdim, ignore_index);
                  auto loss = mx::negative(mx::multiply(p.logp, p.w));
                  // The weighted mean divides by the summed weights of the counted targets (nan when none counts).
                  if (r == Reduction::Mean) return mx::divide(mx::sum(loss), mx::sum(p.w));
                  return reduce(loss, r);
                }),
                ins.tensors, save_inputs({1, 2}));
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
                     int64_t ignore_index, const std::string& reduction, double label_smoothing) {
  Reduction r = parse_reduction(reduction);
  const bool probabilities = input.sizes() == target.sizes();
  if (probabilities) {
    FL_CHECK(target.is_floating_point(), "Expected floating point type for target with class probabilities, got ",
             scalar_type_name(target.dtype()));
    FL_CHECK(ignore_index < 0, "ignore_index is not supported for floating point target");
    FL_CHECK_INDEX(input.dim() >= 1, "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
  }
  FL_CHECK_VALUE(input.dim() >= 1, "Expected 1 or more dimensions (got ", input.dim(), ")");
  const int64_t cdim = input.dim() == 1 ? 0 : 1, C = input.size(cdim);
  const double ls = label_smoothing;
  FL_CHECK(ls <= 1.0, "label_smoothing must be between 0.0 and 1.0. Got: ", ls);
  // Broadcasts a per-class weight along the class dim.
  auto class_weight = [&]() {
    Shape s(input.dim(), 1);
    s[cdim] = C;
    return weight->view(s);
  };

  if (probabilities) {
    FL_CHECK(!weight || (weight->dim() == 1 && weight->numel() == C),
             "cross_entropy: weight tensor should be defined "
             "either for all ",
             C, " classes or no classes but got weight tensor of shape: ", shape_to_string(weight->sizes()));
    Tensor logp = fl::log_softmax(input, cdim);
    Tensor t = ls > 0 ? target * (1 - ls) + ls / static_cast<double>(C) : target;
    Tensor prod = logp * t;
    if (weight) prod = prod * class_weight();
    switch (r) {
      case Reduction::None:
        return -prod.sum({cdim});
      case Reduction::Sum:
        return -prod.sum();
      case Reduction::Mean:
        // torch divides by the number of samples (numel / C); an empty input gives nan.
        return -prod.sum() / (input.numel() == 0 ? NAN : static_cast<double>(input.numel() / C));
    }
  }

  Tensor logp = fl::log_softmax(input, cdim);
  Tensor nll = nll_loss(logp, target, weight, ignore_index, reduction);
  if (ls <= 0) return nll;
  // Label smoothing: mix in the (weighted) mean over classes of -log p, with ignored targets counting nothing.
  Tensor ignored = target == ignore_index;
  Tensor smooth = -(weight ? logp * class_weight() : logp).sum({cdim});
  smooth = smooth.masked_fill(ignored, 0.0);
  Tensor reduced = smooth;
  if (r == Reduction::Sum) reduced = smooth.sum();
  if (r == Reduction::Mean) {
    Tensor denom = weight ? fl::take(*weight, target.masked_fill(ignored, 0)).masked_fill(ignored, 0.0).sum()
                          : fl::logical_not(ignored).sum();
    reduced = smooth.sum() / denom;
  }
  return nll * (1 - ls) + reduced * (ls / static_cast<double>(C));
}

namespace {
// The elementwise BCE -(t log x + (1 - t) log(1 - x)), logs clamped at -100, with torch's gradients:
// (x - t) / max(x (1 - x), 1e-12) for x and log(1 - x) - log(x) for t.
Arrays bce_forward(const Arrays& in) {
  const auto &x = in[0], &t = in[1];
  auto lx = mx::maximum(mx::log(x), c(-100.0, x));
  auto l1x = mx::maximum(mx::log1p(mx::negative(x)), c(-100.0, x));
  return {mx::subtract(mx::multiply(mx::subtract(t, c(1.0, t)), l1x), mx::multiply(t, lx))};
}
Arrays bce_vjp(const Arrays& primals, const Arrays& cotangents, const Arrays&) {
  const auto &x = primals[0], &t = primals[1], &g = cotangents[0];
  auto one_minus = mx::subtract(c(1.0, x), x);
  // torch's EPSILON is a float: 1e-12 rounded to float32.
  auto gx = mx::divide(mx::subtract(x, t), mx::maximum(mx::multiply(x, one_minus), c(double{1e-12f}, x)));
  auto gt = mx::subtract(mx::log1p(mx::negative(x)), mx::log(x));
  return {mx::multiply(g, gx), mx::multiply(g, gt)};
}
}  // namespace

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
                            const std::string& reduction) {
  Reduction r = parse_reduction(reduction);
  FL_CHECK_VALUE(target.sizes() == input.sizes(), "Using a target size (", torch_size(target.sizes()),
                 ") that is different to the input size (", torch_size(input.sizes()),
                 ") is deprecated. Please ensure they have the same size.");
  if (weight) broadcast_shapes(target.sizes(), weight->sizes());
  Inputs ins;
  ins.add(input);
  ins.add(target);
  const int iw = ins.add(weight);
  const Dtype d = loss_dtype(ins.tensors, "binary_cross_entropy");
  if (input.numel() > 0) {
    auto x = input.mlx();
    FL_CHECK(mx::all(mx::logical_and(mx::greater_equal(x, c(0.0, x)), mx::less_equal(x, c(1.0, x)))).item<bool>(),
             "all elements of input should be between 0 and 1");
  }
  static const auto elementwise = mx::custom_vjp(bce_forward, bce_vjp);
  return apply1("BinaryCrossEntropyBackward0", fn1([=](const Arrays& in) {
                  auto l = elementwise({cast(in[0], d), cast(in[1], d)})[0];
                  if (iw >= 0) l = mx::multiply(l, cast(in[iw], d));
                  return reduce(l, r);
                }),
                ins.tensors, kSaveAll);
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target, const std::optional<Tensor>& weight,
                                        const std::string& reduction, const std::optional<Tensor>& pos_weight) {
  Reduction r = parse_reduction(reduction);
  FL_CHECK_VALUE(target.sizes() == input.sizes(), "Target size (", torch_size(target.sizes()),
                 ") must be the same as input size (", torch_size(input.sizes()), ")");
  for (const auto* t : {&weight, &pos_weight})
    if (*t) broadcast_shapes(input.sizes(), (*t)->sizes());
  Inputs ins;
  ins.add(input);
  ins.add(target);
  const int iw = ins.add(weight), ip = ins.add(pos_weight);
  const Dtype d = loss_dtype(ins.tensors, "binary_cross_entropy_with_logits");
  return apply1("BinaryCrossEntropyWithLogitsBackward0", fn1([=](const Arrays& in) {
                  auto x = cast(in[0], d), t = cast(in[1], d);
                  // (1 - t) x - lw log(sigmoid(x)), with lw = 1 + (pos_weight - 1) t.
                  auto nls = softplus_neg(x);
                  if (ip >= 0)
                    nls = mx::multiply(mx::add(mx::multiply(mx::subtract(cast(in[ip], d), c(1.0, x)), t), c(1.0, x)),
                                       nls);
                  auto l = mx::add(mx::multiply(mx::subtract(c(1.0, t), t), x), nls);
                  if (iw >= 0) l = mx::multiply(l, cast(in[iw], d));
                  return reduce(l, r);
                }),
                ins.tensors, kSaveAll);
}

Tensor soft_margin_loss(const Tensor& input, const Tensor& target, const std::string& reduction) {
  Reduction r = parse_reduction(reduction);
  broadcast_shapes(input.sizes(), target.sizes());
  const Dtype d = loss_dtype({input, target}, "soft_margin_loss");
  return apply1("SoftMarginLossBackward0", fn1([=](const Arrays& in) {
                  return reduce(softplus_neg(mx::multiply(cast(in[1], d), cast(in[0], d))), r);
                }),
                {input, target}, kSaveAll);
}

static OpRegistrar registrar({
    {"nll_loss", "nn.loss", true},
    {"cross_entropy", "nn.loss", true},
    {"binary_cross_entropy", "nn.loss", true},
    {"binary_cross_entropy_with_logits", "nn.loss", true},
    {"soft_margin_loss", "nn.loss", true},
});

}  // namespace fl::nn::functional
