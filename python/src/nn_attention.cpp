// Bindings for fl/nn/functional/attention.h with torch.nn.functional's signatures; the AssertionErrors of
// multi-head attention arrive in Python as AssertionError, as torch raises them.
#include "bind.h"
#include "fl/nn/functional/attention.h"

namespace flpy {
namespace F = fl::nn::functional;
using fl::Tensor;
using OptT = std::optional<Tensor>;

void init_nn_attention(Module& m) {
  // Registered after the core's translator, so tried before it.
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const F::AssertionError& e) {
      PyErr_SetString(PyExc_AssertionError, e.what());
    }
  });
  m.def("scaled_dot_product_attention", &F::scaled_dot_product_attention, "query"_a, "key"_a, "value"_a,
        "attn_mask"_a = nb::none(), "dropout_p"_a = 0.0, "is_causal"_a = false, "scale"_a = nb::none(),
        "enable_gqa"_a = false);
  m.def(
      "multi_head_attention_forward",
      [](const Tensor& query, const Tensor& key, const Tensor& value, int64_t embed_dim_to_check, int64_t num_heads,
         OptT in_proj_weight, OptT in_proj_bias, OptT bias_k, OptT bias_v, bool add_zero_attn, double dropout_p,
         const Tensor& out_proj_weight, OptT out_proj_bias, bool training, OptT key_padding_mask, bool need_weights,
         OptT attn_mask, bool use_separate_proj_weight, OptT q_proj_weight, OptT k_proj_weight, OptT v_proj_weight,
         OptT static_k, OptT static_v, bool average_attn_weights, bool is_causal) {
        if (key_padding_mask && attn_mask && key_padding_mask->dtype() != attn_mask->dtype() &&
            PyErr_WarnEx(PyExc_UserWarning,
                         "Support for mismatched key_padding_mask and attn_mask is deprecated. Use same type for "
                         "both instead.",
                         1) < 0)
          throw nb::python_error();
        auto [out, weights] = F::multi_head_attention_forward(
            query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias, bias_k, bias_v,
            add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training, key_padding_mask, need_weights,
            attn_mask, use_separate_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight, static_k, static_v,
            average_attn_weights, is_causal);
        return nb::make_tuple(out, weights ? nb::cast(*weights) : nb::none());
      },
      "query"_a, "key"_a, "value"_a, "embed_dim_to_check"_a, "num_heads"_a, "in_proj_weight"_a.none(),
      "in_proj_bias"_a.none(), "bias_k"_a.none(), "bias_v"_a.none(), "add_zero_attn"_a, "dropout_p"_a,
      "out_proj_weight"_a, "out_proj_bias"_a.none(), "training"_a = true, "key_padding_mask"_a = nb::none(),
      "need_weights"_a = true, "attn_mask"_a = nb::none(), "use_separate_proj_weight"_a = false,
      "q_proj_weight"_a = nb::none(), "k_proj_weight"_a = nb::none(), "v_proj_weight"_a = nb::none(),
      "static_k"_a = nb::none(), "static_v"_a = nb::none(), "average_attn_weights"_a = true, "is_causal"_a = false);
}
}  // namespace flpy
