"""fl.autograd: backward, grad, Function and grad-mode context managers, as torch.autograd.

The work is done by the C++ engine (fl::autograd); these functions only normalize their arguments."""
from flashlight import _C
from flashlight._C import Tensor
from flashlight.autograd import grad_mode
from flashlight.autograd.function import Function, FunctionCtx, once_differentiable
from flashlight.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                                           no_grad, set_grad_enabled)

__all__ = ["Function", "FunctionCtx", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "once_differentiable"]


def _as_tuple(x, what):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return (x,)
    if isinstance(x, (tuple, list)):
        return tuple(x)
    try:
        return tuple(x)
    except TypeError:
        raise TypeError(f"{what} must be a Tensor or a sequence of Tensors, not {type(x).__name__}") from None


def _grads_for(outputs, grads, what):
    grads = _as_tuple(grads, what)
    if grads is None:
        return [None] * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"{what} should be a sequence of length {len(outputs)}, got {len(grads)}")
    return list(grads)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    """Accumulates the gradients of `tensors` into the `.grad` of the leaves (of `inputs` only, if given)."""
    if grad_variables is not None:
        grad_tensors = grad_variables if grad_tensors is None else grad_tensors
    tensors = _as_tuple(tensors, "tensors")
    grads = _grads_for(tensors, grad_tensors, "grad_tensors")
    if inputs is not None:
        inputs = list(_as_tuple(inputs, "inputs"))
    _C._autograd_backward(list(tensors), grads, retain_graph, create_graph, inputs)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs` (a tuple), without touching `.grad`."""
    if is_grads_batched:
        raise NotImplementedError("is_grads_batched=True is not supported by flashlight")
    if allow_unused is False and materialize_grads:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, but got: "
                         "allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _as_tuple(outputs, "outputs")
    inputs_t = _as_tuple(inputs, "inputs")
    grads = _grads_for(outputs, grad_outputs, "grad_outputs")
    result = _C._autograd_grad(list(outputs), list(inputs_t), grads, retain_graph, create_graph, allow_unused)
    if materialize_grads:
        result = [_C.zeros_like(i) if g is None else g for g, i in zip(result, inputs_t)]
    return tuple(result)
