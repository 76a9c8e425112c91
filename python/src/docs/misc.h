// Docstrings of flashlight's own functions bound outside the op families: dtypes (dtype.cpp), devices, grad mode
// (autograd.cpp), and the fl.Tensor and fl.Generator classes themselves.
#pragma once
#include "docs/doc_table.h"

namespace flpy::docs {

inline constexpr Doc kMisc[] = {
    {"Tensor", R"(A multi-dimensional array with PyTorch's semantics over an immutable, lazy MLX array.

Tensors are mutable (in-place ops, writes through views, x[idx] = v), promote dtypes as torch does and record
operations for autograd when requires_grad is set. fl.Tensor(data) copies data with the default dtype;
fl.Tensor(2, 3) gives a zero tensor of that shape. Values are computed lazily by MLX, when first read.)"},
    {"Generator", R"(A pseudo-random number generator state (torch.Generator), passed as generator= to random ops.

Its stream comes from MLX's counter-based PRNG: the same seed repeats the same draws, but they differ from
torch's for that seed.)"},
    {"get_default_dtype", R"(Returns the default floating dtype (float32 unless set_default_dtype changed it).

Returns:
    dtype: the dtype that Python floats and float-producing creation functions use.)"},
    {"set_default_dtype", R"(Sets the default floating dtype (torch.set_default_dtype).

Args:
    d (dtype): a floating dtype: float32, float64, float16 or bfloat16.

Returns:
    None.

Note:
    float64 runs on MLX's CPU only (MLX's GPUs have no float64).)"},
    {"promote_types", R"(Returns the dtype that PyTorch's promotion gives for two dtypes.

Args:
    type1 (dtype): the first dtype.
    type2 (dtype): the second dtype.

Returns:
    dtype: the smallest dtype both convert to without losing their kind (bool < integer < floating).)"},
    {"can_cast", R"(Tells whether PyTorch's casting rules allow from_ to convert to to implicitly (as in in-place ops).

Args:
    from_ (dtype): the source dtype.
    to (dtype): the target dtype.

Returns:
    bool: False for a cast to a lower kind (floating to integer, integer to bool), True otherwise.)"},
    {"gpu_available",
     R"(Tells whether MLX has a GPU backend here (Metal on Apple Silicon; none in the Linux mlx[cpu] wheel).

Returns:
    bool: True when tensors can live on MLX's GPU.)"},
    {"default_device", R"(Returns the device tensors are created on when none is given (as get_default_device).

Returns:
    device: MLX's GPU where there is one, else the CPU, unless set_default_device chose another.)"},
    {"_is_inference_mode_enabled",
     "Tells whether inference mode is on in this thread (inside flashlight.inference_mode()).\n\nReturns:\n"
     "    bool: True inside inference_mode(); ops then record nothing, even under enable_grad().\n"},
    {"is_grad_enabled", R"(Tells whether autograd records operations in this thread (False inside no_grad).

Returns:
    bool: the current grad mode.)"},
};

}  // namespace flpy::docs
