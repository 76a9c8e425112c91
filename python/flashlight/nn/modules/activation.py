"""Activation modules: each holds its options and calls the C++ op of the same name."""
from __future__ import annotations

import flashlight as fl
from flashlight.nn import functional as F
from flashlight.nn.modules.module import Module
from flashlight.nn.parameter import Parameter

__all__ = ["ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Tanh", "Sigmoid",
           "Softplus", "Softsign", "Hardtanh", "Hardsigmoid", "Hardswish", "Hardshrink", "Softshrink", "Tanhshrink",
           "LogSigmoid", "Threshold", "Softmax", "LogSoftmax", "Softmin", "Softmax2d", "PReLU", "GLU"]


def _maybe_inplace(x, result, inplace: bool):
    """inplace=True writes the result into the input, as torch's in-place activations do."""
    if not inplace:
        return result
    return x.copy_(result)


def _simple(name: str, fn, doc: str, options: tuple = (), inplace_arg: bool = False):
    """A module class whose forward is fn(input, *options); its repr lists the options as torch's does."""

    def __init__(self, *args, **kwargs):
        Module.__init__(self)
        names = [o[0] for o in options] + (["inplace"] if inplace_arg else [])
        defaults = [o[1] for o in options] + ([False] if inplace_arg else [])
        if len(args) > len(names):
            raise TypeError(f"{name}.__init__() takes at most {len(names)} arguments ({len(args)} given)")
        values = dict(zip(names, defaults))
        values.update(zip(names, args))
        for k, v in kwargs.items():
            if k not in values:
                raise TypeError(f"{name}.__init__() got an unexpected keyword argument '{k}'")
            values[k] = v
        for k, v in values.items():
            setattr(self, k, v)

    def forward(self, input):
        out = fn(input, *[getattr(self, o[0]) for o in options])
        return _maybe_inplace(input, out, getattr(self, "inplace", False))

    def extra_repr(self):
        parts = [o[2](getattr(self, o[0])) for o in options if o[2] is not None]
        if getattr(self, "inplace", False):
            parts.append("inplace=True")
        return ", ".join(p for p in parts if p)

    return type(name, (Module,), {"__init__": __init__, "forward": forward, "extra_repr": extra_repr,
                                  "__doc__": doc, "__module__": __name__})


def _kv(key):
    return lambda v: f"{key}={v}"


ReLU = _simple("ReLU", lambda x: F.relu(x), "max(0, x).", inplace_arg=True)
ReLU6 = _simple("ReLU6", lambda x: F.relu6(x), "min(max(0, x), 6).", inplace_arg=True)
LeakyReLU = _simple("LeakyReLU", lambda x, s: F.leaky_relu(x, s), "max(0, x) + negative_slope * min(0, x).",
                    (("negative_slope", 0.01, _kv("negative_slope")),), inplace_arg=True)
ELU = _simple("ELU", lambda x, a: F.elu(x, a), "Exponential linear unit.", (("alpha", 1.0, _kv("alpha")),),
              inplace_arg=True)
SELU = _simple("SELU", lambda x: F.selu(x), "Scaled ELU.", inplace_arg=True)
CELU = _simple("CELU", lambda x, a: F.celu(x, a), "Continuously differentiable ELU.",
               (("alpha", 1.0, _kv("alpha")),), inplace_arg=True)
GELU = _simple("GELU", lambda x, a: F.gelu(x, approximate=a), "Gaussian error linear unit.",
               (("approximate", "none", lambda v: f"approximate={v!r}"),))
SiLU = _simple("SiLU", lambda x: F.silu(x), "x * sigmoid(x).", inplace_arg=True)
Mish = _simple("Mish", lambda x: F.mish(x), "x * tanh(softplus(x)).", inplace_arg=True)
Tanh = _simple("Tanh", lambda x: fl.tanh(x), "Hyperbolic tangent.")
Sigmoid = _simple("Sigmoid", lambda x: fl.sigmoid(x), "Logistic sigmoid.")
Softplus = _simple("Softplus", lambda x, b, t: F.softplus(x, b, t), "log(1 + exp(beta x)) / beta.",
                   (("beta", 1.0, _kv("beta")), ("threshold", 20.0, _kv("threshold"))))
Softsign = _simple("Softsign", lambda x: F.softsign(x), "x / (1 + |x|).")
Hardtanh = _simple("Hardtanh", lambda x, lo, hi: F.hardtanh(x, lo, hi), "clamp(x, min_val, max_val).",
                   (("min_val", -1.0, _kv("min_val")), ("max_val", 1.0, _kv("max_val"))), inplace_arg=True)
Hardsigmoid = _simple("Hardsigmoid", lambda x: F.hardsigmoid(x), "Piecewise-linear sigmoid.", inplace_arg=True)
Hardswish = _simple("Hardswish", lambda x: F.hardswish(x), "x * hardsigmoid(x).", inplace_arg=True)
Hardshrink = _simple("Hardshrink", lambda x, l: F.hardshrink(x, l), "x where |x| > lambd, else 0.",
                     (("lambd", 0.5, str),))
Softshrink = _simple("Softshrink", lambda x, l: F.softshrink(x, l), "Soft thresholding.", (("lambd", 0.5, str),))
Tanhshrink = _simple("Tanhshrink", lambda x: F.tanhshrink(x), "x - tanh(x).")
LogSigmoid = _simple("LogSigmoid", lambda x: F.logsigmoid(x), "log(sigmoid(x)).")
Threshold = _simple("Threshold", lambda x, t, v: F.threshold(x, t, v), "x where x > threshold, else value.",
                    (("threshold", None, _kv("threshold")), ("value", None, _kv("value"))), inplace_arg=True)


def _softmax_dim(ndim: int) -> int:
    """torch's legacy implicit dim for Softmax(dim=None)."""
    return 0 if ndim in (0, 1, 3) else 1


class Softmax(Module):
    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim if self.dim is not None else _softmax_dim(input.dim()))

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    def forward(self, input):
        return F.log_softmax(input, self.dim if self.dim is not None else _softmax_dim(input.dim()))


class Softmin(Softmax):
    def forward(self, input):
        return F.softmin(input, self.dim if self.dim is not None else _softmax_dim(input.dim()))


class Softmax2d(Module):
    """Softmax over the channel dim of (N, C, H, W) or (C, H, W) input."""

    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead")
        return F.softmax(input, -3)


class PReLU(Module):
    """max(0, x) + weight * min(0, x), with a learnable weight per channel (dim 1) or shared."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(fl.full((num_parameters,), init, device=device, dtype=dtype))

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class GLU(Module):
    """a * sigmoid(b), where a and b are the halves of the input along dim."""

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"
