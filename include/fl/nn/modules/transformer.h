// TransformerEncoderLayer (torch.nn.TransformerEncoderLayer): self-attention and a feed-forward block, each with
// dropout, a residual connection and LayerNorm (after the block, or before it with norm_first).
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "fl/nn/module.h"
#include "fl/nn/modules/attention.h"
#include "fl/nn/modules/dropout.h"
#include "fl/nn/modules/linear.h"
#include "fl/nn/modules/normalization.h"

namespace fl::nn {

/// The feed-forward activation: "relu" or "gelu" (RuntimeError otherwise), a function, or a module, which
/// becomes the child "activation" (printed, as in torch).
using TransformerActivation =
    std::variant<std::string, std::function<Tensor(const Tensor&)>, std::shared_ptr<UnaryModule>>;

/// TransformerEncoderLayer's constructor arguments, as torch.nn.TransformerEncoderLayer's.
struct TransformerEncoderLayerOptions {
  int64_t d_model = 0;
  int64_t nhead = 0;
  /// Hidden size of the feed-forward block (linear1's output).
  int64_t dim_feedforward = 2048;
  double dropout = 0.1;
  TransformerActivation activation = std::string("relu");
  double layer_norm_eps = 1e-5;
  /// (N, S, E) input instead of (S, N, E).
  bool batch_first = false;
  /// LayerNorm before each block (pre-norm) instead of after the residual sum.
  bool norm_first = false;
  /// Biases of the linear layers, the attention projections and the LayerNorms.
  bool bias = true;
  TensorOptions tensor_options = {};
};

/// Children in torch's order: self_attn, linear1, dropout, linear2, norm1, norm2, dropout1, dropout2 (and
/// activation when it is a module). A UnaryModule, so it chains in Sequential (without masks).
class TransformerEncoderLayer : public UnaryModule {
 public:
  explicit TransformerEncoderLayer(const TransformerEncoderLayerOptions& options);
  TransformerEncoderLayer(int64_t d_model, int64_t nhead, int64_t dim_feedforward = 2048, double dropout = 0.1,
                          TransformerActivation activation = std::string("relu"), double layer_norm_eps = 1e-5,
                          bool batch_first = false, bool norm_first = false, bool bias = true)
      : TransformerEncoderLayer(TransformerEncoderLayerOptions{d_model, nhead, dim_feedforward, dropout,
                                                               std::move(activation), layer_norm_eps, batch_first,
                                                               norm_first, bias}) {}

  Tensor forward(const Tensor& src) override;
  /// src_mask (S, S) or (N * nhead, S, S) and src_key_padding_mask (N, S), bool (True = not attended) or float
  /// (added); is_causal is a hint that src_mask is the causal mask (which must then be given).
  Tensor forward(const Tensor& src, const std::optional<Tensor>& src_mask,
                 const std::optional<Tensor>& src_key_padding_mask = std::nullopt, bool is_causal = false);
  using UnaryModule::operator();
  /// forward() with masks, with the forward hooks around it (hooks see src alone).
  Tensor operator()(const Tensor& src, const std::optional<Tensor>& src_mask,
                    const std::optional<Tensor>& src_key_padding_mask = std::nullopt, bool is_causal = false);

  TransformerEncoderLayerOptions options;
  std::shared_ptr<MultiheadAttention> self_attn;
  std::shared_ptr<Linear> linear1;
  std::shared_ptr<Dropout> dropout;
  std::shared_ptr<Linear> linear2;
  std::shared_ptr<LayerNorm> norm1, norm2;
  std::shared_ptr<Dropout> dropout1, dropout2;

 private:
  Tensor activation(const Tensor& x);
  Tensor sa_block(const Tensor& x, const std::optional<Tensor>& attn_mask,
                  const std::optional<Tensor>& key_padding_mask, bool is_causal);
  Tensor ff_block(const Tensor& x);

  std::function<Tensor(const Tensor&)> activation_fn_;
  std::shared_ptr<UnaryModule> activation_module_;
};

}  // namespace fl::nn
