// The Wiring base class, its matrices and its config (ncps/wirings/wirings.py, class Wiring).
#include "fl/ncps/wirings.h"

#include <cstdlib>

#include "fl/error.h"
#include "fl/ops/creation.h"
#include "ncps/wirings_impl.h"

namespace fl::ncps {

// ---- IntMatrix ----

IntMatrix::IntMatrix(int64_t r, int64_t c) : rows(r), cols(c), data(static_cast<size_t>(r * c), 0) {}

int64_t IntMatrix::abs_sum() const {
  int64_t s = 0;
  for (int32_t v : data) s += std::abs(v);
  return s;
}

Tensor to_tensor(const IntMatrix& m, Dtype dtype) {
  return tensor(std::vector<int>(m.data.begin(), m.data.end()), Shape{m.rows, m.cols}, TensorOptions(dtype));
}

// ---- WiringConfig ----

void WiringConfig::set(const std::string& key, ConfigValue value) {
  for (auto& [k, v] : items_)
    if (k == key) {
      v = std::move(value);
      return;
    }
  items_.emplace_back(key, std::move(value));
}

bool WiringConfig::contains(const std::string& key) const {
  for (const auto& kv : items_)
    if (kv.first == key) return true;
  return false;
}

const ConfigValue& WiringConfig::at(const std::string& key) const {
  for (const auto& kv : items_)
    if (kv.first == key) return kv.second;
  throw ValueError(detail::concat("wiring config has no entry '", key, "'"));
}

int64_t WiringConfig::get_int(const std::string& key) const {
  const auto& v = at(key);
  FL_CHECK_VALUE(std::holds_alternative<int64_t>(v), "wiring config entry '", key, "' must be an int");
  return std::get<int64_t>(v);
}

std::optional<int64_t> WiringConfig::get_optional_int(const std::string& key) const {
  if (!contains(key) || std::holds_alternative<std::monostate>(at(key))) return std::nullopt;
  return get_int(key);
}

double WiringConfig::get_double(const std::string& key) const {
  const auto& v = at(key);
  if (std::holds_alternative<int64_t>(v)) return static_cast<double>(std::get<int64_t>(v));
  FL_CHECK_VALUE(std::holds_alternative<double>(v), "wiring config entry '", key, "' must be a float");
  return std::get<double>(v);
}

bool WiringConfig::get_bool(const std::string& key) const {
  const auto& v = at(key);
  FL_CHECK_VALUE(std::holds_alternative<bool>(v), "wiring config entry '", key, "' must be a bool");
  return std::get<bool>(v);
}

// ---- Wiring ----

Wiring::Wiring(int64_t units) : units_(units) {
  FL_CHECK_VALUE(units >= 1, "Wiring: units must be at least 1, got ", units);
  adjacency_ = std::make_shared<IntMatrix>(units, units);
}

void Wiring::build(int64_t input_dim) {
  FL_CHECK_VALUE(!input_dim_ || *input_dim_ == input_dim, "Conflicting input dimensions provided. set_input_dim() ",
                 "was called with ", *input_dim_, " but actual input has dimension ", input_dim);
  if (!input_dim_) set_input_dim(input_dim);
}

void Wiring::set_input_dim(int64_t input_dim) {
  FL_CHECK_VALUE(input_dim >= 1, "input_dim must be at least 1, got ", input_dim);
  input_dim_ = input_dim;
  sensory_ = std::make_shared<IntMatrix>(input_dim, units_);
}

void Wiring::set_output_dim(int64_t output_dim) {
  FL_CHECK_VALUE(output_dim >= 1 && output_dim <= units_, "output_dim must be between 1 and units (", units_, "), got ",
                 output_dim);
  output_dim_ = output_dim;
}

std::vector<int64_t> Wiring::get_neurons_of_layer(int64_t layer_id) const {
  FL_CHECK_VALUE(layer_id >= 0 && layer_id < num_layers(), "Unknown layer ", layer_id);
  return neuron_range(0, units_);
}

std::string Wiring::get_type_of_neuron(int64_t neuron_id) const {
  check_neuron(neuron_id, "neuron");
  return output_dim_ && neuron_id < *output_dim_ ? "motor" : "inter";
}

void Wiring::check_neuron(int64_t id, const char* what) const {
  FL_CHECK_VALUE(id >= 0 && id < units_, "Invalid ", what, " id ", id, " for a wiring with ", units_, " units");
}

namespace {
void check_polarity(int polarity) {
  FL_CHECK_VALUE(polarity == -1 || polarity == 1, "Cannot add synapse with polarity ", polarity,
                 " (expected -1 or +1)");
}
void check_matrix_values(const IntMatrix& m, const char* name) {
  FL_CHECK_VALUE(m.rows >= 0 && m.cols >= 0 && static_cast<int64_t>(m.data.size()) == m.rows * m.cols, name,
                 ": data size does not match its shape");
  for (int32_t v : m.data) FL_CHECK_VALUE(v >= -1 && v <= 1, name, " entries must be -1, 0 or 1, got ", v);
}
}  // namespace

void Wiring::add_synapse(int64_t src, int64_t dest, int polarity) {
  FL_CHECK_VALUE(src >= 0 && src < units_, "Cannot add synapse originating in ", src, " if cell has only ", units_,
                 " units");
  FL_CHECK_VALUE(dest >= 0 && dest < units_, "Cannot add synapse feeding into ", dest, " if cell has only ", units_,
                 " units");
  check_polarity(polarity);
  (*adjacency_)(src, dest) = polarity;
}

void Wiring::add_sensory_synapse(int64_t src, int64_t dest, int polarity) {
  FL_CHECK_VALUE(input_dim_, "Cannot add sensory synapses before build() has been called!");
  FL_CHECK_VALUE(src >= 0 && src < *input_dim_, "Cannot add sensory synapse originating in ", src,
                 " if input has only ", *input_dim_, " features");
  FL_CHECK_VALUE(dest >= 0 && dest < units_, "Cannot add synapse feeding into ", dest, " if cell has only ", units_,
                 " units");
  check_polarity(polarity);
  (*sensory_)(src, dest) = polarity;
}

const IntMatrix& Wiring::sensory_adjacency_matrix() const {
  FL_CHECK(sensory_, "Wiring is not built: call build(input_dim) first");
  return *sensory_;
}

void Wiring::set_adjacency_matrix(IntMatrix m) {
  FL_CHECK_VALUE(m.rows == units_ && m.cols == units_, "adjacency_matrix must have shape (", units_, ", ", units_,
                 "), got (", m.rows, ", ", m.cols, ")");
  check_matrix_values(m, "adjacency_matrix");
  adjacency_ = std::make_shared<IntMatrix>(std::move(m));
}

void Wiring::set_sensory_adjacency_matrix(std::optional<IntMatrix> m) {
  if (!m) {
    sensory_.reset();
    return;
  }
  FL_CHECK_VALUE(m->cols == units_ && (!input_dim_ || m->rows == *input_dim_), "sensory_adjacency_matrix must have ",
                 "shape (", input_dim_ ? std::to_string(*input_dim_) : std::string("input_dim"), ", ", units_,
                 "), got (", m->rows, ", ", m->cols, ")");
  check_matrix_values(*m, "sensory_adjacency_matrix");
  sensory_ = std::make_shared<IntMatrix>(std::move(*m));
}

Tensor Wiring::erev_initializer(Dtype dtype) const { return to_tensor(*adjacency_, dtype); }
Tensor Wiring::sensory_erev_initializer(Dtype dtype) const { return to_tensor(sensory_adjacency_matrix(), dtype); }

namespace {
ConfigValue optional_int(const std::optional<int64_t>& v) {
  return v ? ConfigValue(*v) : ConfigValue(std::monostate{});
}
}  // namespace

WiringConfig Wiring::get_config() const {
  WiringConfig c;
  c.set("units", units_);
  c.set("adjacency_matrix", *adjacency_);
  c.set("sensory_adjacency_matrix", sensory_ ? ConfigValue(*sensory_) : ConfigValue(std::monostate{}));
  c.set("input_dim", optional_int(input_dim_));
  c.set("output_dim", optional_int(output_dim_));
  return c;
}

std::shared_ptr<Wiring> Wiring::from_config(const WiringConfig& config) {
  auto w = std::make_shared<Wiring>(config.get_int("units"));
  auto matrix = [&](const char* key) -> std::optional<IntMatrix> {
    if (!config.contains(key) || std::holds_alternative<std::monostate>(config.at(key))) return std::nullopt;
    FL_CHECK_VALUE(std::holds_alternative<IntMatrix>(config.at(key)), "wiring config entry '", key,
                   "' must be a matrix");
    return std::get<IntMatrix>(config.at(key));
  };
  if (auto a = matrix("adjacency_matrix")) w->set_adjacency_matrix(std::move(*a));
  if (auto d = config.get_optional_int("input_dim")) w->input_dim_ = *d;
  FL_CHECK_VALUE(!w->input_dim_ || *w->input_dim_ >= 1, "input_dim must be at least 1, got ", *w->input_dim_);
  w->set_sensory_adjacency_matrix(matrix("sensory_adjacency_matrix"));
  if (w->input_dim_ && !w->sensory_) w->sensory_ = std::make_shared<IntMatrix>(*w->input_dim_, w->units_);
  if (auto o = config.get_optional_int("output_dim")) w->set_output_dim(*o);
  return w;
}

}  // namespace fl::ncps
