"""Every flashlight.nn layer against torch.nn with torch's weights loaded: each row builds torch.nn.X(*args, **kw)
and flashlight.nn.X(*args, **kw), copies torch's state dict into flashlight (strict, through numpy), and compares
the state-dict keys and shapes, the forward outputs, the gradients of a random-cotangent weighted sum with respect
to every parameter and every float input, and the buffers after the forward (BatchNorm's running statistics), in
float32 and float64, in eval mode and, where the layer is deterministic, in train mode."""
from __future__ import annotations

import dataclasses
import zlib

import numpy as np
import pytest
import torch

import flashlight as fl
import flashlight.nn as fnn

TOL = {"float32": 1e-5, "float64": 1e-10}
CONV_WEIGHT_GRAD_TOL32 = 1e-4  # float32 conv weight gradients sum many products


# ---------------------------------------------------------------------------------------------------------------
# Input and argument specs: values are drawn once per (row, dtype) from a seeded generator and given to both.

@dataclasses.dataclass
class X:
    """A float input: shape, value domain, whether its gradient is compared."""
    shape: tuple
    dom: str = "real"
    grad: bool = True


@dataclasses.dataclass
class I:
    """An int64 input with values in [lo, hi)."""
    shape: tuple
    lo: int
    hi: int


@dataclasses.dataclass
class W:
    """A tensor constructor argument (a loss weight): the same float values as each library's tensor."""
    values: tuple


def _draw(rng, spec):
    if isinstance(spec, I):
        return rng.integers(spec.lo, spec.hi, size=spec.shape)
    if isinstance(spec, tuple):
        return tuple(_draw(rng, s) for s in spec)
    n = int(np.prod(spec.shape))
    if spec.dom == "real":
        return rng.uniform(-2, 2, spec.shape)
    if spec.dom == "sep":  # distinct values at least 0.5 apart: no ties for max pooling
        return ((rng.permutation(n) - n / 2) * 0.75 + rng.uniform(0, 0.25, n)).reshape(spec.shape)
    if spec.dom == "prob":
        return rng.uniform(0.05, 0.95, spec.shape)
    if spec.dom == "logprob":  # log-softmax over dim 1
        z = rng.uniform(-2, 2, spec.shape)
        return z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    if spec.dom == "simplex":  # probabilities summing to 1 over dim 1
        z = rng.uniform(0.1, 1.0, spec.shape)
        return z / z.sum(axis=1, keepdims=True)
    if spec.dom == "sign":
        return rng.choice([-1.0, 1.0], size=spec.shape)
    raise ValueError(spec.dom)


def _to_lib(value, spec, lib, dtype):
    """numpy values as a leaf tensor of lib (torch or fl), float inputs in dtype; nested tuples kept."""
    if isinstance(spec, tuple):
        return tuple(_to_lib(v, s, lib, dtype) for v, s in zip(value, spec))
    a = value.astype(np.int64) if isinstance(spec, I) else value.astype(dtype)
    t = torch.from_numpy(a.copy()) if lib is torch else fl.tensor(a)
    if isinstance(spec, X) and spec.grad:
        t.requires_grad_(True)
    return t


def _ctor_value(v, lib, dtype):
    if isinstance(v, W):
        a = np.asarray(v.values, dtype=dtype)
        return torch.from_numpy(a) if lib is torch else fl.tensor(a)
    return v


def _leaves(x):
    if isinstance(x, (tuple, list)):
        return [leaf for v in x for leaf in _leaves(v)]
    return [] if x is None else [x]


def _np(x):
    return np.asarray(x.detach().numpy())


# ---------------------------------------------------------------------------------------------------------------
# The table.

@dataclasses.dataclass
class Row:
    name: str
    args: tuple
    inputs: tuple  # specs of the positional inputs of forward
    kwargs: dict = dataclasses.field(default_factory=dict)
    call_kwargs: dict = dataclasses.field(default_factory=dict)  # keyword arguments of forward
    train: bool = True  # also run in train mode (deterministic layers only)
    grad_tol64: float | None = None  # float64 gradient tolerance where torch itself is less precise
    tag: str = ""
    xfail: str | None = None

    @property
    def id(self):
        return self.name + (f"-{self.tag}" if self.tag else "")


def R(name, *args, inputs, **kw):
    fields = {k: kw.pop(k) for k in ("call_kwargs", "train", "tag", "xfail", "grad_tol64") if k in kw}
    return Row(name, args, tuple(inputs), kw, **fields)


A = X((2, 3, 4))  # the default activation input
ROWS = [
    # Linear layers.
    R("Linear", 4, 3, inputs=[X((2, 4))]),
    R("Linear", 4, 3, bias=False, inputs=[X((2, 3, 4))], tag="nobias3d"),
    R("Bilinear", 3, 4, 2, inputs=[X((5, 3)), X((5, 4))]),
    R("Bilinear", 3, 4, 2, bias=False, inputs=[X((5, 3)), X((5, 4))], tag="nobias"),
    R("Identity", inputs=[A]),
    # Convolutions.
    R("Conv1d", 2, 4, 3, inputs=[X((2, 2, 7))]),
    R("Conv1d", 2, 4, 3, stride=2, padding=1, dilation=2, inputs=[X((2, 2, 9))], tag="stride-dil"),
    R("Conv1d", 2, 4, 3, padding="same", padding_mode="reflect", inputs=[X((2, 2, 7))], tag="same-reflect"),
    R("Conv1d", 4, 6, 3, groups=2, bias=False, inputs=[X((2, 4, 6))], tag="groups"),
    R("Conv2d", 2, 4, 3, inputs=[X((2, 2, 6, 5))]),
    R("Conv2d", 2, 4, (3, 2), stride=(2, 1), padding=(1, 0), inputs=[X((2, 2, 6, 5))], tag="stride-pad"),
    R("Conv2d", 2, 3, 3, padding="same", dilation=2, inputs=[X((1, 2, 6, 5))], tag="same-dil"),
    R("Conv2d", 4, 6, 3, groups=2, padding=1, padding_mode="reflect", inputs=[X((2, 4, 5, 4))], tag="groups-reflect"),
    R("Conv2d", 2, 3, 2, bias=False, inputs=[X((2, 5, 4))], tag="unbatched"),
    R("ConvTranspose1d", 2, 3, 3, inputs=[X((2, 2, 5))]),
    R("ConvTranspose1d", 2, 3, 3, stride=2, padding=1, output_padding=1, inputs=[X((2, 2, 5))], tag="outpad"),
    R("ConvTranspose1d", 4, 6, 3, groups=2, dilation=2, bias=False, inputs=[X((2, 4, 5))], tag="groups-dil"),
    R("ConvTranspose2d", 2, 3, 3, inputs=[X((2, 2, 4, 3))]),
    R("ConvTranspose2d", 2, 3, 3, stride=2, padding=1, output_padding=1, inputs=[X((2, 2, 4, 3))], tag="outpad"),
    R("ConvTranspose2d", 4, 6, (3, 2), stride=(2, 1), groups=2, bias=False, inputs=[X((2, 4, 3, 3))],
      tag="groups"),
    # Pooling.
    R("MaxPool1d", 3, stride=2, padding=1, inputs=[X((2, 3, 8), "sep")]),
    R("MaxPool1d", 2, ceil_mode=True, inputs=[X((2, 3, 7), "sep")], tag="ceil"),
    R("MaxPool2d", 2, inputs=[X((2, 3, 4, 6), "sep")]),
    R("MaxPool2d", 3, stride=2, padding=1, dilation=1, ceil_mode=True, inputs=[X((2, 2, 6, 5), "sep")], tag="ceil"),
    R("MaxPool2d", 2, stride=1, dilation=2, inputs=[X((1, 2, 5, 5), "sep")], tag="dil"),
    R("AvgPool1d", 3, stride=2, padding=1, inputs=[X((2, 3, 8))]),
    R("AvgPool1d", 3, stride=2, padding=1, count_include_pad=False, ceil_mode=True, inputs=[X((2, 3, 8))],
      tag="exclpad-ceil"),
    R("AvgPool2d", 2, inputs=[X((2, 3, 4, 6))]),
    R("AvgPool2d", 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False, inputs=[X((2, 2, 6, 5))],
      tag="ceil-exclpad"),
    R("AvgPool2d", 2, divisor_override=3, inputs=[X((2, 2, 4, 4))], tag="divisor"),
    R("AdaptiveAvgPool2d", (2, 3), inputs=[X((2, 3, 5, 7))]),
    R("AdaptiveAvgPool2d", 1, inputs=[X((2, 3, 4, 4))], tag="global"),
    R("AdaptiveAvgPool1d", 3, inputs=[X((2, 3, 7))]),
    R("AdaptiveMaxPool1d", 3, return_indices=True, inputs=[X((2, 3, 7), "sep")]),
    R("AdaptiveMaxPool2d", (2, 3), inputs=[X((2, 3, 5, 7), "sep")]),
    R("AdaptiveMaxPool2d", 2, return_indices=True, inputs=[X((2, 2, 5, 4), "sep")], tag="indices"),
    # Normalization.
    R("BatchNorm1d", 3, inputs=[X((4, 3))]),
    R("BatchNorm1d", 3, momentum=None, affine=False, inputs=[X((4, 3, 5))], tag="3d-cumulative"),
    R("BatchNorm2d", 3, momentum=0.3, eps=1e-3, inputs=[X((4, 3, 2, 2))]),
    R("BatchNorm2d", 3, track_running_stats=False, inputs=[X((4, 3, 2, 2))], tag="nostats"),
    R("LayerNorm", 5, inputs=[X((2, 3, 5))]),
    R("LayerNorm", (3, 5), elementwise_affine=False, inputs=[X((2, 3, 5))], tag="noaffine"),
    R("LayerNorm", 5, bias=False, eps=1e-3, inputs=[X((2, 5))], tag="nobias"),
    R("GroupNorm", 2, 4, inputs=[X((2, 4, 3))]),
    R("GroupNorm", 1, 4, affine=False, inputs=[X((2, 4, 2, 3))], tag="noaffine"),
    # Dropout, embedding, reshaping.
    R("Dropout", 0.5, inputs=[A], train=False),
    R("Dropout", 0.0, inputs=[A], tag="p0"),
    R("Dropout1d", 0.5, inputs=[A], train=False),
    R("Dropout2d", 0.5, inputs=[X((2, 3, 4, 2))], train=False),
    R("Dropout2d", 0.0, inputs=[X((2, 3, 4, 2))], tag="p0"),
    R("AlphaDropout", 0.5, inputs=[A], train=False),
    R("Embedding", 10, 4, inputs=[I((2, 5), 0, 10)]),
    R("Embedding", 10, 4, padding_idx=0, inputs=[I((3, 5), 0, 3)], tag="padding_idx"),
    R("Flatten", inputs=[X((2, 3, 4, 2))]),
    R("Flatten", 0, 1, inputs=[X((2, 3, 4))], tag="0-1"),
    R("Unflatten", 1, (2, 2), inputs=[X((3, 4, 5))]),
    # Recurrent layers.
    R("RNN", 3, 4, inputs=[X((5, 2, 3))]),
    R("RNN", 3, 4, num_layers=2, bidirectional=True, batch_first=True, nonlinearity="relu",
      inputs=[X((2, 5, 3))], tag="2layer-bi-relu"),
    R("LSTM", 3, 4, inputs=[X((5, 2, 3))]),
    R("LSTM", 3, 4, num_layers=2, bidirectional=True, batch_first=True, inputs=[X((2, 5, 3))], tag="2layer-bi"),
    R("LSTM", 3, 4, batch_first=True, inputs=[X((2, 5, 3)), (X((1, 2, 4)), X((1, 2, 4)))], tag="h0c0"),
    R("GRU", 3, 4, inputs=[X((5, 2, 3))]),
    R("GRU", 3, 4, num_layers=2, bidirectional=True, batch_first=True, bias=False, inputs=[X((2, 5, 3))],
      tag="2layer-bi-nobias"),
    R("GRU", 3, 4, num_layers=2, inputs=[X((5, 3)), X((2, 4))], tag="unbatched-h0"),
    R("RNNCell", 3, 4, inputs=[X((2, 3))]),
    R("RNNCell", 3, 4, nonlinearity="relu", bias=False, inputs=[X((2, 3)), X((2, 4))], tag="relu-h0"),
    R("LSTMCell", 3, 4, inputs=[X((2, 3))]),
    R("LSTMCell", 3, 4, inputs=[X((3,)), (X((4,)), X((4,)))], tag="unbatched-h0c0"),
    R("GRUCell", 3, 4, inputs=[X((2, 3))]),
    R("GRUCell", 3, 4, bias=False, inputs=[X((2, 3)), X((2, 4))], tag="nobias-h0"),
    # Attention and transformer.
    R("MultiheadAttention", 8, 2, batch_first=True, inputs=[X((2, 3, 8)), X((2, 4, 8)), X((2, 4, 8))]),
    R("MultiheadAttention", 8, 2, inputs=[X((3, 2, 8)), X((4, 2, 8)), X((4, 2, 8))],
      call_kwargs=dict(need_weights=False), tag="seqfirst-noweights"),
    R("MultiheadAttention", 8, 2, batch_first=True, kdim=5, vdim=6, bias=False,
      inputs=[X((2, 3, 8)), X((2, 4, 5)), X((2, 4, 6))], call_kwargs=dict(average_attn_weights=False),
      tag="kdim-vdim-perhead"),
    R("TransformerEncoderLayer", 8, 2, dim_feedforward=16, dropout=0.0, batch_first=True, inputs=[X((2, 3, 8))]),
    R("TransformerEncoderLayer", 8, 2, dim_feedforward=16, dropout=0.0, norm_first=True, activation="gelu",
      inputs=[X((3, 2, 8))], tag="norm_first-gelu"),
    # Activations.
    *[R(name, inputs=[A]) for name in (
        "ReLU", "GELU", "SiLU", "Tanh", "Sigmoid", "Mish", "Hardtanh", "ReLU6", "SELU", "CELU", "Softsign",
        "Hardswish", "LogSigmoid", "Tanhshrink", "Softshrink", "Hardshrink", "PReLU", "ELU",
        "LeakyReLU", "Softplus")],
    # torch's float64 hardsigmoid backward multiplies by the float32 constant 1.0f / 6.0f (relative error 3e-8);
    # flashlight's gradient is the exact 1/6 (see tests/python/parity/table_elementwise.py).
    R("Hardsigmoid", inputs=[A], grad_tol64=1e-7),
    R("GELU", approximate="tanh", inputs=[A], tag="tanh"),
    R("Softmax", dim=1, inputs=[A]),
    R("LogSoftmax", dim=1, inputs=[A]),
    R("Softmin", dim=1, inputs=[A]),
    R("Softmax2d", inputs=[A]),
    R("LeakyReLU", 0.2, inputs=[A], tag="slope"),
    R("ELU", alpha=0.5, inputs=[A], tag="alpha"),
    R("CELU", alpha=1.5, inputs=[A], tag="alpha"),
    R("Softplus", beta=2.0, threshold=1.5, inputs=[A], tag="beta-threshold"),
    R("Hardtanh", -0.5, 1.5, inputs=[A], tag="range"),
    R("Softshrink", 0.7, inputs=[A], tag="lambd"),
    R("Hardshrink", 0.7, inputs=[A], tag="lambd"),
    R("PReLU", num_parameters=3, init=0.1, inputs=[A], tag="channels"),
    R("GLU", inputs=[A]),
    R("GLU", dim=1, inputs=[X((2, 4, 3))], tag="dim1"),
    R("Threshold", 0.1, 20.0, inputs=[A]),
    # Losses.
    *[R(name, reduction=red, inputs=[X((3, 4)), X((3, 4))], tag=red)
      for name in ("MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss") for red in ("mean", "sum", "none")],
    R("SmoothL1Loss", beta=0.5, inputs=[X((3, 4)), X((3, 4))], tag="beta"),
    R("HuberLoss", delta=0.5, inputs=[X((3, 4)), X((3, 4))], tag="delta"),
    *[R("CrossEntropyLoss", reduction=red, inputs=[X((4, 5)), I((4,), 0, 5)], tag=red)
      for red in ("mean", "sum", "none")],
    R("CrossEntropyLoss", weight=W((0.5, 1.0, 2.0, 1.5, 0.3)), ignore_index=1, label_smoothing=0.1,
      inputs=[X((6, 5)), I((6,), 0, 5)], tag="weight-ignore-smooth"),
    R("CrossEntropyLoss", weight=W((0.5, 1.0, 2.0)), reduction="none", label_smoothing=0.2,
      inputs=[X((2, 3, 4)), I((2, 4), 0, 3)], tag="kdim-none"),
    R("CrossEntropyLoss", label_smoothing=0.1, inputs=[X((4, 5)), X((4, 5), "simplex", grad=False)],
      tag="probs"),
    R("NLLLoss", inputs=[X((4, 5), "logprob"), I((4,), 0, 5)]),
    R("NLLLoss", weight=W((0.5, 1.0, 2.0, 1.5, 0.3)), ignore_index=2, reduction="sum",
      inputs=[X((6, 5), "logprob"), I((6,), 0, 5)], tag="weight-ignore-sum"),
    R("NLLLoss", reduction="none", inputs=[X((2, 3, 4), "logprob"), I((2, 4), 0, 3)], tag="kdim-none"),
    R("BCELoss", inputs=[X((3, 4), "prob"), X((3, 4), "prob", grad=False)]),
    R("BCELoss", weight=W((1.0, 0.5, 2.0, 0.1)), reduction="sum",
      inputs=[X((3, 4), "prob"), X((3, 4), "prob", grad=False)], tag="weight-sum"),
    R("BCEWithLogitsLoss", inputs=[X((3, 4)), X((3, 4), "prob")]),
    R("BCEWithLogitsLoss", pos_weight=W((1.0, 0.5, 2.0, 3.0)), weight=W((0.2, 1.0, 1.5, 1.0)), reduction="none",
      inputs=[X((3, 4)), X((3, 4), "prob")], tag="pos_weight-none"),
    R("KLDivLoss", reduction="batchmean", inputs=[X((3, 4), "logprob"), X((3, 4), "simplex")]),
    R("KLDivLoss", reduction="none", log_target=True, inputs=[X((3, 4), "logprob"), X((3, 4), "logprob")],
      tag="log_target-none"),
    R("KLDivLoss", reduction="sum", inputs=[X((3, 4), "logprob"), X((3, 4), "simplex")], tag="sum"),
    R("CosineEmbeddingLoss", inputs=[X((4, 5)), X((4, 5)), X((4,), "sign", grad=False)]),
    R("CosineEmbeddingLoss", margin=0.2, reduction="none", inputs=[X((4, 5)), X((4, 5)), X((4,), "sign", grad=False)],
      tag="margin-none"),
]


def _params():
    seen = set()
    for row in ROWS:
        assert row.id not in seen, f"duplicate row id {row.id}"
        seen.add(row.id)
        for dtype in ("float32", "float64"):
            for mode in ("eval", "train") if row.train else ("eval",):
                marks = [pytest.mark.xfail(strict=True, reason=row.xfail)] if row.xfail else []
                yield pytest.param(row, dtype, mode, id=f"{row.id}-{dtype}-{mode}", marks=marks)


# ---------------------------------------------------------------------------------------------------------------
# The runner.

def _build(row, lib, dtype):
    ns = torch.nn if lib is torch else fnn
    kwargs = {k: _ctor_value(v, lib, dtype) for k, v in row.kwargs.items()}
    m = getattr(ns, row.name)(*row.args, **kwargs)
    return m.double() if dtype == "float64" else m


def _state(m):
    return {k: _np(v) for k, v in m.state_dict().items()}


def _assert_close(f, t, tol, where):
    assert f.shape == t.shape, f"{where}: shape {f.shape} != {t.shape}"
    assert f.dtype == t.dtype, f"{where}: dtype {f.dtype} != {t.dtype}"
    np.testing.assert_allclose(f, t, rtol=tol, atol=tol, err_msg=where)


@pytest.mark.parametrize("row,dtype,mode", list(_params()))
def test_module_matches_torch(row, dtype, mode):
    seed = zlib.crc32(row.id.encode())
    torch.manual_seed(seed)
    t_mod = _build(row, torch, dtype)
    f_mod = _build(row, fl, dtype)

    # Same state-dict keys (in order) and shapes; then torch's values loaded strictly.
    t_state = _state(t_mod)
    f_state0 = _state(f_mod)
    assert list(f_state0) == list(t_state), f"state-dict keys {list(f_state0)} != {list(t_state)}"
    for k in t_state:
        assert f_state0[k].shape == t_state[k].shape, f"{k}: shape {f_state0[k].shape} != {t_state[k].shape}"
    result = f_mod.load_state_dict({k: v.detach().numpy() for k, v in t_mod.state_dict().items()})
    assert not result.missing_keys and not result.unexpected_keys
    for k, v in _state(f_mod).items():
        _assert_close(v, t_state[k], 0, f"loaded {k}")

    t_mod.train(mode == "train")
    f_mod.train(mode == "train")

    rng = np.random.default_rng(seed)
    values = tuple(_draw(rng, s) for s in row.inputs)
    t_in = [_to_lib(v, s, torch, dtype) for v, s in zip(values, row.inputs)]
    f_in = [_to_lib(v, s, fl, dtype) for v, s in zip(values, row.inputs)]
    t_out = _leaves(t_mod(*t_in, **row.call_kwargs))
    f_out = _leaves(f_mod(*f_in, **row.call_kwargs))

    tol = TOL[dtype]
    grad_tol = row.grad_tol64 if dtype == "float64" and row.grad_tol64 else tol
    assert len(f_out) == len(t_out), f"{len(f_out)} outputs != {len(t_out)}"
    for i, (fo, to) in enumerate(zip(f_out, t_out)):
        _assert_close(_np(fo), _np(to), tol, f"output {i}")
    # Buffers after the forward: running statistics updated in train mode, untouched in eval mode.
    t_after = _state(t_mod)
    for k, v in _state(f_mod).items():
        _assert_close(v, t_after[k], tol, f"buffer {k} after forward")

    # Gradients of sum(out_i * cotangent_i) for every parameter and every float input.
    diff = [i for i, o in enumerate(t_out) if o.requires_grad]
    assert [i for i, o in enumerate(f_out) if o.requires_grad] == diff, "requires_grad of outputs"
    if not diff:
        return
    cots = [rng.uniform(-1, 1, t_out[i].shape).astype(dtype) for i in diff]
    sum(((t_out[i] * torch.from_numpy(c)).sum() for i, c in zip(diff, cots))).backward()
    sum(((f_out[i] * fl.tensor(c)).sum() for i, c in zip(diff, cots))).backward()
    f_params = dict(f_mod.named_parameters())
    for name, tp in t_mod.named_parameters():
        fp = f_params[name]
        assert (fp.grad is None) == (tp.grad is None), f"grad of {name}: {fp.grad} vs {tp.grad}"
        if tp.grad is not None:
            conv_weight = "Conv" in row.name and name == "weight"
            g_tol = CONV_WEIGHT_GRAD_TOL32 if conv_weight and dtype == "float32" else grad_tol
            _assert_close(_np(fp.grad), _np(tp.grad), g_tol, f"grad of {name}")
    for i, (fx, tx) in enumerate(zip(_leaves(f_in), _leaves(t_in))):
        if tx.requires_grad:
            assert fx.grad is not None, f"input {i} has no grad"
            _assert_close(_np(fx.grad), _np(tx.grad), grad_tol, f"grad of input {i}")
