"""nn.Parameter and nn.Buffer: tensors that a Module registers when they are assigned as attributes."""
import flashlight as fl
from flashlight._C import Tensor


class Parameter(Tensor):
    """A Tensor that is a module parameter: `Parameter(t)` shares t's storage and requires grad by default."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = fl.empty(0)
        return Tensor._make_subclass(cls, data, requires_grad)

    def __init__(self, data=None, requires_grad=True):  # the storage was bound by __new__
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.data.clone(), self.requires_grad)
        return memo[id(self)]

    def __reduce_ex__(self, protocol):
        return (Parameter, (self.data, self.requires_grad))


class Buffer(Tensor):
    """torch.nn.Buffer: a Tensor that a Module registers as a buffer when assigned (`persistent=` as in
    register_buffer)."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = fl.empty(0)
        t = Tensor._make_subclass(cls, data, data.requires_grad)
        t.persistent = persistent
        return t

    def __init__(self, data=None, *, persistent=True):
        pass
