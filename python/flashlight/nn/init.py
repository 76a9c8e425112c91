"""flashlight.nn.init: torch.nn.init's initialisers with torch's names, keywords, errors and warnings.

Each is C++ (fl::nn::init, bound in flashlight._C._nn_init): it fills the tensor in place under no grad and returns
it. `generator=` takes an fl.Generator.
"""
import warnings

from flashlight._C import _nn_init as _C

calculate_gain = _C.calculate_gain
uniform_ = _C.uniform_
normal_ = _C.normal_
constant_ = _C.constant_
ones_ = _C.ones_
zeros_ = _C.zeros_
eye_ = _C.eye_
dirac_ = _C.dirac_
xavier_uniform_ = _C.xavier_uniform_
xavier_normal_ = _C.xavier_normal_
orthogonal_ = _C.orthogonal_
sparse_ = _C.sparse_
_calculate_fan_in_and_fan_out = _C._calculate_fan_in_and_fan_out
_calculate_correct_fan = _C._calculate_correct_fan


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    return _C.trunc_normal_(tensor, mean, std, a, b, generator=generator)


def _warn_if_empty(tensor):
    if 0 in tuple(tensor.shape):
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    if _warn_if_empty(tensor):
        return tensor
    return _C.kaiming_uniform_(tensor, a, mode, nonlinearity, generator=generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    if _warn_if_empty(tensor):
        return tensor
    return _C.kaiming_normal_(tensor, a, mode, nonlinearity, generator=generator)


# torch's private helpers, used by layers' reset_parameters (all of these run under no grad already).
_no_grad_uniform_ = uniform_
_no_grad_normal_ = normal_
_no_grad_trunc_normal_ = trunc_normal_
_no_grad_fill_ = constant_
_no_grad_zero_ = zeros_


def _make_deprecate(meth):
    new_name = meth.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.", FutureWarning,
                      stacklevel=2)
        return meth(*args, **kwargs)

    deprecated_init.__name__ = old_name
    deprecated_init.__doc__ = f"Deprecated alias of nn.init.{new_name} (warns a FutureWarning).\n\n{meth.__doc__}"
    return deprecated_init


# The Python wrappers show the C++ function's docstring (python/src/docs/nn_init.h) in help().
for _f in (trunc_normal_, kaiming_uniform_, kaiming_normal_):
    _f.__doc__ = getattr(_C, _f.__name__).__nb_signature__[0][1]
del _f

uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
eye = _make_deprecate(eye_)
dirac = _make_deprecate(dirac_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
orthogonal = _make_deprecate(orthogonal_)
sparse = _make_deprecate(sparse_)

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_",
           "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_",
           "sparse_", "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
           "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse"]
