"""x[key] and x[key] = value against torch: a battery of index expressions on 1-4 dim tensors (contiguous and
transposed), checking values, dtype, shape, view-ness, gradients through getitem and setitem, and that writes
through views reach the base.

Keys are written once with numpy arrays standing for index tensors (converted to each library's tensor); Python
lists stay lists."""
import numpy as np
import pytest
import torch

import flashlight as fl
from parity_harness import assert_raises_like, assert_same, make_pair, row_seed

I = np.array  # an index tensor (int64 or bool)
S = slice
E = Ellipsis

BATTERY = {
    (6,): [1, -1, S(1, 4), S(None, None, 2), S(-4, None, 3), S(10, 20), S(4, 1), None, E, (E, None), I([0, 2, 5]),
           I([-1, 0]), [0, 3], I([[0, 1], [2, 3]]), I([True, False, True, False, False, True]), I(2), True, False,
           (None, S(1, None)), ()],
    (4, 5): [0, -2, (1, 2), (-1, -1), (S(1, None), [0, 2]), (S(None), S(1, None, 2)), (E, None, S(None, None, 2)),
             ([0, 1], [1, 2]), (I([[0, 1], [2, 3]]),), (I([0, 3]), S(None)), (S(None), I([4, 0, 1])),
             (I([True, False, True, True]),), (I([True, False, True, True]), 0), (None, 1, E), (E, 2),
             (I(1), I([0, 2])), (1, [0, 2, 4]), ([[0], [2]], [1, 3]), (S(None, None, 3), -1), (True, 1)],
    (3, 4, 5): [(1, S(None), 2), (E, 1), (S(None), None, S(None, None, 2)), ([0, 2], S(None), [1, 3]),
                (S(None), [0, 1], [1, 2]), ([0, 2], [1, 3]), (1, [0, 2], S(1, 3)), (I([[0, 1]]), E, I([4, 0])),
                (S(None), S(None), I([[1, 2], [3, 4]])), (E, None, 0), (-1, E, None), (S(1, None), 0, S(None, None, 2)), ([0, 1], None, [2, 3]), (I([True, False, True]), S(None), 0)],
    (2, 3, 4, 5): [(0, E, 1), (E, [0, 2], S(None)), (S(None), [0, 1], S(None), [1, 2]), ([1, 0], S(None), [2, 0]),
                   (None, E, None), (1, S(None, None, 2), [0, 3], S(1, 4)), (E,), (S(None), 0, S(None), 0)],
}
MASKED = [(3, 4), (2, 3, 4)]  # x[x > 0] and x[mask, 0]-style boolean keys made from the data


def to_key(key, lib):
    if isinstance(key, tuple):
        return tuple(to_key(k, lib) for k in key)
    if isinstance(key, np.ndarray):
        return torch.from_numpy(key.copy()) if lib is torch else fl.tensor(key)
    return key


def cases():
    for shape, keys in BATTERY.items():
        for i, key in enumerate(keys):
            for layout in ("c", "T") if len(shape) >= 2 else ("c",):
                yield pytest.param(shape, key, layout, id=f"{len(shape)}d-{i}-{layout}")


def pair(rng, shape, layout="c", requires_grad=True, dtype="float64"):
    base = shape if layout == "c" else shape[:-2] + (shape[-1], shape[-2])
    return make_pair(rng.standard_normal(base), dtype, requires_grad, layout)


@pytest.mark.parametrize("shape,key,layout", list(cases()))
def test_getitem(shape, key, layout):
    rng = np.random.default_rng(row_seed(shape, key, layout))
    fleaf, fx, tleaf, tx = pair(rng, shape, layout)
    try:
        t = tx[to_key(key, torch)]
    except Exception as e:  # noqa: BLE001
        assert_raises_like(e, lambda: fx[to_key(key, fl)], f"x[{key!r}]")
        return
    f = fx[to_key(key, fl)]
    assert_same(f, t, where=f"x[{key!r}]")
    assert f._is_view() == t._is_view(), f"x[{key!r}]: view {f._is_view()} != torch {t._is_view()}"
    if t.numel():
        cot = rng.standard_normal(tuple(t.shape))
        t.backward(torch.from_numpy(cot))
        f.backward(fl.tensor(cot))
        assert_same(fleaf.grad, tleaf.grad, where=f"grad of x[{key!r}]", check_grad_flag=False)


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
@pytest.mark.parametrize("shape", MASKED)
def test_getitem_data_masks(shape, dtype):
    rng = np.random.default_rng(7)
    _, fx, _, tx = pair(rng, shape, requires_grad=False, dtype=dtype if dtype != "bool" else "float32")
    if dtype == "bool":
        fx, tx = fx > 0, tx > 0
    assert_same(fx[fx != 0], tx[tx != 0], where="x[x != 0]")
    fm, tm = fx.sum(-1) > 0 if dtype != "bool" else fx[..., 0], tx.sum(-1) > 0 if dtype != "bool" else tx[..., 0]
    assert_same(fx[fm], tx[tm], where="x[mask]")
    assert_same(fx[fm, 0], tx[tm, 0], where="x[mask, 0]")
    assert_same(fx[None, fm], tx[None, tm], where="x[None, mask]")


# setitem: keys without duplicate targets (torch leaves the winner of duplicate writes unspecified).
SET_KEYS = {
    (6,): [1, -1, S(1, 4), S(None, None, 2), I([0, 2, 5]), [4, 1], I([True, False, True, False, False, True]), E,
           (None, S(2, None)), I(3)],
    (4, 5): [0, (1, 2), (S(1, None), [0, 2]), (S(None), S(1, None, 2)), ([0, 1], [1, 2]), (I([True, False, True, True]),),
             (I([[0, 1], [2, 3]]),), (E, 2), (None, 1, E), (S(None, None, 3), -1)],
    (3, 4, 5): [(1, S(None), 2), ([0, 2], S(None), [1, 3]), (S(None), [0, 1], [1, 2]), (E, None, S(None, None, 2)),
                (I([True, False, True]), S(None), 0)],
}


def set_cases():
    for shape, keys in SET_KEYS.items():
        for i, key in enumerate(keys):
            for value in ("scalar", "row", "full"):
                yield pytest.param(shape, key, value, id=f"{len(shape)}d-{i}-{value}")


@pytest.mark.parametrize("shape,key,value", list(set_cases()))
def test_setitem(shape, key, value):
    """y = x.clone(); y[key] = v: values of y, and gradients for x and v (the overwritten part gets none)."""
    rng = np.random.default_rng(row_seed(shape, key, value))
    fleaf, fx, tleaf, tx = pair(rng, shape)
    target_shape = tuple(tx.detach()[to_key(key, torch)].shape)
    if value == "scalar":
        fv = tv = 2.5
    else:
        vshape = target_shape[-1:] if value == "row" else target_shape
        fvl, fv, tvl, tv = make_pair(rng.standard_normal(vshape), "float64", True)
    fy, ty = fx.clone(), tx.clone()
    ty[to_key(key, torch)] = tv
    fy[to_key(key, fl)] = fv
    assert_same(fy, ty, where=f"y[{key!r}] = {value}")
    cot = rng.standard_normal(shape)
    ty.backward(torch.from_numpy(cot))
    fy.backward(fl.tensor(cot))
    assert_same(fleaf.grad, tleaf.grad, where="grad of x", check_grad_flag=False)
    if value != "scalar":
        assert_same(fvl.grad, tvl.grad, where="grad of value", check_grad_flag=False)


@pytest.mark.parametrize("shape,key,value", [p.values for p in set_cases() if p.values[2] != "full"][::2])
def test_setitem_through_views_reaches_base(shape, key, value):
    """v = base[1:] (or base.mT / base[..., ::2]); v[key] = value writes into base, for ints and floats."""
    for dtype in ("float32", "int64"):
        rng = np.random.default_rng(3)
        big = (shape[0] + 1,) + shape[1:]
        _, fb, _, tb = make_pair(rng.integers(-5, 5, big), dtype)
        fv, tv = fb[1:], tb[1:]
        val = 7 if value == "scalar" else np.asarray(rng.integers(-9, 9, tuple(tv[to_key(key, torch)].shape)[-1:]))
        tval = val if value == "scalar" else torch.from_numpy(val).to(tv.dtype)
        fval = val if value == "scalar" else fl.tensor(val).to(fv.dtype)
        tv[to_key(key, torch)] = tval
        fv[to_key(key, fl)] = fval
        assert_same(fb, tb, where=f"base after view[{key!r}] = {value} ({dtype})")
        assert fb._version > 0


def test_setitem_on_transposed_and_strided_views():
    rng = np.random.default_rng(5)
    _, fb, _, tb = make_pair(rng.standard_normal((4, 6)), "float64")
    for f, t in [(fb.mT, tb.mT), (fb[:, ::2], tb[:, ::2]), (fb[1:3].T, tb[1:3].T), (fb.view(2, 12)[1], tb.view(2, 12)[1])]:
        t[0] = -1.0
        f[0] = -1.0
        t[..., [1, 0]] = torch.tensor([5.0, 6.0], dtype=torch.float64)
        f[..., [1, 0]] = fl.tensor([5.0, 6.0], dtype=fl.float64)
        assert_same(fb, tb, where="base after writes through views")


@pytest.mark.filterwarnings("ignore::UserWarning")  # torch warns about x["a"] (a str is a sequence)
def test_index_errors_match():
    """Bad keys raise torch's exception class; (E, E) is accepted by torch (so it must be here too)."""
    _, fx, _, tx = pair(np.random.default_rng(0), (3, 4), requires_grad=False)
    for key in [5, (0, 4), (0, 0, 0), I([3, 5]), [0, 9], I([True, False]), 1.5, "a", (S(None), I([[4]])),
                I([0.5]), (E, E), (None, E, None, E)]:
        try:
            t = tx[to_key(key, torch)]
        except Exception as e:  # noqa: BLE001
            assert_raises_like(e, lambda: fx[to_key(key, fl)], f"x[{key!r}]")
        else:
            assert_same(fx[to_key(key, fl)], t, where=f"x[{key!r}]")
    with pytest.raises(ValueError):
        tx[::-1]
    with pytest.raises(ValueError):
        fx[::-1]
