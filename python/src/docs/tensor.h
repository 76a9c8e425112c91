// Docstrings of fl.Tensor's own methods (tensor.cpp and the method-only bindings of the op files). A method that
// mirrors a function (x.sum() and fl.sum(x)) uses the function's text, and x.op_() the text of op (docs.cpp).
#pragma once
#include "docs/doc_table.h"

namespace flpy::docs {

#define FL_RETURNS_SELF "\nReturns:\n    Tensor: self.\n"
#define FL_CAST(dtype)                                                     \
  "Returns self converted to " dtype                                       \
  " (no copy when it already is).\n\nReturns:\n    Tensor: the converted " \
  "tensor; gradients flow back through the conversion.\n"

inline constexpr Doc kTensor[] = {
    // metadata
    {"size", R"(Returns the shape of self, or the size of one dimension.

Args:
    dim (int, optional): the dimension (negative counts from the end); the whole shape when None. Default: None.

Returns:
    Size or int: an fl.Size (a tuple subclass, as torch.Size), or an int.)"},
    {"dim", "Returns the number of dimensions of self (as .ndim).\n\nReturns:\n    int: the dimension count.\n"},
    {"ndimension",
     "Returns the number of dimensions of self; an alias of dim().\n\nReturns:\n    int: the dimension "
     "count.\n"},
    {"numel", "Returns the number of elements of self.\n\nReturns:\n    int: the product of the sizes.\n"},
    {"nelement",
     "Returns the number of elements of self; an alias of numel().\n\nReturns:\n    int: the product of "
     "the sizes.\n"},
    {"element_size",
     "Returns the size of one element of self's dtype, in bytes.\n\nReturns:\n    int: the byte "
     "count.\n"},
    {"stride", R"(Returns the strides of self (in elements), or the stride of one dimension, as PyTorch computes them.

Args:
    dim (int, optional): the dimension; all strides when None. Default: None.

Returns:
    tuple or int: the strides. Views report the strides torch's views would have.)"},
    {"storage_offset",
     "Returns the offset of self's first element in its storage, in elements (as torch's views "
     "report it).\n\nReturns:\n    int: the offset.\n"},
    {"is_contiguous",
     "Tells whether self is contiguous in row-major order, as torch answers for its strides.\n\nArgs:\n"
     "    memory_format (memory_format, optional): fl.contiguous_format (None), fl.channels_last (4-D) or "
     "fl.channels_last_3d (5-D). Default: None.\n\nReturns:\n    bool: the answer.\n"},
    {"data_ptr",
     "Returns the address of self's first element, as torch reports it for views of one storage.\n\n"
     "Returns:\n    int: the address; compare it between tensors, do not dereference it.\n"},
    {"is_floating_point", "Tells whether self has a floating dtype.\n\nReturns:\n    bool: the answer.\n"},
    {"is_complex",
     "Tells whether self has a complex dtype (always False: Flashlight has no complex dtypes).\n\n"
     "Returns:\n    bool: False.\n"},
    // values
    {"item",
     "Returns the value of a one-element tensor as a Python number.\n\nReturns:\n    int, float or bool: the "
     "value.\n\nNote:\n    This evaluates self (and the lazy MLX graph that produces it).\n"},
    {"tolist",
     "Returns self's values as nested Python lists (a number for a 0-d tensor).\n\nReturns:\n    list or "
     "Number: the values.\n\nNote:\n    This evaluates self.\n"},
    {"numpy", R"(Returns self's current value as a read-only numpy array, without a copy when it can.

Args:
    force (bool): detach first, so a tensor that requires grad is accepted. Default: False.

Returns:
    numpy.ndarray: a read-only view of the current value (MLX arrays are immutable; later in-place ops on self
    give it a new buffer and do not show in the array).

Note:
    This evaluates self. bfloat16 has no numpy dtype (a TypeError, as in torch).)"},
    {"mlx",
     "Returns self's value as an mlx.core.array, without a copy.\n\nReturns:\n    mlx.core.array: the value "
     "(not connected to autograd).\n"},
    // autograd
    {"is_inference",
     "Tells whether self is an inference tensor (made inside inference_mode()).\n\nReturns:\n    bool: True "
     "for a tensor created in inference mode; such a tensor cannot be saved for backward outside it.\n"},
    {"fill_diagonal_",
     "Fills the main diagonal of self (2-D, or n-D with all sizes equal) with fill_value.\n\nArgs:\n"
     "    fill_value (Number): the value written on the diagonal.\n"
     "    wrap (bool): for a tall matrix, restart the diagonal every (columns + 1) rows, as numpy and torch do. "
     "Default: False.\n" FL_RETURNS_SELF},
    {"requires_grad_",
     "Sets whether autograd records operations on self.\n\nArgs:\n    requires_grad (bool): the "
     "new flag. Default: True.\n" FL_RETURNS_SELF},
    {"backward",
     R"(Computes the gradient of self with respect to the graph's leaves and accumulates it into their .grad.

Args:
    gradient (Tensor, optional): the gradient of some scalar with respect to self; required unless self has one
        element. Default: None.
    retain_graph (bool, optional): keep the graph for another backward; create_graph's value when None.
        Default: None.
    create_graph (bool): record the backward pass too, for higher-order gradients. Default: False.

Returns:
    None.)"},
    {"detach",
     "Returns a tensor sharing self's value but cut from the autograd graph.\n\nReturns:\n    Tensor: a new "
     "leaf that does not require grad.\n"},
    {"detach_",
     "Cuts self from the autograd graph in place (it becomes a leaf that does not require grad).\n" FL_RETURNS_SELF},
    {"retain_grad",
     "Keeps .grad for this non-leaf tensor after backward (leaves always keep it).\n\nReturns:\n"
     "    None.\n"},
    // conversion
    {"to", R"(Returns self converted to a dtype and/or device: to(dtype), to(device), to(device, dtype), to(other).

Args:
    *args: a dtype, a device (or str), both, or a tensor whose dtype and device to take.
    **kwargs: dtype=, device=, copy= (always return a new tensor) and non_blocking= (accepted, no effect).

Returns:
    Tensor: the converted tensor; it shares self's data when nothing changes (and copy is False).)"},
    {"type", R"(Returns self's type name, or self converted to a dtype.

Args:
    dtype (dtype, optional): the dtype to convert to; when None the type name ('torch.FloatTensor', ...) is
        returned. Default: None.

Returns:
    str or Tensor: the name, or the converted tensor.)"},
    {"cpu", "Returns self on the CPU (no copy when it is there).\n\nReturns:\n    Tensor: the tensor on the CPU.\n"},
    {"cuda", R"(Returns self on MLX's GPU (the closest thing to CUDA here).

Args:
    device (optional): accepted for torch compatibility. Default: None.

Returns:
    Tensor: the tensor on the GPU; a RuntimeError where MLX has no GPU (Linux CPU builds).)"},
    {"float", FL_CAST("float32")},
    {"double", FL_CAST("float64")},
    {"half", FL_CAST("float16")},
    {"bfloat16", FL_CAST("bfloat16")},
    {"long", FL_CAST("int64")},
    {"int", FL_CAST("int32")},
    {"short", FL_CAST("int16")},
    {"char", FL_CAST("int8")},
    {"byte", FL_CAST("uint8")},
    {"bool", FL_CAST("bool")},
    {"type_as",
     "Returns self converted to the dtype of another tensor.\n\nArgs:\n    other (Tensor): the tensor whose "
     "dtype to take.\n\nReturns:\n    Tensor: the converted tensor.\n"},
    {"contiguous",
     "Returns self with row-major strides: sharing self's data when it already is contiguous, else a copy.\n\n"
     "Args:\n    memory_format (memory_format, optional): fl.contiguous_format (None), fl.channels_last (4-D) or "
     "fl.channels_last_3d (5-D). Default: None.\n\nReturns:\n    Tensor: a contiguous tensor.\n"},
    // views
    {"view", R"(Returns a view of self with a new shape (sharing its data, so writes show in both).

Args:
    *shape (int...): the new shape, as ints or one tuple; one entry may be -1. view(dtype) is accepted only
        for self's own dtype.

Returns:
    Tensor: a view; a RuntimeError when self's strides do not allow one (use reshape).)"},
    {"view_as",
     "Returns a view of self with another tensor's shape.\n\nArgs:\n    other (Tensor): the tensor whose "
     "shape to take.\n\nReturns:\n    Tensor: a view of self.\n"},
    {"reshape_as",
     "Returns self reshaped to another tensor's shape (a view when possible).\n\nArgs:\n"
     "    other (Tensor): the tensor whose shape to take.\n\nReturns:\n    Tensor: the reshaped tensor.\n"},
    {"expand", R"(Returns a view of self broadcast to a larger shape (size-1 dimensions repeat without copying).

Args:
    *sizes (int...): the new shape, as ints or one tuple; -1 keeps a dimension's size.

Returns:
    Tensor: a view; its repeated elements share memory, as in torch.)"},
    {"expand_as",
     "Returns self expanded to another tensor's shape.\n\nArgs:\n    other (Tensor): the tensor whose "
     "shape to take.\n\nReturns:\n    Tensor: a view of self.\n"},
    {"repeat", R"(Returns self repeated along each dimension (torch's repeat; numpy's tile).

Args:
    *sizes (int...): the number of repetitions per dimension, as ints or one tuple; at least self.dim() of them.

Returns:
    Tensor: a new tensor.)"},
    // in-place
    {"copy_",
     "Copies src's values into self (broadcast and converted to self's dtype).\n\nArgs:\n"
     "    src (Tensor): the values.\n    non_blocking (bool): accepted for torch compatibility. Default: "
     "False.\n" FL_RETURNS_SELF},
    {"fill_", "Fills self with one value.\n\nArgs:\n    value (Number or 0-d Tensor): the value.\n" FL_RETURNS_SELF},
    {"zero_", "Fills self with zeros.\n" FL_RETURNS_SELF},
    {"pow_", "Raises self to a power in place.\n\nArgs:\n    other (Number): the exponent.\n" FL_RETURNS_SELF},
};

#undef FL_RETURNS_SELF
#undef FL_CAST

}  // namespace flpy::docs
