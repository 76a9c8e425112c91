"""flashlight.nn.functional dropout family: statistics (fraction zeroed, 1 / (1 - p) scaling, channel-wise masks,
alpha dropout's preserved mean and variance), eval-mode identity, gradients equal to mask / (1 - p), in-place
forms, seeding, and torch's exceptions. torch's random stream is not compared."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import flashlight as fl
import flashlight.nn.functional as FF
from functional_parity import raises_like


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
@pytest.mark.parametrize("dtype", [fl.float32, fl.float64])
def test_dropout_statistics_and_gradient(p, dtype):
    fl.manual_seed(1)
    x = (fl.rand(200, 100, dtype=dtype) + 1).requires_grad_()
    y = FF.dropout(x, p)
    assert y.dtype == dtype
    yv, xv = y.detach().numpy(), x.detach().numpy()
    kept = yv != 0
    assert abs((~kept).mean() - p) < 0.02
    np.testing.assert_allclose(yv[kept], xv[kept] / (1 - p), rtol=1e-6)
    y.backward(fl.ones_like(y))
    np.testing.assert_allclose(x.grad.numpy(), kept / (1 - p), rtol=1e-6)


def test_dropout_is_identity_in_eval_or_p0():
    x = fl.randn(4, 5)
    assert FF.dropout(x, 0.5, training=False) is x or np.array_equal(FF.dropout(x, 0.5, False).numpy(), x.numpy())
    np.testing.assert_array_equal(FF.dropout(x, 0.0).numpy(), x.numpy())
    np.testing.assert_array_equal(FF.alpha_dropout(x, 0.5).numpy(), x.numpy())  # training defaults to False
    np.testing.assert_array_equal(FF.dropout2d(x.reshape(2, 2, 5), 0.5, training=False).numpy(),
                                  x.reshape(2, 2, 5).numpy())


def test_dropout_p1_zeroes_everything():
    x = fl.randn(3, 4).requires_grad_()
    y = FF.dropout(x, 1.0)
    assert not np.any(y.detach().numpy())
    y.sum().backward()
    assert not np.any(x.grad.numpy())


def test_seed_reproduces_the_mask():
    x = fl.ones(50)
    fl.manual_seed(7)
    a = FF.dropout(x, 0.5).numpy()
    fl.manual_seed(7)
    b = FF.dropout(x, 0.5).numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, FF.dropout(x, 0.5).numpy())


def test_inplace():
    fl.manual_seed(3)
    x = fl.ones(1000)
    y = FF.dropout(x, 0.3, inplace=True)
    np.testing.assert_array_equal(x.numpy(), y.numpy())
    vals = np.unique(x.numpy())
    assert len(vals) == 2 and vals[0] == 0 and np.isclose(vals[1], 1 / 0.7)
    # In place on a non-leaf keeps the gradient: mask / (1 - p).
    a = fl.ones(500).requires_grad_()
    h = a * 1.0
    FF.dropout(h, 0.4, inplace=True)
    h.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), h.detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("fn,shape,channel_axes", [
    (FF.dropout1d, (8, 50, 6), 2), (FF.dropout1d, (50, 6), 2), (FF.dropout2d, (8, 50, 3, 4), 2),
    (FF.dropout2d, (8, 50, 6), 2), (FF.dropout3d, (4, 50, 2, 2, 3), 2), (FF.dropout3d, (50, 2, 2, 3), 1)])
def test_channel_dropout(fn, shape, channel_axes):
    fl.manual_seed(0)
    x = (fl.rand(*shape) + 1).requires_grad_()
    y = fn(x, 0.5)
    yv = y.detach().numpy()
    channels = yv.reshape(int(np.prod(shape[:channel_axes])), -1)
    zero_ch = (channels == 0).all(axis=1)
    assert ((channels != 0).all(axis=1) | zero_ch).all(), "a channel is partly zeroed"
    assert 0.3 < zero_ch.mean() < 0.7
    kept = yv != 0
    np.testing.assert_allclose(yv[kept], x.detach().numpy()[kept] * 2, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), kept * 2.0, rtol=1e-6)


@pytest.mark.parametrize("fn", [FF.alpha_dropout, FF.feature_alpha_dropout])
def test_alpha_dropout_keeps_mean_and_variance(fn):
    fl.manual_seed(0)
    x = fl.randn(400, 50, 4, dtype=fl.float64)
    y = fn(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.03 and abs(y.var() - 1) < 0.05
    # Dropped positions take one value: alpha' a + b with b = alpha a p.
    alpha = 1.7580993408473766
    a = 1 / np.sqrt((alpha ** 2 * 0.2 + 1) * 0.8)
    dropped = np.isclose(y, -alpha * a + alpha * a * 0.2)
    assert abs(dropped.mean() - 0.2) < 0.02


@pytest.mark.parametrize("call", [
    lambda L, x: L.dropout(x, 1.5), lambda L, x: L.dropout(x, -0.1), lambda L, x: L.dropout1d(x, 0.5),
    lambda L, x: L.alpha_dropout(x, 2.0), lambda L, x: L.dropout2d(x, -1.0),
    lambda L, x: L.feature_alpha_dropout(x, 0.5, training=True)])
def test_errors(call):
    a = np.ones(5, dtype="float32")
    raises_like(lambda: call(FF, fl.tensor(a)), lambda: call(F, torch.from_numpy(a)))


def test_dropout2d_rank_warnings_match_torch():
    for shape in [(2, 3), (2, 3, 4, 5, 6)]:
        with pytest.warns(UserWarning) as got:
            FF.dropout2d(fl.ones(*shape), 0.5)
        with pytest.warns(UserWarning) as want:
            F.dropout2d(torch.ones(*shape), 0.5)
        assert str(got[0].message) == str(want[0].message)
