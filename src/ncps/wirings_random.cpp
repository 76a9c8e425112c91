// FullyConnected and Random wirings (ncps/wirings/wirings.py), drawn with numpy's default_rng.
#include <cmath>

#include "fl/error.h"
#include "fl/ncps/wirings.h"

namespace fl::ncps {
namespace {

/// ncps's rng.choice([-1, 1, 1]): two thirds excitatory on purpose (ncps issue #49).
int biased_polarity(Generator& rng) {
  static constexpr int kPolarities[3] = {-1, 1, 1};
  return kPolarities[rng.choice(3)];
}

/// int(np.round(rows * cols * (1 - sparsity))): np.round rounds half to even, as nearbyint does.
int64_t synapse_budget(int64_t rows, int64_t cols, double sparsity) {
  return static_cast<int64_t>(std::nearbyint(static_cast<double>(rows * cols) * (1.0 - sparsity)));
}

int64_t output_dim_or_units(std::optional<int64_t> output_dim, int64_t units) { return output_dim.value_or(units); }

}  // namespace

// ---- FullyConnected ----

FullyConnected::FullyConnected(int64_t units, std::optional<int64_t> output_dim, int64_t erev_init_seed,
                               bool self_connections)
    : Wiring(units),
      erev_init_seed_(erev_init_seed),
      self_connections_(self_connections),
      rng_(default_rng(erev_init_seed)) {
  set_output_dim(output_dim_or_units(output_dim, units));
  for (int64_t src = 0; src < units; ++src)
    for (int64_t dest = 0; dest < units; ++dest) {
      if (src == dest && !self_connections) continue;  // skipped without a draw, as ncps
      add_synapse(src, dest, biased_polarity(rng_));
    }
}

void FullyConnected::build(int64_t input_dim) {
  Wiring::build(input_dim);
  if (sensory_drawn_) return;
  sensory_drawn_ = true;
  // The constructor's generator continues here.
  for (int64_t src = 0; src < input_dim; ++src)
    for (int64_t dest = 0; dest < units(); ++dest) add_sensory_synapse(src, dest, biased_polarity(rng_));
}

WiringConfig FullyConnected::get_config() const {
  WiringConfig c;
  c.set("units", units());
  c.set("output_dim", *output_dim());
  c.set("erev_init_seed", erev_init_seed_);
  c.set("self_connections", self_connections_);
  return c;
}

std::shared_ptr<FullyConnected> FullyConnected::from_config(const WiringConfig& c) {
  return std::make_shared<FullyConnected>(c.get_int("units"), c.get_optional_int("output_dim"),
                                          c.contains("erev_init_seed") ? c.get_int("erev_init_seed") : 1111,
                                          c.contains("self_connections") ? c.get_bool("self_connections") : true);
}

// ---- Random ----

Random::Random(int64_t units, std::optional<int64_t> output_dim, double sparsity_level, int64_t random_seed)
    : Wiring(units), sparsity_level_(sparsity_level), random_seed_(random_seed), rng_(default_rng(random_seed)) {
  set_output_dim(output_dim_or_units(output_dim, units));
  FL_CHECK_VALUE(sparsity_level >= 0.0 && sparsity_level < 1.0, "Invalid sparsity level '", sparsity_level,
                 "', expected value in range [0,1)");
  // ncps picks rows of the row-major list of all (src, dest) pairs; a pick's index i is the pair (i / N, i % N).
  const int64_t n = synapse_budget(units, units, sparsity_level);
  for (int64_t i : rng_.choice(units * units, n, /*replace=*/false))
    add_synapse(i / units, i % units, biased_polarity(rng_));
}

void Random::build(int64_t input_dim) {
  Wiring::build(input_dim);
  if (sensory_drawn_) return;
  sensory_drawn_ = true;
  const int64_t n = synapse_budget(input_dim, units(), sparsity_level_);
  for (int64_t i : rng_.choice(input_dim * units(), n, /*replace=*/false)) {
    // ncps draws each sensory polarity twice and keeps the second; the first draw still advances the stream.
    biased_polarity(rng_);
    add_sensory_synapse(i / units(), i % units(), biased_polarity(rng_));
  }
}

WiringConfig Random::get_config() const {
  WiringConfig c;
  c.set("units", units());
  c.set("output_dim", *output_dim());
  c.set("sparsity_level", sparsity_level_);
  c.set("random_seed", random_seed_);
  return c;
}

std::shared_ptr<Random> Random::from_config(const WiringConfig& c) {
  return std::make_shared<Random>(c.get_int("units"), c.get_optional_int("output_dim"),
                                  c.contains("sparsity_level") ? c.get_double("sparsity_level") : 0.0,
                                  c.contains("random_seed") ? c.get_int("random_seed") : 1111);
}

}  // namespace fl::ncps
