// Bindings for fl/ncps/wirings.h and fl/ncps/numpy_random.h (flashlight._C._ncps). The wiring classes are
// subclassable from Python as in ncps: a trampoline routes C++ calls of build(), num_layers,
// get_neurons_of_layer() and get_type_of_neuron() (as cells make them) to Python overrides. Matrices come back
// as int32 numpy arrays viewing the wiring's own buffers, so `w.adjacency_matrix[i, j] = 1` edits the wiring, as
// with ncps's ndarray attribute. flashlight/ncps/wirings.py adds the Python-only parts (erev_initializer,
// from_config classmethods, pickling, get_graph, draw_graph).
#include <nanobind/ndarray.h>
#include <nanobind/trampoline.h>

#include "bind.h"
#include "fl/ncps/numpy_random.h"
#include "fl/ncps/wirings.h"

namespace flpy {
namespace {
using namespace fl::ncps;

/// Marks a wiring whose class was defined in Python (see from_python).
struct PyWiringMarker {
  virtual ~PyWiringMarker() = default;
};

template <typename Base>
struct PyWiring final : Base, PyWiringMarker {
  NB_TRAMPOLINE(Base);
  void build(int64_t input_dim) override { NB_OVERRIDE(build, input_dim); }
  std::vector<int64_t> get_neurons_of_layer(int64_t layer_id) const override {
    NB_OVERRIDE(get_neurons_of_layer, layer_id);
  }
  std::string get_type_of_neuron(int64_t neuron_id) const override { NB_OVERRIDE(get_type_of_neuron, neuron_id); }
  /// ncps's num_layers is a property; an override may be a property or a method.
  int64_t num_layers() const override {
    constexpr uint64_t hash = nb::detail::str_hash("num_layers");
    nb::detail::ticket ticket(nb_trampoline, "num_layers", hash, false);
    if (!ticket.key.is_valid()) return Base::num_layers();
    nb::object v = nb_trampoline.base().attr(ticket.key);
    if (PyCallable_Check(v.ptr())) v = v();
    return nb::cast<int64_t>(v);
  }
};

/// Whether `w` is an instance of a Python subclass. The bound virtuals then run the bound class's own
/// implementation, so `super().build(d)` inside a Python override does not dispatch back to the override; other
/// objects (C++ subclasses bound as a base class) get the virtual call.
bool from_python(const Wiring& w) { return dynamic_cast<const PyWiringMarker*>(&w) != nullptr; }

/// A zero-copy int32 numpy view of a matrix buffer, keeping the buffer alive.
nb::object matrix_view(const std::shared_ptr<IntMatrix>& m) {
  if (!m) return nb::none();
  auto* keep = new std::shared_ptr<IntMatrix>(m);
  nb::capsule owner(keep, [](void* p) noexcept { delete static_cast<std::shared_ptr<IntMatrix>*>(p); });
  size_t shape[2] = {static_cast<size_t>(m->rows), static_cast<size_t>(m->cols)};
  return nb::cast(nb::ndarray<nb::numpy, int32_t, nb::ndim<2>>(m->data.data(), 2, shape, owner));
}

using Int32Matrix = nb::ndarray<const int32_t, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

/// A matrix from any 2-D array-like of -1/0/+1 values (nested lists, ndarrays of any numeric dtype).
IntMatrix to_matrix(nb::handle value, const std::string& name) {
  nb::module_ np = nb::module_::import_("numpy");
  nb::object a = np.attr("asarray")(value);
  FL_CHECK_VALUE(nb::cast<int>(a.attr("ndim")) == 2, name, " must be a 2-D matrix, got ", nb::cast<int>(a.attr("ndim")),
                 " dimensions");
  FL_CHECK_VALUE(PyObject_IsTrue(np.attr("isin")(a, nb::make_tuple(-1, 0, 1)).attr("all")().ptr()) == 1, name,
                 " entries must be -1, 0 or 1");
  auto arr = nb::cast<Int32Matrix>(np.attr("ascontiguousarray")(a, "dtype"_a = np.attr("int32")));
  IntMatrix m(static_cast<int64_t>(arr.shape(0)), static_cast<int64_t>(arr.shape(1)));
  std::copy(arr.data(), arr.data() + arr.size(), m.data.begin());
  return m;
}

nb::object config_value(const ConfigValue& v) {
  return std::visit(
      [](const auto& x) -> nb::object {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return nb::none();
        } else if constexpr (std::is_same_v<T, IntMatrix>) {
          nb::list rows;  // ncps reports matrices as nested lists (ndarray.tolist())
          for (int64_t r = 0; r < x.rows; ++r) {
            nb::list row;
            for (int64_t c = 0; c < x.cols; ++c) row.append(x(r, c));
            rows.append(row);
          }
          return rows;
        } else {
          return nb::cast(x);
        }
      },
      v);
}

nb::dict config_to_dict(const WiringConfig& c) {
  nb::dict d;
  for (const auto& [k, v] : c.items()) d[k.c_str()] = config_value(v);
  return d;
}

/// A config entry: None, bool, int or float (numpy scalars included), else a matrix.
ConfigValue config_entry(nb::handle v, const std::string& key) {
  if (v.is_none()) return std::monostate{};
  if (nb::hasattr(v, "ndim") && nb::cast<int>(v.attr("ndim")) == 0) return config_entry(v.attr("item")(), key);
  if (PyBool_Check(v.ptr())) return nb::cast<bool>(v);
  if (PyFloat_Check(v.ptr())) return nb::cast<double>(v);
  if (PyLong_Check(v.ptr())) return nb::cast<int64_t>(v);
  return to_matrix(v, key);
}

WiringConfig config_from_dict(const nb::dict& d) {
  WiringConfig c;
  for (auto [k, v] : d) {
    const auto key = nb::cast<std::string>(nb::str(k));
    c.set(key, config_entry(v, key));
  }
  return c;
}

/// Python int (any size, non-negative) -> the 32-bit words numpy's SeedSequence takes.
std::vector<uint32_t> entropy_words(nb::handle seed) {
  FL_CHECK_TYPE(PyLong_Check(seed.ptr()) || nb::hasattr(seed, "__index__"), "SeedSequence expects int entropy");
  nb::object n = seed.attr("__index__")();
  FL_CHECK_VALUE(nb::cast<bool>(n.attr("__ge__")(0)), "expected non-negative integer");
  std::vector<uint32_t> words;
  do {
    words.push_back(nb::cast<uint32_t>(n.attr("__and__")(0xFFFFFFFFu)));
    n = n.attr("__rshift__")(32);
  } while (nb::cast<bool>(n.attr("__gt__")(0)));
  return words;
}

nb::object int_list(const std::vector<int64_t>& v) { return nb::cast(v); }

void bind_numpy_random(Module& parent) {
  nb::module_ m = parent.def_submodule("_numpy_random", "numpy's RandomState and default_rng, bit for bit (tests)");
  nb::class_<RandomState>(m, "RandomState", "numpy.random.RandomState(seed) for an int seed (legacy MT19937)")
      .def(nb::init<int64_t>(), "seed"_a)
      .def("seed", &RandomState::seed, "seed"_a)
      .def("next_uint32", &RandomState::next_uint32)
      .def("next_uint64", &RandomState::next_uint64)
      .def("random_sample", &RandomState::random_sample)
      .def("uniform", &RandomState::uniform, "low"_a = 0.0, "high"_a = 1.0)
      .def("interval", &RandomState::interval, "max"_a)
      .def(
          "randint",
          [](RandomState& r, int64_t low, std::optional<int64_t> high, std::optional<int64_t> size) -> nb::object {
            if (!high) {
              FL_CHECK_VALUE(low > 0, "high <= 0");
              high = low;
              low = 0;
            }
            return size ? int_list(r.randint(low, *high, *size)) : nb::cast(r.randint(low, *high));
          },
          "low"_a, "high"_a = nb::none(), "size"_a = nb::none())
      .def("permutation", &RandomState::permutation, "n"_a)
      .def(
          "choice",
          [](RandomState& r, int64_t n, std::optional<int64_t> size, bool replace) -> nb::object {
            if (!size) return replace ? nb::cast(r.choice(n)) : nb::cast(r.choice(n, 1, false).at(0));
            return int_list(r.choice(n, *size, replace));
          },
          "a"_a, "size"_a = nb::none(), "replace"_a = true);

  nb::class_<Generator>(m, "Generator", "numpy.random.Generator(PCG64(seed))")
      .def("next_uint32", &Generator::next_uint32)
      .def("next_uint64", &Generator::next_uint64)
      .def("random", &Generator::random)
      .def("uniform", &Generator::uniform, "low"_a = 0.0, "high"_a = 1.0)
      .def("bounded", &Generator::bounded, "max"_a)
      .def("interval", &Generator::interval, "max"_a)
      .def(
          "integers",
          [](Generator& g, int64_t low, std::optional<int64_t> high, std::optional<int64_t> size) -> nb::object {
            if (!high) {
              high = low;
              low = 0;
            }
            return size ? int_list(g.integers(low, *high, *size)) : nb::cast(g.integers(low, *high));
          },
          "low"_a, "high"_a = nb::none(), "size"_a = nb::none())
      .def("permutation", &Generator::permutation, "n"_a)
      .def(
          "choice",
          [](Generator& g, int64_t n, std::optional<int64_t> size, bool replace, bool shuffle) -> nb::object {
            if (!size) return replace ? nb::cast(g.choice(n)) : nb::cast(g.choice(n, 1, false, shuffle).at(0));
            return int_list(g.choice(n, *size, replace, shuffle));
          },
          "a"_a, "size"_a = nb::none(), "replace"_a = true, "shuffle"_a = true);
  m.def(
      "default_rng", [](nb::handle seed) { return Generator(PCG64(SeedSequence(entropy_words(seed)))); }, "seed"_a,
      "numpy.random.default_rng(seed) for a non-negative int seed");
  m.def(
      "seed_sequence_state",
      [](nb::handle seed, size_t n) { return SeedSequence(entropy_words(seed)).generate_state32(n); }, "seed"_a,
      "n_words"_a, "SeedSequence(seed).generate_state(n_words, np.uint32)");
}

/// The virtuals, bound on every wiring class for its own implementation (see from_python).
template <typename X, typename Cls>
void bind_overridables(Cls& cls) {
  cls.def(
         "build", [](X& w, int64_t d) { from_python(w) ? w.X::build(d) : w.build(d); }, "input_dim"_a)
      .def(
          "get_neurons_of_layer",
          [](X& w, int64_t l) { return from_python(w) ? w.X::get_neurons_of_layer(l) : w.get_neurons_of_layer(l); },
          "layer_id"_a)
      .def(
          "get_type_of_neuron",
          [](X& w, int64_t i) { return from_python(w) ? w.X::get_type_of_neuron(i) : w.get_type_of_neuron(i); },
          "neuron_id"_a)
      .def_prop_ro("num_layers", [](X& w) { return from_python(w) ? w.X::num_layers() : w.num_layers(); });
}

}  // namespace

void init_ncps_wirings(Module& m) {
  bind_numpy_random(m);

  Class<Wiring, PyWiring<Wiring>> wiring(
      "Wiring", m, "Wiring",
      "Wiring(units): units neurons and no synapses (ncps.wirings.Wiring). Subclass it and add synapses with "
      "add_synapse / add_sensory_synapse in __init__ or build(input_dim), calling super().build(input_dim) first.");
  wiring.def(nb::init<int64_t>(), "units"_a)
      .def_prop_ro("units", &Wiring::units)
      .def_prop_ro("input_dim", &Wiring::input_dim)
      .def("is_built", &Wiring::is_built)
      .def("set_input_dim", &Wiring::set_input_dim, "input_dim"_a)
      .def("set_output_dim", &Wiring::set_output_dim, "output_dim"_a)
      .def("add_synapse", &Wiring::add_synapse, "src"_a, "dest"_a, "polarity"_a)
      .def("add_sensory_synapse", &Wiring::add_sensory_synapse, "src"_a, "dest"_a, "polarity"_a)
      .def_prop_ro("synapse_count", &Wiring::synapse_count)
      .def_prop_ro("sensory_synapse_count", &Wiring::sensory_synapse_count)
      .def_prop_rw("output_dim", &Wiring::output_dim, [](Wiring& w, int64_t d) { w.set_output_dim(d); })
      .def_prop_rw(
          "adjacency_matrix", [](const Wiring& w) { return matrix_view(w.adjacency_storage()); },
          [](Wiring& w, nb::handle v) { w.set_adjacency_matrix(to_matrix(v, "adjacency_matrix")); },
          "units x units int32 ndarray (row = source, column = destination) viewing the wiring's buffer")
      .def_prop_rw(
          "sensory_adjacency_matrix", [](const Wiring& w) { return matrix_view(w.sensory_storage()); },
          [](Wiring& w, std::optional<nb::object> v) {  // optional: a plain nb::handle setter rejects None
            w.set_sensory_adjacency_matrix(v ? std::optional(to_matrix(*v, "sensory_adjacency_matrix")) : std::nullopt);
          },
          "input_dim x units int32 ndarray, or None before build")
      .def("get_config", [](const Wiring& w) { return config_to_dict(w.get_config()); })
      .def_static(
          "from_config", [](const nb::dict& c) { return Wiring::from_config(config_from_dict(c)); }, "config"_a);
  bind_overridables<Wiring>(wiring);

  Class<FullyConnected, Wiring, PyWiring<FullyConnected>> fc(
      "Wiring", m, "FullyConnected",
      "FullyConnected(units, output_dim=None, erev_init_seed=1111, self_connections=True): every neuron and input "
      "connected to every neuron; polarities from default_rng(erev_init_seed), two thirds excitatory.");
  fc.def(nb::init<int64_t, std::optional<int64_t>, int64_t, bool>(), "units"_a, "output_dim"_a = nb::none(),
         "erev_init_seed"_a = 1111, "self_connections"_a = true)
      .def_prop_ro("erev_init_seed", &FullyConnected::erev_init_seed)
      .def_prop_ro("self_connections", &FullyConnected::self_connections);
  bind_overridables<FullyConnected>(fc);

  Class<Random, Wiring, PyWiring<Random>> rnd(
      "Wiring", m, "Random",
      "Random(units, output_dim=None, sparsity_level=0.0, random_seed=1111): round(units**2 * (1 - sparsity_level)) "
      "synapses picked at random (likewise for the inputs at build); sparsity_level in [0, 1).");
  rnd.def(nb::init<int64_t, std::optional<int64_t>, double, int64_t>(), "units"_a, "output_dim"_a = nb::none(),
          "sparsity_level"_a = 0.0, "random_seed"_a = 1111)
      .def_prop_ro("sparsity_level", &Random::sparsity_level)
      .def_prop_ro("random_seed", &Random::random_seed);
  bind_overridables<Random>(rnd);

  Class<NCP, Wiring, PyWiring<NCP>> ncp(
      "Wiring", m, "NCP",
      "NCP(inter_neurons, command_neurons, motor_neurons, sensory_fanout, inter_fanout, recurrent_command_synapses, "
      "motor_fanin, seed=22222): the sensory -> inter -> command -> motor circuit; ids are motor, then command, then "
      "inter. Synapses are drawn at build(input_dim).");
  ncp.def(nb::init<int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t>(), "inter_neurons"_a,
          "command_neurons"_a, "motor_neurons"_a, "sensory_fanout"_a, "inter_fanout"_a, "recurrent_command_synapses"_a,
          "motor_fanin"_a, "seed"_a = 22222)
      .def_prop_ro("num_inter_neurons", &NCP::num_inter_neurons)
      .def_prop_ro("num_command_neurons", &NCP::num_command_neurons)
      .def_prop_ro("num_motor_neurons", &NCP::num_motor_neurons)
      .def_prop_ro("sensory_fanout", &NCP::sensory_fanout)
      .def_prop_ro("inter_fanout", &NCP::inter_fanout)
      .def_prop_ro("recurrent_command_synapses", &NCP::recurrent_command_synapses)
      .def_prop_ro("motor_fanin", &NCP::motor_fanin)
      .def_prop_ro("seed", &NCP::seed);
  bind_overridables<NCP>(ncp);

  Class<AutoNCP, NCP, PyWiring<AutoNCP>> auto_ncp(
      "Wiring", m, "AutoNCP",
      "AutoNCP(units, output_size, sparsity_level=0.5, seed=22222): an NCP with sizes and fanouts derived from units "
      "and sparsity_level (in [0.1, 1.0]); output_size must be below units - 2.");
  auto_ncp
      .def(nb::init<int64_t, int64_t, double, int64_t>(), "units"_a, "output_size"_a, "sparsity_level"_a = 0.5,
           "seed"_a = 22222)
      .def_prop_ro("output_size", &AutoNCP::output_size)
      .def_prop_ro("sparsity_level", &AutoNCP::sparsity_level);
  bind_overridables<AutoNCP>(auto_ncp);

  m.def(
      "_build_from_cpp", [](const std::shared_ptr<Wiring>& w, int64_t input_dim) { w->build(input_dim); }, "wiring"_a,
      "input_dim"_a,
      "Calls wiring.build(input_dim) from C++ through the virtual, as a cell does (tests the Python overrides).");
  m.def(
      "_layers_from_cpp",
      [](const std::shared_ptr<Wiring>& w) {
        std::vector<std::vector<int64_t>> layers;
        for (int64_t l = 0; l < w->num_layers(); ++l) layers.push_back(w->get_neurons_of_layer(l));
        return layers;
      },
      "wiring"_a, "The layers as a C++ cell reads them (num_layers and get_neurons_of_layer through the virtuals).");
}

}  // namespace flpy
