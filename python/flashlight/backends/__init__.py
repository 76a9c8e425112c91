"""fl.backends: which accelerator backends MLX provides here (mps: Apple's Metal GPU)."""
from flashlight.backends import cudnn, mps  # noqa: F401
