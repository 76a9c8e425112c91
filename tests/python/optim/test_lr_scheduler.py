"""flashlight.optim.lr_scheduler against torch.optim.lr_scheduler: the learning rates (and cycled momentum) of every
group after every step for 50 steps, state_dict contents, and state_dict round trips."""
import copy
import math
import warnings

import pytest
import torch

import flashlight as fl

L_FL = fl.optim.lr_scheduler
L_TORCH = torch.optim.lr_scheduler


def optimizer(mod, kind="SGD"):
    a = mod.zeros(2, requires_grad=True)
    b = mod.zeros(3, requires_grad=True)
    groups = [{"params": [a]}, {"params": [b], "lr": 0.5}]
    if kind == "SGD":
        return mod.optim.SGD(groups, lr=0.1, momentum=0.9)
    return mod.optim.Adam(groups, lr=0.1)


class Scaled:
    """A callable object: its attributes go into state_dict (functions do not)."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, epoch):
        return self.rate ** epoch


# name -> (optimizer kind, factory(L, opt)); the same code builds the torch and the flashlight scheduler.
SCHEDULERS = {
    "StepLR": ("SGD", lambda L, o: L.StepLR(o, step_size=7, gamma=0.5)),
    "MultiStepLR": ("SGD", lambda L, o: L.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3)),
    "ExponentialLR": ("SGD", lambda L, o: L.ExponentialLR(o, gamma=0.93)),
    "CosineAnnealingLR": ("SGD", lambda L, o: L.CosineAnnealingLR(o, T_max=12, eta_min=0.01)),
    "CosineAnnealingWarmRestarts": ("SGD", lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2,
                                                                                      eta_min=0.001)),
    "OneCycleLR": ("SGD", lambda L, o: L.OneCycleLR(o, max_lr=[1.0, 2.0], total_steps=60)),
    "OneCycleLR-linear-3phase-adam": ("Adam", lambda L, o: L.OneCycleLR(o, max_lr=1.0, total_steps=55,
                                                                        anneal_strategy="linear", three_phase=True)),
    "LinearLR": ("SGD", lambda L, o: L.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=20)),
    "ConstantLR": ("SGD", lambda L, o: L.ConstantLR(o, factor=0.4, total_iters=9)),
    "PolynomialLR": ("SGD", lambda L, o: L.PolynomialLR(o, total_iters=30, power=1.7)),
    "LambdaLR": ("SGD", lambda L, o: L.LambdaLR(o, [lambda e: 1 / (1 + e), Scaled(0.95)])),
    "MultiplicativeLR": ("SGD", lambda L, o: L.MultiplicativeLR(o, lambda e: 0.97)),
    "CyclicLR": ("SGD", lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=[0.1, 0.3], step_size_up=4,
                                                step_size_down=7, mode="triangular2")),
    "CyclicLR-exp-adam": ("Adam", lambda L, o: L.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5,
                                                          mode="exp_range", gamma=0.97)),
    "SequentialLR": ("SGD", lambda L, o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.1, total_iters=5),
                                                            L.CosineAnnealingLR(o, T_max=20)], milestones=[5])),
    "ChainedScheduler": ("SGD", lambda L, o: L.ChainedScheduler([L.ConstantLR(o, factor=0.5, total_iters=4),
                                                                 L.ExponentialLR(o, gamma=0.9)])),
}


def momentum_of(group):
    return group["betas"][0] if "betas" in group else group["momentum"]


def assert_groups_equal(fo, to, step):
    for fg, tg in zip(fo.param_groups, to.param_groups):
        assert fg["lr"] == pytest.approx(tg["lr"], rel=1e-14, abs=1e-16), step
        assert momentum_of(fg) == pytest.approx(momentum_of(tg), rel=1e-14), step


def plain(obj):
    """A state_dict as comparable Python values (Counters as dicts)."""
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(plain(v) for v in obj)
    return obj


def assert_state_equal(fs, ts):
    assert list(fs) == list(ts)
    for k in ts:
        a, b = plain(fs[k]), plain(ts[k])
        if isinstance(b, float) and math.isfinite(b):
            assert a == pytest.approx(b, rel=1e-14), k
        elif isinstance(b, list) and b and isinstance(b[0], float):
            assert a == pytest.approx(b, rel=1e-14), k
        elif isinstance(b, list) and b and isinstance(b[0], dict) and "base_lrs" in b[0]:
            for x, y in zip(a, b):
                assert_state_equal(x, y)
        else:
            assert a == b, k


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        yield


def build(name):
    kind, make = SCHEDULERS[name]
    fo, to = optimizer(fl, kind), optimizer(torch, kind)
    return fo, make(L_FL, fo), to, make(L_TORCH, to)


@pytest.mark.parametrize("name", SCHEDULERS)
def test_schedule_matches_torch_step_by_step(name):
    fo, fs, to, ts = build(name)
    assert fs.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-14)
    steps = 54 if name.startswith("OneCycleLR-linear") else 50
    for step in range(steps):
        fo.step()
        to.step()
        fs.step()
        ts.step()
        assert fs.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-14, abs=1e-16), step
        assert_groups_equal(fo, to, step)
    assert_state_equal(fs.state_dict(), ts.state_dict())
    assert sorted(fo.param_groups[0]) == sorted(to.param_groups[0])


def test_cosine_annealing_recursive_form_tracks_outside_changes():
    fo, fs, to, ts = build("CosineAnnealingLR")
    for step in range(30):
        if step == 10:  # another party changes the lr; the recursive form carries the change
            fo.param_groups[0]["lr"] *= 0.5
            to.param_groups[0]["lr"] *= 0.5
        fs.step()
        ts.step()
        assert fs.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-14, abs=1e-16)


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
                                  "ConstantLR", "PolynomialLR", "CosineAnnealingWarmRestarts"])
def test_step_with_epoch_uses_the_closed_form(name):
    fo, fs, to, ts = build(name)
    for epoch in [3, 7, 8, 15, 2, 40, 11.5 if name == "CosineAnnealingWarmRestarts" else 11]:
        fs.step(epoch)
        ts.step(epoch)
        assert fs.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-14, abs=1e-16), epoch
        assert fs.last_epoch == ts.last_epoch


METRICS = [1.0, 0.9, 0.95, 0.97, 0.99, 0.9, 0.91, 0.8, 0.85, 0.86, 0.87, 0.88, 0.7, 0.75, 0.76, 0.77, 0.78, 0.79,
           0.8, 0.81, 0.6, 0.61, 0.62, 0.63, 0.64, 0.65, 0.5, 0.5, 0.5, 0.5] * 2


@pytest.mark.parametrize("kwargs", [dict(patience=2), dict(mode="max", factor=0.5, patience=1, cooldown=2),
                                    dict(threshold_mode="abs", threshold=0.05, patience=0, min_lr=[0.02, 0.2]),
                                    dict(patience=1, eps=0.2)])
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    fo, to = optimizer(fl), optimizer(torch)
    fs, ts = L_FL.ReduceLROnPlateau(fo, **kwargs), L_TORCH.ReduceLROnPlateau(to, **kwargs)
    for step, m in enumerate(METRICS):
        fs.step(fl.tensor(m, dtype=fl.float64) if step % 2 else m)  # a 0-d Tensor metric, or a number
        ts.step(torch.tensor(m, dtype=torch.float64) if step % 2 else m)
        assert fs.get_last_lr() == ts.get_last_lr(), step
        assert (fs.num_bad_epochs, fs.cooldown_counter, fs.best) == (ts.num_bad_epochs, ts.cooldown_counter, ts.best)
    assert fs.get_last_lr() != [0.1, 0.5]
    assert_state_equal(fs.state_dict(), ts.state_dict())


@pytest.mark.parametrize("name", [n for n in SCHEDULERS if n != "LambdaLR"] + ["LambdaLR"])
def test_state_dict_round_trip(name):
    fo, fs, _, _ = build(name)
    for _ in range(20):
        fo.step()
        fs.step()
    opt_state, sched_state = copy.deepcopy(fo.state_dict()), copy.deepcopy(fs.state_dict())
    expected = []
    for _ in range(25):
        fo.step()
        fs.step()
        expected.append(fs.get_last_lr())
    go, gs, _, _ = build(name)
    gs.load_state_dict(sched_state)
    go.load_state_dict(opt_state)
    for want in expected:
        go.step()
        gs.step()
        assert gs.get_last_lr() == want


def test_lambda_state_saves_callable_objects_only():
    fo, fs, to, ts = build("LambdaLR")
    assert fs.state_dict()["lr_lambdas"] == [None, {"rate": 0.95}] == ts.state_dict()["lr_lambdas"]


def test_initial_lr_and_errors_match_torch():
    for mod, L in ((fl, L_FL), (torch, L_TORCH)):
        o = optimizer(mod)
        L.StepLR(o, 3)
        assert [g["initial_lr"] for g in o.param_groups] == [0.1, 0.5]
    cases = [
        lambda L, o: L.LinearLR(o, start_factor=0),
        lambda L, o: L.ConstantLR(o, factor=2.0),
        lambda L, o: L.ReduceLROnPlateau(o, factor=1.5),
        lambda L, o: L.ReduceLROnPlateau(o, mode="avg"),
        lambda L, o: L.OneCycleLR(o, max_lr=1.0),
        lambda L, o: L.CosineAnnealingWarmRestarts(o, T_0=0),
        lambda L, o: L.SequentialLR(o, [L.StepLR(o, 2)], milestones=[3]),
        lambda L, o: L.StepLR("not an optimizer", 2),
    ]
    for make in cases:
        with pytest.raises(Exception) as expected:
            make(L_TORCH, optimizer(torch))
        with pytest.raises(Exception) as got:
            make(L_FL, optimizer(fl))
        assert type(got.value) is type(expected.value)
        assert str(got.value) == str(expected.value)


def test_warns_when_stepped_before_the_optimizer():
    o = optimizer(fl)
    s = L_FL.StepLR(o, 3)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            s.step()
