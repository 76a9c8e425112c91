"""The seeds' MLX-style API on flashlight.ncps's CfC and LTC (docs/NCPS.md): each option checked against a
composition of single-layer, unidirectional modules (which the golden tests pin to ncps)."""
import copy

import numpy as np
import pytest

import flashlight as fl
from flashlight.ncps import CfC, CfCCell, LTC, LTCCell, WiredCfCCell
from flashlight.ncps.wirings import AutoNCP, FullyConnected

from test_layers import close


def make_cell(kind):
    if kind == "cfc":
        return CfCCell(4, 6, activation="tanh", backbone_units=[8])
    if kind == "cfc_wiring":  # the brief's example: a wiring with a two-layer backbone
        return CfCCell(wiring=AutoNCP(10, 3, seed=1), activation="tanh", backbone_units=[16, 16], backbone_layers=2)
    if kind == "cfc_wired":
        return WiredCfCCell(4, AutoNCP(10, 3, seed=2))
    return LTCCell(wiring=AutoNCP(10, 3, seed=3), activation="tanh", backbone_units=[8])


KINDS = ["cfc", "cfc_wiring", "cfc_wired", "ltc"]


def layer_of(cell, **kw):
    cls = LTC if isinstance(cell, LTCCell) else CfC
    return cls(cell=cell, return_state=True, **kw).double()


def data(B=2, L=5, F=4, seed=0):
    rng = np.random.default_rng(seed)
    return fl.tensor(rng.standard_normal((B, L, F))), fl.tensor(rng.uniform(0.3, 1.7, (B, L)))


def merge(mode, a, b):
    return {"concat": lambda: fl.cat([a, b], -1), "sum": lambda: a + b, "mul": lambda: a * b,
            "ave": lambda: (a + b) / 2}[mode]()


@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave"])
@pytest.mark.parametrize("kind", KINDS)
def test_bidirectional_is_a_forward_and_a_reversed_pass(kind, merge_mode, return_sequences):
    fl.manual_seed(0)
    model = layer_of(make_cell(kind), bidirectional=True, merge_mode=merge_mode, return_sequences=return_sequences)
    x, ts = data()
    y, (s_fwd, s_bwd) = model(x, time_delta=ts)
    # The reverse cell is a separate cell of the same configuration (its own parameters, the same wiring).
    assert model.rnn_cell_reverse is not model.rnn_cell
    if kind != "cfc":
        np.testing.assert_array_equal(model.rnn_cell_reverse.wiring.adjacency_matrix,
                                      model.rnn_cell.wiring.adjacency_matrix)
    y_f, h_f = layer_of(model.rnn_cell)(x, timespans=ts)
    y_b, h_b = layer_of(model.rnn_cell_reverse)(x.flip([1]), timespans=ts.flip([1]))
    y_b = y_b.flip([1])
    if return_sequences:
        close(y, merge(merge_mode, y_f, y_b), "output")
    else:  # the backward direction's final output is the one at t = 0
        close(y, merge(merge_mode, y_f[:, -1], y_b[:, 0]), "last output")
    close(s_fwd, h_f, "forward state")
    close(s_bwd, h_b, "backward state")


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_stacked_layers_chain_single_layers(kind, bidirectional):
    fl.manual_seed(1)
    model = layer_of(make_cell(kind), num_layers=3, bidirectional=bidirectional, mixed_memory=kind == "cfc")
    x, ts = data(seed=1)
    n_units = 3 * (2 if bidirectional else 1)
    rng = np.random.default_rng(5)
    states = []
    for i in range(n_units):  # initial states, one per layer and direction
        h = fl.tensor(rng.standard_normal((2, model.rnn_cell.state_size)))
        states.append((h, fl.tensor(rng.standard_normal((2, model.rnn_cell.state_size)))) if kind == "cfc" else h)
    y, finals = model(x, initial_state=states, time_delta=ts)
    assert len(finals) == n_units
    inp, k = x, 0
    for layer in range(3):
        suffix = "" if layer == 0 else f"_l{layer}"
        outs = []
        for d in range(2 if bidirectional else 1):
            name = suffix + ("_reverse" if d else "")
            cell = getattr(model, "rnn_cell" + name)
            single = layer_of(cell, mixed_memory=kind == "cfc")
            if kind == "cfc":
                single.lstm.load_state_dict(getattr(model, "lstm" + name).state_dict())
            seq, tsd = (inp, ts) if d == 0 else (inp.flip([1]), ts.flip([1]))
            out, s = single(seq, states[k], tsd)
            outs.append(out if d == 0 else out.flip([1]))
            for a, b in zip(s if isinstance(s, tuple) else [s], finals[k] if isinstance(finals[k], tuple)
                            else [finals[k]]):
                close(b, a, f"state {k}")
            k += 1
        inp = fl.cat(outs, -1) if bidirectional else outs[0]
    close(y, inp, "output")


def test_return_state_defaults():
    x = fl.randn(2, 3, 4)
    assert isinstance(CfC(4, 5)(x), tuple)  # ncps: (output, state)
    assert isinstance(CfC(cell=CfCCell(4, 5))(x), fl.Tensor)  # the MLX seeds: the output unless return_state
    assert len(CfC(cell=CfCCell(4, 5), return_state=True)(x)) == 2
    assert isinstance(CfC(4, 5, return_state=False)(x), fl.Tensor)
    y, states = LTC(cell=LTCCell(FullyConnected(5), 4), bidirectional=True, return_state=True)(x)
    assert y.shape == (2, 3, 10) and len(states) == 2


def test_time_delta_forms():
    fl.manual_seed(2)
    model = CfC(4, 6, backbone_units=8).double()
    x, ts = data(B=3, L=4)
    y_ref, _ = model(x, None, ts)
    close(model(x, time_delta=ts.unsqueeze(-1))[0], y_ref, "(B, L, 1)")
    full = fl.full((3, 4), 0.5, dtype=fl.float64)
    y_half = model(x, None, full)[0]
    close(model(x, time_delta=0.5)[0], y_half, "scalar")
    close(model(x, time_delta=fl.tensor(0.5, dtype=fl.float64))[0], y_half, "0-d")
    per_step = ts[0]
    close(model(x, time_delta=per_step)[0], model(x, None, per_step.unsqueeze(0).expand(3, 4))[0], "(L)")
    close(model(x, time_delta=1.0)[0], model(x)[0], "1.0")
    tm = CfC(4, 6, backbone_units=8, batch_first=False).double()
    tm.load_state_dict(model.state_dict())
    xt = x.transpose(0, 1)
    close(tm(xt, None, ts.t())[0], y_ref.transpose(0, 1), "(L, B) time major")
    close(tm(xt, None, ts.t().unsqueeze(-1))[0], y_ref.transpose(0, 1), "(L, B, 1) time major")


def test_lazy_cell_learns_its_input_size():
    fl.manual_seed(3)
    wiring = AutoNCP(12, 3, seed=2)
    cell = CfCCell(wiring=wiring, activation="tanh")
    assert not cell.is_built and list(cell.parameters()) == [] and wiring.input_dim is None
    model = CfC(cell=cell, mixed_memory=True, return_state=True).double()
    assert model.lstm is None
    x, ts = data(F=5)
    y, (h, c) = model(x, time_delta=ts)
    assert wiring.input_dim == 5 and cell.is_built and model.lstm.input_map.weight.shape == (48, 5)
    assert y.shape == (2, 5, 3) and y.dtype == fl.float64 and cell.ff1.weight.dtype == fl.float64
    # A fresh lazy model loads the state dict before any call (the input size comes from the checkpoint).
    twin = CfC(cell=CfCCell(wiring=AutoNCP(12, 3, seed=2), activation="tanh"), mixed_memory=True,
               return_state=True).double()
    twin.load_state_dict(model.state_dict())
    close(twin(x, time_delta=ts)[0], y, "reloaded")
    wired = CfC(units=AutoNCP(10, 2, seed=1))  # also ncps-style, without input_size
    assert wired(fl.randn(2, 3, 7))[0].shape == (2, 3, 2) and wired.rnn_cell.sensory_size == 7


def test_cfc_cell_over_a_wiring():
    fl.manual_seed(4)
    wiring = AutoNCP(10, 3, seed=6)
    model = layer_of(CfCCell(5, wiring=wiring, mode="no_gate"))
    # Without a backbone: one sparse cell whose ff1/ff2 mask holds every synapse (sensory rows, then recurrent);
    # the output is the motor neurons, state[:, :3].
    mask = np.concatenate([wiring.sensory_adjacency_matrix, wiring.adjacency_matrix], 0)
    np.testing.assert_array_equal(model.rnn_cell.sparsity_mask.numpy(), np.abs(mask.T))
    plain = layer_of(CfCCell(5, 10, "no_gate", backbone_layers=0, sparsity_mask=mask))
    plain.load_state_dict(model.state_dict())
    x, ts = data(F=5)
    y, h = model(x, None, ts)
    y_plain, h_plain = plain(x, None, ts)
    close(y, y_plain[..., :3], "motor output")
    close(h, h_plain, "state")
    # With a backbone, the wiring gives the sizes: a dense cell of 10 units with the output sliced.
    bb = layer_of(CfCCell(wiring=AutoNCP(10, 3, seed=6), activation="relu", backbone_units=[7, 7]))
    dense = layer_of(CfCCell(5, 10, activation="relu", backbone_units=7, backbone_layers=2))
    y_bb, _ = bb(x)  # learns 5 inputs here
    dense.load_state_dict(bb.state_dict())
    close(y_bb, dense(x)[0][..., :3], "backbone")
    assert bb.output_size == 3 and bb.state_size == 10 and bb.rnn_cell.synapse_count > 0


def test_ltc_cell_backbone_feeds_the_sensory_neurons():
    fl.manual_seed(5)
    cell = LTCCell(AutoNCP(10, 3, seed=3), activation="gelu", backbone_units=[6, 6])
    model = layer_of(cell, mixed_memory=True)
    x, ts = data(F=4)
    y, (h, c) = model(x, None, ts)
    assert cell.wiring.input_dim == 6 and cell.backbone[0].weight.shape == (6, 4)
    ref_cell = LTCCell(copy.deepcopy(cell.wiring), 6, implicit_param_constraints=False)
    ref = layer_of(ref_cell, mixed_memory=True)
    ref.load_state_dict({k.replace("rnn_cell.", "rnn_cell.", 1): v for k, v in model.state_dict().items()
                         if ".backbone." not in k})
    with fl.no_grad():
        features = cell.backbone(x)
    y_ref, (h_ref, c_ref) = ref(features, None, ts)
    close(y, y_ref, "output")
    close(c, c_ref, "cell state")


def test_keyword_aliases_and_structure():
    assert list(CfC(4, hidden_size=8).state_dict()) == list(CfC(4, 8).state_dict())
    assert list(CfC(4, wiring=AutoNCP(10, 3)).state_dict()) == list(CfC(4, AutoNCP(10, 3)).state_dict())
    assert LTC(4, hidden_size=6).state_size == 6
    model = CfC(cell=CfCCell(4, 5), num_layers=2, bidirectional=True, mixed_memory=True, proj_size=3)
    names = [n for n, _ in model.named_children()]
    assert names == ["rnn_cell", "lstm", "rnn_cell_reverse", "lstm_reverse", "rnn_cell_l1", "lstm_l1",
                     "rnn_cell_l1_reverse", "lstm_l1_reverse", "fc"]
    assert model.rnn_cell_l1.input_size == 10 and model.fc.in_features == 10
    assert model(fl.randn(2, 3, 4)).shape == (2, 3, 3)
    with pytest.raises(ValueError, match="Invalid merge mode"):
        CfC(4, 5, bidirectional=True, merge_mode="max")
    with pytest.raises(ValueError, match="either a cell or units"):
        CfC(4, 5, cell=CfCCell(4, 5))
    with pytest.raises(ValueError, match="set mode, activation and the backbone on the cell"):
        CfC(cell=CfCCell(4, 5), mode="pure")
    with pytest.raises(ValueError, match="expected a list of 4 initial states"):
        CfC(cell=CfCCell(4, 5), num_layers=2, bidirectional=True)(fl.randn(2, 3, 4), initial_state=fl.zeros(2, 5))
    with pytest.raises(ValueError, match="backbone_units has 2 widths but backbone_layers is 3"):
        CfCCell(4, 5, backbone_units=[8, 8], backbone_layers=3)
    with pytest.raises(ValueError, match="input_size 3 differs from the cell's 4"):
        CfC(3, cell=CfCCell(4, 5))


def test_backbone_widths_may_differ():
    # backbone_units=[8, 5, 3]: Linear(4 + 6, 8), Linear(8, 5), Linear(5, 3), each followed by the activation; the
    # fused op against the step-by-step composition (values and gradients), and the stepper against both.
    fl.manual_seed(6)
    cell = CfCCell(4, 6, activation="silu", backbone_units=[8, 5, 3])
    assert [tuple(cell.backbone[i].weight.shape) for i in (0, 2, 4)] == [(8, 10), (5, 8), (3, 5)]
    model = layer_of(cell, mixed_memory=True)
    x, ts = data()
    x.requires_grad_()
    y, (h, c) = model(x, None, ts)
    weights = dict({"rnn_cell." + k: v for k, v in model.rnn_cell.named_parameters()},
                   **{"lstm." + k: v for k, v in model.lstm.named_parameters()})
    y_ref, h_ref, c_ref = fl._C._ncps.cfc_sequence_reference(x, weights, None, None, ts, activation="silu")
    for got, want, what in ((y, y_ref, "y"), (h, h_ref, "h"), (c, c_ref, "c")):
        close(got, want, what, 1e-12)
    params = list(model.parameters())
    g = fl.autograd.grad((y * y).sum() + h.sum(), [x] + params)
    g_ref = fl.autograd.grad((y_ref * y_ref).sum() + h_ref.sum(), [x] + params)
    for a, b in zip(g, g_ref):
        close(a, b, "gradient", 1e-11)
    out, _ = model.step(x[:, 0].detach(), None, fl.tensor(0.0) + ts[0, 0])
    close(out, model(x[:, :1].detach(), None, ts[:, :1].clone().fill_(ts[0, 0].item()))[0][:, 0], "step", 1e-11)
