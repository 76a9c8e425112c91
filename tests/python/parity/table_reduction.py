"""Parity rows for reductions, scans, softmax and sorting (keyword variants: dim=, keepdim=, dtype=, ...)."""
import numpy as np

from parity_harness import FLOATS, INTS, In, Row

NUM = FLOATS + INTS
ROWS = []

X3 = In((2, 3, 4))
X3T = In((2, 4, 3), layout="T")
X3S = In((2, 3, 4), layout="step")
SEP3 = In((2, 3, 4), "sep")
SEP3T = In((2, 4, 3), "sep", layout="T")


def R(name, cases, dtypes=FLOATS, **kw):
    ROWS.append(Row(name, cases, dtypes=dtypes, **kw))


def _nan_dom(rng, shape):
    v = rng.uniform(-2, 2, shape)
    return np.where(rng.random(shape) < 0.3, np.nan, v)


def _sparse(rng, shape):
    v = rng.uniform(-2, 2, shape)
    return np.where(rng.random(shape) < 0.4, 0.0, v)


# Reductions over dims: no dim (all), one dim, several dims, negative dims, keepdim, empty and 0-d inputs.
for name, dtypes in [("sum", NUM + ("bool",)), ("mean", FLOATS), ("nansum", FLOATS), ("nanmean", FLOATS)]:
    R(name, [(X3,), (In(()),), (In((0, 3)),), (X3T,)], dtypes)
    R(name, [(X3, 1), (X3T, -1), (X3S, (0, 2)), (In((3,)), 0), (In((0, 3)), 1)], dtypes, tag="dim")
    R(name, [(X3,)], dtypes, kwargs={"dim": (0, -1), "keepdim": True}, tag="keepdim")
R("sum", [(X3,), (X3, 1)], INTS + FLOATS, fn=lambda m, x, *d: m.sum(x, *d, dtype=m.float64), tag="dtype")
R("mean", [(X3,)], FLOATS, fn=lambda m, x: m.mean(x, dtype=m.float64), tag="dtype")
R("nansum", [(In((3, 4), _nan_dom),), (In((3, 4), _nan_dom), 1)], tag="nan")
R("nanmean", [(In((3, 4), _nan_dom),), (In((3, 4), _nan_dom), 0)], tag="nan")
R("prod", [(In((2, 3, 4), "pos"),), (In((2, 3, 4), "nonzero"), 1), (In((4, 3), "real", layout="T"), -1),
           (In(()),), (In((0, 3)), 1)], NUM)
R("prod", [(In((2, 3), "nonzero"), 0)], FLOATS, kwargs={"keepdim": True}, tag="keepdim")
for name in ["max", "min"]:
    R(name, [(SEP3,), (SEP3T,), (In((), "sep"),)], NUM)
    R(name, [(SEP3, 1), (SEP3T, -1), (In((), "sep"), 0), (In((5,), "sep"), 0)], NUM, tag="dim")
    R(name, [(SEP3, 2, True)], NUM, tag="keepdim")
    R(name, [(In((3, 4)), In((4,))), (In((2, 1)), In((3,)))], NUM, tag="other")
for name in ["amax", "amin"]:
    R(name, [(SEP3,), (SEP3, 1), (SEP3T, (0, 2)), (In((), "sep"),)], NUM)
    R(name, [(SEP3,)], NUM, kwargs={"dim": -1, "keepdim": True}, tag="keepdim")
R("aminmax", [(SEP3,), (In((), "sep"),)], NUM)
R("aminmax", [(SEP3,)], NUM, kwargs={"dim": 1}, tag="dim")
R("aminmax", [(SEP3T,)], NUM, kwargs={"dim": -1, "keepdim": True}, tag="keepdim")
for name in ["argmax", "argmin"]:
    R(name, [(SEP3,), (SEP3, 1), (SEP3T, -1), (In((), "sep"),)], NUM)
    R(name, [(SEP3,)], NUM, kwargs={"dim": 0, "keepdim": True}, tag="keepdim")
for name in ["var", "std"]:
    R(name, [(X3,), (X3, 1), (X3T, (0, 2)), (In((5,)), 0)])
    R(name, [(X3,)], kwargs={"dim": 1, "unbiased": False}, tag="unbiased")
    R(name, [(X3,), (X3, (1, 2))], kwargs={"correction": 0, "keepdim": True}, tag="correction0")
    R(name, [(X3,)], kwargs={"dim": -1, "correction": 2}, tag="correction2")
for name in ["var_mean", "std_mean"]:
    R(name, [(X3,), (X3, 1), (X3T, (0, 2))], method=False)
    R(name, [(X3,)], kwargs={"dim": 0, "correction": 0, "keepdim": True}, tag="kw")
R("norm", [(X3,), (X3T,), (In((0, 3)),)])
R("norm", [(X3, 1), (X3, 2), (X3, float("inf")), (X3, float("-inf")), (X3, 3.0), (X3, 0.5)], tag="p")
R("norm", [(X3S,)], kwargs={"p": 2, "dim": 1, "keepdim": True}, tag="dim")
R("norm", [(X3,)], kwargs={"p": "fro", "dim": (0, 1)}, tag="fro")
R("norm", [(X3,)], kwargs={"p": 1, "dim": (0, 2)}, tag="p1dims")
R("logsumexp", [(X3, 1), (X3T, (0, 2)), (In((3,), "wide"), 0), (In(()), 0)])
R("logsumexp", [(X3, -1)], kwargs={"keepdim": True}, tag="keepdim")
for name in ["all", "any"]:
    R(name, [(In((3, 4), _sparse),), (In((3, 4), _sparse), 1), (In((), _sparse),), (In((0, 3)),),
             (In((3, 4), _sparse, layout="T"), 0)], FLOATS + INTS + ("bool", "uint8"))
    R(name, [(In((2, 3, 4), _sparse),)], FLOATS + ("bool",), kwargs={"dim": -1, "keepdim": True}, tag="keepdim")
R("count_nonzero", [(In((3, 4), _sparse),), (In((3, 4), _sparse), 0), (In((2, 3, 4), _sparse), (0, 2))],
  FLOATS + INTS + ("bool",))
R("median", [(SEP3,), (In((4,), "sep"),), (In((), "sep"),)], NUM)
R("median", [(SEP3, 1), (SEP3T, -1), (In((), "sep"), 0)], NUM, tag="dim")
R("median", [(SEP3, 0, True)], NUM, tag="keepdim")

# Scans and softmax.
R("cumsum", [(X3, 1), (X3T, -1), (In(()), 0), (In((0, 3)), 1)], NUM + ("bool",))
R("cumsum", [(X3, 0)], INTS + FLOATS, fn=lambda m, x, d: m.cumsum(x, d, dtype=m.float64), tag="dtype")
R("cumprod", [(In((2, 3, 4), "nonzero"), 1), (In((3, 4), "pos", layout="T"), -1), (In(()), 0)], NUM)
R("cummax", [(SEP3, 1), (SEP3T, -1), (In((), "sep"), 0)], NUM)
R("cummin", [(SEP3, 1), (SEP3T, 0), (In((), "sep"), 0)], NUM)
R("logcumsumexp", [(X3, 1), (In((5,), "wide"), 0), (X3T, -1)])
for name in ["softmax", "log_softmax"]:
    R(name, [(X3, 1), (X3T, -1), (In((3,), "wide"), 0), (In(()), 0), (In((0, 3)), 1)])
    R(name, [(X3, 0)], fn=lambda m, x, d, name=name: getattr(m, name)(x, d, dtype=m.float64), tag="dtype")
    R(name, [(X3, -1)], fn=lambda m, x, d, name=name: getattr(x, name)(dim=d), tag="method-kw")

# Sorting and selection (values well separated: no ties, so indices are unique).
R("sort", [(SEP3,), (SEP3, 1), (SEP3T, 0), (In((), "sep"),), (In((0, 3)),)], NUM)
R("sort", [(SEP3,)], NUM, kwargs={"dim": 1, "descending": True}, tag="descending")
R("sort", [(In((3, 6), "small"),)], INTS, kwargs={"stable": True}, tag="stable")
R("argsort", [(SEP3,), (SEP3, 1), (SEP3T, 0)], NUM)
R("argsort", [(SEP3,)], NUM, kwargs={"dim": 0, "descending": True}, tag="descending")
R("argsort", [(In((4, 6), "small"),)], INTS, kwargs={"stable": True}, tag="stable")
R("msort", [(SEP3,), (SEP3T,)], NUM)
R("topk", [(SEP3, 2), (SEP3T, 3, 1), (In((5,), "sep"), 5)], NUM)
R("topk", [(SEP3, 2)], NUM, kwargs={"dim": 0, "largest": False}, tag="smallest")
R("kthvalue", [(SEP3, 2), (SEP3T, 1, 1), (In((5,), "sep"), 3)], NUM)
R("kthvalue", [(SEP3, 2)], NUM, kwargs={"dim": 0, "keepdim": True}, tag="keepdim")

# Ties: amax/amin split the gradient evenly, max/min(dim) and argmax/argmin pick the first index (torch's CPU
# contract), and max() over everything splits evenly too.
def _ties(rng, shape):
    return rng.integers(-1, 2, shape).astype(np.float64)


TIES = In((3, 4, 5), _ties)
for name in ["amax", "amin"]:
    R(name, [(TIES,), (TIES, 1), (TIES, (0, 2))], tag="ties")
for name in ["max", "min"]:
    R(name, [(TIES,), (TIES, 1), (TIES, -1, True)], NUM, tag="ties")
for name in ["argmax", "argmin"]:
    R(name, [(TIES,), (TIES, 1)], NUM, tag="ties")
R("cummax", [(TIES, 1)], NUM, tag="ties")
R("cummin", [(TIES, 2)], NUM, tag="ties")
R("norm", [(In((3, 4), _ties),), (In((3, 4), _ties), float("inf"), 1), (In((3, 4), _ties), 1, 0)], tag="zeros-ties")
R("logsumexp", [(In((3, 4), _ties), 1)], tag="ties")
R("prod", [(In((3, 4), _ties), 1), (In((3, 4), _ties),)], tag="zeros")
R("cumprod", [(In((3, 4), _ties), 1)], tag="zeros")
R("std", [(In((3, 4), lambda rng, s: np.ones(s)), 1)], tag="constant")
R("sort", [(In((3, 8), _ties),)], NUM, kwargs={"stable": True}, tag="ties-stable")
R("sort", [(In((3, 8), _ties),)], NUM, kwargs={"stable": True, "descending": True, "dim": 0}, tag="ties-stable-desc")
R("argsort", [(In((3, 8), _ties),)], NUM, kwargs={"stable": True}, tag="ties-stable")
