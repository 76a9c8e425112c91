#include "fl/nn/modules/transformer.h"

#include <cmath>

#include "fl/nn/functional/attention.h"
#include "fl/ops/binary.h"
#include "fl/ops/creation.h"
#include "fl/ops/unary.h"

namespace fl::nn {

namespace {

// torch's _canonical_mask under the layer's own argument names: a bool mask (True = ignore) becomes an additive
// float mask of the input's dtype.
std::optional<Tensor> canonical_mask(const std::optional<Tensor>& mask, const char* name, Dtype target) {
  if (!mask || mask->is_floating_point()) return mask;
  FL_CHECK_AS(functional::AssertionError, mask->dtype() == kBool, "only bool and floating types of ", name,
              " are supported");
  return fl::zeros(mask->sizes(), TensorOptions(target).device(mask->device())).masked_fill(*mask, -INFINITY);
}

}  // namespace

TransformerEncoderLayer::TransformerEncoderLayer(const TransformerEncoderLayerOptions& opts) : options(opts) {
  const TensorOptions& o = opts.tensor_options;
  MultiheadAttentionOptions attn{.embed_dim = opts.d_model,
                                 .num_heads = opts.nhead,
                                 .dropout = opts.dropout,
                                 .bias = opts.bias,
                                 .batch_first = opts.batch_first,
                                 .tensor_options = o};
  self_attn = register_module("self_attn", MultiheadAttention(attn));
  linear1 = register_module("linear1", Linear(LinearOptions{opts.d_model, opts.dim_feedforward, opts.bias, o}));
  dropout = register_module("dropout", Dropout(opts.dropout));
  linear2 = register_module("linear2", Linear(LinearOptions{opts.dim_feedforward, opts.d_model, opts.bias, o}));
  LayerNormOptions norm{{opts.d_model}, opts.layer_norm_eps, true, opts.bias, o};
  norm1 = register_module("norm1", LayerNorm(norm));
  norm2 = register_module("norm2", LayerNorm(norm));
  dropout1 = register_module("dropout1", Dropout(opts.dropout));
  dropout2 = register_module("dropout2", Dropout(opts.dropout));
  if (auto* s = std::get_if<std::string>(&opts.activation)) {
    FL_CHECK(*s == "relu" || *s == "gelu", "activation should be relu/gelu, not ", *s);
    if (*s == "relu")
      activation_fn_ = [](const Tensor& x) { return fl::relu(x); };
    else
      activation_fn_ = [](const Tensor& x) { return fl::gelu(x); };
  } else if (auto* f = std::get_if<std::function<Tensor(const Tensor&)>>(&opts.activation)) {
    FL_CHECK(static_cast<bool>(*f), "TransformerEncoderLayer: the activation function is empty");
    activation_fn_ = *f;
  } else {
    auto m = std::get<std::shared_ptr<UnaryModule>>(opts.activation);
    FL_CHECK(m != nullptr, "TransformerEncoderLayer: the activation module is null");
    activation_module_ = register_module("activation", m);
  }
}

Tensor TransformerEncoderLayer::activation(const Tensor& x) {
  return activation_module_ ? (*activation_module_)(x) : activation_fn_(x);
}

Tensor TransformerEncoderLayer::sa_block(const Tensor& x, const std::optional<Tensor>& attn_mask,
                                         const std::optional<Tensor>& key_padding_mask, bool is_causal) {
  Tensor out = (*self_attn)(x, x, x, key_padding_mask, /*need_weights=*/false, attn_mask, true, is_causal).first;
  return (*dropout1)(out);
}

Tensor TransformerEncoderLayer::ff_block(const Tensor& x) {
  return (*dropout2)((*linear2)((*dropout)(activation((*linear1)(x)))));
}

Tensor TransformerEncoderLayer::forward(const Tensor& src) { return forward(src, std::nullopt); }

Tensor TransformerEncoderLayer::forward(const Tensor& src, const std::optional<Tensor>& src_mask_in,
                                        const std::optional<Tensor>& src_key_padding_mask_in, bool is_causal) {
  auto src_key_padding_mask = canonical_mask(src_key_padding_mask_in, "src_key_padding_mask", src.dtype());
  auto src_mask = canonical_mask(src_mask_in, "src_mask", src.dtype());
  Tensor x = src;
  if (options.norm_first) {
    x = x + sa_block((*norm1)(x), src_mask, src_key_padding_mask, is_causal);
    return x + ff_block((*norm2)(x));
  }
  x = (*norm1)(x + sa_block(x, src_mask, src_key_padding_mask, is_causal));
  return (*norm2)(x + ff_block(x));
}

Tensor TransformerEncoderLayer::operator()(const Tensor& src, const std::optional<Tensor>& src_mask,
                                           const std::optional<Tensor>& src_key_padding_mask, bool is_causal) {
  if (!has_forward_hooks()) return forward(src, src_mask, src_key_padding_mask, is_causal);
  return call_hooked(
      {src}, [&](const std::vector<Tensor>& in) { return forward(in[0], src_mask, src_key_padding_mask, is_causal); });
}

}  // namespace fl::nn
