"""Flashlight: PyTorch's API on Apple's MLX engine. `import flashlight as fl` where you had `import torch`."""
from flashlight._size import Size
from flashlight._C import *  # noqa: F401,F403
from flashlight._C import Tensor, dtype, device  # noqa: F401
