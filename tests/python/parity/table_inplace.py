"""Parity rows for the in-place forms (x.name_(...)): each on a clone (gradients flow through the in-place op back to
the leaves) and on a view of a larger base (the write goes through to the base, recorded as CopySlices), plus the
in-place view ops, fill_diagonal_, the random fills and the errors of PyTorch's in-place rules."""
from parity_harness import FLOATS, INTS, In, Row
from table_elementwise import _grid, _special

ROWS = []
FI = FLOATS + ("int64",)


def _on_clone(op, *args, **kw):
    return lambda m, x, *rest: (lambda y: (getattr(y, op)(*rest, *args, **kw) is y, y))(x.clone())


def _on_view(op, *args, **kw):
    """base = stack([x, 2x]); base[0].op_(...) writes into the first half of base; returns base."""
    def f(m, x, *rest):
        base = m.stack([x, x * 2])
        r = getattr(base[0], op)(*rest, *args, **kw)
        return r, base
    return f


def inplace_rows(op, cases, dtypes=FLOATS, args=(), kw=None, tag="", **extra):
    kw = kw or {}
    ROWS.append(Row(op, cases, dtypes=dtypes, fn=_on_clone(op, *args, **kw), tag=tag, raises=extra.get("raises", ()),
                    **{k: v for k, v in extra.items() if k != "raises"}))
    raises = extra.pop("raises", ())
    ROWS.append(Row(op, cases[:2], dtypes=tuple(d for d in dtypes if d not in raises), fn=_on_view(op, *args, **kw),
                    tag=(tag + "-view").lstrip("-"), **extra))


def unary(dom):
    return [(In((3, 4), dom),), (In((), dom),), (In((2, 3, 4), dom, layout="T"),), (In((0, 3), dom),)]


def binary(dom=("real", "real"), scalar=2):
    """Tensor operands, and a scalar one unless scalar is None (torch's atan2_, hypot_, logical_*_ take Tensors)."""
    a, b = dom
    cases = [(In((3, 4), a), In((3, 4), b)), (In((3, 4), a), In((4,), b)), (In((2, 3), a, layout="T"), In((2, 3), b))]
    return cases + ([(In((2, 3), a), scalar)] if scalar is not None else [])


# (name, domain, dtypes): dtype-preserving ops also run on integers; float-valued ops raise for integer self
# ("result type Float can't be cast to the desired output type Long").
for name, dom in [("acos", "unit"), ("arccos", "unit"), ("asin", "unit"), ("arcsin", "unit"), ("atan", "real"),
                  ("arctan", "real"), ("cos", "real"), ("cosh", "real"), ("sin", "real"),
                  ("sinh", "real"), ("tan", "unit"), ("deg2rad", "real"), ("rad2deg", "real"), ("erf", "real"),
                  ("erfinv", "unit"), ("exp2", "real"), ("expm1", "real"), ("log", "pos"), ("log10", "pos"),
                  ("log1p", "pos"), ("log2", "pos"), ("reciprocal", "nonzero"), ("rsqrt", "pos"), ("frac", "frac"),
                  ("logit", "prob")]:
    inplace_rows(name + "_", unary(dom), FI, raises=("int64",))
# torch has no derivative for the in-place inverse hyperbolics: values only.
for name, dom in [("acosh", "gt1"), ("arccosh", "gt1"), ("asinh", "real"), ("arcsinh", "real"), ("atanh", "unit"),
                  ("arctanh", "unit")]:
    inplace_rows(name + "_", unary(dom), FI, raises=("int64",), grad=False)
for name, dom in [("abs", "nonzero"), ("absolute", "nonzero"), ("ceil", "frac"), ("floor", "frac"), ("fix", "frac"),
                  ("trunc", "frac"), ("round", "frac"), ("negative", "real"), ("sign", "nonzero"),
                  ("square", "real")]:
    inplace_rows(name + "_", unary(dom), FI)
inplace_rows("round_", unary("wide"), kw={"decimals": 1}, tag="decimals")
inplace_rows("logit_", unary("real"), args=(0.2,), tag="eps")
inplace_rows("nan_to_num_", unary(_special))
inplace_rows("nan_to_num_", unary(_special), kw={"nan": 1.5, "posinf": 9.0, "neginf": -9.0}, tag="values")
inplace_rows("logical_not_", unary(_grid), FI + ("bool",), grad=False)
inplace_rows("bitwise_not_", unary("real"), INTS + ("bool",))
inplace_rows("clamp_min_", unary("real"), args=(0.25,))
inplace_rows("clamp_max_", unary("real"), args=(-0.25,))
inplace_rows("clip_", unary("wide"), args=(-0.5, 0.7))
inplace_rows("clip_", unary("wide"), INTS, args=(-3, 4), tag="int")
inplace_rows("clip_", [(In((3, 4)), In((3, 4), "small"), In((4,), "gt1"))], tag="tensor")

for name in ["atan2_", "arctan2_"]:
    inplace_rows(name, binary(scalar=None), FI, raises=("int64",))
inplace_rows("hypot_", binary(scalar=None))
for name, dom, dtypes, raises in [
    ("copysign_", ("real", "nonzero"), FI, ("int64",)),
    ("xlogy_", ("real", "pos"), FI, ("int64",)), ("divide_", ("real", "nonzero"), FI, ("int64",)),
    ("true_divide_", ("real", "nonzero"), FI, ("int64",)), ("fmod_", ("wide", "nonzero"), FI, ()),
    ("remainder_", ("wide", "nonzero"), FI, ()), ("multiply_", ("real", "real"), FI, ()),
    ("subtract_", ("real", "real"), FI, ()),
]:
    inplace_rows(name, binary(dom), dtypes, raises=raises)
inplace_rows("floor_divide_", binary(("wide", "nonzero")), FI, grad=False)
for name in ["eq_", "ne_", "not_equal_", "lt_", "less_", "le_", "less_equal_", "gt_", "greater_", "ge_",
             "greater_equal_"]:
    inplace_rows(name, binary((_grid, _grid), scalar=0.5), FI + ("bool",))
# (torch passes the gradient of a float self straight through its in-place logical ops; no gradient rows here.)
for name in ["logical_and_", "logical_or_", "logical_xor_"]:
    inplace_rows(name, binary((_grid, _grid), scalar=None), FI + ("bool",), grad=False)
for name in ["bitwise_and_", "bitwise_or_", "bitwise_xor_"]:
    inplace_rows(name, binary(scalar=5), INTS)
    inplace_rows(name, binary(scalar=True), ("bool",), tag="bool")
ROWS.append(Row("float_power_", [(In((3, 4), "pos"), In((3, 4))), (In((2, 3), "pos"), 0.5)], dtypes=("float64",),
                fn=lambda m, x, e: x.clone().float_power_(e)))
ROWS.append(Row("float_power_", [(In((2, 3), "pos"), 2)], dtypes=("float32", "int64"), raises=("float32", "int64"),
                fn=lambda m, x, e: x.clone().float_power_(e), tag="not-double"))

# PyTorch's in-place rules: the broadcast result must have self's shape; an integer self cannot take a float result
# (RuntimeError in both); an integer self takes a comparison's bool result.
ROWS.append(Row("atan2_", [(In((3,)), In((2, 3)))], raises=FLOATS, fn=lambda m, x, y: x.clone().atan2_(y),
                tag="broadcast-shape"))
ROWS.append(Row("sin_", [(In((2, 3)),)], dtypes=INTS + ("bool",), raises=INTS + ("bool",),
                fn=lambda m, x: x.clone().sin_(), tag="int-self"))
# sin_ keeps the original self for its backward: a second write does not disturb the first one's.
ROWS.append(Row("sin_", [(In((2, 3)),)], fn=lambda m, x: (lambda y: (y.sin_(), y.sin_(), y._version)[1:])(x.clone()),
                tag="twice"))
ROWS.append(Row("cos_", [(In((2, 3)),)], fn=lambda m, x: (lambda y: (y.cos_(), y * 2, y._version)[1:])(x.clone()),
                tag="then-read"))
ROWS.append(Row("sin_", [(In((2, 3)),)], fn=lambda m, x: x.sin_(), raises=FLOATS, tag="leaf"))
ROWS.append(Row("atan2_", [(In((2, 3)),)], backward_raises=True, tag="saved-alias",
                fn=lambda m, x: (lambda y: y.atan2_(y))(x.clone())))
ROWS.append(Row("exp_", [(In((2, 3)),)], backward_raises=True, tag="modified-after",
                fn=lambda m, x: (lambda y: (y.exp_(), y.add_(1))[1])(x.clone())))
ROWS.append(Row("sin_", [(In((3, 4)),)], tag="view-of-view", fn=lambda m, x: (
    lambda b: (b[1:].t()[1:].sin_(), b)[1])(x.clone())))

# In-place view ops: the tensor's own shape and strides change; a view stays a view of its base.
def _shape_meta(y):
    return tuple(y.shape), y.stride(), y.is_contiguous(), y._base is None


for op, args, shape in [("squeeze_", (), (2, 1, 3)), ("squeeze_", (1,), (2, 1, 3)), ("squeeze_", ((0, 1),), (1, 1, 3)),
                        ("unsqueeze_", (0,), (2, 3)), ("unsqueeze_", (-1,), (2, 3)), ("t_", (), (2, 3)),
                        ("t_", (), (3,)), ("transpose_", (0, 2), (2, 3, 4)), ("swapaxes_", (0, 1), (2, 3)),
                        ("swapdims_", (1, 2), (2, 3, 4))]:
    ROWS.append(Row(op, [(In(shape),)], fn=lambda m, x, op=op, args=args: (
        lambda y: (getattr(y, op)(*args) is y, _shape_meta(y), y, y * 2))(x.clone()), tag=str(args)))
    ROWS.append(Row(op, [(In(shape),)], tag=f"view{args}", fn=lambda m, x, op=op, args=args: (
        lambda b: (lambda v: (getattr(v, op)(*args), _shape_meta(v), v.storage_offset(), v.mul_(3), b))(b[..., 1:]))(
            m.cat([x, x], -1))))
ROWS.append(Row("t_", [(In((2, 3)),)], fn=lambda m, x: x.t_(), raises=FLOATS, tag="leaf"))

# fill_diagonal_: square, tall (with and without wrap), wide, and 3-d cubes.
for shape, wrap in [((3, 3), False), ((7, 3), False), ((7, 3), True), ((9, 2), True), ((3, 5), True), ((2, 2, 2), False)]:
    ROWS.append(Row("fill_diagonal_", [(In(shape),)], dtypes=FI + ("bool",), tag=f"{shape}{wrap}",
                    fn=lambda m, x, wrap=wrap: x.clone().fill_diagonal_(2, wrap=wrap)))
ROWS.append(Row("fill_diagonal_", [(In((2, 3)),)], fn=lambda m, x: _on_view("fill_diagonal_", 0.5)(m, x), tag="view"))
ROWS.append(Row("fill_diagonal_", [(In((2, 3, 2)),)], raises=FLOATS, fn=lambda m, x: x.clone().fill_diagonal_(1),
                tag="unequal"))


# Random fills: dtype, shape and support (values come from different generators).
def _random_fill(op, *args, check):
    def f(m, x):
        g = m.Generator().manual_seed(3)
        y = getattr(x.detach().clone(), op)(*args, generator=g)
        return y.dtype, tuple(y.shape), bool(check(y).all()), y.requires_grad
    return f


ROWS.append(Row("exponential_", [(In((200,)),)], fn=_random_fill("exponential_", 2.0, check=lambda y: y >= 0)))
ROWS.append(Row("cauchy_", [(In((200,)),)], fn=_random_fill("cauchy_", 1.0, 0.5, check=lambda y: y == y)))
ROWS.append(Row("log_normal_", [(In((200,)),)], fn=_random_fill("log_normal_", 0.0, 0.5, check=lambda y: y > 0)))
ROWS.append(Row("geometric_", [(In((200,)),)], dtypes=FI,
                fn=_random_fill("geometric_", 0.3, check=lambda y: (y >= 1) & (y == y.floor()))))

# torch's atan2_, hypot_ and logical_*_ (and their out-of-place forms) take only a Tensor: a number is a TypeError.
for name in ["atan2_", "arctan2_", "hypot_", "logical_and_", "logical_or_", "logical_xor_"]:
    for v in (2, 0.5, True):
        ROWS.append(Row(name, [(In((2, 3)), v)], raises=FLOATS, tag=f"number-{type(v).__name__}",
                        fn=lambda m, x, v, name=name: getattr(x.clone(), name)(v)))
        ROWS.append(Row(name[:-1], [(In((2, 3)), v)], raises=FLOATS, tag=f"number-{type(v).__name__}",
                        fn=lambda m, x, v, name=name: getattr(m, name[:-1])(x, v)))
