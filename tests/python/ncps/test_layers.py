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
