"""flashlight.ncps.wirings against the reference: the golden matrices the real ncps produced (all 10 cases of
shared/golden/ncps/index.json), numpy itself for the RNG algorithms, and a transcription of ncps's wiring code
over numpy (checked against the goldens here) for many more configurations. Also config round trips, Python
subclasses, matrix views, errors and the drawing."""
import math
import re
import struct

import numpy as np
import pytest

from golden import GOLDEN_NCPS, ncps_index, read_safetensors

import flashlight.ncps
from flashlight._C import _ncps
from flashlight.ncps import wirings
from flashlight.ncps.wirings import NCP, AutoNCP, FullyConnected, Random, Wiring

nprand = _ncps._numpy_random
NEURON_TYPES = {0: "motor", 1: "inter", 2: "command", 3: "other"}


# ---------------------------------------------------------------------------------------------------------------
# The oracle: ncps's synapse generation transcribed over numpy's own generators (returns adjacency, sensory).

def ref_fully_connected(units, input_dim, erev_init_seed=1111, self_connections=True):
    rng = np.random.default_rng(erev_init_seed)
    a, s = np.zeros((units, units), np.int32), np.zeros((input_dim, units), np.int32)
    for src in range(units):
        for dest in range(units):
            if src != dest or self_connections:
                a[src, dest] = rng.choice([-1, 1, 1])
    for src in range(input_dim):
        for dest in range(units):
            s[src, dest] = rng.choice([-1, 1, 1])
    return a, s


def ref_random(units, input_dim, sparsity_level=0.0, random_seed=1111):
    rng = np.random.default_rng(random_seed)
    a, s = np.zeros((units, units), np.int32), np.zeros((input_dim, units), np.int32)
    pairs = [(i, j) for i in range(units) for j in range(units)]
    for src, dest in rng.choice(pairs, size=int(np.round(units * units * (1 - sparsity_level))), replace=False):
        a[src, dest] = rng.choice([-1, 1, 1])
    pairs = [(i, j) for i in range(input_dim) for j in range(units)]
    for src, dest in rng.choice(pairs, size=int(np.round(input_dim * units * (1 - sparsity_level))), replace=False):
        s[src, dest] = rng.choice([-1, 1, 1])
        s[src, dest] = rng.choice([-1, 1, 1])  # ncps draws twice, keeping the second
    return a, s


def ref_ncp(inter, command, motor, sensory_fanout, inter_fanout, recurrent, motor_fanin, input_dim, seed=22222):
    rng = np.random.RandomState(seed)
    n = inter + command + motor
    a, s = np.zeros((n, n), np.int32), np.zeros((input_dim, n), np.int32)
    motors, commands = list(range(motor)), list(range(motor, motor + command))
    inters, sensory = list(range(motor + command, n)), list(range(input_dim))

    def layer(outer, inner, fanout, fallback, put):
        unreached = list(inner)
        for x in outer:
            for y in rng.choice(inner, size=fanout, replace=False):
                if y in unreached:
                    unreached.remove(y)
                put(x, y, rng.choice([-1, 1]))
        for y in unreached:
            for x in rng.choice(outer, size=fallback, replace=False):
                put(x, y, rng.choice([-1, 1]))

    layer(sensory, inters, sensory_fanout, np.clip(int(input_dim * sensory_fanout / inter), 1, input_dim),
          lambda x, y, p: s.__setitem__((x, y), p))
    layer(inters, commands, inter_fanout, np.clip(int(inter * inter_fanout / command), 1, command),
          lambda x, y, p: a.__setitem__((x, y), p))
    for _ in range(recurrent):
        src, dest = rng.choice(commands), rng.choice(commands)
        a[src, dest] = rng.choice([-1, 1])
    layer(motors, commands, motor_fanin, np.clip(int(motor * motor_fanin / command), 1, motor),
          lambda x, y, p: a.__setitem__((y, x), p))
    return a, s


def auto_ncp_sizes(units, output_size, sparsity_level=0.5):
    density = 1.0 - sparsity_level
    command = max(int(0.4 * (units - output_size)), 1)
    inter = units - output_size - command
    return (inter, command, output_size, max(int(inter * density), 1), max(int(command * density), 1),
            max(int(command * density * 2), 1), max(int(command * density), 1))


def build(wiring, input_dim):
    wiring.build(input_dim)
    return wiring


def expect_same(wiring, ref):
    np.testing.assert_array_equal(wiring.adjacency_matrix, ref[0])
    np.testing.assert_array_equal(wiring.sensory_adjacency_matrix, ref[1])


# ---------------------------------------------------------------------------------------------------------------
# Golden files

def _golden_cases():
    return [pytest.param(c, id=c["file"].removesuffix(".safetensors")) for c in ncps_index()["wirings"]]


def _make(case):
    """The wiring the golden case was made with (ncps's NCP config holds id lists and no seed: the file name does)."""
    cfg, name = case["config"], case["file"]
    if name.startswith("wiring_fully_connected"):
        return FullyConnected(**cfg)
    if name.startswith("wiring_random"):
        return Random(**cfg)
    if name.startswith("wiring_autoncp"):
        return AutoNCP(**cfg)
    assert name.startswith("wiring_ncp")
    seed = int(re.search(r"_s(\d+)\.safetensors$", name).group(1))
    sizes = {k: len(cfg[k]) for k in ("inter_neurons", "command_neurons", "motor_neurons")}
    return NCP(**sizes, sensory_fanout=cfg["sensory_fanout"], inter_fanout=cfg["inter_fanout"],
               recurrent_command_synapses=cfg["recurrent_command_synapses"], motor_fanin=cfg["motor_fanin"], seed=seed)


def _reference_for(case):
    w, d = _make(case), case["input_dim"]
    if isinstance(w, FullyConnected):
        return ref_fully_connected(w.units, d, w.erev_init_seed, w.self_connections)
    if isinstance(w, Random):
        return ref_random(w.units, d, w.sparsity_level, w.random_seed)
    return ref_ncp(w.num_inter_neurons, w.num_command_neurons, w.num_motor_neurons, w.sensory_fanout,
                   w.inter_fanout, w.recurrent_command_synapses, w.motor_fanin, d, w.seed)


def test_golden_index_has_ten_wirings():
    assert len(ncps_index()["wirings"]) == 10


@pytest.mark.parametrize("case", _golden_cases())
def test_golden_wiring(case):
    gold = read_safetensors(GOLDEN_NCPS / case["file"])
    w = build(_make(case), case["input_dim"])
    assert w.units == case["units"] and w.output_dim == case["output_dim"] and w.input_dim == case["input_dim"]
    assert w.adjacency_matrix.dtype == np.int32 and w.sensory_adjacency_matrix.dtype == np.int32
    np.testing.assert_array_equal(w.adjacency_matrix, gold["adjacency_matrix"])
    np.testing.assert_array_equal(w.sensory_adjacency_matrix, gold["sensory_adjacency_matrix"])
    assert [w.get_type_of_neuron(i) for i in range(w.units)] == [NEURON_TYPES[int(t)] for t in gold["neuron_type"]]
    assert w.synapse_count == case["synapse_count"]
    assert w.sensory_synapse_count == case["sensory_synapse_count"]
    np.testing.assert_array_equal(w.erev_initializer(), gold["adjacency_matrix"])
    np.testing.assert_array_equal(w.sensory_erev_initializer(), gold["sensory_adjacency_matrix"])


@pytest.mark.parametrize("case", _golden_cases())
def test_oracle_reproduces_golden(case):
    # The transcription of ncps used below agrees with the real ncps on every golden case.
    gold = read_safetensors(GOLDEN_NCPS / case["file"])
    a, s = _reference_for(case)
    np.testing.assert_array_equal(a, gold["adjacency_matrix"])
    np.testing.assert_array_equal(s, gold["sensory_adjacency_matrix"])


# ---------------------------------------------------------------------------------------------------------------
# Many more configurations against the oracle

@pytest.mark.parametrize("units,output_dim,input_dim,seed,self_connections", [
    (1, None, 1, 0, True), (4, 2, 3, 5, False), (7, 3, 9, 123456789, True), (12, None, 2, 2**40 + 3, False),
    (20, 5, 6, 1111, True)])
def test_fully_connected_vs_oracle(units, output_dim, input_dim, seed, self_connections):
    w = build(FullyConnected(units, output_dim, erev_init_seed=seed, self_connections=self_connections), input_dim)
    expect_same(w, ref_fully_connected(units, input_dim, seed, self_connections))
    assert w.output_dim == (output_dim or units)


@pytest.mark.parametrize("units,input_dim,sparsity,seed", [
    (1, 1, 0.0, 3), (5, 3, 0.3, 9), (8, 8, 0.5, 1111), (13, 4, 0.75, 77), (30, 7, 0.9, 2024), (10, 5, 0.25, 0),
    (102, 4, 0.2, 11),  # 10404 > 10000 candidate synapses: numpy's tail-shuffle path of choice()
    (101, 100, 0.995, 5)])  # 10100 candidates, few picked: Floyd's path
def test_random_vs_oracle(units, input_dim, sparsity, seed):
    w = build(Random(units, sparsity_level=sparsity, random_seed=seed), input_dim)
    expect_same(w, ref_random(units, input_dim, sparsity, seed))
    assert w.synapse_count == int(np.round(units * units * (1 - sparsity)))


@pytest.mark.parametrize("args,input_dim", [
    ((1, 1, 1, 1, 1, 0, 1, 0), 1), ((4, 3, 2, 2, 2, 3, 2, 22222), 3), ((10, 10, 8, 6, 6, 4, 6, 22222), 8),
    ((3, 7, 2, 0, 0, 5, 0, 9), 5), ((20, 10, 1, 4, 5, 6, 4, 7), 2), ((6, 2, 5, 6, 2, 1, 2, 2**32 - 1), 30)])
def test_ncp_vs_oracle(args, input_dim):
    expect_same(build(NCP(*args), input_dim), ref_ncp(*args[:7], input_dim, args[7]))


@pytest.mark.parametrize("units,output_size,sparsity,seed,input_dim", [
    (16, 4, 0.5, 22222, 8), (28, 4, 0.5, 22222, 20), (28, 10, 0.5, 1, 3), (32, 1, 0.5, 2, 2), (5, 2, 0.1, 3, 4),
    (64, 8, 0.7, 5, 10), (100, 20, 1.0, 6, 12), (19, 1, 0.33, 8, 6)])
def test_auto_ncp_vs_oracle(units, output_size, sparsity, seed, input_dim):
    w = build(AutoNCP(units, output_size, sparsity, seed), input_dim)
    sizes = auto_ncp_sizes(units, output_size, sparsity)
    assert (w.num_inter_neurons, w.num_command_neurons, w.num_motor_neurons, w.sensory_fanout, w.inter_fanout,
            w.recurrent_command_synapses, w.motor_fanin) == sizes
    expect_same(w, ref_ncp(*sizes, input_dim, seed))


def test_auto_ncp_sizes_from_spec():
    for (units, out), sizes in {(16, 4): (8, 4, 4, 4, 2, 4, 2), (28, 4): (15, 9, 4, 7, 4, 9, 4),
                                (28, 10): (11, 7, 10, 5, 3, 7, 3), (32, 1): (19, 12, 1, 9, 6, 12, 6)}.items():
        w = AutoNCP(units, out)
        assert (w.num_inter_neurons, w.num_command_neurons, w.num_motor_neurons, w.sensory_fanout, w.inter_fanout,
                w.recurrent_command_synapses, w.motor_fanin) == sizes


# ---------------------------------------------------------------------------------------------------------------
# The RNGs against numpy

SEEDS = [0, 1, 7, 1111, 22222, 2**31 - 1, 2**32 - 1]


@pytest.mark.parametrize("seed", SEEDS)
def test_random_state_matches_numpy(seed):
    ours, ref = nprand.RandomState(seed), np.random.RandomState(seed)
    assert [ours.next_uint32() for _ in range(700)] == ref.randint(0, 2**32, size=700, dtype=np.uint64).tolist()
    for low, high in [(0, 1), (0, 2), (0, 3), (-5, 5), (0, 1000), (0, 2**31 + 1), (0, 2**32), (0, 2**32 + 1),
                      (3, 2**40), (-2**62, 2**62), (-2**63, 2**63 - 1)]:
        assert ours.randint(low, high, 50) == ref.randint(low, high, size=50).tolist(), (low, high)
        assert ours.randint(low, high) == ref.randint(low, high)
    assert ours.randint(10) == ref.randint(10)
    for n in [0, 1, 2, 5, 100, 1000]:
        assert ours.permutation(n) == ref.permutation(n).tolist()
    for n, k in [(5, 0), (5, 5), (10, 3), (300, 17), (20000, 500)]:
        assert ours.choice(n, k, replace=False) == ref.choice(n, k, replace=False).tolist()
        assert ours.choice(n, k) == ref.choice(n, k).tolist()
    assert ours.choice(7) == ref.choice(7)
    assert ours.choice(7, replace=False) == ref.choice(7, replace=False)
    assert [ours.random_sample() for _ in range(20)] == ref.random_sample(20).tolist()
    assert [ours.uniform(-3.0, 2.5) for _ in range(20)] == ref.uniform(-3.0, 2.5, 20).tolist()
    assert ours.next_uint32() == ref.randint(0, 2**32, dtype=np.uint64)  # still in step


def test_random_state_reseed_and_list_choice():
    ours, ref = nprand.RandomState(3), np.random.RandomState(3)
    ours.seed(99)
    ref.seed(99)
    assert [ours.choice(2) for _ in range(64)] == [ref.choice([0, 1]) for _ in range(64)]


@pytest.mark.parametrize("seed", SEEDS + [2**32, 2**63 - 1, 2**64 + 5, 2**130 + 17])
def test_seed_sequence_matches_numpy(seed):
    assert nprand.seed_sequence_state(seed, 8) == np.random.SeedSequence(seed).generate_state(8).tolist()


@pytest.mark.parametrize("seed", SEEDS + [2**64 + 5, 2**130 + 17])
def test_generator_matches_numpy(seed):
    ours, ref = nprand.default_rng(seed), np.random.default_rng(seed)
    raw = np.random.PCG64(seed).random_raw(500).tolist()
    assert [nprand.default_rng(seed).next_uint64() for _ in range(1)] == raw[:1]
    assert [ours.next_uint64() for _ in range(500)] == raw
    ref.bit_generator.advance(500)
    for low, high in [(0, 1), (0, 2), (0, 3), (-5, 5), (0, 1000), (0, 2**31 + 1), (0, 2**32), (0, 2**32 + 1),
                      (3, 2**40), (-2**62, 2**62), (-2**63, 2**63 - 1)]:
        assert ours.integers(low, high, 50) == ref.integers(low, high, size=50).tolist(), (low, high)
        # Scalar draws of 32-bit ranges share numpy's buffered half-words with the 64-bit ones in between.
        assert ours.integers(low, high) == ref.integers(low, high)
        assert ours.random() == ref.random()
    for n in [0, 1, 2, 5, 100, 1000]:
        assert ours.permutation(n) == ref.permutation(n).tolist()
    for n, k in [(5, 0), (5, 5), (10, 3), (300, 17), (10000, 9000), (10001, 200), (10001, 201), (20000, 401),
                 (12100, 6050), (20000, 1000), (20000, 1001), (2**33, 5)]:
        assert ours.choice(n, k, replace=False) == ref.choice(n, k, replace=False).tolist(), (n, k)
        unshuffled = ref.choice(n, k, replace=False, shuffle=False).tolist()  # numpy's tail cutoff is n // 20 here
        assert ours.choice(n, k, replace=False, shuffle=False) == unshuffled, (n, k)
        assert ours.choice(n, k) == ref.choice(n, k).tolist()
    assert ours.choice(7) == ref.choice(7)
    assert [ours.uniform(-3.0, 2.5) for _ in range(20)] == ref.uniform(-3.0, 2.5, 20).tolist()
    assert ours.integers(2**40) == ref.integers(2**40)


def test_generator_spec_vectors():
    g = nprand.default_rng(1111)
    assert [g.next_uint64(), g.next_uint64()] == [15852105362585597067, 12115427431398542507]
    r = nprand.RandomState(22222)
    assert [r.next_uint32() for _ in range(6)] == [294195201, 1847582594, 1342442730, 288109640, 840089594, 3515384064]
    assert nprand.RandomState(22222).permutation(6) == [5, 3, 0, 4, 2, 1]


def test_rng_errors_match_numpy():
    cases = [(lambda m: m.RandomState(-1), "Seed must be between 0 and 2**32 - 1"),
             (lambda m: m.RandomState(2**32), "Seed must be between 0 and 2**32 - 1"),
             (lambda m: m.default_rng(-1), "expected non-negative integer"),
             (lambda m: m.default_rng(1).integers(5, 5), "low >= high"),
             (lambda m: m.RandomState(1).randint(5, 5), "low >= high"),
             (lambda m: m.RandomState(1).randint(0), "high <= 0"),
             (lambda m: m.default_rng(1).choice(3, 4, replace=False), "Cannot take a larger sample than population"),
             (lambda m: m.RandomState(1).choice(3, 4, replace=False), "Cannot take a larger sample than population")]
    for make, message in cases:
        for module in (nprand, np.random):
            with pytest.raises(ValueError, match=re.escape(message)):
                make(module)


# ---------------------------------------------------------------------------------------------------------------
# Behaviour: the module, views, configs, layers, build, errors

def test_module_layout():
    assert flashlight.ncps.wirings is wirings
    from flashlight.ncps.wirings import AutoNCP as A  # noqa: N814
    assert A is AutoNCP and issubclass(AutoNCP, NCP) and issubclass(NCP, Wiring) and issubclass(Random, Wiring)
    assert set(wirings.__all__) == {"Wiring", "FullyConnected", "Random", "NCP", "AutoNCP"}


def test_matrices_are_views_and_settable():
    w = AutoNCP(16, 4)
    assert w.sensory_adjacency_matrix is None and not w.is_built() and w.sensory_synapse_count == 0
    w.build(8)
    a = w.adjacency_matrix
    count = w.synapse_count
    a[0, 0] = 1 if a[0, 0] == 0 else 0
    assert w.adjacency_matrix[0, 0] == a[0, 0] and w.synapse_count != count  # written through
    w.adjacency_matrix = [[0] * 16] * 16
    assert w.synapse_count == 0 and w.adjacency_matrix.dtype == np.int32
    w.sensory_adjacency_matrix = np.ones((8, 16), dtype=np.int64)
    assert w.sensory_synapse_count == 128
    with pytest.raises(ValueError, match="entries must be -1, 0 or 1"):
        w.adjacency_matrix = np.full((16, 16), 2)
    with pytest.raises(ValueError, match=r"must have shape \(16, 16\)"):
        w.adjacency_matrix = np.zeros((15, 16))
    with pytest.raises(ValueError, match=r"must have shape \(8, 16\)"):
        w.sensory_adjacency_matrix = np.zeros((7, 16))
    e = w.erev_initializer()
    e[0, 0] = 1
    assert w.adjacency_matrix[0, 0] == 0  # a copy
    assert w.sensory_erev_initializer(dtype=np.float32).dtype == np.float32
    assert Wiring(3).sensory_erev_initializer() is None


def test_build_is_idempotent_and_checks_dims():
    w = FullyConnected(5)
    w.build(3)
    s = w.sensory_adjacency_matrix.copy()
    w.build(3)
    np.testing.assert_array_equal(w.sensory_adjacency_matrix, s)
    conflict = "Conflicting input dimensions provided. set_input_dim() was called with 3 but actual input has dimension"
    with pytest.raises(ValueError, match=re.escape(conflict)):
        w.build(4)
    v = FullyConnected(5)
    v.set_input_dim(3)  # ncps's API: dims first, synapses at build
    assert v.sensory_synapse_count == 0
    v.build(3)
    np.testing.assert_array_equal(v.sensory_adjacency_matrix, s)


def test_layers_and_types():
    w = NCP(4, 3, 2, 2, 2, 3, 2)
    assert w.num_layers == 3
    assert [w.get_neurons_of_layer(i) for i in range(3)] == [[5, 6, 7, 8], [2, 3, 4], [0, 1]]
    assert [w.get_type_of_neuron(i) for i in (0, 2, 5)] == ["motor", "command", "inter"]
    with pytest.raises(ValueError, match="Unknown layer 3"):
        w.get_neurons_of_layer(3)
    f = FullyConnected(4, 1)
    assert f.num_layers == 1 and f.get_neurons_of_layer(0) == [0, 1, 2, 3]
    assert [f.get_type_of_neuron(i) for i in range(4)] == ["motor", "inter", "inter", "inter"]
    assert _ncps._layers_from_cpp(w) == [[5, 6, 7, 8], [2, 3, 4], [0, 1]]


def test_base_wiring_synapses_and_errors():
    w = Wiring(3)
    assert w.units == 3 and w.input_dim is None and w.output_dim is None and w.num_layers == 1
    w.add_synapse(0, 2, -1)
    with pytest.raises(ValueError, match="Cannot add sensory synapses before build\\(\\) has been called!"):
        w.add_sensory_synapse(0, 0, 1)
    w.build(2)
    w.add_sensory_synapse(1, 2, 1)
    w.set_output_dim(1)
    assert w.get_type_of_neuron(0) == "motor" and w.get_type_of_neuron(1) == "inter"
    assert (w.synapse_count, w.sensory_synapse_count) == (1, 1)
    with pytest.raises(ValueError, match="Cannot add synapse originating in 3 if cell has only 3 units"):
        w.add_synapse(3, 0, 1)
    with pytest.raises(ValueError, match="Cannot add synapse feeding into 5 if cell has only 3 units"):
        w.add_synapse(0, 5, 1)
    with pytest.raises(ValueError, match=re.escape("Cannot add synapse with polarity 2 (expected -1 or +1)")):
        w.add_synapse(0, 0, 2)
    with pytest.raises(ValueError, match="Cannot add sensory synapse originating in 2 if input has only 2 features"):
        w.add_sensory_synapse(2, 0, 1)
    with pytest.raises(ValueError, match="output_dim must be between 1 and units"):
        w.output_dim = 4


@pytest.mark.parametrize("make,message", [
    (lambda: NCP(4, 3, 2, 2, 2, 3, 4), "Motor fanin parameter is 4 but there are only 3 command neurons"),
    (lambda: NCP(4, 3, 2, 5, 2, 3, 2), "Sensory fanout parameter is 5 but there are only 4 inter neurons"),
    (lambda: NCP(4, 3, 2, 2, 4, 3, 2), "Inter fanout parameter is 4 but there are only 3 command neurons"),
    (lambda: NCP(4, 0, 2, 2, 0, 3, 0), "command_neurons must be at least 1"),
    (lambda: NCP(4, 3, 2, -1, 2, 3, 2), "sensory_fanout must be at least 0"),
    (lambda: AutoNCP(10, 8), "Output size must be less than the number of units-2 (given 10 units, 8 output size)"),
    (lambda: AutoNCP(10, 0), "Output size must be at least 1"),
    (lambda: AutoNCP(16, 4, 0.05), "Sparsity level must be between 0.1 and 1.0 (given 0.05)"),
    (lambda: AutoNCP(16, 4, 1.01), "Sparsity level must be between 0.1 and 1.0"),
    (lambda: Random(4, sparsity_level=1.0), "Invalid sparsity level '1', expected value in range [0,1)"),
    (lambda: Random(4, sparsity_level=-0.5), "expected value in range [0,1)"),
    (lambda: Random(4, sparsity_level=math.nan), "Invalid sparsity level"),
    (lambda: FullyConnected(4, 5), "output_dim must be between 1 and units (4), got 5"),
    (lambda: FullyConnected(0), "units must be at least 1"),
    (lambda: FullyConnected(4, erev_init_seed=-1), "expected non-negative integer"),
    (lambda: NCP(4, 3, 2, 2, 2, 3, 2, seed=-1), "Seed must be between 0 and 2**32 - 1"),
    (lambda: Wiring(3).build(0), "input_dim must be at least 1"),
    (lambda: Wiring(3).get_neurons_of_layer(1), "Unknown layer 1"),
])
def test_argument_errors(make, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make()


def test_config_round_trips():
    for w in [FullyConnected(6, 2, erev_init_seed=7, self_connections=False), Random(9, 3, 0.4, 5),
              NCP(5, 4, 2, 2, 2, 3, 2, seed=1), AutoNCP(19, 1, 0.6, 8)]:
        config = w.get_config()
        twin = type(w).from_config(config)
        assert type(twin) is type(w) and twin.get_config() == config
        build(w, 4), build(twin, 4)
        np.testing.assert_array_equal(twin.adjacency_matrix, w.adjacency_matrix)
        np.testing.assert_array_equal(twin.sensory_adjacency_matrix, w.sensory_adjacency_matrix)
    assert NCP(5, 4, 2, 2, 2, 3, 2, seed=1).get_config() == {
        "inter_neurons": 5, "command_neurons": 4, "motor_neurons": 2, "sensory_fanout": 2, "inter_fanout": 2,
        "recurrent_command_synapses": 3, "motor_fanin": 2, "seed": 1}
    assert AutoNCP(16, 4).get_config() == {"units": 16, "output_size": 4, "sparsity_level": 0.5, "seed": 22222}
    assert Random(4).get_config() == {"units": 4, "output_dim": 4, "sparsity_level": 0.0, "random_seed": 1111}


def test_base_config_carries_matrices():
    w = Wiring(3)
    assert w.get_config() == {"units": 3, "adjacency_matrix": [[0] * 3] * 3, "sensory_adjacency_matrix": None,
                              "input_dim": None, "output_dim": None}
    w.add_synapse(1, 2, -1)
    w.build(2)
    w.add_sensory_synapse(0, 1, 1)
    w.set_output_dim(2)
    config = w.get_config()
    assert config["adjacency_matrix"] == [[0, 0, 0], [0, 0, -1], [0, 0, 0]]
    assert config["sensory_adjacency_matrix"] == [[0, 1, 0], [0, 0, 0]]
    twin = Wiring.from_config(config)
    assert (twin.units, twin.input_dim, twin.output_dim) == (3, 2, 2) and twin.is_built()
    np.testing.assert_array_equal(twin.adjacency_matrix, w.adjacency_matrix)
    np.testing.assert_array_equal(twin.sensory_adjacency_matrix, w.sensory_adjacency_matrix)
    config["adjacency_matrix"] = np.array(config["adjacency_matrix"])  # ndarrays too, as ncps's np.array()
    np.testing.assert_array_equal(Wiring.from_config(config).adjacency_matrix, w.adjacency_matrix)


def test_repr():
    assert repr(AutoNCP(16, 4)) == "AutoNCP(units=16, output_size=4, sparsity_level=0.5, seed=22222)"
    assert repr(FullyConnected(3)) == ("FullyConnected(units=3, output_dim=3, erev_init_seed=1111, "
                                       "self_connections=True)")
    assert repr(Wiring(2)) == "Wiring(units=2, input_dim=None, output_dim=None)"


# ---------------------------------------------------------------------------------------------------------------
# Python subclasses (ncps's custom-wiring pattern), also as C++ cells call them

class Chain(Wiring):
    """0 -> 1 -> ... -> n-1, input 0 feeding neuron 0; two layers (the motor neuron last)."""

    def __init__(self, units):
        super().__init__(units)
        self.note = "custom"  # instances keep Python attributes
        self.set_output_dim(1)
        for i in range(units - 1):
            self.add_synapse(i, i + 1, 1 if i % 2 == 0 else -1)

    def build(self, input_dim):
        super().build(input_dim)
        self.add_sensory_synapse(0, 0, 1)
        self.builds = getattr(self, "builds", 0) + 1

    @property
    def num_layers(self):
        return 2

    def get_neurons_of_layer(self, layer_id):
        return list(range(1, self.units)) if layer_id == 0 else [0]

    def get_type_of_neuron(self, neuron_id):
        return "motor" if neuron_id == 0 else "relay"


def test_python_subclass():
    w = Chain(4)
    assert isinstance(w, Wiring) and w.note == "custom" and w.synapse_count == 3
    w.build(2)
    assert w.builds == 1 and w.sensory_synapse_count == 1
    np.testing.assert_array_equal(w.adjacency_matrix[[0, 1, 2], [1, 2, 3]], [1, -1, 1])
    assert w.num_layers == 2 and w.get_type_of_neuron(2) == "relay"


def test_python_subclass_called_from_cpp():
    # A C++ cell calls build(), num_layers and get_neurons_of_layer() through the virtuals: the overrides run, and
    # super().build() inside the override reaches the C++ base instead of recursing.
    w = Chain(4)
    _ncps._build_from_cpp(w, 3)
    assert w.builds == 1 and w.input_dim == 3 and w.sensory_adjacency_matrix[0, 0] == 1
    assert _ncps._layers_from_cpp(w) == [[1, 2, 3], [0]]


def test_python_subclass_of_auto_ncp():
    class Extra(AutoNCP):
        def build(self, input_dim):
            super().build(input_dim)
            self.add_synapse(15, 0, -1)  # an inter neuron straight to a motor neuron

    w = Extra(16, 4)
    _ncps._build_from_cpp(w, 8)
    ref = ref_ncp(*auto_ncp_sizes(16, 4), 8)
    ref[0][15, 0] = -1
    expect_same(w, ref)
    assert _ncps._layers_from_cpp(w) == [list(range(8, 16)), [4, 5, 6, 7], [0, 1, 2, 3]]
    assert type(Extra.from_config(w.get_config())) is Extra


# ---------------------------------------------------------------------------------------------------------------
# Graph and drawing

def test_get_graph():
    nx = pytest.importorskip("networkx")
    w = build(AutoNCP(16, 4), 2)
    g = w.get_graph()
    assert isinstance(g, nx.DiGraph) and g.number_of_nodes() == 16 + 2
    assert g.number_of_edges() == w.synapse_count + w.sensory_synapse_count
    assert g.nodes["neuron_0"]["neuron_type"] == "motor" and g.nodes["sensory_1"]["neuron_type"] == "sensory"
    src, dest = map(int, np.argwhere(w.adjacency_matrix == -1)[0])
    assert g.edges[f"neuron_{src}", f"neuron_{dest}"]["polarity"] == "inhibitory"
    assert w.get_graph(include_sensory_neurons=False).number_of_nodes() == 16
    with pytest.raises(ValueError, match="not built"):
        AutoNCP(16, 4).get_graph()


def _png_size(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk comes first
    return width, height


def test_draw_graph_png(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib.image

    w = build(NCP(4, 3, 2, 2, 2, 3, 2), 3)
    path = tmp_path / "ncp.png"
    handles = w.draw_graph(save=path, draw_labels=True)
    width, height = _png_size(path)
    assert width > 100 and height > 100
    pixels = matplotlib.image.imread(path)
    assert pixels.shape[:2] == (height, width)
    assert pixels[..., :3].std() > 0.05  # something was drawn, not a blank canvas
    labels = [h.get_label() for h in handles]
    assert labels == ["Sensory neurons", "Inter neurons", "Command neurons", "Motor neurons", "Excitatory synapses",
                      "Inhibitory synapses"]
    # Synapse colours: green excitatory, red inhibitory by default (as ncps), overridable like ncps.
    assert [tuple(h.get_facecolor()[:3]) for h in handles[-2:]] == [
        matplotlib.colors.to_rgb("tab:green"), matplotlib.colors.to_rgb("tab:red")]
    gray = w.draw_graph(save=tmp_path / "gray.png", synapse_colors="gray", neuron_colors={"motor": "black"})
    assert matplotlib.colors.to_rgb(gray[-1].get_facecolor()) == matplotlib.colors.to_rgb("gray")
    assert matplotlib.colors.to_rgb(gray[3].get_facecolor()) == (0.0, 0.0, 0.0)


def test_draw_graph_svg_layouts_and_axes(tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    w = build(FullyConnected(4, 1, self_connections=True), 2)
    svg = tmp_path / "fc.svg"
    w.draw_graph(save=svg, layout="circular")
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text
    ax = Figure().add_subplot()
    handles = w.draw_graph(ax=ax, layout="random")
    assert [h.get_label() for h in handles][:3] == ["Sensory neurons", "Inter neurons", "Motor neurons"]
    assert len(ax.patches) >= w.synapse_count + w.sensory_synapse_count  # one arrow or loop per synapse
    with pytest.raises(ValueError, match="Unknown layout 'tree'"):
        w.draw_graph(save=tmp_path / "x.png", layout="tree")
    with pytest.raises(ValueError, match="not built"):
        FullyConnected(3).draw_graph(save=tmp_path / "y.png")


# ---------------------------------------------------------------------------------------------------------------
# Copies and pickles (models holding a wiring get deep-copied)

def _same_wiring(a, b):
    assert type(a) is type(b) and a is not b
    assert (a.units, a.input_dim, a.output_dim) == (b.units, b.input_dim, b.output_dim)
    np.testing.assert_array_equal(a.adjacency_matrix, b.adjacency_matrix)
    if a.sensory_adjacency_matrix is None:
        assert b.sensory_adjacency_matrix is None
    else:
        np.testing.assert_array_equal(a.sensory_adjacency_matrix, b.sensory_adjacency_matrix)


def test_deepcopy_and_pickle():
    import copy
    import pickle

    built = build(AutoNCP(16, 4), 8)
    built.adjacency_matrix[0, 0] = 1  # an edit after build survives the copy
    unbuilt = FullyConnected(5, 2, erev_init_seed=3)
    plain = Wiring(3)
    plain.add_synapse(0, 1, -1)
    for w in [built, unbuilt, plain, build(Random(6, 2, 0.5, 9), 3), NCP(4, 3, 2, 2, 2, 3, 2)]:
        for twin in (copy.deepcopy(w), pickle.loads(pickle.dumps(w))):
            _same_wiring(w, twin)
            assert twin.get_config() == w.get_config()
    # An unbuilt copy draws the same sensory synapses as the original when built later.
    twin = copy.deepcopy(unbuilt)
    _same_wiring(build(unbuilt, 4), build(twin, 4))
    twin.adjacency_matrix[0, 0] = -1 if twin.adjacency_matrix[0, 0] != -1 else 1
    assert twin.adjacency_matrix[0, 0] != unbuilt.adjacency_matrix[0, 0]  # independent buffers


def test_deepcopy_python_subclass():
    import copy

    w = Chain(4)
    w.build(2)
    twin = copy.deepcopy(w)
    _same_wiring(w, twin)
    assert twin.note == "custom" and twin.builds == 1 and twin.num_layers == 2
    assert _ncps._layers_from_cpp(twin) == [[1, 2, 3], [0]]
