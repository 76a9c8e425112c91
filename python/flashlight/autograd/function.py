"""fl.autograd.Function: differentiable ops with a hand-written backward, on the C++ autograd::custom_function.

`forward` runs under no_grad; the C++ engine calls `backward` (holding the GIL) with one gradient per output, and
with create_graph=True the ops in backward are recorded, so it can be differentiated again."""
import functools

from flashlight import _C
from flashlight._C import Tensor

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class FunctionCtx:
    """The `ctx` passed to forward, setup_context and backward."""

    def save_for_backward(self, *tensors):
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{tensors.index(t)} is of type {type(t).__name__}")
        self._saved = tensors

    @property
    def saved_tensors(self):
        return getattr(self, "_saved", ())

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = tensors

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def set_materialize_grads(self, value):
        # Gradients of unused outputs always arrive as zeros here (materialized), whatever the setting.
        self.materialize_grads = bool(value)


class _FunctionMeta(type):
    pass


class Function(metaclass=_FunctionMeta):
    """Subclass with static `forward(ctx, *args)` (or `forward(*args)` plus `setup_context(ctx, inputs, output)`)
    and `backward(ctx, *grad_outputs)`, and call `MyFn.apply(*args)`. backward returns one gradient per forward
    argument (None for non-tensor arguments or ones that need none)."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError("Function objects are not meant to be instantiated: use the static method "
                           f"{type(self).__name__}.apply(...)")

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        ctx.materialize_grads = True
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        uses_setup = cls.setup_context is not Function.setup_context
        nargs = len(args)
        state = {}

        def forward():
            if uses_setup:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
            single = not isinstance(out, tuple)
            items = (out,) if single else out
            tensor_idx = [i for i, o in enumerate(items) if isinstance(o, Tensor)]
            nondiff = getattr(ctx, "_non_differentiable", ())
            state.update(single=single, items=items, tensor_idx=tensor_idx,
                         nondiff=[k for k, i in enumerate(tensor_idx) if any(items[i] is t for t in nondiff)])
            return [items[i] for i in tensor_idx]

        def backward(grads):
            res = cls.backward(ctx, *grads)
            if not isinstance(res, tuple):
                res = (res,)
            if len(res) != nargs:
                if len(res) > nargs and all(r is None for r in res[nargs:]):
                    res = res[:nargs]
                else:
                    raise RuntimeError(f"function {cls.__name__}Backward returned an incorrect number of gradients "
                                       f"(expected {nargs}, got {len(res)})")
            for i, r in enumerate(res):
                if r is not None and i not in positions:
                    raise RuntimeError(f"function {cls.__name__}Backward returned a gradient different than None at "
                                       f"position {i + 1}, but the corresponding forward input was not a Variable")
            return [res[i] for i in positions]

        outs = _C._function_apply(f"{cls.__name__}Backward", [args[i] for i in positions], forward, backward)
        for k in state["nondiff"]:
            outs[k] = outs[k].detach()
        items = list(state["items"])
        for k, i in enumerate(state["tensor_idx"]):
            items[i] = outs[k]
        return items[0] if state["single"] else tuple(items)


def once_differentiable(fn):
    """Runs a backward without recording it (its result can't be differentiated again)."""

    from flashlight.autograd.grad_mode import no_grad

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            return fn(ctx, *args)

    return wrapper


BackwardCFunction = FunctionCtx
