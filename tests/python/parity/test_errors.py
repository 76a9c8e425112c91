"""The same bad input raises the same exception class (IndexError, TypeError, ValueError, RuntimeError) in
flashlight as in torch, across families: shape mismatches, bad dims, out-of-range indices, bad dtypes, in-place
writes that autograd forbids, backward misuse, conversions."""
import numpy as np
import pytest
import torch

import flashlight as fl
from parity_harness import TORCH, assert_raises_like


def x(m, *shape, grad=False, dtype=None):
    shape = shape or (2, 3)
    t = m.arange(float(np.prod(shape))).reshape(shape) / 3 + 1
    if dtype is not None:
        t = t.to(getattr(m, dtype))
    return t.requires_grad_() if grad else t


def twice(m):
    a = x(m, grad=True)
    y = (a * a).sum()
    y.backward()
    y.backward()


def modified_saved(m):
    a = x(m, grad=True)
    y = a.exp()
    y.add_(1)
    y.sum().backward()


def unused_input(m):
    a, b = x(m, grad=True), x(m, grad=True)
    m.autograd.grad((a * 2).sum(), [b])


BATTERY = {
    # shapes
    "add-broadcast": lambda m: x(m) + x(m, 4),
    "matmul-inner": lambda m: x(m) @ x(m),
    "mm-1d": lambda m: m.mm(x(m, 3), x(m, 3, 2)),
    "bmm-2d": lambda m: m.bmm(x(m), x(m, 3, 2)),
    "dot-sizes": lambda m: m.dot(x(m, 3), x(m, 4)),
    "cat-shapes": lambda m: m.cat([x(m), x(m, 2, 4)]),
    "cat-empty-list": lambda m: m.cat([]),
    "stack-shapes": lambda m: m.stack([x(m), x(m, 3, 2)]),
    "view-numel": lambda m: x(m).view(4, 2),
    "view-noncontiguous": lambda m: x(m).mT.view(-1),
    "reshape-numel": lambda m: x(m).reshape(5),
    "reshape-two-infer": lambda m: x(m).reshape(-1, -1),
    "expand": lambda m: x(m).expand(3, 3),
    "broadcast_to": lambda m: m.broadcast_to(x(m), (3,)),
    "where-shapes": lambda m: m.where(x(m) > 1, x(m), x(m, 4)),
    "masked_fill-shape": lambda m: x(m).masked_fill(m.ones(4, dtype=m.bool), 0.0),
    "inplace-broadcast-grow": lambda m: x(m, 3).add_(x(m, 2, 3)),
    "split-sizes": lambda m: m.split(x(m, 5), [2, 2]),
    "unflatten": lambda m: x(m).unflatten(1, (2, 2)),
    "einsum-operands": lambda m: m.einsum("ij,jk->ik", x(m)),
    "einsum-sizes": lambda m: m.einsum("ij,jk->ik", x(m), x(m)),
    "pad-odd": lambda m: TORCH.pad(x(m), (1,)) if m is torch else m.pad(x(m), (1,)),
    "cross-no-3": lambda m: m.cross(x(m, 2, 2), x(m, 2, 2)),
    "nested-ragged": lambda m: m.tensor([[1, 2], [3]]),
    # dims
    "sum-dim": lambda m: x(m).sum(3),
    "softmax-dim": lambda m: m.softmax(x(m), 5),
    "transpose-dim": lambda m: x(m).transpose(0, 5),
    "unsqueeze-dim": lambda m: x(m).unsqueeze(4),
    "squeeze-dim": lambda m: x(m).squeeze(3),
    "cat-dim": lambda m: m.cat([x(m), x(m)], 2),
    "flatten-dims": lambda m: x(m).flatten(1, 0),
    "narrow-range": lambda m: x(m).narrow(1, 2, 3),
    "select-range": lambda m: x(m).select(1, 5),
    "cumsum-dim": lambda m: x(m).cumsum(2),
    "topk-k": lambda m: x(m).topk(5),
    "kthvalue-k": lambda m: x(m).kthvalue(4),
    "max-dim": lambda m: x(m).max(2),
    "permute-repeat": lambda m: x(m).permute(0, 0),
    "permute-count": lambda m: x(m).permute(0),
    "movedim": lambda m: m.movedim(x(m), 0, 4),
    "chunk-zero": lambda m: x(m).chunk(0),
    "repeat-fewer": lambda m: x(m).repeat(2),
    "diagonal-dims": lambda m: x(m).diagonal(0, 0, 0),
    # indices
    "getitem-int": lambda m: x(m)[5],
    "getitem-neg": lambda m: x(m)[-3],
    "getitem-list": lambda m: x(m)[[0, 9]],
    "getitem-too-many": lambda m: x(m)[0, 0, 0],
    "getitem-float": lambda m: x(m)[1.5],
    "getitem-float-tensor": lambda m: x(m)[m.tensor([0.5])],
    "getitem-mask-shape": lambda m: x(m)[m.tensor([True, False, True])],
    "setitem-shape": lambda m: x(m).__setitem__(0, m.ones(4)),
    "gather-range": lambda m: m.gather(x(m), 1, m.tensor([[0, 5]])),
    # (torch raises IndexError along dim 0, but RuntimeError from its gather kernel along dim 1: flashlight
    # always raises IndexError.)
    "index_select-range": lambda m: m.index_select(x(m), 0, m.tensor([0, 7])),
    "index_select-float": lambda m: m.index_select(x(m), 1, m.tensor([0.0])),
    "take-range": lambda m: m.take(x(m), m.tensor([6])),
    "scatter-range": lambda m: m.scatter(x(m), 1, m.tensor([[3]]), x(m)),
    "one_hot-range": lambda m: TORCH.one_hot(m.tensor([0, 3]), 3) if m is torch else m.one_hot(m.tensor([0, 3]), 3),
    "item-many": lambda m: x(m).item(),
    "bool-many": lambda m: bool(x(m)),
    "len-0d": lambda m: len(m.tensor(1.0)),
    "iter-0d": lambda m: iter(m.tensor(1.0)),
    "int-many": lambda m: int(x(m)),
    "index-float": lambda m: [1, 2][m.tensor(1.0)],
    # dtypes
    "bitwise-float": lambda m: m.bitwise_and(x(m), x(m)),
    "invert-float": lambda m: ~x(m),
    "lerp-dtypes": lambda m: m.lerp(x(m), x(m, dtype="float64"), 0.5),
    "alpha-float-int": lambda m: m.add(x(m, dtype="int64"), x(m, dtype="int64"), alpha=1.5),
    "sub-bool": lambda m: m.tensor([True]) - m.tensor([False]),
    "mean-int": lambda m: x(m, dtype="int64").mean(),
    "std-int": lambda m: x(m, dtype="int64").std(),
    "softmax-int": lambda m: m.softmax(x(m, dtype="int64"), 0),
    "masked_fill-float-mask": lambda m: x(m).masked_fill(x(m), 0.0),
    "where-float-cond": lambda m: m.where(x(m), x(m), x(m)),
    "pow-int-neg": lambda m: m.tensor([2, 3]) ** -1,
    "int-div-zero": lambda m: m.tensor([1, 2]) // m.tensor([0, 1]),
    "iadd-float-into-int": lambda m: x(m, dtype="int64").add_(1.5),
    "idiv-into-int": lambda m: x(m, dtype="int64").div_(2),
    "grad-int": lambda m: m.tensor([1, 2], requires_grad=True),
    "arange-step0": lambda m: m.arange(0, 5, 0),
    "arange-sign": lambda m: m.arange(0, 5, -1),
    "linspace-neg": lambda m: m.linspace(0, 1, -1),
    "randint-empty": lambda m: m.randint(5, 5, (2,)),
    "multinomial-neg": lambda m: m.multinomial(m.tensor([-1.0, 2.0]), 1),
    "multinomial-too-many": lambda m: m.multinomial(m.tensor([1.0, 2.0]), 3),
    "rounding-mode": lambda m: m.div(x(m), 2, rounding_mode="round"),
    "isclose-dtypes": lambda m: m.isclose(x(m), x(m, dtype="float64")),
    "set-default-int": lambda m: m.set_default_dtype(m.int64),
    "numpy-bfloat16": lambda m: x(m, dtype="bfloat16").numpy(),
    # types
    "add-str": lambda m: m.add(x(m), "a"),
    "tensor-str": lambda m: m.tensor("abc"),
    "tensor-object": lambda m: m.tensor([object()]),
    "zeros-str": lambda m: m.zeros("a"),
    "zeros-float-size": lambda m: m.zeros(2.5),
    "zeros-dtype-str": lambda m: m.zeros(2, dtype="float32"),
    "sum-dim-str": lambda m: x(m).sum("a"),
    "view-str": lambda m: x(m).view("a"),
    "cat-tensor": lambda m: m.cat(x(m)),
    "cat-non-tensor": lambda m: m.cat([x(m), 1]),
    "mul-list": lambda m: x(m) * [1, 2, 3],
    "add-tuple": lambda m: m.add(x(m), (1, 2, 3)),
    "setitem-list": lambda m: x(m).__setitem__(0, [1.0, 2.0, 3.0]),
    "tensor-none": lambda m: m.tensor([None]),
    "tensor-nested-str": lambda m: m.tensor(["a"]),
    "neg-bool": lambda m: -m.tensor([True]),
    # autograd
    "inplace-leaf": lambda m: x(m, grad=True).add_(1),
    "setitem-leaf": lambda m: x(m, grad=True).__setitem__(0, 1.0),
    "inplace-leaf-view": lambda m: x(m, grad=True)[0].mul_(2),
    "zero-leaf": lambda m: x(m, grad=True).zero_(),
    "backward-twice": twice,
    "backward-nonscalar": lambda m: (x(m, grad=True) * 2).backward(),
    "backward-no-grad": lambda m: x(m).sum().backward(),
    "backward-grad-shape": lambda m: (x(m, grad=True) * 2).backward(m.ones(3)),
    "modified-saved": modified_saved,
    "numpy-requires-grad": lambda m: x(m, grad=True).numpy(),
    "requires-grad-nonleaf-off": lambda m: (x(m, grad=True) * 2).requires_grad_(False),
    "grad-unused": unused_input,
    "grad-assign-shape": lambda m: setattr(x(m, grad=True), "grad", m.ones(4)),
    "grad-non-scalar-outputs": lambda m: m.autograd.grad(x(m, grad=True) * 2, []),
}


@pytest.mark.parametrize("name", list(BATTERY))
def test_same_exception_class(name):
    fn = BATTERY[name]
    try:
        fn(torch)
    except Exception as e:  # noqa: BLE001
        assert_raises_like(e, lambda: fn(fl), name)
    else:
        raise AssertionError(f"{name}: torch does not raise (fix the battery entry)")
