"""torch.optim.Adam over flashlight's fused C++ update."""
from flashlight._C import _optim

from .optimizer import Optimizer, _resolve_lr


def _adam_defaults(lr, betas, eps, weight_decay, amsgrad, maximize, foreach, capturable, differentiable, fused,
                   decoupled_weight_decay):
    return dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused,
                decoupled_weight_decay=decoupled_weight_decay)


class Adam(Optimizer):
    """Adam, with amsgrad, maximize and (optionally decoupled) weight decay (torch.optim.Adam)."""

    _impl_class = _optim.Adam

    def __init__(self, params=None, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False, learning_rate=None):
        params, lr = _resolve_lr(params, lr, learning_rate)
        super().__init__(params, _adam_defaults(lr, betas, eps, weight_decay, amsgrad, maximize, foreach, capturable,
                                                differentiable, fused, decoupled_weight_decay))
