"""torch.optim.Adadelta over flashlight's fused C++ update."""
from flashlight._C import _optim

from .optimizer import Optimizer, _resolve_lr


class Adadelta(Optimizer):
    """Adadelta (torch.optim.Adadelta)."""

    _impl_class = _optim.Adadelta

    def __init__(self, params=None, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False, learning_rate=None):
        params, lr = _resolve_lr(params, lr, learning_rate)
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                                      capturable=capturable, foreach=foreach, differentiable=differentiable))
