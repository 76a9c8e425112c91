"""Random creation against torch: shapes, dtypes, argument forms, requires_grad, error classes and distribution
statistics (flashlight's stream comes from MLX's PRNG, so values differ from torch's for the same seed), and
fl.Generator / fl.manual_seed reproducibility."""
import numpy as np
import pytest
import torch

import flashlight as fl


def dtype_name(d):
    return repr(d).split(".")[-1]


def same_meta(a, t):
    assert isinstance(a, fl.Tensor)
    assert dtype_name(a.dtype) == dtype_name(t.dtype)
    assert tuple(a.shape) == tuple(t.shape)
    assert a.requires_grad == t.requires_grad


def conv(kwargs, lib):
    return {k: (getattr(lib, v) if k == "dtype" else v) for k, v in kwargs.items()}


@pytest.mark.parametrize("name", ["rand", "randn"])
@pytest.mark.parametrize("args,kwargs", [((2, 3), {}), (((2, 3),), {}), (([4],), {}), ((), {"size": (3,)}),
                                         ((0,), {}), ((2,), {"dtype": "float64"}), ((2,), {"dtype": "float16"}),
                                         ((3,), {"requires_grad": True}), ((), {"size": ()})])
def test_rand_randn_meta(name, args, kwargs):
    a = getattr(fl, name)(*args, **conv(kwargs, fl))
    t = getattr(torch, name)(*args, **conv(kwargs, torch))
    same_meta(a, t)
    assert a.is_leaf


def test_rand_randn_integer_dtype_errors():
    for lib in (fl, torch):
        with pytest.raises(RuntimeError):
            lib.rand(2, dtype=lib.int64)
        with pytest.raises(RuntimeError):
            lib.randn(2, dtype=lib.int32)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rand_statistics(dtype):
    fl.manual_seed(0)
    x = fl.rand(200_000, dtype=getattr(fl, dtype)).numpy()
    assert x.min() >= 0 and x.max() < 1
    assert abs(x.mean() - 0.5) < 0.01 and abs(x.var() - 1 / 12) < 0.005
    y = fl.randn(200_000, dtype=getattr(fl, dtype)).numpy()
    assert abs(y.mean()) < 0.01 and abs(y.std() - 1) < 0.01


@pytest.mark.parametrize("args,kwargs", [((10, (3,)), {}), ((2, 5, (2, 2)), {}), ((3, [4]), {}),
                                         ((), {"low": 1, "high": 4, "size": (5,)}), ((4,), {"size": (3,)}),
                                         ((5, (2,)), {"dtype": "int32"}), ((5, (2,)), {"dtype": "float32"}),
                                         ((-3, 3, (6,)), {"dtype": "int8"}), ((1, (0,)), {})])
def test_randint(args, kwargs):
    a = fl.randint(*args, **conv(kwargs, fl))
    t = torch.randint(*args, **conv(kwargs, torch))
    same_meta(a, t)
    lo = kwargs.get("low", args[0] if len(args) == 3 else 0)
    hi = kwargs.get("high", args[1] if len(args) == 3 else (args[0] if args else None))
    v = a.numpy()
    assert v.size == 0 or (v.min() >= lo and v.max() < hi)


def test_randint_covers_range_and_errors():
    v = fl.randint(0, 4, (4000,)).numpy()
    assert set(np.unique(v).tolist()) == {0, 1, 2, 3}
    for lib in (fl, torch):
        with pytest.raises(RuntimeError):
            lib.randint(5, 2, (3,))
        with pytest.raises(TypeError):
            lib.randint(5)


@pytest.mark.parametrize("n,kwargs", [(5, {}), (0, {}), (1, {}), (7, {"dtype": "int32"}), (4, {"dtype": "float32"})])
def test_randperm(n, kwargs):
    a, t = fl.randperm(n, **conv(kwargs, fl)), torch.randperm(n, **conv(kwargs, torch))
    same_meta(a, t)
    assert sorted(a.tolist()) == list(range(n))


def test_randperm_error():
    for lib in (fl, torch):
        with pytest.raises(RuntimeError):
            lib.randperm(-1)


@pytest.mark.parametrize("src_dtype", ["float32", "float64"])
def test_like_functions(src_dtype):
    a, t = fl.ones(2, 3, dtype=getattr(fl, src_dtype)), torch.ones(2, 3, dtype=getattr(torch, src_dtype))
    same_meta(fl.rand_like(a), torch.rand_like(t))
    same_meta(fl.randn_like(a), torch.randn_like(t))
    same_meta(fl.rand_like(a, dtype=fl.float64), torch.rand_like(t, dtype=torch.float64))
    same_meta(fl.randn_like(a, requires_grad=True), torch.randn_like(t, requires_grad=True))
    same_meta(fl.randint_like(a, 5), torch.randint_like(t, 5))
    same_meta(fl.randint_like(a, 2, 5), torch.randint_like(t, 2, 5))
    same_meta(fl.randint_like(a, 5, dtype=fl.int64), torch.randint_like(t, 5, dtype=torch.int64))
    v = fl.randint_like(a, 2, 5).numpy()
    assert v.min() >= 2 and v.max() < 5


def test_normal_forms():
    m, s = fl.tensor([0.0, 10.0, -5.0]), fl.tensor([1.0, 0.5, 2.0])
    tm, ts = torch.tensor([0.0, 10.0, -5.0]), torch.tensor([1.0, 0.5, 2.0])
    same_meta(fl.normal(m, s), torch.normal(tm, ts))
    same_meta(fl.normal(m), torch.normal(tm))
    same_meta(fl.normal(m, 2.0), torch.normal(tm, 2.0))
    same_meta(fl.normal(1.0, s), torch.normal(1.0, ts))
    same_meta(fl.normal(0.0, 1.0, (2, 3)), torch.normal(0.0, 1.0, (2, 3)))
    same_meta(fl.normal(0.0, 1.0, size=(4,), dtype=fl.float64), torch.normal(0.0, 1.0, size=(4,), dtype=torch.float64))
    same_meta(fl.normal(2, 3, (2,), requires_grad=True), torch.normal(2, 3, (2,), requires_grad=True))
    big = fl.normal(fl.full((100_000,), 3.0), fl.full((100_000,), 2.0)).numpy()
    assert abs(big.mean() - 3) < 0.05 and abs(big.std() - 2) < 0.05
    x = fl.normal(5.0, 0.5, (100_000,)).numpy()
    assert abs(x.mean() - 5) < 0.02 and abs(x.std() - 0.5) < 0.02


def test_normal_gradients_are_zero_as_torch():
    res = []
    for lib in (fl, torch):
        m = lib.zeros(3, requires_grad=True)
        s = lib.ones(3, requires_grad=True)
        y = lib.normal(m, s)
        assert y.requires_grad and y.grad_fn.name() == "NormalBackward3"
        (y * 2).sum().backward()
        res.append((m.grad.tolist(), s.grad.tolist()))
        z = lib.normal(m, 2.0)
        z.sum().backward()
        assert m.grad.tolist() == [0.0, 0.0, 0.0]
    assert res[0] == res[1] == ([0.0] * 3, [0.0] * 3)


def test_normal_errors():
    for lib in (fl, torch):
        with pytest.raises(RuntimeError):
            lib.normal(0.0, -1.0, (2,))
        with pytest.raises(RuntimeError):
            lib.normal(lib.zeros(2), -1.0)


def test_bernoulli_and_multinomial():
    p, tp = fl.full((3, 4), 0.3), torch.full((3, 4), 0.3)
    same_meta(fl.bernoulli(p), torch.bernoulli(tp))
    same_meta(p.bernoulli(), tp.bernoulli())
    same_meta(fl.bernoulli(p, 0.9), torch.bernoulli(tp, 0.9))
    v = fl.bernoulli(fl.full((100_000,), 0.25)).numpy()
    assert set(np.unique(v).tolist()) <= {0.0, 1.0} and abs(v.mean() - 0.25) < 0.01
    assert fl.bernoulli(fl.tensor([0.0, 1.0, 1.0])).tolist() == [0.0, 1.0, 1.0]
    x = fl.zeros(1000)
    assert x.bernoulli_(0.5) is x and 400 < x.sum().item() < 600
    for lib in (fl, torch):
        with pytest.raises(RuntimeError):
            lib.bernoulli(lib.tensor([1.5]))
    probs, tprobs = fl.tensor([[0.1, 0.0, 0.9], [0.5, 0.5, 0.0]]), torch.tensor([[0.1, 0.0, 0.9], [0.5, 0.5, 0.0]])
    same_meta(fl.multinomial(probs, 2), torch.multinomial(tprobs, 2))
    same_meta(probs.multinomial(5, replacement=True), tprobs.multinomial(5, replacement=True))
    s = fl.multinomial(probs, 2).tolist()
    assert all(len(set(r)) == 2 for r in s) and 1 not in s[0] and 2 not in s[1]
    counts = np.bincount(fl.multinomial(fl.tensor([0.2, 0.8]), 20_000, True).numpy(), minlength=2)
    assert abs(counts[1] / 20_000 - 0.8) < 0.02
    for lib in (fl, torch):
        with pytest.raises(RuntimeError):
            lib.multinomial(lib.tensor([0.5, 0.5]), 3)


def test_inplace_random_methods():
    x = fl.empty(10_000)
    assert x.uniform_(2, 3) is x
    v = x.numpy()
    assert v.min() >= 2 and v.max() < 3
    x.normal_(1.0, 0.1)
    assert abs(x.numpy().mean() - 1) < 0.01
    y = fl.zeros(1000, dtype=fl.int64)
    assert y.random_(3, 7) is y
    assert set(np.unique(y.numpy()).tolist()) == {3, 4, 5, 6}
    y.random_(2)
    assert set(np.unique(y.numpy()).tolist()) == {0, 1}
    z = fl.zeros(100)
    z.random_()
    assert z.numpy().min() >= 0 and float(z.numpy().max()) <= 2 ** 24


def test_manual_seed_reproducible():
    g = fl.manual_seed(123)
    assert g is fl.default_generator
    assert fl.initial_seed() == 123
    a = [fl.rand(4), fl.randn(3), fl.randint(0, 100, (5,)), fl.randperm(6), fl.normal(0.0, 1.0, (2,)),
         fl.bernoulli(fl.full((6,), 0.5)), fl.multinomial(fl.ones(5), 3)]
    fl.manual_seed(123)
    b = [fl.rand(4), fl.randn(3), fl.randint(0, 100, (5,)), fl.randperm(6), fl.normal(0.0, 1.0, (2,)),
         fl.bernoulli(fl.full((6,), 0.5)), fl.multinomial(fl.ones(5), 3)]
    for x, y in zip(a, b):
        assert x.tolist() == y.tolist()
    assert fl.rand(4).tolist() != a[0].tolist()  # the stream moves on
    fl.manual_seed(-1)  # negative seeds wrap as in torch
    assert fl.initial_seed() == 2 ** 64 - 1
    torch.manual_seed(-1)
    assert torch.initial_seed() == 2 ** 64 - 1


def test_generator_objects():
    g = fl.Generator()
    assert g.initial_seed() == torch.Generator().initial_seed() == 67280421310721
    assert g.manual_seed(7) is g and g.initial_seed() == 7
    assert g.device == fl.device("cpu")
    a = fl.rand(5, generator=g)
    fl.rand(5)  # the default generator is independent
    g2 = fl.Generator().manual_seed(7)
    assert fl.rand(5, generator=g2).tolist() == a.tolist()
    g.manual_seed(7)
    fl.manual_seed(0)
    for fn in (lambda gen: fl.randn(3, generator=gen), lambda gen: fl.randint(0, 9, (4,), generator=gen),
               lambda gen: fl.randperm(5, generator=gen), lambda gen: fl.normal(0.0, 1.0, (3,), generator=gen),
               lambda gen: fl.bernoulli(fl.full((5,), 0.5), generator=gen),
               lambda gen: fl.multinomial(fl.ones(4), 2, generator=gen),
               lambda gen: fl.rand_like(fl.ones(3), generator=gen),
               lambda gen: fl.empty(3).uniform_(generator=gen), lambda gen: fl.empty(3).normal_(generator=gen)):
        g1, g2 = fl.Generator().manual_seed(5), fl.Generator().manual_seed(5)
        assert fn(g1).tolist() == fn(g2).tolist()
    s = g.seed()
    assert isinstance(s, int) and g.initial_seed() == s
    assert isinstance(fl.seed(), int)


def test_random_module():
    assert fl.random.manual_seed(3) is fl.default_generator
    assert fl.random.initial_seed() == 3
    with pytest.raises(TypeError):
        fl.manual_seed(1.5)
