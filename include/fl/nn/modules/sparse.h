// Embedding (torch.nn's sparse.py): a lookup table over F::embedding, with torch's init, checks and repr.
#pragma once
#include <optional>

#include "fl/nn/module.h"
#include "fl/options.h"

namespace fl::nn {

/// Embedding's constructor arguments, as torch.nn.Embedding's.
struct EmbeddingOptions {
  int64_t num_embeddings = 0;
  int64_t embedding_dim = 0;
  /// This row gets no gradient and is zeroed at init; negative counts from the end (stored non-negative).
  std::optional<int64_t> padding_idx = std::nullopt;
  /// Looked-up rows whose norm_type-norm exceeds max_norm are renormalised in place, as torch's.
  std::optional<double> max_norm = std::nullopt;
  double norm_type = 2.0;
  bool scale_grad_by_freq = false;
  /// Sparse gradients: Flashlight has none, so forward raises NotImplementedError (as F::embedding).
  bool sparse = false;
  /// torch's _weight: a (num_embeddings, embedding_dim) tensor to use as the weight (sharing its storage) instead
  /// of a fresh N(0, 1) one; undefined for None.
  Tensor _weight = {};
  /// torch's _freeze: the weight does not require grad.
  bool _freeze = false;
  TensorOptions tensor_options = {};
};

/// weight (num_embeddings, embedding_dim) ~ N(0, 1); forward maps integer indices of any shape to their rows.
class Embedding : public UnaryModule {
 public:
  explicit Embedding(const EmbeddingOptions& options);
  Embedding(int64_t num_embeddings, int64_t embedding_dim, std::optional<int64_t> padding_idx = std::nullopt,
            std::optional<double> max_norm = std::nullopt, double norm_type = 2.0, bool scale_grad_by_freq = false,
            bool sparse = false)
      : Embedding(EmbeddingOptions{num_embeddings, embedding_dim, padding_idx, max_norm, norm_type, scale_grad_by_freq,
                                   sparse}) {}
  /// An Embedding whose weight shares embeddings' storage (a 2-D tensor), frozen unless freeze is false. The
  /// padding_idx row is left as given.
  static Embedding from_pretrained(const Tensor& embeddings, bool freeze = true,
                                   std::optional<int64_t> padding_idx = std::nullopt,
                                   std::optional<double> max_norm = std::nullopt, double norm_type = 2.0,
                                   bool scale_grad_by_freq = false, bool sparse = false);
  /// weight ~ N(0, 1), then the padding_idx row zeroed.
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

  /// As given, with padding_idx made non-negative and _weight released after construction.
  EmbeddingOptions options;
  Tensor weight;
};

}  // namespace fl::nn
