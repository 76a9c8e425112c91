"""Lazy ncps cells (docs/NCPS.md, "Lazy input size"): a cell built from an unbuilt wiring registers its parameters
as UninitializedParameters and materialises those same objects at its first call, so an optimizer built before that
call trains them exactly as one built after it."""
import copy
import pickle

import numpy as np
import pytest

import flashlight as fl
from flashlight.nn import Parameter, UninitializedParameter
from flashlight.ncps import CfC, CfCCell, LTC, LTCCell
from flashlight.ncps.wirings import AutoNCP, FullyConnected

MODELS = {
    "cfc_sparse": lambda: CfC(cell=CfCCell(wiring=AutoNCP(16, 2, seed=1))),
    "cfc_backbone": lambda: CfC(cell=CfCCell(wiring=AutoNCP(12, 2, seed=2), backbone_units=[8, 8], mode="pure")),
    "cfc_bidirectional": lambda: CfC(cell=CfCCell(wiring=AutoNCP(16, 2, seed=3)), bidirectional=True),
    "cfc_stacked_mixed": lambda: CfC(cell=CfCCell(wiring=AutoNCP(10, 2, seed=4), activation="tanh"), num_layers=2,
                                     bidirectional=True, merge_mode="sum", mixed_memory=True),
    "wired_cfc": lambda: CfC(units=AutoNCP(10, 2, seed=5), mixed_memory=True),
    "ltc": lambda: LTC(cell=LTCCell(AutoNCP(10, 2, seed=6))),
    "ltc_backbone_stacked": lambda: LTC(cell=LTCCell(FullyConnected(6, 2), backbone_units=[5]), num_layers=2),
    "cfc_plain": lambda: CfC(units=8, backbone_units=6),  # ncps form without input_size
}


def batch(seed=0, F=3):
    rng = np.random.default_rng(seed)
    return fl.tensor(rng.standard_normal((4, 6, F)).astype(np.float32)), fl.tensor(
        rng.standard_normal((4, 6, 1)).astype(np.float32))


def loss_of(model, x, y):
    out = model(x)
    out = out[0] if isinstance(out, tuple) else out
    return ((out - y) ** 2).mean()


def snapshot(model):
    return {n: p.detach().numpy().copy() for n, p in model.named_parameters()}


@pytest.mark.parametrize("name", list(MODELS))
def test_optimizer_built_before_the_first_call_trains_every_parameter(name):
    x, y = batch()
    fl.manual_seed(0)
    model = MODELS[name]()
    before = list(model.named_parameters())
    assert isinstance(before[0][1], UninitializedParameter) or isinstance(model.rnn_cell.backbone[0].weight,
                                                                          UninitializedParameter)
    opt = fl.optim.Adam(model.parameters(), lr=3e-2)
    loss = loss_of(model, x, y)
    loss.backward()
    initial = snapshot(model)
    opt.step()
    # The same objects, now real Parameters with values, and every trainable one moved by the step.
    assert [n for n, _ in model.named_parameters()] == [n for n, _ in before]
    assert all(p is q and type(p) is Parameter and p.numel() > 0 for (_, p), (_, q) in zip(model.named_parameters(),
                                                                                          before))
    stepped = snapshot(model)
    for n, p in model.named_parameters():
        assert np.array_equal(initial[n], stepped[n]) != p.requires_grad, n  # masks (no grad) stay
    losses = [float(loss.item())]
    for _ in range(20):
        opt.zero_grad()
        loss = loss_of(model, x, y)
        loss.backward()
        opt.step()
        losses.append(float(loss.item()))
    assert losses[-1] < 0.9 * losses[0]


@pytest.mark.parametrize("name", ["cfc_sparse", "cfc_stacked_mixed", "ltc"])
def test_optimizer_before_the_first_call_matches_one_built_after_it(name):
    """The placeholders take the values a model built at its first call always had: same seed, same training."""
    x, y = batch(1)
    results = []
    for early in (True, False):
        fl.manual_seed(7)
        model = MODELS[name]()
        opt = fl.optim.Adam(model.parameters(), lr=1e-2) if early else None
        for step in range(3):
            loss = loss_of(model, x, y)
            if opt is None:
                opt = fl.optim.Adam(model.parameters(), lr=1e-2)
            opt.zero_grad()
            loss.backward()
            opt.step()
        results.append(snapshot(model))
    early, late = results
    assert list(early) == list(late)
    for n in early:
        np.testing.assert_array_equal(early[n], late[n], err_msg=n)


def test_placeholders_names_shapes_and_materialisation():
    fl.manual_seed(0)
    wiring = AutoNCP(16, 2, seed=1)
    cell = CfCCell(wiring=wiring)
    names = ["sparsity_mask", "ff1.weight", "ff1.bias", "ff2.weight", "ff2.bias", "time_a.weight", "time_a.bias",
             "time_b.weight", "time_b.bias"]
    assert [n for n, _ in cell.named_parameters()] == names and not cell.is_built and wiring.input_dim is None
    held = dict(cell.named_parameters())
    assert all(p.shape == (0,) and repr(p) == "<UninitializedParameter>" for p in held.values())
    assert not held["sparsity_mask"].requires_grad and held["ff1.weight"].requires_grad
    out, h = cell(fl.randn(2, 3))
    assert out.shape == (2, 2) and h.shape == (2, 16) and wiring.input_dim == 3
    after = dict(cell.named_parameters())
    assert list(after) == names and all(after[n] is held[n] and type(after[n]) is Parameter for n in names)
    assert after["ff1.weight"].shape == (16, 19) and after["ff1.bias"].shape == (16,)
    assert cell.ff1.weight is held["ff1.weight"] and not held["sparsity_mask"].requires_grad
    mask = np.concatenate([wiring.sensory_adjacency_matrix, wiring.adjacency_matrix], 0)
    np.testing.assert_array_equal(cell.sparsity_mask.detach().numpy(), np.abs(mask.T))
    # An LTC cell with a backbone has its own parameters at once (the wiring reads the backbone); only the
    # backbone waits for the input size.
    ltc = LTCCell(AutoNCP(8, 2, seed=2), backbone_units=[5])
    pending = [n for n, p in ltc.named_parameters() if isinstance(p, UninitializedParameter)]
    assert pending == ["backbone.0.weight", "backbone.0.bias"] and ltc.w.shape == (8, 8)


def test_materialised_parameters_keep_requires_grad_and_take_the_input_dtype():
    model = CfC(cell=CfCCell(wiring=AutoNCP(10, 2, seed=4)), mixed_memory=True, bidirectional=True)
    model.lstm.requires_grad_(False)  # frozen before the first call: stays frozen
    held = list(model.parameters())
    x, _ = batch()
    model(x.double())
    assert all(p is q for p, q in zip(model.parameters(), held))
    assert not any(p.requires_grad for p in model.lstm.parameters())
    assert model.rnn_cell.ff1.weight.dtype == fl.float64 and model.lstm.input_map.weight.dtype == fl.float64


@pytest.mark.parametrize("opt_class", [fl.optim.Adam, fl.optim.SGD, fl.optim.LBFGS])
def test_stepping_before_the_first_call_raises(opt_class):
    model = MODELS["cfc_bidirectional"]()
    opt = opt_class(model.parameters(), lr=0.1)
    x, y = batch()
    with pytest.raises(RuntimeError, match=r"uninitialized parameter in \w+\.step\(\)"):
        opt.step(lambda: loss_of(model, x, y)) if opt_class is fl.optim.LBFGS else opt.step()
    # MLX style too: update() with the model's (still empty) parameter tree.
    with pytest.raises(RuntimeError, match=r"uninitialized parameter in \w+\.update\(\)"):
        fl.optim.Adam([p for p in model.parameters()], lr=0.1).update(model, {})
    loss = loss_of(model, x, y)
    loss.backward()
    w = model.rnn_cell.ff1.weight.detach().numpy().copy()
    if opt_class is fl.optim.LBFGS:
        opt.step(lambda: loss_of(model, x, y))
    else:
        opt.step()
    assert not np.array_equal(w, model.rnn_cell.ff1.weight.detach().numpy())


def test_mlx_style_training_of_a_lazy_model():
    fl.manual_seed(0)
    model = MODELS["cfc_bidirectional"]()
    opt = fl.optim.Adam(learning_rate=1e-2)
    x, y = batch()
    step = fl.value_and_grad(model, loss_of)
    losses = []
    for _ in range(10):
        loss, grads = step(model, x, y)
        opt.update(model, grads)
        losses.append(float(loss.item()))
    assert losses[-1] < losses[0]


@pytest.mark.parametrize("name", ["cfc_stacked_mixed", "wired_cfc", "ltc", "ltc_backbone_stacked"])
def test_load_state_dict_into_a_fresh_lazy_model_keeps_its_parameters(name):
    x, y = batch()
    fl.manual_seed(1)
    source = MODELS[name]()
    expected = loss_of(source, x, y)
    fresh = MODELS[name]()
    held = dict(fresh.named_parameters())
    opt = fl.optim.Adam(fresh.parameters(), lr=1e-2)
    fresh.load_state_dict(source.state_dict())
    assert all(p is held[n] and type(p) is Parameter for n, p in fresh.named_parameters())
    for n, p in source.named_parameters():
        np.testing.assert_array_equal(held[n].detach().numpy(), p.detach().numpy(), err_msg=n)
    loss = loss_of(fresh, x, y)
    np.testing.assert_allclose(loss.item(), expected.item(), rtol=1e-6)
    loss.backward()
    opt.step()
    for n, p in held.items():
        assert np.array_equal(p.detach().numpy(), source.get_parameter(n).detach().numpy()) != p.requires_grad, n


def test_state_dict_of_an_unmaterialised_model_holds_its_placeholders():
    """As torch's lazy modules: the entries are the UninitializedParameters themselves; loading them into a lazy
    model leaves it lazy, loading them into a built one is a size mismatch."""
    lazy = MODELS["cfc_stacked_mixed"]()
    sd = lazy.state_dict()
    assert list(sd) == [n for n, _ in lazy.named_parameters()]
    pending = [(n, p) for n, p in lazy.named_parameters() if isinstance(p, UninitializedParameter)]
    # Layer 0 (both directions, their cells and LSTMs) waits; layer 1 knows its inputs and is built.
    assert len(pending) == 24 and all(sd[n] is p for n, p in pending)
    other = MODELS["cfc_stacked_mixed"]()
    other.load_state_dict(sd)
    assert not other.rnn_cell.is_built and not other.lstm_reverse.is_built and other.rnn_cell_l1.is_built
    x, _ = batch()
    lazy(x)  # the entries are the placeholder objects, so they now hold the values (torch's too)
    assert list(lazy.state_dict()) == list(sd) and sd["rnn_cell.ff1.weight"].shape == (10, 13)
    with pytest.raises(RuntimeError, match="size mismatch for rnn_cell.ff1.weight"):
        lazy.load_state_dict(other.state_dict())


def test_copies_of_a_lazy_model_stay_lazy_and_independent():
    model = MODELS["cfc_sparse"]()
    for twin in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert [n for n, _ in twin.named_parameters()] == [n for n, _ in model.named_parameters()]
        assert all(isinstance(p, UninitializedParameter) and p is not q
                   for p, q in zip(twin.parameters(), model.parameters()))
        assert not twin.rnn_cell.sparsity_mask.requires_grad
        twin(batch()[0])
        assert all(isinstance(p, UninitializedParameter) for p in model.parameters())


def test_uninitialized_parameter_materialize_as_torch():
    p = UninitializedParameter(dtype=fl.float64)
    assert isinstance(p, Parameter) and p.requires_grad and p.shape == (0,) and p.dtype == fl.float64
    p.materialize((2, 3))
    assert type(p) is Parameter and p.shape == (2, 3) and p.dtype == fl.float64 and p.requires_grad
    q = UninitializedParameter(requires_grad=False)
    q.materialize(fl.arange(4.0))
    assert q.tolist() == [0.0, 1.0, 2.0, 3.0] and not q.requires_grad and type(q) is Parameter
