"""fl.cuda: whether MLX has a (non-Apple) GPU here, as torch.cuda. MLX exposes at most one GPU ("cuda:0")."""
import sys

from flashlight import _C

__all__ = ["is_available", "device_count", "current_device", "set_device", "get_device_name", "synchronize",
           "manual_seed", "manual_seed_all", "seed", "seed_all", "initial_seed", "is_initialized", "init",
           "empty_cache", "memory_allocated", "max_memory_allocated", "memory_reserved", "reset_peak_memory_stats",
           "device"]


def is_available():
    """True when MLX has a GPU that is not Apple's (which fl.backends.mps reports)."""
    return bool(_C.gpu_available()) and sys.platform != "darwin"


def device_count():
    return 1 if is_available() else 0


def _check():
    if not is_available():
        raise RuntimeError("CUDA is not available: this build of MLX has no CUDA GPU on this machine")


def is_initialized():
    return is_available()


def init():
    _check()


def current_device():
    _check()
    return 0


def _index(device):
    if device is None:
        return 0
    if isinstance(device, int):
        return device
    d = device if isinstance(device, _C.device) else _C.device(device)
    return 0 if d.index is None else d.index


def set_device(device):
    _check()
    if _index(device) != 0:
        raise RuntimeError(f"Invalid device {device}: MLX exposes one GPU (device_count() == 1)")


def get_device_name(device=None):
    _check()
    if _index(device) != 0:
        raise RuntimeError(f"Invalid device {device}: MLX exposes one GPU (device_count() == 1)")
    try:
        import mlx.core as mx
        name = mx.device_info().get("device_name")
        if name:
            return str(name)
    except Exception:  # noqa: BLE001 - older MLX without device_info
        pass
    return "MLX GPU"


def synchronize(device=None):
    """Waits for all queued MLX work to finish."""
    _C._synchronize()


def manual_seed(seed):
    """Seeds the (single, shared) MLX generator."""
    _C.manual_seed(seed)


manual_seed_all = manual_seed


def seed():
    _C.seed()


seed_all = seed


def initial_seed():
    return _C.initial_seed()


def empty_cache():
    """Frees MLX's buffer cache."""
    _C._empty_cache()


def memory_allocated(device=None):
    return _C._memory_allocated()


def max_memory_allocated(device=None):
    return _C._max_memory_allocated()


def memory_reserved(device=None):
    return _C._memory_reserved()


def reset_peak_memory_stats(device=None):
    _C._reset_peak_memory_stats()


class device:
    """Context manager selecting a CUDA device: only index 0 exists, so it only checks the index."""

    def __init__(self, device):
        self.idx = _index(device)

    def __enter__(self):
        if self.idx not in (-1, 0):
            set_device(self.idx)

    def __exit__(self, *exc):
        return False
