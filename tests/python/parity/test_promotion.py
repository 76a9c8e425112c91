"""Type promotion against torch: every dtype pair for add, mul, div and a comparison, as tensor-tensor,
tensor-0d-tensor, 0d-0d and tensor-Python-scalar (int, float, bool, both sides). Result dtypes must be equal and
values equal after casting to float64 (tolerance by result dtype)."""
import numpy as np
import pytest
import torch

import flashlight as fl
from parity_harness import ALL_DTYPES, assert_raises_like, assert_same, make_pair

OPS = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "lt": lambda a, b: a < b,
}
TOL = {"float16": 2e-3, "bfloat16": 1e-2, "float32": 1e-6, "float64": 1e-12}


def values(rng, dtype, shape, divisor=False):
    """Small positive values every dtype holds exactly (bools: True for divisors, so no division by zero)."""
    if dtype == "bool":
        return np.ones(shape, bool) if divisor else rng.random(shape) < 0.5
    v = rng.integers(1, 6, shape).astype(np.float64)
    if dtype in ("float16", "bfloat16", "float32", "float64"):
        v = v + 0.5
    return v


def check(fop_result, top_result, where):
    dn = str(top_result.dtype).split(".")[-1]
    assert_same(fop_result, top_result, TOL.get(dn), where)


def run(op, fa, fb, ta, tb, where):
    try:
        t = OPS[op](ta, tb)
    except Exception as e:  # noqa: BLE001
        assert_raises_like(e, lambda: OPS[op](fa, fb), where)
        return
    check(OPS[op](fa, fb), t, where)


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("da", ALL_DTYPES)
def test_tensor_tensor_pairs(op, da):
    rng = np.random.default_rng(ALL_DTYPES.index(da))
    for db in ALL_DTYPES:
        for sa, sb, kind in [((2, 3), (2, 3), "tensor-tensor"), ((2, 3), (), "tensor-0d"), ((), (3,), "0d-tensor"),
                             ((), (), "0d-0d")]:
            _, fa, _, ta = make_pair(values(rng, da, sa), da)
            _, fb, _, tb = make_pair(values(rng, db, sb, divisor=op == "div"), db)
            run(op, fa, fb, ta, tb, f"{da} {op} {db} ({kind})")


@pytest.mark.parametrize("op", list(OPS))
@pytest.mark.parametrize("da", ALL_DTYPES)
def test_tensor_python_scalar(op, da):
    rng = np.random.default_rng(ALL_DTYPES.index(da))
    for shape in [(2, 3), ()]:
        _, fa, _, ta = make_pair(values(rng, da, shape, divisor=True), da)
        for s in [3, -2, 2.5, 1e-3, True, False]:
            if op == "div" and s is False:
                continue
            run(op, fa, s, ta, s, f"{da}{list(shape)} {op} {s!r}")
            run(op, s, fa, s, ta, f"{s!r} {op} {da}{list(shape)}")


@pytest.mark.parametrize("da", ALL_DTYPES)
def test_function_forms_and_result_type_queries(da):
    """fl.add/mul/div/lt with scalars, fl.promote_types and fl.can_cast agree with torch for every pair."""
    rng = np.random.default_rng(1)
    _, fa, _, ta = make_pair(values(rng, da, (3,), divisor=True), da)
    for db in ALL_DTYPES:
        fd, td = getattr(fl, db), getattr(torch, db)
        assert str(fl.promote_types(getattr(fl, da), fd)).split(".")[-1] == \
            str(torch.promote_types(getattr(torch, da), td)).split(".")[-1], (da, db)
        assert fl.can_cast(getattr(fl, da), fd) == torch.can_cast(getattr(torch, da), td), (da, db)
    for name in ["add", "mul", "div", "lt", "sub", "floor_divide", "remainder", "eq", "maximum"]:
        for other in [2, 1.5, True]:
            try:
                t = getattr(torch, name)(ta, other if name != "maximum" else torch.tensor(other))
            except Exception as e:  # noqa: BLE001
                assert_raises_like(e, lambda: getattr(fl, name)(fa, other if name != "maximum" else fl.tensor(other)),
                                   f"{name}({da}, {other!r})")
                continue
            check(getattr(fl, name)(fa, other if name != "maximum" else fl.tensor(other)), t, f"{name}({da}, {other!r})")


def test_in_place_keeps_dtype_and_rejects_unsafe_casts():
    """x += y keeps x's dtype; an in-place result that can't cast back raises as torch does."""
    rng = np.random.default_rng(2)
    for da in ALL_DTYPES:
        for db in ["bool", "int64", "float32", "float64"]:
            _, fa, _, ta = make_pair(values(rng, da, (3,)), da)
            _, fb, _, tb = make_pair(values(rng, db, (3,)), db)
            try:
                ta += tb
            except Exception as e:  # noqa: BLE001
                def fl_iadd():
                    nonlocal fa
                    fa += fb
                assert_raises_like(e, fl_iadd, f"{da} += {db}")
                continue
            fa += fb
            check(fa, ta, f"{da} += {db}")


def test_default_dtype_round_trip():
    """set_default_dtype changes float inference and int true-division results, as in torch."""
    assert fl.get_default_dtype() == fl.float32
    try:
        fl.set_default_dtype(fl.float64)
        torch.set_default_dtype(torch.float64)
        assert fl.get_default_dtype() == fl.float64
        assert_same(fl.tensor([1.5, 2]), torch.tensor([1.5, 2]), where="tensor() under float64 default")
        assert_same(fl.tensor([1, 2]) / 2, torch.tensor([1, 2]) / 2, where="int / int under float64 default")
        assert_same(fl.arange(3) * 0.5, torch.arange(3) * 0.5, where="int * float under float64 default")
        assert_same(fl.ones(2), torch.ones(2), where="ones() under float64 default")
    finally:
        fl.set_default_dtype(fl.float32)
        torch.set_default_dtype(torch.float32)
    assert fl.get_default_dtype() == fl.float32
    with pytest.raises(TypeError):
        torch.set_default_dtype(torch.int64)
    with pytest.raises(TypeError):
        fl.set_default_dtype(fl.int64)
