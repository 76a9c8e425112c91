"""repr(fl_tensor) is repr(torch_tensor) with flashlight's dtype names ("dtype=flashlight.float64"), for ints,
floats in fixed and scientific notation, nan/inf, bools, empty and 0-d tensors, summarised (> 1000 elements),
multi-dim tensors, every dtype, and autograd suffixes (requires_grad=True, grad_fn=<...>)."""
import numpy as np
import pytest
import torch

import flashlight as fl

nan, inf = float("nan"), float("inf")
BATTERY = {
    "ints": lambda m: m.tensor([1, 2, 3]),
    "int-matrix": lambda m: m.arange(12).reshape(3, 4),
    "big-ints": lambda m: m.tensor([123456789, -5, 0]),
    "neg-ints": lambda m: m.tensor([[-1, 20], [300, -4000]]),
    "floats": lambda m: m.tensor([1.5, 2.25, -3.125]),
    "int-valued-floats": lambda m: m.tensor([1.0, 2.0, -3.0]),
    "sci-small": lambda m: m.tensor([1e-5, 1.0, 2.5]),
    "sci-large": lambda m: m.tensor([1e10, 1.0]),
    "sci-both": lambda m: m.tensor([1e-8, 1e8]),
    "mixed-magnitudes": lambda m: m.tensor([123.456, 0.001, -7.5]),
    "thousands": lambda m: m.tensor([1234.5, 0.5]),
    "int-valued-large": lambda m: m.tensor([1e9, 2.0]),
    "precision": lambda m: m.tensor([0.1, 1 / 3, 2 / 3]),
    "neg-zero": lambda m: m.tensor([-0.0, 0.0, 1.0]),
    "nan-inf": lambda m: m.tensor([nan, inf, -inf, 1.5]),
    "nan-only": lambda m: m.tensor([nan, nan]),
    "inf-ints": lambda m: m.tensor([inf, 1.0, 2.0]),
    "nan-sci": lambda m: m.tensor([nan, 1e-6, 3.0]),
    "bools": lambda m: m.tensor([True, False, True]),
    "bool-matrix": lambda m: m.tensor([[True, False], [False, True]]),
    "empty": lambda m: m.zeros(0),
    "empty-2d": lambda m: m.zeros(0, 3),
    "empty-2d-int": lambda m: m.zeros(2, 0, dtype=m.int64),
    "empty-f64": lambda m: m.zeros(0, 3, dtype=m.float64),
    "empty-int32": lambda m: m.zeros(0, dtype=m.int32),
    "0d-float": lambda m: m.tensor(3.5),
    "0d-int": lambda m: m.tensor(2),
    "0d-bool": lambda m: m.tensor(True),
    "0d-sci": lambda m: m.tensor(1e-7),
    "0d-f64": lambda m: m.tensor(2.0, dtype=m.float64),
    "0d-nan": lambda m: m.tensor(nan),
    "summarised-1d": lambda m: m.arange(2000.0),
    "summarised-int": lambda m: m.arange(1500),
    "summarised-2d": lambda m: m.arange(1200).reshape(40, 30),
    "summarised-3d": lambda m: m.arange(2400.0).reshape(12, 10, 20) / 7,
    "summarised-bool": lambda m: m.arange(1001) % 3 == 0,
    "just-1000": lambda m: m.arange(1000.0) / 3,
    "3d": lambda m: m.arange(24.0).reshape(2, 3, 4) / 4,
    "4d": lambda m: m.arange(16).reshape(2, 2, 2, 2),
    "float64": lambda m: m.tensor([1.5, 2.0], dtype=m.float64),
    "float64-sci": lambda m: m.tensor([1e-10, 1.0], dtype=m.float64),
    "float64-precise": lambda m: m.tensor([1 / 3, 2.0], dtype=m.float64),
    "float16": lambda m: m.tensor([1.5, 2.0, 1e-3], dtype=m.float16),
    "bfloat16": lambda m: m.tensor([1.5, 2.0, 300.0], dtype=m.bfloat16),
    "int32": lambda m: m.tensor([1, 2], dtype=m.int32),
    "int16": lambda m: m.tensor([1, -2], dtype=m.int16),
    "int8": lambda m: m.tensor([1, -2], dtype=m.int8),
    "uint8": lambda m: m.tensor([1, 255], dtype=m.uint8),
    "transposed": lambda m: (m.arange(6.0).reshape(2, 3) / 2).mT,
    "strided": lambda m: m.arange(10)[::3],
    "random": lambda m: m.tensor(np.random.default_rng(0).standard_normal((3, 4))),
    "random-f32": lambda m: m.tensor(np.random.default_rng(1).standard_normal((2, 5)).astype(np.float32)),
    "leaf": lambda m: m.tensor([1.0, 2.0], requires_grad=True),
    "leaf-0d": lambda m: m.tensor(1.5, requires_grad=True),
    "leaf-f64": lambda m: m.tensor([1.0], dtype=m.float64, requires_grad=True),
    "mul-backward": lambda m: m.tensor([1.0, 2.0], requires_grad=True) * 2,
    "sum-backward": lambda m: m.tensor([1.0, 2.0], requires_grad=True).sum(),
    "select-backward": lambda m: m.tensor([[1.0, 2.0]], requires_grad=True)[0],
    "view-backward": lambda m: m.tensor([1.0, 2.0], requires_grad=True).view(2, 1),
    "exp-f64-backward": lambda m: m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True).exp(),
    "detached": lambda m: (m.tensor([1.0, 2.0], requires_grad=True) * 2).detach(),
}


def expected(t):
    return repr(t).replace("dtype=torch.", "dtype=flashlight.")


@pytest.mark.parametrize("name", list(BATTERY))
def test_repr_matches_torch(name):
    t, f = BATTERY[name](torch), BATTERY[name](fl)
    assert repr(f) == expected(t), f"\nflashlight:\n{f!r}\ntorch:\n{t!r}"
    assert str(f) == expected(t)


def test_dtype_and_size_reprs():
    for d in ["float32", "float64", "int64", "bool", "bfloat16"]:
        assert repr(getattr(fl, d)) == repr(getattr(torch, d)).replace("torch.", "flashlight.")
    assert repr(fl.zeros(2, 3).shape) == repr(torch.zeros(2, 3).shape).replace("torch.", "flashlight.")
    assert repr(fl.zeros(()).shape) == repr(torch.zeros(()).shape).replace("torch.", "flashlight.")
