"""flashlight.ncps.wirings: Neural Circuit Policy wirings, as ncps.wirings.

``Wiring``, ``FullyConnected``, ``Random``, ``NCP`` and ``AutoNCP`` are the C++ classes of
``include/fl/ncps/wirings.h``; their matrices are bit-identical to ncps's for the same arguments and seeds.
``adjacency_matrix`` (units x units) and ``sensory_adjacency_matrix`` (input_dim x units, None before ``build``)
are int32 ndarrays with row = source and column = destination, holding 0, +1 (excitatory) or -1 (inhibitory).
Subclass ``Wiring`` (or any of the others) in Python and add synapses in ``__init__`` or ``build``, as with ncps.

Deliberate differences from ncps: ``build(d)`` on a wiring already built with ``d`` does nothing (ncps draws a
second set of synapses on top); ``NCP.get_config()`` reports the seven sizes and the seed, so ``from_config``
round-trips; invalid sizes raise ValueError at construction; ``draw_graph`` needs only matplotlib (networkx only
for ncps's force-directed layouts) and can save the figure.
"""
import numpy as np

from flashlight._C import _ncps
from flashlight.ncps import _wiring_plot

Wiring = _ncps.Wiring
FullyConnected = _ncps.FullyConnected
Random = _ncps.Random
NCP = _ncps.NCP
AutoNCP = _ncps.AutoNCP

__all__ = ["Wiring", "FullyConnected", "Random", "NCP", "AutoNCP"]


def _erev_initializer(self, shape=None, dtype=None):
    """A copy of adjacency_matrix: the cells' initial reversal potentials (``shape`` is ignored, as in ncps)."""
    m = np.array(self.adjacency_matrix)
    return m if dtype is None else m.astype(dtype)


def _sensory_erev_initializer(self, shape=None, dtype=None):
    """A copy of sensory_adjacency_matrix (None before build)."""
    if self.sensory_adjacency_matrix is None:
        return None
    m = np.array(self.sensory_adjacency_matrix)
    return m if dtype is None else m.astype(dtype)


def _from_kwargs(cls, config):
    """cls(**config): rebuilds the wiring from its constructor arguments (get_config's keys)."""
    return cls(**config)


def _repr(self):
    if isinstance(self, (FullyConnected, Random, NCP)):  # their configs are their constructor arguments
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
    else:
        args = f"units={self.units}, input_dim={self.input_dim}, output_dim={self.output_dim}"
    return f"{type(self).__name__}({args})"


_BUILTIN = (AutoNCP, NCP, Random, FullyConnected, Wiring)  # most derived first


def _reduce(self):
    """Pickling and copy.deepcopy: the constructor arguments of the nearest built-in class, then the state."""
    base = next(b for b in _BUILTIN if isinstance(self, b))
    args = {"units": self.units} if base is Wiring else _ncps.Wiring.get_config(self)  # C++'s config, not an override
    state = (np.array(self.adjacency_matrix), self.sensory_erev_initializer(), self.input_dim, self.output_dim,
             getattr(self, "__dict__", None))
    return _rebuild, (type(self), base, args, state)


def _rebuild(cls, base, args, state):
    adjacency, sensory, input_dim, output_dim, attributes = state
    obj = cls.__new__(cls)
    base.__init__(obj, **args)
    if input_dim is not None:
        base.build(obj, input_dim)  # replays the draws, so the generator ends where the original's did
    obj.adjacency_matrix = adjacency
    obj.sensory_adjacency_matrix = sensory
    if output_dim is not None:
        obj.output_dim = output_dim
    if attributes:
        obj.__dict__.update(attributes)
    return obj


Wiring.__reduce__ = _reduce
Wiring.erev_initializer = _erev_initializer
Wiring.sensory_erev_initializer = _sensory_erev_initializer
Wiring.get_graph = _wiring_plot.get_graph
Wiring.draw_graph = _wiring_plot.draw_graph
Wiring.__repr__ = _repr
for _cls in (FullyConnected, Random, NCP, AutoNCP):
    _cls.from_config = classmethod(_from_kwargs)
del _cls
