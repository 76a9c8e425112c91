"""Parity rows for linear algebra: matmul's broadcasting forms, the named products, einsum, tensordot, diag."""
from parity_harness import FLOATS, In, Row

ROWS = []
FI = FLOATS + ("int64",)


def L(name, cases, dtypes=FLOATS, **kw):
    ROWS.append(Row(name, cases, dtypes=dtypes, **kw))


L("matmul", [(In((3, 4)), In((4, 5))), (In((4,)), In((4,))), (In((4,)), In((4, 2))), (In((3, 4)), In((4,))),
             (In((2, 3, 4)), In((4, 5))), (In((2, 1, 3, 4)), In((5, 4, 2))), (In((3, 4), layout="T"), In((4, 2), layout="step")),
             (In((0, 4)), In((4, 3))), (In((3, 0)), In((0, 2)))], FI)
L("mm", [(In((3, 4)), In((4, 5))), (In((3, 4), layout="T"), In((4, 2), layout="T")), (In((2, 0)), In((0, 3)))], FI)
L("bmm", [(In((2, 3, 4)), In((2, 4, 5))), (In((2, 3, 4), layout="T"), In((2, 4, 1), layout="step"))], FI)
L("mv", [(In((3, 4)), In((4,))), (In((3, 4), layout="T"), In((4,), layout="step"))], FI)
L("dot", [(In((5,)), In((5,))), (In((5,), layout="step"), In((5,))), (In((0,)), In((0,)))], FI)
L("vdot", [(In((5,)), In((5,)))], FI)
L("inner", [(In((5,)), In((5,))), (In((2, 3)), In((4, 3))), (In(()), In((2, 2)))], FI)
L("outer", [(In((3,)), In((4,))), (In((3,), layout="step"), In((2,)))], FI)
L("ger", [(In((3,)), In((4,)))], FI)
L("kron", [(In((2, 3)), In((3, 2))), (In((2,)), In((3,))), (In((2, 2, 1)), In((2, 3)))], FI)
L("trace", [(In((3, 3)),), (In((3, 5)),), (In((4, 3), layout="T"),)], FI)
L("diag", [(In((4,)),), (In((4,)), 1), (In((3, 4)),), (In((3, 4)), -1), (In((4, 3), layout="T"), 2)], FI)
L("diag_embed", [(In((2, 3)),), (In((2, 3)), 1), (In((2, 3)), -1, 0, 2)], FI)
L("cross", [(In((4, 3)), In((4, 3))), (In((3, 2)), In((3, 1)), 0), (In((2, 3), layout="T"), In((1, 3)))], FI)
L("cross", [(In((4, 3)), In((4, 3)))], kwargs={"dim": -1}, tag="dim")
for name, x, a, b in [("addmm", (3, 5), (3, 4), (4, 5)), ("addmv", (3,), (3, 4), (4,)),
                      ("baddbmm", (2, 3, 5), (2, 3, 4), (2, 4, 5)), ("addbmm", (3, 5), (2, 3, 4), (2, 4, 5))]:
    L(name, [(In(x), In(a), In(b)), (In(x[-1:]), In(a), In(b))], FI)
    L(name, [(In(x), In(a), In(b))], kwargs={"beta": 0.5, "alpha": 2.0}, tag="beta-alpha")
    L(name + "_", [(In(x), In(a), In(b))], fn=lambda m, x, a, b, n=name: getattr(x.clone(), n + "_")(a, b, beta=2, alpha=0.5))
L("einsum", [("ij,jk->ik", In((3, 4)), In((4, 5))), ("bij,bjk->bik", In((2, 3, 4)), In((2, 4, 1))),
             ("ii->i", In((3, 3))), ("ij->", In((3, 4), layout="T")), ("i,j->ij", In((3,)), In((2,))),
             ("...ij,...jk", In((2, 3, 4)), In((4, 2))), ("ijk->kji", In((2, 3, 4)))], method=False)
L("einsum", [("ij,jk->ik", In((3, 4)), In((4, 5)))], fn=lambda m, eq, a, b: m.einsum(eq, [a, b]), tag="list")
L("tensordot", [(In((3, 4, 5)), In((4, 5, 2))), (In((3, 4)), In((4, 2)), 1), (In((2, 3)), In((3, 2)), 0),
                (In((3, 4, 5)), In((5, 3, 2)), ([0, 2], [1, 0]))], FI, method=False)
L("__matmul__", [(In((3, 4)), In((4, 2))), (In((4,)), In((2, 4, 3)))], FI, fn=lambda m, a, b: a @ b)
L("__rmatmul__", [(In((3, 4)), In((2, 3)))], fn=lambda m, a, b: a.__rmatmul__(b))
