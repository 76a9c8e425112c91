"""Parity helpers for torch.nn.functional ops: rows of the shared parity harness (tests/python/parity) that call
flashlight.nn.functional.<name> and torch.nn.functional.<name> with the same inputs, and error-class checks."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "parity"))

import torch  # noqa: E402
import torch.nn.functional as TF  # noqa: E402

import flashlight as fl  # noqa: E402
import flashlight.nn.functional as FF  # noqa: E402
from parity_harness import TORCH, In, Row, assert_raises_like, params, run_row  # noqa: E402,F401


def nn_row(name, cases, **kw):
    """A Row calling <lib>.nn.functional.<name>(*case, **kwargs); tag tells rows of one op apart."""
    def fn(lib, *args, **kwargs):
        return getattr(TF if lib is TORCH else FF, name)(*args, **kwargs)
    return Row(name, cases, fn=fn, **kw)


def check_error(call):
    """call(torch, torch.nn.functional) raises; call(flashlight, flashlight.nn.functional) must raise the same
    exception class. Returns flashlight's exception."""
    try:
        call(torch, TF)
    except Exception as e:  # noqa: BLE001
        return assert_raises_like(e, lambda: call(fl, FF))
    raise AssertionError("torch does not raise")
