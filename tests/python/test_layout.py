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
