"""Indexing bindings: gather/scatter family (src|value, reduce=), index_add/copy/fill, masks, take, nonzero and
one-argument where, index_put, bincount/unique/searchsorted/bucketize, in-place method forms, against torch."""
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
                               atol=atol)


def check_seq(fs, ts):
    assert isinstance(fs, tuple) and len(fs) == len(ts)
    for f, t in zip(fs, ts):
        check(f, t)


def both(a):
    a = np.asarray(a)
    return fl.tensor(a), torch.tensor(a)


@pytest.fixture
def data(rng):
    x, t = both(rng.standard_normal((3, 4)).astype(np.float32))
    i, ti = both(np.array([[0, 2, 1, 0], [2, 1, 0, 1]], dtype=np.int64))
    return x, t, i, ti


def test_index_select_gather(data):
    x, t, i, ti = data
    v, tv = both(np.array([2, 0], dtype=np.int64))
    check(fl.index_select(x, 0, v), torch.index_select(t, 0, tv))
    check(x.index_select(1, v), t.index_select(1, tv))
    check(fl.gather(x, 0, i), torch.gather(t, 0, ti))
    check(x.gather(1, i[:, :3], sparse_grad=False), t.gather(1, ti[:, :3], sparse_grad=False))


@pytest.mark.filterwarnings("ignore:The reduce argument")
def test_scatter_forms_and_inplace(data):
    x, t, i, ti = data
    s, ts = both(np.arange(8, dtype=np.float32).reshape(2, 4))
    check(fl.scatter(x, 0, i, s), torch.scatter(t, 0, ti, ts))
    check(x.scatter(0, i, src=s), t.scatter(0, ti, src=ts))
    check(fl.scatter(x, 0, i, 1.5), torch.scatter(t, 0, ti, 1.5))
    check(x.scatter(0, i, value=-2.0), t.scatter(0, ti, value=-2.0))
    check(fl.scatter(x, 0, i, s, reduce="add"), torch.scatter(t, 0, ti, ts, reduce="add"))
    check(x.scatter(0, i, s, reduce="multiply"), t.scatter(0, ti, ts, reduce="multiply"))
    check(x.scatter(0, i, 2.0, reduce="multiply"), t.scatter(0, ti, 2.0, reduce="multiply"))
    check(fl.scatter_add(x, 0, i, s), torch.scatter_add(t, 0, ti, ts))
    check(x.scatter_add(1, i, s), t.scatter_add(1, ti, ts))
    for red in ["sum", "prod", "mean", "amax", "amin"]:
        check(fl.scatter_reduce(x, 0, i, s, red), torch.scatter_reduce(t, 0, ti, ts, red))
        check(x.scatter_reduce(0, i, s, reduce=red, include_self=False),
              t.scatter_reduce(0, ti, ts, reduce=red, include_self=False))
    # in-place forms return self
    for name, args, targs in [("scatter_", (0, i, s), (0, ti, ts)), ("scatter_", (0, i, 3.0), (0, ti, 3.0)),
                              ("scatter_add_", (1, i, s), (1, ti, ts)),
                              ("scatter_reduce_", (0, i, s, "amax"), (0, ti, ts, "amax"))]:
        y, u = x.clone(), t.clone()
        assert getattr(y, name)(*args) is y
        getattr(u, name)(*targs)
        check(y, u)
    y, u = x.clone(), t.clone()
    y.scatter_(0, i, s, reduce="add")
    u.scatter_(0, ti, ts, reduce="add")
    check(y, u)


def test_index_add_copy_fill(data):
    x, t, _, _ = data
    v, tv = both(np.array([2, 0], dtype=np.int64))
    s, ts = both(np.arange(8, dtype=np.float32).reshape(2, 4))
    check(fl.index_add(x, 0, v, s), torch.index_add(t, 0, tv, ts))
    check(x.index_add(0, v, s, alpha=2), t.index_add(0, tv, ts, alpha=2))
    check(fl.index_copy(x, 0, v, s), torch.index_copy(t, 0, tv, ts))
    check(fl.index_fill(x, 1, v, -1.0), torch.index_fill(t, 1, tv, -1.0))
    check(x.index_fill(1, v, x.sum()), t.index_fill(1, tv, t.sum()))
    for name, args, targs in [("index_add_", (0, v, s), (0, tv, ts)), ("index_copy_", (0, v, s), (0, tv, ts)),
                              ("index_fill_", (1, v, 7), (1, tv, 7))]:
        y, u = x.clone(), t.clone()
        assert getattr(y, name)(*args) is y
        getattr(u, name)(*targs)
        check(y, u)
    y, u = x.clone(), t.clone()
    y.index_add_(0, v, s, alpha=-1)
    u.index_add_(0, tv, ts, alpha=-1)
    check(y, u)


def test_masks(data):
    x, t, _, _ = data
    m, tm = x > 0, t > 0
    check(fl.masked_fill(x, m, 0.5), torch.masked_fill(t, tm, 0.5))
    check(x.masked_fill(m, x.sum()), t.masked_fill(tm, t.sum()))  # 0-d tensor value
    check(x.masked_fill(m[0], -1), t.masked_fill(tm[0], -1))  # broadcast mask
    with pytest.raises(RuntimeError):
        x.masked_fill(m, x[0])
    check(fl.masked_select(x, m), torch.masked_select(t, tm))
    check(x.masked_select(m), t.masked_select(tm))
    src, tsrc = both(np.arange(12, dtype=np.float32).reshape(3, 4))
    check(fl.masked_scatter(x, m, src), torch.masked_scatter(t, tm, tsrc))
    y, u = x.clone(), t.clone()
    assert y.masked_fill_(m, 2.0) is y
    u.masked_fill_(tm, 2.0)
    check(y, u)
    y.masked_fill_(~m, x.sum())
    u.masked_fill_(~tm, t.sum())
    check(y, u)
    assert y.masked_scatter_(m, src) is y
    u.masked_scatter_(tm, tsrc)
    check(y, u)


def test_take_nonzero_where(data):
    x, t, i, ti = data
    check(fl.take(x, i), torch.take(t, ti))
    check(x.take(i[0]), t.take(ti[0]))
    check(fl.take_along_dim(x, i, 0), torch.take_along_dim(t, ti, 0))
    check(x.take_along_dim(i.flatten()), t.take_along_dim(ti.flatten()))
    m, tm = x > 0, t > 0
    check(fl.nonzero(m), torch.nonzero(tm))
    check(m.nonzero(), tm.nonzero())
    check_seq(fl.nonzero(m, as_tuple=True), torch.nonzero(tm, as_tuple=True))
    check_seq(m.nonzero(as_tuple=True), tm.nonzero(as_tuple=True))
    check(fl.argwhere(x), torch.argwhere(t))
    check_seq(fl.where(m), torch.where(tm))
    check(fl.where(m, x, 0.0), torch.where(tm, t, 0.0))  # the three-argument form still works


def test_index_put(data):
    x, t, _, _ = data
    r, tr = both(np.array([0, 2, 0], dtype=np.int64))
    c, tc = both(np.array([1, 3, 1], dtype=np.int64))
    v, tv = both(np.array([1.0, 2.0, 3.0], dtype=np.float32))
    check(fl.index_put(x, (r, c), v), torch.index_put(t, (tr, tc), tv))
    check(x.index_put((r, c), v, accumulate=True), t.index_put((tr, tc), tv, accumulate=True))
    check(x.index_put([r], x[0]), t.index_put([tr], t[0]))
    y, u = x.clone(), t.clone()
    assert y.index_put_((r, c), v, True) is y
    u.index_put_((tr, tc), tv, True)
    check(y, u)


def test_one_hot_bincount_unique(rng):
    a, ta = both(np.array([3, 1, 1, 0, 3, 3], dtype=np.int64))
    check(fl._C.one_hot(a), torch.nn.functional.one_hot(ta))
    check(fl._C.one_hot(a, num_classes=6), torch.nn.functional.one_hot(ta, num_classes=6))
    check(fl.bincount(a), torch.bincount(ta))
    check(a.bincount(minlength=7), ta.bincount(minlength=7))
    w, tw = both(np.linspace(0, 1, 6).astype(np.float32))
    check(fl.bincount(a, w), torch.bincount(ta, tw))
    check(fl.bincount(a, weights=w.double()), torch.bincount(ta, weights=tw.double()))
    check(fl.unique(a), torch.unique(ta))
    check(a.unique(), ta.unique())
    check_seq(fl.unique(a, return_inverse=True), torch.unique(ta, return_inverse=True))
    check_seq(fl.unique(a, return_counts=True), torch.unique(ta, return_counts=True))
    m, tm = both(np.array([[2.0, 1.0], [2.0, -1.0]], dtype=np.float32))
    check_seq(m.unique(sorted=True, return_inverse=True, return_counts=True),
              tm.unique(sorted=True, return_inverse=True, return_counts=True))
    with pytest.raises(NotImplementedError):
        fl.unique(m, dim=0)


def test_searchsorted_bucketize():
    s, ts = both(np.array([1.0, 3.0, 5.0, 7.0], dtype=np.float32))
    v, tv = both(np.array([[0.0, 3.0], [6.0, 9.0]], dtype=np.float32))
    check(fl.searchsorted(s, v), torch.searchsorted(ts, tv))
    check(fl.searchsorted(s, v, right=True), torch.searchsorted(ts, tv, right=True))
    check(fl.searchsorted(s, v, side="right"), torch.searchsorted(ts, tv, side="right"))
    check(fl.searchsorted(s, v, out_int32=True), torch.searchsorted(ts, tv, out_int32=True))
    check(fl.searchsorted(s, 3.0), torch.searchsorted(ts, 3.0))
    p, tp = both(np.array([3, 0, 2, 1], dtype=np.int64))
    u, tu = s.flip(0), ts.flip(0)
    check(fl.searchsorted(u, v, sorter=p), torch.searchsorted(tu, tv, sorter=tp))
    b, tb = both(np.array([[1.0, 2.0], [0.0, 4.0]], dtype=np.float32))
    bs, tbs = both(np.array([[1.5], [3.0]], dtype=np.float32))
    check(fl.searchsorted(b, bs), torch.searchsorted(tb, tbs))
    check(fl.bucketize(v, s), torch.bucketize(tv, ts))
    check(fl.bucketize(v, s, right=True, out_int32=True), torch.bucketize(tv, ts, right=True, out_int32=True))
    check(fl.bucketize(4, s), torch.bucketize(4, ts))
    with pytest.raises(RuntimeError):
        fl.searchsorted(s, v, side="middle")


def test_indexing_autograd(data):
    x, t, i, ti = data
    x, t = x.detach().requires_grad_(), t.detach().requires_grad_()
    s, ts = x[:2] * 2, t[:2] * 2
    (fl.gather(x, 0, i).sum() + fl.scatter_add(x, 0, i, s).pow(2).sum() + x.masked_fill(x > 0, 0).sum()).backward()
    (torch.gather(t, 0, ti).sum() + torch.scatter_add(t, 0, ti, ts).pow(2).sum() + t.masked_fill(t > 0, 0).sum()).backward()
    check(x.grad, t.grad, rtol=1e-4, atol=1e-5)


def test_inplace_on_non_leaf_keeps_autograd(data):
    x, t, i, ti = data
    x, t = x.detach().requires_grad_(), t.detach().requires_grad_()
    y, u = x * 1, t * 1
    s, ts = x[:2] * 3, t[:2] * 3
    y.scatter_(0, i, s)
    u.scatter_(0, ti, ts)
    y.index_fill_(1, i[0, :2], 0.0)
    u.index_fill_(1, ti[0, :2], 0.0)
    (y * y).sum().backward()
    (u * u).sum().backward()
    check(x.grad, t.grad, rtol=1e-4, atol=1e-5)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        x.scatter_(0, i, s)
