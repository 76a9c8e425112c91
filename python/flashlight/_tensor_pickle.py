"""Pickling and deep copies of Tensors (DataLoader workers send batches between processes; copy.deepcopy of a
model copies its parameters). Values travel as numpy arrays: bfloat16, which numpy lacks, as float32 (exact)."""
from flashlight._C import Tensor


def _rebuild_tensor(array, dtype_name: str, requires_grad: bool) -> Tensor:
    import flashlight as fl

    t = fl.from_numpy(array).to(getattr(fl, dtype_name)).clone()
    return t.requires_grad_(requires_grad) if requires_grad else t


def _dtype_name(t: Tensor) -> str:
    return repr(t.dtype).split(".")[-1]


def _reduce_ex(self: Tensor, protocol):
    t = self.detach()
    name = _dtype_name(t)
    array = (t.float() if name == "bfloat16" else t).numpy().copy()
    return (_rebuild_tensor, (array, name, self.requires_grad))


def _deepcopy(self: Tensor, memo):
    if not self.is_leaf:
        raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                           "protocol at the moment.")
    if id(self) in memo:
        return memo[id(self)]
    out = self.detach().clone()
    out.requires_grad_(self.requires_grad)
    if self.grad is not None:
        out.grad = self.grad.clone()
    memo[id(self)] = out
    return out


Tensor.__reduce_ex__ = _reduce_ex
Tensor.__deepcopy__ = _deepcopy
