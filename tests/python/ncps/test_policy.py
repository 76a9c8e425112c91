"""flashlight.ncps's raw-buffer controllers (model.policy(): flashlight._C._ncps.Policy over numpy arrays) and the
layers' step() through them: every step of a sequence against forward() over it (CfC modes, wired, mixed memory,
projection, stacks; LTC mappings, backbones, mixed memory) in float64 (1e-11) and float32, the state layout, in-place
updates without copies, refresh after parameter updates and replacements, fused fallbacks, and errors."""
import copy

import numpy as np
import pytest

import flashlight as fl
from flashlight import nn
from flashlight.ncps import CfC, CfCCell, LTC, LTCCell
from flashlight.ncps.wirings import NCP, AutoNCP, FullyConnected
from flashlight.nn.parameter import Parameter

MODELS = {
    "cfc_default_2_backbone_layers": lambda: CfC(3, 6, backbone_units=8, backbone_layers=2),
    "cfc_pure": lambda: CfC(3, 6, mode="pure", backbone_units=8),
    "cfc_no_gate_silu_proj": lambda: CfC(3, 6, mode="no_gate", activation="silu", backbone_units=8, proj_size=2),
    "cfc_mixed_time_major": lambda: CfC(3, 6, mixed_memory=True, batch_first=False, backbone_units=8),
    "cfc_wired_ncp_mixed_pure": lambda: CfC(3, NCP(6, 4, 2, 2, 2, 2, 2, seed=3), mixed_memory=True, mode="pure"),
    "cfc_wired_proj_last_only": lambda: CfC(3, AutoNCP(10, 2, seed=1), proj_size=1, return_sequences=False),
    "cfc_cell_over_wiring": lambda: CfC(cell=CfCCell(wiring=FullyConnected(6, 2), activation="tanh"),
                                        return_state=True),
    "cfc_stacked_mixed_proj": lambda: CfC(cell=CfCCell(3, 5, backbone_units=[8, 8]), num_layers=2,
                                          mixed_memory=True, proj_size=3, return_state=True),
    "ltc_affine": lambda: LTC(3, 5),
    "ltc_linear_none_cell_constraints": lambda: LTC(3, AutoNCP(10, 3, seed=4), input_mapping="linear",
                                                    output_mapping=None, implicit_param_constraints=False,
                                                    ode_unfolds=3),
    "ltc_mixed_proj": lambda: LTC(3, AutoNCP(10, 3, seed=5), mixed_memory=True, input_mapping=None,
                                  output_mapping="linear", proj_size=2),
    "ltc_backbone_stacked": lambda: LTC(cell=LTCCell(AutoNCP(10, 3, seed=6), 3, activation="silu",
                                                     backbone_units=[6, 5]), num_layers=2, mixed_memory=True,
                                        return_state=True),
}


def rel_error(got, want):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    assert got.shape == want.shape, f"shape {got.shape} != {want.shape}"
    scale = np.maximum(np.abs(want), np.abs(want).max(initial=0.0) * 1e-3)
    return (np.abs(got - want) / np.maximum(scale, 1e-300)).max(initial=0.0)


def sequence(model, dtype, B=2, L=5):
    """x (B, L, 3), elapsed times (B, L), forward's outputs (B, L, O) or (B, O) batch first, its final states."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((B, L, 3)).astype(dtype)
    ts = rng.uniform(0.2, 1.2, (B, L)).astype(dtype)
    xt, tst = (x, ts) if model.batch_first else (x.transpose(1, 0, 2), ts.T)
    with fl.no_grad():
        result = model(fl.tensor(np.ascontiguousarray(xt)), None, fl.tensor(np.ascontiguousarray(tst)))
    y, state = result if isinstance(result, tuple) else (result, None)
    y = y.numpy()
    if not model.batch_first and model.return_sequences:
        y = y.transpose(1, 0, 2)
    states = state if isinstance(state, list) else [state]
    return x, ts, y, [s if isinstance(s, tuple) else (s, None) for s in states]


def expect_policy_matches(model, dtype, tol):
    x, ts, y, states = sequence(model, dtype)  # builds lazy cells
    policy = model.policy()
    assert policy.dtype == (fl.float64 if dtype == np.float64 else fl.float32)
    B, L, _ = x.shape
    assert policy.input_size == 3 and policy.output_size == y.shape[-1]
    # Row by row (1-D buffers), then the whole batch at once ((B, n) buffers).
    rows = np.zeros((B, policy.state_size), dtype)
    for b in range(B):
        state, out = rows[b], np.zeros(policy.output_size, dtype)
        for t in range(L):
            policy.step(x[b, t], state, float(ts[b, t]), out)
            if model.return_sequences:
                assert rel_error(out, y[b, t]) <= tol, f"sample {b} step {t}"
        if not model.return_sequences:
            assert rel_error(out, y[b]) <= tol
    batch, outs = np.zeros((B, policy.state_size), dtype), np.zeros((B, policy.output_size), dtype)
    for t in range(L):
        policy.step(np.ascontiguousarray(x[:, t]), batch, float(ts[0, t]), outs)
    assert rel_error(batch[0], rows[0]) <= tol
    layout = policy.state_layout
    assert len(layout) == len(states)
    for (h_at, c_at, n), (h, c) in zip(layout, states):
        assert rel_error(rows[:, h_at:h_at + n], h.numpy()) <= tol
        if c is not None:
            assert rel_error(rows[:, c_at:c_at + n], c.numpy()) <= tol
        else:
            assert c_at is None


@pytest.mark.parametrize("name", MODELS)
def test_policy_steps_equal_forward(name):
    fl.manual_seed(0)
    expect_policy_matches(MODELS[name]().double(), np.float64, 1e-11)


@pytest.mark.parametrize("name", ["cfc_no_gate_silu_proj", "cfc_wired_ncp_mixed_pure", "ltc_backbone_stacked"])
def test_float32_policy_steps_equal_forward(name):
    fl.manual_seed(0)
    expect_policy_matches(MODELS[name](), np.float32, 2e-4)


def test_state_layout_and_buffers_updated_in_place():
    model = CfC(cell=CfCCell(3, wiring=AutoNCP(10, 2, seed=1)), num_layers=2, mixed_memory=True, proj_size=4)
    p = model.policy()
    assert (p.name, p.num_units, p.mixed_memory, p.input_size, p.output_size, p.state_size) == \
        ("CfC", 2, True, 3, 4, 40)
    assert p.state_layout == [(0, 10, 10), (20, 30, 10)]
    p = LTC(3, AutoNCP(8, 2, seed=2)).policy()
    assert p.state_layout == [(0, None, 8)] and not p.mixed_memory
    state, out = np.zeros(8, np.float32), np.zeros(2, np.float32)
    ids = id(state), state.ctypes.data
    p.step(np.ones(3, np.float32), state, 0.5, out)
    assert (id(state), state.ctypes.data) == ids and np.abs(state).max() > 0 and np.abs(out).max() > 0
    before = state.copy()
    p.step(np.ones(3, np.float32), state, 0.5)  # out=None: only the state advances
    assert np.abs(state - before).max() > 0
    p.step(np.zeros((0, 3), np.float32), np.zeros((0, 8), np.float32), 0.5, np.zeros((0, 2), np.float32))
    out, h = LTC(3, AutoNCP(8, 2, seed=2)).step(fl.zeros(0, 3))  # an empty batch
    assert out.shape == (0, 2) and h.shape == (0, 8)


def test_model_step_states():
    model = CfC(3, NCP(6, 4, 2, 2, 2, 2, 2, seed=3), mixed_memory=True).double()
    x = fl.randn(3, dtype=fl.float64)
    out, (h, c) = model.step(x, None, 0.5)
    assert out.shape == (2,) and h.shape == (12,) and c.shape == (12,) and not out.requires_grad
    with fl.no_grad():
        y, (h_ref, c_ref) = model(x.reshape(1, 3), None, fl.full((1,), 0.5, dtype=fl.float64))
    assert rel_error(out.numpy(), y[0].numpy()) <= 1e-12 and rel_error(c.numpy(), c_ref.numpy()) <= 1e-12
    # An (h, None) state means zeros for c; a list of one state is the state.
    a, _ = model.step(x, (h, None), 0.5)
    b, _ = model.step(x, [(h, fl.zeros(12, dtype=fl.float64))], fl.tensor(0.5, dtype=fl.float64))
    assert np.array_equal(a.numpy(), b.numpy())
    stacked = CfC(cell=CfCCell(3, 4), num_layers=2, return_state=True)
    out, states = stacked.step(fl.randn(2, 3))
    assert isinstance(states, list) and [s.shape for s in states] == [(2, 4), (2, 4)]
    out2, states2 = stacked.step(fl.randn(2, 3), states, 0.3)
    assert out2.shape == (2, 4) and len(states2) == 2


def test_refresh_after_parameter_updates():
    fl.manual_seed(1)
    model = CfC(3, 6, backbone_units=8, proj_size=2).double()
    x = fl.randn(1, 3, dtype=fl.float64)

    def check():
        out, _ = model.step(x, None, 0.4)
        with fl.no_grad():
            y, _ = model(x.unsqueeze(1), None, fl.full((1, 1), 0.4, dtype=fl.float64))
        assert rel_error(out.numpy(), y[:, 0].numpy()) <= 1e-12
        return out.numpy()

    snapshot = model.policy()
    first = check()
    with fl.no_grad():
        model.rnn_cell.ff1.weight.mul_(1.5)  # in place: an optimizer step
    assert not snapshot.is_current()
    second = check()
    assert rel_error(second, first) > 1e-6
    model.rnn_cell.ff2.weight = Parameter(fl.randn(6, 8, dtype=fl.float64))  # a replaced parameter
    check()
    model.fc = nn.Linear(6, 2).double()  # a replaced submodule
    check()
    model.load_state_dict({k: v * 0.5 for k, v in model.state_dict().items()})
    check()
    model.float()
    out, _ = model.step(x.float(), None, 0.4)
    assert out.dtype == fl.float32
    copy.deepcopy(model)  # the cached policy does not travel


def test_fused_fallbacks():
    # Backbone dropout in training: step() is a one-step forward (the same draws for the same seed).
    model = CfC(3, 4, backbone_units=16, backbone_layers=3, backbone_dropout=0.5).double()
    x = fl.randn(2, 3, dtype=fl.float64)
    fl.manual_seed(9)
    out, _ = model.step(x, None, 0.7)
    fl.manual_seed(9)
    with fl.no_grad():
        y, _ = model(x.unsqueeze(1), None, fl.full((2, 1), 0.7, dtype=fl.float64))
    assert rel_error(out.numpy(), y[:, 0].numpy()) <= 1e-12
    model.eval()
    plain, _ = model.step(x, None, 0.7)
    assert rel_error(plain.numpy(), out.numpy()) > 1e-6
    # fc hooks run, as the layer's forward runs them.
    model = CfC(3, 4, proj_size=2).double()
    seen = []
    handle = model.fc.register_forward_hook(lambda m, args, result: seen.append(result.shape))
    model.step(x, None, 0.7)
    assert seen == [(2, 2)]
    handle.remove()
    model.step(x, None, 0.7)
    assert seen == [(2, 2)]


def test_errors():
    p = CfC(3, 4).policy()
    state, out = np.zeros(4, np.float32), np.zeros(4, np.float32)
    with pytest.raises(TypeError, match="expected x to be a float32 array"):
        p.step(np.zeros(3), state, 1.0, out)
    with pytest.raises(TypeError, match="expected state to be a float32 array"):
        p.step(np.zeros(3, np.float32), np.zeros(4), 1.0, out)
    with pytest.raises(RuntimeError, match=r"expected state of shape \(4,\), got \(5,\)"):
        p.step(np.zeros(3, np.float32), np.zeros(5, np.float32), 1.0, out)
    with pytest.raises(RuntimeError, match=r"expected out of shape \(2, 4\), got \(4,\)"):
        p.step(np.zeros((2, 3), np.float32), np.zeros((2, 4), np.float32), 1.0, out)
    with pytest.raises(RuntimeError, match=r"expected x of shape \(3,\), got \(4,\)"):
        p.step(np.zeros(4, np.float32), state, 1.0, out)
    with pytest.raises(ValueError, match="state must be C-contiguous"):
        p.step(np.zeros((2, 3), np.float32), np.zeros((4, 2), np.float32).T, 1.0, None)
    readonly = np.zeros(4, np.float32)
    readonly.flags.writeable = False
    with pytest.raises(TypeError, match="state is read-only"):
        p.step(np.zeros(3, np.float32), readonly, 1.0, out)
    p.step(readonly[:3], state, 1.0, out)  # x is only read
    with pytest.raises(TypeError, match="expected x to be a numpy array, got list"):
        p.step([0.0, 0.0, 0.0], state, 1.0, out)
    with pytest.raises(TypeError, match="expected out to be a float32 array"):
        p.step(np.zeros(3, np.float32), state, 1.0, np.zeros(4, np.float32).astype(">f4"))
    with pytest.raises(ValueError, match="x must be C-contiguous"):
        p.step(np.zeros(6, np.float32)[::2], state, 1.0, out)
    with pytest.raises(ValueError, match="bidirectional"):
        CfC(cell=CfCCell(3, 4), bidirectional=True).policy()
    with pytest.raises(ValueError, match="cells are not built yet"):
        CfC(cell=CfCCell(hidden_size=4)).policy()
    model = CfC(3, 4)
    model.fc = nn.Tanh()
    with pytest.raises(ValueError, match="fc must be Identity or Linear, got Tanh"):
        model.policy()
    x = fl.randn(3)
    out, _ = model.step(x)  # the fused path applies the custom fc
    assert np.abs(out.numpy()).max() < 1
    mixed = CfC(3, 4, mixed_memory=True)
    with pytest.raises(RuntimeError, match=r"requires a tuple \(h0,c0\)"):
        mixed.step(x, fl.zeros(4))
    with pytest.raises(RuntimeError, match="For unbatched 1-D input, hx and cx should also be 1-D"):
        mixed.step(x, (fl.zeros(1, 4), fl.zeros(1, 4)))
    with pytest.raises(RuntimeError, match=r"expected the state of unit 0 to have shape \[4\], got \[5\]"):
        CfC(3, 4).step(x, fl.zeros(5))
    with pytest.raises(RuntimeError, match="expected 3 input features"):
        CfC(3, 4).step(fl.zeros(2, 5))
    with pytest.raises(TypeError, match="expected the state to be a Tensor"):
        CfC(3, 4).step(x, (fl.zeros(4), fl.zeros(4)))
    with pytest.raises(ValueError, match="expected a list of 2 initial states"):
        CfC(cell=CfCCell(3, 4), num_layers=2).step(x, fl.zeros(4))
