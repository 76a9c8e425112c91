#include "fl/nn/modules/sparse.h"

#include "fl/autograd.h"
#include "fl/nn/functional/sparse.h"
#include "fl/nn/init.h"
#include "fl/nn/repr.h"
#include "fl/ops/creation.h"

namespace fl::nn {

namespace F = functional;

// torch raises AssertionError for these; Flashlight has no such class, so they are ValueErrors.
Embedding::Embedding(const EmbeddingOptions& opts) : options(opts) {
  const int64_t n = opts.num_embeddings;
  if (auto& idx = options.padding_idx) {
    FL_CHECK_VALUE((*idx <= 0 || *idx < n) && *idx >= -n, "Padding_idx must be within num_embeddings");
    if (*idx < 0) *idx += n;
  }
  if (!opts._weight.defined()) {
    weight = register_parameter("weight", fl::empty({n, opts.embedding_dim}, opts.tensor_options), !opts._freeze);
    reset_parameters();
  } else {
    FL_CHECK_VALUE(opts._weight.sizes() == Shape({n, opts.embedding_dim}),
                   "Shape of weight does not match num_embeddings and embedding_dim");
    // torch's Parameter(_weight): a new leaf sharing the given tensor's storage.
    weight = register_parameter("weight", opts._weight.detach(), !opts._freeze);
    options._weight = Tensor();
  }
}

Embedding Embedding::from_pretrained(const Tensor& embeddings, bool freeze, std::optional<int64_t> padding_idx,
                                     std::optional<double> max_norm, double norm_type, bool scale_grad_by_freq,
                                     bool sparse) {
  FL_CHECK_VALUE(embeddings.dim() == 2, "Embeddings parameter is expected to be 2-dimensional");
  return Embedding(EmbeddingOptions{embeddings.size(0), embeddings.size(1), padding_idx, max_norm, norm_type,
                                    scale_grad_by_freq, sparse, embeddings, freeze});
}

void Embedding::reset_parameters() {
  init::normal_(weight);
  if (options.padding_idx) {
    NoGradGuard no_grad;
    weight.select(0, *options.padding_idx).fill_(0);
  }
}

Tensor Embedding::forward(const Tensor& input) {
  const EmbeddingOptions& o = options;
  return F::embedding(input, weight, o.padding_idx, o.max_norm, o.norm_type, o.scale_grad_by_freq, o.sparse);
}

std::string Embedding::extra_repr() const {
  const EmbeddingOptions& o = options;
  std::string s = std::to_string(o.num_embeddings) + ", " + std::to_string(o.embedding_dim);
  if (o.padding_idx) s += ", padding_idx=" + std::to_string(*o.padding_idx);
  if (o.max_norm) s += ", max_norm=" + py_float(*o.max_norm);
  if (o.norm_type != 2) s += ", norm_type=" + py_float(o.norm_type);
  if (o.scale_grad_by_freq) s += ", scale_grad_by_freq=True";
  if (o.sparse) s += ", sparse=True";
  return s;
}

}  // namespace fl::nn
