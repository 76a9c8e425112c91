"""flashlight.optim against torch.optim: the same problem from the same start, every parameter compared after every
step (float64 to 1e-10, float32 to float32 rounding), param groups, zero_grad, state_dict layout, save/resume,
LBFGS, the MLX-style API and torch's errors."""
import numpy as np
import pytest
import torch

import flashlight as fl

F64 = {"fl": fl.float64, "torch": torch.float64, "np": np.float64}
F32 = {"fl": fl.float32, "torch": torch.float32, "np": np.float32}

_rng = np.random.default_rng(0)
X = _rng.normal(size=(8, 4))
Y = _rng.normal(size=(8, 3))
W0 = _rng.normal(size=(4, 3)) * 0.5
B0 = _rng.normal(size=(3,)) * 0.1


class Problem:
    """A small regression with a quartic penalty, written once for both libraries: loss(W, b) =
    mean((X W + b - Y)^2) + 0.05 sum(W^4), negated for maximize runs so that both directions stay bounded."""

    def __init__(self, lib, dt, sign=1.0):
        self.lib, self.dt, self.sign = lib, dt, sign
        mod = fl if lib == "fl" else torch
        self.mod = mod
        self.x = mod.tensor(X.astype(dt["np"]), dtype=dt[lib])
        self.y = mod.tensor(Y.astype(dt["np"]), dtype=dt[lib])
        self.params = [mod.tensor(W0.astype(dt["np"]), dtype=dt[lib], requires_grad=True),
                       mod.tensor(B0.astype(dt["np"]), dtype=dt[lib], requires_grad=True)]

    def loss(self):
        w, b = self.params
        r = self.x.matmul(w) + b - self.y
        return ((r * r).mean() + 0.05 * (w ** 4).sum()) * self.sign

    def closure(self, opt):
        def c():
            opt.zero_grad()
            loss = self.loss()
            loss.backward()
            return loss
        return c


def np_of(t):
    return t.detach().numpy().astype(np.float64)


def assert_params(fp, tp, rtol, atol):
    for a, b in zip(fp.params, tp.params):
        np.testing.assert_allclose(np_of(a), np_of(b), rtol=rtol, atol=atol)


# Every optimizer with each of its flags (lr chosen so that 100 steps move the parameters substantially).
CASES = [
    ("SGD", dict(lr=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.05, momentum=0.5, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.02)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.9), eps=1e-6)),
    ("Adam", dict(lr=0.02, amsgrad=True)),
    ("Adam", dict(lr=0.02, weight_decay=0.1)),
    ("Adam", dict(lr=0.02, weight_decay=0.1, decoupled_weight_decay=True)),
    ("Adam", dict(lr=0.02, maximize=True, amsgrad=True)),
    ("AdamW", dict(lr=0.02)),
    ("AdamW", dict(lr=0.02, amsgrad=True, weight_decay=0.3)),
    ("AdamW", dict(lr=0.02, maximize=True)),
    ("RMSprop", dict(lr=0.005)),
    ("RMSprop", dict(lr=0.005, alpha=0.9, eps=1e-6)),
    ("RMSprop", dict(lr=0.005, centered=True)),
    ("RMSprop", dict(lr=0.005, momentum=0.8)),
    ("RMSprop", dict(lr=0.005, centered=True, momentum=0.8, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.005, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-3)),
    ("Adadelta", dict(lr=0.5, weight_decay=0.1)),
    ("Adadelta", dict(maximize=True)),
    ("Adamax", dict(lr=0.02)),
    ("Adamax", dict(lr=0.02, betas=(0.7, 0.9), eps=1e-4, weight_decay=0.1)),
    ("Adamax", dict(lr=0.02, maximize=True)),
    ("NAdam", dict(lr=0.02)),
    ("NAdam", dict(lr=0.02, momentum_decay=0.02, betas=(0.8, 0.95))),
    ("NAdam", dict(lr=0.02, weight_decay=0.1)),
    ("NAdam", dict(lr=0.02, weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(lr=0.02, maximize=True)),
    ("RAdam", dict(lr=0.02)),
    ("RAdam", dict(lr=0.02, betas=(0.9, 0.9))),
    ("RAdam", dict(lr=0.02, weight_decay=0.1)),
    ("RAdam", dict(lr=0.02, weight_decay=0.1, decoupled_weight_decay=True)),
    ("RAdam", dict(lr=0.02, maximize=True)),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}" for n, kw in CASES]
# Sign-like updates with short averages (RMSprop with alpha 0.9 and a small eps, Adamax with betas (0.7, 0.9), NAdam
# with a fast momentum decay) amplify the 1-ulp differences between the two libraries' gradients exponentially
# along the run (measured: 1e-16 grows to 1e-1 within 100 steps, while the same gradients give 1e-16). Their
# every-step comparison therefore gives flashlight torch's gradients; the update rule is compared all the same.
CHAOTIC = {"RMSprop-lr=0.005-alpha=0.9-eps=1e-06", "Adamax-lr=0.02-betas=(0.7, 0.9)-eps=0.0001-weight_decay=0.1",
           "NAdam-lr=0.02-momentum_decay=0.02-betas=(0.8, 0.95)"}
TOL = {"f64": dict(rtol=1e-10, atol=1e-12), "f32": dict(rtol=2e-4, atol=2e-6)}
# With the same gradients only the update rule differs: float32 to float32 rounding accumulated over 100 steps.
EXACT_TOL_F32 = dict(rtol=1e-4, atol=1e-6)


def make_pair(name, kwargs, dt=F64, groups=None):
    sign = -1.0 if kwargs.get("maximize") else 1.0
    fp, tp = Problem("fl", dt, sign), Problem("torch", dt, sign)
    if groups is None:
        fo = getattr(fl.optim, name)(fp.params, **kwargs)
        to = getattr(torch.optim, name)(tp.params, **kwargs)
    else:
        fo = getattr(fl.optim, name)([dict(g, params=[fp.params[i] for i in g["params"]]) for g in groups], **kwargs)
        to = getattr(torch.optim, name)([dict(g, params=[tp.params[i] for i in g["params"]]) for g in groups],
                                        **kwargs)
    return fp, fo, tp, to


def run(problem, opt, steps):
    for _ in range(steps):
        opt.zero_grad()
        problem.loss().backward()
        opt.step()


def step_both(fp, fo, tp, to, same_grads=False):
    """One step of each; flashlight's gradients are its own (fl ops), or copies of torch's with same_grads."""
    to.zero_grad()
    tp.loss().backward()
    fo.zero_grad()
    if same_grads:
        for a, b in zip(fp.params, tp.params):
            a.grad = fl.tensor(b.grad.numpy())
    else:
        fp.loss().backward()
    fo.step()
    to.step()


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_every_step_matches_torch_float64(name, kwargs, request):
    same_grads = request.node.callspec.id in CHAOTIC
    fp, fo, tp, to = make_pair(name, kwargs)
    start = np_of(fp.params[0])
    for _ in range(100):
        step_both(fp, fo, tp, to, same_grads)
        assert_params(fp, tp, **TOL["f64"])
    assert np.abs(np_of(fp.params[0]) - start).max() > 0.05  # the run moved the parameters


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_float32_update_rule_matches_torch(name, kwargs):
    fp, fo, tp, to = make_pair(name, kwargs, F32)
    for _ in range(100):
        step_both(fp, fo, tp, to, same_grads=True)
        assert_params(fp, tp, **EXACT_TOL_F32)


# In float32 the sign-like runs above amplify rounding faster still; these runs stay within float32 rounding.
F32_OWN = [("SGD", dict(lr=0.05, momentum=0.9)), ("Adam", dict(lr=0.02)), ("AdamW", dict(lr=0.02, amsgrad=True)),
           ("RMSprop", dict(lr=0.005)), ("Adagrad", dict(lr=0.1)), ("Adadelta", dict()), ("Adamax", dict(lr=0.02)),
           ("NAdam", dict(lr=0.02)), ("RAdam", dict(lr=0.02))]


@pytest.mark.parametrize("name,kwargs", F32_OWN, ids=[c[0] for c in F32_OWN])
def test_float32_own_gradients_match_torch(name, kwargs):
    fp, fo, tp, to = make_pair(name, kwargs, F32)
    for _ in range(100):
        step_both(fp, fo, tp, to)
    for p in fp.params:
        assert p.dtype == fl.float32
    for name in fo.state_dict()["state"][0]:
        assert fo.state_dict()["state"][0][name].dtype == fl.float32
    assert_params(fp, tp, **TOL["f32"])


GROUPS = [
    ("SGD", dict(lr=0.05, momentum=0.9), [dict(params=[0], lr=0.02, nesterov=True), dict(params=[1], dampening=0.5)]),
    ("Adam", dict(lr=0.02), [dict(params=[0], amsgrad=True, weight_decay=0.1), dict(params=[1], lr=0.05,
                                                                                   betas=(0.5, 0.6))]),
    ("RMSprop", dict(lr=0.005), [dict(params=[0], centered=True), dict(params=[1], momentum=0.5, alpha=0.5)]),
    ("NAdam", dict(lr=0.02), [dict(params=[1], decoupled_weight_decay=True, weight_decay=0.2), dict(params=[0])]),
    ("Adagrad", dict(lr=0.1), [dict(params=[0], lr_decay=0.1), dict(params=[1], initial_accumulator_value=1.0)]),
]


@pytest.mark.parametrize("name,kwargs,groups", GROUPS, ids=[g[0] for g in GROUPS])
def test_param_groups_with_their_own_options(name, kwargs, groups):
    fp, fo, tp, to = make_pair(name, kwargs, groups=groups)
    for step in range(60):
        if step == 30:  # edits of the plain group dicts take effect at the next step
            for o in (fo, to):
                o.param_groups[0]["lr"] *= 0.5
                o.param_groups[1]["weight_decay"] = 0.05
        run(fp, fo, 1)
        run(tp, to, 1)
        assert_params(fp, tp, **TOL["f64"])
    assert [sorted(g) for g in fo.param_groups] == [sorted(g) for g in to.param_groups]


def test_add_param_group_later():
    fp, fo, tp, to = make_pair("Adam", dict(lr=0.02), groups=[dict(params=[0])])
    run(fp, fo, 5)
    run(tp, to, 5)
    fo.add_param_group(dict(params=[fp.params[1]], lr=0.1))
    to.add_param_group(dict(params=[tp.params[1]], lr=0.1))
    run(fp, fo, 5)
    run(tp, to, 5)
    assert_params(fp, tp, **TOL["f64"])
    assert fo.param_groups[1] == {**to.param_groups[1], "params": fo.param_groups[1]["params"]}


def test_zero_grad_semantics():
    fp, fo, tp, to = make_pair("SGD", dict(lr=0.1, momentum=0.9))
    for p, o in ((fp, fo), (tp, to)):
        p.loss().backward()
        g = p.params[0].grad
        o.zero_grad(set_to_none=False)
        assert p.params[0].grad is not None and float(p.params[0].grad.abs().sum()) == 0
        assert float(g.abs().sum()) == 0  # zeroed in place
        o.zero_grad()
        assert p.params[0].grad is None and p.params[1].grad is None


def test_parameters_without_grad_are_skipped():
    fp, fo, tp, to = make_pair("Adam", dict(lr=0.1))
    for p, o in ((fp, fo), (tp, to)):
        w = p.params[0]
        (w * w).sum().backward()
        o.step()
    np.testing.assert_array_equal(np_of(fp.params[1]), B0)
    assert list(fo.state_dict()["state"]) == list(to.state_dict()["state"]) == [0]


def test_update_is_in_place_and_bumps_versions_as_torch():
    for name, kwargs in [("SGD", {}), ("AdamW", {}), ("NAdam", {}), ("NAdam", dict(weight_decay=0.1,
                                                                                   decoupled_weight_decay=True)),
                         ("RAdam", dict(weight_decay=0.1, decoupled_weight_decay=True)), ("Adagrad", {})]:
        fp, fo, tp, to = make_pair(name, kwargs)
        alias = fp.params[0].detach()  # shares the parameter's storage
        v0 = fp.params[0]._version
        t0 = tp.params[0]._version
        run(fp, fo, 3)
        run(tp, to, 3)
        np.testing.assert_array_equal(np_of(alias), np_of(fp.params[0]))
        assert fp.params[0]._version - v0 == tp.params[0]._version - t0, name
        assert fp.params[0].is_leaf and fp.params[0].grad_fn is None


# --- state_dict ---------------------------------------------------------------------------------------------------
def torch_dtype_name(t):
    return str(t.dtype).split(".")[-1]


def assert_same_tree(a, b, path="", rtol=1e-10):
    """a (flashlight) and b (torch) have the same keys in the same order, nesting, types and values."""
    if isinstance(b, torch.Tensor):
        assert isinstance(a, fl.Tensor), path
        assert torch_dtype_name(a) == torch_dtype_name(b) and tuple(a.shape) == tuple(b.shape), path
        np.testing.assert_allclose(np_of(a), np_of(b), rtol=rtol, atol=1e-12, err_msg=path)
    elif isinstance(b, dict):
        assert isinstance(a, dict) and list(a) == list(b), f"{path}: {list(a)} != {list(b)}"
        for k in b:
            assert_same_tree(a[k], b[k], f"{path}/{k}", rtol)
    elif isinstance(b, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_tree(x, y, f"{path}[{i}]", rtol)
    elif isinstance(b, float):
        assert type(a) is float and a == pytest.approx(b, rel=rtol, abs=1e-12), f"{path}: {a!r} != {b!r}"
    else:
        assert type(a) is type(b) and a == b, f"{path}: {a!r} != {b!r}"


@pytest.mark.parametrize("name,kwargs", CASES[::2], ids=IDS[::2])
def test_state_dict_layout_equals_torch(name, kwargs):
    fp, fo, tp, to = make_pair(name, kwargs)
    assert_same_tree(fo.state_dict(), to.state_dict())  # before any step (Adagrad has state already)
    run(fp, fo, 3)
    run(tp, to, 3)
    assert_same_tree(fo.state_dict(), to.state_dict())


def to_fl(obj):
    """A torch state_dict with its tensors as flashlight Tensors (same dtypes)."""
    if isinstance(obj, torch.Tensor):
        return fl.tensor(obj.detach().numpy(), dtype=getattr(fl, torch_dtype_name(obj)))
    if isinstance(obj, dict):
        return {k: to_fl(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_fl(v) for v in obj)
    return obj


@pytest.mark.parametrize("name,kwargs", CASES[1::3], ids=IDS[1::3])
def test_resume_equals_uninterrupted(name, kwargs, request):
    # Uninterrupted: 70 steps.
    fp, fo, tp, to = make_pair(name, kwargs)
    run(fp, fo, 70)
    # 30 steps, state_dict, a fresh optimizer on copied parameters, 40 more steps.
    gp, go, _, _ = make_pair(name, kwargs)
    run(gp, go, 30)
    sd = go.state_dict()
    hp = Problem("fl", F64, gp.sign)
    for dst, src in zip(hp.params, gp.params):
        dst.data = src.detach().clone()
    ho = getattr(fl.optim, name)(hp.params, **kwargs)
    ho.load_state_dict(sd)
    run(hp, ho, 40)
    for a, b in zip(hp.params, fp.params):
        np.testing.assert_array_equal(np_of(a), np_of(b))
    # torch's own state_dict (tensors converted) resumes a flashlight optimizer where torch left off.
    run(tp, to, 30)
    kp = Problem("fl", F64, tp.sign)
    for dst, src in zip(kp.params, tp.params):
        dst.data = fl.tensor(src.detach().numpy())
    ko = getattr(fl.optim, name)(kp.params, **kwargs)
    ko.load_state_dict(to_fl(to.state_dict()))
    for _ in range(40):
        step_both(kp, ko, tp, to, same_grads=request.node.callspec.id in CHAOTIC)
    assert_params(kp, tp, **TOL["f64"])


def test_load_state_dict_errors_as_torch():
    fp, fo, tp, to = make_pair("SGD", dict(lr=0.1), groups=[dict(params=[0]), dict(params=[1])])
    sd = fo.state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        make_pair("SGD", dict(lr=0.1))[1].load_state_dict(sd)
    bad = {"state": {}, "param_groups": [dict(sd["param_groups"][0], params=[0, 1]), sd["param_groups"][1]]}
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        fo.load_state_dict(bad)


def test_state_property():
    fp, fo, tp, to = make_pair("Adam", dict(lr=0.1))
    run(fp, fo, 2)
    run(tp, to, 2)
    st = fo.state[fp.params[0]]
    assert list(st) == list(to.state[tp.params[0]])
    np.testing.assert_allclose(np_of(st["exp_avg"]), np_of(to.state[tp.params[0]]["exp_avg"]), rtol=1e-12)


def momentum_optimizer(mod):
    """The same Python-defined optimizer on torch.optim.Optimizer and on fl.optim.Optimizer."""

    class Momentum(mod.optim.Optimizer):
        def __init__(self, params, lr=0.1, beta=0.9):
            super().__init__(params, dict(lr=lr, beta=beta))

        def step(self, closure=None):
            with mod.no_grad():
                for g in self.param_groups:
                    for p in g["params"]:
                        if p.grad is None:
                            continue
                        st = self.state[p]
                        if "buf" not in st:
                            st["buf"] = mod.zeros_like(p)
                            st["count"] = 0
                        st["buf"].mul_(g["beta"]).add_(p.grad)
                        st["count"] += 1
                        p.add_(st["buf"], alpha=-g["lr"])

    return Momentum


def test_optimizer_subclass_written_in_python():
    fp, tp = Problem("fl", F64), Problem("torch", F64)
    fo = momentum_optimizer(fl)([{"params": [fp.params[0]]}, {"params": [fp.params[1]], "beta": 0.5}], lr=0.05)
    to = momentum_optimizer(torch)([{"params": [tp.params[0]]}, {"params": [tp.params[1]], "beta": 0.5}], lr=0.05)
    for _ in range(30):
        step_both(fp, fo, tp, to)
        assert_params(fp, tp, **TOL["f64"])
    assert_same_tree(fo.state_dict(), to.state_dict())
    assert fo.state[fp.params[0]]["count"] == 30
    # Resume from the state_dict on a fresh instance (cloned: as torch's, a state_dict shares the state tensors).
    sd = fo.state_dict()
    sd["state"] = {k: {n: v.clone() if isinstance(v, fl.Tensor) else v for n, v in st.items()}
                   for k, st in sd["state"].items()}
    gp = Problem("fl", F64)
    for dst, src in zip(gp.params, fp.params):
        dst.data = src.detach().clone()
    go = momentum_optimizer(fl)([{"params": [gp.params[0]]}, {"params": [gp.params[1]], "beta": 0.5}], lr=0.05)
    go.load_state_dict(sd)
    for _ in range(5):
        step_both(fp, fo, tp, to)
        run(gp, go, 1)
    for a, b in zip(gp.params, fp.params):
        np.testing.assert_array_equal(np_of(a), np_of(b))
    with pytest.raises(NotImplementedError):
        fl.optim.Optimizer([fl.zeros(1, requires_grad=True)], {"lr": 0.1}).step()


# --- LBFGS -----------------------------------------------------------------------------------------------------------
class Rosenbrock:
    """Rosenbrock in 4 variables split across two parameters, written once for both libraries."""

    def __init__(self, lib, dt):
        mod = fl if lib == "fl" else torch
        self.params = [mod.tensor(np.array([-1.2, 1.0], dtype=dt["np"]), dtype=dt[lib], requires_grad=True),
                       mod.tensor(np.array([0.5, -0.3], dtype=dt["np"]), dtype=dt[lib], requires_grad=True)]

    def loss(self):
        a, b = self.params
        x0, x1, x2, x3 = a[0], a[1], b[0], b[1]
        f = (1 - x0) ** 2 + 100 * (x1 - x0 ** 2) ** 2
        f = f + (1 - x1) ** 2 + 100 * (x2 - x1 ** 2) ** 2
        return f + (1 - x2) ** 2 + 100 * (x3 - x2 ** 2) ** 2


LBFGS_CASES = [dict(), dict(line_search_fn="strong_wolfe"), dict(history_size=3, max_iter=7),
               dict(line_search_fn="strong_wolfe", history_size=2, max_iter=10, lr=0.5)]


@pytest.mark.parametrize("kwargs", LBFGS_CASES, ids=[str(k) for k in LBFGS_CASES])
def test_lbfgs_matches_torch(kwargs):
    dt = F64
    fr, tr = Rosenbrock("fl", dt), Rosenbrock("torch", dt)
    fo, to = fl.optim.LBFGS(fr.params, **kwargs), torch.optim.LBFGS(tr.params, **kwargs)
    for step in range(8):
        losses = []
        for r, o in ((fr, fo), (tr, to)):
            def closure(r=r, o=o):
                o.zero_grad()
                loss = r.loss()
                loss.backward()
                return loss
            losses.append(float(o.step(closure).detach()))
        assert losses[0] == pytest.approx(losses[1], rel=1e-9, abs=1e-12), step
        for a, b in zip(fr.params, tr.params):
            np.testing.assert_allclose(np_of(a), np_of(b), rtol=1e-9, atol=1e-11)
    fs, ts = fo.state_dict(), to.state_dict()
    assert list(fs["state"][0]) == list(ts["state"][0])
    assert_same_tree(fs, ts, rtol=1e-8)
    assert float(fr.loss()) < 0.1 * float(Rosenbrock("fl", dt).loss())


def test_lbfgs_float32_close_to_torch():
    fr, tr = Rosenbrock("fl", F32), Rosenbrock("torch", F32)
    fo = fl.optim.LBFGS(fr.params, line_search_fn="strong_wolfe")
    to = torch.optim.LBFGS(tr.params, line_search_fn="strong_wolfe")
    for r, o in ((fr, fo), (tr, to)):
        def closure(r=r, o=o):
            o.zero_grad()
            loss = r.loss()
            loss.backward()
            return loss
        o.step(closure)
    for a, b in zip(fr.params, tr.params):
        assert a.dtype == fl.float32
        np.testing.assert_allclose(np_of(a), np_of(b), rtol=1e-3, atol=1e-4)


def test_lbfgs_returns_the_closures_loss_and_needs_one():
    r = Rosenbrock("fl", F64)
    o = fl.optim.LBFGS(r.params, max_iter=2)
    seen = []

    def closure():
        o.zero_grad()
        loss = r.loss()
        loss.backward()
        seen.append(loss)
        return loss
    assert o.step(closure) is seen[0]
    with pytest.raises(TypeError):
        o.step()
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        fl.optim.LBFGS([dict(params=[r.params[0]]), dict(params=[r.params[1]])])


# --- MLX style ------------------------------------------------------------------------------------------------------
def test_mlx_style_update_matches_torch():
    fp, _, tp, to = make_pair("Adam", dict(lr=0.02))
    opt = fl.optim.Adam(learning_rate=0.02)
    assert opt.param_groups == [] and opt.learning_rate == 0.02
    tree = {"layer": {"weight": fp.params[0], "bias": fp.params[1]}}
    for step in range(20):
        loss = fp.loss()
        gw, gb = fl.autograd.grad(loss, fp.params)
        opt.update(tree, {"layer": {"weight": gw, "bias": gb}})
        run(tp, to, 1)
        assert_params(fp, tp, **TOL["f64"])
        if step == 9:
            opt.learning_rate = 0.01
            to.param_groups[0]["lr"] = 0.01
    assert fp.params[0].grad is None  # update() uses the given gradients, not .grad
    assert len(opt.param_groups) == 1 and opt.param_groups[0]["lr"] == 0.01


def test_mlx_style_module_hook_and_positional_learning_rate():
    fp, _, tp, to = make_pair("SGD", dict(lr=0.05, momentum=0.9))

    class Model:  # what fl.nn.Module provides
        def trainable_parameters(self):
            return {"w": fp.params[0], "b": [fp.params[1]]}

    model = Model()
    opt = fl.optim.SGD(0.05, momentum=0.9)
    assert opt.defaults["lr"] == 0.05
    for _ in range(10):
        gw, gb = fl.autograd.grad(fp.loss(), fp.params)
        returned = opt.apply_gradients({"w": gw, "b": [gb]}, model)
        assert returned is model
        run(tp, to, 1)
    assert_params(fp, tp, **TOL["f64"])
    with pytest.raises(TypeError, match="trainable_parameters"):
        opt.update(object(), {})


# --- errors ---------------------------------------------------------------------------------------------------------
ERRORS = [
    ("SGD", dict(lr=-0.1)), ("SGD", dict(lr=-1)), ("SGD", dict(momentum=-0.5)), ("SGD", dict(weight_decay=-1.0)),
    ("SGD", dict(nesterov=True)), ("SGD", dict(momentum=0.9, dampening=0.1, nesterov=True)),
    ("Adam", dict(lr=-1e-3)), ("Adam", dict(eps=-1.0)), ("Adam", dict(betas=(1.0, 0.9))),
    ("Adam", dict(betas=(0.9, -0.1))), ("Adam", dict(weight_decay=-0.5)), ("AdamW", dict(lr=-2.0)),
    ("RMSprop", dict(alpha=-0.5)), ("RMSprop", dict(momentum=-1.0)), ("Adagrad", dict(lr_decay=-1.0)),
    ("Adagrad", dict(initial_accumulator_value=-1.0)), ("Adadelta", dict(rho=1.5)), ("Adamax", dict(eps=-1e-8)),
    ("NAdam", dict(momentum_decay=-0.1)), ("RAdam", dict(betas=(0.9, 1.0))), ("LBFGS", dict(lr=-1.0)),
]


@pytest.mark.parametrize("name,kwargs", ERRORS, ids=[f"{n}-{k}" for n, k in ERRORS])
def test_errors_match_torch(name, kwargs):
    with pytest.raises(ValueError) as expected:
        getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError) as got:
        getattr(fl.optim, name)([fl.zeros(1, requires_grad=True)], **kwargs)
    assert str(got.value) == str(expected.value)


def test_param_errors_match_torch():
    cases = [
        lambda m: m.optim.SGD([], lr=0.1),
        lambda m: m.optim.SGD(m.zeros(2, requires_grad=True), lr=0.1),
        lambda m: m.optim.SGD([m.zeros(2, requires_grad=True) * 2], lr=0.1),
        lambda m: m.optim.SGD([1.0], lr=0.1),
        lambda m: m.optim.SGD([{"params": {m.zeros(2, requires_grad=True)}}], lr=0.1),
        lambda m: m.optim.SGD([{"params": [m.zeros(2, requires_grad=True)]}, {"params": [("w", m.zeros(1))]}]),
    ]
    for make in cases:
        with pytest.raises(Exception) as expected:
            make(torch)
        with pytest.raises(Exception) as got:
            make(fl)
        assert type(got.value) is type(expected.value)
        assert str(got.value).replace("flashlight.", "") == str(expected.value).replace("torch.", "")
    p = fl.zeros(2, requires_grad=True)
    opt = fl.optim.SGD([p], lr=0.1)
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        opt.add_param_group({"params": [p]})


def test_repr_matches_torch():
    fp, fo, tp, to = make_pair("Adam", dict(lr=0.02, betas=(0.8, 0.9)))
    assert repr(fo) == repr(to)
