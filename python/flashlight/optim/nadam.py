"""torch.optim.NAdam over flashlight's fused C++ update."""
from flashlight._C import _optim

from .optimizer import Optimizer, _resolve_lr


class NAdam(Optimizer):
    """Adam with Nesterov momentum (torch.optim.NAdam)."""

    _impl_class = _optim.NAdam

    def __init__(self, params=None, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, learning_rate=None):
        params, lr = _resolve_lr(params, lr, learning_rate)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                                      momentum_decay=momentum_decay, decoupled_weight_decay=decoupled_weight_decay,
                                      maximize=maximize, foreach=foreach, capturable=capturable,
                                      differentiable=differentiable))
