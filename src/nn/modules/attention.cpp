#include "fl/nn/modules/attention.h"

#include "fl/nn/functional/attention.h"
#include "fl/nn/init.h"
#include "fl/ops/creation.h"
#include "nn/modules/module_utils.h"

namespace fl::nn {

namespace F = functional;
using detail::opt;

MultiheadAttention::MultiheadAttention(const MultiheadAttentionOptions& opts)
    : options(opts),
      embed_dim(opts.embed_dim),
      kdim(opts.kdim.value_or(opts.embed_dim)),
      vdim(opts.vdim.value_or(opts.embed_dim)),
      num_heads(opts.num_heads) {
  FL_CHECK_VALUE(embed_dim > 0 && num_heads > 0,
                 "embed_dim and num_heads must be greater than 0, got embed_dim=", embed_dim,
                 " and num_heads=", num_heads, " instead");
  qkv_same_embed_dim = kdim == embed_dim && vdim == embed_dim;
  head_dim = embed_dim / num_heads;
  FL_CHECK_AS(F::AssertionError, head_dim * num_heads == embed_dim, "embed_dim must be divisible by num_heads");
  const TensorOptions& o = opts.tensor_options;
  // torch's registration order, which is the state_dict order.
  if (!qkv_same_embed_dim) {
    q_proj_weight = register_parameter("q_proj_weight", fl::empty({embed_dim, embed_dim}, o));
    k_proj_weight = register_parameter("k_proj_weight", fl::empty({embed_dim, kdim}, o));
    v_proj_weight = register_parameter("v_proj_weight", fl::empty({embed_dim, vdim}, o));
    in_proj_weight = register_parameter("in_proj_weight", Tensor());
  } else {
    in_proj_weight = register_parameter("in_proj_weight", fl::empty({3 * embed_dim, embed_dim}, o));
    q_proj_weight = register_parameter("q_proj_weight", Tensor());
    k_proj_weight = register_parameter("k_proj_weight", Tensor());
    v_proj_weight = register_parameter("v_proj_weight", Tensor());
  }
  in_proj_bias = register_parameter("in_proj_bias", opts.bias ? fl::empty({3 * embed_dim}, o) : Tensor());
  out_proj =
      register_module("out_proj", NonDynamicallyQuantizableLinear(LinearOptions{embed_dim, embed_dim, opts.bias, o}));
  // torch leaves bias_k / bias_v plain None attributes without add_bias_kv, so nothing is registered then.
  if (opts.add_bias_kv) {
    bias_k = register_parameter("bias_k", fl::empty({1, 1, embed_dim}, o));
    bias_v = register_parameter("bias_v", fl::empty({1, 1, embed_dim}, o));
  }
  reset_parameters();
}

void MultiheadAttention::reset_parameters() {
  for (const Tensor* w : {&in_proj_weight, &q_proj_weight, &k_proj_weight, &v_proj_weight})
    if (w->defined()) init::xavier_uniform_(*w);
  if (in_proj_bias.defined()) {
    init::constant_(in_proj_bias, 0.0);
    init::constant_(out_proj->bias, 0.0);
  }
  if (bias_k.defined()) init::xavier_normal_(bias_k);
  if (bias_v.defined()) init::xavier_normal_(bias_v);
}

AttentionOutput MultiheadAttention::forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                            const std::optional<Tensor>& key_padding_mask, bool need_weights,
                                            const std::optional<Tensor>& attn_mask, bool average_attn_weights,
                                            bool is_causal) {
  const bool transpose = options.batch_first && query.dim() == 3;
  Tensor q = query, k = key, v = value;
  if (transpose) {
    // Transposed once per distinct tensor, so self-attention stays recognisable (one packed projection).
    q = query.transpose(1, 0);
    k = key.impl() == query.impl() ? q : key.transpose(1, 0);
    v = value.impl() == key.impl() ? k : value.transpose(1, 0);
  }
  auto [out, weights] = F::multi_head_attention_forward(
      q, k, v, embed_dim, num_heads, opt(in_proj_weight), opt(in_proj_bias), opt(bias_k), opt(bias_v),
      options.add_zero_attn, options.dropout, out_proj->weight, opt(out_proj->bias), is_training(), key_padding_mask,
      need_weights, attn_mask, !qkv_same_embed_dim, opt(q_proj_weight), opt(k_proj_weight), opt(v_proj_weight),
      std::nullopt, std::nullopt, average_attn_weights, is_causal);
  if (transpose) out = out.transpose(1, 0);
  return {out, weights};
}

AttentionOutput MultiheadAttention::operator()(const Tensor& query, const Tensor& key, const Tensor& value,
                                               const std::optional<Tensor>& key_padding_mask, bool need_weights,
                                               const std::optional<Tensor>& attn_mask, bool average_attn_weights,
                                               bool is_causal) {
  if (!has_forward_hooks())
    return forward(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights, is_causal);
  auto outs = call_with_hooks({query, key, value}, [&](const std::vector<Tensor>& in) {
    FL_CHECK(in.size() == 3, name(), ": a forward pre-hook returned ", in.size(), " inputs; forward takes 3");
    auto [out, weights] =
        forward(in[0], in[1], in[2], key_padding_mask, need_weights, attn_mask, average_attn_weights, is_causal);
    return std::vector<Tensor>{out, detail::or_undefined(weights)};
  });
  FL_CHECK(outs.size() == 2, name(), ": a forward hook returned ", outs.size(), " outputs; forward returns 2");
  return {outs[0], opt(outs[1])};
}

}  // namespace fl::nn
