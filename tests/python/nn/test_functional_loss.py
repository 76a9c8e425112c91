"""flashlight.nn.functional losses against torch: values and gradients (input, and target where torch
differentiates it) in float32 and float64, every reduction, class weights, ignore_index, label smoothing, K-dim and
unbatched cross entropy, probability targets, and exception classes for bad input."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

import flashlight as fl
import flashlight.nn.functional as FF
from functional_parity import G, check, check_double_backward, raises_like

# Both libraries warn on broadcast targets, kl_div's 'mean' and the legacy arguments; test_warnings_match_torch
# compares those warnings, elsewhere they are expected noise.
pytestmark = [pytest.mark.filterwarnings("ignore:Using a target size:UserWarning"),
              pytest.mark.filterwarnings("ignore:reduction. 'mean' divides:UserWarning"),
              pytest.mark.filterwarnings("ignore:size_average and reduce args:UserWarning")]
DTYPES = ["float32", "float64"]
REDUCTIONS = ["mean", "sum", "none"]


def rand(rng, *shape):
    return rng.standard_normal(shape)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw", [("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {}),
                                     ("smooth_l1_loss", {"beta": 0.5}), ("smooth_l1_loss", {"beta": 0.0}),
                                     ("huber_loss", {}), ("huber_loss", {"delta": 0.3}), ("soft_margin_loss", {})])
def test_regression_losses(rng, dtype, reduction, name, kw):
    T = np.asarray if name == "soft_margin_loss" else G  # torch does not differentiate soft_margin's target
    for shape in [(5,), (3, 4), (2, 3, 2)]:
        check(name, [G(rand(rng, *shape)), T(rand(rng, *shape))], dict(kw, reduction=reduction), dtype)
    check(name, [G(rand(rng, 3, 4)), T(rand(rng, 4))], dict(kw, reduction=reduction), dtype)  # broadcast target
    check(name, [G(rand(rng, 0, 3)), T(rand(rng, 0, 3))], dict(kw, reduction=reduction), dtype)  # empty


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_weighted_regression_losses(rng, dtype, reduction, name):
    check(name, [G(rand(rng, 3, 4)), G(rand(rng, 3, 4))], {"weight": G(rng.uniform(0, 2, (3, 4))),
                                                          "reduction": reduction}, dtype)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "soft_margin_loss", "kl_div"])
def test_legacy_size_average_and_reduce(rng, name):
    for size_average, reduce in [(False, None), (None, False), (True, True), (False, True)]:
        T = np.asarray if name == "soft_margin_loss" else G
        check(name, [G(rand(rng, 3, 4)), T(rng.uniform(0.1, 1, (3, 4)))],
              {"size_average": size_average, "reduce": reduce}, "float64")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(rng, dtype, reduction, log_target):
    inp = np.log(rng.dirichlet(np.ones(5), 4))
    tgt = rng.dirichlet(np.ones(5), 4)
    tgt = np.log(tgt) if log_target else tgt
    check("kl_div", [G(inp), G(tgt)], {"reduction": reduction, "log_target": log_target}, dtype)
    if not log_target:  # zero targets contribute 0 (xlogy); torch's target gradient there is nan, so no grad
        tgt0 = tgt.copy()
        tgt0[0, :2] = 0
        check("kl_div", [G(inp), tgt0], {"reduction": reduction}, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_poisson_and_gaussian_nll(rng, dtype, reduction):
    for log_input in (True, False):
        for full in (False, True):
            x = rand(rng, 3, 4) if log_input else rng.uniform(0.1, 3, (3, 4))
            t = rng.integers(0, 5, (3, 4)).astype(float)
            # torch's target gradient of the Stirling term is nan at t = 0 (ours is 0): not compared there.
            check("poisson_nll_loss", [G(x), t if full else G(t)], {"log_input": log_input, "full": full, "reduction": reduction},
                  dtype)
    for var_shape in [(3, 4), (3,), (3, 1), (1, 4)]:
        var = rng.uniform(0.1, 2, var_shape)
        var.flat[0] = 1e-9  # below eps: clamped, gradient passes through as in torch
        check("gaussian_nll_loss", [G(rand(rng, 3, 4)), G(rand(rng, 3, 4)), G(var)],
              {"full": True, "reduction": reduction}, dtype)
    check("gaussian_nll_loss", [G(rand(rng, 3, 4)), G(rand(rng, 3, 4)), 0.5], {"reduction": reduction}, dtype)


def cls_targets(rng, C, *shape, ignore=None):
    t = rng.integers(0, C, shape)
    if ignore is not None:
        t.flat[:: 3] = ignore
    return t


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(5, 4), (3, 4, 2), (2, 4, 3, 2), (2, 4, 2, 1, 2), (4,)])
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_and_cross_entropy(rng, dtype, reduction, shape, weighted):
    C = shape[0] if len(shape) == 1 else shape[1]
    tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    w = rng.uniform(0.2, 2, C) if weighted else None
    for ignore in (-100, 1):
        t = cls_targets(rng, C, *tshape, ignore=ignore if tshape else None)
        kw = {"weight": w, "ignore_index": ignore, "reduction": reduction}
        check("cross_entropy", [G(rand(rng, *shape)), t], kw, dtype)
        check("nll_loss", [G(rand(rng, *shape)), t], kw, dtype)
        for ls in (0.1, 1.0):
            check("cross_entropy", [G(rand(rng, *shape)), t], dict(kw, label_smoothing=ls), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probability_targets(rng, dtype, reduction):
    for shape in [(5, 4), (3, 4, 2), (4,)]:
        C = shape[0] if len(shape) == 1 else shape[1]
        p = np.moveaxis(rng.dirichlet(np.ones(C), shape[:1] + shape[2:] if len(shape) > 1 else ()), -1,
                        1 if len(shape) > 1 else 0)
        for kw in [{}, {"weight": rng.uniform(0.2, 2, C)}, {"label_smoothing": 0.2}]:
            check("cross_entropy", [G(rand(rng, *shape)), G(p)], dict(kw, reduction=reduction), dtype)


def test_cross_entropy_everything_ignored_is_nan():
    x = np.zeros((2, 3))
    got, want = check("cross_entropy", [x, np.array([-100, -100])], {}, "float32")
    assert np.isnan(got.item()) and np.isnan(want.item())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy(rng, dtype, reduction):
    x, t = rng.uniform(0.01, 0.99, (3, 4)), rng.uniform(0, 1, (3, 4))
    check("binary_cross_entropy", [G(x), G(t)], {"reduction": reduction}, dtype)
    check("binary_cross_entropy", [G(x), G(t)], {"weight": rng.uniform(0, 2, (4,)), "reduction": reduction}, dtype)
    # Saturated probabilities: logs clamped at -100, torch's input gradient (x - t) / max(x (1 - x), 1e-12).
    xs, ts = np.array([0.0, 1.0, 1.0, 0.0, 0.5]), np.array([0.0, 1.0, 0.0, 1.0, 1.0])
    check("binary_cross_entropy", [G(xs), ts], {"reduction": reduction}, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits(rng, dtype, reduction):
    x, t = rand(rng, 3, 4) * 5, rng.uniform(0, 1, (3, 4))
    x[0, :3] = [0.0, 60.0, -60.0]  # exact zero logits (zero-initialised heads) and saturation
    check("binary_cross_entropy_with_logits", [G(x), G(t)], {"reduction": reduction}, dtype)
    check("binary_cross_entropy_with_logits", [G(x), G(t)],
          {"weight": rng.uniform(0, 2, (3, 1)), "pos_weight": rng.uniform(0.5, 3, (4,)),
           "reduction": reduction}, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_losses(rng, dtype, reduction):
    kw = {"reduction": reduction}
    for margin in (0.0, 0.3):
        t = rng.choice([-1.0, 1.0], 5)
        check("cosine_embedding_loss", [G(rand(rng, 5, 3)), G(rand(rng, 5, 3)), t], dict(kw, margin=margin), dtype)
        check("cosine_embedding_loss", [G(rand(rng, 3)), G(rand(rng, 3)), np.array(-1.0)],
              dict(kw, margin=margin - 1), dtype)
        check("margin_ranking_loss", [G(rand(rng, 5)), G(rand(rng, 5)), t], dict(kw, margin=margin), dtype)
        check("hinge_embedding_loss", [G(rand(rng, 5)), t], dict(kw, margin=margin + 1), dtype)
    for p, swap in [(2.0, False), (1.0, True), (3.0, False)]:
        check("triplet_margin_loss", [G(rand(rng, 4, 3)), G(rand(rng, 4, 3)), G(rand(rng, 4, 3))],
              dict(kw, p=p, swap=swap, margin=0.5), dtype)


def _both(rng, *shape, dtype="float32", kind="normal"):
    a = (rng.standard_normal(shape) if kind == "normal" else rng.uniform(0, 1, shape)).astype(dtype)
    return fl.tensor(a), torch.from_numpy(a)


ERROR_CASES = {
    "bad reduction": lambda L, T: L.mse_loss(T(3), T(3), reduction="batchmean"),
    "bad reduction (nll)": lambda L, T: L.nll_loss(T(3, 4), T(3, kind="long"), reduction="foo"),
    "not broadcastable": lambda L, T: L.mse_loss(T(3), T(4)),
    "integer mse": lambda L, T: L.mse_loss(T(3, kind="long"), T(3, kind="long")),
    "weight shape": lambda L, T: L.mse_loss(T(3), T(3), weight=T(1)),
    "negative beta": lambda L, T: L.smooth_l1_loss(T(3), T(3), beta=-1.0),
    "zero delta": lambda L, T: L.huber_loss(T(3), T(3), delta=0.0),
    "kl bad reduction": lambda L, T: L.kl_div(T(3), T(3), reduction="foo"),
    "int32 target": lambda L, T: L.nll_loss(T(3, 4), T(3, kind="long").int()),
    "float target": lambda L, T: L.nll_loss(T(3, 4), T(3)),
    "target out of bounds": lambda L, T: L.cross_entropy(T(3, 4), T(3, kind="big")),
    "negative target": lambda L, T: L.nll_loss(T(3, 4), -T(3, kind="big")),
    "batch mismatch": lambda L, T: L.nll_loss(T(3, 4), T(2, kind="long")),
    "K-dim target size": lambda L, T: L.cross_entropy(T(3, 4, 2), T(3, 3, kind="long")),
    "weight size": lambda L, T: L.cross_entropy(T(3, 4), T(3, kind="long"), weight=T(3)),
    "long probabilities": lambda L, T: L.cross_entropy(T(3, 4), T(3, 4, kind="long")),
    "ignore_index with probabilities": lambda L, T: L.cross_entropy(T(3, 4), T(3, 4), ignore_index=1),
    "label_smoothing > 1": lambda L, T: L.cross_entropy(T(3, 4), T(3, kind="long"), label_smoothing=1.5),
    "0-d input": lambda L, T: L.cross_entropy(T(), T(kind="long")),
    "bce out of range": lambda L, T: L.binary_cross_entropy(T(3) + 2, T(3, kind="unit")),
    "bce size": lambda L, T: L.binary_cross_entropy(T(2, kind="unit"), T(3, kind="unit")),
    "bce logits size": lambda L, T: L.binary_cross_entropy_with_logits(T(3, 1), T(3)),
    "cosine embedding dims": lambda L, T: L.cosine_embedding_loss(T(3, 2), T(3, 2), T(3, 1)),
    "cosine embedding inputs": lambda L, T: L.cosine_embedding_loss(T(3), T(3), T(3)),
    "margin ranking dims": lambda L, T: L.margin_ranking_loss(T(3), T(3, 1), T(3)),
    "triplet margin": lambda L, T: L.triplet_margin_loss(T(2, 3), T(2, 3), T(2, 3), margin=0.0),
    "triplet dims": lambda L, T: L.triplet_margin_loss(T(2, 3), T(3), T(2, 3)),
    "negative var": lambda L, T: L.gaussian_nll_loss(T(2, 3), T(2, 3), -T(2, 3, kind="unit") - 1),
    "var size": lambda L, T: L.gaussian_nll_loss(T(2, 3), T(2, 3), T(2, 2, kind="unit")),
    "gaussian reduction": lambda L, T: L.gaussian_nll_loss(T(2, 3), T(2, 3), T(2, 3, kind="unit"), reduction="x"),
    "poisson reduction": lambda L, T: L.poisson_nll_loss(T(2, 3), T(2, 3), reduction="x"),
}


@pytest.mark.parametrize("case", list(ERROR_CASES))
def test_errors(case):
    def maker(lib):
        rng = np.random.default_rng(0)

        def T(*shape, kind="normal"):
            if kind == "long":
                a = rng.integers(0, 2, shape)
            elif kind == "big":
                a = np.full(shape, 5)
            elif kind == "unit":
                a = rng.uniform(0, 1, shape).astype("float32")
            else:
                a = rng.standard_normal(shape).astype("float32")
            return fl.tensor(a) if lib is FF else torch.from_numpy(np.asarray(a))
        return T

    raises_like(lambda: ERROR_CASES[case](FF, maker(FF)), lambda: ERROR_CASES[case](F, maker(F)))


@pytest.mark.parametrize("call", [
    lambda L, T: L.mse_loss(T(3, 4), T(4)),
    lambda L, T: L.huber_loss(T(3, 4), T(1, 4)),
    lambda L, T: L.kl_div(T(3, 4), T(3, 4)),
    lambda L, T: L.l1_loss(T(3), T(3), size_average=False),
])
def test_warnings_match_torch(call):
    def T(lib):
        return lambda *shape: fl.ones(*shape) if lib is FF else torch.ones(*shape)

    with pytest.warns(UserWarning) as got:
        call(FF, T(FF))
    with pytest.warns(UserWarning) as want:
        call(F, T(F))
    assert [str(w.message) for w in got] == [str(w.message) for w in want]


@pytest.mark.parametrize("fn", [
    lambda lib, m, X: m.binary_cross_entropy(X, X.detach() * 0 + 0.3),
    lambda lib, m, X: m.binary_cross_entropy_with_logits(X, X.detach() * 0 + 0.3),
    lambda lib, m, X: m.cross_entropy(X, lib.tensor([0, 1, 3]), label_smoothing=0.1),
    lambda lib, m, X: m.smooth_l1_loss(X, X.detach() * 0 + 0.5, beta=0.5),
])
def test_double_backward(rng, fn):
    check_double_backward(fn, rng.uniform(0.1, 0.9, (3, 4)))
