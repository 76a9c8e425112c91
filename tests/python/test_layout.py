"""Strides of new results (issue #2) beyond the parity table (parity/table_layout.py): the view() error where torch
raises it, numpy export, checkpoints and leaf gradients of permuted results, and the memory_format objects."""
import numpy as np
import pytest
import torch

import flashlight as fl


def pair(shape, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return fl.tensor(a), torch.tensor(a)


def test_view_of_a_permuted_result_raises_where_torch_does():
    f, t = pair((2, 3))
    with pytest.raises(RuntimeError) as te:
        torch.exp(t.t()).view(-1)
    with pytest.raises(RuntimeError) as fe:
        fl.exp(f.t()).view(-1)
    prefix = "view size is not compatible with input tensor's size and stride"
    assert str(te.value).startswith(prefix) and str(fe.value).startswith(prefix)
    # Its transpose is contiguous again: view works in both and reads the same values.
    np.testing.assert_allclose(fl.exp(f.t()).t().view(-1).numpy(), torch.exp(t.t()).t().view(-1).numpy(), rtol=1e-6)


def test_numpy_and_checkpoints_of_permuted_results(tmp_path):
    f, t = pair((2, 3, 4))
    fr, tr = (f.permute(2, 0, 1) * 2).clone(), (t.permute(2, 0, 1) * 2).clone()
    assert fr.stride() == tr.stride() == (1, 12, 4)
    np.testing.assert_array_equal(fr.numpy(), tr.numpy())
    fl.save({"w": fr}, tmp_path / "w.pt")
    back = fl.load(tmp_path / "w.pt")["w"]
    np.testing.assert_array_equal(back.numpy(), tr.numpy())


def test_leaf_gradients_take_a_dense_leafs_strides():
    f, t = pair((2, 3))
    fw, tw = f.t().clone().requires_grad_(), t.t().clone().requires_grad_()
    (fw * fw).sum().backward()
    (tw * tw).sum().backward()
    assert fw.grad.stride() == tw.grad.stride() == (1, 3)
    np.testing.assert_allclose(fw.grad.numpy(), tw.grad.numpy(), rtol=1e-6)


def test_memory_format_objects():
    assert repr(fl.contiguous_format) == "flashlight.contiguous_format"
    assert fl.channels_last == fl.channels_last and fl.channels_last != fl.contiguous_format
    assert isinstance(fl.preserve_format, fl.memory_format)
    f, t = pair((2, 3))
    with pytest.raises(TypeError) as te:
        t.clone(memory_format="contiguous")
    with pytest.raises(TypeError) as fe:
        f.clone(memory_format="contiguous")
    assert "must be torch.memory_format, not str" in str(te.value)
    assert "must be torch.memory_format, not str" in str(fe.value)


@pytest.mark.parametrize("name", ["atan2_", "hypot_", "logical_and_", "logical_or_", "logical_xor_", "atan2",
                                  "hypot", "logical_and"])
def test_tensor_only_binary_ops_reject_numbers(name):
    f, t = pair((2, 3))
    with pytest.raises(TypeError) as te:
        getattr(t, name)(2)
    with pytest.raises(TypeError) as fe:
        getattr(f, name)(2)
    assert "must be Tensor, not int" in str(te.value) and "must be Tensor, not int" in str(fe.value)


def _random_view(rng):
    """The same random chain of views (permute, step slice, expand, unsqueeze, slice) of one leaf in both."""
    shape = [rng.choice([1, 2, 3, 4]) for _ in range(rng.randint(1, 3))]
    a = np.random.default_rng(rng.randint(0, 10**6)).standard_normal(shape).astype(np.float32)
    f, t = fl.tensor(a), torch.tensor(a)
    for _ in range(rng.randint(0, 3)):
        kind, d = rng.choice(["perm", "step", "expand", "unsqueeze", "slice"]), t.dim()
        if kind == "perm" and d > 1:
            p = list(range(d))
            rng.shuffle(p)
            f, t = f.permute(*p), t.permute(*p)
        elif kind == "step" and t.shape[-1] > 1:
            f, t = f[..., ::2], t[..., ::2]
        elif kind == "expand" and 1 in t.shape:
            s = list(t.shape)
            s[s.index(1)] = 3
            f, t = f.expand(*s), t.expand(*s)
        elif kind == "unsqueeze":
            i = rng.randint(0, d)
            f, t = f.unsqueeze(i), t.unsqueeze(i)
        elif kind == "slice" and t.shape[0] > 1:
            f, t = f[1:], t[1:]
    return f, t


def test_random_view_chains_match_torch():
    """Seeded random layouts through every supported op kind, against torch's strides (the rules in core/layout.h)."""
    import random

    rng = random.Random(0)
    ops = {"clone": lambda m, x, y: x.clone(), "exp": lambda m, x, y: m.exp(x), "add1": lambda m, x, y: x + 1,
           "double": lambda m, x, y: x.double(), "zeros_like": lambda m, x, y: m.zeros_like(x),
           "self": lambda m, x, y: x * x, "gt": lambda m, x, y: x > 0, "contiguous": lambda m, x, y: x.contiguous(),
           "pair": lambda m, x, y: x + y}
    checked = 0
    for _ in range(1500):
        (f1, t1), (f2, t2), name = _random_view(rng), _random_view(rng), rng.choice(sorted(ops))
        try:
            tr = ops[name](torch, t1, t2)
        except RuntimeError:  # shapes that do not broadcast
            continue
        fr = ops[name](fl, f1, f2)
        where = f"{name}: {tuple(t1.shape)} {t1.stride()} / {tuple(t2.shape)} {t2.stride()}"
        assert (fr.stride(), fr.is_contiguous()) == (tr.stride(), tr.is_contiguous()), where
        np.testing.assert_allclose(fr.double().numpy(), tr.double().numpy(), rtol=1e-6, err_msg=where)
        checked += 1
    assert checked > 1000
