"""Linear-algebra bindings: x @ y, matmul/mm/bmm/mv/dot/..., addmm family (beta/alpha, in place), einsum (varargs
and list), tensordot (int and pairs of dims), diag/trace/cross, against torch."""
import numpy as np
import pytest
import torch

import flashlight as fl


def dt(name):
    return str(name).rsplit(".", 1)[-1]


def check(f, t, rtol=1e-4, atol=1e-5):
    assert isinstance(f, fl.Tensor), type(f)
    assert tuple(f.shape) == tuple(t.shape), (f.shape, t.shape)
    assert dt(f.dtype) == dt(t.dtype), (f.dtype, t.dtype)
    np.testing.assert_allclose(np.asarray(f.detach()).astype(np.float64), t.detach().double().numpy(), rtol=rtol,
                               atol=atol)


def both(rng, *shape):
    a = rng.standard_normal(shape).astype(np.float32)
    return fl.Tensor(a), torch.tensor(a)


def test_matmul_operator_and_functions(rng):
    a, ta = both(rng, 3, 4)
    b, tb = both(rng, 4, 5)
    v, tv = both(rng, 4)
    check(a @ b, ta @ tb)
    check(fl.matmul(a, b), torch.matmul(ta, tb))
    check(a.matmul(b), ta.matmul(tb))
    check(a @ v, ta @ tv)
    check(v @ b, tv @ tb)
    check(v @ v, tv @ tv)
    check(fl.mm(a, b), torch.mm(ta, tb))
    check(a.mm(b), ta.mm(tb))
    check(fl.mv(a, v), torch.mv(ta, tv))
    check(a.mv(v), ta.mv(tv))
    check(fl.dot(v, v), torch.dot(tv, tv))
    check(v.dot(v), tv.dot(tv))
    check(fl.vdot(v, v), torch.vdot(tv, tv))
    check(fl.inner(a, a), torch.inner(ta, ta))
    check(fl.outer(v, v), torch.outer(tv, tv))
    check(v.outer(v), tv.outer(tv))
    check(fl.ger(v, v), torch.ger(tv, tv))
    # batched and broadcast
    x, tx = both(rng, 2, 3, 4)
    y, ty = both(rng, 2, 4, 5)
    check(fl.bmm(x, y), torch.bmm(tx, ty))
    check(x.bmm(y), tx.bmm(ty))
    check(x @ b, tx @ tb)
    # __rmatmul__ runs when the left operand is not a Tensor
    check(a.__rmatmul__(b.t()[:, :3]), ta.__rmatmul__(tb.t()[:, :3]))
    with pytest.raises(TypeError):
        a @ 2


def test_add_products_and_inplace(rng):
    i, ti = both(rng, 3, 5)
    a, ta = both(rng, 3, 4)
    b, tb = both(rng, 4, 5)
    check(fl.addmm(i, a, b), torch.addmm(ti, ta, tb))
    check(fl.addmm(i, a, b, beta=0.5, alpha=2), torch.addmm(ti, ta, tb, beta=0.5, alpha=2))
    check(i.addmm(a, b, alpha=3), ti.addmm(ta, tb, alpha=3))
    v, tv = both(rng, 4)
    iv, tiv = both(rng, 3)
    check(fl.addmv(iv, a, v, beta=2), torch.addmv(tiv, ta, tv, beta=2))
    x, tx = both(rng, 2, 3, 4)
    y, ty = both(rng, 2, 4, 5)
    check(fl.baddbmm(i, x, y, alpha=0.5), torch.baddbmm(ti, tx, ty, alpha=0.5))
    check(fl.addbmm(i, x, y, beta=0), torch.addbmm(ti, tx, ty, beta=0))
    j, tj = i.clone(), ti.clone()
    assert j.addmm_(a, b, beta=2) is j
    tj.addmm_(ta, tb, beta=2)
    check(j, tj)
    with pytest.raises(TypeError):
        fl.addmm(i, a, b, 0.5)  # beta is keyword-only, as in torch


def test_einsum_forms(rng):
    a, ta = both(rng, 3, 4)
    b, tb = both(rng, 4, 5)
    check(fl.einsum("ij,jk->ik", a, b), torch.einsum("ij,jk->ik", ta, tb))
    check(fl.einsum("ij,jk->ik", [a, b]), torch.einsum("ij,jk->ik", [ta, tb]))
    check(fl.einsum("ij,jk", (a, b)), torch.einsum("ij,jk", (ta, tb)))
    check(fl.einsum("ii", a[:, :3]), torch.einsum("ii", ta[:, :3]))
    check(fl.einsum("bij->bji", a.unsqueeze(0)), torch.einsum("bij->bji", ta.unsqueeze(0)))


def test_tensordot(rng):
    a, ta = both(rng, 3, 4, 5)
    b, tb = both(rng, 4, 5, 2)
    check(fl.tensordot(a, b), torch.tensordot(ta, tb))
    check(fl.tensordot(a, b, dims=2), torch.tensordot(ta, tb, dims=2))
    check(fl.tensordot(a, b.permute(2, 0, 1), 0), torch.tensordot(ta, tb.permute(2, 0, 1), 0))
    check(fl.tensordot(a, b, dims=([1, 2], [0, 1])), torch.tensordot(ta, tb, dims=([1, 2], [0, 1])))
    check(fl.tensordot(a, b, dims=[[1], [0]]), torch.tensordot(ta, tb, dims=[[1], [0]]))


def test_diag_trace_cross_kron(rng):
    a, ta = both(rng, 4, 4)
    v, tv = both(rng, 3)
    check(fl.trace(a), torch.trace(ta))
    check(a.trace(), ta.trace())
    check(fl.diag(a), torch.diag(ta))
    check(fl.diag(v, 1), torch.diag(tv, 1))
    check(a.diag(-1), ta.diag(-1))
    check(fl.diag_embed(a), torch.diag_embed(ta))
    check(a.diag_embed(offset=1, dim1=0, dim2=2), ta.diag_embed(offset=1, dim1=0, dim2=2))
    x, tx = both(rng, 4, 3)
    y, ty = both(rng, 4, 3)
    check(fl.cross(x, y, dim=1), torch.cross(tx, ty, dim=1))
    check(x.cross(y, -1), tx.cross(ty, -1))
    check(fl.cross(x, y), torch.linalg.cross(tx, ty))  # dim=None: the first dim of size 3
    check(fl.kron(a[:2, :2], v.unsqueeze(0)), torch.kron(ta[:2, :2], tv.unsqueeze(0)))


def test_num_threads():
    n = fl.get_num_threads()
    assert isinstance(n, int) and n >= 1
    fl.set_num_threads(n)
    assert fl.get_num_threads() == n


def test_matmul_autograd(rng):
    a, ta = both(rng, 3, 4)
    b, tb = both(rng, 4, 2)
    a.requires_grad_()
    ta.requires_grad_()
    (a @ b).sum().backward()
    (ta @ tb).sum().backward()
    check(a.grad, ta.grad)
