"""Parity rows for shape ops: views (function and method forms), joining, splitting, repeating, flipping, padding."""
from parity_harness import FLOATS, In, Row

ALLD = FLOATS + ("int64", "bool")
ROWS = []
X = In((2, 3, 4))
XT = In((2, 3, 4), layout="T")
XS = In((2, 3, 4), layout="step")


def S(name, cases, dtypes=FLOATS, **kw):
    ROWS.append(Row(name, cases, dtypes=dtypes, **kw))


# Views: function forms (methods checked with them when both classes have the method).
S("reshape", [(X, (6, 4)), (XT, (4, -1)), (In(()), (1,)), (In((0, 3)), (3, 0)), (XS, (-1,))], ALLD)
S("flatten", [(X,), (XT, 1), (X, 0, 1), (In(()),), (XS, -2, -1)], ALLD)
S("flatten", [(X,)], kwargs={"start_dim": 1, "end_dim": 2}, tag="kw")
S("squeeze", [(In((2, 1, 3, 1)),), (In((2, 1, 3)), 1), (In((1, 3, 1)), (0, 2)), (In(()),), (In((2, 3)), 0)], ALLD)
S("unsqueeze", [(X, 0), (XT, -1), (In(()), 0), (In((0, 2)), 1)], ALLD)
S("permute", [(X, (2, 0, 1)), (XT, (1, 2, 0)), (In(()), ())], ALLD, method=False)
S("permute", [(X, 2, 0, 1), (XS, (0, 2, 1))], fn=lambda m, x, *d: x.permute(*d), tag="method")
S("transpose", [(X, 0, 2), (XT, -1, 0), (In((3,)), 0, 0)], ALLD)
S("swapaxes", [(X, 0, 2), (XT, 1, -1)], ALLD)
S("swapdims", [(X, 0, 2), (XS, 1, -1)], ALLD)
S("t", [(In((3, 4)),), (In((3, 4), layout="T"),), (In((3,)),), (In(()),)], ALLD)
S("select", [(X, 1, 2), (XT, -1, -1), (In((3,)), 0, 1)], ALLD)
S("narrow", [(X, 2, 1, 2), (XT, -1, 0, 3), (XS, 0, 1, 1)], ALLD)
S("diagonal", [(In((3, 4)),), (In((3, 4)), 1), (In((3, 4)), -2), (X, 0, 0, 2), (XT, 1, -1, -2)], ALLD)
S("diagonal", [(X,)], kwargs={"offset": 1, "dim1": 1, "dim2": 2}, tag="kw")
S("clone", [(X,), (XT,), (In(()),)], ALLD)
S("unflatten", [(In((2, 12)), 1, (3, 4)), (In((2, 12)), -1, (3, -1)), (In((6, 2), layout="T"), 0, (2, 3))], ALLD)
S("movedim", [(X, 0, 2), (XT, (0, 1), (2, 0)), (X, -1, 0)], ALLD)
S("moveaxis", [(X, 0, 2), (XT, (0, 1), (2, 0))], ALLD)
S("broadcast_to", [(In((3, 1)), (2, 3, 4)), (In(()), (2, 2)), (In((4,), layout="step"), (3, 4)),
                   (In((1, 3)), (-1, 3))], ALLD)
S("broadcast_tensors", [(In((3, 1)), In((4,)), In(()))], fn=lambda m, *ts: m.broadcast_tensors(*ts))
S("broadcast_shapes", [((3, 1), (4,), ())], fn=lambda m, *s: tuple(m.broadcast_shapes(*s)), tag="tuple")
S("atleast_1d", [(In(()),), (In((3,)),), (X,)], ALLD)
S("atleast_1d", [(In(()), In((2, 2)))], fn=lambda m, a, b: m.atleast_1d(a, b), tag="many")
S("atleast_2d", [(In(()),), (In((3,)),), (X,)], ALLD)
S("atleast_2d", [(In(()), In((2,)))], fn=lambda m, a, b: m.atleast_2d((a, b)), tag="seq")
S("atleast_3d", [(In(()),), (In((3,)),), (In((2, 3)),), (X,)], ALLD)

# Joining.
for name in ["cat", "concat", "concatenate"]:
    S(name, [([In((2, 3)), In((4, 3), layout="T")],), ([In((2, 3)), In((2, 1))], 1), ([X, XS], -1), ([In((0, 3)), In((2, 3))],),
             ([In((2,)), In((0,))],)], ALLD if name == "cat" else FLOATS, method=False)
S("cat", [(In((2, 3)), In((2, 3)))], fn=lambda m, a, b: m.cat((a, b), dim=1), tag="tuple-kw")
S("stack", [([In((2, 3)), In((2, 3), layout="T")],), ([In((2, 3)), In((2, 3))], 2), ([In(()), In(())],),
            ([X, X, XS], -1)], ALLD, method=False)
for name in ["hstack", "vstack", "row_stack", "dstack"]:
    S(name, [([In((2, 3)), In((2, 3))],), ([In((3,)), In((3,))],), ([X, XT],), ([In(()), In(())],)], method=False)

# Splitting: tuples of views.
S("split", [(In((5, 4)), 2), (In((5, 4)), [1, 4]), (In((4, 5), layout="T"), 3, 1), (In((0, 2)), 1)], ALLD)
S("split", [(In((6, 4)), 4)], fn=lambda m, x, s: x.split(s, dim=1), tag="method-kw")
S("chunk", [(In((5, 4)), 2), (In((4, 5), layout="T"), 3, 1), (X, 4, -1)], ALLD)
S("unbind", [(X,), (XT, 1), (In((3,)), 0)], ALLD)
S("tensor_split", [(In((7, 3)), 3), (In((7, 3)), [1, 5]), (In((3, 7), layout="T"), (2, 2), 0), (X, 2, -1)], ALLD)

# Repeating.
S("repeat", [(In((2, 3)), (2, 1, 2)), (In(()), (3,)), (In((3, 2), layout="T"), (1, 2))],
  fn=lambda m, x, r: x.repeat(r), tag="method")
S("repeat", [(In((2, 3)), 2, 2)], ALLD, fn=lambda m, x, *r: x.repeat(*r), tag="varargs")
S("tile", [(In((2, 3)), (2, 1, 2)), (In((2, 3)), (2,)), (In((3, 2), layout="T"), (1, 2))], ALLD, method=False)
S("tile", [(In((2, 3)), 2, 2)], fn=lambda m, x, *r: x.tile(*r), tag="method")
S("repeat_interleave", [(X, 2), (XT, 3, 1), (In(()), 2)], ALLD)
S("repeat_interleave", [(X, In((3,), ("idx", 0, 3), dtype="int64"), 1)], tag="tensor")
S("repeat_interleave", [(In((4,), ("idx", 0, 3)),)], ("int64",), tag="counts", method=False)

# Flipping, rolling, triangles, padding.
S("flip", [(X, (0, 2)), (XT, (-1,)), (In(()), ())], ALLD, method=False)
S("flip", [(X, 0, 2)], fn=lambda m, x, *d: x.flip(*d), tag="method")
S("fliplr", [(In((3, 4)),), (XT,)], ALLD)
S("flipud", [(In((3,)),), (XT,)], ALLD)
S("roll", [(X, 2, 1), (X, (1, -2), (0, 2)), (XT, 3), (In(()), 1)], ALLD)
S("rot90", [(In((3, 4)),), (X, 2, (1, 2)), (XT, -1, (0, 2)), (X, 3)], ALLD)
S("tril", [(In((3, 4)),), (In((4, 3), layout="T"), 1), (X, -1)], ALLD)
S("triu", [(In((3, 4)),), (In((4, 3), layout="T"), -1), (X, 2)], ALLD)
S("tril_", [(In((3, 4)),)], fn=lambda m, x: x.clone().tril_(1))
S("triu_", [(In((3, 4)),)], fn=lambda m, x: x.clone().triu_(-1))
S("pad", [(In((3, 4)), (1, 2)), (X, (1, 0, 0, 2)), (In((2, 3)), (-1, 1))])
S("pad", [(In((3, 4)), (1, 2), "constant", 2.5)], tag="value")
S("pad", [(In((2, 3, 5)), (2, 1)), (In((2, 3, 4)), (1, 1, 2, 0))], kwargs={"mode": "reflect"}, tag="reflect")
S("pad", [(In((2, 3, 5)), (2, 3)), (In((2, 3, 4)), (1, 1, 2, 0))], kwargs={"mode": "replicate"}, tag="replicate")
S("pad", [(In((2, 3, 5)), (2, 3))], kwargs={"mode": "circular"}, tag="circular")

# Tensor-only view methods.
S("view", [(X, (6, 4)), (X, (-1,)), (In(()), (1, 1))], ALLD, fn=lambda m, x, s: x.view(s))
S("view", [(X, 4, 6)], fn=lambda m, x, *s: x.view(*s), tag="varargs")
S("view_as", [(X, In((24,)))], fn=lambda m, x, y: x.view_as(y))
S("reshape_as", [(XT, In((6, 4)))], fn=lambda m, x, y: x.reshape_as(y))
S("expand", [(In((3, 1)), (2, 3, 4)), (In(()), (2,)), (In((1, 3)), (-1, 3))], ALLD, fn=lambda m, x, s: x.expand(s))
S("expand", [(In((3, 1)), 3, 5)], fn=lambda m, x, *s: x.expand(*s), tag="varargs")
S("expand_as", [(In((3, 1)), In((3, 4)))], fn=lambda m, x, y: x.expand_as(y))
S("mT", [(X,), (XT,)], fn=lambda m, x: x.mT)
S("T", [(In((3, 4)),), (In((3,)),)], fn=lambda m, x: x.T)
S("contiguous", [(XT,), (XS,)], ALLD, fn=lambda m, x: x.contiguous())
S("__getitem__", [(X,)], fn=lambda m, x: x[1:, ::2, 1:3], tag="slices")
