"""max_pool1d/2d (values, torch's flat indices, ties and NaN), avg_pool1d/2d (ceil_mode, count_include_pad,
divisor_override), adaptive avg/max pools (None entries, uneven windows) against torch.nn.functional: values and
input gradients in float32 and float64, batched/unbatched and non-contiguous inputs; error classes."""
import numpy as np
import pytest
import torch

import flashlight as fl
from nn_parity import In, check_error, nn_row, params, run_row


def relu_ties(rng, shape):
    """Values after a ReLU: many exact zeros, so max windows tie (the gradient goes to the first one)."""
    return np.maximum(rng.standard_normal(shape), 0) * (rng.random(shape) < 0.7)


def pool_rows():
    r = []
    add = lambda name, cases, tag, **kw: r.append(nn_row(name, cases, kwargs=kw, tag=tag))  # noqa: E731
    x4, x3 = In((2, 3, 7, 8)), In((3, 7, 8))
    for ri in (False, True):
        t = "-idx" if ri else ""
        add("max_pool2d", [(x4, 2), (x3, 3), (In((2, 3, 8, 7), layout="T"), 2), (In((0, 3, 7, 8)), 2)], "k" + t,
            return_indices=ri)
        add("max_pool2d", [(x4, (3, 2))], "s-p-d" + t, stride=(2, 1), padding=1, dilation=(1, 2),
            return_indices=ri)
        add("max_pool2d", [(x4, 3), (In((2, 3, 5, 5)), 2)], "ceil" + t, stride=2, padding=1, ceil_mode=True,
            return_indices=ri)
        add("max_pool2d", [(In((2, 3, 6, 6), relu_ties), 2)], "ties" + t, return_indices=ri)
        add("max_pool1d", [(In((2, 3, 9)), 3), (In((3, 9)), 2), (In((2, 3, 18), layout="step"), 2)], "k" + t,
            return_indices=ri)
        add("max_pool1d", [(In((2, 3, 9)), 3)], "all" + t, stride=2, padding=1, dilation=2, ceil_mode=True,
            return_indices=ri)
        add("max_pool1d", [(In((2, 3, 8), relu_ties), 2)], "ties" + t, return_indices=ri)
        add("adaptive_max_pool2d", [(x4, (3, 5)), (x3, 4), (x4, (None, 3)), (In((0, 3, 7, 8)), 2)], "sizes" + t,
            return_indices=ri)
        add("adaptive_max_pool2d", [(In((2, 3, 6, 6), relu_ties), 2)], "ties" + t, return_indices=ri)
        add("adaptive_max_pool1d", [(In((2, 3, 10)), 4), (In((3, 10)), 3), (In((2, 3, 5)), 7)], "sizes" + t,
            return_indices=ri)
    add("max_pool2d_with_indices", [(x4, 2)], "fn")
    add("max_pool1d_with_indices", [(In((2, 3, 9)), 3)], "fn", stride=2)
    add("adaptive_max_pool2d_with_indices", [(x4, (3, 5))], "fn")
    add("adaptive_max_pool1d_with_indices", [(In((2, 3, 10)), 4)], "fn")
    add("avg_pool2d", [(x4, 2), (x3, (3, 2)), (In((2, 3, 8, 7), layout="T"), 3), (In((0, 3, 7, 8)), 2)], "k")
    add("avg_pool2d", [(x4, 3), (In((1, 2, 5, 5)), 2)], "ceil-pad", stride=2, padding=1, ceil_mode=True)
    add("avg_pool2d", [(x4, 3), (In((1, 2, 5, 5)), 2)], "ceil-nopadcount", stride=2, padding=1, ceil_mode=True,
        count_include_pad=False)
    add("avg_pool2d", [(x4, (3, 2))], "divisor", stride=(2, 1), padding=(1, 0), divisor_override=5)
    add("avg_pool1d", [(In((2, 3, 9)), 3), (In((3, 9)), 2), (In((2, 3, 18), layout="step"), 4)], "k")
    add("avg_pool1d", [(In((2, 3, 9)), 4)], "all", stride=3, padding=2, ceil_mode=True, count_include_pad=False)
    add("avg_pool1d", [(In((2, 3, 9)), 4)], "pad", stride=3, padding=2, ceil_mode=True)
    add("adaptive_avg_pool2d", [(x4, (3, 5)), (x3, 4), (x4, (None, 3)), (x4, 1), (In((2, 3, 4, 3)), (7, 5)),
                                 (In((0, 3, 7, 8)), 2)],
        "sizes")
    add("adaptive_avg_pool1d", [(In((2, 3, 10)), 4), (In((3, 10)), 3), (In((2, 3, 5)), 7), (In((2, 3, 5)), (1,))],
        "sizes")
    return r


ROWS = pool_rows()


@pytest.mark.parametrize("row,dtype", params(ROWS))
def test_pool_parity(row, dtype):
    run_row(row, dtype)


def test_max_pool_nan_and_inf_follow_torch():
    # A NaN wins its window (torch reports the last NaN); an all -inf window reports its first element.
    a = np.array([[[[1.0, np.nan, 2.0, np.nan], [-np.inf, -np.inf, 0.5, 0.5], [-np.inf, -np.inf, 3.0, 1.0],
                    [np.nan, 0.0, 1.0, 3.0]]]])
    for k, s in ((2, 2), (3, 1)):
        got_v, got_i = fl.nn.functional.max_pool2d(fl.tensor(a), k, s, return_indices=True)
        want_v, want_i = torch.nn.functional.max_pool2d(torch.tensor(a), k, s, return_indices=True)
        np.testing.assert_array_equal(got_i.numpy(), want_i.numpy())
        np.testing.assert_array_equal(got_v.numpy(), want_v.numpy())


def test_integer_pools_match_torch():
    a = np.random.default_rng(0).integers(-9, 9, (2, 3, 6, 6))
    for name, kw in (("max_pool2d", {}), ("avg_pool2d", {"stride": 1})):
        got = getattr(fl.nn.functional, name)(fl.tensor(a), 2, **kw)
        want = getattr(torch.nn.functional, name)(torch.tensor(a), 2, **kw)
        assert got.dtype == fl.int64
        np.testing.assert_array_equal(got.numpy(), want.numpy())


def x(m, *shape):
    return m.ones(*shape)


ERRORS = {
    "max-rank": lambda m, F: F.max_pool2d(x(m, 7, 7), 3),
    "max-rank5": lambda m, F: F.max_pool2d(x(m, 1, 2, 3, 7, 7), 3),
    "max-kernel0": lambda m, F: F.max_pool2d(x(m, 2, 3, 7, 7), 0),
    "max-stride0": lambda m, F: F.max_pool2d(x(m, 2, 3, 7, 7), 3, stride=0),
    "max-stride-neg": lambda m, F: F.max_pool2d(x(m, 2, 3, 7, 7), 3, stride=-1),
    "max-dil0": lambda m, F: F.max_pool2d(x(m, 2, 3, 7, 7), 3, dilation=0),
    "max-kernel-big": lambda m, F: F.max_pool2d(x(m, 2, 3, 7, 7), 8),
    "max-pad-big": lambda m, F: F.max_pool2d(x(m, 2, 3, 7, 7), 3, padding=2),
    "max-pad-neg": lambda m, F: F.max_pool2d(x(m, 2, 3, 7, 7), 3, padding=-1),
    "max-kernel-len": lambda m, F: F.max_pool2d(x(m, 2, 3, 7, 7), (3, 3, 3)),
    "max-empty-channels": lambda m, F: F.max_pool2d(x(m, 2, 0, 7, 7), 3),
    "max-bool": lambda m, F: F.max_pool2d(x(m, 2, 3, 7, 7) > 0, 3),
    "max1-rank": lambda m, F: F.max_pool1d(x(m, 7), 3),
    "max1-rank4": lambda m, F: F.max_pool1d(x(m, 1, 2, 3, 7), 3),
    "max1-kernel-big": lambda m, F: F.max_pool1d(x(m, 2, 3, 7), 8),
    "max1-pad": lambda m, F: F.max_pool1d(x(m, 2, 3, 7), 3, padding=2),
    "max1-int": lambda m, F: F.max_pool1d(x(m, 2, 3, 7).long(), 3),
    "max1-stride0": lambda m, F: F.max_pool1d(x(m, 2, 3, 7), 3, stride=0),
    "max1-idx-rank": lambda m, F: F.max_pool1d(x(m, 7), 3, return_indices=True),
    "max1-idx-pad": lambda m, F: F.max_pool1d(x(m, 2, 3, 7), 3, padding=2, return_indices=True),
    "avg-rank": lambda m, F: F.avg_pool2d(x(m, 7, 7), 3),
    "avg-rank5": lambda m, F: F.avg_pool2d(x(m, 1, 2, 3, 7, 7), 3),
    "avg-kernel-big": lambda m, F: F.avg_pool2d(x(m, 2, 3, 7, 7), 8),
    "avg-pad-big": lambda m, F: F.avg_pool2d(x(m, 2, 3, 7, 7), 3, padding=2),
    "avg-divisor0": lambda m, F: F.avg_pool2d(x(m, 2, 3, 7, 7), 3, divisor_override=0),
    "avg-stride0": lambda m, F: F.avg_pool2d(x(m, 2, 3, 7, 7), 3, stride=0),
    "avg1-rank": lambda m, F: F.avg_pool1d(x(m, 7), 3),
    "avg1-kernel-big": lambda m, F: F.avg_pool1d(x(m, 2, 3, 7), 8),
    "avg1-divisor": lambda m, F: F.avg_pool1d(x(m, 2, 3, 7), 3, divisor_override=2),
    "aavg-neg": lambda m, F: F.adaptive_avg_pool2d(x(m, 2, 3, 7, 7), (-1, 2)),
    "aavg-rank": lambda m, F: F.adaptive_avg_pool2d(x(m, 7, 7), 2),
    "aavg-int": lambda m, F: F.adaptive_avg_pool2d(x(m, 2, 3, 7, 7).long(), 2),
    "aavg-len": lambda m, F: F.adaptive_avg_pool2d(x(m, 2, 3, 7, 7), (1, 2, 3)),
    "aavg-empty": lambda m, F: F.adaptive_avg_pool2d(x(m, 2, 3, 0, 7), 2),
    "aavg1-rank": lambda m, F: F.adaptive_avg_pool1d(x(m, 7), 3),
    "aavg1-none": lambda m, F: F.adaptive_avg_pool1d(x(m, 2, 3, 7), None),
    "aavg1-len": lambda m, F: F.adaptive_avg_pool1d(x(m, 2, 3, 7), (1, 2)),
    "amax-rank": lambda m, F: F.adaptive_max_pool2d(x(m, 7, 7), 2),
    "amax-int": lambda m, F: F.adaptive_max_pool2d(x(m, 2, 3, 7, 7).long(), 2),
    "amax-neg": lambda m, F: F.adaptive_max_pool2d(x(m, 2, 3, 7, 7), -1),
    "amax-empty": lambda m, F: F.adaptive_max_pool2d(x(m, 2, 3, 0, 7), 2),
    "amax1-rank": lambda m, F: F.adaptive_max_pool1d(x(m, 7), 3),
    "amax1-len": lambda m, F: F.adaptive_max_pool1d(x(m, 2, 3, 7), (1, 2)),
    "amax1-empty": lambda m, F: F.adaptive_max_pool1d(x(m, 2, 3, 0), 2),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_pool_errors_match_torch(name):
    check_error(ERRORS[name])


def modified_input(m, F):
    a = m.ones(1, 2, 4, 4, requires_grad=True) * 1
    y = F.max_pool2d(a, 2)
    a.mul_(2)
    y.sum().backward()


def test_inplace_change_of_saved_input_raises_like_torch():
    assert "modified by an inplace operation" in str(check_error(modified_input))


def test_pool_error_messages_name_shapes():
    assert "Calculated output size: (3x0x0). Output size is too small" in str(check_error(ERRORS["max-kernel-big"]))
    assert "pad should be at most half of effective kernel size" in str(check_error(ERRORS["avg-pad-big"]))


def test_zero_output_sizes_match_torch():
    for name in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):
        got = getattr(fl.nn.functional, name)(fl.ones(2, 3, 7, 7), (0, 2))
        want = getattr(torch.nn.functional, name)(torch.ones(2, 3, 7, 7), (0, 2))
        assert tuple(got.shape) == tuple(want.shape)
