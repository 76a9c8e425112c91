// Neural Circuit Policy wirings (ncps.wirings): which neurons connect, and with which polarity. The matrices are
// bit-identical to the reference ncps package for the same constructor arguments and seeds (they reproduce its
// numpy draws, see numpy_random.h). Convention: row = source, column = destination; each entry is 0 (no
// synapse), +1 (excitatory) or -1 (inhibitory), and is used directly as the initial reversal potential.
//
// Deviations from ncps, all deliberate fixes:
// - build(d) on a built wiring with the same d does nothing (ncps draws the synapses again on top of the old).
// - NCP::get_config reports the seven sizes and the seed, so from_config round-trips (ncps reports id lists and
//   reseeds its RNG).
// - Invalid arguments that ncps accepts and later fails on (units < 1, output_dim > units, negative fanouts,
//   NaN sparsity) raise ValueError at construction; AutoNCP's sparsity message states the real range.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "fl/dtype.h"
#include "fl/ncps/numpy_random.h"
#include "fl/tensor.h"

namespace fl::ncps {

/// A dense row-major int32 matrix of polarities in {-1, 0, +1}.
struct IntMatrix {
  int64_t rows = 0, cols = 0;
  std::vector<int32_t> data;

  IntMatrix() = default;
  /// A rows x cols matrix of zeros.
  IntMatrix(int64_t rows, int64_t cols);
  /// The entry at row r, column c, unchecked (non-const and const overloads).
  int32_t& operator()(int64_t r, int64_t c) { return data[r * cols + c]; }
  int32_t operator()(int64_t r, int64_t c) const { return data[r * cols + c]; }
  /// Sum of absolute values: the number of synapses.
  int64_t abs_sum() const;
  bool operator==(const IntMatrix&) const = default;
};

/// The matrix as a tensor of `dtype` (int32 by default).
Tensor to_tensor(const IntMatrix& m, Dtype dtype = kInt32);

/// One value of a wiring config: None, bool, int, float or a matrix (ncps's nested lists).
using ConfigValue = std::variant<std::monostate, bool, int64_t, double, IntMatrix>;

/// ncps's get_config() dict: constructor arguments by name, in insertion order.
class WiringConfig {
 public:
  /// config[key] = value: replaces in place or appends.
  void set(const std::string& key, ConfigValue value);
  /// Whether key is present.
  bool contains(const std::string& key) const;
  /// The value of key; ValueError naming the key if it is missing.
  const ConfigValue& at(const std::string& key) const;
  /// Typed reads: ValueError if the key is missing or holds another kind (an int is accepted as a double).
  int64_t get_int(const std::string& key) const;
  /// An int, or nullopt when the key is missing or None.
  std::optional<int64_t> get_optional_int(const std::string& key) const;
  /// A float (an int is accepted); ValueError if missing or of another kind.
  double get_double(const std::string& key) const;
  /// A bool; ValueError if missing or of another kind.
  bool get_bool(const std::string& key) const;
  /// The entries in insertion order.
  const std::vector<std::pair<std::string, ConfigValue>>& items() const { return items_; }
  bool operator==(const WiringConfig&) const = default;

 private:
  std::vector<std::pair<std::string, ConfigValue>> items_;
};

/// ncps.wirings.Wiring(units): `units` neurons and no synapses. Subclasses add synapses in their constructor
/// and/or build(); cells read the matrices, output_dim (motor neurons are ids 0..output_dim-1) and the layers.
class Wiring {
 public:
  explicit Wiring(int64_t units);
  virtual ~Wiring() = default;
  Wiring(const Wiring&) = delete;
  Wiring& operator=(const Wiring&) = delete;

  /// The number of neurons.
  int64_t units() const { return units_; }
  /// Number of sensory inputs; unset until built.
  std::optional<int64_t> input_dim() const { return input_dim_; }
  /// Number of motor (output) neurons; unset until a subclass or the user sets it.
  std::optional<int64_t> output_dim() const { return output_dim_; }
  /// Whether input_dim is set.
  bool is_built() const { return input_dim_.has_value(); }

  /// Sets the input dimension (allocating an all-zero sensory matrix) if unset; ValueError if it was set to a
  /// different value. Subclasses call Wiring::build first, then add synapses.
  virtual void build(int64_t input_dim);
  /// Stores input_dim and a fresh input_dim x units zero sensory matrix.
  void set_input_dim(int64_t input_dim);
  /// Sets the number of motor neurons; ValueError unless 1 <= output_dim <= units.
  void set_output_dim(int64_t output_dim);

  /// Layers for wired cells: 1 here, all neurons in layer 0.
  virtual int64_t num_layers() const { return 1; }
  /// The neuron ids of a layer (every neuron for layer 0 here); ValueError for an unknown layer.
  virtual std::vector<int64_t> get_neurons_of_layer(int64_t layer_id) const;
  /// "motor" for ids below output_dim, else "inter" (subclasses add "command").
  virtual std::string get_type_of_neuron(int64_t neuron_id) const;

  /// Sets a synapse; ValueError if an id is out of range or polarity is not -1 or +1.
  void add_synapse(int64_t src, int64_t dest, int polarity);
  /// Sets a sensory synapse; ValueError if unbuilt, an id is out of range or polarity is not -1 or +1.
  void add_sensory_synapse(int64_t src, int64_t dest, int polarity);

  /// units x units, row = source neuron, column = destination neuron.
  const IntMatrix& adjacency_matrix() const { return *adjacency_; }
  /// input_dim x units; Error if the wiring is not built.
  const IntMatrix& sensory_adjacency_matrix() const;
  /// Whether a sensory matrix exists (after build, or once set).
  bool has_sensory_adjacency_matrix() const { return sensory_ != nullptr; }
  /// Replaces the units x units matrix (shape and values checked).
  void set_adjacency_matrix(IntMatrix m);
  /// Replaces the sensory matrix (shape and values checked). It may be set before input_dim, as in ncps's
  /// from_config; nullopt removes it.
  void set_sensory_adjacency_matrix(std::optional<IntMatrix> m);
  /// The shared buffers behind the matrices, for zero-copy views (the Python binding's numpy arrays): writes
  /// go straight into the wiring. A setter installs a new buffer; old views keep the old one alive.
  std::shared_ptr<IntMatrix> adjacency_storage() const { return adjacency_; }
  /// The sensory matrix's shared buffer (null when there is none), as adjacency_storage.
  std::shared_ptr<IntMatrix> sensory_storage() const { return sensory_; }

  /// A copy of the adjacency matrix as a tensor: the cells' initial erev.
  Tensor erev_initializer(Dtype dtype = kInt32) const;
  /// A copy of the sensory matrix as a tensor: the cells' initial sensory_erev.
  Tensor sensory_erev_initializer(Dtype dtype = kInt32) const;
  /// Number of internal synapses (sum of |adjacency|).
  int64_t synapse_count() const { return adjacency_->abs_sum(); }
  /// Number of sensory synapses (0 before build).
  int64_t sensory_synapse_count() const { return sensory_ ? sensory_->abs_sum() : 0; }

  /// {units, adjacency_matrix, sensory_adjacency_matrix, input_dim, output_dim} here; subclasses report their
  /// constructor arguments instead.
  virtual WiringConfig get_config() const;
  /// A plain Wiring carrying the config's matrices and dims (as ncps's Wiring.from_config).
  static std::shared_ptr<Wiring> from_config(const WiringConfig& config);

 protected:
  void check_neuron(int64_t id, const char* what) const;

 private:
  int64_t units_;
  std::optional<int64_t> input_dim_, output_dim_;
  std::shared_ptr<IntMatrix> adjacency_, sensory_;
};

/// ncps.wirings.FullyConnected: every neuron connects to every neuron (optionally not to itself) and every input
/// to every neuron; polarities drawn by default_rng(erev_init_seed).choice([-1, 1, 1]) (2/3 excitatory).
class FullyConnected : public Wiring {
 public:
  explicit FullyConnected(int64_t units, std::optional<int64_t> output_dim = std::nullopt,
                          int64_t erev_init_seed = 1111, bool self_connections = true);
  /// Wiring::build, then every sensory synapse (drawn once, continuing the constructor's generator).
  void build(int64_t input_dim) override;
  /// units, output_dim, erev_init_seed, self_connections.
  WiringConfig get_config() const override;
  /// A FullyConnected from get_config()'s keys (missing optional ones take the defaults).
  static std::shared_ptr<FullyConnected> from_config(const WiringConfig& config);
  /// The seed of the polarity draws.
  int64_t erev_init_seed() const { return erev_init_seed_; }
  /// Whether neurons connect to themselves.
  bool self_connections() const { return self_connections_; }

 private:
  int64_t erev_init_seed_;
  bool self_connections_;
  Generator rng_;
  bool sensory_drawn_ = false;
};

/// ncps.wirings.Random: round(units^2 * (1 - sparsity_level)) synapses picked uniformly, likewise for the sensory
/// synapses at build; polarities as FullyConnected. sparsity_level must lie in [0, 1).
class Random : public Wiring {
 public:
  explicit Random(int64_t units, std::optional<int64_t> output_dim = std::nullopt, double sparsity_level = 0.0,
                  int64_t random_seed = 1111);
  /// Wiring::build, then the sensory synapses (drawn once).
  void build(int64_t input_dim) override;
  /// units, output_dim, sparsity_level, random_seed.
  WiringConfig get_config() const override;
  /// A Random from get_config()'s keys (missing optional ones take the defaults).
  static std::shared_ptr<Random> from_config(const WiringConfig& config);
  /// The fraction of absent synapses.
  double sparsity_level() const { return sparsity_level_; }
  /// The seed of the draws.
  int64_t random_seed() const { return random_seed_; }

 private:
  double sparsity_level_;
  int64_t random_seed_;
  Generator rng_;
  bool sensory_drawn_ = false;
};

/// ncps.wirings.NCP: the four-layer sensory -> inter -> command -> motor circuit. Neuron ids: motor [0, M),
/// command [M, M+C), inter [M+C, N). All synapses are drawn at build() with RandomState(seed).
class NCP : public Wiring {
 public:
  NCP(int64_t inter_neurons, int64_t command_neurons, int64_t motor_neurons, int64_t sensory_fanout,
      int64_t inter_fanout, int64_t recurrent_command_synapses, int64_t motor_fanin, int64_t seed = 22222);
  /// Wiring::build, then every synapse, layer by layer (drawn once).
  void build(int64_t input_dim) override;
  /// 3 layers: 0 inter, 1 command, 2 motor.
  int64_t num_layers() const override { return 3; }
  /// The neuron ids of layer 0 (inter), 1 (command) or 2 (motor); ValueError otherwise.
  std::vector<int64_t> get_neurons_of_layer(int64_t layer_id) const override;
  /// "motor", "command" or "inter" by id range.
  std::string get_type_of_neuron(int64_t neuron_id) const override;
  /// The seven constructor sizes and the seed (so from_config round-trips).
  WiringConfig get_config() const override;
  /// An NCP from get_config()'s keys (seed defaults to 22222).
  static std::shared_ptr<NCP> from_config(const WiringConfig& config);

  /// Number of inter neurons.
  int64_t num_inter_neurons() const { return num_inter_; }
  /// Number of command neurons.
  int64_t num_command_neurons() const { return num_command_; }
  /// Number of motor neurons (output_dim).
  int64_t num_motor_neurons() const { return num_motor_; }
  /// Inter neurons each sensory input connects to.
  int64_t sensory_fanout() const { return sensory_fanout_; }
  /// Command neurons each inter neuron connects to.
  int64_t inter_fanout() const { return inter_fanout_; }
  /// Number of command -> command synapse draws.
  int64_t recurrent_command_synapses() const { return recurrent_command_synapses_; }
  /// Command neurons each motor neuron receives from.
  int64_t motor_fanin() const { return motor_fanin_; }
  /// The seed of RandomState's draws.
  int64_t seed() const { return seed_; }

 private:
  int polarity();
  void build_sensory_to_inter(int64_t input_dim);
  void build_inter_to_command();
  void build_recurrent_command();
  void build_command_to_motor();
  std::vector<int64_t> motor_ids() const;
  std::vector<int64_t> command_ids() const;
  std::vector<int64_t> inter_ids() const;

  int64_t num_inter_, num_command_, num_motor_;
  int64_t sensory_fanout_, inter_fanout_, recurrent_command_synapses_, motor_fanin_, seed_;
  RandomState rng_;
  bool synapses_drawn_ = false;
};

/// ncps.wirings.AutoNCP: an NCP whose layer sizes and fanouts are derived from `units`, `output_size` and
/// `sparsity_level` (in [0.1, 1.0]); output_size must be below units - 2.
class AutoNCP : public NCP {
 public:
  AutoNCP(int64_t units, int64_t output_size, double sparsity_level = 0.5, int64_t seed = 22222);
  /// units, output_size, sparsity_level, seed.
  WiringConfig get_config() const override;
  /// An AutoNCP from get_config()'s keys (missing optional ones take the defaults).
  static std::shared_ptr<AutoNCP> from_config(const WiringConfig& config);
  /// The number of motor neurons asked for.
  int64_t output_size() const { return output_size_; }
  /// The sparsity the sizes were derived from.
  double sparsity_level() const { return sparsity_level_; }

 private:
  /// (inter, command, motor, sensory_fanout, inter_fanout, recurrent_command_synapses, motor_fanin).
  using Sizes = std::array<int64_t, 7>;
  static Sizes derive_sizes(int64_t units, int64_t output_size, double sparsity_level);
  AutoNCP(const Sizes& s, int64_t output_size, double sparsity_level, int64_t seed);
  int64_t output_size_;
  double sparsity_level_;
};

}  // namespace fl::ncps
