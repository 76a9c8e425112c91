"""flashlight.nn: torch.nn's modules over the C++ functional ops."""
from flashlight.nn import functional, init, utils  # noqa: F401
