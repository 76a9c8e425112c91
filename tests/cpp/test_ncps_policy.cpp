// fl::ncps::Policy and the layers' raw-buffer steps (fl/ncps/policy.h, LiquidRNN::step_into / policy()): every step
// of a sequence against forward() over it (CfC modes, wired, mixed memory, projection, stacks; LTC mappings,
// backbones, mixed memory), in float64 (1e-11 relative) and float32, the state layout, refresh after parameter
// updates, the tensor step's evaluated results and fused fallbacks, and errors.
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

#include "fl/autograd.h"
#include "fl/ncps/modules.h"
#include "fl/ncps/policy.h"
#include "fl/nn/modules/activation.h"
#include "fl/ops/binary.h"
#include "fl/ops/creation.h"
#include "fl/ops/random.h"
#include "fl/ops/shape.h"
#include "fl/ops/unary.h"
#include "test_util.h"

namespace fl::test {
namespace {
using namespace fl::ncps;

// Max |a - b| / max(|b|, 1e-3 max|b|) over two equally long value lists.
template <typename T>
double rel_error(const std::vector<T>& a, const std::vector<T>& b) {
  EXPECT_EQ(a.size(), b.size());
  double peak = 0, err = 0;
  for (T v : b) peak = std::max(peak, std::abs(static_cast<double>(v)));
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    err = std::max(err, std::abs(static_cast<double>(a[i]) - b[i]) /
                            std::max({std::abs(static_cast<double>(b[i])), 1e-3 * peak, 1e-300}));
  return err;
}

std::shared_ptr<AutoNCP> autoncp(int64_t units, int64_t out, int64_t seed) {
  return std::make_shared<AutoNCP>(units, out, 0.5, seed);
}

struct Case {
  const char* name;
  std::function<std::shared_ptr<LiquidRNN>()> make;
};

// Every family the Policy covers; three input features each.
std::vector<Case> cases() {
  auto cfc = [](std::function<void(CfCOptions&)> f, int64_t units = 6) {
    return [f, units] {
      CfCOptions o;
      o.backbone_units = 8;
      f(o);
      return std::static_pointer_cast<LiquidRNN>(std::make_shared<CfC>(3, units, o));
    };
  };
  auto ltc = [](std::function<void(LTCOptions&)> f, std::shared_ptr<Wiring> w) {
    return [f, w] {
      LTCOptions o;
      f(o);
      return std::static_pointer_cast<LiquidRNN>(std::make_shared<LTC>(3, w, o));
    };
  };
  return {
      {"cfc_default_2_backbone_layers", cfc([](CfCOptions& o) { o.backbone_layers = 2; })},
      {"cfc_pure", cfc([](CfCOptions& o) { o.mode = "pure"; })},
      {"cfc_no_gate_silu_proj", cfc([](CfCOptions& o) {
         o.mode = "no_gate";
         o.activation = "silu";
         o.proj_size = 2;
       })},
      {"cfc_mixed_gelu", cfc([](CfCOptions& o) {
         o.mixed_memory = true;
         o.activation = "gelu";
       })},
      {"cfc_stacked_mixed_proj", cfc([](CfCOptions& o) {
         o.num_layers = 2;
         o.mixed_memory = true;
         o.proj_size = 3;
       })},
      {"cfc_wired", [] { return std::static_pointer_cast<LiquidRNN>(std::make_shared<CfC>(3, autoncp(10, 2, 1))); }},
      {"cfc_wired_mixed_pure_proj",
       [] {
         CfCOptions o;
         o.mixed_memory = true;
         o.mode = "pure";
         o.proj_size = 1;
         return std::static_pointer_cast<LiquidRNN>(std::make_shared<CfC>(3, autoncp(12, 3, 2), o));
       }},
      {"cfc_cell_over_wiring_relu",
       [] {
         CfCCellOptions c;
         c.input_size = 3;
         c.wiring = autoncp(9, 2, 3);
         c.activation = "relu";
         c.backbone = {7};
         return std::static_pointer_cast<LiquidRNN>(std::make_shared<CfC>(std::make_shared<CfCCell>(c)));
       }},
      {"ltc_affine", ltc([](LTCOptions&) {}, std::make_shared<FullyConnected>(5))},
      {"ltc_linear_none_cell_constraints", ltc(
                                               [](LTCOptions& o) {
                                                 o.input_mapping = "linear";
                                                 o.output_mapping = std::nullopt;
                                                 o.implicit_param_constraints = false;
                                                 o.ode_unfolds = 3;
                                               },
                                               autoncp(10, 3, 4))},
      {"ltc_mixed_none_linear_proj", ltc(
                                         [](LTCOptions& o) {
                                           o.mixed_memory = true;
                                           o.input_mapping = std::nullopt;
                                           o.output_mapping = "linear";
                                           o.proj_size = 2;
                                         },
                                         autoncp(10, 3, 5))},
      {"ltc_backbone_stacked_mixed",
       [] {
         LTCCellOptions c;
         c.wiring = autoncp(10, 3, 6);
         c.in_features = 3;
         c.activation = "silu";
         c.backbone = {6, 5};
         LiquidRNNOptions o;
         o.num_layers = 2;
         o.mixed_memory = true;
         return std::static_pointer_cast<LiquidRNN>(std::make_shared<LTC>(std::make_shared<LTCCell>(c), o));
       }},
  };
}

// Runs `policy_step` (a raw step over buffers of T) for each sample over a sequence and compares every output and
// the final state of every unit with forward().
template <typename T>
void expect_raw_steps_match(LiquidRNN& model, const std::function<void(const T*, T*, T, T*)>& policy_step,
                            const Policy& layout, double tol) {
  manual_seed(11);
  const int64_t B = 2, L = 5, F = 3;
  const auto opts = TensorOptions(dtype_of<T>());
  Tensor x = randn({B, L, F}, opts), ts = add(rand({B, L}, opts), 0.2);
  RNNOutput full;
  {
    NoGradGuard no_grad;
    full =
        model.forward(model.options.batch_first ? x : x.transpose(0, 1), {}, model.options.batch_first ? ts : ts.t());
  }
  Tensor y = model.options.batch_first || !model.options.return_sequences ? full.output : full.output.transpose(0, 1);
  const int64_t O = layout.output_size(), S = layout.state_size();
  ASSERT_EQ(layout.input_size(), F);
  ASSERT_EQ(O, y.size(-1));
  std::vector<T> xs = x.contiguous().tolist<T>(), dts = ts.contiguous().tolist<T>();
  for (int64_t b = 0; b < B; ++b) {
    std::vector<T> state(S, T(0)), out(O);
    for (int64_t t = 0; t < L; ++t) {
      policy_step(&xs[(b * L + t) * F], state.data(), dts[b * L + t], out.data());
      if (model.options.return_sequences)
        EXPECT_LE(rel_error(out, y.select(0, b).select(0, t).template tolist<T>()), tol)
            << "sample " << b << " t " << t;
    }
    if (!model.options.return_sequences) EXPECT_LE(rel_error(out, y.select(0, b).template tolist<T>()), tol);
    ASSERT_EQ(layout.state_layout().size(), full.state.size());
    for (size_t u = 0; u < full.state.size(); ++u) {
      const StateSlot& slot = layout.state_layout()[u];
      std::vector<T> h(state.begin() + slot.h_offset, state.begin() + slot.h_offset + slot.units);
      EXPECT_LE(rel_error(h, full.state[u].h.select(0, b).template tolist<T>()), tol) << "h of unit " << u;
      if (slot.c_offset >= 0) {
        std::vector<T> c(state.begin() + slot.c_offset, state.begin() + slot.c_offset + slot.units);
        EXPECT_LE(rel_error(c, full.state[u].c.select(0, b).template tolist<T>()), tol) << "c of unit " << u;
      }
    }
  }
}

TEST(NcpsPolicy, RawStepsEqualForward) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    manual_seed(7);
    auto model = c.make();
    model->to(kFloat64);
    Policy policy = model->policy();
    EXPECT_EQ(policy.dtype(), kFloat64);
    expect_raw_steps_match<double>(
        *model, [&](const double* x, double* s, double dt, double* out) { policy.step(x, s, dt, out); }, policy, 1e-11);
    // The layer's own raw step (its cached policy).
    expect_raw_steps_match<double>(
        *model, [&](const double* x, double* s, double dt, double* out) { model->step_into(x, s, dt, out); }, policy,
        1e-11);
  }
}

TEST(NcpsPolicy, Float32RawStepsEqualForward) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    manual_seed(7);
    auto model = c.make();
    Policy policy = model->policy();
    EXPECT_EQ(policy.dtype(), kFloat32);
    expect_raw_steps_match<float>(
        *model, [&](const float* x, float* s, float dt, float* out) { policy.step(x, s, dt, out); }, policy, 2e-4);
  }
}

TEST(NcpsPolicy, StateLayout) {
  CfCOptions o;
  o.num_layers = 2;
  o.mixed_memory = true;
  o.proj_size = 4;
  CfC stacked(3, autoncp(10, 2, 1), o);
  Policy p = stacked.policy();
  EXPECT_EQ(p.num_units(), 2u);
  EXPECT_TRUE(p.mixed_memory());
  EXPECT_EQ(p.input_size(), 3);
  EXPECT_EQ(p.output_size(), 4);
  EXPECT_EQ(p.state_size(), 40);  // (h 10, c 10) per unit
  ASSERT_EQ(p.state_layout().size(), 2u);
  EXPECT_EQ(p.state_layout()[0].h_offset, 0);
  EXPECT_EQ(p.state_layout()[0].c_offset, 10);
  EXPECT_EQ(p.state_layout()[1].h_offset, 20);
  EXPECT_EQ(p.state_layout()[1].c_offset, 30);
  EXPECT_EQ(p.state_layout()[1].units, 10);
  EXPECT_EQ(p.name(), "CfC");
  LTC ltc(3, autoncp(8, 2, 2));
  Policy q = ltc.policy();
  EXPECT_EQ(q.state_size(), 8);
  EXPECT_EQ(q.output_size(), 2);
  EXPECT_EQ(q.state_layout()[0].c_offset, -1);
  EXPECT_FALSE(q.mixed_memory());
}

TEST(NcpsPolicy, RefreshAfterParameterUpdates) {
  manual_seed(2);
  CfCOptions o;
  o.proj_size = 2;
  CfC model(3, 6, o);
  model.to(kFloat64);
  const std::vector<double> x = {0.3, -0.5, 0.8};
  auto raw = [&] {
    std::vector<double> s(6, 0.1), out(2);
    model.step_into(x.data(), s.data(), 0.4, out.data());
    return out;
  };
  auto expected = [&] {
    NoGradGuard no_grad;
    Tensor xs = tensor(x, Shape{1, 1, 3}, TensorOptions(kFloat64));
    return model
        .forward(xs, {{full({1, 6}, 0.1, TensorOptions(kFloat64)), Tensor()}},
                 full({1, 1}, 0.4, TensorOptions(kFloat64)))
        .output.tolist<double>();
  };
  Policy snapshot = model.policy();
  std::vector<double> before = raw();
  EXPECT_LE(rel_error(before, expected()), 1e-12);
  EXPECT_TRUE(snapshot.is_current());
  // An in-place update (an optimizer step): the cached policy follows, the snapshot is stale.
  {
    NoGradGuard no_grad;
    model.named_parameters()["rnn_cell.ff1.weight"].mul_(1.5);
  }
  EXPECT_FALSE(snapshot.is_current());
  std::vector<double> after = raw();
  EXPECT_LE(rel_error(after, expected()), 1e-12);
  EXPECT_GT(rel_error(after, before), 1e-6);
  std::vector<double> s(6, 0.1), old(2);
  snapshot.step(x.data(), s.data(), 0.4, old.data());
  EXPECT_LE(rel_error(old, before), 1e-15);  // the snapshot keeps the weights it read
  // load_state_dict (copies in place) and the projection.
  auto sd = model.state_dict();
  std::map<std::string, Tensor> changed;
  for (auto& [k, v] : sd) changed[k] = k == "fc.bias" ? add(v, 1.0) : v;
  model.load_state_dict(changed);
  std::vector<double> loaded = raw();
  EXPECT_NEAR(loaded[0] - after[0], 1.0, 1e-12);
  EXPECT_LE(rel_error(loaded, expected()), 1e-12);
  // to(): the storage changes, and with it the dtype the raw step takes.
  model.to(kFloat32);
  std::vector<float> xf(x.begin(), x.end()), sf(6, 0.1f), outf(2);
  model.step_into(xf.data(), sf.data(), 0.4f, outf.data());
  EXPECT_LE(rel_error(std::vector<double>(outf.begin(), outf.end()), loaded), 1e-5);
  std::vector<double> sd64(6);
  expect_error_containing<TypeError>([&] { model.step_into(x.data(), sd64.data(), 0.4, nullptr); },
                                     "the policy is float32; step() got double buffers");
  // Replacing fc rebuilds the cached policy: the output is now the cell's (its new state).
  model.fc = std::make_shared<nn::Identity>();
  std::vector<float> out6(6);
  model.step_into(xf.data(), sf.data(), 0.4f, out6.data());
  EXPECT_EQ(out6, sf);
}

// The tensor step: evaluated results (so a state fed back is read in place), unbatched inputs, other dtypes and
// lazy inputs, and the fused fallbacks.
TEST(NcpsPolicy, TensorStep) {
  manual_seed(4);
  CfCOptions o;
  o.mixed_memory = true;
  o.proj_size = 2;
  CfC model(3, autoncp(8, 3, 1), o);
  model.to(kFloat64);
  const auto f64 = TensorOptions(kFloat64);
  Tensor x = randn({2, 3}, f64);
  RNNOutput a = model.step(x, {}, 0.5);
  for (const Tensor* t : {&a.output, &a.state[0].h, &a.state[0].c}) {
    EXPECT_TRUE(t->mlx().is_available());
    EXPECT_FALSE(t->requires_grad());
  }
  RNNOutput b = model.step(x, a.state, 0.5);
  RNNOutput ref;
  {
    NoGradGuard no_grad;
    ref = model.forward(stack({x, x}, 1), {}, full({2, 2}, 0.5, f64));
  }
  EXPECT_LE(rel_error(b.output.tolist<double>(), ref.output.select(1, 1).contiguous().tolist<double>()), 1e-12);
  EXPECT_LE(rel_error(b.state[0].c.tolist<double>(), ref.state[0].c.tolist<double>()), 1e-12);
  // Unbatched; a lazy float32 input (converted to the weights' dtype) and a view as the state.
  RNNOutput u = model.step(mul(x.select(0, 1).to(kFloat32), 1.0), {{a.state[0].h.select(0, 1), a.state[0].c[1]}}, 0.5);
  EXPECT_EQ(u.output.sizes(), Shape({2}));
  EXPECT_EQ(u.state[0].h.sizes(), Shape({8}));
  EXPECT_LE(rel_error(u.output.tolist<double>(), b.output.select(0, 1).tolist<double>()), 1e-6);
  // A 0-d tensor dt takes the same path as a number.
  RNNOutput d = model.step(x, a.state, scalar_tensor(0.5, f64));
  EXPECT_EQ(d.output.tolist<double>(), b.output.tolist<double>());
}

TEST(NcpsPolicy, FusedFallbacks) {
  // Backbone dropout in training mode: the step is a one-step forward (same dropout draws for the same seed).
  manual_seed(5);
  CfCOptions o;
  o.backbone_units = 16;
  o.backbone_layers = 3;
  o.backbone_dropout = 0.5;
  CfC model(3, 4, o);
  model.to(kFloat64);
  const auto f64 = TensorOptions(kFloat64);
  Tensor x = randn({2, 3}, f64);
  manual_seed(9);
  RNNOutput s = model.step(x, {}, 0.7);
  manual_seed(9);
  RNNOutput f;
  {
    NoGradGuard no_grad;
    f = model.forward(x.unsqueeze(1), {}, full({2, 1}, 0.7, f64));
  }
  EXPECT_LE(rel_error(s.output.tolist<double>(), f.output.select(1, 0).contiguous().tolist<double>()), 1e-12);
  model.eval();
  RNNOutput e = model.step(x, {}, 0.7);
  EXPECT_GT(rel_error(e.output.tolist<double>(), s.output.tolist<double>()), 1e-6);  // no dropout in eval mode
  std::vector<double> xs = x.select(0, 0).tolist<double>(), st(4, 0.0), out(4);
  model.step_into(xs.data(), st.data(), 0.7, out.data());
  EXPECT_LE(rel_error(out, e.output.select(0, 0).tolist<double>()), 1e-12);
  // An fc the Policy cannot represent: step() runs the fused op and its forward; policy() refuses.
  model.fc = std::make_shared<nn::Tanh>();
  RNNOutput t = model.step(x, {}, 0.7);
  EXPECT_LE(rel_error(t.output.tolist<double>(), fl::tanh(e.output).tolist<double>()), 1e-12);
  expect_error_containing<ValueError>([&] { model.policy(); }, "fc must be Identity or Linear, got Tanh");
}

TEST(NcpsPolicy, Errors) {
  CfC model(3, 4);
  expect_error_containing<Error>([&] { model.step(zeros({2, 5})); }, "CfC.step: expected 3 input features");
  expect_error_containing<Error>(
      [&] {
        model.step(zeros({2, 3}), {{zeros({2, 5}), Tensor()}});
      },
      "expected the state of unit 0 to have shape [2, 4], got [2, 5]");
  expect_error_containing<Error>(
      [&] {
        model.step(zeros({2, 3}), {{zeros({4}), Tensor()}});
      },
      "For batched 2-D input, hx and cx should also be 2-D but got (1-D) tensor");
  expect_error_containing<ValueError>(
      [&] {
        model.step(zeros({2, 3}), {{zeros({2, 4})}, {zeros({2, 4})}});
      },
      "expected 1 initial states");
  CfCOptions mo;
  mo.mixed_memory = true;
  CfC mixed(3, 4, mo);
  expect_error_containing<Error>(
      [&] {
        mixed.step(zeros({3}), {{zeros({4}), Tensor()}});
      },
      "requires a tuple (h0,c0) to be passed as state");
  std::vector<double> d(8);
  expect_error_containing<TypeError>([&] { model.step_into(d.data(), d.data(), 1.0, nullptr); },
                                     "CfC: the policy is float32; step() got double buffers");
  LiquidRNNOptions bo;
  bo.bidirectional = true;
  CfC bidir(std::make_shared<CfCCell>(3, 4), bo);
  expect_error_containing<ValueError>([&] { bidir.policy(); }, "bidirectional");
  expect_error_containing<ValueError>([&] { Policy p(std::vector<PolicyUnit>{}); }, "at least one unit");
  // Units must chain, the projection must fit, the dtypes must agree.
  CfC other(5, 4);
  std::vector<PolicyUnit> chain{model.rnn_cell->policy_unit(nullptr), other.rnn_cell->policy_unit(nullptr)};
  expect_error_containing<ValueError>([&] { Policy p(chain); }, "unit 1 reads 5 features but unit 0 outputs 4");
  expect_error_containing<ValueError>(
      [&] {
        Policy p({model.rnn_cell->policy_unit(nullptr)}, zeros({2, 5}));
      },
      "the projection's weight must be (P, 4), got [2, 5]");
  other.to(kFloat64);
  CfC next(4, 4);
  next.to(kFloat64);
  expect_error_containing<TypeError>(
      [&] {
        Policy p({model.rnn_cell->policy_unit(nullptr), next.rnn_cell->policy_unit(nullptr)});
      },
      "every unit needs float32 weights; unit 1 has float64");
  model.to(kFloat16);
  expect_error_containing<TypeError>([&] { model.policy(); }, "expected float32 or float64 weights, got float16");
}

}  // namespace
}  // namespace fl::test
