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
# The recurrent ops are torch's _VF.* (called by nn.RNN/LSTM/GRU), not part of torch.nn.functional.
_RECURRENT = {"rnn_tanh", "rnn_relu", "lstm", "gru", "rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell"}
for _name in dir(_nn):
    if not _name.startswith("_") and _name not in _RECURRENT:
        globals()[_name] = getattr(_nn, _name)
del _name
