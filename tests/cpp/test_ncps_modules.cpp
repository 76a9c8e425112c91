// The ncps modules (fl/ncps/modules.h): every golden model of the real ncps (../shared/golden/ncps, read with
// fl::load; weights through load_state_dict; outputs, final states and the gradients of the golden loss for every
// parameter and the input, float64, 1e-10 relative), step() against forward(), stacked and bidirectional layers
// against compositions of single layers, errors, and a CfC and an LTC learning ncps's sine-wave task.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "fl/autograd.h"
#include "fl/ncps/modules.h"
#include "fl/ops/binary.h"
#include "fl/ops/creation.h"
#include "fl/ops/random.h"
#include "fl/ops/reduction.h"
#include "fl/ops/shape.h"
#include "fl/optim/adam.h"
#include "fl/serialize.h"
#include "test_util.h"

namespace fl::test {
namespace {
using namespace fl::ncps;

const std::string kGolden = std::string(FL_SHARED_DIR) + "/golden/ncps/";

// Max |a - b| / max(|b|, 1e-3 max|b|): relative, entries near zero measured against the largest magnitude.
double rel_error(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.sizes(), b.sizes());
  if (a.sizes() != b.sizes()) return INFINITY;
  auto x = a.detach().to(kFloat64).contiguous().tolist<double>(),
       y = b.detach().to(kFloat64).contiguous().tolist<double>();
  double peak = 0, err = 0;
  for (double v : y) peak = std::max(peak, std::abs(v));
  for (size_t i = 0; i < x.size(); ++i)
    err = std::max(err, std::abs(x[i] - y[i]) / std::max({std::abs(y[i]), 1e-3 * peak, 1e-300}));
  return err;
}

std::shared_ptr<AutoNCP> autoncp(int64_t units, int64_t out, int64_t seed) {
  return std::make_shared<AutoNCP>(units, out, 0.5, seed);
}

CfCOptions cfc_opts(int64_t bb_units, int64_t bb_layers, std::function<void(CfCOptions&)> more = nullptr) {
  CfCOptions o;
  o.backbone_units = bb_units;
  o.backbone_layers = bb_layers;
  if (more) more(o);
  return o;
}

using Factory = std::function<std::shared_ptr<LiquidRNN>()>;

// index.json's constructors, written out (C++ cannot eval them); GoldenModules.TableCoversTheIndex checks the list.
const std::map<std::string, Factory>& golden_models() {
  static const std::map<std::string, Factory> models = {
      {"cfc_default_u16", [] { return std::make_shared<CfC>(8, 16, cfc_opts(32, 1)); }},
      {"cfc_default_u16_hx_timespans", [] { return std::make_shared<CfC>(8, 16, cfc_opts(32, 1)); }},
      {"cfc_pure_u16", [] { return std::make_shared<CfC>(8, 16, cfc_opts(32, 1, [](auto& o) { o.mode = "pure"; })); }},
      {"cfc_nogate_u16",
       [] { return std::make_shared<CfC>(8, 16, cfc_opts(32, 2, [](auto& o) { o.mode = "no_gate"; })); }},
      {"cfc_relu_proj_lastonly",
       [] {
         return std::make_shared<CfC>(5, 12, cfc_opts(16, 1, [](auto& o) {
                                        o.proj_size = 3;
                                        o.return_sequences = false;
                                        o.activation = "relu";
                                      }));
       }},
      {"cfc_mixed_memory",
       [] { return std::make_shared<CfC>(4, 10, cfc_opts(8, 1, [](auto& o) { o.mixed_memory = true; })); }},
      {"cfc_mixed_memory_hx",
       [] { return std::make_shared<CfC>(4, 10, cfc_opts(8, 1, [](auto& o) { o.mixed_memory = true; })); }},
      {"cfc_time_major_unbatched",
       [] { return std::make_shared<CfC>(4, 6, cfc_opts(8, 1, [](auto& o) { o.batch_first = false; })); }},
      {"cfc_time_major_batched",
       [] { return std::make_shared<CfC>(4, 6, cfc_opts(8, 1, [](auto& o) { o.batch_first = false; })); }},
      {"cfc_wired_autoncp16_4", [] { return std::make_shared<CfC>(6, autoncp(16, 4, 22222)); }},
      {"cfc_wired_autoncp16_4_timespans", [] { return std::make_shared<CfC>(6, autoncp(16, 4, 22222)); }},
      {"cfc_wired_ncp_mixed_pure",
       [] {
         CfCOptions o;
         o.mixed_memory = true;
         o.mode = "pure";
         return std::make_shared<CfC>(5, std::make_shared<NCP>(6, 4, 2, 2, 2, 2, 2, 3), o);
       }},
      {"ltc_autoncp16_4", [] { return std::make_shared<LTC>(6, autoncp(16, 4, 22222)); }},
      {"ltc_autoncp16_4_hx_timespans", [] { return std::make_shared<LTC>(6, autoncp(16, 4, 22222)); }},
      {"ltc_fc_u8", [] { return std::make_shared<LTC>(4, 8); }},
      {"ltc_fc_u8_linear_none_unfold3",
       [] {
         LTCOptions o;
         o.input_mapping = "linear";
         o.output_mapping = std::nullopt;
         o.ode_unfolds = 3;
         return std::make_shared<LTC>(4, 8, o);
       }},
      {"ltc_fc_u8_explicit_constraints",
       [] {
         LTCOptions o;
         o.implicit_param_constraints = false;
         return std::make_shared<LTC>(4, 8, o);
       }},
      {"ltc_mixed_lastonly",
       [] {
         LTCOptions o;
         o.mixed_memory = true;
         o.return_sequences = false;
         return std::make_shared<LTC>(3, autoncp(12, 2, 5), o);
       }},
  };
  return models;
}

struct Golden {
  TensorDict data;
  std::shared_ptr<LiquidRNN> model;
  std::map<std::string, Tensor> params;
};

Golden load_golden(const std::string& name) {
  Golden g{fl::load(kGolden + name + ".safetensors"), golden_models().at(name)(), {}};
  for (auto& [k, v] : g.data)
    if (k.rfind("param.", 0) == 0) g.params[k.substr(6)] = v;
  g.model->to(kFloat64);
  g.model->load_state_dict(g.params);
  return g;
}

std::vector<CellState> golden_state(const TensorDict& d) {
  if (!d.count("input.h0")) return {};
  return {{d.at("input.h0"), d.count("input.c0") ? d.at("input.c0") : Tensor()}};
}

Tensor golden_timespans(const TensorDict& d) { return d.count("input.timespans") ? d.at("input.timespans") : Tensor(); }

TEST(NcpsModules, TableCoversTheIndex) {
  std::ifstream in(kGolden + "index.json");
  std::stringstream text;
  text << in.rdbuf();
  const std::string s = text.str();
  size_t models = 0;
  for (auto& [name, _] : golden_models()) {
    EXPECT_NE(s.find("\"" + name + ".safetensors\""), std::string::npos) << name;
    ++models;
  }
  size_t in_index = 0;
  for (size_t p = s.find("\"constructor\""); p != std::string::npos; p = s.find("\"constructor\"", p + 1)) ++in_index;
  EXPECT_EQ(models, 18u);
  EXPECT_EQ(in_index, models);
}

class GoldenModules : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenModules, OutputsStatesAndGradients) {
  Golden g = load_golden(GetParam());
  auto sd = g.model->state_dict();
  std::vector<std::string> keys = sd.keys(), want;
  for (auto& [k, _] : g.params) want.push_back(k);
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, want);

  Tensor x = g.data.at("input.x").clone().requires_grad_(true);
  RNNOutput out = g.model->forward(x, golden_state(g.data), golden_timespans(g.data));
  EXPECT_LE(rel_error(out.output, g.data.at("output.y")), 1e-10);
  ASSERT_EQ(out.state.size(), 1u);
  std::vector<Tensor> states{out.state[0].h};
  if (out.state[0].c.defined()) states.push_back(out.state[0].c);
  EXPECT_EQ(states.size(), g.data.count("output.h1") ? 2u : 1u);
  Tensor loss = mul(out.output, g.data.at("loss_weight.y")).sum();
  for (size_t i = 0; i < states.size(); ++i) {
    const std::string k = std::to_string(i);
    EXPECT_LE(rel_error(states[i], g.data.at("output.h" + k)), 1e-10) << "h" << k;
    loss = add(loss, mul(states[i], g.data.at("loss_weight.h" + k)).sum());
  }
  std::vector<std::string> names;
  std::vector<Tensor> inputs{x};
  auto named = g.model->named_parameters();
  for (auto& [k, p] : named)
    if (p.requires_grad()) {
      names.push_back(k);
      inputs.push_back(p);
    }
  auto grads = autograd::grad({loss}, inputs);
  EXPECT_LE(rel_error(grads[0], g.data.at("grad.input.x")), 1e-10);
  for (size_t i = 0; i < names.size(); ++i) {
    ASSERT_TRUE(g.data.count("grad." + names[i])) << names[i];
    EXPECT_LE(rel_error(grads[i + 1], g.data.at("grad." + names[i])), 1e-10) << names[i];
  }
}

std::vector<std::string> golden_names() {
  std::vector<std::string> n;
  for (auto& [k, _] : golden_models()) n.push_back(k);
  return n;
}
INSTANTIATE_TEST_SUITE_P(NcpsModules, GoldenModules, ::testing::ValuesIn(golden_names()));

// step() for every step of a sequence equals forward() over it: with one dt for the batch (the C++ steppers)
// and with per-sample dt (one fused step).
void expect_steps_match(LiquidRNN& model, int64_t features, bool per_sample) {
  manual_seed(3);
  const int64_t B = 2, L = 4;
  const auto f64 = TensorOptions(kFloat64);
  Tensor x = randn({B, L, features}, f64);
  Tensor ts = per_sample ? add(rand({B, L}, f64), 0.3) : add(rand({1, L}, f64), 0.3).expand({B, L});
  Tensor xin = model.options.batch_first ? x : x.transpose(0, 1);
  RNNOutput full = model.forward(xin, {}, model.options.batch_first ? ts : ts.t());
  Tensor y = model.options.batch_first || !model.options.return_sequences ? full.output : full.output.transpose(0, 1);
  std::vector<CellState> state;
  RNNOutput o;
  for (int64_t t = 0; t < L; ++t) {
    Tensor xt = x.select(1, t);
    o = per_sample ? model.step(xt, state, ts.select(1, t).contiguous())
                   : model.step(xt, state, ts.select(1, t).select(0, 0).item<double>());
    EXPECT_FALSE(o.output.requires_grad());
    if (model.options.return_sequences) EXPECT_LE(rel_error(o.output, y.select(1, t)), 1e-11) << "step " << t;
    state = o.state;
  }
  if (!model.options.return_sequences) EXPECT_LE(rel_error(o.output, y), 1e-11);
  ASSERT_EQ(state.size(), full.state.size());
  for (size_t i = 0; i < state.size(); ++i) {
    EXPECT_LE(rel_error(state[i].h, full.state[i].h), 1e-11);
    if (state[i].c.defined()) EXPECT_LE(rel_error(state[i].c, full.state[i].c), 1e-11);
  }
}

TEST(NcpsModules, StepEqualsForward) {
  for (const char* name : {"cfc_mixed_memory", "cfc_relu_proj_lastonly", "cfc_wired_ncp_mixed_pure",
                           "cfc_time_major_batched", "ltc_mixed_lastonly", "ltc_fc_u8_linear_none_unfold3"})
    for (bool per_sample : {false, true}) {
      SCOPED_TRACE(std::string(name) + (per_sample ? " per-sample dt" : " one dt"));
      Golden g = load_golden(name);
      expect_steps_match(*g.model, g.data.at("input.x").size(-1), per_sample);
    }
  // A stack, and the MLX seeds' cell forms.
  LiquidRNNOptions stack;
  stack.num_layers = 2;
  stack.mixed_memory = true;
  CfCCellOptions wired;
  wired.input_size = 3;
  wired.wiring = autoncp(10, 2, 1);
  wired.backbone = {};
  CfC cfc(std::make_shared<CfCCell>(wired), stack);
  cfc.to(kFloat64);
  expect_steps_match(cfc, 3, false);
  LTCCellOptions lo;
  lo.wiring = autoncp(10, 3, 4);
  lo.in_features = 4;
  lo.activation = "tanh";
  lo.backbone = {6};
  LTC ltc(std::make_shared<LTCCell>(lo), stack);
  ltc.to(kFloat64);
  expect_steps_match(ltc, 4, false);
}

TEST(NcpsModules, StepperFollowsParameterUpdates) {
  Golden g = load_golden("cfc_mixed_memory_hx");
  Tensor x = g.data.at("input.x").select(1, 0);
  RNNOutput a = g.model->step(x, golden_state(g.data));
  {
    NoGradGuard no_grad;
    g.model->named_parameters()["rnn_cell.ff1.weight"].mul_(1.5);
  }
  RNNOutput b = g.model->step(x, golden_state(g.data));
  RNNOutput ref = g.model->forward(x.unsqueeze(1), golden_state(g.data));
  EXPECT_LE(rel_error(b.output, ref.output.select(1, 0)), 1e-11);
  EXPECT_GT(rel_error(a.output, b.output), 1e-6);
  // Unbatched.
  RNNOutput u =
      g.model->step(x.select(0, 0), {{g.data.at("input.h0").select(0, 0), g.data.at("input.c0").select(0, 0)}});
  EXPECT_EQ(u.output.sizes(), Shape({10}));
  EXPECT_LE(rel_error(u.output, b.output.select(0, 0)), 1e-12);
}

// Stacked bidirectional layers: each layer the merge of a forward pass and a reversed pass of single-layer CfCs
// sharing the cells; the parameter names are those of Python's flashlight.ncps.
TEST(NcpsModules, StackedBidirectionalIsAComposition) {
  manual_seed(0);
  for (const char* merge_mode : {"concat", "sum", "mul", "ave"}) {
    SCOPED_TRACE(merge_mode);
    LiquidRNNOptions o;
    o.num_layers = 2;
    o.bidirectional = true;
    o.merge_mode = merge_mode;
    o.mixed_memory = true;
    CfCCellOptions co;
    co.input_size = 3;
    co.hidden_size = 5;
    co.activation = "tanh";
    co.backbone = {8, 8};
    CfC model(std::make_shared<CfCCell>(co), o);
    model.to(kFloat64);
    std::vector<std::string> children;
    for (auto& [k, _] : model.named_children()) children.push_back(k);
    EXPECT_EQ(children, (std::vector<std::string>{"rnn_cell", "lstm", "rnn_cell_reverse", "lstm_reverse", "rnn_cell_l1",
                                                  "lstm_l1", "rnn_cell_l1_reverse", "lstm_l1_reverse", "fc"}));
    const auto f64 = TensorOptions(kFloat64);
    Tensor x = randn({2, 4, 3}, f64), ts = add(rand({2, 4}, f64), 0.5);
    RNNOutput out = model.forward(x, {}, ts);
    Tensor inp = x;
    for (size_t layer = 0; layer < 2; ++layer) {
      Tensor ys[2];
      for (size_t d = 0; d < 2; ++d) {
        const size_t i = layer * 2 + d;
        LiquidRNNOptions single;
        single.mixed_memory = true;
        CfC one(model.cell(i), single);
        one.to(kFloat64);
        one.lstm->load_state_dict(model.lstm_of(i)->state_dict());
        RNNOutput r = d == 0 ? one.forward(inp, {}, ts) : one.forward(inp.flip({1}), {}, ts.flip({1}));
        ys[d] = d == 0 ? r.output : r.output.flip({1});
        EXPECT_LE(rel_error(out.state[i].h, r.state[0].h), 1e-12);
        EXPECT_LE(rel_error(out.state[i].c, r.state[0].c), 1e-12);
      }
      const std::string m = merge_mode;
      inp = m == "concat" ? cat({ys[0], ys[1]}, -1)
            : m == "sum"  ? add(ys[0], ys[1])
            : m == "mul"  ? mul(ys[0], ys[1])
                          : mul(add(ys[0], ys[1]), 0.5);
    }
    EXPECT_LE(rel_error(out.output, inp), 1e-12);
  }
}

TEST(NcpsModules, TimespanFormsAndErrors) {
  manual_seed(1);
  CfC model(4, 6, cfc_opts(8, 1));
  model.to(kFloat64);
  const auto f64 = TensorOptions(kFloat64);
  Tensor x = randn({3, 5, 4}, f64);
  Tensor y = model.forward(x, {}, full({3, 5}, 0.5, f64)).output;
  EXPECT_LE(rel_error(model.forward(x, {}, scalar_tensor(0.5, f64)).output, y), 1e-14);
  EXPECT_LE(rel_error(model.forward(x, {}, full({5}, 0.5, f64)).output, y), 1e-14);
  EXPECT_LE(rel_error(model.forward(x, {}, full({3, 5, 1}, 0.5, f64)).output, y), 1e-14);
  expect_error_containing<ValueError>(
      [&] {
        model.forward(x, {}, full({5, 3}, 0.5, f64));
      },
      "expected timespans of shape [3, 5] or [3, 5, 1], got [5, 3]");
  expect_error_containing<Error>(
      [&] {
        model.forward(x, {{zeros({6}, f64), Tensor()}});
      },
      "For batched 2-D input, hx and cx should also be 2-D but got (1-D) tensor");
  expect_error_containing<ValueError>(
      [&] {
        model.forward(randn({1, 3, 5, 4}, f64));
      },
      "Expected input to be 2D or 3D, got 4D tensor instead");
  expect_error_containing<ValueError>([&] { CfC(4, autoncp(16, 4, 1), cfc_opts(8, 1)); },
                                      "Cannot use backbone_units in wired mode");
  CfCOptions mixed;
  mixed.mixed_memory = true;
  CfC m2(4, 6, mixed);
  expect_error_containing<Error>(
      [&] {
        m2.forward(randn({2, 3, 4}), {{zeros({2, 6}), Tensor()}});
      },
      "requires a tuple (h0,c0) to be passed as state");
  LiquidRNNOptions bad;
  bad.bidirectional = true;
  bad.merge_mode = "max";
  expect_error_containing<ValueError>([&] { CfC(std::make_shared<CfCCell>(4, 5), bad); }, "Invalid merge mode");
  LiquidRNNOptions bi;
  bi.bidirectional = true;
  CfC bidir(std::make_shared<CfCCell>(4, 5), bi);
  expect_error_containing<ValueError>([&] { bidir.step(randn({4})); }, "bidirectional");
}

TEST(NcpsModules, LTCWeightConstraintsAndSizes) {
  LTCOptions o;
  o.implicit_param_constraints = false;
  LTC model(3, autoncp(12, 2, 5), o);
  auto cell = std::static_pointer_cast<LTCCell>(model.rnn_cell);
  {
    NoGradGuard no_grad;
    cell->params.w.sub_(2.0);
    cell->params.vleak.sub_(2.0);
  }
  model.apply_weight_constraints();
  auto w = cell->params.w.tolist<float>();
  EXPECT_EQ(*std::min_element(w.begin(), w.end()), 0.0f);
  auto v = cell->params.vleak.tolist<float>();
  EXPECT_LT(*std::max_element(v.begin(), v.end()), 0.0f);
  EXPECT_EQ(model.state_size(), 12);
  EXPECT_EQ(model.output_size(), 2);
  CfC c(256, 64);
  int64_t n = 0;
  for (auto& p : c.parameters()) n += p.numel();
  EXPECT_EQ(n, 74112);  // ncps's documented count
}

// ncps's sine-wave example: x = [sin t, cos t] over [0, 3π], target sin over [0, 6π], 48 steps; Adam(0.01). The
// MSE falls from about 0.5 to below 5e-3 within 300 steps (well under a second per model).
TEST(NcpsModules, AutoNCPLearnsTheSineWave) {
  const int64_t L = 48;
  std::vector<float> xs, ys;
  for (int64_t i = 0; i < L; ++i) {
    const double t = 3 * M_PI * i / (L - 1), u = 6 * M_PI * i / (L - 1);
    xs.push_back(static_cast<float>(std::sin(t)));
    xs.push_back(static_cast<float>(std::cos(t)));
    ys.push_back(static_cast<float>(std::sin(u)));
  }
  Tensor x = tensor(xs, Shape{1, L, 2}), y = tensor(ys, Shape{1, L, 1});
  std::vector<std::shared_ptr<LiquidRNN>> models;
  manual_seed(0);
  models.push_back(std::make_shared<CfC>(2, autoncp(16, 1, 1)));
  manual_seed(0);
  models.push_back(std::make_shared<LTC>(2, autoncp(16, 1, 1)));
  for (auto& model : models) {
    SCOPED_TRACE(model->name());
    optim::AdamOptions ao;
    ao.lr = 0.01;
    optim::Adam opt(model->parameters(), ao);
    double first = 0, last = 0;
    for (int it = 0; it < 300; ++it) {
      opt.zero_grad();
      Tensor d = sub(model->forward(x).output, y);
      Tensor loss = mul(d, d).mean();
      loss.backward();
      opt.step();
      (it == 0 ? first : last) = loss.item<double>();
    }
    EXPECT_GT(first, 0.2);
    EXPECT_LT(last, 5e-3);
  }
}

}  // namespace
}  // namespace fl::test
