"""ncps's sequence layers CfC and LTC as flashlight Modules, with the seeds' MLX-style API on the same classes.

ncps.torch form: ``CfC(input_size, units, proj_size, return_sequences, batch_first, mixed_memory, mode, activation,
backbone_units, backbone_layers, backbone_dropout)`` and ``LTC(input_size, units, return_sequences, batch_first,
mixed_memory, input_mapping, output_mapping, ode_unfolds, epsilon, implicit_param_constraints)``; forward(input,
hx=None, timespans=None) -> (output, hx). Submodules ``rnn_cell``, ``lstm`` (mixed memory) and ``fc`` (the
projection), so ncps's state dicts load one to one.

MLX-style form: ``CfC(cell=CfCCell(wiring=w, ...), bidirectional=True, merge_mode="concat", num_layers=2,
return_state=True)``, ``model(x, initial_state=state, time_delta=dt)``. Further layers and directions are named
``rnn_cell_reverse``, ``rnn_cell_l1``, ``rnn_cell_l1_reverse``, ... (``lstm`` likewise), after torch.nn.RNN's
``_l1``/``_reverse`` suffixes. docs/NCPS.md defines every option.

Each cell of each layer and direction runs its whole sequence as one fused C++ op; Python only arranges the
tensors. ``step(x_t, state, dt)`` advances one step for inference through the C++ steppers.
"""
from __future__ import annotations

import flashlight as fl
from flashlight import nn
from flashlight._C import Tensor, _ncps
from flashlight.nn.modules.module import Module
from flashlight.ncps import wirings
from flashlight.ncps.cells import (CfCCell, LSTMCell, LTCCell, WiredCfCCell, _adopt_dtype, _size_from,
                                   _step_timespans)

__all__ = ["CfC", "LTC"]

_MERGE_MODES = ("concat", "sum", "mul", "ave")


def _either(a, b, name_a, name_b):
    if a is not None and b is not None:
        raise TypeError(f"got both {name_a} and {name_b}; they are the same argument")
    return a if a is not None else b


def _units_argument(layer, units, hidden_size, wiring):
    given = [(n, v) for n, v in (("units", units), ("hidden_size", hidden_size), ("wiring", wiring)) if v is not None]
    if len(given) != 1:
        raise TypeError(f"{layer}() needs exactly one of units, hidden_size, wiring or cell, got "
                        f"{[n for n, _ in given] or 'none'}")
    return given[0][1]


def _merge(mode, a, b):
    if mode == "concat":
        return fl.cat([a, b], -1)
    if mode == "sum":
        return a + b
    if mode == "mul":
        return a * b
    return (a + b) * 0.5


def _sequence_timespans(ts, B, L, batch_first, batched, dtype):
    """Elapsed times as (B, L) batch first, or None for 1.0. Accepted: a number or a 0-d tensor (every step), (L)
    (per step, shared by the batch), and per sample and step (B, L) or (B, L, 1) ((L, B) or (L, B, 1) time-major;
    (L) or (L, 1) for an unbatched input); the tensor forms are fl::ncps::sequence_timespans, shared with C++.
    ncps squeezes each step's (B, 1) to (B) and so breaks every batch but 1; here each sample keeps its own
    times."""
    if ts is None:
        return None
    if not isinstance(ts, Tensor):
        return None if float(ts) == 1.0 else fl.full((B, L), float(ts), dtype=dtype)
    return _ncps.sequence_timespans(ts, B, L, batch_first, batched, dtype)


class _LiquidRNN(Module):
    """The sequence wrapper shared by CfC and LTC: layout (batch first or time major, unbatched inputs), states,
    timespans, stacked layers and directions, the projection, and single steps."""

    def _setup(self, cell, input_size, *, mixed_memory, num_layers, bidirectional, merge_mode, proj_size,
               return_sequences, batch_first, return_state, cell_given):
        if not isinstance(num_layers, int) or num_layers < 1:
            raise ValueError(f"num_layers must be a positive int, got {num_layers!r}")
        if bidirectional and merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: merge_mode={merge_mode!r}. Merge mode should be one of "
                             f"{list(_MERGE_MODES)}")
        if proj_size is not None and (not isinstance(proj_size, int) or proj_size <= 0):
            raise ValueError(f"proj_size must be a positive int, got {proj_size!r}")
        if input_size is not None:
            features = cell._input_features
            if features is not None and features != input_size:
                raise ValueError(f"input_size {input_size} differs from the cell's {features} input features")
            cell._ensure_built(input_size)
        self.batch_first = batch_first
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.num_layers = num_layers
        self.bidirectional = bool(bidirectional)
        self.merge_mode = merge_mode if bidirectional else None
        self.use_mixed = bool(mixed_memory)
        self._returns_state = return_state if return_state is not None else not cell_given
        self._units = []  # (cell attribute, lstm attribute or None) per layer and direction
        self._steppers = {}
        directions = 2 if self.bidirectional else 1
        out = cell.output_size
        merged = 2 * out if self.bidirectional and merge_mode == "concat" else out
        for layer in range(num_layers):
            for direction in range(directions):
                suffix = ("" if layer == 0 else f"_l{layer}") + ("_reverse" if direction else "")
                in_features = cell._input_features if layer == 0 else merged
                unit = cell if layer == 0 and direction == 0 else cell._spawn(in_features)
                setattr(self, "rnn_cell" + suffix, unit)
                lstm_name = None
                if self.use_mixed:
                    lstm_name = "lstm" + suffix
                    if unit.lstm_input_size is None:  # a lazy cell: the LSTM comes with the first call
                        self.add_module(lstm_name, None)
                    else:
                        setattr(self, lstm_name, LSTMCell(unit.lstm_input_size, unit.state_size))
                self._units.append(("rnn_cell" + suffix, lstm_name))
        self.fc = nn.Identity() if proj_size is None else nn.Linear(merged, proj_size)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_steppers"] = {}  # C++ steppers are caches, rebuilt on demand
        return state

    # --- structure ------------------------------------------------------------------------------------------
    def _unit(self, i):
        cell_name, lstm_name = self._units[i]
        return getattr(self, cell_name), getattr(self, lstm_name) if lstm_name else None

    def _materialize(self, x):
        """Builds lazy first-layer cells (and their LSTMs) for x's features, in x's dtype."""
        directions = 2 if self.bidirectional else 1
        for i in range(directions):
            cell, lstm = self._unit(i)
            if not cell.is_built:
                cell._ensure_built(x.shape[-1])
                _adopt_dtype(cell, x.dtype)
            if self._units[i][1] and lstm is None:
                setattr(self, self._units[i][1],
                        _adopt_dtype(LSTMCell(cell.lstm_input_size, cell.state_size), x.dtype))

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # Lazy LSTMs come from the checkpoint (the lazy cells build themselves the same way).
        for cell_name, lstm_name in self._units:
            key = f"{prefix}{lstm_name}.input_map.weight"
            if lstm_name and getattr(self, lstm_name) is None and key in state_dict:
                n, dtype = _size_from(state_dict, key, 1)
                state = getattr(self, cell_name).state_size
                setattr(self, lstm_name, _adopt_dtype(LSTMCell(n, state), dtype))
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def _cells(self):
        return [self._unit(i)[0] for i in range(len(self._units))]

    # --- states ---------------------------------------------------------------------------------------------
    def _one_state(self, s, batched):
        if self.use_mixed:
            if isinstance(s, Tensor):
                raise RuntimeError(f"Running a {type(self).__name__} with mixed_memory=True, requires a tuple "
                                   "(h0,c0) to be passed as state (got torch.Tensor instead)")
            h, c = s
        else:
            if not isinstance(s, Tensor):
                raise TypeError(f"{type(self).__name__}: expected the state to be a Tensor, got {type(s).__name__}")
            h, c = s, None
        for t in (h, c):
            if t is None:
                continue
            if batched and t.dim() != 2:
                raise RuntimeError(f"For batched 2-D input, hx and cx should also be 2-D but got ({t.dim()}-D) "
                                   "tensor")
            if not batched and t.dim() != 1:
                raise RuntimeError(f"For unbatched 1-D input, hx and cx should also be 1-D but got ({t.dim()}-D) "
                                   "tensor")
        if not batched:
            h = h.unsqueeze(0)
            c = None if c is None else c.unsqueeze(0)
        return h, c

    def _initial_states(self, hx, batched):
        n = len(self._units)
        if hx is None:
            return [(None, None)] * n
        if n == 1:
            entries = [hx[0] if isinstance(hx, list) and len(hx) == 1 else hx]
        else:
            if not isinstance(hx, (list, tuple)) or len(hx) != n:
                raise ValueError(f"{type(self).__name__}: expected a list of {n} initial states (one per layer and "
                                 f"direction: layer 0 forward, layer 0 reverse, layer 1 forward, ...)")
            entries = list(hx)
        return [self._one_state(s, batched) for s in entries]

    def _pack_states(self, finals, batched):
        packed = []
        for h, c in finals:
            if not batched:
                h = h.squeeze(0)
                c = None if c is None else c.squeeze(0)
            packed.append((h, c) if self.use_mixed else h)
        return packed[0] if len(packed) == 1 else packed

    # --- forward --------------------------------------------------------------------------------------------
    def _run(self, x, states, ts, need_sequence=True):
        """x (B, L, F) batch first -> (last output (B, O), output sequence (B, L, O) or None, final states)."""
        directions = 2 if self.bidirectional else 1
        self._materialize(x)
        finals, inp, last = [], x, None
        for layer in range(self.num_layers):
            outs = []
            for d in range(directions):
                i = layer * directions + d
                cell, lstm = self._unit(i)
                h0, c0 = states[i]
                seq = inp if d == 0 else inp.flip([1])
                tsd = ts if d == 0 or ts is None else ts.flip([1])
                y, h, c = cell._sequence(seq, h0, c0, tsd, lstm)
                outs.append(y if d == 0 else y.flip([1]))
                finals.append((h, c))
            final_layer = layer == self.num_layers - 1
            if directions == 1:
                inp = outs[0]
                if final_layer:
                    last = inp.select(1, inp.shape[1] - 1)
            else:
                if not final_layer or need_sequence:
                    inp = _merge(self.merge_mode, outs[0], outs[1])
                if final_layer:  # the backward direction ends at t = 0 (Keras's Bidirectional)
                    last = _merge(self.merge_mode, outs[0].select(1, outs[0].shape[1] - 1), outs[1].select(1, 0))
        return last, inp if need_sequence else None, finals

    def forward(self, input, hx=None, timespans=None, *, initial_state=None, time_delta=None):
        """input (B, L, F) (batch_first) or (L, B, F), or unbatched (L, F); hx / initial_state: the initial state
        (see docs/NCPS.md); timespans / time_delta: elapsed times. Returns (output, state), or only the output with
        return_state=False."""
        hx = _either(hx, initial_state, "hx", "initial_state")
        timespans = _either(timespans, time_delta, "timespans", "time_delta")
        if not isinstance(input, Tensor):
            raise TypeError(f"{type(self).__name__}: expected a Tensor input, got {type(input).__name__}")
        if input.dim() not in (2, 3):
            raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.dim()}D tensor "
                             "instead")
        batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not batched:
            input = input.unsqueeze(batch_dim)
        x = input if self.batch_first else input.transpose(0, 1)
        B, L = x.shape[0], x.shape[1]
        if L == 0:
            raise ValueError(f"{type(self).__name__}: expected a sequence of at least one step")
        ts = _sequence_timespans(timespans, B, L, self.batch_first, batched, x.dtype)
        states = self._initial_states(hx, batched)
        last, seq, finals = self._run(x, states, ts, self.return_sequences)
        if self.return_sequences:
            out = self.fc(seq)
            if not self.batch_first:
                out = out.transpose(0, 1)
            if not batched:
                out = out.squeeze(batch_dim)
        else:
            out = self.fc(last)
            if not batched:
                out = out.squeeze(0)
        state = self._pack_states(finals, batched)
        return (out, state) if self._returns_state else out

    # --- single steps ---------------------------------------------------------------------------------------
    def _unit_stepper(self, i, cell, lstm, x):
        params = list(cell.parameters()) + (list(lstm.parameters()) if lstm is not None else [])
        key = (x.dtype, x.shape[0] if isinstance(cell, LTCCell) else None,
               tuple((p.data_ptr(), p._version) for p in params))
        cached = self._steppers.get(i)
        if cached is None or cached[0] != key:
            cached = (key, cell._stepper(lstm, x.dtype, x.shape[0]))
            self._steppers[i] = cached
        return cached[1]

    def step(self, x_t, state=None, dt=1.0):
        """One step for inference (no autograd graph): x_t (B, F) or (F); state as forward's hx (zeros if None); dt
        the elapsed time, a number or a 0-d tensor (the C++ steppers, prepared once and rebuilt only when a
        parameter changes), or per sample (B) / (B, 1) (one fused step). Returns (output, new state) with the
        output as forward's for a one-step sequence. Needs a unidirectional model."""
        if self.bidirectional:
            raise ValueError(f"{type(self).__name__}.step: a bidirectional layer reads the whole sequence; call it on "
                             "the sequence instead")
        if not isinstance(x_t, Tensor) or x_t.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}.step: expected an input of shape (batch, features) or "
                             f"(features), got {tuple(x_t.shape) if isinstance(x_t, Tensor) else type(x_t).__name__}")
        batched = x_t.dim() == 2
        x = x_t if batched else x_t.unsqueeze(0)
        states = self._initial_states(state, batched)
        B = x.shape[0]
        with fl.no_grad():
            if isinstance(dt, Tensor) and dt.numel() != 1:
                ts = _step_timespans(dt if batched else dt.reshape(1), B, x.dtype)
                y, _, finals = self._run(x.unsqueeze(1), states, ts, need_sequence=False)
            else:
                dt = float(dt.item()) if isinstance(dt, Tensor) else float(dt)
                self._materialize(x)
                finals, y = [], x
                for i in range(len(self._units)):
                    cell, lstm = self._unit(i)
                    h, c = states[i]
                    if h is None:
                        h = fl.zeros((B, cell.state_size), dtype=x.dtype)
                    if lstm is not None and c is None:
                        c = fl.zeros((B, cell.state_size), dtype=x.dtype)
                    y, h, c = self._unit_stepper(i, cell, lstm, y).step(y, h, c, dt)
                    finals.append((h, c))
            out = self.fc(y)
        if not batched:
            out = out.squeeze(0)
        return out, self._pack_states(finals, batched)


class CfC(_LiquidRNN):
    """ncps.torch's CfC layer; with ``cell=``, ``hidden_size=``, ``wiring=``, ``num_layers``, ``bidirectional``,
    ``merge_mode`` and ``return_state`` also the MLX seeds' (docs/NCPS.md). ``units`` is an int (a CfCCell with
    ncps's backbone defaults 128 units, 1 layer, no dropout) or a Wiring (a WiredCfCCell; backbone arguments then
    raise ValueError as in ncps)."""

    def __init__(self, input_size: int | None = None, units=None, proj_size: int | None = None,
                 return_sequences: bool = True, batch_first: bool = True, mixed_memory: bool = False,
                 mode: str = "default", activation: str = "lecun_tanh", backbone_units=None,
                 backbone_layers: int | None = None, backbone_dropout: float | None = None, *, cell=None,
                 hidden_size: int | None = None, wiring=None, num_layers: int = 1, bidirectional: bool = False,
                 merge_mode: str = "concat", return_state: bool | None = None):
        super().__init__()
        self.input_size = input_size
        self.proj_size = proj_size
        cell_given = cell is not None
        if cell_given:
            if units is not None or hidden_size is not None or wiring is not None:
                raise ValueError("CfC: pass either a cell or units (hidden_size, wiring), not both")
            if (mode, activation) != ("default", "lecun_tanh") or any(
                    v is not None for v in (backbone_units, backbone_layers, backbone_dropout)):
                raise ValueError("CfC: with a cell, set mode, activation and the backbone on the cell")
            if not isinstance(cell, (CfCCell, WiredCfCCell)):
                raise TypeError(f"CfC: cell must be a CfCCell or WiredCfCCell, got {type(cell).__name__}")
            units = cell.wiring if cell.wiring is not None else cell.hidden_size
        else:
            units = _units_argument("CfC", units, hidden_size, wiring)
            if isinstance(units, wirings.Wiring):
                for name, v in (("backbone_units", backbone_units), ("backbone_layers", backbone_layers),
                                ("backbone_dropout", backbone_dropout)):
                    if v is not None:
                        raise ValueError(f"Cannot use {name} in wired mode")
                cell = WiredCfCCell(input_size, units, mode)
            else:
                cell = CfCCell(input_size, units, mode, activation, 128 if backbone_units is None else backbone_units,
                               1 if backbone_layers is None else backbone_layers,
                               0.0 if backbone_dropout is None else backbone_dropout)
        self.wiring_or_units = units
        self.wired_mode = isinstance(units, wirings.Wiring)
        self.state_size = cell.state_size
        self.output_size = cell.output_size
        self._setup(cell, input_size, mixed_memory=mixed_memory, num_layers=num_layers, bidirectional=bidirectional,
                    merge_mode=merge_mode, proj_size=proj_size, return_sequences=return_sequences,
                    batch_first=batch_first, return_state=return_state, cell_given=cell_given)


class LTC(_LiquidRNN):
    """ncps.torch's LTC layer; with ``cell=``, ``hidden_size=``, ``wiring=``, ``num_layers``, ``bidirectional``,
    ``merge_mode``, ``return_state`` and ``proj_size`` also the MLX seeds' (docs/NCPS.md). An int ``units`` means
    FullyConnected(units) (every neuron a motor neuron); note the layer's implicit_param_constraints=True default
    (the cell's is False), as in ncps."""

    def __init__(self, input_size: int | None = None, units=None, return_sequences: bool = True,
                 batch_first: bool = True, mixed_memory: bool = False, input_mapping="affine",
                 output_mapping="affine", ode_unfolds: int = 6, epsilon: float = 1e-8,
                 implicit_param_constraints: bool = True, *, cell=None, hidden_size: int | None = None, wiring=None,
                 num_layers: int = 1, bidirectional: bool = False, merge_mode: str = "concat",
                 return_state: bool | None = None, proj_size: int | None = None):
        super().__init__()
        self.input_size = input_size
        cell_given = cell is not None
        if cell_given:
            if units is not None or hidden_size is not None or wiring is not None:
                raise ValueError("LTC: pass either a cell or units (hidden_size, wiring), not both")
            if not isinstance(cell, LTCCell):
                raise TypeError(f"LTC: cell must be an LTCCell, got {type(cell).__name__}")
            units = cell.wiring
        else:
            units = _units_argument("LTC", units, hidden_size, wiring)
            wiring = units if isinstance(units, wirings.Wiring) else wirings.FullyConnected(units)
            cell = LTCCell(wiring, input_size, input_mapping, output_mapping, ode_unfolds, epsilon,
                           implicit_param_constraints)
        self.wiring_or_units = units
        self._wiring = cell.wiring
        self._setup(cell, input_size, mixed_memory=mixed_memory, num_layers=num_layers, bidirectional=bidirectional,
                    merge_mode=merge_mode, proj_size=proj_size, return_sequences=return_sequences,
                    batch_first=batch_first, return_state=return_state, cell_given=cell_given)

    @property
    def state_size(self) -> int:
        return self._wiring.units

    @property
    def sensory_size(self):
        return self._wiring.input_dim

    @property
    def motor_size(self) -> int:
        return self.rnn_cell.motor_size

    @property
    def output_size(self) -> int:
        return self.motor_size

    @property
    def synapse_count(self) -> int:
        return self.rnn_cell.synapse_count

    @property
    def sensory_synapse_count(self) -> int:
        return self.rnn_cell.sensory_synapse_count

    def apply_weight_constraints(self):
        """LTCCell.apply_weight_constraints on every cell (a no-op with implicit_param_constraints)."""
        for cell in self._cells():
            cell.apply_weight_constraints()
