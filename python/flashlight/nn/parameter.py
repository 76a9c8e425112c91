"""nn.Parameter, nn.UninitializedParameter and nn.Buffer: tensors that a Module registers when they are assigned as
attributes."""
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


class UninitializedParameter(Parameter):
    """torch's UninitializedParameter: the placeholder a lazy module registers for a parameter whose shape it learns
    at its first call (an ncps cell built from an unbuilt wiring). It holds no values (0 elements); ``materialize``
    gives this same object its shape and values and turns it into a plain Parameter, so an optimizer built before
    the first call trains it. Optimizers refuse to step while one of their parameters is still uninitialized."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        return Tensor._make_subclass(cls, fl.empty(0, device=device, dtype=dtype), requires_grad)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def materialize(self, shape, device=None, dtype=None):
        """In place: torch's ``materialize(shape)`` (uninitialized values of that shape, in this dtype unless given),
        or, given a Tensor, its values. requires_grad is kept; the object becomes a Parameter."""
        if isinstance(shape, Tensor):
            value = shape.detach()
        else:
            value = fl.empty(tuple(shape), device=device, dtype=self.dtype if dtype is None else dtype)
        self.data = value
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return "<UninitializedParameter>"

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, dtype=self.dtype)
        return memo[id(self)]

    def __reduce_ex__(self, protocol):
        return (UninitializedParameter, (self.requires_grad, None, self.dtype))


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
