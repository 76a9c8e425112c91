// MultiheadAttention (torch.nn.MultiheadAttention): torch's parameters, their initialisation and its forward
// over fl::nn::functional::multi_head_attention_forward.
#pragma once
#include <optional>
#include <utility>

#include "fl/nn/module.h"
#include "fl/nn/modules/linear.h"
#include "fl/options.h"

namespace fl::nn {

/// torch's name for MultiheadAttention.out_proj, a plain Linear; kept so the module prints as torch's.
class NonDynamicallyQuantizableLinear : public Linear {
 public:
  using Linear::Linear;
};

/// MultiheadAttention's constructor arguments, as torch.nn.MultiheadAttention's.
struct MultiheadAttentionOptions {
  int64_t embed_dim = 0;
  /// embed_dim must be divisible by it.
  int64_t num_heads = 0;
  /// Dropout on the attention weights (training only).
  double dropout = 0.0;
  /// Biases of the input and output projections.
  bool bias = true;
  /// Learnable bias_k / bias_v appended to the key and value sequences.
  bool add_bias_kv = false;
  /// Appends a zero key and value to the sequences.
  bool add_zero_attn = false;
  /// Feature sizes of key and value (embed_dim when unset); either differing gives separate projection weights.
  std::optional<int64_t> kdim = std::nullopt, vdim = std::nullopt;
  /// (N, L, E) inputs and outputs instead of (L, N, E).
  bool batch_first = false;
  /// dtype and device of the parameters (default dtype and device when unset).
  TensorOptions tensor_options = {};
};

/// Attention outputs and, when asked for, the attention weights.
using AttentionOutput = std::pair<Tensor, std::optional<Tensor>>;

/// Multi-head attention. Parameters as torch's: in_proj_weight (3E, E) when key and value have embed_dim
/// features, else q_proj_weight (E, E), k_proj_weight (E, kdim), v_proj_weight (E, vdim), all xavier_uniform_;
/// in_proj_bias (3E) and out_proj.bias zero; out_proj.weight as a Linear's; bias_k, bias_v (1, 1, E)
/// xavier_normal_. Errors: ValueError for non-positive sizes, AssertionError when num_heads does not divide
/// embed_dim.
class MultiheadAttention : public Module {
 public:
  explicit MultiheadAttention(const MultiheadAttentionOptions& options);
  MultiheadAttention(int64_t embed_dim, int64_t num_heads, double dropout = 0.0, bool bias = true,
                     bool add_bias_kv = false, bool add_zero_attn = false, std::optional<int64_t> kdim = std::nullopt,
                     std::optional<int64_t> vdim = std::nullopt, bool batch_first = false)
      : MultiheadAttention(MultiheadAttentionOptions{embed_dim, num_heads, dropout, bias, add_bias_kv, add_zero_attn,
                                                     kdim, vdim, batch_first}) {}
  /// Re-draws the parameters as the constructor does (torch's _reset_parameters).
  void reset_parameters();

  /// query (L, N, E), key (S, N, kdim), value (S, N, vdim) (batch first when batch_first; or unbatched (L, E)).
  /// key_padding_mask (N, S) and attn_mask (L, S) or (N * num_heads, L, S): True or -inf = not attended (float
  /// masks are added). Returns the output (L, N, E) and, when need_weights, the weights (N, L, S) averaged over
  /// heads, or (N, num_heads, L, S).
  AttentionOutput forward(const Tensor& query, const Tensor& key, const Tensor& value,
                          const std::optional<Tensor>& key_padding_mask = std::nullopt, bool need_weights = true,
                          const std::optional<Tensor>& attn_mask = std::nullopt, bool average_attn_weights = true,
                          bool is_causal = false);
  /// forward() with the forward hooks around it: hooks see (query, key, value) and (output, weights), the weights
  /// undefined when not computed.
  AttentionOutput operator()(const Tensor& query, const Tensor& key, const Tensor& value,
                             const std::optional<Tensor>& key_padding_mask = std::nullopt, bool need_weights = true,
                             const std::optional<Tensor>& attn_mask = std::nullopt, bool average_attn_weights = true,
                             bool is_causal = false);

  MultiheadAttentionOptions options;
  int64_t embed_dim, kdim, vdim, num_heads, head_dim;
  /// Whether key and value have embed_dim features (one packed in_proj_weight).
  bool qkv_same_embed_dim;
  Tensor in_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight;  // undefined where not used
  Tensor in_proj_bias;                                                 // undefined without bias
  Tensor bias_k, bias_v;                                               // undefined without add_bias_kv
  std::shared_ptr<NonDynamicallyQuantizableLinear> out_proj;
};

}  // namespace fl::nn
