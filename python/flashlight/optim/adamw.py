"""torch.optim.AdamW over flashlight's fused C++ update."""
from flashlight._C import _optim

from .adam import Adam, _adam_defaults
from .optimizer import Optimizer, _resolve_lr


class AdamW(Adam):
    """Adam with decoupled weight decay (torch.optim.AdamW)."""

    _impl_class = _optim.AdamW

    def __init__(self, params=None, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None,
                 learning_rate=None):
        params, lr = _resolve_lr(params, lr, learning_rate)
        Optimizer.__init__(self, params, _adam_defaults(lr, betas, eps, weight_decay, amsgrad, maximize, foreach,
                                                        capturable, differentiable, fused, True))

    def _after_load(self):
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
