"""RNN, LSTM, GRU and their cells against torch.nn: the same constructor arguments, torch's weights copied across,
then outputs, final states and the gradients of the input, the initial states and every parameter compared, in
float32 and float64. Train-mode dropout is checked by its statistics (torch's random stream is not ours); errors
by class and message."""
import numpy as np
import pytest
import torch

import flashlight as fl
import flashlight.nn as nn
from flashlight._C import _nn

TOL = {"float32": dict(rtol=2e-4, atol=2e-5), "float64": dict(rtol=1e-9, atol=1e-11)}
T, N = 5, 3

SEQ_CASES = [
    ("RNN", (3, 4), {}),
    ("RNN", (3, 4), dict(num_layers=2, nonlinearity="relu")),
    ("RNN", (3, 4), dict(num_layers=2, bidirectional=True, batch_first=True)),
    ("RNN", (3, 4), dict(bias=False, bidirectional=True, nonlinearity="relu")),
    ("LSTM", (3, 4), {}),
    ("LSTM", (3, 4), dict(num_layers=2, bidirectional=True)),
    ("LSTM", (3, 5), dict(num_layers=2, proj_size=2, batch_first=True)),
    ("LSTM", (3, 5), dict(proj_size=3, bidirectional=True, bias=False)),
    ("LSTM", (3, 4), dict(num_layers=2, dropout=0.5)),
    ("GRU", (3, 4), {}),
    ("GRU", (3, 4), dict(num_layers=2, bidirectional=True, batch_first=True)),
    ("GRU", (3, 4), dict(bias=False, num_layers=3, dropout=0.3)),
]
CELL_CASES = [
    ("RNNCell", (3, 4), {}),
    ("RNNCell", (3, 4), dict(nonlinearity="relu")),
    ("RNNCell", (3, 4), dict(bias=False)),
    ("LSTMCell", (3, 4), {}),
    ("LSTMCell", (3, 4), dict(bias=False)),
    ("GRUCell", (3, 4), {}),
    ("GRUCell", (3, 4), dict(bias=False)),
]


def case_id(case):
    name, args, kwargs = case
    return name + "-" + "-".join(f"{k}={v}" for k, v in kwargs.items())


def build(name, args, kwargs, dtype="float64"):
    torch.manual_seed(0)  # the same weights whatever ran before
    t = getattr(torch.nn, name)(*args, **kwargs).to(getattr(torch, dtype))
    f = getattr(nn, name)(*args, **kwargs, dtype=getattr(fl, dtype))
    f.load_state_dict({k: v.detach().numpy() for k, v in t.state_dict().items()})
    if kwargs.get("dropout"):  # dropout > 0 compares in eval mode; train mode is tested by statistics below
        t.eval()
        f.eval()
    return t, f


def leaves(arr):
    return torch.tensor(arr, requires_grad=True), fl.tensor(arr, requires_grad=True)


def close(f_tensor, t_tensor, dtype, what):
    assert tuple(f_tensor.shape) == tuple(t_tensor.shape), what
    np.testing.assert_allclose(f_tensor.detach().numpy(), t_tensor.detach().numpy(), err_msg=what, **TOL[dtype])


def backward_both(t_outs, f_outs, rng, dtype):
    """Backpropagates sum(out * w) over all outputs with the same random weights in both libraries."""
    t_loss, f_loss = 0, 0
    for to, fo in zip(t_outs, f_outs):
        w = rng.standard_normal(tuple(to.shape)).astype(dtype)
        t_loss = t_loss + (to * torch.tensor(w)).sum()
        f_loss = f_loss + (fo * fl.tensor(w)).sum()
    t_loss.backward()
    f_loss.backward()


def compare_param_grads(t, f, dtype):
    t_params = dict(t.named_parameters())
    for n, fp in f.named_parameters():
        close(fp.grad, t_params[n].grad, dtype, "grad of " + n)


@pytest.mark.parametrize("given_hx", [True, False], ids=["hx", "no_hx"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", SEQ_CASES, ids=case_id)
def test_sequence_parity(case, dtype, batched, given_hx):
    name, args, kwargs = case
    t, f = build(name, args, kwargs, dtype)
    rng = np.random.default_rng(len(kwargs) + args[1])
    lead = ((N, T) if kwargs.get("batch_first") else (T, N)) if batched else (T,)
    tx, fx = leaves(rng.standard_normal(lead + (args[0],)).astype(dtype))
    states = []
    if given_hx:
        dirs = 2 if kwargs.get("bidirectional") else 1
        layers = kwargs.get("num_layers", 1)
        sizes = [kwargs.get("proj_size") or args[1]] + ([args[1]] if name == "LSTM" else [])
        for size in sizes:
            shape = (layers * dirs, N, size) if batched else (layers * dirs, size)
            states.append(leaves(rng.standard_normal(shape).astype(dtype)))
    t_hx = f_hx = None
    if states:
        t_hx, f_hx = ([s[0] for s in states], [s[1] for s in states])
        t_hx, f_hx = (tuple(t_hx), tuple(f_hx)) if name == "LSTM" else (t_hx[0], f_hx[0])
    t_out, t_h = t(tx, t_hx)
    f_out, f_h = f(fx, f_hx)
    close(f_out, t_out, dtype, "output")
    t_final = list(t_h) if name == "LSTM" else [t_h]
    f_final = list(f_h) if name == "LSTM" else [f_h]
    for k, (fh, th) in enumerate(zip(f_final, t_final)):
        close(fh, th, dtype, f"final state {k}")
    backward_both([t_out] + t_final, [f_out] + f_final, rng, dtype)
    close(fx.grad, tx.grad, dtype, "grad of input")
    for k, (ts, fs) in enumerate(states):
        close(fs.grad, ts.grad, dtype, f"grad of initial state {k}")
    compare_param_grads(t, f, dtype)


@pytest.mark.parametrize("given_hx", [True, False], ids=["hx", "no_hx"])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("case", CELL_CASES, ids=case_id)
def test_cell_parity(case, dtype, batched, given_hx):
    name, args, kwargs = case
    t, f = build(name, args, kwargs, dtype)
    rng = np.random.default_rng(7)
    lead = (N,) if batched else ()
    tx, fx = leaves(rng.standard_normal(lead + (args[0],)).astype(dtype))
    states = [leaves(rng.standard_normal(lead + (args[1],)).astype(dtype))
              for _ in range(2 if name == "LSTMCell" else 1)] if given_hx else []
    t_hx = f_hx = None
    if states:
        t_hx, f_hx = (tuple(s[0] for s in states), tuple(s[1] for s in states))
        if name != "LSTMCell":
            t_hx, f_hx = t_hx[0], f_hx[0]
    t_out = t(tx, t_hx)
    f_out = f(fx, f_hx)
    t_outs = list(t_out) if name == "LSTMCell" else [t_out]
    f_outs = list(f_out) if name == "LSTMCell" else [f_out]
    for k, (fo, to) in enumerate(zip(f_outs, t_outs)):
        close(fo, to, dtype, f"output {k}")
    backward_both(t_outs, f_outs, rng, dtype)
    close(fx.grad, tx.grad, dtype, "grad of input")
    for k, (ts, fs) in enumerate(states):
        close(fs.grad, ts.grad, dtype, f"grad of state {k}")
    compare_param_grads(t, f, dtype)


def test_cells_with_one_bias_match_torch():
    rng = np.random.default_rng(3)
    x, h = rng.standard_normal((2, 3)), rng.standard_normal((2, 4))
    w_ih, w_hh, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 4)), rng.standard_normal(4)
    T, F = torch.tensor, fl.tensor
    for fn in ("rnn_tanh_cell", "rnn_relu_cell"):
        want = getattr(torch, fn)(T(x), T(h), T(w_ih), T(w_hh), T(b))
        got = getattr(_nn, fn)(F(x), F(h), F(w_ih), F(w_hh), F(b))
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, atol=1e-12)
        want = getattr(torch, fn)(T(x), T(h), T(w_ih), T(w_hh), None, T(b))
        got = getattr(_nn, fn)(F(x), F(h), F(w_ih), F(w_hh), b_hh=F(b))
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, atol=1e-12)


def test_functional_ops_match_torch_vf():
    """The _nn sequence ops take torch's _VF arguments (batched input, flat weights)."""
    t = torch.nn.LSTM(3, 5, num_layers=2, proj_size=2, bidirectional=True).double()
    rng = np.random.default_rng(4)
    x = rng.standard_normal((T, N, 3))
    h, c = rng.standard_normal((4, N, 2)), rng.standard_normal((4, N, 5))
    want = torch._VF.lstm(torch.tensor(x), (torch.tensor(h), torch.tensor(c)), t._flat_weights, True, 2, 0.0,
                          False, True, False)
    got = _nn.lstm(fl.tensor(x), [fl.tensor(h), fl.tensor(c)], [fl.tensor(w.detach().numpy()) for w in t._flat_weights],
                   True, 2, 0.0, False, True, False)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.detach().numpy(), rtol=1e-10, atol=1e-12)


# --- modules: state_dict keys and repr -------------------------------------------------------------------------------

@pytest.mark.parametrize("case", SEQ_CASES + CELL_CASES, ids=case_id)
def test_state_dict_keys_shapes_and_repr_match_torch(case):
    name, args, kwargs = case
    t = getattr(torch.nn, name)(*args, **kwargs)
    f = getattr(nn, name)(*args, **kwargs)
    assert list(f.state_dict().keys()) == list(t.state_dict().keys())
    assert [tuple(v.shape) for v in f.state_dict().values()] == [tuple(v.shape) for v in t.state_dict().values()]
    assert repr(f) == repr(t)


# --- train-mode dropout: statistics ----------------------------------------------------------------------------------

def dropout_probe(p, hidden=4):
    """A 2-layer relu RNN whose first layer emits 2 everywhere (bias 2) and whose second is the identity, so its
    output is the dropout mask between the layers times 2."""
    f = nn.RNN(1, hidden, num_layers=2, nonlinearity="relu", dropout=p, dtype=fl.float64)
    sd = {k: np.zeros(tuple(v.shape)) for k, v in f.state_dict().items()}
    sd["bias_ih_l0"] = np.full(hidden, 2.0)
    sd["weight_ih_l1"] = np.eye(hidden)
    f.load_state_dict(sd)
    return f


def test_train_mode_dropout_statistics_and_gradient():
    p, steps, batch = 0.3, 60, 25
    f = dropout_probe(p)
    x = fl.zeros((steps, batch, 1), dtype=fl.float64)
    fl.manual_seed(1)
    out, _ = f(x)
    v = out.detach().numpy()
    kept = v != 0
    np.testing.assert_allclose(v[kept], 2.0 / (1 - p), rtol=1e-12)
    assert abs((~kept).mean() - p) < 0.035  # 6000 draws: sd 0.006
    # Masks differ across units, steps and sequences (not one shared draw).
    assert 0 < kept[:, :, 0].mean() < 1 and 0 < kept[0].mean() < 1
    # The backward uses the same mask: d sum(out) / d bias_ih_l0[j] = (kept count of unit j) / (1 - p).
    out.sum().backward()
    np.testing.assert_allclose(f.bias_ih_l0.grad.numpy(), kept.sum(axis=(0, 1)) / (1 - p), rtol=1e-12)
    # Reproducible from the seed; other draws differ.
    fl.manual_seed(1)
    np.testing.assert_array_equal(f(x)[0].detach().numpy(), v)
    assert not np.array_equal(f(x)[0].detach().numpy(), v)
    # Eval mode: no dropout.
    f.eval()
    np.testing.assert_array_equal(f(x)[0].detach().numpy(), np.full((steps, batch, 4), 2.0))


def test_train_mode_dropout_one_zeroes_between_layers_only():
    f = dropout_probe(1.0)
    out, h = f(fl.zeros((4, 2, 1), dtype=fl.float64))
    assert not out.detach().numpy().any()
    # The first layer's final state is not dropped.
    np.testing.assert_array_equal(h.detach().numpy()[0], np.full((2, 4), 2.0))


# --- errors ----------------------------------------------------------------------------------------------------------

def same_error(t_call, f_call):
    with pytest.raises(Exception) as te:
        t_call()
    with pytest.raises(type(te.value)) as fe:
        f_call()
    assert str(fe.value) == str(te.value)


def both_call(name, args, kwargs, make_inputs):
    t, f = build(name, args, kwargs)
    t_in = [tuple(torch.zeros(*s, dtype=torch.float64) for s in a) if isinstance(a, list)
            else torch.zeros(*a, dtype=torch.float64) for a in make_inputs]
    f_in = [tuple(fl.zeros(s, dtype=fl.float64) for s in a) if isinstance(a, list)
            else fl.zeros(a, dtype=fl.float64) for a in make_inputs]
    return (lambda: t(*t_in)), (lambda: f(*f_in))


@pytest.mark.parametrize("name,args,kwargs,inputs", [
    ("LSTM", (3, 4), dict(num_layers=2), [(5, 2, 3), [(1, 2, 4), (2, 2, 4)]]),
    ("LSTM", (3, 4), dict(num_layers=2), [(5, 2, 3), [(2, 2, 4), (2, 3, 4)]]),
    ("LSTM", (3, 5), dict(proj_size=2), [(5, 2, 3), [(1, 2, 5), (1, 2, 5)]]),
    ("LSTM", (3, 4), {}, [(5, 3), [(1, 2, 4), (1, 2, 4)]]),
    ("LSTM", (3, 4), {}, [(5, 2, 3), [(1, 4), (1, 2, 4)]]),
    ("GRU", (3, 4), dict(bidirectional=True), [(5, 2, 3), (1, 2, 4)]),
    ("GRU", (3, 4), {}, [(5, 2, 3), (1, 4)]),
    ("RNN", (3, 4), {}, [(5, 3), (1, 2, 4)]),
    ("RNN", (3, 4), {}, [(5, 3), (2, 4)]),
    ("RNN", (3, 4), {}, [(5, 2, 6)]),
    ("GRU", (3, 4), {}, [(2, 3, 5, 3)]),
    ("LSTMCell", (3, 4), {}, [(2, 5)]),
    ("LSTMCell", (3, 4), {}, [(2, 3), [(3, 4), (2, 4)]]),
    ("LSTMCell", (3, 4), {}, [(2, 3), [(2, 4), (2, 5)]]),
    ("LSTMCell", (3, 4), {}, [(2, 3), [(2, 4), (1, 2, 4)]]),
    ("RNNCell", (3, 4), {}, [(3,), (2, 4)]),
    ("RNNCell", (3, 4), {}, [(2, 3), (4,)]),
    ("GRUCell", (3, 4), {}, [(2, 3), (1, 2, 4)]),
    ("GRUCell", (3, 4), {}, [(2, 3, 3)]),
])
def test_errors_match_torch(name, args, kwargs, inputs):
    same_error(*both_call(name, args, kwargs, inputs))


def test_dtype_mismatch_errors_match_torch():
    t, f = build("GRU", (3, 4), {}, "float32")
    same_error(lambda: t(torch.zeros(5, 2, 3, dtype=torch.float64)), lambda: f(fl.zeros((5, 2, 3), dtype=fl.float64)))
    same_error(lambda: t(torch.zeros(5, 2, 3), torch.zeros(1, 2, 4, dtype=torch.float64)),
               lambda: f(fl.zeros((5, 2, 3)), fl.zeros((1, 2, 4), dtype=fl.float64)))


def test_functional_errors_raise_torch_classes():
    x, h = fl.zeros((5, 2, 3)), fl.zeros((1, 2, 4))
    w = [fl.zeros((4, 3)), fl.zeros((4, 4)), fl.zeros(4), fl.zeros(4)]
    with pytest.raises(RuntimeError, match="got an incorrect number of RNN parameters"):
        _nn.rnn_tanh(x, h, w[:3], True, 1, 0.0, False, False, False)
    with pytest.raises(RuntimeError, match="lstm expects two hidden states"):
        _nn.lstm(x, [h], w, True, 1, 0.0, False, False, False)
    with pytest.raises(RuntimeError, match="Expected sequence length to be larger than 0 in RNN"):
        _nn.gru(fl.zeros((0, 2, 3)), h, [fl.zeros((12, 3)), fl.zeros((12, 4))], False, 1, 0.0, False, False, False)
    with pytest.raises(RuntimeError, match="lstm_cell expects two hidden states"):
        _nn.lstm_cell(fl.zeros((2, 3)), [fl.zeros((2, 4))], fl.zeros((16, 3)), fl.zeros((16, 4)))


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_double_backward_matches_torch(name):
    """Gradients of gradients (create_graph) through the whole stack: the backward is itself differentiable."""
    t, f = build(name, (3, 4), dict(num_layers=2, bidirectional=True))
    x = np.random.default_rng(5).standard_normal((4, 2, 3))
    tx, fx = leaves(x)
    tg, = torch.autograd.grad(t(tx)[0].pow(2).sum(), tx, create_graph=True)
    fg, = fl.autograd.grad(f(fx)[0].pow(2).sum(), fx, create_graph=True)
    close(fg, tg, "float64", "first gradient")
    tg.pow(2).sum().backward()
    fg.pow(2).sum().backward()
    assert np.abs(tx.grad.numpy()).max() > 1e-5  # a second-order term that is not vanishing
    close(fx.grad, tx.grad, "float64", "second-order grad of input")
    compare_param_grads(t, f, "float64")


@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
def test_train_mode_dropout_one_feeds_zeros_to_the_next_layer(batched):
    """With p = 1 every unit between the layers is dropped: the top layer sees zeros, bidirectional outputs too."""
    f = nn.LSTM(3, 4, num_layers=2, bidirectional=True, dropout=1.0, dtype=fl.float64)
    top = nn.LSTM(8, 4, bidirectional=True, dtype=fl.float64)
    top.load_state_dict({k.replace("_l1", "_l0"): v.numpy().copy() for k, v in f.state_dict().items() if "_l1" in k})
    rng = np.random.default_rng(2)
    lead = (5, 2) if batched else (5,)
    state = (4, 2, 4) if batched else (4, 4)
    x, h, c = (fl.tensor(rng.standard_normal(s)) for s in (lead + (3,), state, state))
    out, (hn, cn) = f(x, (h, c))
    want, (wh, wc) = top(fl.zeros(lead + (8,), dtype=fl.float64), (h[2:], c[2:]))
    np.testing.assert_allclose(out.detach().numpy(), want.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(hn[2:].detach().numpy(), wh.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(cn[2:].detach().numpy(), wc.detach().numpy(), rtol=1e-12, atol=1e-14)
