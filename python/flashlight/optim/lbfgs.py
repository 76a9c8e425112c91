"""torch.optim.LBFGS over flashlight's C++ implementation."""
from flashlight._C import _optim

from .optimizer import Optimizer, _resolve_lr


class LBFGS(Optimizer):
    """L-BFGS with an optional strong-Wolfe line search (torch.optim.LBFGS). One parameter group only; step()
    needs a closure that re-evaluates the loss (calling backward) and returns it."""

    _impl_class = _optim.LBFGS

    def __init__(self, params=None, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None, *, learning_rate=None):
        params, lr = _resolve_lr(params, lr, learning_rate)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, dict(lr=lr, max_iter=max_iter, max_eval=max_eval, tolerance_grad=tolerance_grad,
                                      tolerance_change=tolerance_change, history_size=history_size,
                                      line_search_fn=line_search_fn))

    def step(self, closure):
        """Runs up to max_iter iterations; returns the closure's first loss."""
        first = []

        def call():
            loss = closure()
            if not first:
                first.append(loss)
            return loss

        self._check_initialized("step")
        self._sync()
        self._impl._step_closure(call)
        return first[0] if first else None
