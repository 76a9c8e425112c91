// torch.nn.functional.embedding and one_hot.
#pragma once
#include <optional>

#include "fl/ops/indexing.h"
#include "fl/tensor.h"

namespace fl::nn::functional {

/// Rows of weight (num_embeddings, dim) at integer (int64/int32) indices: input.shape + (dim,).
/// padding_idx: that row's value is returned but gets no gradient (negative counts from the end).
/// max_norm: first renormalises, in place and without autograd, the referenced rows whose norm_type-norm exceeds
/// it (as PyTorch). scale_grad_by_freq: each row's gradient is divided by its count in input.
/// sparse=true raises NotImplementedError: Flashlight has no sparse tensors (use the dense gradient).
Tensor embedding(const Tensor& input, const Tensor& weight, std::optional<int64_t> padding_idx = std::nullopt,
                 std::optional<double> max_norm = std::nullopt, double norm_type = 2.0, bool scale_grad_by_freq = false,
                 bool sparse = false);

/// One-hot int64 encoding of an int64 tensor (num_classes -1: max + 1); the core op fl::one_hot.
inline Tensor one_hot(const Tensor& tensor, int64_t num_classes = -1) { return fl::one_hot(tensor, num_classes); }

}  // namespace fl::nn::functional
