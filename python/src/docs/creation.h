// Docstrings of fl/ops/creation.h's bindings (ops_creation.cpp): tensors from data, filled tensors, ranges, *_like,
// Tensor.new_*, and the default device.
#pragma once
#include "docs/doc_table.h"

namespace flpy::docs {

// The keywords every creation function takes, as torch's.
#define FL_CREATE_KW                                                                                              \
  "    dtype (dtype, optional): the result's dtype; the default float dtype when None (fl.get_default_dtype()), " \
  "unless noted. Default: None.\n"                                                                                \
  "    layout (optional): accepted for torch compatibility (tensors are strided). Default: None.\n"               \
  "    device (device or str, optional): the result's device; fl.get_default_device() when None. Default: "       \
  "None.\n"                                                                                                       \
  "    requires_grad (bool): whether autograd records operations on the result. Default: False.\n"                \
  "    pin_memory (bool): accepted for torch compatibility (no effect). Default: False.\n"
#define FL_LIKE_MEMORY_FORMAT                                                                              \
  "    memory_format (memory_format, optional): the strides of the result, as torch reports them: "        \
  "fl.preserve_format (None) keeps a dense input's strides (else their order), fl.contiguous_format "      \
  "is row-major, fl.channels_last / fl.channels_last_3d for 4-D / 5-D input. Values are the same in all. " \
  "Default: None.\n"
#define FL_MEMORY_FORMAT "    memory_format (optional): accepted for torch compatibility (one layout). Default: None.\n"
#define FL_SIZE                                                             \
  "    *size (int...): the shape, as ints or one tuple, list or fl.Size.\n" \
  "    size (tuple of ints, optional): the shape as a keyword instead. Default: None.\n"
#define FL_LIKE_KW                                                                                 \
  "    dtype (dtype, optional): the result's dtype; input's when None. Default: None.\n"           \
  "    layout (optional): accepted for torch compatibility. Default: None.\n"                      \
  "    device (device or str, optional): the result's device; input's when None. Default: None.\n" \
  "    requires_grad (bool): whether autograd records operations on the result. Default: False.\n" \
  "    pin_memory (bool): accepted for torch compatibility (no effect). Default: False.\n" FL_LIKE_MEMORY_FORMAT
#define FL_NEW_KW                                                                                  \
  "    dtype (dtype, optional): the result's dtype; self's when None. Default: None.\n"            \
  "    layout (optional): accepted for torch compatibility. Default: None.\n"                      \
  "    device (device or str, optional): the result's device; self's when None. Default: None.\n"  \
  "    requires_grad (bool): whether autograd records operations on the result. Default: False.\n" \
  "    pin_memory (bool): accepted for torch compatibility (no effect). Default: False.\n"
#define FL_LAZY                                                                                                 \
  "\nNote:\n    Like every Flashlight value this is a lazy MLX array: it is computed when first read (item(), " \
  "numpy(), print) or used by an evaluated result.\n"

inline constexpr Doc kCreation[] = {
    {"tensor",
     "Creates a new tensor by copying data (nested lists and tuples of numbers, numpy arrays, tensors, "
     "scalars).\n\nArgs:\n    data (array_like): the values.\n"
     "    dtype (dtype, optional): the dtype; inferred from data when None (Python floats give the default "
     "float dtype, ints int64, bools bool). Default: None.\n"
     "    device (device or str, optional): the device; fl.get_default_device() when None. Default: None.\n"
     "    requires_grad (bool): whether autograd records operations on the result. Default: False.\n"
     "    pin_memory (bool): accepted for torch compatibility (no effect). Default: False.\n\n"
     "Returns:\n    Tensor: a new leaf tensor that shares no memory with data.\n"},
    {"as_tensor", R"(Converts data to a tensor, sharing memory when it can (torch.as_tensor).

Args:
    data (array_like): a tensor, numpy array, nested sequence or scalar.
    dtype (dtype, optional): the dtype; data's when None. Default: None.
    device (device or str, optional): the device; data's (or the default) when None. Default: None.

Returns:
    Tensor: data itself when it is a tensor needing no conversion; a tensor sharing a numpy array's memory (as
    from_numpy) when no conversion is needed; otherwise a copy.)"},
    {"asarray", R"(Converts obj to a tensor, sharing memory unless a copy is asked for or needed (torch.asarray).

Args:
    obj (object): a tensor, numpy array, mlx.core.array, nested sequence or scalar.
    dtype (dtype, optional): the dtype; obj's when None. Default: None.
    device (device or str, optional): the device; obj's (or the default) when None. Default: None.
    copy (bool, optional): True always copies, False never does (an error if a copy is needed), None copies
        only when needed. Default: None.
    requires_grad (bool): whether autograd records operations on the result. Default: False.

Returns:
    Tensor: obj itself when it is a tensor needing no change, else a tensor sharing or copying its data.)"},
    {"from_numpy", R"(Creates a CPU tensor sharing memory with a numpy array (torch.from_numpy).

Args:
    ndarray (numpy.ndarray): the array (a dtype Flashlight has: bool, (u)int8, int16/32/64, float16/32/64).

Returns:
    Tensor: a tensor of the array's shape and dtype.

Note:
    A C-contiguous, aligned array allocated by numpy (or a view of one) is not copied: the tensor's MLX buffer
    is the array's memory, and the array is kept alive while the tensor uses it, so writes to the numpy array
    show in the tensor. As MLX evaluates lazily, results computed from the tensor but not yet evaluated read the
    array as it is when they are evaluated. A write to the tensor (an in-place op) gives it a new buffer:
    unlike PyTorch, it does not reach the numpy array. Copied instead (so not shared): arrays that are not
    C-contiguous (transposed, strided slices) or not aligned, arrays over memory numpy did not allocate
    (np.frombuffer, np.memmap), and with MLX backends that cannot wrap foreign memory (CUDA).)"},
    {"from_mlx", R"(Wraps an mlx.core.array as a tensor, without a copy (the inverse of Tensor.mlx()).

Args:
    array (mlx.core.array): the array.
    requires_grad (bool): make the result a leaf that requires grad. Default: False.

Returns:
    Tensor: a tensor whose value is the array.)"},
    {"zeros", "Returns a tensor filled with 0.\n\nArgs:\n" FL_SIZE FL_CREATE_KW FL_MEMORY_FORMAT
              "\nReturns:\n    Tensor: a new tensor.\n" FL_LAZY},
    {"ones", "Returns a tensor filled with 1.\n\nArgs:\n" FL_SIZE FL_CREATE_KW FL_MEMORY_FORMAT
             "\nReturns:\n    Tensor: a new tensor.\n" FL_LAZY},
    {"empty",
     "Returns a tensor of the given shape; its values are zero (MLX has no uninitialised memory).\n\nArgs:\n" FL_SIZE
         FL_CREATE_KW FL_MEMORY_FORMAT "\nReturns:\n    Tensor: a new tensor.\n"},
    {"full",
     "Returns a tensor filled with fill_value.\n\nArgs:\n    size (tuple of ints): the shape.\n"
     "    fill_value (Number): the value; its type gives the dtype when dtype is None (bool, int64 or the "
     "default float dtype).\n" FL_CREATE_KW "\nReturns:\n    Tensor: a new tensor.\n"},
    {"scalar_tensor", "Returns a 0-d tensor holding one number.\n\nArgs:\n    s (Number): the value.\n" FL_CREATE_KW
                      "\nReturns:\n    Tensor: a 0-d tensor (of the default float dtype unless dtype is given).\n"},
    {"arange",
     "Returns the values start, start + step, ... below end, as a 1-D tensor: arange(end), arange(start, "
     "end) or arange(start, end, step).\n\nArgs:\n    *args (Number): end; start, end; or start, end, step.\n"
     "    start (Number, optional): the first value. Default: 0.\n"
     "    end (Number, optional): the bound, excluded.\n"
     "    step (Number, optional): the spacing, nonzero. Default: 1.\n" FL_CREATE_KW
     "\nReturns:\n    Tensor: a 1-D tensor of ceil((end - start) / step) values; int64 when all of "
     "start, end and step are ints and dtype is None.\n"},
    {"linspace",
     "Returns steps values evenly spaced from start to end, both included.\n\nArgs:\n"
     "    start (Number): the first value.\n    end (Number): the last value.\n"
     "    steps (int): the number of values, >= 0.\n" FL_CREATE_KW "\nReturns:\n    Tensor: a 1-D tensor.\n"},
    {"logspace",
     "Returns steps values base**x for x evenly spaced from start to end.\n\nArgs:\n"
     "    start (Number): the first exponent.\n    end (Number): the last exponent.\n"
     "    steps (int): the number of values, >= 0.\n    base (float): the base. Default: 10.0.\n" FL_CREATE_KW
     "\nReturns:\n    Tensor: a 1-D tensor.\n"},
    {"eye",
     "Returns a 2-D tensor with ones on the main diagonal and zeros elsewhere.\n\nArgs:\n"
     "    n (int): the number of rows.\n    m (int, optional): the number of columns; n when None. Default: "
     "None.\n" FL_CREATE_KW "\nReturns:\n    Tensor: an (n, m) tensor.\n"},
    {"zeros_like", "Returns a tensor of input's shape filled with 0.\n\nArgs:\n" FL_DOC_INPUT FL_LIKE_KW
                   "\nReturns:\n    Tensor: a new tensor (not connected to input's graph).\n"},
    {"ones_like", "Returns a tensor of input's shape filled with 1.\n\nArgs:\n" FL_DOC_INPUT FL_LIKE_KW
                  "\nReturns:\n    Tensor: a new tensor (not connected to input's graph).\n"},
    {"empty_like",
     "Returns a tensor of input's shape; its values are zero (MLX has no uninitialised memory).\n\n"
     "Args:\n" FL_DOC_INPUT FL_LIKE_KW "\nReturns:\n    Tensor: a new tensor.\n"},
    {"full_like", "Returns a tensor of input's shape filled with fill_value.\n\nArgs:\n" FL_DOC_INPUT
                  "    fill_value (Number): the value.\n" FL_LIKE_KW "\nReturns:\n    Tensor: a new tensor.\n"},
    {"get_default_device", R"(Returns the device creation functions use when none is given.

Returns:
    device: MLX's GPU where MLX has one (Metal on Apple Silicon), else the CPU, unless set_default_device
    chose another.)"},
    {"set_default_device", R"(Sets the device creation functions use when none is given (torch.set_default_device).

Args:
    device (device or str, optional): the device; None restores the default (MLX's GPU if it has one, else
        the CPU).

Returns:
    None.)"},
};

// Tensor.new_*: creation with self's dtype and device as defaults.
inline constexpr Doc kCreationMethods[] = {
    {"new_zeros",
     "Returns a tensor filled with 0, with self's dtype and device unless given.\n\nArgs:\n"
     "    *size (int...): the shape, as ints or one tuple.\n" FL_NEW_KW "\nReturns:\n    Tensor: a new tensor.\n"},
    {"new_ones",
     "Returns a tensor filled with 1, with self's dtype and device unless given.\n\nArgs:\n"
     "    *size (int...): the shape, as ints or one tuple.\n" FL_NEW_KW "\nReturns:\n    Tensor: a new tensor.\n"},
    {"new_empty",
     "Returns a (zero-filled) tensor with self's dtype and device unless given.\n\nArgs:\n"
     "    *size (int...): the shape, as ints or one tuple.\n" FL_NEW_KW "\nReturns:\n    Tensor: a new tensor.\n"},
    {"new_full",
     "Returns a tensor filled with fill_value, with self's dtype and device unless given.\n\nArgs:\n"
     "    size (tuple of ints): the shape.\n    fill_value (Number): the value.\n" FL_NEW_KW
     "\nReturns:\n    Tensor: a new tensor.\n"},
    {"new_tensor",
     "Returns a copy of data as a tensor, with self's dtype and device unless given.\n\nArgs:\n"
     "    data (array_like): the values.\n" FL_NEW_KW "\nReturns:\n    Tensor: a new leaf tensor.\n"},
};

#undef FL_CREATE_KW
#undef FL_MEMORY_FORMAT
#undef FL_LIKE_MEMORY_FORMAT
#undef FL_SIZE
#undef FL_LIKE_KW
#undef FL_NEW_KW
#undef FL_LAZY

}  // namespace flpy::docs
