// Reductions, scans, softmax and sorting. `dims` empty means all dims (as dim=None in PyTorch).
#pragma once
#include <optional>
#include <string>
#include <tuple>

#include "fl/tensor.h"

namespace fl {

/// torch.sum over dims (all when empty).
/// Integer and bool inputs sum to int64, as in PyTorch; `dtype` casts the input first.
Tensor sum(const Tensor& x, const Shape& dims = {}, bool keepdim = false, std::optional<Dtype> dtype = std::nullopt);
/// torch.mean over dims; floating-point results only (fl::Error for an integral input without a float dtype).
Tensor mean(const Tensor& x, const Shape& dims = {}, bool keepdim = false, std::optional<Dtype> dtype = std::nullopt);
/// torch.nansum: sum treating NaN as 0.
Tensor nansum(const Tensor& x, const Shape& dims = {}, bool keepdim = false);
/// torch.nanmean: the mean of the non-NaN elements (floating-point inputs only).
Tensor nanmean(const Tensor& x, const Shape& dims = {}, bool keepdim = false);
/// torch.prod over one dim or all; integer and bool inputs give int64 unless dtype is given.
Tensor prod(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false,
            std::optional<Dtype> dtype = std::nullopt);
/// torch.max(x): the largest element (a 0-d tensor).
/// max/min over all elements.
Tensor max(const Tensor& x);
/// torch.min(x): the smallest element (a 0-d tensor).
Tensor min(const Tensor& x);
/// torch.max(x, dim): the largest values along dim and their int64 indices.
/// (values, indices) along a dim.
std::tuple<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim = false);
/// torch.min(x, dim): the smallest values along dim and their int64 indices.
std::tuple<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim = false);
/// torch.amax: the max over dims (all when empty); ties share the gradient evenly.
Tensor amax(const Tensor& x, const Shape& dims = {}, bool keepdim = false);
/// torch.amin: the min over dims (all when empty); ties share the gradient evenly.
Tensor amin(const Tensor& x, const Shape& dims = {}, bool keepdim = false);
/// torch.aminmax: (amin, amax) over one dim or all.
std::tuple<Tensor, Tensor> aminmax(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
/// torch.argmax: int64 index of the largest value along dim (of the flattened tensor when nullopt).
Tensor argmax(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
/// torch.argmin: int64 index of the smallest value along dim (of the flattened tensor when nullopt).
Tensor argmin(const Tensor& x, std::optional<int64_t> dim = std::nullopt, bool keepdim = false);
/// torch.var over dims (all when empty);
/// correction: 1 is Bessel's (unbiased), 0 the population variance.
Tensor var(const Tensor& x, const Shape& dims = {}, double correction = 1, bool keepdim = false);
/// torch.std: sqrt(var(x, dims, correction)).
Tensor std(const Tensor& x, const Shape& dims = {}, double correction = 1, bool keepdim = false);
/// torch.var_mean: (var, mean).
std::tuple<Tensor, Tensor> var_mean(const Tensor& x, const Shape& dims = {}, double correction = 1, bool keepdim = false);
/// torch.std_mean: (std, mean).
std::tuple<Tensor, Tensor> std_mean(const Tensor& x, const Shape& dims = {}, double correction = 1, bool keepdim = false);
/// torch.norm / torch.linalg.vector_norm:
/// p-norm (p = 2 by default; inf, -inf, 0, 1 and any real p), over dims (all when empty).
Tensor norm(const Tensor& x, double p = 2.0, const Shape& dims = {}, bool keepdim = false);
/// torch.logsumexp: log(sum(exp(x))) over dims, computed stably (-inf for an empty reduction).
Tensor logsumexp(const Tensor& x, const Shape& dims, bool keepdim = false);
/// torch.all: whether every element is non-zero, as bool (uint8 for uint8) (overloads: all elements, or along dim).
Tensor all(const Tensor& x);
Tensor all(const Tensor& x, int64_t dim, bool keepdim = false);
/// torch.any: whether some element is non-zero, as bool (uint8 for uint8) (overloads: all elements, or along dim).
Tensor any(const Tensor& x);
Tensor any(const Tensor& x, int64_t dim, bool keepdim = false);
/// torch.count_nonzero: the int64 count of non-zero elements over dims (all when empty).
Tensor count_nonzero(const Tensor& x, const Shape& dims = {});
/// torch.median: the lower median of all elements, or (values, indices) along dim (two overloads).
Tensor median(const Tensor& x);
std::tuple<Tensor, Tensor> median(const Tensor& x, int64_t dim, bool keepdim = false);
/// torch.cumsum: running sums along dim.
Tensor cumsum(const Tensor& x, int64_t dim, std::optional<Dtype> dtype = std::nullopt);
/// torch.cumprod: running products along dim.
Tensor cumprod(const Tensor& x, int64_t dim, std::optional<Dtype> dtype = std::nullopt);
/// torch.cummax: running maxima along dim and their int64 indices.
std::tuple<Tensor, Tensor> cummax(const Tensor& x, int64_t dim);
/// torch.cummin: running minima along dim and their int64 indices.
std::tuple<Tensor, Tensor> cummin(const Tensor& x, int64_t dim);
/// torch.logcumsumexp: log of the running sums of exp(x) along dim, computed stably.
Tensor logcumsumexp(const Tensor& x, int64_t dim);
/// torch.softmax: exp(x) / sum(exp(x)) along dim; dtype casts the input first (floating point needed otherwise).
Tensor softmax(const Tensor& x, int64_t dim, std::optional<Dtype> dtype = std::nullopt);
/// torch.log_softmax: log(softmax(x)) along dim, computed stably; dtype casts the input first.
Tensor log_softmax(const Tensor& x, int64_t dim, std::optional<Dtype> dtype = std::nullopt);
/// torch.sort along dim:
/// (values, indices); stable sorts keep the order of equal elements.
std::tuple<Tensor, Tensor> sort(const Tensor& x, int64_t dim = -1, bool descending = false, bool stable = false);
/// torch.argsort: the int64 indices sort() would return.
Tensor argsort(const Tensor& x, int64_t dim = -1, bool descending = false, bool stable = false);
/// torch.topk: the k largest (or smallest) values along dim and their int64 indices.
std::tuple<Tensor, Tensor> topk(const Tensor& x, int64_t k, int64_t dim = -1, bool largest = true, bool sorted = true);
/// torch.kthvalue: the k-th smallest value along dim (k from 1) and its int64 index.
std::tuple<Tensor, Tensor> kthvalue(const Tensor& x, int64_t k, int64_t dim = -1, bool keepdim = false);

}  // namespace fl
