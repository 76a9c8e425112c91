// Indexing: gather/scatter family, masks, advanced indexing and index_put.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "fl/tensor.h"

namespace fl {

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
/// reduce: std::nullopt (replace), "add" or "multiply", as torch.scatter.
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src,
               const std::optional<std::string>& reduce = std::nullopt);
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Scalar& value);
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
/// reduce: "sum", "prod", "mean", "amax" or "amin" (torch.scatter_reduce).
Tensor scatter_reduce(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src, const std::string& reduce,
                      bool include_self = true);
Tensor index_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& source, const Scalar& alpha = 1);
Tensor index_copy(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& source);
Tensor index_fill(const Tensor& x, int64_t dim, const Tensor& index, const Scalar& value);
Tensor masked_fill(const Tensor& x, const Tensor& mask, const Scalar& value);
Tensor masked_fill(const Tensor& x, const Tensor& mask, const Tensor& value);
/// A 1-D tensor of the elements where mask is true (evaluates: the size depends on the data).
Tensor masked_select(const Tensor& x, const Tensor& mask);
Tensor masked_scatter(const Tensor& x, const Tensor& mask, const Tensor& source);
Tensor take(const Tensor& x, const Tensor& index);
Tensor take_along_dim(const Tensor& x, const Tensor& indices, std::optional<int64_t> dim = std::nullopt);
/// (n, ndim) int64 indices of the non-zero elements (evaluates).
Tensor nonzero(const Tensor& x);
/// One index tensor per dim (torch.nonzero(as_tuple=True), torch.where(cond)).
std::vector<Tensor> nonzero_tuple(const Tensor& x);
inline std::vector<Tensor> where(const Tensor& condition) { return nonzero_tuple(condition); }
/// x[indices] with PyTorch's advanced-indexing rules; undefined entries stand for ':'.
Tensor index(const Tensor& x, const std::vector<std::optional<Tensor>>& indices);
/// x[indices] = values (accumulate adds, as index_put_ with accumulate=True).
Tensor index_put(const Tensor& x, const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                 bool accumulate = false);
Tensor one_hot(const Tensor& x, int64_t num_classes = -1);
Tensor bincount(const Tensor& x, const std::optional<Tensor>& weights = std::nullopt, int64_t minlength = 0);
Tensor unique(const Tensor& x, bool sorted = true);
Tensor searchsorted(const Tensor& sorted_sequence, const Tensor& values, bool right = false);
Tensor bucketize(const Tensor& values, const Tensor& boundaries, bool right = false);

}  // namespace fl
