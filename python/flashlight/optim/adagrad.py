"""torch.optim.Adagrad over flashlight's fused C++ update."""
from flashlight._C import _optim

from .optimizer import Optimizer, _resolve_lr


class Adagrad(Optimizer):
    """Adagrad with lr decay, weight decay and an initial accumulator value (torch.optim.Adagrad). As torch, the
    state of the parameters given here is created at construction."""

    _impl_class = _optim.Adagrad

    def __init__(self, params=None, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None, learning_rate=None):
        params, lr = _resolve_lr(params, lr, learning_rate)
        super().__init__(params, dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                                      initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, fused=fused))
