"""flashlight.nn.functional normalisation ops against torch: values, gradients (input, weight, bias), running
statistics after training-mode calls, and exception classes."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import flashlight as fl
import flashlight.nn.functional as FF
from functional_parity import G, assert_close, check, check_double_backward, raises_like

DTYPES = ["float32", "float64"]


def rand(rng, *shape):
    return rng.standard_normal(shape)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 4, 5)])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_training_updates_running_stats(rng, dtype, shape, affine):
    C = shape[1]
    x, w, b = rand(rng, *shape), rng.uniform(0.5, 1.5, C), rand(rng, C)
    rm, rv = rand(rng, C).astype(dtype), rng.uniform(0.5, 2, C).astype(dtype)
    fl_rm, fl_rv = fl.tensor(rm), fl.tensor(rv)
    t_rm, t_rv = torch.from_numpy(rm.copy()), torch.from_numpy(rv.copy())
    extra = [G(w), G(b)] if affine else [None, None]

    def fl_fn(x, _rm, _rv, w, b, **kw):
        return FF.batch_norm(x, fl_rm, fl_rv, w, b, **kw)

    def t_fn(x, _rm, _rv, w, b, **kw):
        return F.batch_norm(x, t_rm, t_rv, w, b, **kw)

    for momentum in (0.1, 0.5):
        check("batch_norm", [G(x), None, None] + extra, {"training": True, "momentum": momentum}, dtype,
              torch_fn=t_fn, fl_fn=fl_fn)
        assert_close(fl_rm, t_rm, dtype, "running_mean")
        assert_close(fl_rv, t_rv, dtype, "running_var")
    # Evaluation mode uses the running statistics, which stay as they are.
    check("batch_norm", [G(x), None, None] + extra, {"training": False}, dtype, torch_fn=t_fn, fl_fn=fl_fn)
    assert_close(fl_rm, t_rm, dtype, "running_mean after eval")


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_without_running_stats(rng, dtype):
    x = rand(rng, 6, 3, 2)
    check("batch_norm", [G(x), None, None], {"training": True}, dtype)
    check("batch_norm", [G(x), None, None, G(rand(rng, 3)), None], {"training": True, "eps": 1e-3}, dtype)


def test_batch_norm_running_stats_stay_out_of_autograd(rng):
    rm, rv = fl.zeros(3), fl.ones(3)
    x = fl.tensor(rand(rng, 4, 3).astype("float32")).requires_grad_()
    y = FF.batch_norm(x, rm, rv, training=True)
    assert not rm.requires_grad and rm.grad_fn is None
    assert rm._version > 0 and rv._version > 0
    y.sum().backward()
    assert x.grad is not None


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,normalized", [((4, 5), [5]), ((2, 3, 4), [3, 4]), ((2, 3, 4), (4,)), ((6,), (6,))])
def test_layer_norm(rng, dtype, shape, normalized):
    ns = [normalized] if isinstance(normalized, int) else list(normalized)
    check("layer_norm", [G(rand(rng, *shape)), normalized], {}, dtype)
    check("layer_norm", [G(rand(rng, *shape)), normalized, G(rand(rng, *ns)), G(rand(rng, *ns))], {"eps": 1e-3},
          dtype)
    check("layer_norm", [G(rand(rng, *shape)), normalized, G(rand(rng, *ns))], {}, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,normalized", [((4, 5), [5]), ((2, 3, 4), [3, 4])])
def test_rms_norm(rng, dtype, shape, normalized):
    check("rms_norm", [G(rand(rng, *shape)), normalized], {}, dtype)
    check("rms_norm", [G(rand(rng, *shape)), normalized, G(rand(rng, *normalized))], {"eps": 1e-3}, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,groups", [((2, 6), 3), ((2, 6, 5), 2), ((3, 4, 2, 3), 4), ((2, 4, 3), 1)])
def test_group_norm(rng, dtype, shape, groups):
    C = shape[1]
    check("group_norm", [G(rand(rng, *shape)), groups], {}, dtype)
    check("group_norm", [G(rand(rng, *shape)), groups, G(rand(rng, C)), G(rand(rng, C))], {"eps": 1e-4}, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_instance_norm(rng, dtype):
    x = rand(rng, 3, 2, 5)
    check("instance_norm", [G(x)], {}, dtype)
    check("instance_norm", [G(x)], {"weight": G(rand(rng, 2)), "bias": G(rand(rng, 2))}, dtype)
    rm, rv = rand(rng, 2).astype(dtype), rng.uniform(0.5, 2, 2).astype(dtype)
    fl_rm, fl_rv, t_rm, t_rv = fl.tensor(rm), fl.tensor(rv), torch.from_numpy(rm.copy()), torch.from_numpy(rv.copy())
    check("instance_norm", [G(rand(rng, 3, 2, 4, 4))], {"momentum": 0.3}, dtype,
          fl_fn=lambda x, **kw: FF.instance_norm(x, fl_rm, fl_rv, **kw),
          torch_fn=lambda x, **kw: F.instance_norm(x, t_rm, t_rv, **kw))
    assert_close(fl_rm, t_rm, dtype, "running_mean")
    assert_close(fl_rv, t_rv, dtype, "running_var")
    check("instance_norm", [G(rand(rng, 3, 2, 4))], {"use_input_stats": False}, dtype,
          fl_fn=lambda x, **kw: FF.instance_norm(x, fl_rm, fl_rv, **kw),
          torch_fn=lambda x, **kw: F.instance_norm(x, t_rm, t_rv, **kw))


@pytest.mark.parametrize("dtype", DTYPES)
def test_normalize(rng, dtype):
    check("normalize", [G(rand(rng, 4, 3))], {}, dtype)
    check("normalize", [G(rand(rng, 4, 3))], {"dim": 0, "p": 1.0}, dtype)
    check("normalize", [G(rand(rng, 2, 3, 4))], {"dim": -1, "p": 3.0}, dtype)
    x = rand(rng, 3, 4)
    x[1] = 0  # a zero row: divided by eps, gradient finite as torch's
    check("normalize", [G(x)], {"dim": 1}, dtype)


def _pair(rng, *shape):
    a = rand(rng, *shape).astype("float32")
    return fl.tensor(a), torch.from_numpy(a)


@pytest.mark.parametrize("call", [
    lambda L, x, C: L.batch_norm(x(1, 3), None, None, training=True),
    lambda L, x, C: L.batch_norm(x(2, 3), C(4), C(4)),
    lambda L, x, C: L.batch_norm(x(2, 3), None, None),
    lambda L, x, C: L.batch_norm(x(2, 3), C(3), C(3), weight=C(4)),
    lambda L, x, C: L.batch_norm(x(2, 3), None, None, training=True, eps=0.0),
    lambda L, x, C: L.layer_norm(x(2, 3), [4]),
    lambda L, x, C: L.layer_norm(x(2, 3), [3], weight=C(4)),
    lambda L, x, C: L.layer_norm(x(2, 3), [3], bias=C(2)),
    lambda L, x, C: L.rms_norm(x(2, 3), [4]),
    lambda L, x, C: L.rms_norm(x(2, 3), [3], weight=C(4)),
    lambda L, x, C: L.rms_norm(x(2, 3), []),
    lambda L, x, C: L.group_norm(x(2, 6, 4), 4),
    lambda L, x, C: L.group_norm(x(2, 6, 4), 3, weight=C(5)),
    lambda L, x, C: L.group_norm(x(6), 3),
    lambda L, x, C: L.instance_norm(x(2, 3, 1)),
    lambda L, x, C: L.normalize(x(3).long(), dim=0),
])
def test_errors(rng, call):

    def make(lib):
        def x(*shape):
            f, t = _pair(rng, *shape)
            return f if lib is FF else t

        def C(n):
            return fl.ones(n) if lib is FF else torch.ones(n)
        return x, C

    raises_like(lambda: call(FF, *make(FF)), lambda: call(F, *make(F)))


@pytest.mark.parametrize("fn", [
    lambda lib, m, X: m.layer_norm(X, [4]).pow(3).sum(),
    lambda lib, m, X: m.batch_norm(X, None, None, training=True).pow(3).sum(),
    lambda lib, m, X: m.group_norm(X.reshape(3, 2, 2), 2).pow(3).sum(),
])
def test_double_backward(rng, fn):
    check_double_backward(fn, rng.uniform(0.1, 0.9, (3, 4)))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_matches_torch_exactly(rng, dtype):
    # Statistics accumulate in float32 (rms_norm's default eps is float32's), then one rounding to the half type.
    x, w, b = rand(rng, 4, 6).astype("float32"), rng.uniform(0.5, 2, 6).astype("float32"), rand(rng, 6)
    fx, tx = fl.tensor(x).to(getattr(fl, dtype)), torch.from_numpy(x).to(getattr(torch, dtype))
    fw, tw = fl.tensor(w).to(getattr(fl, dtype)), torch.from_numpy(w).to(getattr(torch, dtype))
    fb, tb = fl.tensor(b.astype("float32")).to(getattr(fl, dtype)), torch.from_numpy(b.astype("float32")).to(
        getattr(torch, dtype))
    for got, want in [(FF.rms_norm(fx, [6], fw), F.rms_norm(tx, [6], tw)),
                      (FF.layer_norm(fx, [6], fw, fb), F.layer_norm(tx, [6], tw, tb))]:
        assert str(got.dtype).split(".")[-1] == dtype
        np.testing.assert_array_equal(got.float().numpy(), want.float().numpy())
