// The ncps cells as fl::nn modules (fl/ncps/modules.h): parameters registered under ncps's names and initialised
// as ncps.torch, each sequence one call of the fused CfC or LTC op.
#include <algorithm>

#include "fl/autograd.h"
#include "fl/error.h"
#include "fl/ncps/modules.h"
#include "fl/nn/init.h"
#include "fl/nn/modules/activation.h"
#include "fl/nn/modules/dropout.h"
#include "fl/ops/binary.h"
#include "fl/ops/creation.h"
#include "fl/ops/random.h"
#include "fl/ops/shape.h"
#include "fl/ops/unary.h"
#include "ops/op_utils.h"

namespace fl::ncps {

namespace {

std::shared_ptr<nn::UnaryModule> activation_module(const std::string& name) {
  if (name == "silu") return std::make_shared<nn::SiLU>();
  if (name == "relu") return std::make_shared<nn::ReLU>();
  if (name == "tanh") return std::make_shared<nn::Tanh>();
  if (name == "gelu") return std::make_shared<nn::GELU>();
  if (name == "lecun_tanh") return std::make_shared<LeCun>();
  throw ValueError("Unknown activation " + name);
}

void check_backbone(const std::vector<int64_t>& widths) {
  for (int64_t w : widths) FL_CHECK_VALUE(w > 0, "backbone widths must be positive, got ", w);
}

// ncps's backbone: Linear, activation, then [Linear, activation, Dropout (p > 0)] per further layer, so the
// state-dict indices are ncps's (backbone.0, backbone.2, backbone.5, ...).
std::shared_ptr<nn::Sequential> make_backbone(int64_t in, const std::vector<int64_t>& widths,
                                              const std::string& activation, double dropout) {
  auto seq = std::make_shared<nn::Sequential>();
  for (size_t k = 0; k < widths.size(); ++k) {
    seq->push_back(std::make_shared<nn::Linear>(k == 0 ? in : widths[k - 1], widths[k]));
    seq->push_back(activation_module(activation));
    if (k > 0 && dropout > 0) seq->push_back(std::make_shared<nn::Dropout>(dropout));
  }
  return seq;
}

// The Linear layers of a backbone, in order.
std::vector<std::shared_ptr<nn::Linear>> linears(const nn::Sequential& seq) {
  std::vector<std::shared_ptr<nn::Linear>> out;
  for (const auto& m : seq)
    if (auto l = std::dynamic_pointer_cast<nn::Linear>(m)) out.push_back(l);
  return out;
}

// Timespans of one step as (B, 1): undefined stays undefined; 0-d, (B) or (B, 1).
Tensor step_timespans(const Tensor& ts, int64_t B, Dtype dtype) {
  if (!ts.defined()) return ts;
  if (ts.dim() == 0) return ts.to(dtype).reshape({1, 1}).expand({B, 1});
  Tensor t = ts.dim() == 1 ? ts.unsqueeze(1) : ts;
  FL_CHECK_VALUE(t.sizes() == Shape({B, 1}), "expected an elapsed time of shape (", B, ") or (", B, ", 1), got ",
                 shape_to_string(ts.sizes()));
  return t.to(dtype);
}

std::optional<Tensor> opt(const Tensor& t) { return t.defined() ? std::optional<Tensor>(t) : std::nullopt; }

// The wiring's polarities as a float tensor (|.| for masks).
Tensor matrix(const IntMatrix& m, bool absolute, Dtype dtype = get_default_dtype()) {
  Tensor t = to_tensor(m, dtype);
  return absolute ? abs(t) : t;
}

std::shared_ptr<Wiring> fresh_wiring(const std::shared_ptr<Wiring>& w, int64_t input_dim) {
  // A wiring of the same configuration: the built-ins from their config (bit-identical for the same inputs).
  std::shared_ptr<Wiring> out;
  if (auto a = std::dynamic_pointer_cast<AutoNCP>(w))
    out = AutoNCP::from_config(a->get_config());
  else if (auto n = std::dynamic_pointer_cast<NCP>(w))
    out = NCP::from_config(n->get_config());
  else if (auto r = std::dynamic_pointer_cast<Random>(w))
    out = Random::from_config(r->get_config());
  else if (auto f = std::dynamic_pointer_cast<FullyConnected>(w))
    out = FullyConnected::from_config(f->get_config());
  FL_CHECK_VALUE(out || w->input_dim() == input_dim, "cannot derive a wiring with ", input_dim,
                 " inputs from this one; use a built-in wiring class");
  if (!out) return w;  // the same inputs: the same (read-only) wiring serves both cells
  out->build(input_dim);
  return out;
}

class CfCUnitStepper : public UnitStepper {
 public:
  CfCUnitStepper(const CfCWeights& w, const CfCConfig& cfg, int64_t out) : stepper_(w, cfg), out_(out) {}
  CellRun step(const Tensor& x, const Tensor& h, const Tensor& c, double dt) override {
    CfCOutputs o = stepper_.step(x, h, opt(c), dt);
    return {o.y.size(-1) == out_ ? o.y : o.y.narrow(-1, 0, out_), o.h, o.c};
  }

 private:
  CfCStepper stepper_;
  int64_t out_;
};

CfCConfig cfc_config(const std::string& mode, const std::string& activation, double dropout, bool training) {
  return CfCConfig{cfc_mode_from_string(mode), cfc_activation_from_string(activation), dropout, training};
}

CellRun run_cfc(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& ts, const CfCWeights& w,
                const CfCConfig& cfg, int64_t out) {
  CfCOutputs o = cfc_sequence_full(x, opt(h0), opt(c0), opt(ts), w, cfg);
  return {o.y.size(-1) == out ? o.y : o.y.narrow(-1, 0, out), o.h, o.c};
}

}  // namespace

// --- LeCun, LSTMCell, LiquidCell -------------------------------------------------------------------------------
LeCun::LeCun() { tanh = register_module("tanh", std::make_shared<nn::Tanh>()); }
Tensor LeCun::forward(const Tensor& input) { return mul(tanh->forward(mul(input, 0.666)), 1.7159); }

LSTMCell::LSTMCell(int64_t input_size, int64_t hidden_size) : input_size(input_size), hidden_size(hidden_size) {
  input_map = register_module("input_map", std::make_shared<nn::Linear>(input_size, 4 * hidden_size, true));
  recurrent_map = register_module("recurrent_map", std::make_shared<nn::Linear>(hidden_size, 4 * hidden_size, false));
  init_weights();
}

void LSTMCell::init_weights() {
  nn::init::xavier_uniform_(input_map->weight);
  nn::init::uniform_(input_map->bias, -0.1, 0.1);
  nn::init::orthogonal_(recurrent_map->weight);
}

std::pair<Tensor, Tensor> LSTMCell::forward(const Tensor& x, const Tensor& h, const Tensor& c) const {
  return lstm_memory_step(x, h, c, weights());
}

LSTMMemoryWeights LSTMCell::weights() const { return {input_map->weight, input_map->bias, recurrent_map->weight}; }

std::pair<Tensor, Tensor> LiquidCell::forward(const Tensor& x, const Tensor& hx, const Tensor& ts) {
  FL_CHECK_VALUE(x.dim() == 2, name(), ": expected a 2-D input (batch, features), got ", x.dim(), "-D");
  const int64_t B = x.size(0);
  Tensor h = hx.defined() ? hx : zeros({B, state_size()}, TensorOptions(x.dtype()));
  CellRun r = sequence(x.unsqueeze(1), h, Tensor(), step_timespans(ts, B, x.dtype()), nullptr);
  return {r.y.select(1, 0), r.h};
}

// --- CfCCell ------------------------------------------------------------------------------------------------
CfCCell::CfCCell(const CfCCellOptions& opts) : options(opts) {
  cfc_mode_from_string(options.mode);
  cfc_activation_from_string(options.activation);
  check_backbone(options.backbone);
  const int64_t I = options.input_size;
  FL_CHECK_VALUE(I > 0, "CfCCell: input_size must be positive, got ", I);
  Tensor mask = options.sparsity_mask;
  if (options.wiring) {
    FL_CHECK_VALUE(!mask.defined(), "CfCCell: pass either a wiring or a sparsity_mask, not both");
    options.wiring->build(I);
    options.hidden_size = options.wiring->units();
    if (options.backbone.empty())
      mask = cat({matrix(options.wiring->sensory_adjacency_matrix(), false),
                  matrix(options.wiring->adjacency_matrix(), false)},
                 0);
  }
  const int64_t H = options.hidden_size;
  FL_CHECK_VALUE(H > 0, "CfCCell: hidden_size must be positive, got ", H);
  if (mask.defined()) {
    FL_CHECK_VALUE(mask.sizes() == Shape({I + H, H}), "CfCCell: sparsity_mask must have shape (", I + H, ", ", H,
                   "), got ", shape_to_string(mask.sizes()));
    FL_CHECK_VALUE(options.backbone.empty(), "CfCCell: a sparsity_mask needs a cell without backbone");
    // ncps stores |mask|ᵀ in float32, a parameter without gradient.
    sparsity_mask = register_parameter("sparsity_mask", abs(mask.to(kFloat32)).t().contiguous(), false);
  }
  if (!options.backbone.empty())
    backbone = register_module("backbone",
                               make_backbone(I + H, options.backbone, options.activation, options.backbone_dropout));
  register_module("tanh", std::make_shared<nn::Tanh>());
  register_module("sigmoid", std::make_shared<nn::Sigmoid>());
  const int64_t cat_shape = options.backbone.empty() ? I + H : options.backbone.back();
  ff1 = register_module("ff1", std::make_shared<nn::Linear>(cat_shape, H));
  if (options.mode == "pure") {
    w_tau = register_parameter("w_tau", zeros({1, H}));
    A = register_parameter("A", ones({1, H}));
  } else {
    ff2 = register_module("ff2", std::make_shared<nn::Linear>(cat_shape, H));
    time_a = register_module("time_a", std::make_shared<nn::Linear>(cat_shape, H));
    time_b = register_module("time_b", std::make_shared<nn::Linear>(cat_shape, H));
  }
  init_weights();
}

CfCCell::CfCCell(int64_t input_size, int64_t hidden_size)
    : CfCCell([&] {
        CfCCellOptions o;
        o.input_size = input_size;
        o.hidden_size = hidden_size;
        return o;
      }()) {}

void CfCCell::init_weights() {
  for (Tensor& w : parameters())
    if (w.dim() == 2 && w.requires_grad()) nn::init::xavier_uniform_(w);
}

int64_t CfCCell::output_size() const {
  auto m = options.wiring ? options.wiring->output_dim() : std::nullopt;
  return m ? *m : options.hidden_size;
}

CfCCellWeights CfCCell::weights() const {
  CfCCellWeights w;
  if (backbone)
    for (auto& l : linears(*backbone)) {
      w.backbone_weight.push_back(l->weight);
      w.backbone_bias.push_back(l->bias);
    }
  w.ff1_weight = ff1->weight;
  w.ff1_bias = ff1->bias;
  if (ff2) {
    w.ff2_weight = ff2->weight;
    w.ff2_bias = ff2->bias;
    w.time_a_weight = time_a->weight;
    w.time_a_bias = time_a->bias;
    w.time_b_weight = time_b->weight;
    w.time_b_bias = time_b->bias;
  }
  w.w_tau = w_tau;
  w.A = A;
  w.sparsity_mask = sparsity_mask;
  return w;
}

CfCConfig CfCCell::config() const {
  return cfc_config(options.mode, options.activation, options.backbone_dropout, is_training());
}

CellRun CfCCell::sequence(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& ts, const LSTMCell* lstm) {
  CfCWeights w{{weights()}, lstm ? std::optional(lstm->weights()) : std::nullopt};
  return run_cfc(x, h0, c0, ts, w, config(), output_size());
}

std::shared_ptr<LiquidCell> CfCCell::spawn(int64_t input_size) const {
  CfCCellOptions o = options;
  FL_CHECK_VALUE(!o.sparsity_mask.defined() || input_size == o.input_size,
                 "CfCCell: a sparsity_mask fixes the input size; stacked layers need a wiring or none");
  o.input_size = input_size;
  if (o.wiring) o.wiring = fresh_wiring(o.wiring, input_size);
  return std::make_shared<CfCCell>(o);
}

std::unique_ptr<UnitStepper> CfCCell::stepper(const LSTMCell* lstm, int64_t) const {
  CfCWeights w{{weights()}, lstm ? std::optional(lstm->weights()) : std::nullopt};
  return std::make_unique<CfCUnitStepper>(w, config(), output_size());
}

// --- WiredCfCCell -------------------------------------------------------------------------------------------
WiredCfCCell::WiredCfCCell(int64_t input_size, std::shared_ptr<Wiring> w, const std::string& mode)
    : wiring(std::move(w)), mode(mode) {
  FL_CHECK_VALUE(wiring, "WiredCfCCell: a wiring is required");
  cfc_mode_from_string(mode);
  if (input_size > 0) wiring->build(input_size);
  FL_CHECK_VALUE(wiring->is_built(),
                 "Wiring error! Unknown number of input features. Please pass the parameter "
                 "'input_size' or call the 'wiring.build()'.");
  const Tensor S = matrix(wiring->sensory_adjacency_matrix(), false), A = matrix(wiring->adjacency_matrix(), false);
  int64_t in = *wiring->input_dim();
  std::vector<int64_t> prev;
  for (int64_t l = 0; l < wiring->num_layers(); ++l) {
    const std::vector<int64_t> neurons = wiring->get_neurons_of_layer(l);
    const int64_t n = static_cast<int64_t>(neurons.size());
    auto ids = [](const std::vector<int64_t>& v) { return tensor(v, Shape{static_cast<int64_t>(v.size())}); };
    Tensor sparsity =
        l == 0 ? S.index_select(1, ids(neurons)) : A.index_select(0, ids(prev)).index_select(1, ids(neurons));
    CfCCellOptions o;
    o.input_size = in;
    o.hidden_size = n;
    o.mode = mode;
    o.backbone = {};
    o.sparsity_mask = cat({sparsity, ones({n, n})}, 0);
    layers.push_back(register_module("layer_" + std::to_string(l), std::make_shared<CfCCell>(o)));
    in = n;
    prev = neurons;
  }
}

std::vector<int64_t> WiredCfCCell::layer_sizes() const {
  std::vector<int64_t> s;
  for (auto& l : layers) s.push_back(l->state_size());
  return s;
}

int64_t WiredCfCCell::output_size() const {
  const int64_t last = layers.back()->state_size();
  auto m = wiring->output_dim();
  return m ? std::min(*m, last) : last;
}

CfCWeights WiredCfCCell::weights(const LSTMCell* lstm) const {
  CfCWeights w;
  for (auto& l : layers) w.layers.push_back(l->weights());
  if (lstm) w.lstm = lstm->weights();
  return w;
}

CellRun WiredCfCCell::sequence(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& ts,
                               const LSTMCell* lstm) {
  return run_cfc(x, h0, c0, ts, weights(lstm), cfc_config(mode, "lecun_tanh", 0.0, is_training()), output_size());
}

std::shared_ptr<LiquidCell> WiredCfCCell::spawn(int64_t input_size) const {
  return std::make_shared<WiredCfCCell>(input_size, fresh_wiring(wiring, input_size), mode);
}

std::unique_ptr<UnitStepper> WiredCfCCell::stepper(const LSTMCell* lstm, int64_t) const {
  return std::make_unique<CfCUnitStepper>(weights(lstm), cfc_config(mode, "lecun_tanh", 0.0, false), output_size());
}

// --- LTCCell ------------------------------------------------------------------------------------------------
namespace {
struct InitRange {
  const char* name;
  double lo, hi;
};
// ncps's _init_ranges, in its registration order of the uniformly drawn parameters.
constexpr InitRange kNeuronRanges[] = {{"gleak", 0.001, 1.0}, {"vleak", -0.2, 0.2}, {"cm", 0.4, 0.6}};
constexpr InitRange kSynapseRanges[] = {{"sigma", 3, 8}, {"mu", 0.3, 0.8}, {"w", 0.001, 1.0}};

Tensor uniform(const Shape& shape, double lo, double hi) { return add(mul(rand(shape), hi - lo), lo); }

class LTCUnitStepper : public UnitStepper {
 public:
  LTCUnitStepper(const LTCCell& cell, const LSTMCell* lstm, int64_t batch)
      : cell_(cell),
        stepper_(lstm ? LTCStepper(cell.weights(), lstm->weights(), cell.config(), batch)
                      : LTCStepper(cell.weights(), cell.config(), batch)) {}
  CellRun step(const Tensor& x, const Tensor& h, const Tensor& c, double dt) override {
    Tensor f = cell_.features(x);
    if (!c.defined()) {
      auto [y, hn] = stepper_.step(f, h, dt);
      return {y, hn, Tensor()};
    }
    auto [y, hn, cn] = stepper_.step(f, h, c, dt);
    return {y, hn, cn};
  }

 private:
  const LTCCell& cell_;
  LTCStepper stepper_;
};
}  // namespace

LTCCell::LTCCell(const LTCCellOptions& opts) : options(opts) {
  FL_CHECK_VALUE(options.wiring, "LTCCell: a wiring is required");
  FL_CHECK_VALUE(options.ode_unfolds >= 1, "LTCCell: ode_unfolds must be a positive int, got ", options.ode_unfolds);
  check_backbone(options.backbone);
  Wiring& wiring = *options.wiring;
  if (!options.backbone.empty()) {
    FL_CHECK_VALUE(options.in_features > 0, "LTCCell: a backbone needs in_features");
    wiring.build(options.backbone.back());
  } else if (options.in_features > 0) {
    wiring.build(options.in_features);
  }
  FL_CHECK_VALUE(wiring.is_built(),
                 "Wiring error! Unknown number of input features. Please pass the parameter "
                 "'in_features' or call the 'wiring.build()'.");
  if (options.in_features <= 0) options.in_features = *wiring.input_dim();
  register_module("make_positive_fn", options.implicit_param_constraints
                                          ? std::shared_ptr<nn::Module>(std::make_shared<nn::Softplus>())
                                          : std::make_shared<nn::Identity>());
  register_module("_clip", std::make_shared<nn::ReLU>());
  const int64_t N = wiring.units(), D = *wiring.input_dim(), M = output_size();
  for (auto& r : kNeuronRanges) *params.find(r.name) = register_parameter(r.name, uniform({N}, r.lo, r.hi));
  for (auto& r : kSynapseRanges) *params.find(r.name) = register_parameter(r.name, uniform({N, N}, r.lo, r.hi));
  params.erev = register_parameter("erev", matrix(wiring.adjacency_matrix(), false));
  for (auto& r : kSynapseRanges) {
    const std::string name = std::string("sensory_") + r.name;
    *params.find(name) = register_parameter(name, uniform({D, N}, r.lo, r.hi));
  }
  params.sensory_erev = register_parameter("sensory_erev", matrix(wiring.sensory_adjacency_matrix(), false));
  params.sparsity_mask = register_parameter("sparsity_mask", matrix(wiring.adjacency_matrix(), true), false);
  params.sensory_sparsity_mask =
      register_parameter("sensory_sparsity_mask", matrix(wiring.sensory_adjacency_matrix(), true), false);
  const LTCMapping in = ltc_mapping_from_string(options.input_mapping);
  const LTCMapping out = ltc_mapping_from_string(options.output_mapping);
  if (in != LTCMapping::None) params.input_w = register_parameter("input_w", ones({D}));
  if (in == LTCMapping::Affine) params.input_b = register_parameter("input_b", zeros({D}));
  if (out != LTCMapping::None) params.output_w = register_parameter("output_w", ones({M}));
  if (out == LTCMapping::Affine) params.output_b = register_parameter("output_b", zeros({M}));
  if (!options.backbone.empty())
    backbone = register_module(
        "backbone", make_backbone(options.in_features, options.backbone, options.activation, options.backbone_dropout));
}

LTCCell::LTCCell(std::shared_ptr<Wiring> wiring, int64_t in_features)
    : LTCCell([&] {
        LTCCellOptions o;
        o.wiring = std::move(wiring);
        o.in_features = in_features;
        return o;
      }()) {}

int64_t LTCCell::output_size() const {
  auto m = options.wiring->output_dim();
  return m ? *m : options.wiring->units();
}

int64_t LTCCell::lstm_input_size() const {
  return options.backbone.empty() ? options.in_features : options.backbone.back();
}

LTCWeights LTCCell::weights() const { return params; }

LTCConfig LTCCell::config() const {
  LTCConfig c;
  c.input_mapping = ltc_mapping_from_string(options.input_mapping);
  c.output_mapping = ltc_mapping_from_string(options.output_mapping);
  c.ode_unfolds = options.ode_unfolds;
  c.epsilon = options.epsilon;
  c.implicit_param_constraints = options.implicit_param_constraints;
  c.motor_size = output_size();
  return c;
}

Tensor LTCCell::features(const Tensor& x) const { return backbone ? backbone->forward(x) : x; }

void LTCCell::apply_weight_constraints() {
  if (!options.implicit_param_constraints) ltc_apply_weight_constraints(params);
}

CellRun LTCCell::sequence(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& ts, const LSTMCell* lstm) {
  Tensor f = features(x);
  LTCSequenceOutput o = lstm ? ltc_sequence_mixed_memory(f, h0, c0, ts, params, lstm->weights(), config())
                             : ltc_sequence(f, h0, ts, params, config());
  return {o.output, o.h, o.c};
}

std::shared_ptr<LiquidCell> LTCCell::spawn(int64_t input_size) const {
  LTCCellOptions o = options;
  o.in_features = input_size;
  o.wiring = fresh_wiring(o.wiring, o.backbone.empty() ? input_size : o.backbone.back());
  return std::make_shared<LTCCell>(o);
}

std::unique_ptr<UnitStepper> LTCCell::stepper(const LSTMCell* lstm, int64_t batch) const {
  return std::make_unique<LTCUnitStepper>(*this, lstm, batch);
}

}  // namespace fl::ncps
