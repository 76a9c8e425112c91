"""Devices: fl.device parsing, device= on creation, .to / .cpu / .device, fl.cuda, fl.backends, the default device,
and clear errors for absent devices. Runs on machines with and without an MLX GPU."""
import sys

import pytest
import torch

import flashlight as fl

HAS_CUDA = fl.cuda.is_available()


def test_device_parsing_matches_torch():
    for spec in ["cpu", "cuda", "cuda:0", "cuda:1", "mps"]:
        a, t = fl.device(spec), torch.device(spec)
        assert a.type == t.type and a.index == t.index
        assert str(a) == str(t) and repr(a) == repr(t)
    assert fl.device("cuda", 0) == fl.device("cuda:0")
    assert fl.device("cpu") == "cpu"
    for bad in ["foo", "cuda:x", "cuda:"]:
        with pytest.raises(RuntimeError):
            fl.device(bad)
        with pytest.raises(RuntimeError):
            torch.device(bad)


def test_cpu_device_everywhere():
    x = fl.zeros(2, 3, device="cpu")
    assert x.device == fl.device("cpu") and x.device.type == "cpu" and x.is_cpu
    for f in (lambda d: fl.ones(2, device=d), lambda d: fl.full((2,), 1.0, device=d),
              lambda d: fl.arange(3, device=d), lambda d: fl.eye(2, device=d), lambda d: fl.tensor([1.0], device=d),
              lambda d: fl.rand(2, device=d), lambda d: fl.randint(0, 3, (2,), device=d),
              lambda d: fl.linspace(0, 1, 3, device=d), lambda d: fl.randperm(3, device=d),
              lambda d: fl.normal(0.0, 1.0, (2,), device=d), lambda d: fl.empty(1, device=d)):
        assert f("cpu").device == fl.device("cpu")
        assert f(fl.device("cpu")).device.type == "cpu"
    c = x.cpu()
    assert c.device.type == "cpu"
    assert x.to("cpu").device.type == "cpu"
    assert fl.zeros_like(x).device == x.device
    assert x.new_zeros(2).device == x.device


def test_to_dtype_and_device_forms():
    x = fl.tensor([1.5, 2.5])
    assert x.to(fl.float64).dtype == fl.float64
    assert x.to("cpu", fl.float64).dtype == fl.float64
    assert x.to(device="cpu", dtype=fl.int32).tolist() == [1, 2]
    y = fl.ones(1, dtype=fl.float64)
    assert x.to(y).dtype == fl.float64


@pytest.mark.skipif(HAS_CUDA, reason="machine has an MLX GPU")
def test_absent_gpu_raises_clear_runtime_error():
    for make in (lambda: fl.zeros(2, device="cuda"), lambda: fl.tensor([1.0], device="cuda:0"),
                 lambda: fl.rand(2, device="cuda"), lambda: fl.ones(2).to("cuda"), lambda: fl.ones(2).cuda(),
                 lambda: fl.arange(3, device=fl.device("cuda")), lambda: fl.ones(2).to("mps")):
        with pytest.raises(RuntimeError, match="not available"):
            make()
    assert not fl.cuda.is_available() and fl.cuda.device_count() == 0
    with pytest.raises(RuntimeError):
        fl.cuda.current_device()
    with pytest.raises(RuntimeError):
        fl.cuda.get_device_name()


@pytest.mark.skipif(not HAS_CUDA, reason="needs an MLX CUDA GPU")
def test_gpu_devices():
    assert fl.cuda.device_count() == 1 and fl.cuda.current_device() == 0
    assert isinstance(fl.cuda.get_device_name(0), str)
    x = fl.ones(2, 3, device="cuda")
    assert x.device == fl.device("cuda:0") and x.is_cuda and not x.is_cpu
    assert x.device.type == "cuda" and x.device.index == 0
    y = x.cpu()
    assert y.device.type == "cpu" and y.tolist() == x.tolist()
    z = y.to("cuda:0")
    assert z.device == fl.device("cuda:0") and (z * 2).sum().item() == 12
    assert y.cuda().is_cuda
    assert fl.randn(3, device="cuda").device.type == "cuda"
    g = fl.ones(2, device="cuda", requires_grad=True)
    (g * 3).sum().backward()
    assert g.grad.tolist() == [3.0, 3.0]
    fl.cuda.synchronize()
    assert fl.cuda.memory_allocated() >= 0
    with pytest.raises(RuntimeError, match="not available"):
        fl.zeros(2, device="cuda:1")
    with pytest.raises(RuntimeError):
        fl.ones(2).to("cuda:1")


def test_cuda_module_shape():
    assert fl.cuda.is_available() == (fl._C.gpu_available() and sys.platform != "darwin")
    assert fl.cuda.device_count() == (1 if fl.cuda.is_available() else 0)
    fl.cuda.manual_seed(5)
    fl.cuda.manual_seed_all(5)
    assert fl.cuda.initial_seed() == 5
    fl.cuda.synchronize()
    fl.cuda.empty_cache()
    for f in (fl.cuda.memory_allocated, fl.cuda.max_memory_allocated, fl.cuda.memory_reserved):
        assert isinstance(f(), int)


def test_backends():
    assert fl.backends.mps.is_available() == (sys.platform == "darwin" and fl._C.gpu_available())
    if sys.platform != "darwin":
        assert fl.backends.mps.is_available() is False and torch.backends.mps.is_available() is False
    assert fl.backends.mps.is_built() == fl.backends.mps.is_available()
    assert fl.backends.cudnn.is_available() is False
    fl.backends.cudnn.benchmark = True  # settable, as in torch
    fl.backends.cudnn.benchmark = False


def test_default_device():
    d = fl.get_default_device()
    assert d.type in ("cpu", "cuda", "mps")
    assert fl.zeros(1).device == d
    try:
        fl.set_default_device("cpu")
        assert fl.get_default_device() == fl.device("cpu")
        assert fl.zeros(1).device.type == "cpu"
        assert fl.tensor([1.0]).device.type == "cpu"
        if not fl._C.gpu_available():
            with pytest.raises(RuntimeError, match="not available"):
                fl.set_default_device("cuda")
    finally:
        fl.set_default_device(None)
    assert fl.get_default_device() == d
