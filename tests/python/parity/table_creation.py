"""Parity rows for creation ops (values, dtypes from Python data, keyword options) and random ops.

Random draws differ between engines, so random rows compare dtype/shape/requires_grad (values=False), and value
rows check what is engine-independent: ranges, supports, permutations (sorted draws)."""
import numpy as np

from parity_harness import FLOATS, Dt, In, Row

ROWS = []
ALLD = ("bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64")
ONE = ("float32",)  # rows whose arguments fix every dtype themselves


def C(name, cases, dtypes=ONE, **kw):
    ROWS.append(Row(name, cases, dtypes=dtypes, grad=kw.pop("grad", False), **kw))


# fl.tensor from Python data: the natural dtype (bool / int64 / default float), nesting, dtype=, requires_grad=.
DATA = [([[1, 2], [3, 4]],), ([1.5, 2],), ([True, False],), (3,), (2.5,), (True,), ([],), ([[], []],), ([1, 2.5, True],),
        ([[1.0, 2.0], [3.0, 4.0]],), (np.arange(6).reshape(2, 3),), (np.float32(1.5),), (np.array([1.5], np.float64),)]
C("tensor", DATA, method=False)
C("tensor", [([[1, 2], [3, 4]],), ([0.5, 2.0],), (7,)], ALLD, kwargs={"dtype": Dt()}, tag="dtype")
C("tensor", [([1.0, 2.0],)], kwargs={"requires_grad": True}, tag="requires_grad")
for name in ["as_tensor", "asarray"]:
    C(name, [([[1, 2], [3, 4]],), ([1.5, 2],), (np.arange(6.0).reshape(2, 3),), (np.array([True, False]),)])
    C(name, [([1, 2],), (np.arange(3),)], ("float64", "int32"), kwargs={"dtype": Dt()}, tag="dtype")
C("from_numpy", [(np.arange(6.0).reshape(2, 3),), (np.array([1, 2], np.int32),), (np.zeros((0, 2), np.float32),),
                 (np.array(True),), (np.arange(12.0).reshape(3, 4)[:, ::2],)])

# Sizes as varargs, a tuple, a list and size=; dtype= for every dtype.
for name in ["zeros", "ones"]:
    C(name, [(2, 3), ((2, 3),), ([4],), ((),), (0, 2)])
    C(name, [(2, 3)], ALLD, kwargs={"dtype": Dt()}, tag="dtype")
    C(name, [()], kwargs={"size": (2, 2), "requires_grad": True}, tag="size-kw")
C("empty", [(2, 3), ((0, 4),)], values=False)
C("empty", [(2, 3)], ALLD, kwargs={"dtype": Dt()}, values=False, tag="dtype")
C("full", [((2, 3), 1.5), ((2,), 7), ((2, 2), True), ((), -1)])
C("full", [((2, 3), 3)], ALLD, kwargs={"dtype": Dt()}, tag="dtype")
C("scalar_tensor", [(1.5,), (3,), (True,)])
C("scalar_tensor", [(2,)], ALLD, kwargs={"dtype": Dt()}, tag="dtype")
C("arange", [(5,), (2, 7), (1, 10, 3), (5, 0, -1), (0.5,), (0, 1, 0.25), (-1.5, 2.5, 0.5), (1, 2.5, 0.5), (0,)])
C("arange", [(6,), (1, 7, 2)], ("int32", "int64", "float32", "float64", "uint8"), kwargs={"dtype": Dt()}, tag="dtype")
C("arange", [()], kwargs={"start": 1, "end": 4, "step": 1}, tag="kw")
C("linspace", [(0, 1, 5), (-2.5, 3, 7), (1, 1, 1), (0, 1, 0), (3, -3, 4)])
C("linspace", [(0, 10, 6)], FLOATS + ("int64",), kwargs={"dtype": Dt()}, tag="dtype")
C("logspace", [(0, 2, 3), (-1, 1, 5), (0, 3, 4, 2)])
C("logspace", [(0, 2, 3)], FLOATS, kwargs={"dtype": Dt(), "base": 3.0}, tag="dtype")
C("eye", [(3,), (2, 4), (0,), (3, 1)])
C("eye", [(3,)], ALLD, kwargs={"dtype": Dt()}, tag="dtype")
for name in ["zeros_like", "ones_like"]:
    C(name, [(In((2, 3)),), (In((3, 4), layout="T"),), (In(()),)], ALLD, method=False)
    C(name, [(In((2, 3)),)], FLOATS, kwargs={"dtype": Dt("int32")}, tag="dtype", method=False)
C("empty_like", [(In((2, 3)),), (In((3, 4), layout="T"),)], ALLD, values=False)
C("full_like", [(In((2, 3)), 7), (In((3, 4), layout="T"), 1.5), (In(()), True)], ALLD, method=False)
C("full_like", [(In((2, 3)), 2)], FLOATS, kwargs={"dtype": Dt("int64")}, tag="dtype", method=False)
for name, extra in [("new_zeros", ((2, 3),)), ("new_ones", ((3,),)), ("new_full", ((2, 2), 5))]:
    C(name, [(In((2,)),) + extra], ALLD, fn=lambda m, x, *a, name=name: getattr(x, name)(*a))
    C(name, [(In((2,)),) + extra], ALLD, fn=lambda m, x, *a, name=name: getattr(x, name)(*a, dtype=m.float64),
      tag="dtype")
C("new_zeros", [(In((2,)),)], fn=lambda m, x: x.new_zeros(2, 3), tag="varargs")
C("new_empty", [(In((2,)), (2, 3))], ALLD, fn=lambda m, x, s: x.new_empty(s), values=False)
C("new_tensor", [(In((2,)), [[1, 2], [3, 4]]), (In((2,)), [1.5]), (In((2,)), 3)], ALLD, fn=lambda m, x, d: x.new_tensor(d))

# Random: shapes, dtypes and requires_grad as torch, values in the documented support.
RND = dict(values=False)
for name in ["rand", "randn"]:
    C(name, [(2, 3), ((4,),), ((),), (0, 3)], **RND)
    C(name, [(2, 3)], FLOATS + ("float16", "bfloat16"), kwargs={"dtype": Dt()}, tag="dtype", **RND)
    C(name, [(3,)], kwargs={"requires_grad": True}, tag="requires_grad", **RND)
C("randint", [(5, (3,)), (2, 9, (2, 2)), (3, ())], **RND)
C("randint", [(5, (3,))], ("int32", "float32", "uint8"), kwargs={"dtype": Dt()}, tag="dtype", **RND)
C("randint", [(-3, 4, (200,))], fn=lambda m, lo, hi, s: (lambda x: ((x >= lo) & (x < hi)).all())(m.randint(lo, hi, s)),
  tag="range")
C("randperm", [(5,), (0,)], **RND)
C("randperm", [(7,), (1,)], fn=lambda m, n: m.sort(m.randperm(n)).values, tag="permutation")
C("randperm", [(6,)], ("int32", "float32"), kwargs={"dtype": Dt()}, tag="dtype", **RND)
for name in ["rand_like", "randn_like"]:
    C(name, [(In((2, 3)),), (In((3, 4), layout="T"),)], FLOATS, method=False, **RND)
C("randint_like", [(In((2, 3)), 5), (In((2, 3)), 2, 6)], FLOATS + ("int64",), method=False, **RND)
C("rand", [(500,)], fn=lambda m, n: (lambda x: ((x >= 0) & (x < 1)).all())(m.rand(n)), tag="support")
C("normal", [(0.0, 1.0, (3, 2)), (In((2, 3)), 1.0), (0.5, In((4,), "pos")), (In((3,)), In((3,), "pos"))], FLOATS, **RND)
C("bernoulli", [(In((3, 4), "prob"),), (In((), "prob"),)], FLOATS, **RND)
C("bernoulli", [(In((300,), "prob"),)], FLOATS, fn=lambda m, p: (lambda b: ((b == 0) | (b == 1)).all())(m.bernoulli(p)),
  tag="support")
C("bernoulli", [(In((3, 4)), 0.3)], FLOATS, fn=lambda m, x, p: x.bernoulli(p), tag="p", **RND)
C("multinomial", [(In((5,), "pos"), 3), (In((2, 5), "pos"), 4, True)], FLOATS, **RND)
C("multinomial", [(In((2, 4), "pos"), 4)], FLOATS, fn=lambda m, p, n: m.sort(m.multinomial(p, n)).values,
  tag="without-replacement")
C("uniform_", [(In((200,)), -2.0, 3.0)], FLOATS,
  fn=lambda m, x, a, b: (lambda y: ((y >= a) & (y <= b)).all())(x.clone().uniform_(a, b)))
C("normal_", [(In((3, 4)),)], FLOATS, fn=lambda m, x: x.clone().normal_(2.0, 0.5), **RND)
C("bernoulli_", [(In((200,)),)], FLOATS, fn=lambda m, x: (lambda b: ((b == 0) | (b == 1)).all())(x.clone().bernoulli_(0.5)))
C("random_", [(In((200,)),)], FLOATS + ("int64",),
  fn=lambda m, x: (lambda y: ((y >= 2) & (y < 7) & (y == y.floor())).all())(x.clone().random_(2, 7)))

# dtype utilities.
PAIRS = [("int8", "uint8"), ("bool", "float16"), ("int64", "float32"), ("bfloat16", "float16"), ("int32", "int64")]
C("promote_types", [(Dt(a), Dt(b)) for a, b in PAIRS])
C("can_cast", [(Dt(a), Dt(b)) for a, b in PAIRS + [("float32", "int32"), ("int64", "bool"), ("float16", "float64")]])
