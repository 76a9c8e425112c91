// Docstrings of fl/ops/reduction.h's bindings (ops_reduction.cpp): reductions, statistics, scans, sorting, softmax.
#pragma once
#include "docs/doc_table.h"

namespace flpy::docs {

#define FL_DIMS \
  "    dim (int or tuple of ints, optional): the dimension(s) to reduce; all of them when None. Default: None.\n"
#define FL_KEEPDIM "    keepdim (bool): keep each reduced dimension with size 1. Default: False.\n"
#define FL_DTYPE "    dtype (dtype, optional): input is cast to this dtype first. Default: None.\n"
#define FL_STAT(summary, result)                                                                                   \
  summary "\n\nArgs:\n" FL_DOC_INPUT FL_DIMS                                                                       \
          "    unbiased (bool, optional): the older spelling of correction (True: 1, False: 0). Default: "         \
          "None.\n" FL_KEEPDIM                                                                                     \
          "    correction (int, optional): the difference between the sample count and the divisor. Default: 1.\n" \
          "\nReturns:\n    " result "\n"
#define FL_SCAN(summary)                                                                                           \
  summary "\n\nArgs:\n" FL_DOC_INPUT "    dim (int): the dimension to scan along.\n" FL_DTYPE                      \
          "\nReturns:\n    Tensor: a tensor of input's shape; integer and bool inputs accumulate in int64 unless " \
          "dtype is given.\n"
#define FL_VALUES_INDICES "tuple: a (values, indices) named tuple (fl.return_types), indices as int64."

inline constexpr Doc kReduction[] = {
    {"sum",
     "Returns the sum of input's elements, over all dimensions or the given ones.\n\nArgs:\n" FL_DOC_INPUT FL_DIMS
         FL_KEEPDIM FL_DTYPE
     "\nReturns:\n    Tensor: the sums; integer and bool inputs give int64 unless dtype is given.\n"},
    {"nansum",
     "Returns the sum of input's elements, treating NaN as zero.\n\nArgs:\n" FL_DOC_INPUT FL_DIMS FL_KEEPDIM FL_DTYPE
     "\nReturns:\n    Tensor: the sums.\n"},
    {"mean",
     "Returns the mean of input's elements, over all dimensions or the given ones.\n\nArgs:\n" FL_DOC_INPUT FL_DIMS
         FL_KEEPDIM FL_DTYPE "\nReturns:\n    Tensor: the means; input (or dtype) must be floating, as in torch.\n"},
    {"nanmean", "Returns the mean of input's non-NaN elements.\n\nArgs:\n" FL_DOC_INPUT FL_DIMS FL_KEEPDIM FL_DTYPE
                "\nReturns:\n    Tensor: the means (NaN where every element is NaN).\n"},
    {"prod", R"(Returns the product of input's elements, over all of them or along one dimension.

Args:
    input (Tensor): the input tensor.
    dim (int, optional): the dimension to reduce; all elements when None. Default: None.
    keepdim (bool): keep the reduced dimension with size 1. Default: False.
    dtype (dtype, optional): input is cast to this dtype first. Default: None.

Returns:
    Tensor: the products; integer and bool inputs give int64 unless dtype is given.)"},
    {"max",
     R"(Returns the largest element; along a dimension, the largest values and their indices; with a tensor, the elementwise maximum.

Args:
    input (Tensor): the input tensor.
    dim (int): the dimension to reduce (second form).
    keepdim (bool): keep the reduced dimension with size 1 (second form). Default: False.
    other (Tensor): the tensor to compare with (third form, as maximum).

Returns:
    Tensor or tuple: a 0-d tensor; a (values, indices) named tuple for dim; a tensor for other.)"},
    {"min",
     R"(Returns the smallest element; along a dimension, the smallest values and their indices; with a tensor, the elementwise minimum.

Args:
    input (Tensor): the input tensor.
    dim (int): the dimension to reduce (second form).
    keepdim (bool): keep the reduced dimension with size 1 (second form). Default: False.
    other (Tensor): the tensor to compare with (third form, as minimum).

Returns:
    Tensor or tuple: a 0-d tensor; a (values, indices) named tuple for dim; a tensor for other.)"},
    {"amax",
     "Returns the largest values over the given dimensions (NaN propagates).\n\nArgs:\n" FL_DOC_INPUT FL_DIMS FL_KEEPDIM
     "\nReturns:\n    Tensor: the maxima, in input's dtype.\n"},
    {"amin", "Returns the smallest values over the given dimensions (NaN propagates).\n\nArgs:\n" FL_DOC_INPUT FL_DIMS
                 FL_KEEPDIM "\nReturns:\n    Tensor: the minima, in input's dtype.\n"},
    {"aminmax", R"(Returns the minimum and the maximum of input, over all elements or along one dimension.

Args:
    input (Tensor): the input tensor.
    dim (int, optional): the dimension to reduce; all elements when None. Default: None.
    keepdim (bool): keep the reduced dimension with size 1. Default: False.

Returns:
    tuple: a (min, max) named tuple.)"},
    {"argmax", R"(Returns the index of the largest element, in the flattened input or along a dimension.

Args:
    input (Tensor): the input tensor.
    dim (int, optional): the dimension to reduce; the flattened input when None. Default: None.
    keepdim (bool): keep the reduced dimension with size 1. Default: False.

Returns:
    Tensor: int64 indices (the first occurrence on ties).)"},
    {"argmin", R"(Returns the index of the smallest element, in the flattened input or along a dimension.

Args:
    input (Tensor): the input tensor.
    dim (int, optional): the dimension to reduce; the flattened input when None. Default: None.
    keepdim (bool): keep the reduced dimension with size 1. Default: False.

Returns:
    Tensor: int64 indices (the first occurrence on ties).)"},
    {"var", FL_STAT("Returns the variance of input over the given dimensions.", "Tensor: the variances.")},
    {"std",
     FL_STAT("Returns the standard deviation of input over the given dimensions.", "Tensor: the standard deviations.")},
    {"var_mean",
     FL_STAT("Returns the variance and the mean of input over the given dimensions.", "tuple: (var, mean).")},
    {"std_mean",
     FL_STAT("Returns the standard deviation and the mean of input over the given dimensions.", "tuple: (std, mean).")},
    {"norm", R"(Returns the p-norm of input, over all elements or the given dimensions.

Args:
    input (Tensor): the input tensor (floating).
    p (float, 'fro' or 'nuc'): the order: a number (inf and -inf included) or 'fro' (the 2-norm of the
        elements). Default: 'fro'.
    dim (int or tuple of ints, optional): the dimensions to reduce; all when None. Default: None.
    keepdim (bool): keep each reduced dimension with size 1. Default: False.
    dtype (dtype, optional): input is cast to this dtype first. Default: None.

Returns:
    Tensor: the norms.)"},
    {"logsumexp", R"(Returns log(sum(exp(input))) over the given dimensions, computed stably.

Args:
    input (Tensor): the input tensor.
    dim (int or tuple of ints): the dimension(s) to reduce.
    keepdim (bool): keep each reduced dimension with size 1. Default: False.

Returns:
    Tensor: the reduced values; integer inputs give the default float dtype.)"},
    {"all",
     "Tests whether every element is nonzero, over all dimensions or the given ones.\n\nArgs:\n" FL_DOC_INPUT FL_DIMS
         FL_KEEPDIM "\nReturns:\n    Tensor: a bool tensor (uint8 for uint8 input, as torch).\n"},
    {"any",
     "Tests whether any element is nonzero, over all dimensions or the given ones.\n\nArgs:\n" FL_DOC_INPUT FL_DIMS
         FL_KEEPDIM "\nReturns:\n    Tensor: a bool tensor (uint8 for uint8 input, as torch).\n"},
    {"count_nonzero",
     "Counts the nonzero elements, over all dimensions or the given ones.\n\nArgs:\n" FL_DOC_INPUT FL_DIMS
     "\nReturns:\n    Tensor: int64 counts.\n"},
    {"median", R"(Returns the median of all elements, or the medians and their indices along a dimension.

Args:
    input (Tensor): the input tensor.
    dim (int): the dimension to reduce (second form).
    keepdim (bool): keep the reduced dimension with size 1. Default: False.

Returns:
    Tensor or tuple: a 0-d tensor, or a (values, indices) named tuple for dim. For an even count this is the
    lower of the two middle values, as torch (not their mean).)"},
    {"cumsum", FL_SCAN("Returns the cumulative sum of input along dim.")},
    {"cumprod", FL_SCAN("Returns the cumulative product of input along dim.")},
    {"cummax",
     "Returns the running maximum of input along dim and the index where each was reached.\n\nArgs:\n" FL_DOC_INPUT
     "    dim (int): the dimension to scan along.\n\nReturns:\n    " FL_VALUES_INDICES "\n"},
    {"cummin",
     "Returns the running minimum of input along dim and the index where each was reached.\n\nArgs:\n" FL_DOC_INPUT
     "    dim (int): the dimension to scan along.\n\nReturns:\n    " FL_VALUES_INDICES "\n"},
    {"logcumsumexp",
     "Returns log(cumsum(exp(input))) along dim, computed stably.\n\nArgs:\n" FL_DOC_INPUT
     "    dim (int): the dimension to scan along.\n\nReturns:\n    Tensor: a tensor of input's shape.\n"},
    {"softmax", R"(Applies softmax along dim: exp(x) / sum(exp(x)), so each slice sums to 1.

Args:
    input (Tensor): the input tensor.
    dim (int): the dimension along which the values sum to 1.
    dtype (dtype, optional): input is cast to this dtype first. Default: None.

Returns:
    Tensor: a tensor of input's shape.)"},
    {"log_softmax", R"(Applies log(softmax(x)) along dim, computed stably.

Args:
    input (Tensor): the input tensor.
    dim (int): the dimension of the softmax.
    dtype (dtype, optional): input is cast to this dtype first. Default: None.

Returns:
    Tensor: a tensor of input's shape.)"},
    {"sort", R"(Sorts input along a dimension.

Args:
    input (Tensor): the input tensor.
    dim (int): the dimension to sort along. Default: -1.
    descending (bool): sort from largest to smallest. Default: False.
    stable (bool, optional): keep the order of equal elements. Default: False.

Returns:
    tuple: a (values, indices) named tuple; NaN sorts as the largest value, as in torch.)"},
    {"argsort", R"(Returns the indices that sort input along a dimension.

Args:
    input (Tensor): the input tensor.
    dim (int): the dimension to sort along. Default: -1.
    descending (bool): sort from largest to smallest. Default: False.
    stable (bool, optional): keep the order of equal elements. Default: False.

Returns:
    Tensor: int64 indices of input's shape.)"},
    {"msort", "Sorts input along its first dimension (sort(input, 0).values).\n\nArgs:\n" FL_DOC_INPUT
              "\nReturns:\n    Tensor: the sorted values.\n"},
    {"topk", R"(Returns the k largest (or smallest) elements of input along a dimension.

Args:
    input (Tensor): the input tensor.
    k (int): how many elements to return.
    dim (int): the dimension to search along. Default: -1.
    largest (bool): the largest elements when True, the smallest otherwise. Default: True.
    sorted (bool): return them in sorted order. Default: True.

Returns:
    tuple: a (values, indices) named tuple.)"},
    {"kthvalue", R"(Returns the k-th smallest element of input along a dimension, and its index.

Args:
    input (Tensor): the input tensor.
    k (int): the rank, from 1 (the smallest).
    dim (int): the dimension to search along. Default: -1.
    keepdim (bool): keep the reduced dimension with size 1. Default: False.

Returns:
    tuple: a (values, indices) named tuple.)"},
};

#undef FL_DIMS
#undef FL_KEEPDIM
#undef FL_DTYPE
#undef FL_STAT
#undef FL_SCAN
#undef FL_VALUES_INDICES

}  // namespace flpy::docs
