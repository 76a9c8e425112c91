"""interpolate against torch.nn.functional: every mode (nearest, nearest-exact, linear, bilinear, trilinear,
bicubic, area, antialiased bilinear/bicubic) over sizes and scale factors that are not integers (where torch's float index arithmetic decides
which pixel is read), align_corners, recompute_scale_factor, 3-D/4-D/5-D, unbatched-free N=0 and non-contiguous
inputs; values and input gradients in float32 and float64; the deprecated upsample wrappers; error classes."""
import numpy as np
import pytest
import torch

import flashlight as fl
from nn_parity import In, check_error, nn_row, params, run_row

X3, X4, X5 = In((2, 3, 7)), In((2, 3, 5, 7)), In((1, 2, 3, 4, 5))
SIZES4 = [(X4, (9, 4)), (X4, 11), (X4, (5, 7)), (X4, (10, 14)), (X4, (2, 3)), (In((2, 3, 7, 5), layout="T"), (8, 3))]
SCALES4 = [(X4, None, 2), (X4, None, (1.7, 0.6)), (X4, None, 2.5), (X4, None, (0.4, 1.3))]


def vision_rows():
    r = []
    add = lambda cases, tag, **kw: r.append(nn_row("interpolate", cases, kwargs=kw, tag=tag))  # noqa: E731
    for mode in ("nearest", "nearest-exact"):
        add(SIZES4 + SCALES4, mode, mode=mode)
        add([(X3, 12), (X3, 4), (X3, None, 1.45), (X5, (5, 3, 8)), (X5, None, 1.5)], mode + "-3d5d", mode=mode)
        add(SCALES4, mode + "-recompute", mode=mode, recompute_scale_factor=True)
    for ac in (False, True):
        add(SIZES4 + SCALES4 + [(In((2, 3, 1, 1)), (3, 4)), (X4, (1, 1))], f"bilinear-ac{ac}", mode="bilinear",
            align_corners=ac)
        add([(X3, 12), (X3, 4), (X3, None, 1.45), (X3, 1)], f"linear-ac{ac}", mode="linear", align_corners=ac)
        add([(X5, (5, 3, 8)), (X5, None, (1.5, 0.7, 2))], f"trilinear-ac{ac}", mode="trilinear", align_corners=ac)
        add(SIZES4 + SCALES4, f"bicubic-ac{ac}", mode="bicubic", align_corners=ac)
    add(SCALES4, "bilinear-recompute", mode="bilinear", recompute_scale_factor=True)
    add([(X4, (3, 4)), (X4, (7, 2)), (X3, 3), (X4, None, 0.5)], "area", mode="area")
    add([(In((0, 3, 5, 7)), (9, 4))], "empty-batch", mode="bilinear")
    aa = [(In((2, 3, 9, 11)), (4, 5)), (In((2, 3, 9, 11)), (3, 11)), (In((1, 2, 5, 6)), (9, 4)), (X4, None, 0.45),
          (In((1, 2, 13, 4)), (2, 3))]
    for mode in ("bilinear", "bicubic"):
        for ac in (False, True):
            add(aa, f"{mode}-aa-ac{ac}", mode=mode, antialias=True, align_corners=ac)
    for name in ("upsample", "upsample_nearest", "upsample_bilinear"):
        r.append(nn_row(name, [(X4, (9, 4)), (X4, None, 2)], tag="deprecated"))
    return r


ROWS = vision_rows()


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("row,dtype", params(ROWS))
def test_interpolate_parity(row, dtype):
    run_row(row, dtype)


def test_nearest_source_indices_over_many_sizes():
    # Every output pixel must read the same input pixel as torch (values are distinct, so equality shows it).
    a = np.arange(13.0 * 17).reshape(1, 1, 13, 17)
    for mode in ("nearest", "nearest-exact"):
        for size in [(1, 1), (5, 6), (12, 16), (13, 34), (26, 17), (29, 41), (40, 3)]:
            got = fl.nn.functional.interpolate(fl.tensor(a, dtype=fl.float32), size=size, mode=mode)
            want = torch.nn.functional.interpolate(torch.tensor(a, dtype=torch.float32), size=size, mode=mode)
            np.testing.assert_array_equal(got.numpy(), want.numpy(), err_msg=f"{mode} {size}")
        for s in (0.3, 0.75, 1.1, 1.9, 3.3):
            got = fl.nn.functional.interpolate(fl.tensor(a), scale_factor=s, mode=mode)
            want = torch.nn.functional.interpolate(torch.tensor(a), scale_factor=s, mode=mode)
            np.testing.assert_array_equal(got.numpy(), want.numpy(), err_msg=f"{mode} x{s}")


def test_nearest_uint8_matches_torch():
    a = np.random.default_rng(0).integers(0, 255, (1, 3, 5, 6)).astype(np.uint8)
    got = fl.nn.functional.interpolate(fl.tensor(a), size=(7, 4))
    want = torch.nn.functional.interpolate(torch.tensor(a), size=(7, 4))
    assert got.dtype == fl.uint8
    np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_grad_fn_names_follow_torch():
    for mode, shape in (("nearest", (1, 1, 3, 3)), ("bilinear", (1, 1, 3, 3)), ("linear", (1, 1, 3)),
                        ("bicubic", (1, 1, 3, 3)), ("nearest-exact", (1, 1, 3))):
        f = fl.nn.functional.interpolate(fl.ones(*shape, requires_grad=True), scale_factor=2, mode=mode)
        t = torch.nn.functional.interpolate(torch.ones(*shape, requires_grad=True), scale_factor=2, mode=mode)
        assert f.grad_fn.name() == t.grad_fn.name()


def x(m, *shape):
    return m.ones(*shape)


ERRORS = {
    "none": lambda m, F: F.interpolate(x(m, 2, 3, 4, 5)),
    "both": lambda m, F: F.interpolate(x(m, 2, 3, 4, 5), size=3, scale_factor=2),
    "bad-mode": lambda m, F: F.interpolate(x(m, 2, 3, 4, 5), size=3, mode="foo"),
    "bilinear-3d": lambda m, F: F.interpolate(x(m, 2, 3, 4), size=3, mode="bilinear"),
    "linear-4d": lambda m, F: F.interpolate(x(m, 2, 3, 4, 5), size=3, mode="linear"),
    "trilinear-4d": lambda m, F: F.interpolate(x(m, 2, 3, 4, 5), size=3, mode="trilinear"),
    "align-nearest": lambda m, F: F.interpolate(x(m, 2, 3, 4, 5), size=3, align_corners=True),
    "size-len": lambda m, F: F.interpolate(x(m, 2, 3, 4, 5), size=(3, 3, 3)),
    "scale-len": lambda m, F: F.interpolate(x(m, 2, 3, 4, 5), scale_factor=(2, 2, 2)),
    "2d": lambda m, F: F.interpolate(x(m, 3, 4), size=3),
    "6d": lambda m, F: F.interpolate(x(m, 1, 1, 2, 2, 2, 2), size=3),
    "int64": lambda m, F: F.interpolate(x(m, 2, 3, 4, 5).long(), size=3),
    "tiny-scale": lambda m, F: F.interpolate(x(m, 2, 3, 4, 5), scale_factor=0.1),
    "size0": lambda m, F: F.interpolate(x(m, 2, 3, 4, 5), size=0),
    "negative-scale": lambda m, F: F.interpolate(x(m, 2, 3, 4, 5), scale_factor=-1.0),
    "size-float": lambda m, F: F.interpolate(x(m, 2, 3, 4, 5), size=3.5),
    "size-float-list": lambda m, F: F.interpolate(x(m, 2, 3, 4, 5), size=(3.5, 2)),
    "recompute-size": lambda m, F: F.interpolate(x(m, 2, 3, 4, 5), size=3, recompute_scale_factor=True),
    "antialias-nearest": lambda m, F: F.interpolate(x(m, 2, 3, 4, 5), size=3, antialias=True),
    "antialias-3d": lambda m, F: F.interpolate(x(m, 2, 3, 4), size=3, mode="linear", antialias=True),
    "empty-spatial": lambda m, F: F.interpolate(x(m, 2, 3, 0, 5), size=3),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_interpolate_errors_match_torch(name):
    check_error(ERRORS[name])

