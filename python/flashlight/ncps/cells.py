"""ncps's cells as flashlight Modules: CfCCell, WiredCfCCell, LTCCell and the mixed-memory LSTMCell.

Parameters are named, shaped and initialised as in ncps.torch, so a state dict of an ncps model loads one to one.
The cells hold parameters and call the fused C++ ops of flashlight._C._ncps (one call per sequence; a single step is
a sequence of length one); no maths runs here. The sequence layers (layers.py) drive the cells through
``_sequence`` and ``_stepper``; ``forward`` is ncps's single-step cell call.

Additions to ncps (docs/NCPS.md has the full story): ``CfCCell(wiring=...)`` and ``LTCCell(..., backbone_units=...)``
(the seeds' MLX-style API), list-valued ``backbone_units``, and cells whose input size is learned at the first call
when neither an input size nor a built wiring is given.
"""
from __future__ import annotations

import copy

import numpy as np

import flashlight as fl
from flashlight import nn
from flashlight._C import Tensor, _ncps
from flashlight.nn import init
from flashlight.nn.modules.module import Module
from flashlight.nn.parameter import Parameter
from flashlight.ncps import wirings

__all__ = ["LeCun", "LSTMCell", "CfCCell", "WiredCfCCell", "LTCCell"]

_MODES = ("default", "pure", "no_gate")


class LeCun(Module):
    """ncps's LeCun tanh: 1.7159 tanh(0.666 x)."""

    def __init__(self):
        super().__init__()
        self.tanh = nn.Tanh()

    def forward(self, x):
        return 1.7159 * self.tanh(0.666 * x)


_ACTIVATIONS = {"silu": nn.SiLU, "relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU, "lecun_tanh": LeCun}


def _check_activation(name):
    if name not in _ACTIVATIONS:
        raise ValueError(f"Unknown activation {name}")
    return name


def _backbone_widths(units, layers, default_units, default_layers):
    """The widths of the backbone's Linear layers. ``units`` is an int repeated ``layers`` times (ncps), or a list
    (the MLX seeds): one width per layer, a one-element list repeated, ``layers`` defaulting to the list's length."""
    if layers is not None and (not isinstance(layers, int) or layers < 0):
        raise ValueError(f"backbone_layers must be a non-negative int, got {layers!r}")
    if isinstance(units, (list, tuple)):
        widths = [int(u) for u in units]
        if layers is None:
            layers = len(widths)
        elif len(widths) == 1:
            widths = widths * layers
        elif layers and len(widths) != layers:
            raise ValueError(f"backbone_units has {len(widths)} widths but backbone_layers is {layers}")
    else:
        units = default_units if units is None else units
        layers = default_layers if layers is None else layers
        widths = [int(units)] * layers
    widths = widths[:layers]
    if any(w <= 0 for w in widths):
        raise ValueError(f"backbone widths must be positive, got {widths}")
    return widths


def _make_backbone(in_features, widths, activation, dropout):
    """ncps's backbone: Linear, activation, then [Linear, activation, Dropout (if dropout > 0)] per further layer
    (the first layer never gets dropout), so the state-dict indices are ncps's."""
    layers = [nn.Linear(in_features, widths[0]), _ACTIVATIONS[activation]()]
    for k in range(1, len(widths)):
        layers += [nn.Linear(widths[k - 1], widths[k]), _ACTIVATIONS[activation]()]
        if dropout > 0.0:
            layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def _fresh_wiring(wiring, input_dim):
    """A wiring with the same configuration for another cell (a backward direction, a stacked layer): a copy when
    its inputs stay the same (or are unknown), else the built-in class rebuilt from its config, unbuilt."""
    if wiring.input_dim is None or input_dim is None or wiring.input_dim == input_dim:
        return copy.deepcopy(wiring)
    if type(wiring) in (wirings.FullyConnected, wirings.Random, wirings.NCP, wirings.AutoNCP):
        return type(wiring).from_config(wiring.get_config())
    raise ValueError(f"cannot derive a {type(wiring).__name__} with {input_dim} inputs from one built with "
                     f"{wiring.input_dim}; pass an unbuilt wiring")


def _step_timespans(ts, batch, dtype):
    """A cell's elapsed time for one step as (B, 1), or None for 1.0: a number, a 0-d tensor, (B) or (B, 1)."""
    if ts is None:
        return None
    if not isinstance(ts, Tensor):
        return None if float(ts) == 1.0 else fl.full((batch, 1), float(ts), dtype=dtype)
    if ts.dim() == 0:
        return ts.to(dtype).reshape(1, 1).expand(batch, 1)
    if ts.dim() == 1:
        ts = ts.unsqueeze(1)
    if tuple(ts.shape) != (batch, 1):
        raise ValueError(f"expected an elapsed time of shape ({batch},) or ({batch}, 1), got {tuple(ts.shape)}")
    return ts.to(dtype)


def _adopt_dtype(module, dtype):
    """A lazily built module takes the floating dtype of what built it (an input, a checkpoint)."""
    if dtype.is_floating_point and dtype != fl.get_default_dtype():
        module.to(dtype)
    return module


def _size_from(state_dict, key, dim, offset=0):
    """(size of dim of state_dict[key] + offset, its dtype), or None without the key."""
    if key not in state_dict:
        return None
    value = state_dict[key]
    return value.shape[dim] + offset, value.dtype if isinstance(value, Tensor) else fl.get_default_dtype()


def _params(module, prefix=""):
    return {prefix + n: p for n, p in module.named_parameters()}


def _unit_weights(cell, lstm):
    """A CfC cell's parameters under ncps's names, plus its LSTM's as lstm.*: what the fused op reads."""
    weights = _params(cell)
    if lstm is not None:
        weights.update(_params(lstm, "lstm."))
    return weights


class _Cell(Module):
    """What the sequence layers need from a cell: sizes, lazy building, the fused sequence and a stepper."""

    _built = False

    @property
    def is_built(self) -> bool:
        return self._built

    def _ensure_built(self, input_size):
        if not self._built:
            self._build(int(input_size))

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # A lazy cell learns its input size from the checkpoint, so a state dict loads before the first call.
        if not self._built:
            found = self._input_size_from_state_dict(state_dict, prefix)
            if found is not None:
                n, dtype = found
                self._build(n)
                _adopt_dtype(self, dtype)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def _input_size_from_state_dict(self, state_dict, prefix):
        """(input size, dtype) read from a checkpoint's entry, or None if it has none for this cell."""
        return None

    def _cell_step(self, input, hx, ts):
        if input.dim() != 2:
            raise ValueError(f"{type(self).__name__}: expected a 2-D input (batch, features), got {input.dim()}-D")
        if not self._built:
            self._ensure_built(input.shape[1])
            _adopt_dtype(self, input.dtype)
        if hx is None:
            hx = fl.zeros((input.shape[0], self.state_size), dtype=input.dtype)
        y, h, _ = self._sequence(input.unsqueeze(1), hx, None, _step_timespans(ts, input.shape[0], input.dtype))
        return y.select(1, 0), h


class LSTMCell(Module):
    """ncps.torch's LSTMCell, the mixed memory of the CfC and LTC layers: input_map Linear(I, 4H) (xavier weight,
    U(-0.1, 0.1) bias), recurrent_map Linear(H, 4H, bias=False) (orthogonal weight); gates i, ig, fg, og."""

    def __init__(self, input_size: int, hidden_size: int):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.input_map = nn.Linear(input_size, 4 * hidden_size, bias=True)
        self.recurrent_map = nn.Linear(hidden_size, 4 * hidden_size, bias=False)
        self.init_weights()

    def init_weights(self):
        for w in self.input_map.parameters():
            init.uniform_(w, -0.1, 0.1) if w.dim() == 1 else init.xavier_uniform_(w)
        for w in self.recurrent_map.parameters():
            init.uniform_(w, -0.1, 0.1) if w.dim() == 1 else init.orthogonal_(w)

    def forward(self, inputs, states):
        """(h, c) -> (h', c')."""
        output_state, cell_state = states
        return _ncps.lstm_memory_step(inputs, output_state, cell_state, _params(self))


class CfCCell(_Cell):
    """ncps.torch's CfCCell (closed-form continuous-time cell), or a CfC cell over a wiring.

    ncps form: ``CfCCell(input_size, hidden_size, mode, backbone_activation, backbone_units=128, backbone_layers=1,
    backbone_dropout=0.0, sparsity_mask=None)``. Wiring form (the MLX seeds): ``CfCCell(wiring=w,
    activation="tanh", backbone_units=[64, 64], backbone_layers=2)``: w.units neurons in neuron-id order, the input
    size that of the wiring (learned at the first call if it is unbuilt), the output the motor neurons
    (state[:, :output_dim]); without a backbone every synapse of the wiring masks ff1 and ff2 (an (inputs + units)
    x units mask, sensory rows first); with one, the wiring gives only the sizes. ``activation`` is an alias of
    ``backbone_activation``. forward(input (B, I), hx (B, H), ts=1.0) -> (output, new state)."""

    def __init__(self, input_size: int | None = None, hidden_size: int | None = None, mode: str = "default",
                 backbone_activation: str = "lecun_tanh", backbone_units=None, backbone_layers: int | None = None,
                 backbone_dropout: float = 0.0, sparsity_mask=None, *, wiring=None, activation: str | None = None):
        super().__init__()
        if mode not in _MODES:
            raise ValueError(f"Unknown mode '{mode}', valid options are {list(_MODES)}")
        if activation is not None:
            backbone_activation = activation
        _check_activation(backbone_activation)
        if wiring is not None:
            if not isinstance(wiring, wirings.Wiring):
                raise TypeError(f"CfCCell: wiring must be a Wiring, got {type(wiring).__name__}")
            if sparsity_mask is not None:
                raise ValueError("CfCCell: pass either a wiring or a sparsity_mask, not both")
            if hidden_size is not None and hidden_size != wiring.units:
                raise ValueError(f"CfCCell: hidden_size {hidden_size} differs from the wiring's {wiring.units} units")
            hidden_size = wiring.units
            if input_size is not None:
                wiring.build(input_size)
            elif wiring.is_built():
                input_size = wiring.input_dim
        if not isinstance(hidden_size, int) or hidden_size <= 0:
            raise ValueError(f"CfCCell: hidden_size must be a positive int, got {hidden_size!r}")
        # ncps's defaults (128 units, 1 layer); a wiring alone means no backbone (a sparse cell).
        default_layers = 1 if wiring is None or backbone_units is not None else 0
        self._widths = _backbone_widths(backbone_units, backbone_layers, 128, default_layers)
        self.hidden_size = hidden_size
        self.mode = mode
        self.backbone_activation = backbone_activation
        self.backbone_layers = len(self._widths)
        self.backbone_dropout = float(backbone_dropout)
        self._wiring = wiring
        self._mask = None if sparsity_mask is None else np.asarray(sparsity_mask)
        if input_size is None and self._mask is not None:
            input_size = self._mask.shape[0] - hidden_size
        self.input_size = input_size
        if input_size is not None:
            self._build(input_size)

    def _build(self, input_size):
        H = self.hidden_size
        self.input_size = input_size
        mask = self._mask
        if self._wiring is not None:
            self._wiring.build(input_size)
            if not self._widths:
                mask = np.concatenate([self._wiring.sensory_adjacency_matrix, self._wiring.adjacency_matrix], 0)
        if mask is not None:
            if mask.shape != (input_size + H, H):
                raise ValueError(f"CfCCell: sparsity_mask must have shape ({input_size + H}, {H}), got {mask.shape}")
            if self._widths:
                raise ValueError("CfCCell: a sparsity_mask needs a cell without backbone (backbone_layers=0)")
            self.sparsity_mask = Parameter(fl.tensor(np.abs(mask.T).astype(np.float32)), requires_grad=False)
        else:
            self.sparsity_mask = None
        if self._widths:
            self.backbone = _make_backbone(input_size + H, self._widths, self.backbone_activation,
                                           self.backbone_dropout)
        else:
            self.backbone = None
        self.tanh = nn.Tanh()
        self.sigmoid = nn.Sigmoid()
        cat_shape = self._widths[-1] if self._widths else input_size + H
        self.ff1 = nn.Linear(cat_shape, H)
        if self.mode == "pure":
            self.w_tau = Parameter(fl.zeros(1, H), requires_grad=True)
            self.A = Parameter(fl.ones(1, H), requires_grad=True)
        else:
            self.ff2 = nn.Linear(cat_shape, H)
            self.time_a = nn.Linear(cat_shape, H)
            self.time_b = nn.Linear(cat_shape, H)
        self._built = True
        self.init_weights()

    def _input_size_from_state_dict(self, state_dict, prefix):
        key = prefix + ("backbone.0.weight" if self._widths else "ff1.weight")
        return _size_from(state_dict, key, 1, -self.hidden_size)

    def init_weights(self):
        """ncps: xavier_uniform_ on every trainable 2-D parameter (Linear weights, and w_tau and A in pure mode)."""
        for w in self.parameters():
            if w.dim() == 2 and w.requires_grad:
                init.xavier_uniform_(w)

    # --- ncps's properties ----------------------------------------------------------------------------------
    @property
    def state_size(self) -> int:
        return self.hidden_size

    @property
    def output_size(self) -> int:
        """The units the cell outputs: all of them, or a wiring's motor neurons."""
        m = self._wiring.output_dim if self._wiring is not None else None
        return self.hidden_size if m is None else m

    motor_size = output_size

    @property
    def wiring(self):
        return self._wiring

    @property
    def synapse_count(self) -> int:
        return int(self._wiring.synapse_count) if self._wiring is not None else self.hidden_size ** 2

    @property
    def sensory_synapse_count(self) -> int:
        if self._wiring is not None:
            return int(self._wiring.sensory_synapse_count)
        return (self.input_size or 0) * self.hidden_size

    # --- the fused op ---------------------------------------------------------------------------------------
    def _sequence(self, x, h0, c0, ts, lstm=None):
        """x (B, L, I) -> (y (B, L, output_size), h_T, c_T or None) through one fused op call."""
        self._ensure_built(x.shape[-1])
        y, *state = _ncps.cfc_sequence(x, _unit_weights(self, lstm), h0, c0, ts, mode=self.mode,
                                       activation=self.backbone_activation,
                                       backbone_dropout=self.backbone_dropout, training=self.training)
        return self._motor(y), state[0], state[1] if lstm is not None else None

    def _motor(self, y):
        m = self.output_size
        return y if y.shape[-1] == m else y.narrow(-1, 0, m)

    def _stepper(self, lstm, dtype, batch):
        return _CfCUnitStepper(self, _ncps.CfCStepper(_unit_weights(self, lstm), self.mode, self.backbone_activation))

    def _spawn(self, input_size):
        """A fresh cell of the same configuration reading input_size features (stacked layers, backward cells)."""
        if self._mask is not None and input_size != self.input_size:
            raise ValueError("CfCCell: a sparsity_mask fixes the input size; stacked layers need a wiring or none")
        wiring = None if self._wiring is None else _fresh_wiring(self._wiring, input_size)
        return CfCCell(input_size, None if wiring is not None else self.hidden_size, self.mode,
                       self.backbone_activation, list(self._widths) or 0, len(self._widths), self.backbone_dropout,
                       self._mask, wiring=wiring)

    def forward(self, input, hx=None, ts=1.0):
        """One step: input (B, I), hx (B, H) (zeros if None), ts a number, (B) or (B, 1) -> (output, new hx)."""
        return self._cell_step(input, hx, ts)

    def extra_repr(self):
        if self.input_size is None:
            return f"input_size=None (lazy), hidden_size={self.hidden_size}, mode={self.mode!r}"
        return ""


class WiredCfCCell(_Cell):
    """ncps.torch's WiredCfCCell: one sparse CfCCell per wiring layer (``layer_0``, ``layer_1``, ...), each layer's
    input mask the wiring's synapses from the previous layer (the sensory ones for layer 0) and its recurrence
    dense within the layer. The state is ordered by layer (for an NCP: inter, command, motor); the output is the
    last layer's state, limited to the wiring's output_dim neurons (ncps returns all of a single-layer wiring's
    units here although its output_size says output_dim). Unbuilt wirings without input_size build at the first
    call (ncps raises)."""

    def __init__(self, input_size: int | None, wiring, mode: str = "default"):
        super().__init__()
        if not isinstance(wiring, wirings.Wiring):
            raise TypeError(f"WiredCfCCell: wiring must be a Wiring, got {type(wiring).__name__}")
        if mode not in _MODES:
            raise ValueError(f"Unknown mode '{mode}', valid options are {list(_MODES)}")
        self._wiring = wiring
        self.mode = mode
        self._layers = []
        if input_size is not None:
            wiring.build(input_size)
        if wiring.is_built():
            self._build(wiring.input_dim)

    def _build(self, input_size):
        wiring = self._wiring
        wiring.build(input_size)
        sensory, adjacency = wiring.sensory_adjacency_matrix, wiring.adjacency_matrix
        in_features = input_size
        self._layers = []
        for layer in range(wiring.num_layers):
            neurons = wiring.get_neurons_of_layer(layer)
            if layer == 0:
                sparsity = sensory[:, neurons]
            else:
                sparsity = adjacency[:, neurons][wiring.get_neurons_of_layer(layer - 1), :]
            sparsity = np.concatenate([sparsity, np.ones((len(neurons), len(neurons)))], axis=0)
            cell = CfCCell(in_features, len(neurons), self.mode, "lecun_tanh", 0, 0, 0.0, sparsity_mask=sparsity)
            self.register_module(f"layer_{layer}", cell)
            self._layers.append(cell)
            in_features = len(neurons)
        self._built = True

    def _input_size_from_state_dict(self, state_dict, prefix):
        return _size_from(state_dict, prefix + "layer_0.ff1.weight", 1, -len(self._wiring.get_neurons_of_layer(0)))

    @property
    def wiring(self):
        return self._wiring

    @property
    def state_size(self) -> int:
        return self._wiring.units

    @property
    def layer_sizes(self):
        return [len(self._wiring.get_neurons_of_layer(i)) for i in range(self._wiring.num_layers)]

    @property
    def num_layers(self) -> int:
        return self._wiring.num_layers

    @property
    def sensory_size(self):
        return self._wiring.input_dim

    @property
    def motor_size(self) -> int:
        m = self._wiring.output_dim
        return self.layer_sizes[-1] if m is None else min(m, self.layer_sizes[-1])

    output_size = motor_size

    @property
    def synapse_count(self) -> int:
        return int(self._wiring.synapse_count)

    @property
    def sensory_synapse_count(self) -> int:
        """The wiring's sensory synapses (ncps's cell counts the internal ones here by mistake)."""
        return int(self._wiring.sensory_synapse_count)

    def _sequence(self, x, h0, c0, ts, lstm=None):
        self._ensure_built(x.shape[-1])
        y, *state = _ncps.cfc_sequence(x, _unit_weights(self, lstm), h0, c0, ts, mode=self.mode,
                                       training=self.training)
        return self._motor(y), state[0], state[1] if lstm is not None else None

    _motor = CfCCell._motor

    def _stepper(self, lstm, dtype, batch):
        return _CfCUnitStepper(self, _ncps.CfCStepper(_unit_weights(self, lstm), self.mode))

    def _spawn(self, input_size):
        return WiredCfCCell(input_size, _fresh_wiring(self._wiring, input_size), self.mode)

    def forward(self, input, hx=None, timespans=1.0):
        """One step: input (B, I), hx (B, units) split by layer -> (output (B, output_size), new hx)."""
        return self._cell_step(input, hx, timespans)


class LTCCell(_Cell):
    """ncps.torch's LTCCell (liquid time-constant cell over a wiring): parameters gleak, vleak, cm (N), sigma, mu,
    w, erev (N x N), sensory_sigma, sensory_mu, sensory_w, sensory_erev (D x N), the masks (non-trainable) and the
    input/output mappings, initialised as ncps. forward(inputs (B, D), states (B, N), elapsed_time=1.0) ->
    (outputs (B, motor), next state).

    MLX-style extra: ``activation`` and ``backbone_units``/``backbone_layers``/``backbone_dropout`` put ncps's CfC
    backbone (Linear + activation per layer) in front of the sensory neurons: the wiring is built for the
    backbone's output width and the raw input size is in_features (learned at the first call if None). Without
    in_features an unbuilt wiring builds at the first call (ncps raises)."""

    _INIT_RANGES = {"gleak": (0.001, 1.0), "vleak": (-0.2, 0.2), "cm": (0.4, 0.6), "w": (0.001, 1.0),
                    "sigma": (3, 8), "mu": (0.3, 0.8), "sensory_w": (0.001, 1.0), "sensory_sigma": (3, 8),
                    "sensory_mu": (0.3, 0.8)}

    def __init__(self, wiring, in_features: int | None = None, input_mapping="affine", output_mapping="affine",
                 ode_unfolds: int = 6, epsilon: float = 1e-8, implicit_param_constraints: bool = False, *,
                 activation: str = "lecun_tanh", backbone_units=None, backbone_layers: int | None = None,
                 backbone_dropout: float = 0.0):
        super().__init__()
        if not isinstance(wiring, wirings.Wiring):
            raise TypeError(f"LTCCell: wiring must be a Wiring, got {type(wiring).__name__}")
        if not isinstance(ode_unfolds, int) or ode_unfolds < 1:
            raise ValueError(f"LTCCell: ode_unfolds must be a positive int, got {ode_unfolds!r}")
        self._wiring = wiring
        self._input_mapping = input_mapping
        self._output_mapping = output_mapping
        self._ode_unfolds = ode_unfolds
        self._epsilon = float(epsilon)
        self._implicit_param_constraints = bool(implicit_param_constraints)
        self.activation = _check_activation(activation)
        self._widths = _backbone_widths(backbone_units, backbone_layers, 128,
                                        1 if backbone_units is not None else 0)
        self.backbone_dropout = float(backbone_dropout)
        self.make_positive_fn = nn.Softplus() if implicit_param_constraints else nn.Identity()
        self._clip = nn.ReLU()
        self.in_features = in_features
        if self._widths:
            wiring.build(self._widths[-1])
            self._allocate_parameters()
            if in_features is not None:
                self._build(in_features)
        else:
            if in_features is not None:
                wiring.build(in_features)
            if wiring.is_built():
                self._build(wiring.input_dim)

    def _build(self, input_size):
        self.in_features = input_size
        if self._widths:
            self.backbone = _make_backbone(input_size, self._widths, self.activation, self.backbone_dropout)
        else:
            self._wiring.build(input_size)
            self._allocate_parameters()
        self._built = True

    def _input_size_from_state_dict(self, state_dict, prefix):
        return _size_from(state_dict, prefix + ("backbone.0.weight" if self._widths else "sensory_mu"),
                          1 if self._widths else 0)

    def _init_value(self, shape, name):
        lo, hi = self._INIT_RANGES[name]
        return fl.ones(shape) * lo if lo == hi else fl.rand(*shape) * (hi - lo) + lo

    def _allocate_parameters(self):
        N, D = self.state_size, self.sensory_size
        for name, shape in (("gleak", (N,)), ("vleak", (N,)), ("cm", (N,)), ("sigma", (N, N)), ("mu", (N, N)),
                            ("w", (N, N))):
            self.register_parameter(name, Parameter(self._init_value(shape, name)))
        self.erev = Parameter(fl.tensor(self._wiring.erev_initializer(), dtype=fl.get_default_dtype()))
        for name in ("sensory_sigma", "sensory_mu", "sensory_w"):
            self.register_parameter(name, Parameter(self._init_value((D, N), name)))
        self.sensory_erev = Parameter(fl.tensor(self._wiring.sensory_erev_initializer(),
                                                dtype=fl.get_default_dtype()))
        self.sparsity_mask = Parameter(fl.tensor(np.abs(self._wiring.adjacency_matrix), dtype=fl.get_default_dtype()),
                                       requires_grad=False)
        self.sensory_sparsity_mask = Parameter(
            fl.tensor(np.abs(self._wiring.sensory_adjacency_matrix), dtype=fl.get_default_dtype()),
            requires_grad=False)
        if self._input_mapping in ("affine", "linear"):
            self.input_w = Parameter(fl.ones(D))
        if self._input_mapping == "affine":
            self.input_b = Parameter(fl.zeros(D))
        if self._output_mapping in ("affine", "linear"):
            self.output_w = Parameter(fl.ones(self.motor_size))
        if self._output_mapping == "affine":
            self.output_b = Parameter(fl.zeros(self.motor_size))

    # --- ncps's properties ----------------------------------------------------------------------------------
    @property
    def wiring(self):
        return self._wiring

    @property
    def state_size(self) -> int:
        return self._wiring.units

    @property
    def sensory_size(self):
        return self._wiring.input_dim

    @property
    def motor_size(self) -> int:
        m = self._wiring.output_dim
        return self._wiring.units if m is None else m

    output_size = motor_size

    @property
    def synapse_count(self) -> int:
        return int(self._wiring.synapse_count)

    @property
    def sensory_synapse_count(self) -> int:
        """The wiring's sensory synapses (ncps's cell counts the internal ones here by mistake)."""
        return int(self._wiring.sensory_synapse_count)

    def apply_weight_constraints(self):
        """ncps: with implicit_param_constraints=False, clamps w, sensory_w, cm and gleak to >= 0 in place (call it
        after each optimizer step); a no-op otherwise."""
        if not self._implicit_param_constraints and self._built:
            _ncps.ltc_apply_weight_constraints({n: getattr(self, n) for n in ("w", "sensory_w", "cm", "gleak")})

    # --- the fused op ---------------------------------------------------------------------------------------
    def _ltc_weights(self):
        return {n: p for n, p in self._parameters.items() if p is not None}

    def _config(self):
        return dict(input_mapping=self._input_mapping if isinstance(self._input_mapping, str) else None,
                    output_mapping=self._output_mapping if isinstance(self._output_mapping, str) else None,
                    ode_unfolds=self._ode_unfolds, epsilon=self._epsilon,
                    implicit_param_constraints=self._implicit_param_constraints, motor_size=self.motor_size)

    def _features(self, x):
        return self.backbone(x) if self._widths else x

    def _sequence(self, x, h0, c0, ts, lstm=None):
        self._ensure_built(x.shape[-1])
        x = self._features(x)
        if lstm is not None:
            return _ncps.ltc_sequence_mixed_memory(x, self._ltc_weights(), _params(lstm), h0=h0, c0=c0,
                                                   timespans=ts, **self._config())
        y, h = _ncps.ltc_sequence(x, self._ltc_weights(), h0=h0, timespans=ts, **self._config())
        return y, h, None

    def _stepper(self, lstm, dtype, batch):
        memory = _params(lstm) if lstm is not None else None
        return _LTCUnitStepper(self, _ncps.LTCStepper(self._ltc_weights(), memory, batch, **self._config()))

    @property
    def lstm_input_size(self):
        """The features a mixed-memory LSTM reads: the backbone's output, or the raw input."""
        return self._widths[-1] if self._widths else self.in_features

    def _spawn(self, input_size):
        wiring = _fresh_wiring(self._wiring, self._widths[-1] if self._widths else input_size)
        return LTCCell(wiring, input_size, self._input_mapping, self._output_mapping, self._ode_unfolds,
                       self._epsilon, self._implicit_param_constraints, activation=self.activation,
                       backbone_units=list(self._widths) or None, backbone_layers=len(self._widths),
                       backbone_dropout=self.backbone_dropout)

    def forward(self, inputs, states=None, elapsed_time=1.0):
        """One step: inputs (B, D), states (B, N) (zeros if None) -> (outputs (B, motor), next state (B, N))."""
        return self._cell_step(inputs, states, elapsed_time)


# The raw input features (None until a lazy cell is built) and what a mixed-memory LSTM reads.
CfCCell._input_features = CfCCell.lstm_input_size = property(lambda self: self.input_size)
WiredCfCCell._input_features = WiredCfCCell.lstm_input_size = property(lambda self: self._wiring.input_dim)
LTCCell._input_features = property(lambda self: self.in_features)


class _CfCUnitStepper:
    """A CfC cell (with its LSTM) one step at a time: _C.CfCStepper, the output limited to the motor neurons."""

    def __init__(self, cell, stepper):
        self.cell, self.stepper = cell, stepper

    def step(self, x, h, c, dt):
        y, *state = self.stepper.step(x, h, c, dt)
        return self.cell._motor(y), state[0], state[1] if c is not None else None


class _LTCUnitStepper:
    """An LTC cell (with its LSTM and backbone) one step at a time: _C.LTCStepper for a fixed batch."""

    def __init__(self, cell, stepper):
        self.cell, self.stepper = cell, stepper

    def step(self, x, h, c, dt):
        x = self.cell._features(x)
        if c is None:
            y, h = self.stepper.step(x, h, dt)
            return y, h, None
        return self.stepper.step(x, h, c, dt)
