"""Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d: torch's arguments, checks, initialisation and repr."""
from __future__ import annotations

import math

import flashlight as fl
from flashlight.nn import functional as F
from flashlight.nn import init
from flashlight.nn.modules.module import Module
from flashlight.nn.modules.utils import _pair, _reverse_repeat_tuple, _single
from flashlight.nn.parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]

_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}


class _ConvNd(Module):
    _ntuple = staticmethod(_pair)
    _conv = None  # F.conv1d / F.conv2d

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                 output_padding, groups, bias, padding_mode, device=None, dtype=None):
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, but got padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        # F.pad's amounts for a non-zeros padding_mode (last dim first; 'same' splits an odd total as torch).
        if isinstance(padding, str):
            pad = []
            if padding == "same":
                for d, k in zip(reversed(dilation), reversed(kernel_size)):
                    total = d * (k - 1)
                    pad += [total // 2, total - total // 2]
            else:
                pad = [0, 0] * len(kernel_size)
            self._reversed_padding_repeated_twice = pad
        else:
            self._reversed_padding_repeated_twice = list(_reverse_repeat_tuple(padding, 2))
        shape = (in_channels, out_channels // groups) if transposed else (out_channels, in_channels // groups)
        self.weight = Parameter(fl.empty(shape + tuple(kernel_size), device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(fl.empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s

    def _conv_forward(self, input, weight, bias):
        conv = type(self)._conv
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(padded, weight, bias, self.stride, self._ntuple(0), self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


def _conv_args(n, kernel_size, stride, padding, dilation):
    tup = _single if n == 1 else _pair
    return tup(kernel_size), tup(stride), padding if isinstance(padding, str) else tup(padding), tup(dilation)


class Conv1d(_ConvNd):
    _ntuple = staticmethod(_single)
    _conv = staticmethod(lambda *a: F.conv1d(*a))

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        k, s, p, d = _conv_args(1, kernel_size, stride, padding, dilation)
        super().__init__(in_channels, out_channels, k, s, p, d, False, _single(0), groups, bias, padding_mode,
                         device, dtype)


class Conv2d(_ConvNd):
    _ntuple = staticmethod(_pair)
    _conv = staticmethod(lambda *a: F.conv2d(*a))

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        k, s, p, d = _conv_args(2, kernel_size, stride, padding, dilation)
        super().__init__(in_channels, out_channels, k, s, p, d, False, _pair(0), groups, bias, padding_mode,
                         device, dtype)


class _ConvTransposeNd(_ConvNd):
    _conv_transpose = None

    def _output_padding(self, input, output_size, num_spatial):
        """torch's output_padding from a requested output_size (None: the constructor's output_padding)."""
        if output_size is None:
            return self.output_padding
        output_size = list(output_size)
        if len(output_size) == num_spatial + 2 or len(output_size) == num_spatial + 1:
            output_size = output_size[-num_spatial:]
        if len(output_size) != num_spatial:
            raise ValueError(f"ConvTranspose{num_spatial}D: for {input.dim()}D input, output_size must have "
                             f"{num_spatial} or {num_spatial + 2} elements (got {len(output_size)})")
        result = []
        for d in range(num_spatial):
            dim_size = input.size(d - num_spatial)
            min_size = ((dim_size - 1) * self.stride[d] - 2 * self.padding[d] +
                        self.dilation[d] * (self.kernel_size[d] - 1) + 1)
            max_size = min_size + self.stride[d] - 1
            if not min_size <= output_size[d] <= max_size:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes range from "
                                 f"{min_size} to {max_size} (for an input of {list(input.shape)[2:]})")
            result.append(output_size[d] - min_size)
        return tuple(result)

    def forward(self, input, output_size=None):
        if self.padding_mode != "zeros":
            raise ValueError(f"Only 'zeros' padding mode is supported for {type(self).__name__}")
        n = len(self.kernel_size)
        op = self._output_padding(input, output_size, n)
        return type(self)._conv_transpose(input, self.weight, self.bias, self.stride, self.padding, op,
                                          self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    _conv_transpose = staticmethod(lambda *a: F.conv_transpose1d(*a))

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        k, s, p, d = _conv_args(1, kernel_size, stride, padding, dilation)
        super().__init__(in_channels, out_channels, k, s, p, d, True, _single(output_padding), groups, bias,
                         padding_mode, device, dtype)


class ConvTranspose2d(_ConvTransposeNd):
    _conv_transpose = staticmethod(lambda *a: F.conv_transpose2d(*a))

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        k, s, p, d = _conv_args(2, kernel_size, stride, padding, dilation)
        super().__init__(in_channels, out_channels, k, s, p, d, True, _pair(output_padding), groups, bias,
                         padding_mode, device, dtype)
