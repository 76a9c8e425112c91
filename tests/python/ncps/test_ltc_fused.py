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
