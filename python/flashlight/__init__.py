"""Flashlight: PyTorch's API on Apple's MLX engine. `import flashlight as fl` where you had `import torch`."""
from flashlight._size import Size
from flashlight._C import *  # noqa: F401,F403
from flashlight._C import Tensor, dtype, device  # noqa: F401
from flashlight import return_types  # noqa: F401,E402  (fl.max(x, 1) etc. return these; pyB)
# Autograd, devices and random (pyA).
from flashlight import autograd, backends, cuda, random  # noqa: F401,E402
from flashlight.autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled,  # noqa: F401,E402
                                           is_inference_mode_enabled, no_grad, set_grad_enabled)
from flashlight import _tensor_pickle  # noqa: F401,E402  (Tensor pickling and deepcopy)
# Frontends over the core: nn, optim, NCPs and data loading.
from flashlight import nn, ncps, optim, utils  # noqa: F401,E402
from flashlight._functional import grad, value_and_grad  # noqa: F401,E402  (MLX-style functional training)
# Checkpoints: torch.save / torch.load over safetensors files.
from flashlight.serialization import load, save  # noqa: F401,E402
