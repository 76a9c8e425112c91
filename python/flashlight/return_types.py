"""Named result tuples, as torch.return_types: `fl.max(x, 1).values`, `fl.sort(x).indices`, ...

Each is a tuple subclass (unpacks as a pair) with named fields; the C++ bindings construct them.
"""
from collections import namedtuple

__all__ = ["max", "min", "median", "sort", "topk", "kthvalue", "cummax", "cummin", "aminmax"]


def _make(name, fields):
    base = namedtuple(name, fields)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"flashlight.return_types.{name}(\n{body})"

    def __new__(cls, *args, **kwargs):
        # torch.return_types.max([values, indices]) takes one sequence; the fields also work positionally.
        if len(args) == 1 and not kwargs:
            args = tuple(args[0])
        return base.__new__(cls, *args, **kwargs)

    return type(name, (base,), {"__slots__": (), "__new__": __new__, "__repr__": __repr__, "__module__": __name__,
                                "__qualname__": name})


max = _make("max", ["values", "indices"])  # noqa: A001
min = _make("min", ["values", "indices"])  # noqa: A001
median = _make("median", ["values", "indices"])
sort = _make("sort", ["values", "indices"])
topk = _make("topk", ["values", "indices"])
kthvalue = _make("kthvalue", ["values", "indices"])
cummax = _make("cummax", ["values", "indices"])
cummin = _make("cummin", ["values", "indices"])
aminmax = _make("aminmax", ["min", "max"])
