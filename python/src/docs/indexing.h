// Docstrings of fl/ops/indexing.h's bindings (ops_indexing.cpp): gather/scatter, index_*, masks, search, unique.
#pragma once
#include "docs/doc_table.h"

namespace flpy::docs {

#define FL_DIM_INDEX                               \
  "    dim (int): the dimension to index along.\n" \
  "    index (Tensor): the indices (int64).\n"

inline constexpr Doc kIndexing[] = {
    {"index_select", "Selects entries of input along dim at the given indices.\n\nArgs:\n" FL_DOC_INPUT FL_DIM_INDEX
                     "\nReturns:\n    Tensor: a new tensor whose size along dim is len(index).\n"},
    {"gather",
     "Gathers values along dim: out[i][j] = input[index[i][j]][j] for dim 0, and so on.\n\nArgs:\n" FL_DOC_INPUT
         FL_DIM_INDEX "    sparse_grad (bool): accepted for torch compatibility (gradients are "
     "dense). Default: False.\n\nReturns:\n    Tensor: a tensor of index's shape.\n"},
    {"scatter", R"(Writes src (or value) into a copy of input at the positions index gives along dim.

Args:
    input (Tensor): the input tensor.
    dim (int): the dimension to index along.
    index (Tensor): int64 indices, of src's shape (or smaller).
    src (Tensor or Number, optional): the values to write. Default: None.
    value (Number, optional): a single value to write instead of src. Default: None.
    reduce (str, optional): 'add' or 'multiply' to combine with the existing values. Default: None.

Returns:
    Tensor: a new tensor of input's shape. With duplicate indices and no reduce, which write wins is
    unspecified, as in torch.)"},
    {"scatter_add",
     "Adds src into a copy of input at the positions index gives along dim (duplicates add up).\n\n"
     "Args:\n" FL_DOC_INPUT FL_DIM_INDEX "    src (Tensor): the values to add.\n\nReturns:\n"
     "    Tensor: a new tensor of input's shape.\n"},
    {"scatter_reduce", R"(Reduces src into a copy of input at the positions index gives along dim.

Args:
    input (Tensor): the input tensor.
    dim (int): the dimension to index along.
    index (Tensor): int64 indices, of src's shape (or smaller).
    src (Tensor): the values to reduce in.
    reduce (str): 'sum', 'prod', 'mean', 'amax' or 'amin'.
    include_self (bool): whether input's values take part in the reduction. Default: True.

Returns:
    Tensor: a new tensor of input's shape.)"},
    {"index_add",
     "Adds alpha * source into a copy of input at the given indices along dim.\n\nArgs:\n" FL_DOC_INPUT FL_DIM_INDEX
     "    source (Tensor): the values, whose size along dim is len(index).\n"
     "    alpha (Number): the multiplier of source. Default: 1.\n\nReturns:\n"
     "    Tensor: a new tensor of input's shape.\n"},
    {"index_copy",
     "Copies source into a copy of input at the given indices along dim.\n\nArgs:\n" FL_DOC_INPUT FL_DIM_INDEX
     "    source (Tensor): the values, whose size along dim is len(index).\n\nReturns:\n"
     "    Tensor: a new tensor of input's shape.\n"},
    {"index_fill",
     "Fills the slices of input at the given indices along dim with a value.\n\nArgs:\n" FL_DOC_INPUT FL_DIM_INDEX
     "    value (Number or 0-d Tensor): the fill value.\n\nReturns:\n"
     "    Tensor: a new tensor of input's shape.\n"},
    {"masked_fill", "Fills the elements of input where mask is True with a value.\n\nArgs:\n" FL_DOC_INPUT
                    "    mask (Tensor): a bool tensor, broadcast to input's shape.\n"
                    "    value (Number or 0-d Tensor): the fill value.\n\nReturns:\n"
                    "    Tensor: a new tensor of input's shape.\n"},
    {"masked_select", "Returns the elements of input where mask is True, as a 1-D tensor.\n\nArgs:\n" FL_DOC_INPUT
                      "    mask (Tensor): a bool tensor, broadcast with input.\n\nReturns:\n"
                      "    Tensor: a new 1-D tensor (its length depends on the data, so this evaluates mask).\n"},
    {"masked_scatter", "Copies consecutive elements of source into input where mask is True.\n\nArgs:\n" FL_DOC_INPUT
                       "    mask (Tensor): a bool tensor, broadcast to input's shape.\n"
                       "    source (Tensor): the values, read in order; at least as many as True entries.\n\n"
                       "Returns:\n    Tensor: a new tensor of input's shape.\n"},
    {"take", "Returns the elements of input at the given indices into its flattened form.\n\nArgs:\n" FL_DOC_INPUT
             "    index (Tensor): int64 indices into input.flatten().\n\nReturns:\n"
             "    Tensor: a tensor of index's shape.\n"},
    {"take_along_dim",
     "Gathers values along dim at indices that broadcast with input (numpy's take_along_axis).\n\n"
     "Args:\n" FL_DOC_INPUT "    indices (Tensor): int64 indices.\n"
     "    dim (int, optional): the dimension; the flattened input when None. Default: None.\n\n"
     "Returns:\n    Tensor: the gathered values.\n"},
    {"nonzero", R"(Returns the indices of the nonzero elements of input.

Args:
    input (Tensor): the input tensor.
    as_tuple (bool): return one 1-D index tensor per dimension instead of one (n, input.dim()) tensor.
        Default: False.

Returns:
    Tensor or tuple: int64 indices in row-major order (the count depends on the data, so this evaluates input).)"},
    {"argwhere",
     "Returns the indices of the nonzero elements of input as an (n, input.dim()) tensor.\n\nArgs:\n" FL_DOC_INPUT
     "\nReturns:\n    Tensor: int64 indices, one row per nonzero element.\n"},
    {"index_put", R"(Writes values into a copy of input at an advanced index (x[indices] = values).

Args:
    input (Tensor): the input tensor.
    indices (tuple of Tensors): one index tensor per indexed dimension (None for a full slice).
    values (Tensor): the values, broadcast to the indexed shape.
    accumulate (bool): add to the existing values (duplicates add up) instead of writing. Default: False.

Returns:
    Tensor: a new tensor of input's shape.)"},
    {"one_hot", R"(Encodes integer class indices as one-hot vectors in a new last dimension.

Args:
    tensor (Tensor): int64 class indices.
    num_classes (int): the number of classes; max(tensor) + 1 when -1. Default: -1.

Returns:
    Tensor: an int64 tensor of shape tensor.shape + (num_classes,).)"},
    {"bincount", R"(Counts the occurrences of each value in a 1-D tensor of non-negative integers.

Args:
    input (Tensor): a 1-D integer tensor.
    weights (Tensor, optional): a weight per element, summed instead of counted. Default: None.
    minlength (int): the minimum length of the result. Default: 0.

Returns:
    Tensor: counts (int64), or sums of weights (weights' floating dtype), of length max(max(input) + 1, minlength).)"},
    {"unique", R"(Returns the unique elements of input, or unique slices along a dimension.

Args:
    input (Tensor): the input tensor.
    sorted (bool): return them in ascending order (they always are, as on torch's CPU). Default: True.
    return_inverse (bool): also return, per element, the index of its value in the result. Default: False.
    return_counts (bool): also return the count of each unique value. Default: False.
    dim (int, optional): the dimension whose slices are compared; the flattened input when None. Default: None.

Returns:
    Tensor or tuple: the unique values, then the inverse indices and counts when asked for.)"},
    {"searchsorted", R"(Finds, for each value, the index where it would be inserted to keep a sorted sequence sorted.

Args:
    sorted_sequence (Tensor): a tensor sorted along its last dimension (1-D, or matching input's leading dims).
    input (Tensor or Number): the values to look up.
    out_int32 (bool): return int32 instead of int64 indices. Default: False.
    right (bool): for equal values, the index after them instead of before. Default: False.
    side (str, optional): 'left' or 'right', the same as right. Default: None.
    sorter (Tensor, optional): indices that sort sorted_sequence, when it is not sorted itself. Default: None.

Returns:
    Tensor: indices of input's shape.)"},
    {"bucketize", R"(Returns the bucket index of each value given sorted bucket boundaries.

Args:
    input (Tensor or Number): the values.
    boundaries (Tensor): a sorted 1-D tensor of boundaries.
    out_int32 (bool): return int32 instead of int64 indices. Default: False.
    right (bool): buckets are closed on the right (boundaries[i-1] < x <= boundaries[i]) when False, on the
        left when True. Default: False.

Returns:
    Tensor: indices of input's shape.)"},
};

#undef FL_DIM_INDEX

}  // namespace flpy::docs
