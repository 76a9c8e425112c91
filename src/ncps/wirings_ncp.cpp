// NCP and AutoNCP wirings (ncps/wirings/wirings.py), drawn with numpy's legacy RandomState in ncps's order.
#include <algorithm>
#include <cmath>
#include <functional>

#include "fl/error.h"
#include "fl/ncps/wirings.h"
#include "ncps/wirings_impl.h"

namespace fl::ncps {
namespace {

/// np.clip(int(n_outer * fanout / n_inner), 1, upper): ncps's fan-in for neurons its random draws left out.
int64_t fallback_count(int64_t n_outer, int64_t fanout, int64_t n_inner, int64_t upper) {
  const auto k = static_cast<int64_t>(static_cast<double>(n_outer * fanout) / static_cast<double>(n_inner));
  return std::clamp<int64_t>(k, 1, upper);
}

/// One layer-to-layer phase of NCP::build. Each neuron `a` of `outer` (in order) picks `fanout` distinct partners
/// of `inner` and is connected to them; then each partner never picked (ascending id) picks `fallback` distinct
/// neurons of `outer`. connect(a, b) draws the polarity and adds the synapse in the right direction.
void connect_layers(RandomState& rng, const std::vector<int64_t>& outer, const std::vector<int64_t>& inner,
                    int64_t fanout, int64_t fallback, const std::function<void(int64_t a, int64_t b)>& connect) {
  std::vector<bool> reached(inner.size(), false);
  const int64_t inner_begin = inner.front();  // inner ids are consecutive
  for (int64_t a : outer)
    for (int64_t b : rng.choice(inner, fanout, /*replace=*/false)) {
      reached[b - inner_begin] = true;
      connect(a, b);
    }
  for (size_t i = 0; i < inner.size(); ++i)
    if (!reached[i])
      for (int64_t a : rng.choice(outer, fallback, /*replace=*/false)) connect(a, inner[i]);
}

void check_count(int64_t v, int64_t min, const char* name) {
  FL_CHECK_VALUE(v >= min, "Error: ", name, " must be at least ", min, ", got ", v);
}

}  // namespace

// ---- NCP ----

NCP::NCP(int64_t inter_neurons, int64_t command_neurons, int64_t motor_neurons, int64_t sensory_fanout,
         int64_t inter_fanout, int64_t recurrent_command_synapses, int64_t motor_fanin, int64_t seed)
    : Wiring((check_count(inter_neurons, 1, "inter_neurons"), check_count(command_neurons, 1, "command_neurons"),
              check_count(motor_neurons, 1, "motor_neurons"), inter_neurons + command_neurons + motor_neurons)),
      num_inter_(inter_neurons),
      num_command_(command_neurons),
      num_motor_(motor_neurons),
      sensory_fanout_(sensory_fanout),
      inter_fanout_(inter_fanout),
      recurrent_command_synapses_(recurrent_command_synapses),
      motor_fanin_(motor_fanin),
      seed_(seed),
      rng_(seed) {
  set_output_dim(motor_neurons);
  check_count(sensory_fanout, 0, "sensory_fanout");
  check_count(inter_fanout, 0, "inter_fanout");
  check_count(recurrent_command_synapses, 0, "recurrent_command_synapses");
  check_count(motor_fanin, 0, "motor_fanin");
  FL_CHECK_VALUE(motor_fanin <= command_neurons, "Error: Motor fanin parameter is ", motor_fanin,
                 " but there are only ", command_neurons, " command neurons");
  FL_CHECK_VALUE(sensory_fanout <= inter_neurons, "Error: Sensory fanout parameter is ", sensory_fanout,
                 " but there are only ", inter_neurons, " inter neurons");
  FL_CHECK_VALUE(inter_fanout <= command_neurons, "Error: Inter fanout parameter is ", inter_fanout,
                 " but there are only ", command_neurons, " command neurons");
}

std::vector<int64_t> NCP::motor_ids() const { return neuron_range(0, num_motor_); }
std::vector<int64_t> NCP::command_ids() const { return neuron_range(num_motor_, num_motor_ + num_command_); }
std::vector<int64_t> NCP::inter_ids() const { return neuron_range(num_motor_ + num_command_, units()); }

std::vector<int64_t> NCP::get_neurons_of_layer(int64_t layer_id) const {
  switch (layer_id) {
    case 0:
      return inter_ids();
    case 1:
      return command_ids();
    case 2:
      return motor_ids();
    default:
      throw ValueError(detail::concat("Unknown layer ", layer_id));
  }
}

std::string NCP::get_type_of_neuron(int64_t neuron_id) const {
  check_neuron(neuron_id, "neuron");
  if (neuron_id < num_motor_) return "motor";
  if (neuron_id < num_motor_ + num_command_) return "command";
  return "inter";
}

int NCP::polarity() { return rng_.choice(2) == 0 ? -1 : 1; }  // rng.choice([-1, 1])

void NCP::build(int64_t input_dim) {
  Wiring::build(input_dim);
  if (synapses_drawn_) return;
  synapses_drawn_ = true;
  build_sensory_to_inter(input_dim);
  build_inter_to_command();
  build_recurrent_command();
  build_command_to_motor();
}

void NCP::build_sensory_to_inter(int64_t input_dim) {
  connect_layers(rng_, neuron_range(0, input_dim), inter_ids(), sensory_fanout_,
                 fallback_count(input_dim, sensory_fanout_, num_inter_, input_dim),
                 [&](int64_t sensory, int64_t inter) { add_sensory_synapse(sensory, inter, polarity()); });
}

void NCP::build_inter_to_command() {
  // ncps clips this fallback to the number of command neurons (not inter neurons); the draw is unaffected since
  // int(I * inter_fanout / C) <= I.
  connect_layers(rng_, inter_ids(), command_ids(), inter_fanout_,
                 fallback_count(num_inter_, inter_fanout_, num_command_, num_command_),
                 [&](int64_t inter, int64_t command) { add_synapse(inter, command, polarity()); });
}

void NCP::build_recurrent_command() {
  const auto commands = command_ids();
  for (int64_t i = 0; i < recurrent_command_synapses_; ++i) {
    const int64_t src = rng_.choice(commands);
    const int64_t dest = rng_.choice(commands);
    add_synapse(src, dest, polarity());
  }
}

void NCP::build_command_to_motor() {
  // Here each motor neuron picks its sources, and command neurons left out pick motor targets.
  connect_layers(rng_, motor_ids(), command_ids(), motor_fanin_,
                 fallback_count(num_motor_, motor_fanin_, num_command_, num_motor_),
                 [&](int64_t motor, int64_t command) { add_synapse(command, motor, polarity()); });
}

WiringConfig NCP::get_config() const {
  WiringConfig c;
  c.set("inter_neurons", num_inter_);
  c.set("command_neurons", num_command_);
  c.set("motor_neurons", num_motor_);
  c.set("sensory_fanout", sensory_fanout_);
  c.set("inter_fanout", inter_fanout_);
  c.set("recurrent_command_synapses", recurrent_command_synapses_);
  c.set("motor_fanin", motor_fanin_);
  c.set("seed", seed_);
  return c;
}

std::shared_ptr<NCP> NCP::from_config(const WiringConfig& c) {
  // Read in order (argument evaluation order is unspecified) so a missing key is reported first to last.
  std::array<int64_t, 7> v{};
  const char* keys[7] = {"inter_neurons",  "command_neurons", "motor_neurons",
                         "sensory_fanout", "inter_fanout",    "recurrent_command_synapses",
                         "motor_fanin"};
  for (size_t i = 0; i < v.size(); ++i) v[i] = c.get_int(keys[i]);
  return std::make_shared<NCP>(v[0], v[1], v[2], v[3], v[4], v[5], v[6],
                               c.contains("seed") ? c.get_int("seed") : 22222);
}

// ---- AutoNCP ----

AutoNCP::Sizes AutoNCP::derive_sizes(int64_t units, int64_t output_size, double sparsity_level) {
  FL_CHECK_VALUE(output_size >= 1, "Output size must be at least 1 (given ", output_size, ")");
  FL_CHECK_VALUE(output_size < units - 2, "Output size must be less than the number of units-2 (given ", units,
                 " units, ", output_size, " output size)");
  FL_CHECK_VALUE(sparsity_level >= 0.1 && sparsity_level <= 1.0, "Sparsity level must be between 0.1 and 1.0 (given ",
                 sparsity_level, ")");
  // ncps's Python arithmetic: double products evaluated left to right, truncated by int().
  const double density = 1.0 - sparsity_level;
  const int64_t inter_and_command = units - output_size;
  auto trunc = [](double v) { return static_cast<int64_t>(v); };
  const int64_t command = std::max<int64_t>(trunc(0.4 * static_cast<double>(inter_and_command)), 1);
  const int64_t inter = inter_and_command - command;
  const int64_t sensory_fanout = std::max<int64_t>(trunc(static_cast<double>(inter) * density), 1);
  const int64_t inter_fanout = std::max<int64_t>(trunc(static_cast<double>(command) * density), 1);
  const int64_t recurrent = std::max<int64_t>(trunc(static_cast<double>(command) * density * 2), 1);
  const int64_t motor_fanin = std::max<int64_t>(trunc(static_cast<double>(command) * density), 1);
  return {inter, command, output_size, sensory_fanout, inter_fanout, recurrent, motor_fanin};
}

AutoNCP::AutoNCP(int64_t units, int64_t output_size, double sparsity_level, int64_t seed)
    : AutoNCP(derive_sizes(units, output_size, sparsity_level), output_size, sparsity_level, seed) {}

AutoNCP::AutoNCP(const Sizes& s, int64_t output_size, double sparsity_level, int64_t seed)
    : NCP(s[0], s[1], s[2], s[3], s[4], s[5], s[6], seed), output_size_(output_size), sparsity_level_(sparsity_level) {}

WiringConfig AutoNCP::get_config() const {
  WiringConfig c;
  c.set("units", units());
  c.set("output_size", output_size_);
  c.set("sparsity_level", sparsity_level_);
  c.set("seed", seed());
  return c;
}

std::shared_ptr<AutoNCP> AutoNCP::from_config(const WiringConfig& c) {
  return std::make_shared<AutoNCP>(c.get_int("units"), c.get_int("output_size"),
                                   c.contains("sparsity_level") ? c.get_double("sparsity_level") : 0.5,
                                   c.contains("seed") ? c.get_int("seed") : 22222);
}

}  // namespace fl::ncps
