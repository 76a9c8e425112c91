"""Parity rows for the indexing functions: gather/scatter family, index_*, masks, take, nonzero, unique, search.

Index tensors are drawn so that results are deterministic in torch too: scatter/index_copy targets are unique per
line (a permutation), so no two writes race."""
import numpy as np

from parity_harness import FLOATS, In, Row

ROWS = []
FI = FLOATS + ("int64",)


def perm_idx(n, dim):
    """Indices in [0, n), a distinct prefix of a permutation along `dim` for every other position."""
    def gen(rng, shape):
        moved = tuple(np.moveaxis(np.empty(shape), dim, -1).shape)
        lines = int(np.prod(moved[:-1])) if len(moved) > 1 else 1
        out = np.stack([rng.permutation(n)[:moved[-1]] for _ in range(lines)]).reshape(moved)
        return np.moveaxis(out, -1, dim)
    return gen


def sorted_dom(rng, shape):
    return np.sort(rng.uniform(-2, 2, shape), axis=-1)


def sparse(rng, shape):
    return np.where(rng.random(shape) < 0.4, 0.0, rng.uniform(-2, 2, shape))


def dupes(rng, shape):
    return rng.integers(-3, 3, shape).astype(np.float64)


def I(name, cases, dtypes=FI, **kw):
    ROWS.append(Row(name, cases, dtypes=dtypes, **kw))


def idx(shape, hi, lo=0):
    return In(shape, ("idx", lo, hi), dtype="int64")


def pidx(shape, n, dim):
    return In(shape, perm_idx(n, dim), dtype="int64")


MASK34 = In((3, 4), "bool", dtype="bool")
I("index_select", [(In((3, 4)), 0, idx((5,), 3)), (In((3, 4), layout="T"), 1, idx((2,), 4)), (In((5,)), 0, idx((0,), 5)),
                   (In(()), 0, idx((1,), 1))])
I("gather", [(In((3, 4)), 0, idx((2, 4), 3)), (In((3, 4), layout="T"), 1, idx((3, 6), 4)), (In((2, 3, 4)), -1, idx((2, 3, 2), 4))])
I("scatter", [(In((3, 4)), 0, pidx((2, 4), 3, 0), In((2, 4))), (In((3, 4), layout="T"), 1, pidx((3, 2), 4, 1), In((3, 2))),
              (In((3, 4)), 1, pidx((2, 3), 4, 1), 1.5)])
I("scatter", [(In((3, 4)), 0, pidx((2, 4), 3, 0), In((2, 4)))], kwargs={"reduce": "add"}, grad=False, tag="add")
I("scatter", [(In((3, 4)), 0, pidx((2, 4), 3, 0), In((2, 4)))], kwargs={"reduce": "multiply"}, grad=False, tag="mul")
I("scatter", [(In((3, 4)), 0, pidx((2, 4), 3, 0))], fn=lambda m, x, d, i: m.scatter(x, d, i, value=-2.0), tag="value")
I("scatter_add", [(In((3, 4)), 0, idx((5, 4), 3), In((5, 4))), (In((3, 4), layout="T"), 1, idx((3, 6), 4), In((3, 6)))])
for red in ["sum", "prod", "mean", "amax", "amin"]:
    I("scatter_reduce", [(In((3, 4), "nonzero"), 0, idx((5, 4), 3), In((5, 4), "sep"), red)], tag=red)
    I("scatter_reduce", [(In((3, 4), "sep"), 1, idx((3, 5), 4), In((3, 5), "nonzero"), red)],
      kwargs={"include_self": False}, tag=red + "-noself")
I("index_add", [(In((3, 4)), 0, idx((5,), 3), In((5, 4))), (In((3, 4), layout="T"), 1, idx((2,), 4), In((3, 2)))])
I("index_add", [(In((3, 4)), 1, idx((3,), 4), In((3, 3)))], kwargs={"alpha": 2}, tag="alpha")
I("index_copy", [(In((4, 3)), 0, pidx((2,), 4, 0), In((2, 3))), (In((3, 4), layout="T"), 1, pidx((3,), 4, 0), In((3, 3)))])
I("index_fill", [(In((3, 4)), 1, idx((2,), 4), -1.5), (In((3, 4), layout="step"), 0, idx((2,), 3), 2)])
I("masked_fill", [(In((3, 4)), MASK34, 2.5), (In((3, 4), layout="T"), In((4,), "bool", dtype="bool"), -1),
                  (In((2, 3)), In((), "bool", dtype="bool"), 0.5)], FI + ("bool",))
I("masked_fill", [(In((3, 4)), MASK34, In(()))], tag="tensor-value")
I("masked_select", [(In((3, 4)), MASK34), (In((3, 4), layout="T"), In((4,), "bool", dtype="bool")),
                    (In(()), In((2, 2), "bool", dtype="bool"))], FI + ("bool",))
I("masked_scatter", [(In((3, 4)), MASK34, In((3, 4))), (In((3, 4), layout="T"), In((4,), "bool", dtype="bool"), In((4, 4)))])
I("take", [(In((3, 4)), idx((5,), 12, -12)), (In((3, 4), layout="T"), idx((2, 2), 12)), (In(()), idx((3,), 1))])
I("take_along_dim", [(In((3, 4)), idx((3, 2), 4), 1), (In((3, 4)), idx((5,), 12)), (In((3, 4), layout="T"), idx((1, 4), 3), 0)])
I("nonzero", [(In((3, 4), sparse),), (In((2, 3, 4), sparse, layout="T"),), (In((), sparse),), (In((0, 2)),)], FI + ("bool",))
I("nonzero", [(In((3, 4), sparse),)], FI, kwargs={"as_tuple": True}, tag="tuple")
I("argwhere", [(In((3, 4), sparse),), (In((5,), sparse, layout="step"),)], FI + ("bool",))
I("where", [(In((3, 4), sparse),)], FI + ("bool",), tag="one-arg", method=False)
I("index_put", [(In((3, 4)), (idx((2,), 3),), In((4,))), (In((3, 4)), (idx((2,), 3), idx((2,), 4)), In((2,))),
                (In((3, 4)), (MASK34,), In(()))], method=False)
I("index_put", [(In((3, 4)), (idx((5,), 3),), In((5, 4)), True)], tag="accumulate", method=False)
I("index_put", [(In((3, 4)), (idx((2,), 3),), In((4,)))], fn=lambda m, x, i, v: x.index_put(i, v), tag="method")
I("one_hot", [(idx((5,), 4),), (idx((2, 3), 3), 5), (idx((0,), 3), 3)], ("int64",))
I("bincount", [(idx((10,), 5),), (idx((10,), 5), None, 8), (idx((0,), 3),)], ("int64",))
I("bincount", [(idx((10,), 5), In((10,)))], FLOATS, grad=False, fn=lambda m, x, w: m.bincount(x, weights=w), tag="weights")
I("unique", [(In((10,), dupes),), (In((3, 4), dupes, layout="T"),), (In((0,)),)], FI, grad=False)
I("unique", [(In((3, 4), dupes),)], FI, kwargs={"return_inverse": True, "return_counts": True}, grad=False, tag="inverse-counts")
I("unique", [(In((10,), dupes),)], FI, kwargs={"return_counts": True}, grad=False, tag="counts")
I("searchsorted", [(In((6,), sorted_dom), In((3, 4))), (In((2, 6), sorted_dom), In((2, 3))), (In((5,), sorted_dom), 0.3)],
  FI, grad=False)
I("searchsorted", [(In((6,), sorted_dom), In((3, 4)))], FI, kwargs={"right": True, "out_int32": True}, grad=False, tag="right")
I("searchsorted", [(In((6,), sorted_dom), In((4,)))], FLOATS, kwargs={"side": "right"}, grad=False, tag="side")
I("searchsorted", [(In((6,)), In((4,)))], FLOATS, grad=False, tag="sorter",
  fn=lambda m, s, v: m.searchsorted(s, v, sorter=m.argsort(s)))
I("bucketize", [(In((3, 4)), In((6,), sorted_dom)), (0.25, In((5,), sorted_dom))], FI, grad=False)
I("bucketize", [(In((3, 4)), In((6,), sorted_dom))], FI, kwargs={"right": True, "out_int32": True}, grad=False, tag="right")
# In-place forms (on a clone: gradients flow through the in-place op).
INPLACE = {
    "scatter_": lambda m, x, i, s: x.clone().scatter_(0, i, s),
    "scatter_add_": lambda m, x, i, s: x.clone().scatter_add_(0, i, s),
    "scatter_reduce_": lambda m, x, i, s: x.clone().scatter_reduce_(0, i, s, "amax", include_self=False),
}
for name, f in INPLACE.items():
    I(name, [(In((3, 4), "sep"), pidx((2, 4), 3, 0), In((2, 4), "sep"))], fn=f)
I("index_add_", [(In((3, 4)), idx((5,), 3), In((5, 4)))], fn=lambda m, x, i, s: x.clone().index_add_(0, i, s, alpha=0.5))
I("index_copy_", [(In((4, 3)), pidx((2,), 4, 0), In((2, 3)))], fn=lambda m, x, i, s: x.clone().index_copy_(0, i, s))
I("index_fill_", [(In((3, 4)), idx((2,), 4))], fn=lambda m, x, i: x.clone().index_fill_(1, i, 7.0))
I("masked_fill_", [(In((3, 4)), MASK34)], fn=lambda m, x, k: x.clone().masked_fill_(k, -3.0))
I("masked_fill_", [(In((3, 4)), MASK34, In(()))], fn=lambda m, x, k, v: x.clone().masked_fill_(k, v), tag="tensor")
I("masked_scatter_", [(In((3, 4)), MASK34, In((3, 4)))], fn=lambda m, x, k, s: x.clone().masked_scatter_(k, s))
I("index_put_", [(In((3, 4)), idx((2,), 3), In((4,)))], fn=lambda m, x, i, v: x.clone().index_put_((i,), v))
I("index_put_", [(In((3, 4)), idx((6,), 3), In((6, 4)))], fn=lambda m, x, i, v: x.clone().index_put_((i,), v, accumulate=True),
  tag="accumulate")
