"""torch.optim.SGD over flashlight's fused C++ update."""
from flashlight._C import _optim

from .optimizer import Optimizer, _resolve_lr


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay (torch.optim.SGD)."""

    _impl_class = _optim.SGD

    def __init__(self, params=None, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None, learning_rate=None):
        params, lr = _resolve_lr(params, lr, learning_rate)
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                                      nesterov=nesterov, maximize=maximize, foreach=foreach,
                                      differentiable=differentiable, fused=fused))
