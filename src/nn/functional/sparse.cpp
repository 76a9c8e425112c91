// embedding: a row gather (its vjp scatter-adds into the rows). padding_idx and scale_grad_by_freq only change the
// gradient, so they are a custom vjp on the gathered rows; max_norm renormalises the weight in place first.
#include "fl/nn/functional/sparse.h"

#include <mlx/transforms.h>

#include <map>

#include "fl/autograd.h"
#include "nn/functional/common.h"

namespace fl::nn::functional {
namespace {
namespace mx = mlx::core;

// PyTorch's embedding_renorm_: each referenced row whose norm exceeds max_norm is scaled by
// max_norm / (norm + 1e-7), in place, outside autograd.
void renorm_rows(const Tensor& weight, const std::vector<int64_t>& idx, double max_norm, double norm_type) {
  std::vector<uint8_t> used(weight.size(0), 0);
  for (int64_t i : idx) used[i] = 1;
  mx::array w = weight.mlx();
  Dtype acc = weight.dtype() == kFloat64 ? kFloat64 : kFloat32;
  mx::array a = mx::abs(cast(w, acc));
  mx::array norm = std::isinf(norm_type) ? mx::max(a, 1, true)
                   : norm_type == 0 ? mx::sum(mx::astype(mx::not_equal(a, mx::array(0, a.dtype())), a.dtype()), 1, true)
                                    : mx::power(mx::sum(mx::power(a, mx::array(norm_type, a.dtype())), 1, true),
                                                mx::array(1.0 / norm_type, a.dtype()));
  mx::array rows(used.begin(), {static_cast<int>(used.size()), 1}, mx::bool_);
  mx::array over =
      mx::logical_and(rows, mx::greater(norm, mx::array(max_norm, acc == kFloat64 ? mx::float64 : mx::float32)));
  mx::array scale = mx::divide(mx::array(max_norm, norm.dtype()), mx::add(norm, mx::array(1e-7, norm.dtype())));
  mx::array renormed = cast(mx::multiply(cast(w, acc), scale), weight.dtype());
  NoGradGuard guard;
  Tensor(weight).copy_(Tensor::from_mlx(mx::where(over, renormed, w)));
}
// The gathered rows, whose gradient is zeroed at padding_idx and multiplied by the per-position factors: the
// forward value is untouched, only the vjp changes.
mx::array scale_gradient(const mx::array& rows, const mx::array& flat, std::optional<int64_t> padding_idx,
                         const std::optional<std::vector<double>>& factor) {
  if (!padding_idx && !factor) return rows;
  mx::array keep =
      padding_idx ? mx::expand_dims(mx::not_equal(flat, mx::array(*padding_idx, flat.dtype())), 1) : mx::array(true);
  std::optional<mx::array> scale;
  if (factor) scale = mx::expand_dims(mx::array(factor->begin(), {static_cast<int>(factor->size())}, rows.dtype()), 1);
  auto identity = mx::custom_vjp([](const Arrays& a) { return Arrays{a[0]}; },
                                 [keep, scale](const Arrays&, const Arrays& cot, const Arrays&) {
                                   mx::array g = scale ? mx::multiply(cot[0], *scale) : cot[0];
                                   return Arrays{mx::where(keep, g, mx::zeros_like(g))};
                                 });
  return identity({rows})[0];
}
}  // namespace

Tensor embedding(const Tensor& input, const Tensor& weight, std::optional<int64_t> padding_idx,
                 std::optional<double> max_norm, double norm_type, bool scale_grad_by_freq, bool sparse) {
  FL_CHECK(weight.dim() == 2, "'weight' must be 2-D");
  FL_CHECK(input.dtype() == kInt64 || input.dtype() == kInt32,
           "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but got ",
           detail::tensor_type(input.dtype()), " instead (while checking arguments for embedding)");
  const int64_t num = weight.size(0);
  if (padding_idx) {
    FL_CHECK_VALUE(*padding_idx < num && *padding_idx >= -num, "Padding_idx must be within num_embeddings");
    if (*padding_idx < 0) *padding_idx += num;
  }
  FL_CHECK_AS(NotImplementedError, !sparse,
              "embedding(): sparse=True is not supported: Flashlight has no sparse tensors; with sparse=False the "
              "weight gets the same gradient as a dense tensor");
  // Indices are checked eagerly, as PyTorch does (and needed on the host for max_norm and the frequencies).
  std::vector<int64_t> idx =
      input.numel() && (max_norm || scale_grad_by_freq) ? input.tolist<int64_t>() : std::vector<int64_t>{};
  if (input.numel()) {
    mx::array flat = mx::reshape(input.mlx(), {-1});
    mx::array lo = mx::min(flat), hi = mx::max(flat);
    mx::eval(lo, hi);
    FL_CHECK_INDEX(lo.item<int64_t>() >= 0 && hi.item<int64_t>() < num, "index out of range in self");
  }
  if (max_norm) renorm_rows(weight, idx, *max_norm, norm_type);
  // Per-position gradient factors: 0 at padding_idx, 1 / count with scale_grad_by_freq.
  std::optional<std::vector<double>> factor;
  if (scale_grad_by_freq) {
    std::map<int64_t, int64_t> count;
    for (int64_t i : idx) ++count[i];
    factor.emplace();
    for (int64_t i : idx) factor->push_back(1.0 / static_cast<double>(count[i]));
  }
  Shape out_shape = input.sizes();
  out_shape.push_back(weight.size(1));
  return apply1("EmbeddingBackward0", fn1([=](const Arrays& in) {
                  mx::Shape shape = to_mx_shape(out_shape);
                  if (detail::is_empty(shape)) return mx::zeros(shape, in[1].dtype());
                  mx::array flat = mx::reshape(in[0], {-1});
                  return mx::reshape(scale_gradient(mx::take(in[1], flat, 0), flat, padding_idx, factor), shape);
                }),
                {input, weight}, save_inputs({0}));
}

static OpRegistrar kRegistrar({
    {"embedding", "nn.functional", true},
});

}  // namespace fl::nn::functional
