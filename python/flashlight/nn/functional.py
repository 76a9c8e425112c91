"""flashlight.nn.functional: torch.nn.functional's ops. Every one is a C++ op bound in flashlight._C._nn; the
activations and softmax family live in the core (flashlight._C) and are re-exported here under the same names."""
from flashlight import _C as _core
from flashlight._C import _nn

_ACTIVATIONS = (
    "relu", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish", "softplus", "softsign",
    "hardtanh", "hardsigmoid", "hardswish", "hardshrink", "softshrink", "tanhshrink", "logsigmoid", "sigmoid",
    "tanh", "softmax", "log_softmax", "pad",
)
for _name in _ACTIVATIONS:
    if hasattr(_core, _name):
        globals()[_name] = getattr(_core, _name)
for _name in dir(_nn):
    if not _name.startswith("_"):
        globals()[_name] = getattr(_nn, _name)
del _name
