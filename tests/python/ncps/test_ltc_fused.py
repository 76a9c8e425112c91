"""The fused LTC sequence op (flashlight._C._ncps.ltc_sequence*) against ncps's golden data (outputs, final states,
gradients of every parameter and of the input, float64, 1e-10 relative) and against the reference composition.
The small wrapper logic of ncps.torch.LTC (return_sequences, the loss) is reproduced here."""
import pathlib
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
import golden  # noqa: E402

import flashlight as fl  # noqa: E402

_C = fl._C._ncps

# Wrapper arguments of each golden LTC model (index.json's constructor strings); a new case must be added here.
GOLDEN_CONFIG = {
    "ltc_autoncp16_4": {},
    "ltc_fc_u8": {},
    "ltc_fc_u8_linear_none_unfold3": {"input_mapping": "linear", "output_mapping": None, "ode_unfolds": 3},
    "ltc_fc_u8_explicit_constraints": {"implicit_param_constraints": False},
    "ltc_mixed_lastonly": {"mixed_memory": True, "return_sequences": False},
    "ltc_autoncp16_4_hx_timespans": {},
}
LTC_MODELS = [m for m in golden.ncps_index()["models"] if m["file"].startswith("ltc_")]


def rel_close(got, ref, rtol=1e-10):
    got, ref = np.asarray(got), np.asarray(ref)
    assert got.shape == ref.shape
    scale = np.maximum(np.abs(ref), np.abs(ref).max(initial=0.0) * 1e-3)  # near-zero entries: relative to the max
    err = np.abs(got - ref) / np.maximum(scale, 1e-300)
    assert err.max(initial=0.0) <= rtol, f"max relative error {err.max():.3e}"


def run_golden(case, fused):
    stem = case["file"].removesuffix(".safetensors")
    cfg = dict(GOLDEN_CONFIG[stem])
    mixed = cfg.pop("mixed_memory", False)
    return_sequences = cfg.pop("return_sequences", True)
    data = golden.read_safetensors(golden.GOLDEN_NCPS / case["file"])
    params = {k.removeprefix("param."): fl.tensor(v) for k, v in data.items() if k.startswith("param.")}
    for k, t in params.items():
        if "mask" not in k:
            t.requires_grad_(True)
    cell = {k.removeprefix("rnn_cell."): t for k, t in params.items() if k.startswith("rnn_cell.")}
    lstm = {k.removeprefix("lstm."): t for k, t in params.items() if k.startswith("lstm.")}
    x = fl.tensor(data["input.x"]).requires_grad_(True)
    h0 = fl.tensor(data["input.h0"]) if "input.h0" in data else None
    ts = fl.tensor(data["input.timespans"]) if "input.timespans" in data else None
    if mixed:
        c0 = fl.tensor(data["input.c0"]) if "input.c0" in data else None
        y, h, c = _C.ltc_sequence_mixed_memory(x, cell, lstm, h0=h0, c0=c0, timespans=ts, fused=fused, **cfg)
        states = [h, c]
    else:
        y, h = _C.ltc_sequence(x, cell, h0=h0, timespans=ts, fused=fused, **cfg)
        states = [h]
    if not return_sequences:
        y = y[:, -1]
    loss = (y * fl.tensor(data["loss_weight.y"])).sum()
    for i, s in enumerate(states):
        loss = loss + (s * fl.tensor(data[f"loss_weight.h{i}"])).sum()
    loss.backward()
    return data, y, states, params, x


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "reference"])
@pytest.mark.parametrize("case", LTC_MODELS, ids=lambda c: c["file"].removesuffix(".safetensors"))
def test_golden(case, fused):
    assert case["file"].removesuffix(".safetensors") in GOLDEN_CONFIG, "new golden LTC case: add its config"
    data, y, states, params, x = run_golden(case, fused)
    rel_close(y.detach().numpy(), data["output.y"])
    for i, s in enumerate(states):
        rel_close(s.detach().numpy(), data[f"output.h{i}"])
    grads = {k.removeprefix("grad."): v for k, v in data.items() if k.startswith("grad.") and k != "grad.input.x"}
    assert grads, "golden file without parameter gradients"
    for name, ref in grads.items():
        assert params[name].grad is not None, name
        rel_close(params[name].grad.numpy(), ref)
    for name, t in params.items():
        if "mask" in name:
            assert t.grad is None  # buffers: no gradient
    rel_close(x.grad.numpy(), data["grad.input.x"])


# --- per-sample timespans with batch > 1: against an LTC written in torch (ncps's equations, elapsed (B, 1)) ---

def torch_ltc(x, h, ts, p, lstm=None, c=None, unfolds=6, eps=1e-8):
    import torch

    sp = torch.nn.functional.softplus
    ys = []
    for t in range(x.shape[1]):
        xt = x[:, t]
        if lstm is not None:
            z = xt @ lstm["input_map.weight"].T + lstm["input_map.bias"] + h @ lstm["recurrent_map.weight"].T
            i, ig, fg, og = z.chunk(4, 1)
            c = c * torch.sigmoid(fg + 1.0) + torch.tanh(i) * torch.sigmoid(ig)
            h = torch.tanh(c) * torch.sigmoid(og)
        xm = xt * p["input_w"] + p["input_b"]
        sa = sp(p["sensory_w"]) * torch.sigmoid(p["sensory_sigma"] * (xm.unsqueeze(-1) - p["sensory_mu"]))
        sa = sa * p["sensory_sparsity_mask"]
        sn, sd = (sa * p["sensory_erev"]).sum(1), sa.sum(1)
        cm_t = sp(p["cm"]) / (ts[:, t : t + 1] / unfolds)
        v = h
        for _ in range(unfolds):
            wa = sp(p["w"]) * torch.sigmoid(p["sigma"] * (v.unsqueeze(-1) - p["mu"])) * p["sparsity_mask"]
            num = cm_t * v + sp(p["gleak"]) * p["vleak"] + (wa * p["erev"]).sum(1) + sn
            den = cm_t + sp(p["gleak"]) + wa.sum(1) + sd
            v = num / (den + eps)
        h = v
        ys.append(v[:, : p["output_w"].shape[0]] * p["output_w"] + p["output_b"])
    return torch.stack(ys, 1), h, c


@pytest.mark.parametrize("mixed", [False, True], ids=["plain", "mixed_memory"])
def test_batched_per_sample_timespans_against_torch(mixed):
    import torch

    case = "ltc_mixed_lastonly" if mixed else "ltc_autoncp16_4"
    data = golden.read_safetensors(golden.GOLDEN_NCPS / f"{case}.safetensors")
    rng = np.random.default_rng(3)
    raw = {k.removeprefix("param."): v for k, v in data.items() if k.startswith("param.")}
    D, N = raw["rnn_cell.sensory_mu"].shape
    B, L = 3, 6
    arrays = {"x": rng.normal(size=(B, L, D)), "h0": rng.normal(size=(B, N)) * 0.3, "ts": rng.uniform(0.2, 2.0, (B, L)),
              "c0": rng.normal(size=(B, N)) * 0.3}
    names = list(raw) + list(arrays)
    fl_t = {k: fl.tensor(raw[k] if k in raw else arrays[k]) for k in names}
    th_t = {k: torch.tensor(raw[k] if k in raw else arrays[k]) for k in names}
    for k in names:
        if "mask" not in k:
            fl_t[k].requires_grad_(True)
            th_t[k].requires_grad_(True)
    cell = lambda d: {k.removeprefix("rnn_cell."): v for k, v in d.items() if k.startswith("rnn_cell.")}
    lstm = lambda d: {k.removeprefix("lstm."): v for k, v in d.items() if k.startswith("lstm.")}
    if mixed:
        y, h, c = _C.ltc_sequence_mixed_memory(fl_t["x"], cell(fl_t), lstm(fl_t), h0=fl_t["h0"], c0=fl_t["c0"],
                                               timespans=fl_t["ts"])
        ty, th, tc = torch_ltc(th_t["x"], th_t["h0"], th_t["ts"], cell(th_t), lstm(th_t), th_t["c0"])
        outs, touts = [y, h, c], [ty, th, tc]
    else:
        y, h = _C.ltc_sequence(fl_t["x"], cell(fl_t), h0=fl_t["h0"], timespans=fl_t["ts"])
        ty, th, _ = torch_ltc(th_t["x"], th_t["h0"], th_t["ts"], cell(th_t))
        outs, touts = [y, h], [ty, th]
    weights = [rng.normal(size=tuple(t.shape)) for t in touts]
    loss = sum((o * fl.tensor(w)).sum() for o, w in zip(outs, weights))
    tloss = sum((o * torch.tensor(w)).sum() for o, w in zip(touts, weights))
    loss.backward()
    tloss.backward()
    for o, t in zip(outs, touts):
        rel_close(o.detach().numpy(), t.detach().numpy())
    for k in names:
        if "mask" in k or (k == "c0" and not mixed):
            continue
        rel_close(fl_t[k].grad.numpy(), th_t[k].grad.numpy())


# --- the reference path, float32, the stepper and argument errors through the bindings ---

def golden_cell(case="ltc_autoncp16_4", dtype=np.float64):
    data = golden.read_safetensors(golden.GOLDEN_NCPS / f"{case}.safetensors")
    return {k.removeprefix("param.rnn_cell."): fl.tensor(v.astype(dtype)) for k, v in data.items()
            if k.startswith("param.rnn_cell.")}


def test_float32_fused_close_to_float64():
    w64, w32 = golden_cell(), golden_cell(dtype=np.float32)
    x = np.random.default_rng(0).normal(size=(4, 7, 6))
    y64, h64 = _C.ltc_sequence(fl.tensor(x), w64)
    y32, h32 = _C.ltc_sequence(fl.tensor(x.astype(np.float32)), w32)
    assert y32.dtype == fl.float32
    np.testing.assert_allclose(y32.numpy(), y64.numpy(), rtol=2e-5, atol=2e-6)
    np.testing.assert_allclose(h32.numpy(), h64.numpy(), rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stepper_matches_sequence(dtype):
    w = golden_cell(dtype=dtype)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 6)).astype(dtype)
    y_seq, h_seq = _C.ltc_sequence(fl.tensor(x), w, timespans=fl.full((2, 5), 0.5, dtype=fl.tensor(x).dtype))
    st = _C.LTCStepper(w, batch=2)
    assert (st.batch, st.input_size, st.state_size, st.output_size, st.mixed_memory) == (2, 6, 16, 4, False)
    # Tensor steps
    h = fl.zeros(2, 16, dtype=fl.tensor(x).dtype)
    for t in range(5):
        y, h = st.step(fl.tensor(x[:, t]), h, 0.5)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(h.numpy(), h_seq.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(y.numpy(), y_seq.numpy()[:, -1], rtol=tol, atol=tol)
    # numpy buffers in place
    hb, yb = np.zeros((2, 16), dtype), np.zeros((2, 4), dtype)
    for t in range(5):
        st.step_into(np.ascontiguousarray(x[:, t]), hb, dt=0.5, y=yb)
    np.testing.assert_allclose(hb, h_seq.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(yb, y_seq.numpy()[:, -1], rtol=tol, atol=tol)


def test_mixed_memory_stepper_and_refresh():
    data = golden.read_safetensors(golden.GOLDEN_NCPS / "ltc_mixed_lastonly.safetensors")
    cell = {k.removeprefix("param.rnn_cell."): fl.tensor(v) for k, v in data.items() if k.startswith("param.rnn_cell.")}
    lstm = {k.removeprefix("param.lstm."): fl.tensor(v) for k, v in data.items() if k.startswith("param.lstm.")}
    x = data["input.x"]
    y_seq, h_seq, c_seq = _C.ltc_sequence_mixed_memory(fl.tensor(x), cell, lstm)
    st = _C.LTCStepper(cell, memory=lstm, batch=2)
    h, c = fl.zeros(2, 12, dtype=fl.float64), fl.zeros(2, 12, dtype=fl.float64)
    for t in range(x.shape[1]):
        y, h, c = st.step(fl.tensor(x[:, t]), h, c)
    np.testing.assert_allclose(y.numpy(), data["output.y"], rtol=1e-12)
    np.testing.assert_allclose(c.numpy(), data["output.h1"], rtol=1e-12)
    cell2 = dict(cell, vleak=cell["vleak"] + 0.5)
    st.refresh(cell2, memory=lstm)
    y2, _, _ = st.step(fl.tensor(x[:, 0]), fl.zeros(2, 12, dtype=fl.float64), fl.zeros(2, 12, dtype=fl.float64))
    y_ref, _, _ = _C.ltc_sequence_mixed_memory(fl.tensor(x[:, :1]), cell2, lstm)
    np.testing.assert_allclose(y2.numpy(), y_ref.numpy()[:, 0], rtol=1e-12)


def test_cell_step_and_lstm_step_compose_the_sequence():
    data = golden.read_safetensors(golden.GOLDEN_NCPS / "ltc_mixed_lastonly.safetensors")
    cell = {k.removeprefix("param.rnn_cell."): fl.tensor(v) for k, v in data.items() if k.startswith("param.rnn_cell.")}
    lstm = {k.removeprefix("param.lstm."): fl.tensor(v) for k, v in data.items() if k.startswith("param.lstm.")}
    x = fl.tensor(data["input.x"])
    h = c = fl.zeros(2, 12, dtype=fl.float64)
    for t in range(x.shape[1]):
        h, c = _C.lstm_memory_step(x[:, t], h, c, lstm)
        y, h = _C.ltc_cell_step(x[:, t], h, cell)
    np.testing.assert_allclose(y.numpy(), data["output.y"], rtol=1e-11)
    np.testing.assert_allclose(h.numpy(), data["output.h0"], rtol=1e-11)


def test_apply_weight_constraints_and_errors():
    w = golden_cell()
    w["w"] = w["w"] - 0.5
    _C.ltc_apply_weight_constraints(w)
    assert w["w"].min().item() == 0.0
    x = fl.zeros(2, 3, 6, dtype=fl.float64)
    with pytest.raises(ValueError, match="unexpected weight 'bogus'"):
        _C.ltc_sequence(x, dict(golden_cell(), bogus=fl.zeros(1)))
    with pytest.raises(RuntimeError, match="input has 5 features but the cell expects 6"):
        _C.ltc_sequence(fl.zeros(2, 3, 5, dtype=fl.float64), golden_cell())
    with pytest.raises(ValueError, match="motor_size must be in"):
        _C.ltc_sequence(x, golden_cell(), output_mapping=None, motor_size=17)
    st = _C.LTCStepper(golden_cell())
    with pytest.raises(RuntimeError, match="state has 15 elements"):
        st.step_into(np.zeros(6), np.zeros(15))
    with pytest.raises(TypeError):
        st.step_into(np.zeros(6, np.float32), np.zeros(16, np.float32))


def test_tensor_step_reads_any_input_and_keeps_the_state():
    # Evaluated contiguous inputs are read in place, lazy or strided ones evaluated first: the same values; the
    # input state is never written.
    w = golden_cell()
    rng = np.random.default_rng(3)
    x, h0 = rng.normal(size=(2, 6)), rng.normal(size=(2, 16))
    st = _C.LTCStepper(w, batch=2)
    h = fl.tensor(h0)
    y_ready, h_ready = st.step(fl.tensor(x), h, 0.5)
    np.testing.assert_array_equal(h.numpy(), h0)
    y_lazy, h_lazy = st.step(fl.tensor(x) * 1.0, fl.tensor(np.ascontiguousarray(h0.T)).t(), 0.5)
    np.testing.assert_array_equal(y_lazy.numpy(), y_ready.numpy())
    np.testing.assert_array_equal(h_lazy.numpy(), h_ready.numpy())
    y1, h1 = _C.LTCStepper(w).step(fl.tensor(x[0]), fl.tensor(h0[0]), 0.5)  # unbatched
    assert (y1.shape, h1.shape) == ((4,), (16,))
    np.testing.assert_allclose(h1.numpy(), h_ready.numpy()[0], rtol=1e-15)
