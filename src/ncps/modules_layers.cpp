// The CfC and LTC sequence layers (fl/ncps/modules.h): input layout, states, timespans, stacked layers and
// directions around the cells' fused sequences, and single steps through cached C++ steppers.
#include "fl/autograd.h"
#include "fl/error.h"
#include "fl/ncps/modules.h"
#include "fl/ops/binary.h"
#include "fl/ops/creation.h"
#include "fl/ops/shape.h"
#include "ops/op_utils.h"

namespace fl::ncps {

namespace {
const char* const kMergeModes[] = {"concat", "sum", "mul", "ave"};

Tensor merge(const std::string& mode, const Tensor& a, const Tensor& b) {
  if (mode == "concat") return cat({a, b}, -1);
  if (mode == "sum") return add(a, b);
  if (mode == "mul") return mul(a, b);
  return mul(add(a, b), 0.5);
}

Tensor last_step(const Tensor& y) { return y.select(1, y.size(1) - 1); }
}  // namespace

Tensor sequence_timespans(const Tensor& ts, int64_t B, int64_t L, bool batch_first, bool batched, Dtype dtype) {
  if (!ts.defined()) return ts;
  if (ts.dim() == 0) return ts.to(dtype).reshape({1, 1}).expand({B, L});
  if (ts.dim() == 1) {
    FL_CHECK_VALUE(ts.size(0) == L, "timespans of one dimension must have the sequence length ", L, ", got ",
                   shape_to_string(ts.sizes()));
    return ts.to(dtype).unsqueeze(0).expand({B, L});
  }
  Tensor t = batched ? ts : ts.unsqueeze(batch_first ? 0 : 1);
  if (!batch_first) t = t.transpose(0, 1);
  if (t.dim() == 3 && t.size(2) == 1) t = t.squeeze(2);
  if (t.sizes() != Shape({B, L})) {
    const Shape want = batch_first ? Shape{B, L} : Shape{L, B};
    throw ValueError("expected timespans of shape " + shape_to_string(want) + " or " +
                     shape_to_string({want[0], want[1], 1}) + ", got " + shape_to_string(ts.sizes()));
  }
  return t.to(dtype);
}

LiquidRNN::LiquidRNN(std::shared_ptr<LiquidCell> cell, const LiquidRNNOptions& opts) : options(opts) {
  FL_CHECK_VALUE(cell, "a cell is required");
  FL_CHECK_VALUE(options.num_layers >= 1, "num_layers must be positive, got ", options.num_layers);
  if (options.bidirectional)
    FL_CHECK_VALUE(
        std::find(std::begin(kMergeModes), std::end(kMergeModes), options.merge_mode) != std::end(kMergeModes),
        "Invalid merge mode. Received: merge_mode=", options.merge_mode,
        ". Merge mode should be one of ['concat', 'sum', 'mul', 'ave']");
  FL_CHECK_VALUE(!options.proj_size || *options.proj_size > 0, "proj_size must be positive");
  const int directions = options.bidirectional ? 2 : 1;
  const int64_t out = cell->output_size();
  const int64_t merged = options.bidirectional && options.merge_mode == "concat" ? 2 * out : out;
  for (int64_t layer = 0; layer < options.num_layers; ++layer)
    for (int d = 0; d < directions; ++d) {
      const std::string suffix = (layer == 0 ? "" : "_l" + std::to_string(layer)) + (d ? "_reverse" : "");
      Unit u;
      u.cell = layer == 0 && d == 0 ? cell : cell->spawn(layer == 0 ? cell->input_size() : merged);
      register_module("rnn_cell" + suffix, u.cell);
      if (options.mixed_memory)
        u.lstm = register_module("lstm" + suffix,
                                 std::make_shared<LSTMCell>(u.cell->lstm_input_size(), u.cell->state_size()));
      units_.push_back(std::move(u));
    }
  rnn_cell = units_[0].cell;
  lstm = units_[0].lstm;
  if (options.proj_size)
    fc = register_module("fc", std::make_shared<nn::Linear>(merged, *options.proj_size));
  else
    fc = register_module("fc", std::make_shared<nn::Identity>());
}

std::vector<CellState> LiquidRNN::initial_states(const std::vector<CellState>& hx, bool batched) const {
  const size_t n = units_.size();
  if (hx.empty()) return std::vector<CellState>(n);
  FL_CHECK_VALUE(hx.size() == n, name(), ": expected ", n,
                 " initial states (one per layer and direction: layer 0 forward, layer 0 reverse, ...), got ",
                 hx.size());
  std::vector<CellState> out;
  for (const CellState& s : hx) {
    FL_CHECK(!options.mixed_memory || s.c.defined(), "Running a ", name(),
             " with mixed_memory=True, requires a tuple (h0,c0) to be passed as state (got torch.Tensor instead)");
    for (const Tensor* t : {&s.h, &s.c}) {
      if (!t->defined()) continue;
      if (batched)
        FL_CHECK(t->dim() == 2, "For batched 2-D input, hx and cx should also be 2-D but got (", t->dim(),
                 "-D) tensor");
      else
        FL_CHECK(t->dim() == 1, "For unbatched 1-D input, hx and cx should also be 1-D but got (", t->dim(),
                 "-D) tensor");
    }
    auto lift = [batched](const Tensor& t) { return t.defined() && !batched ? t.unsqueeze(0) : t; };
    out.push_back({lift(s.h), options.mixed_memory ? lift(s.c) : Tensor()});
  }
  return out;
}

std::tuple<Tensor, Tensor, std::vector<CellState>> LiquidRNN::run(const Tensor& x, const std::vector<CellState>& states,
                                                                  const Tensor& ts, bool need_sequence) {
  const int directions = options.bidirectional ? 2 : 1;
  std::vector<CellState> finals;
  Tensor inp = x, last;
  for (int64_t layer = 0; layer < options.num_layers; ++layer) {
    std::vector<Tensor> outs;
    for (int d = 0; d < directions; ++d) {
      const size_t i = static_cast<size_t>(layer * directions + d);
      Unit& u = units_[i];
      const Tensor seq = d == 0 ? inp : inp.flip({1});
      const Tensor tsd = d == 0 || !ts.defined() ? ts : ts.flip({1});
      CellRun r = u.cell->sequence(seq, states[i].h, states[i].c, tsd, u.lstm.get());
      outs.push_back(d == 0 ? r.y : r.y.flip({1}));
      finals.push_back({r.h, r.c});
    }
    const bool final_layer = layer == options.num_layers - 1;
    if (directions == 1) {
      inp = outs[0];
      if (final_layer) last = last_step(inp);
    } else {
      if (!final_layer || need_sequence) inp = merge(options.merge_mode, outs[0], outs[1]);
      // The reverse direction ends at t = 0 (Keras's Bidirectional).
      if (final_layer) last = merge(options.merge_mode, last_step(outs[0]), outs[1].select(1, 0));
    }
  }
  return {last, need_sequence ? inp : Tensor(), finals};
}

RNNOutput LiquidRNN::finish(Tensor out, std::vector<CellState> finals, bool batched) const {
  if (!batched)
    for (CellState& s : finals) {
      s.h = s.h.squeeze(0);
      if (s.c.defined()) s.c = s.c.squeeze(0);
    }
  return {std::move(out), std::move(finals)};
}

RNNOutput LiquidRNN::forward(const Tensor& input, const std::vector<CellState>& hx, const Tensor& timespans) {
  FL_CHECK_VALUE(input.dim() == 2 || input.dim() == 3, name(), ": Expected input to be 2D or 3D, got ", input.dim(),
                 "D tensor instead");
  const bool batched = input.dim() == 3;
  const int64_t batch_dim = options.batch_first ? 0 : 1;
  Tensor x = batched ? input : input.unsqueeze(batch_dim);
  if (!options.batch_first) x = x.transpose(0, 1);
  const int64_t B = x.size(0), L = x.size(1);
  FL_CHECK_VALUE(L > 0, name(), ": expected a sequence of at least one step");
  const Tensor ts = sequence_timespans(timespans, B, L, options.batch_first, batched, x.dtype());
  auto [last, seq, finals] = run(x, initial_states(hx, batched), ts, options.return_sequences);
  Tensor out;
  if (options.return_sequences) {
    out = fc->forward(seq);
    if (!options.batch_first) out = out.transpose(0, 1);
    if (!batched) out = out.squeeze(batch_dim);
  } else {
    out = fc->forward(last);
    if (!batched) out = out.squeeze(0);
  }
  return finish(out, std::move(finals), batched);
}

UnitStepper& LiquidRNN::unit_stepper(Unit& u, const Tensor& x) {
  std::vector<std::pair<const void*, int64_t>> key;
  for (const Tensor& p : u.cell->parameters()) key.emplace_back(p.data_ptr(), p._version());
  if (u.lstm)
    for (const Tensor& p : u.lstm->parameters()) key.emplace_back(p.data_ptr(), p._version());
  const int64_t batch = x.size(0);
  if (!u.stepper || key != u.key || u.dtype != x.dtype() || u.batch != batch) {
    u.stepper = u.cell->stepper(u.lstm.get(), batch);
    u.key = std::move(key);
    u.dtype = x.dtype();
    u.batch = batch;
  }
  return *u.stepper;
}

RNNOutput LiquidRNN::step(const Tensor& x_t, const std::vector<CellState>& state, double dt) {
  return step(x_t, state, scalar_tensor(dt, TensorOptions(kFloat64)));
}

RNNOutput LiquidRNN::step(const Tensor& x_t, const std::vector<CellState>& state, const Tensor& dt) {
  FL_CHECK_VALUE(!options.bidirectional, name(),
                 ".step: a bidirectional layer reads the whole sequence; call it on the sequence instead");
  FL_CHECK_VALUE(x_t.dim() == 1 || x_t.dim() == 2, name(), ".step: expected an input of shape (batch, features) or ",
                 "(features), got ", shape_to_string(x_t.sizes()));
  const bool batched = x_t.dim() == 2;
  const Tensor x = batched ? x_t : x_t.unsqueeze(0);
  const int64_t B = x.size(0);
  std::vector<CellState> states = initial_states(state, batched);
  NoGradGuard no_grad;
  if (dt.numel() != 1) {  // per-sample elapsed times: one fused step
    Tensor ts = dt.dim() == 1 ? dt.unsqueeze(1) : dt;
    FL_CHECK_VALUE(ts.sizes() == Shape({B, 1}), name(), ".step: expected dt of shape (", B, ") or (", B, ", 1), got ",
                   shape_to_string(dt.sizes()));
    auto [last, seq, finals] = run(x.unsqueeze(1), states, ts.to(x.dtype()), false);
    Tensor out = fc->forward(last);
    return finish(batched ? out : out.squeeze(0), std::move(finals), batched);
  }
  const double t = dt.item<double>();
  std::vector<CellState> finals;
  Tensor y = x;
  for (size_t i = 0; i < units_.size(); ++i) {
    Unit& u = units_[i];
    const auto opts = TensorOptions(x.dtype());
    Tensor h = states[i].h.defined() ? states[i].h : zeros({B, u.cell->state_size()}, opts);
    Tensor c = states[i].c.defined() || !u.lstm ? states[i].c : zeros({B, u.cell->state_size()}, opts);
    CellRun r = unit_stepper(u, y).step(y, h, c, t);
    y = r.y;
    finals.push_back({r.h, r.c});
  }
  Tensor out = fc->forward(y);
  return finish(batched ? out : out.squeeze(0), std::move(finals), batched);
}

// --- CfC and LTC --------------------------------------------------------------------------------------------
namespace {
CfCCellOptions cfc_cell_options(int64_t input_size, int64_t units, const CfCOptions& o) {
  CfCCellOptions c;
  c.input_size = input_size;
  c.hidden_size = units;
  c.mode = o.mode;
  c.activation = o.activation;
  c.backbone = std::vector<int64_t>(o.backbone_layers.value_or(1), o.backbone_units.value_or(128));
  c.backbone_dropout = o.backbone_dropout.value_or(0.0);
  return c;
}

std::shared_ptr<WiredCfCCell> wired_cell(int64_t input_size, std::shared_ptr<Wiring> wiring, const CfCOptions& o) {
  FL_CHECK_VALUE(!o.backbone_units, "Cannot use backbone_units in wired mode");
  FL_CHECK_VALUE(!o.backbone_layers, "Cannot use backbone_layers in wired mode");
  FL_CHECK_VALUE(!o.backbone_dropout, "Cannot use backbone_dropout in wired mode");
  return std::make_shared<WiredCfCCell>(input_size, std::move(wiring), o.mode);
}

std::shared_ptr<LTCCell> ltc_cell(int64_t input_size, std::shared_ptr<Wiring> wiring, const LTCOptions& o) {
  LTCCellOptions c;
  c.wiring = std::move(wiring);
  c.in_features = input_size;
  c.input_mapping = o.input_mapping;
  c.output_mapping = o.output_mapping;
  c.ode_unfolds = o.ode_unfolds;
  c.epsilon = o.epsilon;
  c.implicit_param_constraints = o.implicit_param_constraints;
  return std::make_shared<LTCCell>(c);
}
}  // namespace

CfC::CfC(int64_t input_size, int64_t units, const CfCOptions& o)
    : LiquidRNN(std::make_shared<CfCCell>(cfc_cell_options(input_size, units, o)), o) {}
CfC::CfC(int64_t input_size, std::shared_ptr<Wiring> wiring, const CfCOptions& o)
    : LiquidRNN(wired_cell(input_size, std::move(wiring), o), o) {}
CfC::CfC(std::shared_ptr<LiquidCell> cell, const LiquidRNNOptions& o) : LiquidRNN(std::move(cell), o) {
  FL_CHECK_TYPE(std::dynamic_pointer_cast<CfCCell>(rnn_cell) || std::dynamic_pointer_cast<WiredCfCCell>(rnn_cell),
                "CfC: cell must be a CfCCell or WiredCfCCell, got ", rnn_cell->name());
}

LTC::LTC(int64_t input_size, int64_t units, const LTCOptions& o)
    : LiquidRNN(ltc_cell(input_size, std::make_shared<FullyConnected>(units), o), o) {}
LTC::LTC(int64_t input_size, std::shared_ptr<Wiring> wiring, const LTCOptions& o)
    : LiquidRNN(ltc_cell(input_size, std::move(wiring), o), o) {}
LTC::LTC(std::shared_ptr<LTCCell> cell, const LiquidRNNOptions& o) : LiquidRNN(std::move(cell), o) {}

void LTC::apply_weight_constraints() {
  for (size_t i = 0; i < num_units(); ++i) std::static_pointer_cast<LTCCell>(cell(i))->apply_weight_constraints();
}

}  // namespace fl::ncps
