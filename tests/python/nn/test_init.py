"""flashlight.nn.init against torch.nn.init: gains (values and types), fans, exact initialisers (constant, eye,
dirac), distribution bounds and statistics of large draws against torch's formulas and torch's own draws
(flashlight's stream comes from MLX's PRNG, so values differ for the same seed), errors, warnings, generator=."""
import math
import warnings

import numpy as np
import pytest
import torch

import flashlight as fl

N = 200_000


@pytest.fixture(autouse=True)
def seeded():
    fl.manual_seed(0)
    torch.manual_seed(0)


def pair(shape, dtype="float32", requires_grad=False):
    return (fl.empty(*shape, dtype=getattr(fl, dtype), requires_grad=requires_grad),
            torch.empty(*shape, dtype=getattr(torch, dtype), requires_grad=requires_grad))


def arr(t):
    return np.asarray(t.detach().numpy(), dtype=np.float64)


@pytest.mark.parametrize("nonlinearity,param", [
    ("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None), ("conv_transpose1d", None),
    ("conv_transpose2d", None), ("conv_transpose3d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
    ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 3), ("leaky_relu", math.sqrt(5)), ("selu", None),
    ("relu", True)])
def test_calculate_gain(nonlinearity, param):
    want = torch.nn.init.calculate_gain(nonlinearity, param)
    got = fl.nn.init.calculate_gain(nonlinearity, param)
    assert type(got) is type(want)
    assert got == pytest.approx(want, rel=1e-15)


@pytest.mark.parametrize("call", [
    lambda I, t: I.calculate_gain("leaky_relu", True),
    lambda I, t: I.calculate_gain("leaky_relu", "x"),
    lambda I, t: I.calculate_gain("foo"),
    lambda I, t: I.kaiming_uniform_(t.empty(3)),
    lambda I, t: I.kaiming_normal_(t.empty(3, 3), mode="fanout"),
    lambda I, t: I.kaiming_uniform_(t.empty(3, 3), nonlinearity="foo"),
    lambda I, t: I.xavier_normal_(t.empty(3)),
    lambda I, t: I.xavier_uniform_(t.empty(())),
    lambda I, t: I.eye_(t.empty(3)),
    lambda I, t: I.dirac_(t.empty(3, 3)),
    lambda I, t: I.dirac_(t.empty(3, 3, 3), 2),
    lambda I, t: I.orthogonal_(t.empty(3)),
    lambda I, t: I.sparse_(t.empty(3), 0.1),
    lambda I, t: I._calculate_fan_in_and_fan_out(t.empty(5)),
    lambda I, t: I.uniform_(t.zeros(3, dtype=t.long)),
    lambda I, t: I.normal_(t.zeros(3, dtype=t.long)),
    lambda I, t: I.uniform_(t.zeros(3), 1.0, 0.0),
    lambda I, t: I.normal_(t.zeros(3), 0.0, -1.0),
])
def test_errors_match_torch(call):
    with pytest.raises(Exception) as te:
        call(torch.nn.init, torch)
    with pytest.raises(Exception) as fe:
        call(fl.nn.init, fl)
    assert isinstance(fe.value, type(te.value)) or type(te.value) is KeyError, (fe.value, te.value)
    assert str(fe.value) == str(te.value)


@pytest.mark.parametrize("shape", [(3, 5), (16, 8, 3, 3), (4, 2, 5), (2, 3, 1, 2, 2), (7, 1)])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "FAN_OUT"])
def test_fans(shape, mode):
    f, t = pair(shape)
    assert fl.nn.init._calculate_fan_in_and_fan_out(f) == torch.nn.init._calculate_fan_in_and_fan_out(t)
    assert fl.nn.init._calculate_correct_fan(f, mode) == torch.nn.init._calculate_correct_fan(t, mode)


def test_returns_argument_in_place_without_grad():
    w = fl.zeros(4, 5, requires_grad=True)
    for init in (fl.nn.init.uniform_, fl.nn.init.normal_, fl.nn.init.xavier_uniform_, fl.nn.init.kaiming_normal_,
                 fl.nn.init.orthogonal_, fl.nn.init.trunc_normal_, fl.nn.init.zeros_, fl.nn.init.eye_):
        assert init(w) is w
        assert w.is_leaf and w.grad_fn is None and w.requires_grad
    # A Tensor subclass (as a Parameter class may be) comes back as itself.
    class Param(fl.Tensor):
        pass

    p = Param(fl.zeros(3, 4))
    out = fl.nn.init.kaiming_uniform_(p, a=math.sqrt(5))
    assert out is p and type(out) is Param and np.abs(arr(p)).max() > 0
    # A view writes through to its base.
    base = fl.zeros(4, 4)
    fl.nn.init.ones_(base[1:3])
    np.testing.assert_array_equal(arr(base).sum(1), [0, 4, 4, 0])


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_exact_initialisers(dtype):
    for shape, call in [((2, 3), lambda I, x: I.constant_(x, 3)), ((2, 3), lambda I, x: I.ones_(x)),
                        ((2, 3), lambda I, x: I.zeros_(x)), ((2, 5), lambda I, x: I.eye_(x)),
                        ((4, 2), lambda I, x: I.eye_(x)), ((4, 3, 3), lambda I, x: I.dirac_(x)),
                        ((6, 2, 3, 3), lambda I, x: I.dirac_(x, 3)), ((2, 4, 3, 2, 3), lambda I, x: I.dirac_(x)),
                        ((4, 1, 5), lambda I, x: I.dirac_(x, 2))]:
        f, t = pair(shape, dtype)
        got, want = call(fl.nn.init, f), call(torch.nn.init, t)
        assert repr(got.dtype).split(".")[-1] == repr(want.dtype).split(".")[-1]
        np.testing.assert_array_equal(arr(got), arr(want))


def uniform_bound(call, shape):
    """The bound torch's uniform initialiser promises, recovered from torch's own formula pieces."""
    t = torch.empty(*shape)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(t)
    return call(fan_in, fan_out)


@pytest.mark.parametrize("name,kwargs,bound", [
    ("uniform_", {"a": -1.0, "b": 3.0}, None),
    ("xavier_uniform_", {"gain": 2.0}, lambda fi, fo: 2.0 * math.sqrt(6.0 / (fi + fo))),
    ("kaiming_uniform_", {"a": math.sqrt(5)}, lambda fi, fo: 1 / math.sqrt(fi)),
    ("kaiming_uniform_", {"mode": "fan_out", "nonlinearity": "relu"}, lambda fi, fo: math.sqrt(6 / fo)),
])
def test_uniform_family_bounds_and_statistics(name, kwargs, bound):
    shape = (400, 500)
    f, t = pair(shape)
    a = arr(getattr(fl.nn.init, name)(f, **kwargs))
    b = arr(getattr(torch.nn.init, name)(t, **kwargs))
    lo, hi = (kwargs["a"], kwargs["b"]) if bound is None else (-uniform_bound(bound, shape), uniform_bound(bound, shape))
    assert a.min() >= lo and a.max() <= hi
    assert a.min() < lo + 0.001 * (hi - lo) and a.max() > hi - 0.001 * (hi - lo)
    assert a.std() == pytest.approx((hi - lo) / math.sqrt(12), rel=0.01)
    assert a.std() == pytest.approx(b.std(), rel=0.015)
    assert a.mean() == pytest.approx(b.mean(), abs=0.01 * (hi - lo))


@pytest.mark.parametrize("name,kwargs,shape", [
    ("normal_", {"mean": 2.0, "std": 0.5}, (N,)),
    ("xavier_normal_", {"gain": 1.5}, (256, 128, 3)),
    ("kaiming_normal_", {}, (512, 400)),
    ("kaiming_normal_", {"a": 0.2, "mode": "fan_out", "nonlinearity": "leaky_relu"}, (64, 32, 5, 5)),
])
def test_normal_family_statistics(name, kwargs, shape):
    f, t = pair(shape)
    a = arr(getattr(fl.nn.init, name)(f, **kwargs))
    b = arr(getattr(torch.nn.init, name)(t, **kwargs))
    assert a.std() == pytest.approx(b.std(), rel=0.02)
    assert a.mean() == pytest.approx(b.mean(), abs=0.02 * b.std())
    # Gaussian tails: about 0.27% beyond 3 std.
    assert np.mean(np.abs(a - a.mean()) > 3 * a.std()) == pytest.approx(0.0027, abs=0.001)


def truncated_moments(mu, sigma, a, b):
    """Mean and std of N(mu, sigma) truncated to [a, b]."""
    pdf = lambda x: math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda x: 0.5 * (1 + math.erf(x / math.sqrt(2)))  # noqa: E731
    al, be = (a - mu) / sigma, (b - mu) / sigma
    z = cdf(be) - cdf(al)
    m = (pdf(al) - pdf(be)) / z
    return mu + sigma * m, sigma * math.sqrt(1 + (al * pdf(al) - be * pdf(be)) / z - m * m)


@pytest.mark.filterwarnings("ignore:mean is more than 2 std")
@pytest.mark.parametrize("mean,std,a,b", [(0, 1, -2, 2), (0, 0.02, -2, 2), (1, 2, -1, 4), (0, 1, 1, 3),
                                          (0, 0.02, 0.05, 0.1)])
def test_trunc_normal_bounds_and_moments(mean, std, a, b):
    # torch's sampler is slow when [a, b] holds little mass: a smaller torch draw, compared loosely.
    x = arr(fl.nn.init.trunc_normal_(fl.empty(100_000, dtype=fl.float64), mean, std, a, b))
    y = arr(torch.nn.init.trunc_normal_(torch.empty(10_000, dtype=torch.float64), mean, std, a, b))
    assert x.min() >= a and x.max() <= b
    m, s = truncated_moments(mean, std, a, b)
    assert x.mean() == pytest.approx(m, abs=0.015 * s)
    assert x.std() == pytest.approx(s, rel=0.015)
    assert x.mean() == pytest.approx(y.mean(), abs=0.05 * s)
    assert np.quantile(x, 0.9) == pytest.approx(np.quantile(y, 0.9), abs=0.08 * s)


@pytest.mark.parametrize("shape,gain,dtype", [((4, 9), 1.0, "float32"), ((9, 4), 2.0, "float32"),
                                              ((6, 6), 1.0, "float64"), ((3, 2, 2, 2), 0.5, "float32")])
def test_orthogonal(shape, gain, dtype):
    f, t = pair(shape, dtype)
    a = arr(fl.nn.init.orthogonal_(f, gain=gain)).reshape(shape[0], -1)
    b = arr(torch.nn.init.orthogonal_(t, gain=gain)).reshape(shape[0], -1)
    small = a @ a.T if a.shape[0] <= a.shape[1] else a.T @ a
    np.testing.assert_allclose(small, gain ** 2 * np.eye(small.shape[0]), atol=1e-5)
    # Same singular values as torch's (all equal to gain).
    np.testing.assert_allclose(np.linalg.svd(a, compute_uv=False), np.linalg.svd(b, compute_uv=False), atol=1e-5)


def test_sparse_zero_counts_match_torch():
    f, t = pair((10, 40))
    a = arr(fl.nn.init.sparse_(f, 0.25, std=0.5))
    b = arr(torch.nn.init.sparse_(t, 0.25, std=0.5))
    np.testing.assert_array_equal((a == 0).sum(0), (b == 0).sum(0))


def test_generator_keyword():
    draws = []
    for _ in range(2):
        g = fl.Generator().manual_seed(123)
        draws.append(arr(fl.nn.init.xavier_uniform_(fl.empty(5, 7), generator=g)))
        draws.append(arr(fl.nn.init.trunc_normal_(fl.empty(50), std=0.5, generator=g)))
    np.testing.assert_array_equal(draws[0], draws[2])
    np.testing.assert_array_equal(draws[1], draws[3])
    other = arr(fl.nn.init.xavier_uniform_(fl.empty(5, 7), generator=fl.Generator().manual_seed(124)))
    assert not np.array_equal(draws[0], other)
    with pytest.raises(TypeError):
        fl.nn.init.normal_(fl.empty(3), generator=7)


def test_warnings_match_torch():
    for call in (lambda I, t: I.kaiming_uniform_(t.empty(0, 3)), lambda I, t: I.kaiming_normal_(t.empty(0)),
                 lambda I, t: I.trunc_normal_(t.empty(3), mean=10.0), lambda I, t: I.uniform(t.empty(3)),
                 lambda I, t: I.xavier_normal(t.empty(3, 3))):
        with warnings.catch_warnings(record=True) as tw:
            warnings.simplefilter("always")
            call(torch.nn.init, torch)
        with warnings.catch_warnings(record=True) as fw:
            warnings.simplefilter("always")
            call(fl.nn.init, fl)
        assert [(w.category, str(w.message)) for w in fw] == [(w.category, str(w.message)) for w in tw]
    with pytest.warns(UserWarning, match="zero-element"):
        assert fl.nn.init.kaiming_uniform_(fl.empty(0)).shape == (0,)
