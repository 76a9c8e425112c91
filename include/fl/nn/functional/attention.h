// torch.nn.functional's attention: scaled_dot_product_attention and multi_head_attention_forward.
#pragma once
#include <optional>
#include <utility>

#include "fl/error.h"
#include "fl/tensor.h"

namespace fl::nn::functional {

/// Python's AssertionError, which torch's multi-head attention raises for inconsistent arguments (the Python
/// binding maps it; in C++ it is an fl::Error).
class AssertionError : public Error {
 public:
  using Error::Error;
};

/// softmax(query @ key^T * scale + bias) @ value over (..., L, E) query and (..., S, E) key / (..., S, Ev) value.
/// A bool attn_mask marks the positions that may be attended (True = attend); a float mask is added. is_causal
/// masks j > i (no attn_mask then). scale defaults to 1 / sqrt(E). Rows with nothing to attend give zeros.
/// enable_gqa repeats key / value heads (dim -3) to match the query's.
Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const std::optional<Tensor>& attn_mask = std::nullopt, double dropout_p = 0.0,
                                    bool is_causal = false, std::optional<double> scale = std::nullopt,
                                    bool enable_gqa = false);

/// torch.nn.functional.multi_head_attention_forward: (L, N, E) query (or unbatched (L, E)), (S, N, Ek) key and
/// (S, N, Ev) value. Returns (output (L, N, E), weights (N, L, S) averaged over heads, or (N, H, L, S), or none
/// when need_weights is false). key_padding_mask (N, S) and bool attn_mask use True = ignore, as torch's module.
std::pair<Tensor, std::optional<Tensor>> multi_head_attention_forward(
    const Tensor& query, const Tensor& key, const Tensor& value, int64_t embed_dim_to_check, int64_t num_heads,
    const std::optional<Tensor>& in_proj_weight, const std::optional<Tensor>& in_proj_bias,
    const std::optional<Tensor>& bias_k, const std::optional<Tensor>& bias_v, bool add_zero_attn, double dropout_p,
    const Tensor& out_proj_weight, const std::optional<Tensor>& out_proj_bias, bool training = true,
    const std::optional<Tensor>& key_padding_mask = std::nullopt, bool need_weights = true,
    const std::optional<Tensor>& attn_mask = std::nullopt, bool use_separate_proj_weight = false,
    const std::optional<Tensor>& q_proj_weight = std::nullopt,
    const std::optional<Tensor>& k_proj_weight = std::nullopt,
    const std::optional<Tensor>& v_proj_weight = std::nullopt, const std::optional<Tensor>& static_k = std::nullopt,
    const std::optional<Tensor>& static_v = std::nullopt, bool average_attn_weights = true, bool is_causal = false);

}  // namespace fl::nn::functional
