"""Autograd parity beyond first gradients: second derivatives (create_graph=True) for a selection of table rows,
grad-mode effects on op results, and detach/requires_grad propagation. (The grad-mode API itself is tested in
tests/python/test_autograd.py.)"""
import numpy as np
import pytest
import torch

import flashlight as fl
from parity_harness import TORCH, _build_args, _call, _flat_tensors, assert_same, make_pair, row_seed
from tables import ALL_ROWS

SECOND_ORDER = ["exp", "log", "sin", "cos", "tan", "tanh", "sigmoid", "sqrt", "rsqrt", "reciprocal", "erf", "log2",
                "atan", "asinh", "gelu", "softplus", "elu", "silu", "mish", "logsigmoid", "pow", "mul", "div", "atan2",
                "hypot", "xlogy", "sum", "mean", "var", "std", "prod", "softmax", "log_softmax", "logsumexp", "norm",
                "cumsum", "cumprod", "logcumsumexp", "matmul", "bmm", "einsum", "addmm", "lerp", "addcdiv", "addcmul",
                "where", "clamp", "maximum", "amax", "gather", "index_select", "cat", "stack", "expand", "permute",
                "diagonal", "tril", "pad", "kron", "trace", "cross", "sort", "topk", "max", "masked_fill"]


def second_order_rows():
    seen = set()
    for r in ALL_ROWS:
        if r.name in SECOND_ORDER and r.grad and r.xfail is None and not r.raises and r.name not in seen:
            seen.add(r.name)
            yield pytest.param(r, id=r.id)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("row", list(second_order_rows()))
def test_second_derivatives(row):
    """g = d<out, v>/dx with create_graph=True, then backward of <g, w>: every leaf's .grad matches torch's."""
    for ci, case in enumerate(row.cases[:2]):
        rng = np.random.default_rng(row_seed("gradgrad", row.id, ci))
        fa, ta, leaves = _build_args(rng, case, "float64", True)
        if not leaves:
            continue
        t_out, f_out = _call(row, TORCH, ta, row.kwargs, "float64"), _call(row, fl, fa, row.kwargs, "float64")
        t_outs = [o for o in _flat_tensors(t_out, torch.Tensor) if o.requires_grad]
        f_outs = [o for o in _flat_tensors(f_out, fl.Tensor) if o.requires_grad]
        if not t_outs or not t_outs[0].numel():
            continue
        fv, _, tv, _ = make_pair(rng.standard_normal(tuple(t_outs[0].shape)), "float64")
        t_in, f_in = [t for _, t in leaves], [f for f, _ in leaves]
        tg = torch.autograd.grad(t_outs[0], t_in, tv, create_graph=True, allow_unused=True)
        fg = fl.autograd.grad(f_outs[0], f_in, fv, create_graph=True, allow_unused=True)
        loss_t, loss_f = 0, 0
        for k, (a, b) in enumerate(zip(fg, tg)):
            assert (a is None) == (b is None), f"{row.id}: first grad {k} None-ness differs"
            if b is None:
                continue
            assert_same(a, b, 1e-10, f"{row.id} case {ci} first grad {k}", check_grad_flag=False)
            if b.requires_grad:
                w = rng.standard_normal(tuple(b.shape))
                loss_t = loss_t + (b * torch.from_numpy(w)).sum()
                loss_f = loss_f + (a * fl.tensor(w)).sum()
        if not isinstance(loss_t, torch.Tensor):
            continue
        loss_t.backward()
        loss_f.backward()
        for k, (f, t) in enumerate(zip(f_in, t_in)):
            if t.grad is None:
                assert f.grad is None or not np.any(f.grad.numpy()), f"{row.id}: second grad {k} should be None/0"
                continue
            assert f.grad is not None, f"{row.id}: second grad {k} is None"
            assert_same(f.grad, t.grad, 1e-9, f"{row.id} case {ci} second grad {k}", check_grad_flag=False)


@pytest.mark.parametrize("mode", ["no_grad", "inference_mode", "set_grad_enabled_false"])
def test_grad_modes_strip_history(mode):
    def ctx(m):
        return {"no_grad": m.no_grad, "inference_mode": m.inference_mode,
                "set_grad_enabled_false": lambda: m.set_grad_enabled(False)}[mode]()

    nested = {}
    for lib in (torch, fl):
        x = lib.ones(2, 3, requires_grad=True)
        with ctx(lib):
            assert not lib.is_grad_enabled()
            outs = [x * 2, x.sum(), x.exp(), x @ x.mT, lib.cat([x, x]), x.argmax()]
            views = [x[0], x.view(6), x.mT]
        assert lib.is_grad_enabled()
        assert all(not o.requires_grad and o.grad_fn is None for o in outs), (lib.__name__, mode)
        assert all(v.grad_fn is None for v in views), (lib.__name__, mode)
        with ctx(lib):
            with lib.enable_grad():  # re-enables recording under no_grad; inference_mode still records nothing
                nested[lib.__name__] = (x * 2).requires_grad
    assert nested["flashlight"] == nested["torch"], nested


def test_enable_grad_inside_inference_mode():
    """Inside inference_mode, enable_grad() turns grad mode on but ops still record nothing; tensors made there are
    inference tensors, which a recorded op cannot save for backward; in-place writes to them outside inference mode
    raise."""
    seen = {}
    for lib in (torch, fl):
        x = lib.ones(2, requires_grad=True)
        with lib.inference_mode():
            inner = lib.is_inference_mode_enabled()
            with lib.enable_grad():
                y = x * 2
                flags = (lib.is_grad_enabled(), y.requires_grad, y.grad_fn is None, y.is_inference())
            t = lib.full((2,), 3.0)
        normal = x.detach() * 1
        errors = []
        for f in (lambda: x * t, lambda: t.add_(1)):
            try:
                f()
                errors.append(None)
            except RuntimeError as e:
                errors.append(str(e)[:40])
        s = (x + t).sum()  # add saves neither input: allowed in both
        s.backward()
        seen[lib.__name__] = (inner, lib.is_inference_mode_enabled(), flags, t.is_inference(), x.is_inference(),
                              normal.is_inference(), errors, x.grad.tolist())
    assert seen["flashlight"] == seen["torch"], seen
    assert seen["torch"][6][0].startswith("Inference tensors cannot be saved")


def test_views_made_under_no_grad_require_grad():
    """torch: a view made under no_grad of a tensor that requires grad requires grad, with no grad_fn; ops on it
    record (requires_grad) but no gradient reaches the base; in-place writes to it under grad mode raise."""
    seen = {}
    for lib in (torch, fl):
        x = lib.ones(2, 3, requires_grad=True)
        b = x * 1
        with lib.no_grad():
            views = [x[0], x.view(6), x.mT, b[1]]
        flags = ([v.requires_grad for v in views], [v.grad_fn is None for v in views], [v.is_leaf for v in views])
        y = views[3] * 2
        y.sum().backward()
        try:
            views[3].mul_(2)
            err = None
        except RuntimeError as e:
            err = str(e)[:60]
        with lib.no_grad():
            views[3].mul_(2)  # allowed under no_grad
        seen[lib.__name__] = (flags, y.requires_grad, x.grad, err, b.tolist())
    assert seen["flashlight"] == seen["torch"], seen


def test_requires_grad_propagation_and_detach():
    for m in (torch, fl):
        a = m.ones(3, requires_grad=True)
        b = m.ones(3)
        assert (a + b).requires_grad and not (b + b).requires_grad
        assert not a.detach().requires_grad and a.detach().is_leaf
        assert (a > 0).requires_grad is False
        assert a.argmax().requires_grad is False
        assert not m.zeros_like(a).requires_grad
        assert (a * 2).is_leaf is False and a.is_leaf
        c = a.detach()
        c.add_(1)  # shares storage: visible through a
        assert a.tolist() == [2.0, 2.0, 2.0]
    ft, tt = fl.ones(2, requires_grad=True) * 3, torch.ones(2, requires_grad=True) * 3
    assert ft.grad_fn.name() == tt.grad_fn.name()
    assert [type(n).__name__ == "NoneType" for n, _ in ft.grad_fn.next_functions] == \
        [n is None for n, _ in tt.grad_fn.next_functions]
