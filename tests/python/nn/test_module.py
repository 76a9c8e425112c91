"""nn.Module system against torch.nn: registration, traversal, state-dict keys, load errors, hooks, modes, repr,
containers and conversion. Models are built in both libraries with the same structure; weights are copied across
through numpy where outputs are compared."""
import copy
from collections import OrderedDict

import numpy as np
import pytest
import torch

import flashlight as fl
import flashlight.nn as nn


def both(build):
    """The same model built from torch.nn and flashlight.nn."""
    return build(torch.nn), build(nn)


def copy_weights(t_model, f_model):
    f_model.load_state_dict({k: v.detach().numpy() for k, v in t_model.state_dict().items()})


class Net:
    """A nested model with parameters, buffers (persistent and not), a Sequential and a ModuleDict."""

    @staticmethod
    def build(lib):
        class Block(lib.Module):
            def __init__(self):
                super().__init__()
                self.fc = lib.Linear(4, 3)
                self.bn = lib.BatchNorm1d(3)
                self.register_buffer("scale", (torch if lib is torch.nn else fl).ones(3))
                self.register_buffer("cache", (torch if lib is torch.nn else fl).zeros(2), persistent=False)

            def forward(self, x):
                return self.bn(self.fc(x)) * self.scale

        class Model(lib.Module):
            def __init__(self):
                super().__init__()
                self.block = Block()
                self.layers = lib.Sequential(lib.Linear(3, 5), lib.ReLU(), lib.Linear(5, 2, bias=False))
                self.heads = lib.ModuleDict({"a": lib.Tanh(), "b": lib.Identity()})
                self.extra = lib.Parameter((torch if lib is torch.nn else fl).zeros(2))

            def forward(self, x):
                return self.heads["a"](self.layers(self.block(x))) + self.extra

        return Model()


def test_state_dict_keys_and_order_match_torch():
    t, f = both(Net.build)
    assert list(f.state_dict().keys()) == list(t.state_dict().keys())
    assert [n for n, _ in f.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in f.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in f.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in f.named_children()] == [n for n, _ in t.named_children()]
    for (n, a), (_, b) in zip(f.state_dict().items(), t.state_dict().items()):
        assert tuple(a.shape) == tuple(b.shape), n
        assert repr(a.dtype).split(".")[-1] == repr(b.dtype).split(".")[-1], n


def test_loaded_weights_give_torch_outputs_and_grads():
    t, f = both(Net.build)
    copy_weights(t, f)
    x = np.random.default_rng(0).standard_normal((6, 4)).astype(np.float32)
    for mode in ("train", "eval"):
        getattr(t, mode)()
        getattr(f, mode)()
        tx, fx = torch.tensor(x, requires_grad=True), fl.tensor(x, requires_grad=True)
        ty, fy = t(tx), f(fx)
        np.testing.assert_allclose(fy.detach().numpy(), ty.detach().numpy(), rtol=1e-5, atol=1e-6)
        ty.square().sum().backward()
        fy.square().sum().backward()
        np.testing.assert_allclose(fx.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-5)
        for (n, fp), (_, tp) in zip(f.named_parameters(), t.named_parameters()):
            np.testing.assert_allclose(fp.grad.numpy(), tp.grad.numpy(), rtol=1e-4, atol=1e-5, err_msg=n)
        f.zero_grad()
        t.zero_grad()
        assert all(p.grad is None for p in f.parameters())
    # Running statistics moved identically in train mode.
    for k in ("block.bn.running_mean", "block.bn.running_var", "block.bn.num_batches_tracked"):
        np.testing.assert_allclose(f.state_dict()[k].numpy(), t.state_dict()[k].numpy(), rtol=1e-5, atol=1e-7)


def test_load_state_dict_errors_match_torch():
    t, f = both(Net.build)
    sd = {k: v.detach().numpy() for k, v in t.state_dict().items()}
    missing = dict(sd)
    del missing["layers.0.bias"]
    missing["bogus.weight"] = np.zeros(1, np.float32)
    with pytest.raises(RuntimeError) as fe:
        f.load_state_dict(missing)
    with pytest.raises(RuntimeError) as te:
        t.load_state_dict({k: torch.tensor(v) for k, v in missing.items()})
    assert str(fe.value) == str(te.value)
    res = f.load_state_dict(missing, strict=False)
    tres = t.load_state_dict({k: torch.tensor(v) for k, v in missing.items()}, strict=False)
    assert (res.missing_keys, res.unexpected_keys) == (tres.missing_keys, tres.unexpected_keys)
    bad = dict(sd)
    bad["layers.0.weight"] = np.zeros((4, 4), np.float32)
    with pytest.raises(RuntimeError, match=r"size mismatch for layers\.0\.weight: copying a param with shape "):
        f.load_state_dict(bad)
    assert repr(f.load_state_dict(sd)) == "<All keys matched successfully>"


def test_repr_matches_torch():
    t, f = both(Net.build)
    assert repr(f) == repr(t)
    for build in (lambda lib: lib.Sequential(lib.Conv2d(1, 6, 5, padding=2), lib.MaxPool2d(2), lib.Flatten(),
                                             lib.Dropout(0.25), lib.LayerNorm(8), lib.GELU(approximate="tanh"),
                                             lib.Softmax(dim=1), lib.LeakyReLU(0.2), lib.Embedding(10, 3, 0)),
                  lambda lib: lib.ModuleList([lib.Linear(2, 2) for _ in range(3)] + [lib.ReLU()]),
                  lambda lib: lib.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True),
                  lambda lib: lib.Sequential(OrderedDict(conv=lib.Conv1d(2, 4, 3, stride=2, bias=False),
                                                         bn=lib.BatchNorm1d(4, momentum=None),
                                                         act=lib.Hardtanh(-2.0, 2.0, inplace=True))),
                  lambda lib: lib.TransformerEncoderLayer(8, 2, dim_feedforward=16),
                  lambda lib: lib.GroupNorm(2, 4), lambda lib: lib.AvgPool1d(3),
                  lambda lib: lib.ConvTranspose2d(4, 2, 3, stride=2, output_padding=1, groups=2)):
        t, f = both(build)
        assert repr(f) == repr(t)


def test_setattr_registration_rules():
    m = nn.Module()
    m.w = nn.Parameter(fl.ones(2))
    m.sub = nn.Linear(2, 2)
    m.register_buffer("buf", fl.zeros(1))
    m.buf = fl.ones(1)  # assigning a tensor to a buffer name keeps it a buffer
    assert list(dict(m.named_buffers())) == ["buf"] and m.buf.item() == 1
    m.plain = 3
    assert list(dict(m.named_parameters())) == ["w", "sub.weight", "sub.bias"]
    with pytest.raises(TypeError, match="cannot assign 'torch.FloatTensor' as parameter 'w'"):
        m.w = fl.zeros(2)
    with pytest.raises(TypeError, match="cannot assign 'int' as child module 'sub'"):
        m.sub = 1
    with pytest.raises(KeyError, match="attribute 'plain' already exists"):
        m.register_buffer("plain", fl.zeros(1))
    with pytest.raises(KeyError, match="contain"):
        m.register_parameter("a.b", None)
    m.w = None
    assert "w" not in dict(m.named_parameters())
    del m.sub
    assert not hasattr(m, "sub")
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'nope'"):
        m.nope
    m.b2 = nn.Buffer(fl.ones(2), persistent=False)
    assert "b2" in dict(m.named_buffers()) and "b2" not in m.state_dict()


def test_parameter_shares_storage_and_requires_grad():
    t = fl.zeros(3)
    p = nn.Parameter(t)
    assert isinstance(p, fl.Tensor) and isinstance(p, nn.Parameter) and p.requires_grad and p.is_leaf
    t[0] = 5.0
    assert p[0].item() == 5.0
    assert repr(p) == repr(torch.nn.Parameter(torch.tensor([5.0, 0, 0])))
    q = copy.deepcopy(p)
    assert isinstance(q, nn.Parameter) and q.requires_grad
    q.data.fill_(1.0)
    assert p[1].item() == 0.0
    assert not nn.Parameter(fl.ones(1), requires_grad=False).requires_grad


def test_hooks_order_return_values_and_removal():
    m = nn.Identity()
    calls = []
    h1 = m.register_forward_pre_hook(lambda mod, args: calls.append("pre") or (args[0] * 2,))
    h2 = m.register_forward_hook(lambda mod, args, out: calls.append("post") or out + 1)
    h3 = m.register_forward_hook(lambda mod, args, kwargs, out: calls.append(("kw", kwargs)), with_kwargs=True)
    h4 = m.register_forward_hook(lambda mod, args, out: calls.append("first"), prepend=True)
    assert m(fl.tensor(3.0)).item() == 7.0
    assert calls == ["pre", "first", "post", ("kw", {})]
    for h in (h1, h2, h3, h4):
        h.remove()
    assert m(fl.tensor(3.0)).item() == 3.0


def test_modes_apply_requires_grad_and_conversion():
    t, f = both(lambda lib: lib.Sequential(lib.Linear(2, 3), lib.Dropout(0.5), lib.BatchNorm1d(3)))
    f.eval()
    assert not any(m.training for m in f.modules())
    f.train()
    assert all(m.training for m in f.modules())
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        f.train("yes")
    seen = []
    f.apply(lambda m: seen.append(type(m).__name__))
    assert seen == [type(m).__name__ for m in t.modules()][1:] + ["Sequential"]
    f.requires_grad_(False)
    assert not any(p.requires_grad for p in f.parameters())
    params = list(f.parameters())
    f.double()
    assert [p is q for p, q in zip(f.parameters(), params)] == [True] * len(params)  # same Parameter objects
    assert all(p.dtype == fl.float64 for p in f.parameters())
    assert f[2].num_batches_tracked.dtype == fl.int64  # integer buffers keep their dtype
    f.to(fl.float32)
    assert f[2].running_mean.dtype == fl.float32
    with pytest.raises(TypeError, match="floating point"):
        f.to(fl.int32)


def test_sequential_and_lists_behave_like_torch():
    t, f = both(lambda lib: lib.Sequential(lib.Linear(2, 2), lib.ReLU(), lib.Tanh()))
    assert len(f) == 3 and isinstance(f[-1], nn.Tanh)
    assert repr(f[1:]) == repr(t[1:])
    f.append(nn.Sigmoid())
    t.append(torch.nn.Sigmoid())
    del f[0]
    del t[0]
    assert repr(f) == repr(t)
    f.insert(1, nn.Identity())
    t.insert(1, torch.nn.Identity())
    assert repr(f) == repr(t)
    with pytest.raises(IndexError):
        f[10]
    ml = nn.ModuleList([nn.ReLU()])
    ml += [nn.Tanh()]
    ml.insert(0, nn.Identity())
    assert [type(m).__name__ for m in ml] == ["Identity", "ReLU", "Tanh"]
    pl = nn.ParameterList([fl.ones(2), nn.Parameter(fl.zeros(3))])
    tpl = torch.nn.ParameterList([torch.ones(2), torch.nn.Parameter(torch.zeros(3))])
    assert [n for n, _ in pl.named_parameters()] == [n for n, _ in tpl.named_parameters()]
    assert repr(pl) == repr(tpl)
    pd = nn.ParameterDict({"a": fl.ones(1)})
    tpd = torch.nn.ParameterDict({"a": torch.ones(1)})
    assert repr(pd) == repr(tpd) and list(pd.keys()) == ["a"]
    md = nn.ModuleDict([("x", nn.ReLU())])
    assert "x" in md and list(md.keys()) == ["x"]


def test_seed_example_runs_verbatim():
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    x = fl.randn(32, 784)
    output = model(x)
    assert tuple(output.shape) == (32, 10)


def test_missing_forward_raises():
    with pytest.raises(NotImplementedError, match='missing the required "forward" function'):
        nn.Module()(1)
