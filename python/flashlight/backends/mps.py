"""fl.backends.mps: True on macOS when MLX has its Metal GPU (there "mps" and "gpu" name it)."""
import sys

from flashlight import _C


def is_available():
    return sys.platform == "darwin" and bool(_C.gpu_available())


def is_built():
    return is_available()
