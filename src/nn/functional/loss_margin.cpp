// Margin and embedding losses: one MLX composition each (triplet_margin_loss composes pairwise_distance).
#include <sstream>

#include "fl/nn/functional/distance.h"
#include "fl/nn/functional/loss.h"
#include "fl/ops/binary.h"
#include "nn/functional/nn_utils.h"

namespace fl::nn::functional {

using namespace detail;

Tensor cosine_embedding_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin,
                             const std::string& reduction) {
  Reduction r = parse_reduction(reduction);
  const int64_t td = target.dim();
  FL_CHECK(td == 1 || td == 0, "0D or 1D target tensor expected, multi-target not supported");
  if (td == 1)
    FL_CHECK(input1.dim() == 2 && input2.dim() == 2,
             "1D target tensor expects 2D input tensors, but found inputs "
             "with sizes ",
             shape_to_string(input1.sizes()), " and ", shape_to_string(input2.sizes()), ".");
  else
    FL_CHECK(input1.dim() == 1 && input2.dim() == 1,
             "0D target tensor expects 1D input tensors, but found inputs "
             "with sizes ",
             shape_to_string(input1.sizes()), " and ", shape_to_string(input2.sizes()), ".");
  broadcast_shapes(input1.sizes(), input2.sizes());
  const Dtype d = loss_dtype({input1, input2}, "cosine_embedding_loss");
  const int ax = static_cast<int>(td);
  return apply1("CosineEmbeddingLossBackward", fn1([=](const Arrays& in) {
                  auto a = cast(in[0], d), b = cast(in[1], d);
                  auto t = in[2];
                  constexpr double kEps = 1e-12;  // torch's EPSILON added to the squared magnitudes
                  auto prod = mx::sum(mx::multiply(a, b), ax);
                  auto m1 = mx::add(mx::sum(mx::square(a), ax), c(kEps, a)),
                       m2 = mx::add(mx::sum(mx::square(b), ax), c(kEps, b));
                  auto cos = mx::divide(prod, mx::sqrt(mx::multiply(m1, m2)));
                  auto zero = c(0.0, cos);
                  auto pos = mx::where(mx::equal(t, mx::array(1, t.dtype())), mx::subtract(c(1.0, cos), cos), zero);
                  auto neg = mx::where(mx::equal(t, mx::array(-1, t.dtype())),
                                       clamp_min0(mx::subtract(cos, c(margin, cos))), zero);
                  return reduce(mx::add(pos, neg), r);
                }),
                {input1, input2, target}, kSaveAll);
}

Tensor margin_ranking_loss(const Tensor& input1, const Tensor& input2, const Tensor& target, double margin,
                           const std::string& reduction) {
  Reduction r = parse_reduction(reduction);
  FL_CHECK(input1.dim() == input2.dim() && input1.dim() == target.dim(),
           "margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: ",
           torch_size(input1.sizes()), ", input2: ", torch_size(input2.sizes()),
           ", target: ", torch_size(target.sizes()), " ");
  broadcast_shapes(broadcast_shapes(input1.sizes(), input2.sizes()), target.sizes());
  const Dtype d = loss_dtype({input1, input2, target}, "margin_ranking_loss");
  return apply1("MarginRankingLossBackward", fn1([=](const Arrays& in) {
                  auto diff = mx::subtract(cast(in[0], d), cast(in[1], d));
                  auto l = mx::add(mx::negative(mx::multiply(cast(in[2], d), diff)), c(margin, diff));
                  return reduce(clamp_min0(l), r);
                }),
                {input1, input2, target}, kSaveAll);
}

Tensor hinge_embedding_loss(const Tensor& input, const Tensor& target, double margin, const std::string& reduction) {
  Reduction r = parse_reduction(reduction);
  broadcast_shapes(input.sizes(), target.sizes());
  const Dtype d = loss_dtype({input, target}, "hinge_embedding_loss");
  return apply1("HingeEmbeddingLossBackward", fn1([=](const Arrays& in) {
                  auto x = cast(in[0], d), t = cast(in[1], d);
                  auto zero = c(0.0, x);
                  auto margin_part =
                      mx::where(mx::not_equal(t, c(1.0, t)), clamp_min0(mx::subtract(c(margin, x), x)), zero);
                  auto self_part = mx::where(mx::not_equal(t, c(-1.0, t)), x, zero);
                  return reduce(mx::add(margin_part, self_part), r);
                }),
                {input, target}, kSaveAll);
}

Tensor triplet_margin_loss(const Tensor& anchor, const Tensor& positive, const Tensor& negative, double margin,
                           double p, double eps, bool swap, const std::string& reduction) {
  Reduction r = parse_reduction(reduction);
  std::ostringstream m;
  m << margin;
  FL_CHECK_VALUE(margin > 0, "margin must be greater than 0, got ", m.str());
  FL_CHECK(anchor.dim() == positive.dim() && positive.dim() == negative.dim(),
           "The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: "
           "anchor ",
           anchor.dim(), "D, positive ", positive.dim(), "D, and negative ", negative.dim(), "D inputs");
  Tensor dist_pos = pairwise_distance(anchor, positive, p, eps);
  Tensor dist_neg = pairwise_distance(anchor, negative, p, eps);
  if (swap) dist_neg = fl::minimum(dist_neg, pairwise_distance(positive, negative, p, eps));
  return reduce(fl::clamp_min(dist_pos - dist_neg + margin, 0), r);
}

static OpRegistrar registrar({
    {"cosine_embedding_loss", "nn.loss", true},
    {"margin_ranking_loss", "nn.loss", true},
    {"hinge_embedding_loss", "nn.loss", true},
    {"triplet_margin_loss", "nn.loss", true},
});

}  // namespace fl::nn::functional
