"""embedding (padding_idx, scale_grad_by_freq, max_norm renormalisation in place, int32/int64 indices, 0-d and
empty indices) and one_hot against torch.nn.functional: values and the weight's gradient in float32 and float64;
error classes; sparse=True is refused (Flashlight has no sparse tensors)."""
import numpy as np
import pytest
import torch

import flashlight as fl
from nn_parity import In, check_error, nn_row, params, run_row

IDX = In((4, 5), ("idx", 6), dtype="int64", grad=False)
W = In((6, 3))
ROWS = [
    nn_row("embedding", [(IDX, W), (In((7,), ("idx", 6), dtype="int32", grad=False), W),
                         (In((), ("idx", 6), dtype="int64", grad=False), W),
                         (In((0, 2), ("idx", 6), dtype="int64", grad=False), W),
                         (In((3, 8), ("idx", 6), dtype="int64", grad=False, layout="step"), In((6, 3), layout="T"))],
           tag="plain"),
    nn_row("embedding", [(IDX, W)], kwargs={"padding_idx": 2}, tag="pad"),
    nn_row("embedding", [(IDX, W)], kwargs={"padding_idx": -1}, tag="pad-neg"),
    nn_row("embedding", [(IDX, W)], kwargs={"scale_grad_by_freq": True}, tag="freq"),
    nn_row("embedding", [(IDX, W)], kwargs={"scale_grad_by_freq": True, "padding_idx": 0}, tag="freq-pad"),
    nn_row("one_hot", [(In((5,), ("idx", 4), dtype="int64"),), (In((2, 3), ("idx", 3), dtype="int64"), 5)],
           dtypes=("int64",), grad=False),
]


@pytest.mark.parametrize("row,dtype", params(ROWS))
def test_sparse_parity(row, dtype):
    run_row(row, dtype)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
def test_embedding_max_norm_renormalises_weight_in_place(norm_type):
    rng = np.random.default_rng(1)
    w0 = rng.standard_normal((6, 3)) * 2
    idx = np.array([[0, 2, 2], [5, 0, 1]])
    fw, tw = fl.tensor(w0).requires_grad_(), torch.tensor(w0).requires_grad_()
    fo = fl.nn.functional.embedding(fl.tensor(idx), fw, max_norm=1.5, norm_type=norm_type)
    to = torch.nn.functional.embedding(torch.tensor(idx), tw, max_norm=1.5, norm_type=norm_type)
    np.testing.assert_allclose(fw.detach().numpy(), tw.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(fo.detach().numpy(), to.detach().numpy(), rtol=1e-12, atol=1e-12)
    assert not np.allclose(fw.detach().numpy(), w0)  # rows 0, 1, 2, 5 had norms above 1.5
    np.testing.assert_array_equal(fw.detach().numpy()[[3, 4]], w0[[3, 4]])  # unreferenced rows untouched
    g = rng.standard_normal(tuple(to.shape))
    fo.backward(fl.tensor(g))
    to.backward(torch.tensor(g))
    np.testing.assert_allclose(fw.grad.numpy(), tw.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_embedding_padding_row_gets_no_gradient_even_from_nan():
    w = fl.ones(4, 2, requires_grad=True)
    out = fl.nn.functional.embedding(fl.tensor([[1, 3, 1]]), w, padding_idx=3)
    out.backward(fl.tensor([[[1.0, 2.0], [float("nan"), 1.0], [3.0, 4.0]]]))
    assert w.grad.tolist() == [[0, 0], [4, 6], [0, 0], [0, 0]]


def test_embedding_sparse_is_refused_clearly():
    with pytest.raises(NotImplementedError, match="sparse=True is not supported"):
        fl.nn.functional.embedding(fl.tensor([1]), fl.ones(3, 2), sparse=True)


def x(m, *shape):
    return m.ones(*shape)


ERRORS = {
    "float-indices": lambda m, F: F.embedding(m.tensor([1.0]), x(m, 10, 3)),
    "out-of-range": lambda m, F: F.embedding(m.tensor([10]), x(m, 10, 3)),
    "negative": lambda m, F: F.embedding(m.tensor([-1]), x(m, 10, 3)),
    "padding-range": lambda m, F: F.embedding(m.tensor([1]), x(m, 10, 3), padding_idx=10),
    "padding-range-neg": lambda m, F: F.embedding(m.tensor([1]), x(m, 10, 3), padding_idx=-11),
    "weight-1d": lambda m, F: F.embedding(m.tensor([1]), x(m, 10)),
    "weight-3d": lambda m, F: F.embedding(m.tensor([1]), x(m, 10, 2, 3)),
    "one_hot-int32": lambda m, F: F.one_hot(m.tensor([0, 2], dtype=m.int32)),
    "one_hot-small": lambda m, F: F.one_hot(m.tensor([0, 2]), 2),
    "one_hot-negative": lambda m, F: F.one_hot(m.tensor([0, -1]), 3),
    "one_hot-empty": lambda m, F: F.one_hot(m.tensor([], dtype=m.int64)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_sparse_errors_match_torch(name):
    check_error(ERRORS[name])
