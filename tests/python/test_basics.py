"""The package imports, interoperates with mlx.core and numpy, and raises PyTorch's exception classes."""
import mlx.core as mx
import numpy as np
import pytest

import flashlight as fl


def test_tensor_from_nested_lists_and_repr():
    x = fl.tensor([[1.0, 2.0], [3.0, 4.0]]) if hasattr(fl, "tensor") else fl.Tensor([[1.0, 2.0], [3.0, 4.0]])
    assert x.shape == (2, 2)
    assert x.dtype == fl.float32
    assert repr(x) == "tensor([[1., 2.],\n        [3., 4.]])"


def test_mlx_roundtrip_shares_values():
    x = fl.Tensor([1.0, 2.0, 3.0])
    a = x.mlx()
    assert isinstance(a, mx.array)
    assert a.tolist() == [1.0, 2.0, 3.0]


def test_numpy_conversion():
    x = fl.Tensor([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(x.numpy(), np.array([[1, 2], [3, 4]], dtype=np.float32))
    np.testing.assert_array_equal(np.asarray(x.t()), np.array([[1, 3], [2, 4]], dtype=np.float32))


def test_operators_and_views():
    x = fl.Tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert (2 - x)[0].tolist() == [1.0, 0.0, -1.0]
    x[0] += 10
    assert x.tolist() == [[11.0, 12.0, 13.0], [4.0, 5.0, 6.0]]
    col = x[:, 1]
    col.zero_()
    assert x.tolist() == [[11.0, 0.0, 13.0], [4.0, 0.0, 6.0]]


def test_autograd_through_python():
    t = fl.Tensor([1.0, 2.0]).requires_grad_()
    z = t * t
    assert z.grad_fn.name() == "MulBackward0"
    z.backward(fl.Tensor([1.0, 1.0]))
    assert t.grad.tolist() == [2.0, 4.0]


def test_errors_map_to_python_exceptions():
    x = fl.Tensor([[1.0, 2.0, 3.0]])
    with pytest.raises(RuntimeError, match="must match the size of tensor b"):
        x + fl.Tensor([1.0, 2.0])
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 1"):
        x[5]
