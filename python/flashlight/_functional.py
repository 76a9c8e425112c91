"""MLX-style functional autodiff: `fl.value_and_grad(fn)`, `fl.grad(fn)`, and `fl.value_and_grad(model, loss_fn)`
whose gradients come back as a tree shaped like `model.trainable_parameters()` (see flashlight.utils.tree)."""
from __future__ import annotations

from typing import Callable, Sequence

import flashlight as fl
from flashlight.utils.tree import tree_unflatten

__all__ = ["value_and_grad", "grad"]


def _grads(value, inputs):
    if not isinstance(value, fl.Tensor) or value.numel() != 1:
        raise ValueError("value_and_grad: the function must return a scalar tensor (or a tuple whose first element "
                         "is one)")
    gs = fl.autograd.grad(value, inputs, allow_unused=True)
    return [g if g is not None else fl.zeros_like(x) for g, x in zip(gs, inputs)]


def _model_value_and_grad(model, loss_fn: Callable) -> Callable:
    def wrapped(*args, **kwargs):
        with fl.enable_grad():
            out = loss_fn(*args, **kwargs)
        # Collected after the call: a lazy module (an ncps cell that learns its input size) creates its parameters
        # in its first forward pass, and they need gradients at that first step too.
        named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
        value = out[0] if isinstance(out, (tuple, list)) else out
        grads = _grads(value, [p for _, p in named])
        return out, tree_unflatten((n, g.detach()) for (n, _), g in zip(named, grads))

    return wrapped


def value_and_grad(fn, loss_fn: Callable | None = None, argnums: int | Sequence[int] = 0) -> Callable:
    """value_and_grad(fn, argnums=0): a function returning (fn(*args), d fn / d args[argnums]).
    value_and_grad(model, loss_fn): a function returning (loss_fn(*args), grads as a parameter tree)."""
    from flashlight.nn import Module

    if isinstance(fn, Module):
        if loss_fn is None:
            raise TypeError("value_and_grad(model, loss_fn): loss_fn is required")
        return _model_value_and_grad(fn, loss_fn)
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)

    def wrapped(*args, **kwargs):
        args = list(args)
        for i in nums:
            if not isinstance(args[i], fl.Tensor):
                raise TypeError(f"value_and_grad: argument {i} must be a Tensor, got {type(args[i]).__name__}")
            args[i] = args[i].detach().requires_grad_(True)
        with fl.enable_grad():
            out = fn(*args, **kwargs)
        value = out[0] if isinstance(out, (tuple, list)) else out
        grads = [g.detach() for g in _grads(value, [args[i] for i in nums])]
        return out, grads[0] if single else tuple(grads)

    return wrapped


def grad(fn: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """A function returning d fn / d args[argnums] (fn returns a scalar tensor)."""
    vg = value_and_grad(fn, argnums=argnums)
    return lambda *args, **kwargs: vg(*args, **kwargs)[1]
