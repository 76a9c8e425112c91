"""Dropout modules: active in training mode, identity in eval mode."""
from __future__ import annotations

from flashlight.nn import functional as F
from flashlight.nn.modules.module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "AlphaDropout"]


class _DropoutNd(Module):
    _fn = None

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        return type(self)._fn(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    _fn = staticmethod(lambda *a: F.dropout(*a))


class Dropout1d(_DropoutNd):
    _fn = staticmethod(lambda *a: F.dropout1d(*a))


class Dropout2d(_DropoutNd):
    _fn = staticmethod(lambda *a: F.dropout2d(*a))


class AlphaDropout(_DropoutNd):
    _fn = staticmethod(lambda *a: F.alpha_dropout(*a))
