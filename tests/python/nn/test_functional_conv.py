"""conv1d / conv2d / conv_transpose1d / conv_transpose2d / unfold / fold against torch.nn.functional: forward
values and the gradients of input, weight and bias in float32 and float64 over strides, paddings (ints, tuples,
'valid', 'same' with even kernels), dilation, groups, unbatched and non-contiguous inputs; error classes.

float32 tolerance: torch runs float32 convolutions through oneDNN, which sums in another order than im2col + GEMM;
weight gradients sum over N * L products (up to a few hundred here), so they get 1e-4 (values and input gradients
keep 1e-5)."""
import pytest

from nn_parity import In, check_error, nn_row, params, run_row

TOL = {"float32": (1e-5, 1e-4), "float64": (1e-12, 1e-10)}


def conv_rows():
    r = []
    add = lambda name, cases, tag, **kw: r.append(nn_row(name, cases, kwargs=kw, tol=TOL, tag=tag))  # noqa: E731
    x2, w2, b6 = In((2, 4, 7, 6)), In((6, 4, 3, 3)), In((6,))
    add("conv2d", [(x2, w2, b6), (x2, w2), (In((4, 7, 6)), w2, b6)], "plain")
    add("conv2d", [(x2, In((6, 4, 3, 2)), b6)], "s2p1", stride=2, padding=1)
    add("conv2d", [(x2, In((6, 4, 2, 3)), b6)], "tuple", stride=(2, 1), padding=(0, 2), dilation=(1, 2))
    add("conv2d", [(x2, In((6, 2, 3, 3)), b6)], "groups2", groups=2, padding=1)
    add("conv2d", [(In((2, 4, 6, 6)), In((8, 1, 3, 3)), In((8,)))], "depthwise", groups=4, stride=2)
    add("conv2d", [(x2, In((6, 4, 2, 4)), b6), (x2, In((6, 4, 3, 3)))], "same", padding="same")
    add("conv2d", [(x2, In((6, 4, 2, 3)), b6)], "same-dil", padding="same", dilation=2)
    add("conv2d", [(x2, w2, b6)], "valid", padding="valid", stride=(1, 2))
    add("conv2d", [(In((2, 4, 6, 7), layout="T"), In((6, 4, 3, 3), layout="T"), b6),
                   (In((2, 4, 7, 12), layout="step"), w2, b6)], "views", padding=1)
    add("conv2d", [(In((0, 4, 5, 5)), w2, b6)], "empty-batch")
    x1, w1 = In((2, 4, 9)), In((6, 4, 3))
    add("conv1d", [(x1, w1, b6), (x1, w1), (In((4, 9)), w1, b6)], "plain")
    add("conv1d", [(x1, In((6, 2, 4)), b6)], "s2p2d2g2", stride=2, padding=2, dilation=2, groups=2)
    add("conv1d", [(x1, In((6, 4, 4)), b6)], "same", padding="same")
    add("conv1d", [(In((2, 4, 18), layout="step"), w1, b6)], "views", stride=3)
    t2 = In((6, 3, 3, 2))
    add("conv_transpose2d", [(In((2, 6, 4, 5)), t2, In((3,))), (In((6, 4, 5)), t2)], "plain")
    add("conv_transpose2d", [(In((2, 6, 4, 5)), t2, In((3,)))], "s2p1op1", stride=2, padding=1, output_padding=1)
    add("conv_transpose2d", [(In((2, 6, 4, 5)), In((6, 2, 3, 3)), In((6,)))], "groups3-dil",
        stride=(2, 1), padding=(1, 0), output_padding=(1, 0), groups=3, dilation=(1, 2))
    add("conv_transpose2d", [(In((2, 6, 5, 4), layout="T"), t2, In((3,)))], "views", stride=2)
    t1 = In((6, 3, 3))
    add("conv_transpose1d", [(In((2, 6, 5)), t1, In((3,))), (In((6, 5)), t1)], "plain")
    add("conv_transpose1d", [(In((2, 6, 5)), In((6, 2, 4)), In((4,)))], "s3p1op2g2", stride=3, padding=1,
        output_padding=2, groups=2)
    add("conv_transpose1d", [(In((2, 6, 5)), t1, In((3,)))], "dil", dilation=3, output_padding=1)
    add("unfold", [(In((2, 3, 5, 6)), (2, 3)), (In((3, 5, 6)), 2)], "plain")
    add("unfold", [(In((2, 3, 5, 6)), 3)], "all", dilation=(1, 2), padding=1, stride=2)
    add("fold", [(In((2, 12, 12)), (4, 5), 2), (In((12, 12)), (4, 5), 2)], "plain")
    add("fold", [(In((2, 27, 6)), (5, 6), 3)], "all", dilation=(1, 2), padding=1, stride=2)
    return r


ROWS = conv_rows()


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("row,dtype", params(ROWS))
def test_conv_parity(row, dtype):
    run_row(row, dtype)


def test_conv_integer_inputs_match_torch():
    import numpy as np
    import torch

    import flashlight as fl
    import flashlight.nn.functional as FF
    rng = np.random.default_rng(0)
    x, w = rng.integers(-5, 5, (2, 4, 5, 5)), rng.integers(-3, 3, (6, 4, 3, 3))
    got = FF.conv2d(fl.tensor(x), fl.tensor(w), stride=2, padding=1)
    want = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), stride=2, padding=1)
    assert got.dtype == fl.int64
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def x(m, *shape):
    return m.ones(*shape)


ERRORS = {
    "rank": lambda m, F: F.conv2d(x(m, 5, 5), x(m, 6, 4, 3, 3)),
    "rank5": lambda m, F: F.conv2d(x(m, 1, 2, 4, 5, 5), x(m, 6, 4, 3, 3)),
    "rank1d": lambda m, F: F.conv1d(x(m, 5), x(m, 6, 4, 3)),
    "weight-rank": lambda m, F: F.conv2d(x(m, 2, 4, 5, 5), x(m, 6, 4, 3)),
    "channels": lambda m, F: F.conv2d(x(m, 2, 4, 5, 5), x(m, 6, 3, 3, 3)),
    "groups-channels": lambda m, F: F.conv2d(x(m, 2, 4, 5, 5), x(m, 6, 4, 3, 3), groups=3),
    "groups-out": lambda m, F: F.conv2d(x(m, 2, 4, 5, 5), x(m, 5, 2, 3, 3), groups=2),
    "groups0": lambda m, F: F.conv2d(x(m, 2, 4, 5, 5), x(m, 6, 4, 3, 3), groups=0),
    "kernel-big": lambda m, F: F.conv2d(x(m, 2, 4, 5, 5), x(m, 6, 4, 7, 7)),
    "kernel-big-dil": lambda m, F: F.conv1d(x(m, 2, 4, 5), x(m, 6, 4, 3), dilation=3),
    "stride0": lambda m, F: F.conv2d(x(m, 2, 4, 5, 5), x(m, 6, 4, 3, 3), stride=0),
    "negpad": lambda m, F: F.conv2d(x(m, 2, 4, 5, 5), x(m, 6, 4, 3, 3), padding=-1),
    "dil0": lambda m, F: F.conv2d(x(m, 2, 4, 5, 5), x(m, 6, 4, 3, 3), dilation=0),
    "same-strided": lambda m, F: F.conv2d(x(m, 2, 4, 5, 5), x(m, 6, 4, 3, 3), stride=2, padding="same"),
    "bad-padding-string": lambda m, F: F.conv2d(x(m, 2, 4, 5, 5), x(m, 6, 4, 3, 3), padding="full"),
    "bias-size": lambda m, F: F.conv2d(x(m, 2, 4, 5, 5), x(m, 6, 4, 3, 3), x(m, 5)),
    "dtype": lambda m, F: F.conv2d(x(m, 2, 4, 5, 5), x(m, 6, 4, 3, 3).double()),
    "bias-dtype": lambda m, F: F.conv2d(x(m, 2, 4, 5, 5), x(m, 6, 4, 3, 3), x(m, 6).double()),
    "stride-len": lambda m, F: F.conv2d(x(m, 2, 4, 5, 5), x(m, 6, 4, 3, 3), stride=(1, 1, 1)),
    "stride-float": lambda m, F: F.conv2d(x(m, 2, 4, 5, 5), x(m, 6, 4, 3, 3), stride=1.5),
    "bool": lambda m, F: F.conv2d(x(m, 2, 4, 5, 5) > 0, x(m, 6, 4, 3, 3) > 0),
    "t-output-padding": lambda m, F: F.conv_transpose2d(x(m, 2, 4, 5, 5), x(m, 4, 3, 3, 3), stride=2,
                                                        output_padding=2),
    "t-channels": lambda m, F: F.conv_transpose2d(x(m, 2, 4, 5, 5), x(m, 3, 3, 3, 3)),
    "t-groups": lambda m, F: F.conv_transpose2d(x(m, 2, 4, 5, 5), x(m, 4, 3, 3, 3), groups=3),
    "t-bias": lambda m, F: F.conv_transpose2d(x(m, 2, 4, 5, 5), x(m, 4, 3, 3, 3), x(m, 4)),
    "t-rank": lambda m, F: F.conv_transpose2d(x(m, 5, 5), x(m, 4, 3, 3, 3)),
    "t-same": lambda m, F: F.conv_transpose2d(x(m, 2, 4, 5, 5), x(m, 4, 3, 3, 3), padding="same"),
    "unfold-big": lambda m, F: F.unfold(x(m, 2, 3, 5, 5), 6),
    "unfold-int": lambda m, F: F.unfold(x(m, 2, 3, 5, 5).long(), 2),
    "fold-rows": lambda m, F: F.fold(x(m, 2, 15, 16), (5, 5), 2),
    "fold-blocks": lambda m, F: F.fold(x(m, 2, 16, 15), (5, 5), 2),
    "fold-rank": lambda m, F: F.fold(x(m, 1, 2, 16, 16), (5, 5), 2),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_conv_errors_match_torch(name):
    check_error(ERRORS[name])


def modified_input(m, F):
    a = m.ones(1, 2, 5, 5, requires_grad=True) * 1
    y = F.conv2d(a, m.ones(3, 2, 3, 3, requires_grad=True))
    a.add_(1)
    y.sum().backward()


def test_inplace_change_of_saved_input_raises_like_torch():
    assert "modified by an inplace operation" in str(check_error(modified_input))


def test_conv_error_messages_name_shapes():
    e = check_error(ERRORS["channels"])
    assert "expected input[2, 4, 5, 5] to have 3 channels, but got 4 channels instead" in str(e)
    e = check_error(ERRORS["kernel-big"])
    assert "Kernel size: (7 x 7). Kernel size can't be greater than actual input size" in str(e)


def test_second_order_gradients_match_torch():
    # Gradient penalty through conv2d, max_pool2d and bilinear interpolate: im2col's vjp is col2im and back,
    # so create_graph works through every piece.
    import numpy as np
    import torch

    import flashlight as fl
    rng = np.random.default_rng(0)
    a, w = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3))

    def run(m, F):
        x, k = m.tensor(a).requires_grad_(), m.tensor(w).requires_grad_()
        y = F.interpolate(F.max_pool2d(F.conv2d(x, k, padding=1).tanh(), 2), scale_factor=1.5, mode="bilinear")
        (gx,) = m.autograd.grad(y.pow(2).sum(), [x], create_graph=True)
        (gk,) = m.autograd.grad(gx.pow(2).sum(), [k])
        return gx.detach().numpy(), gk.numpy()

    for got, want in zip(run(fl, fl.nn.functional), run(torch, torch.nn.functional)):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10)
