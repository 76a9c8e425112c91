"""Parity rows for Tensor-only methods: metadata (sizes, strides, offsets as PyTorch reports them for views),
conversions, and in-place fills and copies."""
from parity_harness import FLOATS, In, Row

ROWS = []
ALLD = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64")
X = In((2, 3, 4))
VIEWS = [(X,), (In((2, 3, 4), layout="T"),), (In((2, 3, 4), layout="step"),), (In(()),), (In((0, 3)),)]


def M(name, cases, dtypes=FLOATS, **kw):
    ROWS.append(Row(name, cases, dtypes=dtypes, **kw))


M("size", VIEWS, ALLD, fn=lambda m, x: (x.size(), tuple(x.shape), x.size(-1) if x.dim() else None))
M("dim", VIEWS, fn=lambda m, x: (x.dim(), x.ndimension(), x.ndim), covers=("ndimension",))
M("numel", VIEWS, ALLD, fn=lambda m, x: (x.numel(), x.nelement(), x.element_size(), x.itemsize, x.nbytes),
  covers=("nelement", "element_size"))
M("stride", VIEWS, ALLD, fn=lambda m, x: (x.stride(), x.stride(-1) if x.dim() else None, x.storage_offset(),
                                           x.is_contiguous()), covers=("storage_offset", "is_contiguous"))
M("stride", [(X,)], fn=lambda m, x: (x[1:, ::2].stride(), x[1:, ::2].storage_offset(), x.permute(2, 0, 1).stride(),
                                     x.mT.is_contiguous(), x.unsqueeze(1).stride(), x.expand(5, 2, 3, 4).stride(),
                                     x[:, 1].storage_offset(), x.diagonal(0, 1, 2).stride()), tag="views")
M("is_floating_point", [(X,)], ALLD, fn=lambda m, x: (x.is_floating_point(), x.is_complex(), x.dtype.is_floating_point,
                                                      x.dtype.is_signed, x.dtype.itemsize), covers=("is_complex",))
for name in ["float", "double", "half", "bfloat16", "long", "int", "short", "char", "byte", "bool"]:
    M(name, [(In((2, 3), "wide"),), (In((3, 2), "wide", layout="T"),)], ALLD, grad=False,
      fn=lambda m, x, name=name: getattr(x, name)())
M("float", [(In((2, 3)),)], ("float64",), fn=lambda m, x: x.float(), tag="grad")
M("to", [(In((2, 3), "wide"),)], ALLD, fn=lambda m, x: (x.to(m.float64), x.to(m.int32), x.to("cpu").dtype,
                                                     x.to(dtype=m.float16), x.to(x.new_zeros(1, dtype=m.int8))))
M("type", [(X,)], ALLD, fn=lambda m, x: (x.type(), x.type(m.float64)))
M("type_as", [(X, In((2,), dtype="int32"))], fn=lambda m, x, y: x.type_as(y))
M("cpu", [(X,)], fn=lambda m, x: x.cpu())
# torch keeps a dense input's strides in clone() (preserve_format) and in elementwise results (TensorIterator);
# so does flashlight (core/layout.h; more in table_layout.py).
M("clone", [(In((2, 3), layout="T"),)], fn=lambda m, x: (x.clone().is_contiguous(), x.clone().stride()), tag="layout")
M("exp", [(In((2, 3), layout="T"),)], fn=lambda m, x: ((x + 1).stride(), m.exp(x).stride()), tag="layout")
M("contiguous", [(In((2, 3), layout="T"),)], fn=lambda m, x: (x.contiguous().stride(), x.contiguous().is_contiguous()),
  tag="layout")
M("copy_", [(In((2, 3)), In((3,))), (In((3, 2), layout="T"), In((3, 2)))], fn=lambda m, x, y: x.clone().copy_(y))
M("copy_", [(In((2, 3)), In((2, 3), dtype="int64"))], fn=lambda m, x, y: x.clone().copy_(y), tag="cast")
M("fill_", [(In((2, 3)),), (In((3, 2), layout="T"),)], ALLD, grad=False, fn=lambda m, x: x.clone().fill_(2))
M("fill_", [(In((2, 3)), In(()))], fn=lambda m, x, v: x.clone().fill_(v), tag="tensor")
M("zero_", [(In((2, 3)),), (In((3, 2), layout="T"),)], ALLD, grad=False, fn=lambda m, x: x.clone().zero_())
M("cumsum_", [(In((2, 3)),)], fn=lambda m, x: x.clone().cumsum_(1))
# cumprod saves its input, which the in-place write then modifies: backward raises in both.
M("cumprod_", [(In((2, 3)),)], fn=lambda m, x: x.clone().cumprod_(0))
M("cumprod_", [(In((2, 3)),)], fn=lambda m, x: x.detach().clone().cumprod_(0), grad=False, tag="values")
M("detach_", [(In((2, 3)),)], fn=lambda m, x: (lambda y: (y.detach_().requires_grad, y.is_leaf, y.grad_fn))(x * 2))
M("retain_grad", [(In((2, 3)),)], fn=lambda m, x: (lambda y: (y.retain_grad(), y.retains_grad,
                                                              (y * y).sum().backward(), y.grad)[1:])(x * 2))
M("item", [(In(()),), (In((1, 1)),)], ALLD, grad=False, fn=lambda m, x: x.item(), covers=("__float__",))
M("tolist", [(In((2, 3)),), (In(()),), (In((0, 2)),), (In((3, 2), layout="T"),)], ALLD, grad=False,
  fn=lambda m, x: x.tolist())
M("__len__", [(In((4, 3)),)], fn=lambda m, x: (len(x), [t.shape for t in x]), covers=("__iter__",))
M("__bool__", [(In((1,)),), (In(()),)], ALLD, grad=False, fn=lambda m, x: (bool(x), float(x), int(x)),
  covers=("__float__", "__int__"))
M("__index__", [(In(()),)], ("int64", "int32"), fn=lambda m, x: [10, 20, 30, 40][x.abs() % 4])
M("numpy", [(In((2, 3)),), (In((3, 2), layout="T"),)], ALLD[1:2] + ("float16", "float32", "float64", "int64", "bool"),
  grad=False, fn=lambda m, x: m.from_numpy(x.numpy().copy()))
