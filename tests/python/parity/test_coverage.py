"""Every public flashlight function, and every Tensor method torch.Tensor also has, has a parity row.

Functions: dir(flashlight) minus classes, dtype objects, submodules and the NON_OPS allow-list below. Each must be
the `name` (or in `covers`) of a row in the op tables, or be exercised by one of the dedicated parity files
(OTHER_COVERAGE). Methods: callables of fl.Tensor that torch.Tensor also has; each must be exercised by a row
(its own, or the method form the harness runs beside a function row of the same name), or be listed in
OTHER_COVERAGE / NON_OP_METHODS.
"""
import types

import torch

import flashlight as fl
from parity_harness import _method_applies
from tables import ALL_ROWS

# Public callables that are not tensor ops: configuration, modes and process-wide state. Each is justified.
NON_OPS = {
    "get_default_dtype": "configuration (checked by test_promotion's default-dtype round trip)",
    "set_default_dtype": "configuration (checked by test_promotion's default-dtype round trip)",
    "is_grad_enabled": "grad-mode query (test_autograd_parity checks the modes)",
    "set_grad_enabled": "grad-mode context manager (test_autograd_parity, tests/python/test_autograd.py)",
    "no_grad": "grad-mode context manager (test_autograd_parity, tests/python/test_autograd.py)",
    "enable_grad": "grad-mode context manager (test_autograd_parity, tests/python/test_autograd.py)",
    "inference_mode": "grad-mode context manager (test_autograd_parity, tests/python/test_autograd.py)",
    "is_inference_mode_enabled": "grad-mode query",
    "manual_seed": "RNG state: values are engine-specific, not comparable with torch",
    "seed": "RNG state",
    "initial_seed": "RNG state",
    "get_default_device": "device configuration (single-device CPU here)",
    "set_default_device": "device configuration",
    "default_device": "flashlight-only device query",
    "gpu_available": "flashlight-only device query",
    "get_num_threads": "thread-pool configuration",
    "set_num_threads": "thread-pool configuration",
    "from_mlx": "flashlight-only MLX interop (test_basics)",
    "value_and_grad": "MLX-style functional autodiff (tests/python/nn/test_functional_training.py)",
    "grad": "MLX-style functional autodiff (tests/python/nn/test_functional_training.py)",
    "save": "checkpoint I/O, not a tensor op (tests/python/test_serialize.py: round trips, safetensors interop)",
    "load": "checkpoint I/O, not a tensor op (tests/python/test_serialize.py, tests/python/test_fuzz_safetensors.py)",
}
# Covered outside the op tables (by name), with the file that checks them.
OTHER_COVERAGE = {
    "__getitem__": "test_indexing.py", "__setitem__": "test_indexing.py",
    "__repr__": "test_repr.py", "__str__": "test_repr.py",
    "backward": "every gradient row", "requires_grad_": "every gradient row",
    "detach": "test_autograd_parity.py", "to": "test_promotion.py and table_methods",
    "is_inference": "test_autograd_parity.py (inference_mode)",
}
# Tensor methods with no value to compare.
NON_OP_METHODS = {
    "data_ptr": "an address",
    "cuda": "no CUDA device in the parity environment",
    "__array__": "numpy protocol (every row converts results through numpy)",
    "__hash__": "identity hash",
    "__init__": "the legacy constructor fl.Tensor(data) (tests/python/test_basics.py)",
    "__reduce__": "pickling", "__reduce_ex__": "pickling (tests/python/test_data.py)",
    "__deepcopy__": "copy.deepcopy (tests/python/nn/test_module.py)",
}
OPERATOR_DUNDERS = {n for n in dir(torch.Tensor) if n.startswith("__") and n not in dir(object)} | {
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__repr__", "__str__", "__hash__", "__init__"}


def public_functions():
    out = []
    for name in dir(fl):
        if name.startswith("_"):
            continue
        obj = getattr(fl, name)
        if isinstance(obj, (type, types.ModuleType, fl.dtype)) or not callable(obj):
            continue
        out.append(name)
    return out


def tensor_methods():
    out = []
    for name in dir(fl.Tensor):
        if name.startswith("_") and name not in OPERATOR_DUNDERS:
            continue
        if isinstance(getattr(fl.Tensor, name), property) or not hasattr(torch.Tensor, name):
            continue
        if not callable(getattr(fl.Tensor, name)):
            continue
        out.append(name)
    return out


def covered_names():
    names = set(OTHER_COVERAGE)
    for r in ALL_ROWS:
        names.add(r.name)
        names.update(r.covers)
    return names


def covered_methods():
    names = set(OTHER_COVERAGE) | set(NON_OP_METHODS)
    for r in ALL_ROWS:
        names.update(r.covers)
        if r.fn is not None or (r.cases and _method_applies(r, r.cases[0])):
            names.add(r.name)
    return names


def test_every_public_function_has_a_parity_row():
    covered = covered_names()
    missing = [n for n in public_functions() if n not in covered and n not in NON_OPS]
    assert not missing, f"public flashlight functions without a parity row: {missing}"


def test_allow_list_names_exist():
    stale = [n for n in NON_OPS if not hasattr(fl, n)]
    stale += [n for n in {**OTHER_COVERAGE, **NON_OP_METHODS} if not hasattr(fl.Tensor, n)]
    assert not stale, f"allow-lists name what flashlight no longer has: {stale}"


def test_every_tensor_method_has_a_parity_row():
    covered = covered_methods()
    missing = [n for n in tensor_methods() if n not in covered]
    assert not missing, f"fl.Tensor methods (also on torch.Tensor) without a parity row: {missing}"
