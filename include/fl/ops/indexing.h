// Indexing: gather/scatter family, masks, advanced indexing and index_put.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "fl/tensor.h"

namespace fl {

/// torch.index_select: the entries at a 1-D index along dim (a copy).
Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index);
/// torch.gather: out[i][j] = x[index[i][j]][j] for dim 0, likewise for other dims.
Tensor gather(const Tensor& x, int64_t dim, const Tensor& index);
/// torch.scatter: a copy of x with src written at index along dim (overloads for a Tensor src or a Scalar value);
/// reduce: std::nullopt (replace), "add" or "multiply", as torch.scatter.
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src,
               const std::optional<std::string>& reduce = std::nullopt);
Tensor scatter(const Tensor& x, int64_t dim, const Tensor& index, const Scalar& value);
/// torch.scatter_add: a copy of x with src added at index along dim (repeated indices accumulate).
Tensor scatter_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src);
/// src reduced into a copy of x at index along dim, x's own values included unless include_self is false;
/// reduce: "sum", "prod", "mean", "amax" or "amin" (torch.scatter_reduce).
Tensor scatter_reduce(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& src, const std::string& reduce,
                      bool include_self = true);
/// torch.index_add: a copy of x with alpha * source added at the 1-D index along dim.
Tensor index_add(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& source, const Scalar& alpha = 1);
/// torch.index_copy: a copy of x with source's slices written at the 1-D index along dim.
Tensor index_copy(const Tensor& x, int64_t dim, const Tensor& index, const Tensor& source);
/// torch.index_fill: a copy of x with value at the int64 index along dim.
Tensor index_fill(const Tensor& x, int64_t dim, const Tensor& index, const Scalar& value);
/// torch.masked_fill: value where the bool mask (broadcast) is true (overloads for a Scalar or a 0-d Tensor value).
Tensor masked_fill(const Tensor& x, const Tensor& mask, const Scalar& value);
Tensor masked_fill(const Tensor& x, const Tensor& mask, const Tensor& value);
/// A 1-D tensor of the elements where mask is true (evaluates: the size depends on the data).
Tensor masked_select(const Tensor& x, const Tensor& mask);
/// torch.masked_scatter: source's elements, in order, written where mask is true.
Tensor masked_scatter(const Tensor& x, const Tensor& mask, const Tensor& source);
/// torch.take: x flattened, read at an int64 index of any shape.
Tensor take(const Tensor& x, const Tensor& index);
/// torch.take_along_dim: gather with broadcasting (on the flattened tensor when dim is nullopt).
Tensor take_along_dim(const Tensor& x, const Tensor& indices, std::optional<int64_t> dim = std::nullopt);
/// (n, ndim) int64 indices of the non-zero elements (evaluates).
Tensor nonzero(const Tensor& x);
/// One index tensor per dim (torch.nonzero(as_tuple=True), torch.where(cond)).
std::vector<Tensor> nonzero_tuple(const Tensor& x);
/// torch.where(condition): nonzero_tuple(condition).
inline std::vector<Tensor> where(const Tensor& condition) { return nonzero_tuple(condition); }
/// x[indices] with PyTorch's advanced-indexing rules; undefined entries stand for ':'.
Tensor index(const Tensor& x, const std::vector<std::optional<Tensor>>& indices);
/// x[indices] = values (accumulate adds, as index_put_ with accumulate=True).
Tensor index_put(const Tensor& x, const std::vector<std::optional<Tensor>>& indices, const Tensor& values,
                 bool accumulate = false);
/// torch.nn.functional.one_hot: int64 one-hot rows of an int64 tensor (num_classes -1: max + 1).
Tensor one_hot(const Tensor& x, int64_t num_classes = -1);
/// torch.bincount: counts (or summed weights) of each non-negative integer of a 1-D tensor (evaluates).
Tensor bincount(const Tensor& x, const std::optional<Tensor>& weights = std::nullopt, int64_t minlength = 0);
/// torch.unique: the distinct values, sorted whatever `sorted` says (as torch on CPU); NaNs last, each distinct.
Tensor unique(const Tensor& x, bool sorted = true);
/// torch.searchsorted: int64 insertion points of values in the sorted last dim (after equal entries when right).
Tensor searchsorted(const Tensor& sorted_sequence, const Tensor& values, bool right = false);
/// torch.bucketize: searchsorted with 1-D boundaries.
Tensor bucketize(const Tensor& values, const Tensor& boundaries, bool right = false);

}  // namespace fl
