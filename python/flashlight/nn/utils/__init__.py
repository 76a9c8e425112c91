"""flashlight.nn.utils: torch.nn.utils' gradient clipping and parameter/vector conversion.

The maths is C++ (fl::nn::utils, bound in flashlight._C._nn_utils); these wrappers take what torch takes (one
tensor, a list or a generator; numbers or strings such as "inf" for norm_type) and warn as torch does.
"""
import types
import warnings

from flashlight._C import Tensor
from flashlight._C import _nn_utils as _C


def _tensor_list(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _typename(obj):
    cls = type(obj)
    return cls.__qualname__ if cls.__module__ in ("", "builtins") else f"{cls.__module__}.{cls.__qualname__}"


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    return _C.get_total_norm(_tensor_list(tensors), float(norm_type), error_if_nonfinite, foreach)


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    _C.clip_grads_with_norm_(_tensor_list(parameters), float(max_norm), total_norm, foreach)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    is_generator = isinstance(parameters, types.GeneratorType)
    parameters = _tensor_list(parameters)
    if is_generator and len(parameters) == 0:
        warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
    return _C.clip_grad_norm_(parameters, float(max_norm), float(norm_type), error_if_nonfinite, foreach)


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    _C.clip_grad_value_(_tensor_list(parameters), float(clip_value), foreach)


def parameters_to_vector(parameters):
    return _C.parameters_to_vector(list(parameters))


def vector_to_parameters(vec, parameters):
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    _C.vector_to_parameters(vec, list(parameters))


# The Python wrappers show the C++ function's docstring (python/src/docs/nn_utils.h) in help().
for _f in (get_total_norm, clip_grads_with_norm_, clip_grad_norm_, clip_grad_value_, parameters_to_vector,
           vector_to_parameters):
    _f.__doc__ = getattr(_C, _f.__name__).__nb_signature__[0][1]
del _f
clip_grad_norm.__doc__ = f"Deprecated alias of clip_grad_norm_ (warns a FutureWarning).\n\n{clip_grad_norm_.__doc__}"

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm",
           "parameters_to_vector", "vector_to_parameters"]
