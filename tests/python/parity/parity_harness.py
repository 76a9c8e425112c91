"""The parity harness: one table-driven runner that checks a flashlight op against torch (the oracle).

A `Row` names an op and lists argument tuples ("cases"). Each argument is either an `In` (a tensor spec: shape,
value domain, dtype, layout) or a plain Python value passed as is. For every case and every dtype of the row the
runner draws fresh values from a seeded numpy generator, builds bitwise-equal inputs for both libraries (same
layout: transposed and step-sliced inputs are real views of a leaf), calls the op in both, and compares:
  * the structure of the result (tensors, tuples / named tuples, lists, Python numbers),
  * each tensor's dtype, shape, requires_grad, and values (tight tolerances, nan/inf positions exact),
  * every leaf input's .grad after backward of each float output with a random cotangent,
  * the method form (`x.op(...)`) when both Tensor classes have it, against the same torch result.

The op is called as `getattr(lib, name)(*args, **kwargs)` where `lib` is `flashlight` or `TORCH` (torch with
torch.nn.functional as fallback, since flashlight puts the activations at the top level); a row may give
`fn(lib, *args, **kwargs)` instead. Coverage of flashlight's public names is recorded by `Row.name` and
`Row.covers` (see test_coverage.py).
"""
from __future__ import annotations

import dataclasses
import zlib
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F

import flashlight as fl

FLOATS = ("float32", "float64")
INTS = ("int64", "int32")
ALL_DTYPES = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64")
# Forward and gradient tolerances (relative; the absolute tolerance is the same number times max(1, max|ref|)).
TOL = {"float64": (1e-12, 1e-11), "float32": (1e-5, 1e-5), "float16": (2e-3, 2e-3), "bfloat16": (1e-2, 1e-2)}


class _TorchNS:
    """torch, falling back to torch.nn.functional (fl.gelu is torch.nn.functional.gelu)."""

    def __getattr__(self, name):
        if hasattr(torch, name):
            return getattr(torch, name)
        return getattr(F, name)


TORCH = _TorchNS()


def fl_dtype(name):
    return getattr(fl, name)


def torch_dtype(name):
    return getattr(torch, name)


def dtype_name(d) -> str:
    """'float32' for fl.float32 and torch.float32."""
    return repr(d).split(".")[-1]


def is_float(name: str) -> bool:
    return name in ("float16", "bfloat16", "float32", "float64")


# ---------------------------------------------------------------------------------------------------------------
# Input generation.

def _sep(rng, n):
    """n distinct values at least 0.5 apart (no ties for max/sort/median), centred on 0."""
    return (rng.permutation(n) - n / 2) * 0.75 + rng.uniform(0, 0.25, n)


def _domain_values(rng, dom, shape, dtype: str):
    """Values (float64 or int64 numpy) for a domain name, suited to the target dtype."""
    n = int(np.prod(shape)) if shape else 1
    if callable(dom):
        v = np.asarray(dom(rng, shape)).reshape(shape)
        if not is_float(dtype) and v.dtype.kind == "f":  # integer rows: non-finite values become integers
            v = np.round(np.where(np.isfinite(v), v, rng.integers(-9, 10, size=shape)))
            v = np.abs(v) if dtype == "uint8" else v
        return v
    if isinstance(dom, tuple) and dom[0] == "idx":  # integer indices in [lo, hi)
        lo, hi = (0, dom[1]) if len(dom) == 2 else (dom[1], dom[2])
        return rng.integers(lo, hi, size=shape)
    if dtype == "bool" or dom == "bool":
        return rng.random(shape) < 0.5
    if not is_float(dtype):
        lo = 0 if dtype == "uint8" else -9
        if dom in ("pos", "gt1", "prob"):
            return rng.integers(1, 10, size=shape)
        if dom == "nonzero":
            v = rng.integers(1, 10, size=shape)
            return v if dtype == "uint8" else v * rng.choice([-1, 1], size=shape)
        if dom == "sep":
            v = rng.permutation(n).reshape(shape)
            return v if dtype == "uint8" else v - n // 2
        if dom == "small":
            return rng.integers(0, 4, size=shape)
        return rng.integers(lo, 10, size=shape)
    if dom == "real":
        return rng.uniform(-2, 2, shape)
    if dom == "pos":
        return rng.uniform(0.5, 3, shape)
    if dom == "nonzero":
        return rng.uniform(0.5, 2, shape) * rng.choice([-1.0, 1.0], size=shape)
    if dom == "unit":
        return rng.uniform(-0.9, 0.9, shape)
    if dom == "prob":
        return rng.uniform(0.1, 0.9, shape)
    if dom == "gt1":
        return rng.uniform(1.2, 3, shape)
    if dom == "sep":
        return _sep(rng, n).reshape(shape)
    if dom == "wide":  # mixed magnitudes and signs
        return rng.uniform(-1, 1, shape) * 10.0 ** rng.integers(-3, 4, size=shape)
    if dom == "small":
        return rng.uniform(-0.5, 0.5, shape)
    if dom == "frac":  # away from integers and half-integers (floor/round/ceil ties)
        return rng.integers(-5, 5, size=shape) + rng.choice([0.1, 0.3, 0.7, 0.9], size=shape)
    raise ValueError(f"unknown domain {dom!r}")


@dataclasses.dataclass
class In:
    """A tensor argument. dtype None takes the row's dtype; layout is 'c' (contiguous), 'T' (a transposed view of
    the last two dims), 'step' (the last dim step-sliced ::2) or a function of the leaf giving the view (shape is
    then the leaf's); grad False keeps it out of autograd."""

    shape: tuple
    dom: Any = "real"
    dtype: str | None = None
    layout: str = "c"
    grad: bool = True


@dataclasses.dataclass(frozen=True)
class Dt:
    """A dtype argument: the row's dtype (name None) or a named one, as the called library's dtype object."""

    name: str | None = None


def _resolve(v, lib, dtype):
    if isinstance(v, Dt):
        return getattr(torch if lib is TORCH else fl, v.name or dtype)
    return v


def _apply_layout(t, layout):
    if callable(layout):
        return layout(t)
    if layout == "T":
        return t.transpose(-1, -2)
    if layout == "step":
        return t[..., ::2]
    return t


def _base_shape(shape, layout):
    shape = tuple(shape)
    if callable(layout):
        return shape
    if layout == "T":
        return shape[:-2] + (shape[-1], shape[-2])
    if layout == "step":
        return shape[:-1] + (2 * shape[-1],)
    return shape


def to_numpy(arr, dtype: str):
    """numpy array for a dtype name; bfloat16 goes through float32 (numpy has no bfloat16)."""
    np_name = {"bool": "bool_", "bfloat16": "float32"}.get(dtype, dtype)
    return np.asarray(arr).astype(getattr(np, np_name))


def make_pair(arr: np.ndarray, dtype: str, requires_grad=False, layout="c"):
    """(fl leaf, fl input, torch leaf, torch input) holding the same values."""
    a = to_numpy(arr, dtype)
    t = torch.from_numpy(a.copy())
    if a.size == 0:  # numpy's strides for empty arrays are not torch's
        t = torch.empty(a.shape, dtype=t.dtype)
    f = fl.tensor(a)
    if dtype == "bfloat16":
        t, f = t.to(torch.bfloat16), f.to(fl.bfloat16)
    if requires_grad:
        t.requires_grad_(True)
        f.requires_grad_(True)
    return f, _apply_layout(f, layout), t, _apply_layout(t, layout)


# ---------------------------------------------------------------------------------------------------------------
# Comparison.

def as_float64(x) -> np.ndarray:
    """A tensor of either library as float64 numpy (bool and ints converted)."""
    if isinstance(x, torch.Tensor):
        x = x.detach()
        if x.dtype == torch.bfloat16:
            x = x.float()
        return x.numpy().astype(np.float64)
    x = x.detach()
    if x.dtype == fl.bfloat16:
        x = x.to(fl.float32)
    return np.asarray(x.numpy()).astype(np.float64)


def assert_values(f: np.ndarray, t: np.ndarray, tol: float, where: str):
    assert f.shape == t.shape, f"{where}: shape {f.shape} != torch {t.shape}"
    if f.size == 0:
        return
    fn, tn = np.isnan(f), np.isnan(t)
    assert np.array_equal(fn, tn), f"{where}: nan positions differ\nfl={f}\ntorch={t}"
    finite = np.isfinite(t) & ~tn
    assert np.array_equal(f[~finite & ~tn], t[~finite & ~tn]), f"{where}: inf values differ\nfl={f}\ntorch={t}"
    if tol == 0:
        assert np.array_equal(f[finite], t[finite]), f"{where}: values differ\nfl={f}\ntorch={t}"
        return
    if not finite.any():
        return
    tf, ff = t[finite], f[finite]
    atol = tol * max(1.0, float(np.max(np.abs(tf))))
    err = np.abs(ff - tf) - (atol + tol * np.abs(tf))
    if (err > 0).any():
        i = int(np.argmax(err))
        raise AssertionError(f"{where}: values differ (tol {tol:g}); worst fl={ff.flat[i]!r} torch={tf.flat[i]!r}"
                             f" abs err {abs(ff.flat[i] - tf.flat[i]):.3g}\nfl={f}\ntorch={t}")


def assert_same(f, t, tol=None, where="result", check_grad_flag=True):
    """Recursive structural and numeric comparison of an fl result with a torch result."""
    if isinstance(t, torch.Tensor):
        assert isinstance(f, fl.Tensor), f"{where}: got {type(f).__name__}, torch gives a Tensor"
        dn = dtype_name(t.dtype)
        assert dtype_name(f.dtype) == dn, f"{where}: dtype {f.dtype} != torch {t.dtype}"
        assert tuple(f.shape) == tuple(t.shape), f"{where}: shape {tuple(f.shape)} != torch {tuple(t.shape)}"
        if check_grad_flag:
            assert f.requires_grad == t.requires_grad, f"{where}: requires_grad {f.requires_grad} != {t.requires_grad}"
        rtol = (tol if tol is not None else TOL[dn][0]) if is_float(dn) else 0
        if is_float(dn) and tol is not None and dn in ("float16", "bfloat16"):
            rtol = max(tol, TOL[dn][0])
        assert_values(as_float64(f), as_float64(t), rtol, where)
    elif isinstance(t, (tuple, list)):
        assert isinstance(f, (tuple, list)), f"{where}: got {type(f).__name__}, torch gives {type(t).__name__}"
        assert len(f) == len(t), f"{where}: {len(f)} results, torch gives {len(t)}"
        if hasattr(t, "_fields"):
            assert getattr(f, "_fields", None) == t._fields, f"{where}: fields {getattr(f, '_fields', None)}"
        for i, (a, b) in enumerate(zip(f, t)):
            assert_same(a, b, tol, f"{where}[{i}]", check_grad_flag)
    elif isinstance(t, bool):
        assert isinstance(f, bool) and f == t, f"{where}: {f!r} != torch {t!r}"
    elif isinstance(t, int):
        assert isinstance(f, int) and not isinstance(f, bool) and f == t, f"{where}: {f!r} != torch {t!r}"
    elif isinstance(t, float):
        assert isinstance(f, float), f"{where}: {f!r} is not a float (torch {t!r})"
        assert_values(np.array([f]), np.array([t]), tol if tol is not None else 1e-12, where)
    elif isinstance(t, torch.Size):
        assert tuple(f) == tuple(t), f"{where}: {f} != {t}"
    elif isinstance(t, torch.dtype):
        assert dtype_name(f) == dtype_name(t), f"{where}: {f} != {t}"
    else:
        assert f == t, f"{where}: {f!r} != torch {t!r}"


ERROR_CLASSES = (IndexError, TypeError, ValueError, RuntimeError)


def error_class(e: BaseException):
    """The public class a caller would catch: IndexError, TypeError, ValueError or RuntimeError."""
    for c in ERROR_CLASSES:
        if isinstance(e, c):
            return c
    return type(e)


def assert_raises_like(torch_exc: BaseException, fl_call, where="call"):
    """fl_call() must raise an exception of torch_exc's public class."""
    cls = error_class(torch_exc)
    try:
        r = fl_call()
    except Exception as e:  # noqa: BLE001
        assert isinstance(e, cls), (f"{where}: flashlight raised {type(e).__name__}({e}), torch raises "
                                    f"{type(torch_exc).__name__}({torch_exc})")
        return e
    raise AssertionError(f"{where}: flashlight returned {r!r}; torch raises {type(torch_exc).__name__}({torch_exc})")


def _flat_tensors(x, lib_tensor):
    if isinstance(x, lib_tensor):
        return [x]
    if isinstance(x, (tuple, list)):
        return [e for v in x for e in _flat_tensors(v, lib_tensor)]
    return []


# ---------------------------------------------------------------------------------------------------------------
# Rows.

@dataclasses.dataclass
class Row:
    name: str
    cases: list
    kwargs: dict = dataclasses.field(default_factory=dict)
    dtypes: tuple = FLOATS
    grad: bool = True
    fn: Callable | None = None
    method: bool = True
    covers: tuple = ()
    tol: dict | None = None  # dtype -> (forward, grad)
    xfail: str | None = None
    values: bool = True  # False: compare dtype/shape only (random ops)
    tag: str = ""
    raises: tuple = ()  # dtypes for which torch raises: flashlight must raise the same exception class
    backward_raises: bool = False  # torch's backward raises: flashlight's must raise the same exception class

    @property
    def id(self):
        kw = ",".join(f"{k}={v!r}" for k, v in self.kwargs.items())
        return self.name + (f"({kw})" if kw else "") + (f"[{self.tag}]" if self.tag else "")


def row_seed(*parts) -> int:
    return zlib.crc32("/".join(map(str, parts)).encode())


def _build_args(rng, case, dtype, want_grad):
    fl_args, t_args, leaves = [], [], []
    for a in case:
        if isinstance(a, In):
            d = a.dtype or dtype
            vals = _domain_values(rng, a.dom, _base_shape(a.shape, a.layout), d)
            rg = want_grad and a.grad and is_float(d)
            fleaf, fx, tleaf, tx = make_pair(vals, d, rg, a.layout)
            fl_args.append(fx)
            t_args.append(tx)
            if rg:
                leaves.append((fleaf, tleaf))
        elif isinstance(a, (list, tuple)) and a and all(isinstance(e, In) for e in a):  # tensor lists (cat, ...)
            fsub, tsub, lsub = _build_args(rng, a, dtype, want_grad)
            fl_args.append(type(a)(fsub))
            t_args.append(type(a)(tsub))
            leaves += lsub
        else:
            fl_args.append(a)
            t_args.append(a)
    return fl_args, t_args, leaves


def _call(row, lib, args, kwargs, dtype=None):
    args = [_resolve(a, lib, dtype) for a in args]
    kwargs = {k: _resolve(v, lib, dtype) for k, v in kwargs.items()}
    if row.fn is not None:
        return row.fn(lib, *args, **kwargs)
    return getattr(lib, row.name)(*args, **kwargs)


def _method_applies(row, case):
    return (row.fn is None and row.method and case and isinstance(case[0], In)
            and hasattr(fl.Tensor, row.name) and hasattr(torch.Tensor, row.name))


def run_row(row: Row, dtype: str):
    """Runs every case of a row for one dtype; raises AssertionError on the first mismatch."""
    fwd_tol, grad_tol = (row.tol or {}).get(dtype, TOL.get(dtype, (0, 0)))
    for ci, case in enumerate(row.cases):
        where = f"{row.id} {dtype} case {ci}"
        rng = np.random.default_rng(row_seed(row.id, dtype, ci))
        want_grad = row.grad and is_float(dtype)
        fa, ta, leaves = _build_args(rng, case, dtype, want_grad)
        try:
            t_out = _call(row, TORCH, ta, row.kwargs, dtype)
        except Exception as e:  # noqa: BLE001
            assert dtype in row.raises, f"{where}: torch raised {e!r} (a row bug, or list the dtype in raises=)"
            assert_raises_like(e, lambda: _call(row, fl, fa, row.kwargs, dtype), where)
            continue
        assert dtype not in row.raises, f"{where}: torch does not raise"
        f_out = _call(row, fl, fa, row.kwargs, dtype)
        if row.values:
            assert_same(f_out, t_out, fwd_tol if is_float(dtype) else None, where)
        else:
            assert_same(_meta(f_out), _meta(t_out), None, where)
        if _method_applies(row, case):
            fm = getattr(fa[0], row.name)(*fa[1:], **{k: _resolve(v, fl, dtype) for k, v in row.kwargs.items()})
            if row.values:
                assert_same(fm, t_out, fwd_tol if is_float(dtype) else None, where + " (method)")
        if not leaves:
            continue
        t_outs = [o for o in _flat_tensors(t_out, torch.Tensor) if o.requires_grad]
        f_outs = [o for o in _flat_tensors(f_out, fl.Tensor) if o.requires_grad]
        assert len(t_outs) == len(f_outs), f"{where}: {len(f_outs)} differentiable outputs, torch has {len(t_outs)}"
        for k, (fo, to) in enumerate(zip(f_outs, t_outs)):
            cot = rng.standard_normal(tuple(to.shape))
            fc, _, tc, _ = make_pair(cot, dtype_name(to.dtype))
            last = k == len(t_outs) - 1
            if row.backward_raises:
                try:
                    to.backward(tc, retain_graph=not last)
                except Exception as e:  # noqa: BLE001
                    assert_raises_like(e, lambda: fo.backward(fc, retain_graph=not last), where + " backward")
                    break
                raise AssertionError(f"{where}: torch's backward does not raise")
            to.backward(tc, retain_graph=not last)
            fo.backward(fc, retain_graph=not last)
        if row.backward_raises:
            continue
        for li, (fleaf, tleaf) in enumerate(leaves):
            if tleaf.grad is None:
                assert fleaf.grad is None, f"{where}: grad of input {li} is set, torch leaves it None"
                continue
            assert fleaf.grad is not None, f"{where}: grad of input {li} is None"
            assert_same(fleaf.grad, tleaf.grad, grad_tol, f"{where} grad of input {li}", check_grad_flag=False)


def _meta(x):
    if isinstance(x, (torch.Tensor, fl.Tensor)):
        return (dtype_name(x.dtype), tuple(x.shape), x.requires_grad)
    if isinstance(x, (tuple, list)):
        return tuple(_meta(e) for e in x)
    return x


def params(rows):
    """pytest params, one per (row, dtype), xfail rows marked."""
    import pytest

    out = []
    for r in rows:
        for d in r.dtypes:
            marks = [pytest.mark.xfail(reason=r.xfail, strict=True)] if r.xfail else []
            out.append(pytest.param(r, d, id=f"{r.id}-{d}", marks=marks))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Standard cases.

def unary_cases(dom="real"):
    return [(In((3, 4), dom),), (In((), dom),), (In((0, 3), dom),), (In((2, 3, 4), dom, layout="T"),),
            (In((2, 5), dom, layout="step"),)]


def binary_cases(dom=("real", "real"), scalar=None):
    a, b = dom
    cases = [(In((3, 4), a), In((3, 4), b)), (In((2, 1, 4), a), In((3, 1), b)), (In((), a), In((3,), b)),
             (In((4,), a), In(() , b)), (In((0, 3), a), In((3,), b)),
             (In((3, 4), a, layout="T"), In((3, 4), b, layout="step"))]
    if scalar is not None:
        cases.append((In((2, 3), a), scalar))
    return cases


def alias_case(dom="real", n_args=1):
    return [tuple(In((2, 3), dom) for _ in range(n_args))]
