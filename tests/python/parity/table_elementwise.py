"""Parity rows for the elementwise families: unary maths, activations, binary ops, operators, in-place forms."""
import numpy as np

from parity_harness import FLOATS, INTS, In, Row, alias_case, binary_cases, unary_cases

NUM = FLOATS + INTS
FI = FLOATS + ("int64",)
ROWS = []


def _special(rng, shape):
    """Values with nan, +-inf, zeros and finite numbers (isnan, nan_to_num, fmax, ...)."""
    v = rng.uniform(-3, 3, shape)
    pick = rng.integers(0, 5, shape)
    v = np.where(pick == 0, np.nan, v)
    v = np.where(pick == 1, np.inf, v)
    return np.where(pick == 2, -np.inf, v)


def _relu6_dom(rng, shape):
    return rng.uniform(-2, 8, shape)


def _hard_dom(rng, shape):  # hardsigmoid / hardswish kinks at +-3
    return rng.uniform(-4.5, 4.5, shape)


def _grid(rng, shape):
    """Half-integers in [-1, 1] (zeros and ties: comparisons, logical ops)."""
    return rng.integers(-2, 3, shape) * 0.5


def U(name, dom="real", dtypes=FLOATS, cases=None, **kw):
    ROWS.append(Row(name, cases or unary_cases(dom), dtypes=dtypes, **kw))


# --- unary maths -------------------------------------------------------------------------------------------------
# (name, domain, dtypes, raises): integer inputs to float functions give the default dtype.
for name, dom, dtypes, raises in [
    ("exp", "real", FI, ()), ("exp2", "real", FI, ()), ("expm1", "real", FI, ()),
    ("log", "pos", FI, ()), ("log2", "pos", FI, ()), ("log10", "pos", FI, ()), ("log1p", "pos", FI, ()),
    ("sqrt", "pos", FI, ()), ("rsqrt", "pos", FI, ()),
    ("sin", "real", FI, ()), ("cos", "real", FI, ()), ("tan", "unit", FI, ()),
    ("asin", "unit", FLOATS, ()), ("acos", "unit", FLOATS, ()), ("atan", "real", FI, ()),
    ("sinh", "real", FI, ()), ("cosh", "real", FI, ()), ("tanh", "real", FI, ()),
    ("asinh", "real", FI, ()), ("acosh", "gt1", FI, ()), ("atanh", "unit", FLOATS, ()),
    ("erf", "real", FI, ()), ("erfinv", "unit", FLOATS, ()), ("reciprocal", "nonzero", FI, ()),
    ("sigmoid", "real", FI, ()), ("deg2rad", "real", FI, ()), ("rad2deg", "real", FI, ()),
    ("abs", "nonzero", NUM, ()), ("neg", "real", NUM, ()), ("negative", "real", NUM, ()),
    ("sign", "nonzero", NUM, ()), ("square", "real", NUM, ()), ("positive", "real", NUM, ()),
    ("floor", "frac", NUM, ()), ("ceil", "frac", NUM, ()), ("trunc", "frac", NUM, ()),
    ("frac", "frac", FI, ("int64",)), ("round", "frac", NUM, ()),
    ("isnan", _special, FI, ()), ("isinf", _special, FI, ()), ("isfinite", _special, FI, ()),
    ("signbit", "real", FI, ()), ("logical_not", _grid, FI + ("bool",), ()),
    ("bitwise_not", "real", INTS + ("bool", "float32"), ("float32",)),
    ("relu", "nonzero", FI, ()), ("selu", "real", FLOATS, ()), ("silu", "real", FLOATS, ()),
    ("mish", "real", FLOATS, ()), ("softsign", "real", FLOATS, ()), 
    ("hardswish", _hard_dom, FLOATS, ()), ("tanhshrink", "real", FLOATS, ()), ("logsigmoid", "real", FLOATS, ()),
    ("relu6", _relu6_dom, FLOATS, ()),
]:
    U(name, dom, dtypes, raises=raises)

# torch's float64 hardsigmoid backward multiplies by the float32 constant 1.0f / 6.0f (relative error 3e-8);
# flashlight's gradient is the exact 1/6.
U("hardsigmoid", _hard_dom, tol={"float32": (1e-5, 1e-5), "float64": (1e-12, 1e-7)})
U("round", "wide", kwargs={"decimals": 2}, tag="decimals")
U("round", "wide", kwargs={"decimals": -1}, tag="neg-decimals")
U("logit", "prob")
U("logit", "real", kwargs={"eps": 0.2}, tag="eps")
U("nan_to_num", _special)
U("nan_to_num", _special, kwargs={"nan": 1.5, "posinf": 9.0, "neginf": -9.0}, tag="values")
# Activations (torch.nn.functional) with their keyword variants.
U("leaky_relu", "nonzero")
U("leaky_relu", "nonzero", kwargs={"negative_slope": 0.2}, tag="slope")
U("elu", "nonzero")
U("elu", "nonzero", kwargs={"alpha": 0.5}, tag="alpha")
U("celu", "nonzero", kwargs={"alpha": 2.0})
U("gelu")
U("gelu", kwargs={"approximate": "tanh"}, tag="tanh")
U("softplus", "wide")
U("softplus", "real", kwargs={"beta": 2.0, "threshold": 1.0}, tag="beta")
U("hardtanh", "wide")
U("hardtanh", "real", kwargs={"min_val": -0.5, "max_val": 1.5}, tag="range")
U("hardshrink", "real")
U("hardshrink", "real", kwargs={"lambd": 1.0}, tag="lambd")
U("softshrink", "real")
U("softshrink", "real", kwargs={"lambd": 1.0}, tag="lambd")
for alias, dom in [("absolute", "nonzero"), ("arcsin", "unit"), ("arccos", "unit"), ("arctan", "real"),
                   ("arcsinh", "real"), ("arccosh", "gt1"), ("arctanh", "unit"), ("fix", "frac")]:
    U(alias, cases=alias_case(dom), tag="alias")

# --- binary ------------------------------------------------------------------------------------------------------


def B(name, dom=("real", "real"), dtypes=FLOATS, scalar=None, cases=None, **kw):
    ROWS.append(Row(name, cases or binary_cases(dom, scalar), dtypes=dtypes, **kw))


B("add", dtypes=NUM, scalar=2)
B("add", dtypes=NUM, scalar=1.5, kwargs={"alpha": 2}, tag="alpha")
B("sub", dtypes=NUM, scalar=3)
B("sub", dtypes=NUM, scalar=0.5, kwargs={"alpha": 3}, tag="alpha")
B("rsub", dtypes=NUM, scalar=2)
B("rsub", dtypes=FLOATS, scalar=2, kwargs={"alpha": 0.5}, tag="alpha")
B("mul", dtypes=NUM, scalar=2.5)
B("div", ("real", "nonzero"), NUM, scalar=4)
B("div", ("real", "nonzero"), NUM, scalar=-3, kwargs={"rounding_mode": "trunc"}, tag="trunc")
B("div", ("real", "nonzero"), NUM, scalar=-3, kwargs={"rounding_mode": "floor"}, tag="floor")
B("true_divide", ("real", "nonzero"), FI, scalar=2)
B("floor_divide", ("real", "nonzero"), NUM, scalar=2, grad=False)
B("remainder", ("wide", "nonzero"), NUM, scalar=-1.5)
B("fmod", ("wide", "nonzero"), NUM, scalar=1.5)
B("pow", ("pos", "real"), FLOATS, scalar=2)
B("pow", ("real", "small"), INTS, scalar=3, tag="int", cases=[(In((3, 4)), In((3, 4), "small")), (In((3, 4)), 2)])
B("float_power", ("pos", "real"), FI, scalar=0.5)
B("atan2", dtypes=FI)
B("hypot")
B("copysign", ("real", "nonzero"), FI, scalar=-1.0)
B("xlogy", ("real", "pos"), FI, scalar=2.0)
B("maximum", dtypes=NUM)
B("minimum", dtypes=NUM)
B("fmax", (_special, _special), NUM)
B("fmin", (_special, _special), NUM)
for name in ["eq", "ne", "lt", "le", "gt", "ge"]:
    B(name, (_grid, _grid), NUM + ("bool",), scalar=0.5)
for alias in ["greater", "less", "greater_equal", "less_equal", "not_equal", "subtract", "multiply", "divide",
              "arctan2"]:
    B(alias, ("real", "nonzero"), cases=alias_case("nonzero", 2), tag="alias")
B("isclose", (_grid, _grid), FI)
B("isclose", (_special, _special), FLOATS, kwargs={"rtol": 0.1, "atol": 0.5, "equal_nan": True}, tag="tols")
ROWS.append(Row("allclose", [(In((3, 4)), In((3, 4))), (In((2, 3), _grid), In((3,), _grid))], dtypes=FI))
ROWS.append(Row("allclose", [(In((3, 4), _special), In((3, 4), _special))], kwargs={"equal_nan": True},
                tag="nan"))
ROWS.append(Row("equal", [(In((3, 4), _grid), In((3, 4), _grid)), (In((2, 3)), In((3,))), (In((0,)), In((0,)))],
                dtypes=NUM))
ROWS.append(Row("equal", [(In((2, 2), "small"), In((2, 2), "small"))], dtypes=("bool",), fn=lambda m, x, y: (
    m.equal(x, x.clone()), m.equal(x, y)), tag="self"))
for name in ["logical_and", "logical_or", "logical_xor"]:
    B(name, (_grid, _grid), FI + ("bool",))
for name in ["bitwise_and", "bitwise_or", "bitwise_xor"]:
    B(name, dtypes=INTS + ("bool",), scalar=5, raises=())
ROWS.append(Row("where", [(In((3, 4), dtype="bool"), In((3, 4)), In((3, 4))),
                          (In((3, 1), dtype="bool"), In((4,)), In((2, 1, 1))),
                          (In((3, 4), dtype="bool"), In((3, 4)), 0.5), (In((3, 4), dtype="bool"), 1.0, In((4,))),
                          (In((0, 2), dtype="bool"), In((2,)), In(()))], dtypes=NUM, method=False))
ROWS.append(Row("where", [(In((3, 4)), In((3, 4), dtype="bool"), In((3, 4))), (In((3, 4)), In((4,), dtype="bool"), 2.0)],
                fn=lambda m, x, c, y: x.where(c, y), tag="method"))
ROWS.append(Row("lerp", [(In((3, 4)), In((3, 4)), 0.3), (In((3, 4)), In((4,)), In((3, 1), "prob")),
                         (In(()), In((2,)), In(())), (In((3, 4), layout="T"), In((3, 4), layout="step"), 0.7)]))
ROWS.append(Row("addcmul", [(In((3, 4)), In((3, 4)), In((4,))), (In((2, 1)), In((3,)), In(()))]))
ROWS.append(Row("addcmul", [(In((3, 4)), In((3, 4)), In((3, 4)))], kwargs={"value": -0.5}, tag="value"))
ROWS.append(Row("addcdiv", [(In((3, 4)), In((3, 4)), In((4,), "nonzero")), (In(()), In((2,)), In((2,), "nonzero"))]))
ROWS.append(Row("addcdiv", [(In((3, 4)), In((3, 4)), In((3, 4), "nonzero"))], kwargs={"value": 2}, tag="value"))
for name in ["clamp", "clip"]:
    ROWS.append(Row(name, [(In((3, 4), "wide"), -0.5, 0.7), (In((3, 4), layout="T"), None, 0.2),
                           (In(()), -1, None), (In((0, 2)), 0, 1)], dtypes=NUM))
    ROWS.append(Row(name, [(In((3, 4)), In((3, 4), "small"), In((4,), "gt1")), (In((3, 4)), In((4,), "small"), None)],
                    tag="tensor"))
ROWS.append(Row("clamp", [(In((3, 4), "wide"),)], kwargs={"min": -1.0, "max": 1.0}, dtypes=NUM, tag="kw"))
ROWS.append(Row("clamp_min", [(In((3, 4)), 0.25), (In(()), -1)], dtypes=NUM))
ROWS.append(Row("clamp_max", [(In((3, 4)), 0.25), (In((2, 3), layout="T"), -1)], dtypes=NUM))

# --- operators ---------------------------------------------------------------------------------------------------
BIN_OPS = {
    "__add__": lambda a, b: a + b, "__sub__": lambda a, b: a - b, "__mul__": lambda a, b: a * b,
    "__truediv__": lambda a, b: a / b, "__floordiv__": lambda a, b: a // b, "__mod__": lambda a, b: a % b,
    "__pow__": lambda a, b: a ** b, "__radd__": lambda a, b: 2 + a, "__rsub__": lambda a, b: 2 - a,
    "__rmul__": lambda a, b: 3 * a, "__rtruediv__": lambda a, b: 2 / a, "__rfloordiv__": lambda a, b: 7 // a,
    "__rmod__": lambda a, b: 5 % a, "__rpow__": lambda a, b: 2 ** a,
    "__eq__": lambda a, b: a == b, "__ne__": lambda a, b: a != b, "__lt__": lambda a, b: a < b,
    "__le__": lambda a, b: a <= b, "__gt__": lambda a, b: a > b, "__ge__": lambda a, b: a >= b,
}
for op, f in BIN_OPS.items():
    cmp = op in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__")
    dom = (_grid, _grid) if cmp else ("pos", "small") if op in ("__pow__", "__rpow__") else ("pos", "nonzero")
    nograd = op in ("__floordiv__", "__rfloordiv__", "__rmod__")  # torch: no derivative (rmod: for the divisor)
    ROWS.append(Row(op, binary_cases(dom, scalar=2), dtypes=NUM, fn=lambda m, a, b, f=f: f(a, b), grad=not nograd))
for op, f in {"__and__": lambda a, b: a & b, "__or__": lambda a, b: a | b, "__xor__": lambda a, b: a ^ b,
              "__rand__": lambda a, b: 6 & a, "__ror__": lambda a, b: 6 | a, "__rxor__": lambda a, b: 6 ^ a}.items():
    ROWS.append(Row(op, binary_cases(scalar=3), dtypes=INTS + ("bool",), fn=lambda m, a, b, f=f: f(a, b)))
for op, f in {"__neg__": lambda a: -a, "__pos__": lambda a: +a, "__abs__": lambda a: abs(a)}.items():
    ROWS.append(Row(op, unary_cases("nonzero"), dtypes=NUM, fn=lambda m, a, f=f: f(a)))
ROWS.append(Row("__invert__", unary_cases(), dtypes=INTS + ("bool",), fn=lambda m, a: ~a))

# --- in-place forms (on a clone, so gradients flow through the in-place op back to the leaves) -------------------
INPLACE_BIN = {
    "add_": lambda x, y: x.add_(y, alpha=2), "sub_": lambda x, y: x.sub_(y, alpha=0.5), "mul_": lambda x, y: x.mul_(y),
    "div_": lambda x, y: x.div_(y), "__iadd__": lambda x, y: x.__iadd__(y), "__isub__": lambda x, y: x.__isub__(y),
    "__imul__": lambda x, y: x.__imul__(y), "__itruediv__": lambda x, y: x.__itruediv__(y),
}
INPLACE_CASES = [(In((3, 4)), In((3, 4), "nonzero")), (In((3, 4)), In((4,), "nonzero")),
                 (In((3, 4), layout="T"), In((3, 4), "nonzero", layout="step")), (In((2, 3)), 2.5), (In(()), In(()))]
for op, f in INPLACE_BIN.items():
    ROWS.append(Row(op, INPLACE_CASES, fn=lambda m, x, y, f=f: f(x.clone(), y)))
ROWS.append(Row("add_", [(In((3, 4)), In((4,)))], dtypes=INTS, fn=lambda m, x, y: x.clone().add_(y), tag="int"))
ROWS.append(Row("pow_", [(In((3, 4), "pos"), 2), (In((2, 3), "pos", layout="T"), 0.5)],
                fn=lambda m, x, e: x.clone().pow_(e)))
ROWS.append(Row("__ipow__", [(In((3, 4), "pos"), 3)], fn=lambda m, x, e: x.clone().__ipow__(e)))
ROWS.append(Row("clamp_", [(In((3, 4), "wide"), -0.5, 0.5), (In((3, 4)), None, 0.1)],
                fn=lambda m, x, lo, hi: x.clone().clamp_(lo, hi)))
ROWS.append(Row("addcmul_", [(In((3, 4)), In((3, 4)), In((4,)))], fn=lambda m, x, a, b: x.clone().addcmul_(a, b, value=0.5)))
ROWS.append(Row("addcdiv_", [(In((3, 4)), In((3, 4)), In((4,), "nonzero"))],
                fn=lambda m, x, a, b: x.clone().addcdiv_(a, b, value=2)))
ROWS.append(Row("lerp_", [(In((3, 4)), In((3, 4)), 0.25)], fn=lambda m, x, y, w: x.clone().lerp_(y, w)))
for op, dom in [("neg_", "real"), ("exp_", "real"), ("sqrt_", "pos"), ("relu_", "nonzero"), ("sigmoid_", "real"),
                ("tanh_", "real")]:
    ROWS.append(Row(op, unary_cases(dom), fn=lambda m, x, op=op: getattr(x.clone(), op)()))

# --- bool (and integer) inputs where torch has no kernel: the same exception class, or the same result ----------
for name in ["abs", "floor", "ceil", "trunc", "round", "positive", "frac", "neg", "negative"]:
    U(name, dtypes=("bool",), raises=("bool",), tag="bool", cases=unary_cases()[:2])
for name in ["sign", "square", "exp", "sigmoid", "sqrt", "reciprocal", "isnan", "signbit", "logical_not"]:
    U(name, dtypes=("bool",), tag="bool", cases=unary_cases()[:2])
for name in ["remainder", "fmod", "pow", "hypot", "floor_divide", "sub"]:
    B(name, dtypes=("bool",), raises=("bool",), tag="bool", cases=binary_cases()[:3])
for name in ["add", "mul", "div", "maximum", "atan2", "xlogy", "copysign", "float_power", "true_divide"]:
    B(name, dtypes=("bool",), tag="bool", cases=binary_cases()[:3])
B("hypot", dtypes=INTS, raises=INTS, tag="int", cases=binary_cases()[:2])
ROWS.append(Row("pow", [(In((3,)), 2), (In((2, 2)), In((2,), dtype="int64"))], dtypes=("bool",), tag="bool-int"))
ROWS.append(Row("remainder", [(In((3,)), 2)], dtypes=("bool",), tag="bool-int"))

# --- values exactly at kinks and ties: the subgradient torch picks (relu'(0) = 0, clamp at a bound passes, ...) --
KINKS = np.array([-6.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 6.0, -2.0, 2.0, 0.25])


def _kinks(rng, shape):
    return rng.choice(KINKS, size=shape)


def _sqrt_kinks(rng, shape):
    return rng.choice([0.0, 1.0, 4.0, 0.25], size=shape)


for name in ["relu", "relu6", "abs", "sign", "hardtanh", "hardshrink", "softshrink", "leaky_relu", "elu", "celu",
             "selu", "gelu", "silu", "hardsigmoid", "hardswish", "floor", "round", "frac", "sqrt"]:
    tol = {"float32": (1e-5, 1e-5), "float64": (1e-12, 1e-7)} if name == "hardsigmoid" else None  # see above
    U(name, tag="kinks", tol=tol, cases=[(In((4, 6), _kinks if name != "sqrt" else _sqrt_kinks),)])
ROWS.append(Row("clamp", [(In((4, 6), _kinks), -0.5, 0.5), (In((4, 6), _kinks), In((6,), _kinks), In((6,), _kinks))],
                tag="kinks"))
ROWS.append(Row("clamp_min", [(In((4, 6), _kinks), 0.5)], tag="kinks"))
ROWS.append(Row("clamp_max", [(In((4, 6), _kinks), 0.5)], tag="kinks"))
for name in ["maximum", "minimum", "fmax", "fmin", "atan2", "hypot", "copysign", "pow"]:
    B(name, (_kinks, _kinks) if name != "pow" else ("pos", _kinks), tag="ties", cases=[(In((4, 6), _kinks), In((4, 6), _kinks)),
                                                                                      (In((4, 6), _kinks), In((6,), _kinks))]
      if name != "pow" else [(In((4, 6), "pos"), In((4, 6), _kinks))])
