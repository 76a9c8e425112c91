// Docstrings of fl/ops/shape.h's bindings (ops_shape.cpp): views, joins, splits, repeats, flips, padding.
#pragma once
#include "docs/doc_table.h"

namespace flpy::docs {

#define FL_VIEW "a view of input: writes through either show in the other, as in torch."
#define FL_TENSORS \
  "    tensors (sequence of Tensors): the tensors to join (same shape except along the joined dimension).\n"

inline constexpr Doc kShape[] = {
    {"reshape", R"(Returns input with a new shape: a view when the strides allow one, else a copy.

Args:
    input (Tensor): the input tensor.
    shape (tuple of ints): the new shape; one entry may be -1 (inferred).

Returns:
    Tensor: a tensor with input's elements in row-major order.)"},
    {"flatten", "Flattens the dimensions start_dim..end_dim into one.\n\nArgs:\n" FL_DOC_INPUT
                "    start_dim (int): the first dimension to flatten. Default: 0.\n"
                "    end_dim (int): the last dimension to flatten. Default: -1.\n\n"
                "Returns:\n    Tensor: a view when possible, else a copy (a 0-d input gives a 1-element tensor).\n"},
    {"squeeze", "Removes dimensions of size 1: all of them, or the given ones.\n\nArgs:\n" FL_DOC_INPUT
                "    dim (int or tuple of ints, optional): the dimensions to remove when their size is 1 (others are "
                "left). Default: None.\n\nReturns:\n    Tensor: " FL_VIEW "\n"},
    {"unsqueeze", "Inserts a dimension of size 1 at position dim.\n\nArgs:\n" FL_DOC_INPUT
                  "    dim (int): the position of the new dimension, in [-input.dim() - 1, input.dim()].\n\n"
                  "Returns:\n    Tensor: " FL_VIEW "\n"},
    {"permute", "Reorders the dimensions of input.\n\nArgs:\n" FL_DOC_INPUT
                "    dims (tuple of ints): the new order, a permutation of range(input.dim()).\n\nReturns:\n"
                "    Tensor: " FL_VIEW "\n"},
    {"transpose", "Swaps two dimensions of input.\n\nArgs:\n" FL_DOC_INPUT "    dim0 (int): the first dimension.\n"
                  "    dim1 (int): the second dimension.\n\nReturns:\n    Tensor: " FL_VIEW "\n"},
    {"swapdims", "Swaps two dimensions of input; an alias of transpose.\n\nArgs:\n" FL_DOC_INPUT
                 "    dim0 (int): the first dimension.\n    dim1 (int): the second dimension.\n\nReturns:\n"
                 "    Tensor: " FL_VIEW "\n"},
    {"swapaxes", "Swaps two dimensions of input; an alias of transpose.\n\nArgs:\n" FL_DOC_INPUT
                 "    axis0 (int): the first dimension.\n    axis1 (int): the second dimension.\n\nReturns:\n"
                 "    Tensor: " FL_VIEW "\n"},
    {"t", "Transposes a tensor of at most 2 dimensions (0-d and 1-d are returned as they are).\n\nArgs:\n" FL_DOC_INPUT
          "\nReturns:\n    Tensor: " FL_VIEW "\n"},
    {"select",
     "Selects one index along a dimension, removing that dimension (x[:, i] is select(x, 1, "
     "i)).\n\nArgs:\n" FL_DOC_INPUT
     "    dim (int): the dimension to index.\n    index (int): the index (negative counts "
     "from the end).\n\nReturns:\n    Tensor: " FL_VIEW "\n"},
    {"narrow", "Returns the slice start:start + length of input along a dimension.\n\nArgs:\n" FL_DOC_INPUT
               "    dim (int): the dimension to slice.\n    start (int): the first index.\n"
               "    length (int): the number of elements to keep.\n\nReturns:\n    Tensor: " FL_VIEW "\n"},
    {"diagonal",
     "Returns a diagonal of the 2-D planes spanned by dim1 and dim2, as the last dimension.\n\nArgs:\n" FL_DOC_INPUT
     "    offset (int): which diagonal: 0 the main one, > 0 above, < 0 below. Default: 0.\n"
     "    dim1 (int): the first dimension of the planes. Default: 0.\n"
     "    dim2 (int): the second dimension of the planes. Default: 1.\n\nReturns:\n    Tensor: " FL_VIEW "\n"},
    {"clone",
     "Returns a copy of input that does not share its data; gradients flow back to input.\n\nArgs:\n" FL_DOC_INPUT
     "    memory_format (memory_format, optional): the copy's strides: fl.preserve_format (None) keeps a dense "
     "input's strides (else their order, as torch), fl.contiguous_format is row-major, fl.channels_last (4-D), "
     "fl.channels_last_3d (5-D). Default: None.\n\nReturns:\n    Tensor: the copy.\n"},
    {"unflatten", "Splits one dimension of input into several.\n\nArgs:\n" FL_DOC_INPUT
                  "    dim (int): the dimension to split.\n    sizes (tuple of ints): the new sizes, whose product is "
                  "input.size(dim) (one may be -1).\n\nReturns:\n    Tensor: " FL_VIEW "\n"},
    {"movedim",
     "Moves dimensions of input to new positions, keeping the others in order. Alias: moveaxis.\n\nArgs:\n" FL_DOC_INPUT
     "    source (int or tuple of ints): the dimensions to move.\n"
     "    destination (int or tuple of ints): their new positions.\n\nReturns:\n    Tensor: " FL_VIEW "\n"},
    {"moveaxis", "Moves dimensions of input to new positions; an alias of movedim.\n\nArgs:\n" FL_DOC_INPUT
                 "    source (int or tuple of ints): the dimensions to move.\n"
                 "    destination (int or tuple of ints): their new positions.\n\nReturns:\n    Tensor: " FL_VIEW "\n"},
    {"broadcast_to", "Broadcasts input to a shape (as expand, with -1 keeping a size).\n\nArgs:\n" FL_DOC_INPUT
                     "    size (tuple of ints): the target shape.\n\nReturns:\n    Tensor: " FL_VIEW "\n"},
    {"broadcast_tensors", R"(Broadcasts tensors against each other to one common shape.

Args:
    *tensors (Tensor): the tensors.

Returns:
    tuple: the broadcast views, in order.)"},
    {"broadcast_shapes", R"(Returns the shape that tensors of the given shapes broadcast to, without creating tensors.

Args:
    *shapes (tuple of ints or int): the shapes.

Returns:
    Size: the broadcast shape; a RuntimeError if they do not broadcast.)"},
    {"atleast_1d", R"(Returns each input with at least one dimension (0-d tensors become 1-d).

Args:
    *tensors (Tensor): tensors, or a single list or tuple of them.

Returns:
    Tensor or tuple: one tensor for one input, else a tuple.)"},
    {"atleast_2d", R"(Returns each input with at least two dimensions (new dimensions are prepended).

Args:
    *tensors (Tensor): tensors, or a single list or tuple of them.

Returns:
    Tensor or tuple: one tensor for one input, else a tuple.)"},
    {"atleast_3d", R"(Returns each input with at least three dimensions (as numpy: a 2-D (m, n) becomes (m, n, 1)).

Args:
    *tensors (Tensor): tensors, or a single list or tuple of them.

Returns:
    Tensor or tuple: one tensor for one input, else a tuple.)"},
    {"cat",
     "Concatenates tensors along an existing dimension (dtypes are promoted). Aliases: concat, concatenate.\n\n"
     "Args:\n" FL_TENSORS "    dim (int): the dimension to join along. Default: 0.\n\nReturns:\n"
     "    Tensor: a new tensor.\n"},
    {"concat", "Concatenates tensors along an existing dimension; an alias of cat.\n\nArgs:\n" FL_TENSORS
               "    dim (int): the dimension to join along. Default: 0.\n\nReturns:\n    Tensor: a new tensor.\n"},
    {"concatenate",
     "Concatenates tensors along an existing dimension; an alias of cat.\n\nArgs:\n" FL_TENSORS
     "    axis (int): the dimension to join along. Default: 0.\n\nReturns:\n    Tensor: a new tensor.\n"},
    {"stack", R"(Stacks tensors of equal shape along a new dimension.

Args:
    tensors (sequence of Tensors): the tensors, all of the same shape.
    dim (int): the position of the new dimension. Default: 0.

Returns:
    Tensor: a new tensor with one more dimension.)"},
    {"hstack", "Concatenates tensors column-wise (along dim 1; dim 0 for 1-D tensors).\n\nArgs:\n" FL_TENSORS
               "\nReturns:\n    Tensor: a new tensor.\n"},
    {"vstack",
     "Concatenates tensors row-wise (along dim 0, after making them at least 2-D). Alias: row_stack.\n\n"
     "Args:\n" FL_TENSORS "\nReturns:\n    Tensor: a new tensor.\n"},
    {"row_stack", "Concatenates tensors row-wise; an alias of vstack.\n\nArgs:\n" FL_TENSORS
                  "\nReturns:\n    Tensor: a new tensor.\n"},
    {"dstack", "Concatenates tensors depth-wise (along dim 2, after making them at least 3-D).\n\nArgs:\n" FL_TENSORS
               "\nReturns:\n    Tensor: a new tensor.\n"},
    {"split", R"(Splits a tensor into chunks of a given size, or of the given sizes, along a dimension.

Args:
    tensor (Tensor): the tensor to split (self for the method form).
    split_size_or_sections (int or list of ints): the size of each chunk (the last may be smaller), or the
        list of sizes, which must add up to the dimension's size.
    split_size (int or list of ints): the method form's name for split_size_or_sections.
    dim (int): the dimension to split. Default: 0.

Returns:
    tuple: views of the chunks.)"},
    {"chunk",
     "Splits input into `chunks` pieces of equal size along a dimension (the last may be smaller).\n\n"
     "Args:\n" FL_DOC_INPUT "    chunks (int): the number of pieces; fewer are returned when the size does "
     "not allow that many.\n    dim (int): the dimension to split. Default: 0.\n\nReturns:\n"
     "    tuple: views of the pieces.\n"},
    {"unbind", "Removes a dimension, returning every slice along it.\n\nArgs:\n" FL_DOC_INPUT
               "    dim (int): the dimension to remove. Default: 0.\n\nReturns:\n    tuple: views of the slices.\n"},
    {"tensor_split",
     "Splits input into pieces by a count (sizes differ by at most one) or at given indices.\n\n"
     "Args:\n" FL_DOC_INPUT "    indices_or_sections (int or list of ints): the number of pieces, or "
     "the indices to split before.\n    dim (int): the dimension to split. Default: 0.\n\nReturns:\n"
     "    tuple: views of the pieces.\n"},
    {"tile", R"(Repeats input along each dimension (numpy's tile; missing leading repeats count as 1).

Args:
    input (Tensor): the input tensor.
    dims (tuple of ints): the number of repetitions per dimension (varargs in the method form).

Returns:
    Tensor: a new tensor.)"},
    {"repeat_interleave", R"(Repeats each element of input (flattened, or along dim) the given number of times.

Args:
    input (Tensor): the input tensor.
    repeats (int or Tensor): the repetitions, one number or one per element along dim. With repeats as the only
        argument, returns repeat_interleave(arange(len(repeats)), repeats).
    dim (int, optional): the dimension to repeat along; the flattened input when None. Default: None.
    output_size (int, optional): the total length along dim, accepted for torch compatibility. Default: None.

Returns:
    Tensor: a new tensor.)"},
    {"flip", R"(Reverses the order of elements along the given dimensions.

Args:
    input (Tensor): the input tensor.
    dims (tuple of ints): the dimensions to reverse (varargs in the method form).

Returns:
    Tensor: a new tensor (a copy, as in torch).)"},
    {"fliplr",
     "Reverses the order of columns (dimension 1) of a tensor of at least 2 dimensions.\n\nArgs:\n" FL_DOC_INPUT
     "\nReturns:\n    Tensor: a new tensor.\n"},
    {"flipud", "Reverses the order of rows (dimension 0) of a tensor of at least 1 dimension.\n\nArgs:\n" FL_DOC_INPUT
               "\nReturns:\n    Tensor: a new tensor.\n"},
    {"roll", R"(Shifts elements cyclically along dimensions (elements past the end wrap around).

Args:
    input (Tensor): the input tensor.
    shifts (int or tuple of ints): the shift per dimension.
    dims (int or tuple of ints, optional): the dimensions; when None the flattened tensor is rolled and the
        shape restored. Default: None.

Returns:
    Tensor: a new tensor.)"},
    {"rot90", R"(Rotates input by 90 degrees k times in the plane of two dimensions (from the first toward the second).

Args:
    input (Tensor): the input tensor.
    k (int): the number of quarter turns (negative turns the other way). Default: 1.
    dims (tuple of two ints): the plane. Default: (0, 1).

Returns:
    Tensor: a new tensor.)"},
    {"tril", "Keeps the lower triangle of the last two dimensions and zeroes the rest.\n\nArgs:\n" FL_DOC_INPUT
             "    diagonal (int): the diagonal kept above: 0 the main one, > 0 more, < 0 fewer. Default: 0.\n\n"
             "Returns:\n    Tensor: a new tensor.\n"},
    {"triu", "Keeps the upper triangle of the last two dimensions and zeroes the rest.\n\nArgs:\n" FL_DOC_INPUT
             "    diagonal (int): the lowest diagonal kept: 0 the main one, > 0 fewer, < 0 more. Default: 0.\n\n"
             "Returns:\n    Tensor: a new tensor.\n"},
    {"pad", R"(Pads input (torch.nn.functional.pad): pad lists (before, after) pairs from the last dimension backward.

Args:
    input (Tensor): the input tensor.
    pad (tuple of ints): (left, right) for the last dimension, then (top, bottom) for the one before, ...;
        negative values crop.
    mode (str): 'constant', 'reflect', 'replicate' or 'circular'. Default: 'constant'.
    value (float, optional): the fill value of 'constant' padding. Default: 0.

Returns:
    Tensor: a new tensor.)"},
};

#undef FL_VIEW
#undef FL_TENSORS

}  // namespace flpy::docs
