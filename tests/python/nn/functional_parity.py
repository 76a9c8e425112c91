"""Parity checks of flashlight.nn.functional against torch.nn.functional (the oracle): values and gradients.

`check(name, args, kwargs, dtype)` builds bitwise-equal inputs for both libraries from numpy arrays, calls the op
in both, compares every output tensor and, after backward of a random cotangent, the gradient of every input
wrapped in `G` (differentiable). Plain numpy arrays become tensors without grad; other values pass unchanged.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

import flashlight as fl
import flashlight.nn.functional as FF

TOL = {"float32": 2e-5, "float64": 1e-10}


class G:
    """An input that requires grad."""

    def __init__(self, array):
        self.array = np.asarray(array)


def _convert(a, dtype):
    """(flashlight value, torch value) for one argument."""
    if isinstance(a, (G, np.ndarray)):
        arr = a.array if isinstance(a, G) else a
        if arr.dtype.kind == "f":
            arr = arr.astype(dtype)
        f, t = fl.tensor(arr), torch.from_numpy(arr.copy())
        if isinstance(a, G):
            f.requires_grad_(True)
            t.requires_grad_(True)
        return f, t
    if isinstance(a, (list, tuple)) and a and isinstance(a[0], (G, np.ndarray)):
        pairs = [_convert(x, dtype) for x in a]
        return type(a)(p[0] for p in pairs), type(a)(p[1] for p in pairs)
    return a, a


def numpy_of(x):
    return np.asarray(x.detach().numpy(), dtype=np.float64)


def assert_close(got, want, dtype, what="value"):
    tol = TOL[dtype]
    got, want = numpy_of(got), numpy_of(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    scale = max(1.0, float(np.nanmax(np.abs(want)))) if want.size and np.isfinite(want).any() else 1.0
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale, err_msg=what)


def _tensors(out):
    if isinstance(out, (tuple, list)):
        return [o for o in out if o is not None]
    return [out]


def check(name, args, kwargs=None, dtype="float64", torch_fn=None, fl_fn=None, seed=0):
    """Compares getattr(F, name) with getattr(FF, name) on args; returns the (flashlight, torch) outputs."""
    kwargs = kwargs or {}
    pairs = [_convert(a, dtype) for a in args]
    kpairs = {k: _convert(v, dtype) for k, v in kwargs.items()}
    fl_fn = fl_fn or getattr(FF, name)
    torch_fn = torch_fn or getattr(F, name)
    got = fl_fn(*[p[0] for p in pairs], **{k: v[0] for k, v in kpairs.items()})
    want = torch_fn(*[p[1] for p in pairs], **{k: v[1] for k, v in kpairs.items()})
    gots, wants = _tensors(got), _tensors(want)
    assert len(gots) == len(wants)
    for g, w in zip(gots, wants):
        assert repr(g.dtype).split(".")[-1] == repr(w.dtype).split(".")[-1], f"{name}: dtype {g.dtype} != {w.dtype}"
        assert_close(g, w, dtype, f"{name} value")
    leaves = []
    for f, t in list(pairs) + list(kpairs.values()):
        if isinstance(t, (list, tuple)):
            leaves += [(fi, ti) for fi, ti in zip(f, t) if isinstance(ti, torch.Tensor) and ti.requires_grad]
        elif isinstance(t, torch.Tensor) and t.requires_grad:
            leaves.append((f, t))
    if leaves:
        rng = np.random.default_rng(seed)
        fl_outs, t_outs, fl_cots, t_cots = [], [], [], []
        for g, w in zip(gots, wants):
            if not w.requires_grad:
                continue
            cot = rng.standard_normal(tuple(w.shape)).astype(dtype)
            fl_outs.append(g)
            t_outs.append(w)
            fl_cots.append(fl.tensor(cot))
            t_cots.append(torch.from_numpy(cot))
        t_grads = torch.autograd.grad(t_outs, [t for _, t in leaves], t_cots, allow_unused=True)
        fl_grads = fl.autograd.grad(fl_outs, [f for f, _ in leaves], fl_cots, allow_unused=True)
        for i, (fg, tg) in enumerate(zip(fl_grads, t_grads)):
            if tg is None:
                assert fg is None or not np.any(numpy_of(fg)), f"{name}: grad {i} should be zero"
                continue
            assert_close(fg, tg, dtype, f"{name} grad of input {i}")
    return got, want


def raises_like(fn_fl, fn_torch):
    """Both calls raise, with the same exception class; returns the two exceptions."""
    errs = []
    for fn in (fn_fl, fn_torch):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - the class is what is compared
            errs.append(e)
        else:
            errs.append(None)
    assert errs[1] is not None, "torch did not raise"
    assert errs[0] is not None, f"flashlight did not raise; torch raised {type(errs[1]).__name__}: {errs[1]}"
    assert type(errs[0]).__name__ == type(errs[1]).__name__, f"{type(errs[0]).__name__}: {errs[0]} vs " \
                                                            f"{type(errs[1]).__name__}: {errs[1]}"
    return errs


def check_double_backward(fn, x, tol=1e-9):
    """Gradient of |d fn(x) / dx|^2 (backward through a create_graph backward) in both libraries, float64."""
    results = []
    for lib, mod, conv in [(fl, FF, fl.tensor), (torch, F, lambda a: torch.from_numpy(a.copy()))]:
        X = conv(np.asarray(x, dtype="float64")).requires_grad_()
        (g,) = lib.autograd.grad(fn(lib, mod, X), [X], create_graph=True)
        (h,) = lib.autograd.grad((g * g).sum(), [X])
        results.append(numpy_of(h))
    np.testing.assert_allclose(results[0], results[1], rtol=tol, atol=tol)
