"""flashlight.ncps's CfC and LTC modules against the real ncps (golden data: every model of index.json built from its
constructor string, weights loaded with load_state_dict; outputs, final states and the gradients of every parameter
and of the input to 1e-10 in float64), in both API styles, and the meaning of every MLX-style option, checked
against compositions of the ncps-style modules."""
import copy
import math
import pathlib
import re
import sys

import numpy as np
import pytest

import flashlight as fl
from flashlight.ncps import CfC, CfCCell, LSTMCell, LTC, LTCCell, WiredCfCCell
from flashlight.ncps.wirings import NCP, AutoNCP, FullyConnected, Random, Wiring

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from golden import GOLDEN_NCPS, ncps_index, read_safetensors  # noqa: E402

MODELS = ncps_index()["models"]
NAMES = {"CfC": CfC, "LTC": LTC, "AutoNCP": AutoNCP, "NCP": NCP}


def close(got, want, what="", rtol=1e-10):
    """Relative error <= rtol, entries near zero measured against the largest magnitude."""
    got = got.detach().numpy() if isinstance(got, fl.Tensor) else np.asarray(got)
    want = want.detach().numpy() if isinstance(want, fl.Tensor) else np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    scale = np.maximum(np.abs(want), np.abs(want).max(initial=0.0) * 1e-3)
    err = (np.abs(got - want) / np.maximum(scale, 1e-300)).max(initial=0.0)
    assert err <= rtol, f"{what}: max relative error {err:.3e}"


def ncps_style(constructor):
    return eval(constructor, {"__builtins__": {}}, dict(NAMES))  # test data only


def mlx_style(constructor):
    """The same model through the cell= API: the constructor's arguments captured, then the cell built by hand."""
    def capture(kind):
        return lambda *a, **k: (kind, a, k)
    kind, args, kw = eval(constructor, {"__builtins__": {}}, {"CfC": capture("CfC"), "LTC": capture("LTC"),
                                                              "AutoNCP": AutoNCP, "NCP": NCP})
    input_size, units = args
    layer = {k: kw.pop(k) for k in ("return_sequences", "batch_first", "mixed_memory", "proj_size") if k in kw}
    if kind == "CfC":
        if isinstance(units, Wiring):
            cell = WiredCfCCell(input_size, units, kw.pop("mode", "default"))
        else:
            cell = CfCCell(input_size, units, kw.pop("mode", "default"), kw.pop("activation", "lecun_tanh"),
                           backbone_units=kw.pop("backbone_units", 128), backbone_layers=kw.pop("backbone_layers", 1))
        assert not kw
        return CfC(cell=cell, return_state=True, **layer)
    wiring = units if isinstance(units, Wiring) else FullyConnected(units)
    kw.setdefault("implicit_param_constraints", True)  # the LTC layer's default
    return LTC(cell=LTCCell(wiring, input_size, **kw), return_state=True, **layer)


def load_golden(model_info, style):
    data = read_safetensors(GOLDEN_NCPS / model_info["file"])
    model = (ncps_style if style == "ncps" else mlx_style)(model_info["constructor"]).double()
    params = {k[len("param."):]: fl.tensor(v) for k, v in data.items() if k.startswith("param.")}
    model.load_state_dict(params)
    return data, model


def run_golden(data, model, style):
    x = fl.tensor(data["input.x"], requires_grad=True)
    h0 = fl.tensor(data["input.h0"]) if "input.h0" in data else None
    if "input.c0" in data:
        h0 = (h0, fl.tensor(data["input.c0"]))
    ts = fl.tensor(data["input.timespans"]) if "input.timespans" in data else None
    if style == "ncps":
        y, state = model(x, h0, ts)
    else:
        y, state = model(x, initial_state=h0, time_delta=ts)
    return x, y, list(state) if isinstance(state, tuple) else [state]


@pytest.mark.parametrize("style", ["ncps", "mlx"])
@pytest.mark.parametrize("info", MODELS, ids=lambda m: m["file"][:-len(".safetensors")])
def test_golden(info, style):
    data, model = load_golden(info, style)
    names = sorted(k[len("param."):] for k in data if k.startswith("param."))
    assert sorted(model.state_dict().keys()) == names
    x, y, states = run_golden(data, model, style)
    close(y, data["output.y"], "y")
    loss = (y * fl.tensor(data["loss_weight.y"])).sum()
    for i, s in enumerate(states):
        close(s, data[f"output.h{i}"], f"h{i}")
        loss = loss + (s * fl.tensor(data[f"loss_weight.h{i}"])).sum()
    params = dict(model.named_parameters())
    trainable = [n for n in names if params[n].requires_grad]
    assert sorted(k[len("grad."):] for k in data if k.startswith("grad.") and k != "grad.input.x") == trainable
    grads = fl.autograd.grad(loss, [x] + [params[n] for n in trainable])
    close(grads[0], data["grad.input.x"], "d x")
    for n, g in zip(trainable, grads[1:]):
        close(g, data["grad." + n], "d " + n)


def test_golden_index_has_every_model():
    assert len(MODELS) == 18 and all((GOLDEN_NCPS / m["file"]).exists() for m in MODELS)


# --- batched timespans (ncps's squeeze bug fixed) -------------------------------------------------------------
PER_SAMPLE_MODELS = ["CfC(4, 6, backbone_units=8, backbone_layers=1)",
                     "CfC(4, 6, batch_first=False, backbone_units=8, backbone_layers=1)",
                     "CfC(4, 10, mixed_memory=True, mode='no_gate', backbone_units=8, backbone_layers=2)",
                     "CfC(5, NCP(6, 4, 2, 2, 2, 2, 2, seed=3), mixed_memory=True, mode='pure')",
                     "LTC(4, 8)",
                     "LTC(3, AutoNCP(12, 2, seed=5), mixed_memory=True, batch_first=False)"]


def seq_input(model, B, L, features, rng):
    shape = (B, L, features) if model.batch_first else (L, B, features)
    return fl.tensor(rng.standard_normal(shape))


@pytest.mark.parametrize("trailing_one", [False, True])
@pytest.mark.parametrize("ctor", PER_SAMPLE_MODELS)
def test_batched_timespans_match_a_per_sample_loop(ctor, trailing_one):
    # ncps squeezes each step's (B, 1) elapsed times to (B) and broadcasts them against the units: wrong or an
    # error for any batch but 1. Here each sample keeps its own times: the batch equals a loop over the samples.
    fl.manual_seed(0)
    model = ncps_style(ctor).double()
    rng = np.random.default_rng(1)
    B, L = 3, 5
    x = seq_input(model, B, L, model.input_size, rng)
    ts_np = rng.uniform(0.2, 2.0, (B, L) if model.batch_first else (L, B))
    ts = fl.tensor(ts_np[..., None] if trailing_one else ts_np)
    y, state = model(x, None, ts)
    bd = 0 if model.batch_first else 1
    for b in range(B):
        xb, tsb = x.narrow(bd, b, 1), ts.narrow(bd, b, 1)
        yb, sb = model(xb, None, tsb)
        close(yb, y.narrow(bd, b, 1), f"sample {b}", 1e-12)
        for s_all, s_b in zip(state if isinstance(state, tuple) else [state], sb if isinstance(sb, tuple) else [sb]):
            close(s_b, s_all.narrow(0, b, 1), f"state of sample {b}", 1e-12)
        yu, _ = model(x.select(bd, b), None, ts.select(bd, b))  # unbatched: (L, F) with (L) or (L, 1) times
        close(yu, y.select(bd, b), f"unbatched sample {b}", 1e-12)


def test_timespans_gradient_flows_per_sample():
    model = CfC(3, 5, backbone_units=8).double()
    x = fl.randn(2, 4, 3, dtype=fl.float64)
    ts = fl.full((2, 4), 0.7, dtype=fl.float64, requires_grad=True)
    y, _ = model(x, None, ts)
    (g,) = fl.autograd.grad(y[0].sum(), [ts])
    assert np.abs(g[0].numpy()).max() > 0 and np.abs(g[1].numpy()).max() == 0  # sample 1 does not depend on ts[0]


# --- ncps's errors --------------------------------------------------------------------------------------------
def test_errors():
    x = fl.randn(2, 5, 4)
    with pytest.raises(ValueError, match="Cannot use backbone_units in wired mode"):
        CfC(4, AutoNCP(16, 4), backbone_units=8)
    with pytest.raises(ValueError, match="Cannot use backbone_dropout in wired mode"):
        CfC(4, AutoNCP(16, 4), backbone_dropout=0.1)
    modes = "Unknown mode 'fast', valid options are ['default', 'pure', 'no_gate']"
    with pytest.raises(ValueError, match=re.escape(modes)):
        CfC(4, 8, mode="fast")
    with pytest.raises(ValueError, match="Unknown activation swish"):
        CfC(4, 8, activation="swish")
    mixed = CfC(4, 8, mixed_memory=True)
    with pytest.raises(RuntimeError, match=re.escape("requires a tuple (h0,c0) to be passed as state")):
        mixed(x, fl.zeros(2, 8))
    model = CfC(4, 8)
    batched = "For batched 2-D input, hx and cx should also be 2-D but got (1-D) tensor"
    with pytest.raises(RuntimeError, match=re.escape(batched)):
        model(x, fl.zeros(8))
    unbatched = "For unbatched 1-D input, hx and cx should also be 1-D but got (2-D) tensor"
    with pytest.raises(RuntimeError, match=re.escape(unbatched)):
        model(x[0], fl.zeros(1, 8))
    with pytest.raises(RuntimeError, match=re.escape("mat1 and mat2 shapes cannot be multiplied (2x13 and 12x128)")):
        model(fl.randn(2, 5, 5))
    with pytest.raises(ValueError, match="Expected input to be 2D or 3D, got 4D tensor instead"):
        model(fl.randn(1, 2, 5, 4))
    with pytest.raises(ValueError, match=re.escape("expected timespans of shape [2, 5] or [2, 5, 1], got [5, 2]")):
        model(x, None, fl.ones(5, 2))
    with pytest.raises(ValueError, match="sequence length 5"):
        model(x, None, fl.ones(4))
    with pytest.raises(RuntimeError, match=r"expected hx of shape \[2, 8\]"):
        model(x, fl.zeros(2, 7))
    with pytest.raises(ValueError, match="LTCCell: ode_unfolds must be a positive int"):
        LTC(4, 8, ode_unfolds=0)
    with pytest.raises(TypeError, match="exactly one of units, hidden_size, wiring or cell"):
        CfC(4)
    with pytest.raises(TypeError, match="got both hx and initial_state"):
        model(x, fl.zeros(2, 8), initial_state=fl.zeros(2, 8))


# --- single steps ---------------------------------------------------------------------------------------------
STEP_MODELS = [lambda: CfC(4, 6, backbone_units=8, backbone_layers=2, mode="no_gate"),
               lambda: CfC(4, 10, mixed_memory=True, proj_size=3, batch_first=False),
               lambda: CfC(5, NCP(6, 4, 2, 2, 2, 2, 2, seed=3), mixed_memory=True, mode="pure"),
               lambda: CfC(cell=CfCCell(wiring=FullyConnected(6, 2), activation="tanh"), return_state=True),
               lambda: CfC(cell=CfCCell(4, 6, backbone_units=[8, 8]), num_layers=2, mixed_memory=True,
                           return_state=True),
               lambda: LTC(4, 8),
               lambda: LTC(3, AutoNCP(12, 2, seed=5), mixed_memory=True, return_sequences=False),
               lambda: LTC(cell=LTCCell(AutoNCP(10, 3, seed=4), activation="tanh", backbone_units=[6]),
                           num_layers=2, return_state=True)]


def as_list(state):
    if isinstance(state, list):
        return [t for s in state for t in (s if isinstance(s, tuple) else [s])]
    return list(state) if isinstance(state, tuple) else [state]


@pytest.mark.parametrize("per_sample_dt", [False, True])
@pytest.mark.parametrize("make", STEP_MODELS, ids=range(len(STEP_MODELS)))
def test_step_equals_forward(make, per_sample_dt):
    fl.manual_seed(0)
    model = make().double()
    rng = np.random.default_rng(2)
    B, L, F = 2, 4, model.rnn_cell._input_features or 4
    x_bf = fl.tensor(rng.standard_normal((B, L, F)))
    dt_np = rng.uniform(0.3, 1.5, (B, L)) if per_sample_dt else np.repeat(rng.uniform(0.3, 1.5, (1, L)), B, 0)
    x = x_bf if model.batch_first else x_bf.transpose(0, 1)
    ts = fl.tensor(dt_np if model.batch_first else dt_np.T)
    y, state = model(x, None, ts) if model._returns_state else (model(x, None, ts), None)
    y_bf = y if model.batch_first or not model.return_sequences else y.transpose(0, 1)
    s = None
    for t in range(L):
        dt = fl.tensor(dt_np[:, t]) if per_sample_dt else float(dt_np[0, t])
        out, s = model.step(x_bf[:, t], s, dt)
        assert not out.requires_grad
        if model.return_sequences:
            close(out, y_bf[:, t], f"step {t}", 1e-11)
    if not model.return_sequences:
        close(out, y_bf, "last step", 1e-11)
    for a, b in zip(as_list(s), as_list(state)):
        close(a, b, "final state", 1e-11)


def test_step_unbatched_and_refresh_after_training():
    model = CfC(3, AutoNCP(10, 2, seed=1), mixed_memory=True).double()
    x = fl.randn(5, 3, dtype=fl.float64)
    out, (h, c) = model.step(x[0])
    assert out.shape == (2,) and h.shape == (10,) and c.shape == (10,)
    y, (h_ref, c_ref) = model(x[:1])
    close(out, y[0], "unbatched step")
    with fl.no_grad():
        model.rnn_cell.layer_1.ff1.weight.mul_(1.5)  # a changed parameter rebuilds the stepper
    out2, _ = model.step(x[0])
    y2, _ = model(x[:1])
    close(out2, y2[0], "after an update")
    assert np.abs(out2.numpy() - out.numpy()).max() > 1e-6
    with pytest.raises(ValueError, match="bidirectional"):
        CfC(cell=CfCCell(3, 4), bidirectional=True).step(fl.zeros(3))
    copy.deepcopy(model)  # the stepper cache does not travel


def test_cells_step_as_ncps():
    # A cell's forward is one ncps step: the layer over a one-step sequence.
    fl.manual_seed(0)
    for layer in (CfC(4, 6, backbone_units=8), CfC(4, AutoNCP(10, 3)), LTC(4, AutoNCP(10, 3))):
        layer = layer.double()
        x, h = fl.randn(2, 4, dtype=fl.float64), fl.randn(2, layer.state_size, dtype=fl.float64)
        out, h1 = layer.rnn_cell(x, h, 0.7)
        y, h2 = layer(x.unsqueeze(1), h, fl.full((2, 1), 0.7, dtype=fl.float64))
        close(out, y[:, 0], "cell output")
        close(h1, h2, "cell state")
    lstm = LSTMCell(3, 4).double()
    x, h, c = (fl.randn(2, n, dtype=fl.float64) for n in (3, 4, 4))
    z = x @ lstm.input_map.weight.t() + lstm.input_map.bias + h @ lstm.recurrent_map.weight.t()
    i, ig, fg, og = z.chunk(4, 1)
    c_ref = c * fl.sigmoid(fg + 1.0) + fl.tanh(i) * fl.sigmoid(ig)
    h2, c2 = lstm(x, (h, c))
    close(c2, c_ref, "lstm c")
    close(h2, fl.tanh(c_ref) * fl.sigmoid(og), "lstm h")


# --- construction as ncps --------------------------------------------------------------------------------------
def test_ncps_shapes_and_sizes():
    # ncps/tests/test_torch.py's shape table, and the documented parameter count.
    x = fl.randn(5, 3, 8)
    assert CfC(8, 32)(x)[0].shape == (5, 3, 32)
    assert CfC(8, 32, proj_size=10)(x)[0].shape == (5, 3, 10)
    assert CfC(8, 32)(fl.randn(3, 8))[0].shape == (3, 32)
    assert CfC(8, 32, batch_first=False)(fl.randn(3, 8))[0].shape == (3, 32)
    assert LTC(8, 32, batch_first=False)(x)[1].shape == (3, 32)
    ncp = NCP(10, 10, 8, 6, 6, 4, 6)
    y, h = LTC(8, ncp)(x)
    assert y.shape == (5, 3, 8) and h.shape == (5, 28)
    model = LTC(8, AutoNCP(16, 4))
    assert model(x)[0].shape == (5, 3, 4) and model.synapse_count > 0 and model.sensory_synapse_count == 32
    assert CfC(8, AutoNCP(28, 10))(x)[0].shape == (5, 3, 10)
    assert CfC(8, NCP(10, 10, 8, 6, 6, 4, 6), batch_first=False)(x)[1].shape == (3, 28)
    assert sum(p.numel() for p in CfC(256, 64).parameters()) == 74112
    cell = LTCCell(FullyConnected(8, 4), 8)
    out, hx = cell(fl.randn(3, 8), fl.zeros(3, 8))
    assert out.shape == (3, 4) and hx.shape == (3, 8)
    m = CfC(4, AutoNCP(16, 4))
    assert (m.state_size, m.output_size, m.rnn_cell.layer_sizes, m.rnn_cell.num_layers) == (16, 4, [8, 4, 4], 3)


def test_initialisation_as_ncps():
    fl.manual_seed(0)
    cell = CfC(6, 10, backbone_units=20, mode="pure", mixed_memory=True)
    bb = cell.rnn_cell.backbone[0].weight
    bound = math.sqrt(6 / (16 + 20))  # xavier_uniform_ over (fan_in 16, fan_out 20)
    assert 0.9 * bound < np.abs(bb.detach().numpy()).max() <= bound
    w_tau = cell.rnn_cell.w_tau.detach().numpy()  # pure mode's (1, H) parameters are xavier'd too (ncps)
    assert np.abs(w_tau).max() <= math.sqrt(6 / 11) and np.abs(w_tau).max() > 0
    ib = cell.lstm.input_map.bias.detach().numpy()
    assert np.abs(ib).max() <= 0.1
    wr = cell.lstm.recurrent_map.weight.detach().numpy()  # orthogonal (40 x 10): orthonormal columns
    np.testing.assert_allclose(wr.T @ wr, np.eye(10), atol=1e-5)
    ltc = LTC(3, AutoNCP(12, 2, seed=5))
    cell = ltc.rnn_cell
    for name, (lo, hi) in LTCCell._INIT_RANGES.items():
        v = getattr(cell, name).detach().numpy()
        assert lo <= v.min() and v.max() <= hi, name
    np.testing.assert_array_equal(cell.erev.detach().numpy(), cell.wiring.adjacency_matrix)
    np.testing.assert_array_equal(cell.sensory_sparsity_mask.detach().numpy(),
                                  np.abs(cell.wiring.sensory_adjacency_matrix))
    assert not cell.sparsity_mask.requires_grad and cell.erev.requires_grad
    assert (cell.input_w.detach().numpy() == 1).all() and (cell.output_b.detach().numpy() == 0).all()


def test_apply_weight_constraints():
    model = LTC(3, 6, implicit_param_constraints=False)
    with fl.no_grad():
        for n in ("w", "sensory_w", "cm", "gleak", "vleak"):
            getattr(model.rnn_cell, n).sub_(2.0)
    model.apply_weight_constraints()
    for n in ("w", "sensory_w", "cm", "gleak"):
        assert getattr(model.rnn_cell, n).detach().numpy().min() == 0.0, n
    assert model.rnn_cell.vleak.detach().numpy().max() < 0  # vleak is never constrained


def test_fl_save_writes_the_flat_state_dict_the_cpp_modules_load(tmp_path):
    # fl.save keeps a flat state dict's names, so the file is the plain safetensors that fl::load (and the C++
    # modules' load_state_dict, tests/cpp/test_ncps_modules.cpp) reads; read back here with numpy alone.
    model = CfC(4, AutoNCP(10, 3), mixed_memory=True, proj_size=2)
    path = tmp_path / "cfc.safetensors"
    fl.save(model.state_dict(), path)
    raw = read_safetensors(path)
    state = model.state_dict()
    assert sorted(raw) == sorted(state)
    for k, v in state.items():
        np.testing.assert_array_equal(raw[k], v.numpy())
    twin = CfC(4, AutoNCP(10, 3), mixed_memory=True, proj_size=2)
    twin.load_state_dict(fl.load(path))
    x = fl.randn(2, 3, 4)
    close(twin(x)[0], model(x)[0], "reloaded", 1e-6)


def test_backbone_dropout_only_in_training():
    # ncps: Dropout after the second and later backbone layers; active in train(), off in eval().
    fl.manual_seed(0)
    model = CfC(4, 6, backbone_units=16, backbone_layers=2, backbone_dropout=0.5).double()
    assert [type(m).__name__ for m in model.rnn_cell.backbone] == ["Linear", "LeCun", "Linear", "LeCun", "Dropout"]
    assert "rnn_cell.backbone.2.weight" in model.state_dict()
    x = fl.randn(2, 5, 4, dtype=fl.float64)
    a, b = model(x)[0], model(x)[0]
    assert np.abs(a.detach().numpy() - b.detach().numpy()).max() > 1e-6  # two dropout masks
    model.eval()
    close(model(x)[0], model(x)[0], "eval", 0.0)
    ref = CfC(4, 6, backbone_units=16, backbone_layers=2).double().eval()
    ref.load_state_dict(model.state_dict())
    close(model(x)[0], ref(x)[0], "eval equals no dropout", 1e-14)
