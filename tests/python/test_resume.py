"""End-to-end checkpoint/resume: training N steps, saving model/optimizer/scheduler state with fl.save, loading
it into fresh objects and training M more steps must give bitwise the same parameters as N+M uninterrupted steps.
"""
import numpy as np
import pytest

import flashlight as fl
import flashlight.nn as nn
from flashlight.ncps import CfC

N, M = 7, 6


def _batches(kind, steps):
    rng = np.random.default_rng(1234)
    out = []
    for _ in range(steps):
        if kind == "mlp":
            x = rng.standard_normal((16, 5)).astype(np.float32)
            y = (x @ np.arange(1, 6, dtype=np.float32)[:, None] * 0.3).astype(np.float32)
        else:  # sequences for the CfC: (batch, time, features)
            x = rng.standard_normal((4, 6, 3)).astype(np.float32)
            y = np.cumsum(x[..., :1], axis=1).astype(np.float32) * 0.5
        out.append((fl.from_numpy(x), fl.from_numpy(y)))
    return out


class _CfCHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = CfC(3, 8)
        self.fc = nn.Linear(8, 1)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.fc(y)


def _make(kind, opt_kind):
    fl.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 12), nn.ReLU(), nn.Linear(12, 1)) if kind == "mlp" else _CfCHead()
    if opt_kind == "adam":
        opt, sched = fl.optim.Adam(model.parameters(), lr=1e-2), None
    else:
        opt = fl.optim.SGD(model.parameters(), lr=5e-2, momentum=0.9, nesterov=True, weight_decay=1e-3)
        sched = fl.optim.lr_scheduler.StepLR(opt, step_size=3, gamma=0.5)
    return model, opt, sched


def _train(model, opt, sched, batches):
    for x, y in batches:
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()
        if sched is not None:
            sched.step()


def _params(model):
    return {k: np.array(v.detach()) for k, v in model.state_dict().items()}


@pytest.mark.parametrize("kind", ["mlp", "cfc"])
@pytest.mark.parametrize("opt_kind", ["adam", "sgd_steplr"])
def test_resume_is_bitwise_identical(tmp_path, kind, opt_kind):
    batches = _batches(kind, N + M)

    ref_model, ref_opt, ref_sched = _make(kind, opt_kind)
    _train(ref_model, ref_opt, ref_sched, batches)

    model, opt, sched = _make(kind, opt_kind)
    _train(model, opt, sched, batches[:N])
    fl.save(model.state_dict(), tmp_path / "model.pt")
    fl.save(opt.state_dict(), tmp_path / "opt.pt")
    if sched is not None:
        fl.save(sched.state_dict(), tmp_path / "sched.pt")
    del model, opt, sched

    # Fresh objects with a different initialisation, so nothing survives but what was loaded.
    model, opt, sched = _make(kind, opt_kind)
    for p in model.parameters():
        with fl.no_grad():
            p.uniform_(-1, 1)
    model.load_state_dict(fl.load(tmp_path / "model.pt"))
    opt.load_state_dict(fl.load(tmp_path / "opt.pt"))
    if sched is not None:
        sched.load_state_dict(fl.load(tmp_path / "sched.pt"))
        assert opt.param_groups[0]["lr"] == pytest.approx(5e-2 * 0.5 ** (N // 3))
    _train(model, opt, sched, batches[N:])

    got, want = _params(model), _params(ref_model)
    assert got.keys() == want.keys()
    for k in want:
        assert np.array_equal(got[k], want[k]), k
    # The runs really moved the parameters (a resume that changed nothing would not be tested).
    init, _, _ = _make(kind, opt_kind)
    assert any(not np.array_equal(v, want[k]) for k, v in _params(init).items())
