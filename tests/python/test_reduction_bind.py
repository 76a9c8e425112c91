"""Reduction bindings: PyTorch's signatures (dim as int/tuple/list/None, keepdim, dtype, unbiased/correction) and
named (values, indices) results, as functions and Tensor methods, checked against torch."""
import math

import numpy as np
import pytest
import torch

import flashlight as fl


def dt(name):
    return str(name).rsplit(".", 1)[-1]


def check(f, t, rtol=1e-5, atol=1e-6):
    assert isinstance(f, fl.Tensor), type(f)
    assert tuple(f.shape) == tuple(t.shape), (f.shape, t.shape)
    assert dt(f.dtype) == dt(t.dtype), (f.dtype, t.dtype)
    np.testing.assert_allclose(np.asarray(f.detach()).astype(np.float64), t.detach().double().numpy(), rtol=rtol,
                               atol=atol, equal_nan=True)


@pytest.fixture
def pair(rng):
    a = rng.standard_normal((3, 4, 5)).astype(np.float32)
    return fl.tensor(a) if hasattr(fl, "tensor") else fl.Tensor(a), torch.tensor(a)


@pytest.mark.parametrize("name", ["sum", "mean", "nansum", "nanmean", "amax", "amin", "logsumexp", "std", "var"])
@pytest.mark.parametrize("dim", [1, -1, (0, 2), [0, 1], (), None])
@pytest.mark.parametrize("keepdim", [False, True])
def test_dim_forms(pair, name, dim, keepdim):
    x, t = pair
    if name == "logsumexp" and dim in ((), None):
        pytest.skip("torch.logsumexp needs a dim")
    kwargs = {"dim": dim, "keepdim": keepdim}
    check(getattr(fl, name)(x, **kwargs), getattr(torch, name)(t, **kwargs))
    check(getattr(x, name)(**kwargs), getattr(t, name)(**kwargs))
    if dim is not None:  # positional dim and keepdim
        check(getattr(fl, name)(x, dim, keepdim), getattr(torch, name)(t, dim, keepdim))


def test_sum_mean_dtype_and_int_promotion(pair):
    x, t = pair
    check(x.sum(dim=-1, dtype=fl.float64), t.sum(dim=-1, dtype=torch.float64))
    check(fl.sum(x, dtype=fl.float64), torch.sum(t, dtype=torch.float64))
    check(fl.mean(x, (0, 1), dtype=fl.float64), torch.mean(t, (0, 1), dtype=torch.float64))
    xi, ti = fl.Tensor([[1, 2], [3, 4]]).long(), torch.tensor([[1, 2], [3, 4]])
    check(xi.sum(), ti.sum())
    check(fl.sum(xi > 2, 0), torch.sum(ti > 2, 0))
    check(fl.prod(xi), torch.prod(ti))
    check(xi.prod(1, keepdim=True), ti.prod(1, keepdim=True))
    check(fl.prod(x, 2, dtype=fl.float64), torch.prod(t, 2, dtype=torch.float64))
    check(fl.nansum(x, 1, dtype=fl.float64), torch.nansum(t, 1, dtype=torch.float64))


def test_max_min_three_forms(pair):
    x, t = pair
    for name in ["max", "min"]:
        check(getattr(fl, name)(x), getattr(torch, name)(t))
        check(getattr(x, name)(), getattr(t, name)())
        r, rt = getattr(fl, name)(x, 1), getattr(torch, name)(t, 1)
        assert type(r).__name__ == name and isinstance(r, tuple)
        check(r.values, rt.values)
        check(r.indices, rt.indices)
        v, i = getattr(x, name)(dim=-1, keepdim=True)
        vt, it = getattr(t, name)(dim=-1, keepdim=True)
        check(v, vt)
        check(i, it)
        check(getattr(fl, name)(x, x * 0), getattr(torch, name)(t, t * 0))
        check(getattr(x, name)(x.flip(0)), getattr(t, name)(t.flip(0)))
    assert "values=" in repr(fl.max(x, 0)) and repr(fl.max(x, 0)).startswith("flashlight.return_types.max(")


def test_arg_and_aminmax(pair):
    x, t = pair
    check(fl.argmax(x), torch.argmax(t))
    check(x.argmax(1), t.argmax(1))
    check(x.argmin(dim=2, keepdim=True), t.argmin(dim=2, keepdim=True))
    r, rt = fl.aminmax(x, dim=0), torch.aminmax(t, dim=0)
    check(r.min, rt.min)
    check(r.max, rt.max)
    mn, mx = x.aminmax()
    check(mn, t.aminmax().min)
    check(mx, t.aminmax().max)


def test_var_std_unbiased_and_correction(pair):
    x, t = pair
    for name in ["var", "std"]:
        f, g = getattr(fl, name), getattr(torch, name)
        check(f(x), g(t))
        check(f(x, unbiased=False), g(t, unbiased=False))
        check(f(x, False), g(t, False))  # legacy var(input, unbiased)
        check(f(x, 1, False), g(t, 1, False))  # var(input, dim, unbiased)
        check(f(x, 1, True, True), g(t, 1, True, True))
        check(f(x, dim=(0, 2), correction=0, keepdim=True), g(t, dim=(0, 2), correction=0, keepdim=True))
        check(f(x, 2, correction=2), g(t, 2, correction=2))
        check(getattr(x, name)(0, unbiased=False), getattr(t, name)(0, unbiased=False))
        with pytest.raises(RuntimeError):
            f(x, 0, unbiased=True, correction=0)
    for name in ["var_mean", "std_mean"]:
        r, rt = getattr(fl, name)(x, 1, correction=0), getattr(torch, name)(t, 1, correction=0)
        assert isinstance(r, tuple) and len(r) == 2
        check(r[0], rt[0])
        check(r[1], rt[1])


def test_norm(pair):
    x, t = pair
    check(fl.norm(x), torch.norm(t))
    check(x.norm(), t.norm())
    check(x.norm(p=1), t.norm(p=1))
    check(fl.norm(x, 3, dim=1), torch.norm(t, 3, dim=1))
    check(fl.norm(x, math.inf, dim=(0, 2), keepdim=True), torch.norm(t, math.inf, dim=(0, 2), keepdim=True))
    check(fl.norm(x, float("-inf")), torch.norm(t, float("-inf")))
    check(fl.norm(x, "fro", dim=(1, 2)), torch.norm(t, "fro", dim=(1, 2)))
    check(x.norm(0, 2), t.norm(0, 2))
    check(fl.norm(x, dim=1, dtype=fl.float64), torch.norm(t, dim=1, dtype=torch.float64))
    with pytest.raises(RuntimeError):
        fl.norm(x, "fro", dim=(0, 1, 2))


def test_all_any_count_nonzero():
    a = np.array([[0, 1, 2], [3, 0, 0]], dtype=np.float32)
    x, t = fl.Tensor(a), torch.tensor(a)
    for name in ["all", "any"]:
        check(getattr(fl, name)(x), getattr(torch, name)(t))
        check(getattr(x, name)(), getattr(t, name)())
        check(getattr(x, name)(1), getattr(t, name)(1))
        check(getattr(fl, name)(x, 0, True), getattr(torch, name)(t, 0, True))
        check(getattr(fl, name)(x, dim=(0, 1)), getattr(torch, name)(t, dim=(0, 1)))
        check(getattr(fl, name)(x, dim=(0, 1), keepdim=True), getattr(torch, name)(t, dim=(0, 1), keepdim=True))
        check(getattr(fl, name)(x, dim=()), getattr(torch, name)(t, dim=()))
        check(getattr(fl, name)(x, dim=None, keepdim=True), getattr(torch, name)(t, dim=None, keepdim=True))
    check(fl.count_nonzero(x), torch.count_nonzero(t))
    check(x.count_nonzero(0), t.count_nonzero(0))
    check(fl.count_nonzero(x, dim=(0, 1)), torch.count_nonzero(t, dim=(0, 1)))


def test_median_and_kthvalue(pair):
    x, t = pair
    check(fl.median(x), torch.median(t))
    check(x.median(), t.median())
    r, rt = x.median(1), t.median(1)
    assert type(r).__name__ == "median"
    check(r.values, rt.values)
    check(r.indices, rt.indices)
    r, rt = fl.median(x, dim=0, keepdim=True), torch.median(t, dim=0, keepdim=True)
    check(r.values, rt.values)
    r, rt = x.kthvalue(2), t.kthvalue(2)
    assert type(r).__name__ == "kthvalue"
    check(r.values, rt.values)
    check(r.indices, rt.indices)
    r, rt = fl.kthvalue(x, 3, 0, True), torch.kthvalue(t, 3, 0, True)
    check(r.values, rt.values)
    check(r.indices, rt.indices)


def test_scans_and_softmax(pair):
    x, t = pair
    for name in ["cumsum", "cumprod", "logcumsumexp", "softmax", "log_softmax"]:
        check(getattr(fl, name)(x, 1), getattr(torch, name)(t, 1), rtol=1e-4)
        check(getattr(x, name)(dim=-1), getattr(t, name)(dim=-1), rtol=1e-4)
    check(x.cumsum(0, dtype=fl.float64), t.cumsum(0, dtype=torch.float64))
    check(fl.softmax(x, 0, fl.float64), torch.softmax(t, 0, torch.float64))
    check(x.log_softmax(2, dtype=fl.float64), t.log_softmax(2, dtype=torch.float64))
    for name in ["cummax", "cummin"]:
        r, rt = getattr(x, name)(1), getattr(t, name)(1)
        assert type(r).__name__ == name
        check(r.values, rt.values)
        check(r.indices, rt.indices)
    y, u = x.clone(), t.clone()
    assert y.cumsum_(1) is y
    u.cumsum_(1)
    check(y, u, rtol=1e-4)
    y.cumprod_(0)
    u.cumprod_(0)
    check(y, u, rtol=1e-4)


def test_sort_argsort_topk(pair):
    x, t = pair
    r, rt = fl.sort(x), torch.sort(t)
    assert type(r).__name__ == "sort"
    check(r.values, rt.values)
    check(r.indices, rt.indices)
    v, i = x.sort(0, True)
    check(v, t.sort(0, True).values)
    check(i, t.sort(0, True).indices)
    r, rt = x.sort(dim=1, descending=True, stable=True), t.sort(dim=1, descending=True, stable=True)
    check(r.indices, rt.indices)
    check(fl.argsort(x), torch.argsort(t))
    check(x.argsort(1, True), t.argsort(1, True))
    check(x.argsort(dim=0, stable=True), t.argsort(dim=0, stable=True))
    check(fl.msort(x), torch.msort(t))
    r, rt = fl.topk(x, 2), torch.topk(t, 2)
    assert type(r).__name__ == "topk"
    check(r.values, rt.values)
    check(r.indices, rt.indices)
    r, rt = x.topk(3, dim=0, largest=False), t.topk(3, dim=0, largest=False)
    check(r.values, rt.values)
    check(r.indices, rt.indices)


def test_return_types_are_tuples_and_pickle(pair):
    import pickle

    x, _ = pair
    r = fl.max(x, 0)
    assert isinstance(r, fl.return_types.max) and isinstance(r, tuple) and len(r) == 2
    values, indices = r
    assert values is r.values or values.equal(r.values)
    assert r._fields == ("values", "indices")
    r2 = pickle.loads(pickle.dumps(fl.return_types.topk((1, 2))))
    assert type(r2) is fl.return_types.topk and r2.indices == 2


def test_reduction_autograd(pair):
    x, t = pair
    xr, tr = x.detach().requires_grad_(), t.detach().requires_grad_()
    (fl.max(xr, 1).values.sum() + xr.var(0, correction=0).sum() + xr.norm()).backward()
    (torch.max(tr, 1).values.sum() + tr.var(0, correction=0).sum() + tr.norm()).backward()
    check(xr.grad, tr.grad, rtol=1e-4, atol=1e-5)
