"""The fused CfC sequence op (flashlight._C._ncps) with the weights of the real ncps's golden models: the binding's
checks against the composition and the stepper. The golden outputs and gradients themselves are checked through
the CfC module, which owns ncps's wrapper logic (tests/python/ncps/test_layers.py)."""
import pathlib
import re
import sys

import numpy as np
import pytest

import flashlight as fl

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from golden import GOLDEN_NCPS, ncps_index, read_safetensors  # noqa: E402

_C = fl._C._ncps


def constructor_args(text):
    """The keyword arguments of an index.json constructor such as "CfC(8, 16, mode='pure', ...)"."""
    def stub(*args, **kwargs):
        return (args, kwargs)
    args, kwargs = eval(text, {"__builtins__": {}}, {"CfC": stub, "AutoNCP": stub, "NCP": stub})  # test data only
    return dict(kwargs, wired=isinstance(args[1], tuple))


def golden_models():
    return [m for m in ncps_index()["models"] if m["file"].startswith("cfc_")]


def load_case(model):
    data = read_safetensors(GOLDEN_NCPS / model["file"])
    params = {k[len("param."):]: fl.tensor(v, requires_grad="sparsity_mask" not in k)
              for k, v in data.items() if k.startswith("param.")}
    inputs = {k[len("input."):]: fl.tensor(v) for k, v in data.items() if k.startswith("input.")}
    return data, params, inputs


def assert_close(got, want, what, rtol=1e-10):
    want = np.asarray(want)
    got = got.detach().numpy()
    assert got.shape == want.shape, what
    scale = max(np.abs(want).max(), 1e-300)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale, err_msg=what)


def test_golden_covers_every_cfc_model():
    names = {m["file"] for m in golden_models()}
    assert len(names) >= 12 and all((GOLDEN_NCPS / n).exists() for n in names)


def golden_case(name):
    return load_case(next(m for m in golden_models() if m["file"] == name + ".safetensors"))


@pytest.mark.parametrize("name", ["cfc_wired_ncp_mixed_pure", "cfc_default_u16_hx_timespans", "cfc_nogate_u16"])
def test_fused_matches_composition_with_batched_timespans(name):
    # The golden timespans cases have batch 1 (ncps's squeeze breaks other batches); here 3 samples, each with its
    # own elapsed times, against the composition, values and gradients (timespans included).
    data, params, _ = golden_case(name)
    ctor = constructor_args(next(m for m in golden_models() if m["file"] == name + ".safetensors")["constructor"])
    rng = np.random.default_rng(0)
    n_state = data["output.h0"].shape[-1]
    x_np = rng.standard_normal((3, 6, data["input.x"].shape[-1]))
    ts_np, h_np, c_np = rng.uniform(0.2, 2.0, (3, 6)), rng.standard_normal((3, n_state)), rng.standard_normal((3, n_state))
    results = []
    for fused in (True, False):
        x, ts, hx = (fl.tensor(v, requires_grad=True) for v in (x_np, ts_np, h_np))
        cx = fl.tensor(c_np, requires_grad=True) if ctor.get("mixed_memory") else None
        seq = _C.cfc_sequence if fused else _C.cfc_sequence_reference
        out = seq(x, params, hx, cx, ts, mode=ctor.get("mode", "default"),
                  activation=ctor.get("activation", "lecun_tanh"))
        loss = sum((o * o).sum() for o in out)
        leaves = [x, ts, hx] + ([cx] if cx is not None else []) + [p for p in params.values() if p.requires_grad]
        results.append((out, fl.autograd.grad(loss, leaves)))
    (out_f, g_f), (out_r, g_r) = results
    for a, b in zip(out_f, out_r):
        assert_close(a, b.detach().numpy(), "output", rtol=1e-12)
    for a, b in zip(g_f, g_r):
        assert_close(a, b.detach().numpy(), "gradient", rtol=1e-11)


def test_float32_and_stepper():
    data, params, inputs = golden_case("cfc_mixed_memory_hx")
    p32 = {k: v.detach().float() for k, v in params.items()}
    y, h, c = _C.cfc_sequence(inputs["x"].float(), p32, inputs["h0"].float(), inputs["c0"].float())
    assert y.dtype == fl.float32
    np.testing.assert_allclose(y.numpy(), data["output.y"], rtol=1e-5, atol=1e-5)
    stepper = _C.CfCStepper(params)
    assert (stepper.input_size, stepper.state_size, stepper.output_size, stepper.mixed_memory) == (4, 10, 10, True)
    assert stepper.dtype == fl.float64
    hx, cx = inputs["h0"], inputs["c0"]
    for t in range(inputs["x"].shape[1]):
        yt, hx, cx = stepper.step(inputs["x"][:, t], hx, cx)
        np.testing.assert_allclose(yt.numpy(), data["output.y"][:, t], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(hx.numpy(), data["output.h0"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(cx.numpy(), data["output.h1"], rtol=1e-12, atol=1e-12)


def test_stepper_tensor_inputs():
    # Evaluated contiguous inputs are read in place, lazy or strided ones evaluated first: the same values. With the
    # whole state as output y is h itself, as ncps's CfCCell returns (h, h).
    data, params, inputs = golden_case("cfc_default_u16")
    stepper = _C.CfCStepper(params)
    x, h0 = inputs["x"][:, 0].contiguous(), fl.tensor(np.random.default_rng(4).normal(size=(3, 16)))
    y, h = stepper.step(x, h0)
    assert y is h
    y2, h2 = stepper.step(x * 1.0, fl.tensor(np.ascontiguousarray(h0.numpy().T)).t())
    np.testing.assert_array_equal(h2.numpy(), h.numpy())
    seq_y, _ = _C.cfc_sequence(inputs["x"][:, :1], params, h0)
    np.testing.assert_allclose(y.numpy(), seq_y.detach().numpy()[:, 0], rtol=1e-13, atol=1e-13)


def test_stepper_outputs_survive_later_steps():
    # The Tensor step reuses the buffers of dropped results (no allocation in a warm loop), never of results still
    # seen: a held Tensor, a numpy view of one that was dropped, or an mlx array.
    data, params, inputs = golden_case("cfc_default_u16")
    stepper = _C.CfCStepper(params)
    x, h = inputs["x"][:, 0].contiguous(), fl.zeros(3, 16, dtype=fl.float64)
    held, views, arrays, expected = [], [], [], []
    for i in range(6):
        y, h = stepper.step(x, h)
        expected.append(h.numpy().copy())
        if i % 3 == 0:
            held.append(h)
        elif i % 3 == 1:
            views.append(h.numpy())
        else:
            arrays.append(h.mlx())
    for _ in range(10):
        y, h = stepper.step(x, fl.zeros(3, 16, dtype=fl.float64))
    for i, t in enumerate(held):
        np.testing.assert_array_equal(t.numpy(), expected[3 * i])
    for i, v in enumerate(views):
        np.testing.assert_array_equal(v, expected[3 * i + 1])
    for i, a in enumerate(arrays):
        np.testing.assert_array_equal(np.array(a), expected[3 * i + 2])


def test_errors():
    _, params, inputs = golden_case("cfc_default_u16")
    with pytest.raises(ValueError, match=re.escape("Unknown mode 'fast', valid options are")):
        _C.cfc_sequence(inputs["x"], params, mode="fast")
    with pytest.raises(ValueError, match="Unknown activation swish"):
        _C.cfc_sequence(inputs["x"], params, activation="swish")
    with pytest.raises(RuntimeError, match=re.escape("mat1 and mat2 shapes cannot be multiplied (3x25 and 24x32)")):
        _C.cfc_sequence(fl.zeros(3, 7, 9, dtype=fl.float64), params)
    with pytest.raises(ValueError, match="unexpected key 'rnn_cell.ff9.weight'"):
        _C.cfc_sequence(inputs["x"], dict(params, **{"rnn_cell.ff9.weight": fl.zeros(1)}))
    with pytest.raises(TypeError, match="must be a Tensor"):
        _C.cfc_sequence(inputs["x"], {"rnn_cell.ff1.weight": 1.0})
    with pytest.raises(RuntimeError, match="mixed memory needs cx"):
        _C.CfCStepper(golden_case("cfc_mixed_memory")[1]).step(fl.zeros(4, dtype=fl.float64),
                                                               fl.zeros(10, dtype=fl.float64))
