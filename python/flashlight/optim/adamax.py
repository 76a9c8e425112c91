"""torch.optim.Adamax over flashlight's fused C++ update."""
from flashlight._C import _optim

from .optimizer import Optimizer, _resolve_lr


class Adamax(Optimizer):
    """Adamax, Adam with the infinity norm (torch.optim.Adamax)."""

    _impl_class = _optim.Adamax

    def __init__(self, params=None, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False, learning_rate=None):
        params, lr = _resolve_lr(params, lr, learning_rate)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                                      maximize=maximize, differentiable=differentiable, capturable=capturable))
