"""Parity rows for the strides of new results (issue #2): clone(), elementwise ops, to(), *_like and contiguous()
over a table of input layouts. Each row compares what torch reports for the result (stride(), is_contiguous()),
what depends on it (the strides of a view of it, whether .view(-1) is possible, data_ptr offsets) and its values."""
from parity_harness import In, Row

ROWS = []


def _t(x):
    return x.t()


# Layouts: (name, leaf shape, view of the leaf). The 2-D ones all give shape (3, 4), so any two combine.
LAYOUTS_2D = [
    ("contig", (3, 4), lambda x: x),
    ("T", (4, 3), _t),
    ("step", (3, 8), lambda x: x[:, ::2]),
    ("stepT", (8, 3), lambda x: x[::2].t()),
    ("expand", (3, 1), lambda x: x.expand(3, 4)),
    ("expand0", (4,), lambda x: x.expand(3, 4)),
]
LAYOUTS_OTHER = [
    ("perm3", (2, 3, 4), lambda x: x.permute(2, 0, 1)),
    ("perm3b", (2, 3, 4), lambda x: x.permute(1, 2, 0)),
    ("size1", (3, 1), _t),  # (1, 3) with strides (1, 1): contiguous for torch
    ("size1mid", (1, 3, 4), lambda x: x.permute(1, 0, 2)),
    ("channels_last", (2, 4, 5, 3), lambda x: x.permute(0, 3, 1, 2)),
    ("channels_last1", (2, 1, 5, 3), lambda x: x.permute(0, 3, 1, 2)),
    ("empty", (0, 3), _t),
    ("slice", (4, 6), lambda x: x[1:3, 2:]),
]
LAYOUTS = LAYOUTS_2D + LAYOUTS_OTHER


def _view_ok(r):
    try:
        r.view(-1)
        return True
    except RuntimeError:
        return False


def probe(r):
    """torch's answers about a result's layout, and what depends on it."""
    view = r.transpose(0, -1) if r.dim() > 1 else r
    offset = (r[..., 1:].data_ptr() - r.data_ptr()) // r.element_size() if r.numel() and r.shape[-1] > 1 else 0
    merged = r.reshape(r.shape[0], -1).stride() if r.numel() else None  # a view where the strides allow, else a copy
    return (r.stride(), r.is_contiguous(), view.stride(), view.is_contiguous(), _view_ok(r), merged, offset, r)


def meta(r):
    """The same without values (random and uninitialised results)."""
    return probe(r)[:-1]


def L(name, fn, layouts=LAYOUTS, values=True, **kw):
    cases = [(In(shape, layout=f),) for _, shape, f in layouts]
    ROWS.append(Row(name, cases, fn=fn if values else (lambda m, x: meta(fn(m, x))), tag="layout", **kw))


L("clone", lambda m, x: probe(x.clone()))
L("clone", lambda m, x: probe(x.clone(memory_format=m.contiguous_format)), grad=False,
  covers=("contiguous_format",))
L("clone", lambda m, x: probe(x.clone(memory_format=m.preserve_format)), covers=("preserve_format",))
L("exp", lambda m, x: probe(m.exp(x)))
L("neg", lambda m, x: probe(-x))
L("add", lambda m, x: probe(x + 1))
L("mul", lambda m, x: probe(2 * x))
L("gt", lambda m, x: probe(x > 0), grad=False)
L("pow", lambda m, x: probe(x ** 2))
L("where", lambda m, x: probe(m.where(x > 0, x, 0.5)))
L("to", lambda m, x: probe(x.to(m.float64)))
L("double", lambda m, x: probe(x.double()))
L("contiguous", lambda m, x: probe(x.contiguous()))
L("zeros_like", lambda m, x: probe(m.zeros_like(x)), grad=False)
L("ones_like", lambda m, x: probe(m.ones_like(x, dtype=m.int64)), grad=False)
L("full_like", lambda m, x: probe(m.full_like(x, 2.5)), grad=False)
L("empty_like", lambda m, x: m.empty_like(x), values=False, grad=False)
L("empty_like", lambda m, x: m.empty_like(x, memory_format=m.contiguous_format), values=False, grad=False)
L("rand_like", lambda m, x: m.rand_like(x), values=False, grad=False)
L("randn_like", lambda m, x: m.randn_like(x), values=False, grad=False)
L("randint_like", lambda m, x: m.randint_like(x, 5), values=False, grad=False)
# Consumers: a view of a permuted result, and .view() where torch allows it (and raises where it does).
L("t", lambda m, x: probe(m.exp(x).t()), layouts=LAYOUTS_2D)
L("view", lambda m, x: (lambda r: (r.view(4, 3) if r.is_contiguous() else r.t().view(12), r.stride()))(m.exp(x)),
  layouts=LAYOUTS_2D[:4])
L("reshape", lambda m, x: probe(m.exp(x).reshape(2, 6)), layouts=LAYOUTS_2D)

# Binary ops over every pair of 2-D layouts: the first input with a strict stride order decides.
ROWS.append(Row("add", [(In(sa, layout=fa), In(sb, layout=fb)) for _, sa, fa in LAYOUTS_2D for _, sb, fb in LAYOUTS_2D],
                fn=lambda m, x, y: probe(x + y), tag="layout-pairs"))
LAYOUTS_3D = [("perm3", (2, 3, 4), lambda x: x.permute(2, 0, 1)), ("contig3", (4, 2, 3), lambda x: x),
              ("perm3b", (3, 4, 2), lambda x: x.permute(1, 2, 0)), ("step3", (4, 2, 6), lambda x: x[..., ::2])]
ROWS.append(Row("mul", [(In(sa, layout=fa), In(sb, layout=fb)) for _, sa, fa in LAYOUTS_3D for _, sb, fb in LAYOUTS_3D],
                fn=lambda m, x, y: probe(x * y), tag="layout-pairs"))
# Broadcasting against a row, a column and a 0-d tensor.
ROWS.append(Row("sub", [(In(s, layout=f), In(b)) for _, s, f in LAYOUTS_2D for b in [(4,), (3, 1), ()]],
                fn=lambda m, x, y: (probe(x - y), probe(y - x)), tag="layout-broadcast"))
ROWS.append(Row("where", [(In(s, layout=f), In(s2, layout=f2)) for _, s, f in LAYOUTS_2D[:3]
                          for _, s2, f2 in LAYOUTS_2D[:3]],
                fn=lambda m, x, y: probe(m.where(y > 0, x, y)), tag="layout-pairs"))
# memory formats
ROWS.append(Row("contiguous", [(In((2, 4, 5, 3), layout=lambda x: x.permute(0, 3, 1, 2)),), (In((2, 3, 4, 5)),)],
                fn=lambda m, x: (probe(x.contiguous(memory_format=m.channels_last)),
                                 x.is_contiguous(memory_format=m.channels_last),
                                 probe(x.clone(memory_format=m.channels_last)),
                                 probe(m.zeros_like(x, memory_format=m.channels_last))),
                tag="channels_last", covers=("channels_last",)))
ROWS.append(Row("clone", [(In((2, 3, 4, 5, 6)),)], fn=lambda m, x: (
    probe(x.clone(memory_format=m.channels_last_3d)), x.is_contiguous(memory_format=m.channels_last_3d),
    x.clone(memory_format=m.channels_last_3d).is_contiguous(memory_format=m.channels_last_3d)),
    tag="channels_last_3d", covers=("channels_last_3d",)))
ROWS.append(Row("clone", [(In((2, 3)),)], raises=("float32", "float64"), tag="channels_last-rank",
                fn=lambda m, x: x.clone(memory_format=m.channels_last)))
ROWS.append(Row("contiguous", [(In((3, 2), layout=_t),)], raises=("float32", "float64"), tag="preserve",
                fn=lambda m, x: x.contiguous(memory_format=m.preserve_format)))
