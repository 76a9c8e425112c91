"""linear and bilinear against torch.nn.functional: values and gradients of input, weight and bias in float32
and float64 over batch ranks (1-D input, N-D, 1-D weight), with and without bias, non-contiguous inputs; grad_fn
names of torch's dispatch; error classes."""
import pytest
import torch

import flashlight as fl
from nn_parity import In, check_error, nn_row, params, run_row

ROWS = [
    nn_row("linear", [(In((3, 4)), In((5, 4)), In((5,))), (In((3, 4)), In((5, 4))), (In((4,)), In((5, 4)), In((5,))),
                      (In((2, 3, 4)), In((5, 4)), In((5,))), (In((2, 2, 3, 4)), In((5, 4)), In((5,))),
                      (In((3, 4)), In((4,))), (In((2, 3, 4), layout="T"), In((5, 4), layout="T"), In((5,))),
                      (In((0, 4)), In((5, 4)), In((5,))), (In((3, 4)), In((5, 4)), In((3, 5)))]),
    nn_row("bilinear", [(In((3, 4)), In((3, 5)), In((6, 4, 5)), In((6,))), (In((3, 4)), In((3, 5)), In((6, 4, 5))),
                        (In((2, 3, 4)), In((2, 3, 5)), In((6, 4, 5)), In((6,))), (In((4,)), In((5,)), In((6, 4, 5))),
                        (In((3, 4), layout="T"), In((3, 5), layout="step"), In((2, 4, 5)), In((2,)))]),
]


@pytest.mark.parametrize("row,dtype", params(ROWS))
def test_linear_parity(row, dtype):
    run_row(row, dtype)


def test_linear_grad_fn_follows_torch_dispatch():
    def names(m, F):
        w, b = m.ones(5, 4, requires_grad=True), m.ones(5, requires_grad=True)
        return [F.linear(m.ones(*s), w, b).grad_fn.name()
                for s in ((3, 4), (2, 3, 4))] + [F.linear(m.ones(3, 4), w).grad_fn.name()]
    assert names(fl, fl.nn.functional) == names(torch, torch.nn.functional)


def test_linear_integer_matches_torch():
    got = fl.nn.functional.linear(fl.ones(3, 4, dtype=fl.int64), fl.ones(5, 4, dtype=fl.int64))
    want = torch.nn.functional.linear(torch.ones(3, 4, dtype=torch.int64), torch.ones(5, 4, dtype=torch.int64))
    assert got.dtype == fl.int64 and got.tolist() == want.tolist()


def x(m, *shape):
    return m.ones(*shape)


ERRORS = {
    "inner": lambda m, F: F.linear(x(m, 3, 4), x(m, 5, 3)),
    "bias": lambda m, F: F.linear(x(m, 3, 4), x(m, 5, 4), x(m, 4)),
    "0d": lambda m, F: F.linear(m.tensor(1.0), x(m, 5, 4)),
    "weight-3d": lambda m, F: F.linear(x(m, 3, 4), x(m, 2, 5, 4)),
    "weight-1d-bias": lambda m, F: F.linear(x(m, 3, 4), x(m, 4), m.tensor(1.0)),
    "dtype": lambda m, F: F.linear(x(m, 3, 4), x(m, 5, 4).double()),
    "bil-input2": lambda m, F: F.bilinear(x(m, 3, 4), x(m, 3, 5), x(m, 6, 4, 6)),
    "bil-batch": lambda m, F: F.bilinear(x(m, 3, 4), x(m, 2, 5), x(m, 6, 4, 5)),
    "bil-input1": lambda m, F: F.bilinear(x(m, 3, 4), x(m, 3, 5), x(m, 4, 5)),
    "bil-ranks": lambda m, F: F.bilinear(x(m, 2, 3, 4), x(m, 3, 5), x(m, 6, 4, 5)),
    "bil-bias": lambda m, F: F.bilinear(x(m, 3, 4), x(m, 3, 5), x(m, 6, 4, 5), x(m, 5)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_linear_errors_match_torch(name):
    check_error(ERRORS[name])
