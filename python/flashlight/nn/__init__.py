"""flashlight.nn: torch.nn's modules over the C++ functional ops (flashlight.nn.functional)."""
from flashlight.nn import functional, init  # noqa: F401
from flashlight.nn.modules import *  # noqa: F401,F403
from flashlight.nn.parameter import Buffer, Parameter, UninitializedParameter  # noqa: F401
from flashlight.nn import utils  # noqa: F401,E402
