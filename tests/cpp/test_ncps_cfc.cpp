// The fused CfC sequence op against its composition of fl ops (values and every gradient, float64, every mode,
// wired and not, mixed memory, timespans and initial states, batches with per-sample timespans), float64 finite
// differences, float32 against float64, the stepper against the sequence, the dropout fallback, and the errors.
// The golden data of the real ncps is checked from Python (tests/python/ncps/test_cfc_fused.py).
#include <mlx/ops.h>
#include <mlx/transforms.h>

#include <cmath>
#include <set>

#include "fl/ncps/cfc.h"
#include "fl/ops/linalg.h"
#include "kernels/cfc_kernel.h"
#include "test_util.h"

namespace fl::test {
namespace {
using namespace fl::ncps;

// A CfC's shape: layer sizes (several = a wired CfC with sparsity masks), backbone, mode, mixed memory.
struct Spec {
  int64_t input = 3;
  std::vector<int64_t> layers = {4};
  int64_t backbone_units = 5, backbone_layers = 1;
  CfCMode mode = CfCMode::Default;
  CfCActivation act = CfCActivation::LeCunTanh;
  bool mixed = false;
  std::vector<int64_t> widths;  // when set: one width per backbone layer (they may differ)
  double scale = 0.8;           // weights uniform in [-scale, scale]
};

CfCWeights random_weights(const Spec& s, Dtype dt = kFloat64, uint64_t seed = 1) {
  CfCWeights w;
  auto rnd = [&](Shape shape) { return random_input(shape, -s.scale, s.scale, seed++).to(dt); };
  const bool wired = s.layers.size() > 1;
  int64_t in = s.input;
  for (int64_t H : s.layers) {
    CfCCellWeights c;
    const int64_t C = in + H;
    int64_t F = C;
    const int64_t n_backbone = s.widths.empty() ? s.backbone_layers : static_cast<int64_t>(s.widths.size());
    for (int64_t k = 0; k < (wired ? 0 : n_backbone); ++k) {
      const int64_t U = s.widths.empty() ? s.backbone_units : s.widths[k];
      c.backbone_weight.push_back(rnd({U, F}));
      c.backbone_bias.push_back(rnd({U}));
      F = U;
    }
    c.ff1_weight = rnd({H, F});
    c.ff1_bias = rnd({H});
    if (s.mode == CfCMode::Pure) {
      c.w_tau = rnd({1, H});
      c.A = rnd({1, H});
    } else {
      c.ff2_weight = rnd({H, F});
      c.ff2_bias = rnd({H});
      c.time_a_weight = rnd({H, F});
      c.time_a_bias = rnd({H});
      c.time_b_weight = rnd({H, F});
      c.time_b_bias = rnd({H});
    }
    if (wired) {
      // As WiredCfCCell: a sparse input block above a dense recurrent block.
      Tensor inputs = gt(random_input({in, H}, 0, 1, seed++), 0.5).to(dt);
      c.sparsity_mask = cat({inputs, ones({H, H}, dt)}, 0).t().contiguous();
    }
    w.layers.push_back(c);
    in = H;
  }
  if (s.mixed) {
    int64_t N = 0;
    for (int64_t H : s.layers) N += H;
    w.lstm = LSTMMemoryWeights{rnd({4 * N, s.input}), rnd({4 * N}), rnd({4 * N, N})};
  }
  return w;
}

// Every trainable tensor of the weights (not the masks), in a fixed order.
std::vector<Tensor*> parameters(CfCWeights& w) {
  std::vector<Tensor*> p;
  for (auto& c : w.layers) {
    for (size_t k = 0; k < c.backbone_weight.size(); ++k)
      p.insert(p.end(), {&c.backbone_weight[k], &c.backbone_bias[k]});
    for (Tensor* t : {&c.ff1_weight, &c.ff1_bias, &c.ff2_weight, &c.ff2_bias, &c.time_a_weight, &c.time_a_bias,
                      &c.time_b_weight, &c.time_b_bias, &c.w_tau, &c.A})
      if (t->defined()) p.push_back(t);
  }
  if (w.lstm) p.insert(p.end(), {&w.lstm->input_map_weight, &w.lstm->input_map_bias, &w.lstm->recurrent_map_weight});
  return p;
}

struct Case {
  Spec spec;
  int64_t B = 3, L = 5;
  bool h0 = false, ts = false;
  bool x_grad = true;  // false: x is data (no gradient), the weights still need theirs
};

using SequenceFn = CfCOutputs (*)(const Tensor&, const std::optional<Tensor>&, const std::optional<Tensor>&,
                                  const std::optional<Tensor>&, const CfCWeights&, const CfCConfig&);

// Outputs and the gradients of a weighted sum of all outputs with respect to every input and parameter.
struct Outcome {
  std::vector<Tensor> outputs, grads;
};
Outcome run(SequenceFn f, const Case& c, Dtype dt = kFloat64) {
  CfCWeights w = random_weights(c.spec, dt);
  const int64_t N = w.state_size();
  std::vector<Tensor> leaves{random_input({c.B, c.L, c.spec.input}, -1, 1, 50).to(dt)};
  std::optional<Tensor> h0, c0, ts;
  if (c.h0) {
    h0 = random_input({c.B, N}, -1, 1, 51).to(dt);
    leaves.push_back(*h0);
    if (c.spec.mixed) {
      c0 = random_input({c.B, N}, -1, 1, 52).to(dt);
      leaves.push_back(*c0);
    }
  }
  if (c.ts) {
    ts = random_input({c.B, c.L}, 0.2, 2.0, 53).to(dt);  // a different elapsed time per sample and step
    leaves.push_back(*ts);
  }
  for (auto& t : leaves) t.requires_grad_(true);
  Tensor x = leaves[0];
  if (!c.x_grad) {
    x = x.detach();
    leaves.erase(leaves.begin());
  }
  std::vector<Tensor*> params = parameters(w);
  for (Tensor* p : params) {
    p->requires_grad_(true);
    leaves.push_back(*p);
  }
  CfCConfig cfg{c.spec.mode, c.spec.act};
  CfCOutputs o = f(x, h0, c0, ts, w, cfg);
  Outcome r{{o.y, o.h}, {}};
  if (o.c.defined()) r.outputs.push_back(o.c);
  Tensor loss = zeros({}, dt);
  for (size_t i = 0; i < r.outputs.size(); ++i)
    loss = loss + (r.outputs[i] * random_input(r.outputs[i].sizes(), -1, 1, 60 + i).to(dt)).sum();
  r.grads = autograd::grad({loss}, leaves);
  return r;
}

void expect_close(const Tensor& got, const Tensor& want, double tol, const std::string& what) {
  ASSERT_EQ(got.sizes(), want.sizes()) << what;
  auto g = got.to(kFloat64).tolist<double>(), e = want.to(kFloat64).tolist<double>();
  double scale = 1e-3;
  for (double v : e) scale = std::max(scale, std::fabs(v));
  for (size_t i = 0; i < g.size(); ++i) ASSERT_NEAR(g[i], e[i], tol * scale) << what << " element " << i;
}

void expect_fused_matches_reference(const Case& c) {
  Outcome fused = run(&cfc_sequence_full, c), ref = run(&cfc_sequence_reference, c);
  ASSERT_EQ(fused.outputs.size(), ref.outputs.size());
  for (size_t i = 0; i < fused.outputs.size(); ++i)
    expect_close(fused.outputs[i], ref.outputs[i], 1e-12, "output " + std::to_string(i));
  ASSERT_EQ(fused.grads.size(), ref.grads.size());
  for (size_t i = 0; i < fused.grads.size(); ++i)
    expect_close(fused.grads[i], ref.grads[i], 1e-11, "gradient " + std::to_string(i));
}

ValueTested values({"cfc_sequence"});

// A default-mode CfC with a backbone, from its inputs: x (2,3,2), h0 (2,3), timespans (2,3), then the weights.
Tensor small_cfc(const std::vector<Tensor>& in) {
  CfCWeights w;
  CfCCellWeights c;
  c.backbone_weight = {in[3]};
  c.backbone_bias = {in[4]};
  c.ff1_weight = in[5];
  c.ff1_bias = in[6];
  c.ff2_weight = in[7];
  c.ff2_bias = in[8];
  c.time_a_weight = in[9];
  c.time_a_bias = in[10];
  c.time_b_weight = in[11];
  c.time_b_bias = in[12];
  w.layers = {c};
  auto o = cfc_sequence_full(in[0], in[1], std::nullopt, in[2], w);
  return cat({o.y.flatten(), o.h.flatten()});
}
GradCases grads({{"cfc_sequence",
                  small_cfc,
                  {{2, 3, 2}, {2, 3}, {2, 3}, {4, 5}, {4}, {3, 4}, {3}, {3, 4}, {3}, {3, 4}, {3}, {3, 4}, {3}},
                  -1.0,
                  1.0}});

TEST(NcpsCfC, FusedMatchesCompositionEveryMode) {
  for (CfCMode mode : {CfCMode::Default, CfCMode::Pure, CfCMode::NoGate}) {
    SCOPED_TRACE(static_cast<int>(mode));
    Case c;
    c.spec.mode = mode;
    expect_fused_matches_reference(c);
    c.h0 = c.ts = true;
    expect_fused_matches_reference(c);
  }
}

TEST(NcpsCfC, FusedMatchesCompositionBackbones) {
  for (CfCActivation act :
       {CfCActivation::LeCunTanh, CfCActivation::SiLU, CfCActivation::ReLU, CfCActivation::Tanh, CfCActivation::GELU}) {
    SCOPED_TRACE(static_cast<int>(act));
    Case c;
    c.spec.act = act;
    c.spec.backbone_layers = 2;
    c.ts = true;
    expect_fused_matches_reference(c);
  }
  Case none;  // no backbone: the heads read [x, h] directly
  none.spec.backbone_layers = 0;
  none.h0 = true;
  expect_fused_matches_reference(none);
  Case deep;
  deep.spec.backbone_layers = 3;
  deep.spec.mode = CfCMode::NoGate;
  deep.spec.backbone_units = 7;
  expect_fused_matches_reference(deep);
  Case varied;  // backbone layers of different widths (the MLX seeds' list-valued backbone_units)
  varied.spec.widths = {7, 3, 9};
  varied.spec.mixed = true;
  varied.h0 = varied.ts = true;
  expect_fused_matches_reference(varied);
  varied.x_grad = false;
  expect_fused_matches_reference(varied);
}

TEST(NcpsCfC, FusedMatchesCompositionMixedMemory) {
  for (CfCMode mode : {CfCMode::Default, CfCMode::Pure, CfCMode::NoGate}) {
    Case c;
    c.spec.mode = mode;
    c.spec.mixed = true;
    expect_fused_matches_reference(c);
    c.h0 = c.ts = true;
    expect_fused_matches_reference(c);
  }
}

TEST(NcpsCfC, FusedMatchesCompositionWired) {
  for (CfCMode mode : {CfCMode::Default, CfCMode::Pure, CfCMode::NoGate}) {
    for (bool mixed : {false, true}) {
      SCOPED_TRACE(std::to_string(static_cast<int>(mode)) + (mixed ? " mixed" : ""));
      Case c;
      c.spec.layers = {5, 3, 2};
      c.spec.input = 4;
      c.spec.mode = mode;
      c.spec.mixed = mixed;
      c.B = 2;
      c.L = 4;
      c.h0 = c.ts = true;
      expect_fused_matches_reference(c);
    }
  }
}

TEST(NcpsCfC, WeightGradientsWithoutInputGradient) {
  // Without dx the backward skips the input columns of layer 0's last product, with and without a backbone.
  for (bool wired : {false, true}) {
    Case c;
    c.x_grad = false;
    c.ts = true;
    if (wired) c.spec.layers = {4, 3};
    expect_fused_matches_reference(c);
    c.spec.mixed = true;
    expect_fused_matches_reference(c);
  }
}

TEST(NcpsCfC, WeightGradientsOverSeveralChunks) {
  // The backward forms weight gradients every kChunkRows / B = 256 / B steps: here chunks of 10, 10 and 3 steps.
  Case c;
  c.B = 24;
  c.L = 23;
  c.ts = c.h0 = true;
  c.spec.mixed = true;
  c.spec.backbone_layers = 2;
  expect_fused_matches_reference(c);
  // B above 256: a chunk per step.
  c.B = 300;
  c.L = 3;
  expect_fused_matches_reference(c);
}

// The kernel's Dims for a Case (as detail::check_weights builds them), to ask threads_for about the split.
kernels::cfc::Dims dims_of(const Case& c) {
  namespace kc = kernels::cfc;
  kc::Dims d;
  d.B = static_cast<int>(c.B);
  d.L = static_cast<int>(c.L);
  d.I = static_cast<int>(c.spec.input);
  d.mode = static_cast<kc::Mode>(c.spec.mode);
  d.act = static_cast<kc::Act>(c.spec.act);
  d.mixed = c.spec.mixed;
  d.has_ts = c.ts;
  int in = d.I;
  for (int64_t H : c.spec.layers) {
    kc::LayerDims l;
    l.in = in;
    l.hidden = static_cast<int>(H);
    if (c.spec.layers.size() == 1)
      for (int k = 0; k < c.spec.backbone_layers; ++k) l.widths.push_back(static_cast<int>(c.spec.backbone_units));
    l.backbone_layers = static_cast<int>(l.widths.size());
    d.layers.push_back(l);
    in = l.hidden;
  }
  return d;
}

TEST(NcpsCfC, ThreadedBatchSplitMatchesOneThread) {
  // Two threads take batch rows 0-1 and 2-4 each through the whole sequence, both directions; sums over rows
  // (weight and bias gradients) only change their rounding. Small weights: a long sequence of large ones is
  // chaotic, and would amplify any rounding difference.
  const int saved = get_num_threads();
  std::vector<Case> cases;
  for (CfCMode mode : {CfCMode::Default, CfCMode::Pure, CfCMode::NoGate})
    for (bool ts : {false, true}) {
      Case c;
      c.spec.mode = mode;
      c.spec.layers = {32};
      c.spec.backbone_units = 64;
      c.spec.scale = 0.15;
      c.B = 5;
      c.L = 120;
      c.ts = c.h0 = ts;
      c.spec.mixed = ts;
      cases.push_back(c);
    }
  Case wired;  // three layers, no backbone
  wired.spec.layers = {24, 16, 8};
  wired.spec.scale = 0.3;
  wired.B = 5;
  wired.L = 100;
  wired.h0 = true;
  cases.push_back(wired);
  wired.x_grad = false;
  cases.push_back(wired);
  for (const Case& c : cases) {
    SCOPED_TRACE(std::to_string(static_cast<int>(c.spec.mode)) + (c.ts ? " ts" : "") +
                 (c.spec.layers.size() > 1 ? " wired" : "") + (c.x_grad ? "" : " no dx"));
    set_num_threads(1);
    ASSERT_EQ(kernels::cfc::threads_for(dims_of(c)), 1);
    Outcome one = run(&cfc_sequence_full, c);
    set_num_threads(2);
    ASSERT_EQ(kernels::cfc::threads_for(dims_of(c)), 2);
    Outcome two = run(&cfc_sequence_full, c);
    ASSERT_EQ(one.outputs.size(), two.outputs.size());
    for (size_t i = 0; i < one.outputs.size(); ++i)
      expect_close(two.outputs[i], one.outputs[i], 1e-13, "output " + std::to_string(i));
    ASSERT_EQ(one.grads.size(), two.grads.size());
    for (size_t i = 0; i < one.grads.size(); ++i)
      expect_close(two.grads[i], one.grads[i], 1e-12, "gradient " + std::to_string(i));
  }
  set_num_threads(saved);
}

TEST(NcpsCfC, ThreadedForwardWithoutRecordingSavesNothing) {
  // The batch split runs on MLX's stream thread as a lazy primitive; a forward nothing records skips writing the
  // workspace there too, and gives the recorded forward's values.
  const int saved_threads = get_num_threads();
  set_num_threads(2);
  Case c;
  c.spec.layers = {32};
  c.spec.backbone_units = 64;
  c.spec.scale = 0.15;
  c.B = 6;
  c.L = 80;
  ASSERT_EQ(kernels::cfc::threads_for(dims_of(c)), 2);
  CfCWeights w = random_weights(c.spec);
  Tensor x = random_input({c.B, c.L, c.spec.input}, -1, 1, 31);
  for (Tensor* p : parameters(w)) p->requires_grad_(true);
  const size_t runs = kernels::cfc::forward_runs(), saving = kernels::cfc::saving_forward_runs();
  CfCOutputs recorded = cfc_sequence_full(x, std::nullopt, std::nullopt, std::nullopt, w);
  EXPECT_EQ(kernels::cfc::saving_forward_runs(), saving + 1);
  CfCOutputs plain;
  {
    NoGradGuard no_grad;
    plain = cfc_sequence_full(x, std::nullopt, std::nullopt, std::nullopt, w);
  }
  EXPECT_EQ(kernels::cfc::forward_runs(), runs + 2);
  EXPECT_EQ(kernels::cfc::saving_forward_runs(), saving + 1);
  // The saving forward may round its fused time heads differently, not more.
  expect_close(plain.y, recorded.y.detach(), 1e-13, "y");
  expect_close(plain.h, recorded.h.detach(), 1e-13, "h");
  set_num_threads(saved_threads);
}

TEST(NcpsCfC, SingleStepAndSingleSample) {
  Case c;
  c.B = 1;
  c.L = 1;
  c.ts = c.h0 = true;
  expect_fused_matches_reference(c);
}

TEST(NcpsCfC, FiniteDifferencesEveryMode) {
  // The table row covers default mode; here pure, no_gate, mixed memory and wired, all with timespans and h0.
  std::vector<Spec> specs;
  Spec pure;
  pure.mode = CfCMode::Pure;
  pure.layers = {3};
  pure.backbone_units = 3;
  specs.push_back(pure);
  Spec nogate = pure;
  nogate.mode = CfCMode::NoGate;
  nogate.backbone_layers = 2;
  nogate.act = CfCActivation::SiLU;
  specs.push_back(nogate);
  Spec mixed = pure;
  mixed.mode = CfCMode::Default;
  mixed.mixed = true;
  mixed.input = 2;
  specs.push_back(mixed);
  Spec wired;
  wired.layers = {3, 2};
  wired.input = 2;
  wired.mixed = true;
  wired.mode = CfCMode::Pure;
  specs.push_back(wired);
  for (const Spec& s : specs) {
    CfCWeights w = random_weights(s);
    std::vector<Tensor*> params = parameters(w);
    const int64_t B = 2, L = 3, N = w.state_size();
    std::vector<Tensor> inputs{random_input({B, L, s.input}, -1, 1, 7), random_input({B, N}, -1, 1, 8),
                               random_input({B, L}, 0.3, 1.5, 9)};
    if (s.mixed) inputs.push_back(random_input({B, N}, -1, 1, 10));
    const size_t first = inputs.size();
    for (Tensor* p : params) inputs.push_back(*p);
    auto fn = [&](const std::vector<Tensor>& in) {
      CfCWeights v = w;
      std::vector<Tensor*> ps = parameters(v);
      for (size_t i = 0; i < ps.size(); ++i) *ps[i] = in[first + i];
      std::optional<Tensor> c0;
      if (s.mixed) c0 = in[3];
      auto o = cfc_sequence_full(in[0], in[1], c0, in[2], v, CfCConfig{s.mode, s.act});
      std::vector<Tensor> parts{o.y.flatten(), o.h.flatten()};
      if (o.c.defined()) parts.push_back(o.c.flatten());
      return cat(parts);
    };
    expect_gradcheck(fn, inputs);
  }
}

TEST(NcpsCfC, Float32AgreesWithFloat64) {
  Case c;
  c.spec.layers = {16};
  c.spec.backbone_units = 32;
  c.spec.mixed = true;
  c.h0 = c.ts = true;
  Outcome f32 = run(&cfc_sequence_full, c, kFloat32), f64 = run(&cfc_sequence_reference, c, kFloat64);
  for (size_t i = 0; i < f32.outputs.size(); ++i) {
    EXPECT_EQ(f32.outputs[i].dtype(), kFloat32);
    expect_close(f32.outputs[i], f64.outputs[i], 2e-5, "output " + std::to_string(i));
  }
  for (size_t i = 0; i < f32.grads.size(); ++i) expect_close(f32.grads[i], f64.grads[i], 5e-5, "gradient");
  Case w;
  w.spec.layers = {6, 4, 2};
  w.spec.mode = CfCMode::Pure;
  w.ts = true;
  Outcome w32 = run(&cfc_sequence_full, w, kFloat32), w64 = run(&cfc_sequence_reference, w, kFloat64);
  for (size_t i = 0; i < w32.outputs.size(); ++i) expect_close(w32.outputs[i], w64.outputs[i], 2e-5, "wired");
}

TEST(NcpsCfC, GradientsOnlyForWhatRequiresThem) {
  // Only x requires grad; the weights are constants (the primitive's vjp is asked for one input).
  CfCWeights w = random_weights(Spec{});
  Tensor x = random_input({2, 4, 3}, -1, 1, 3).requires_grad_(true);
  auto o = cfc_sequence_full(x, std::nullopt, std::nullopt, std::nullopt, w);
  auto r = cfc_sequence_reference(x, std::nullopt, std::nullopt, std::nullopt, w);
  auto gf = autograd::grad({o.y.sum()}, {x}), gr = autograd::grad({r.y.sum()}, {x});
  expect_close(gf[0], gr[0], 1e-12, "dx");
  EXPECT_EQ(o.y.grad_fn_name(), "CfCSequenceBackward0");
  // Without grad mode nothing is recorded.
  NoGradGuard no_grad;
  auto n = cfc_sequence_full(x, std::nullopt, std::nullopt, std::nullopt, w);
  EXPECT_FALSE(n.y.requires_grad());
  expect_close(n.y, r.y, 1e-12, "no-grad value");
}

TEST(NcpsCfC, BackwardReusesTheForward) {
  // MLX's vjp runs the op's function again; the primitive it builds must take the saved results, not rerun the
  // sequence (which would double the cost of a training step).
  CfCWeights w = random_weights(Spec{});
  for (Tensor* p : parameters(w)) p->requires_grad_(true);
  Tensor x = random_input({2, 3, 3}, -1, 1, 4);
  const size_t before = kernels::cfc::forward_runs();
  auto o = cfc_sequence_full(x, std::nullopt, std::nullopt, std::nullopt, w);
  o.y.sum().backward();
  EXPECT_EQ(kernels::cfc::forward_runs() - before, 1u);
  EXPECT_TRUE(w.layers[0].ff1_weight.grad().defined());
}

TEST(NcpsCfC, BackwardTwiceWithRetainGraphAndSecondOrderError) {
  CfCWeights w = random_weights(Spec{});
  Tensor x = random_input({2, 3, 3}, -1, 1, 4).requires_grad_(true);
  auto o = cfc_sequence_full(x, std::nullopt, std::nullopt, std::nullopt, w);
  Tensor loss = o.y.square().sum();
  auto g1 = autograd::grad({loss}, {x}, {}, true);
  auto g2 = autograd::grad({loss}, {x});
  expect_close(g1[0], g2[0], 0, "second backward");
  auto o2 = cfc_sequence_full(x, std::nullopt, std::nullopt, std::nullopt, w);
  auto g = autograd::grad({o2.y.sum()}, {x}, {}, std::nullopt, true);
  expect_error_containing<Error>([&] { autograd::grad({g[0].sum()}, {x}); }, "first-order gradients only");
}

TEST(NcpsCfC, InPlaceChangeBeforeBackwardRaises) {
  CfCWeights w = random_weights(Spec{});
  for (Tensor* p : parameters(w)) p->requires_grad_(true);
  Tensor x = random_input({2, 3, 3}, -1, 1, 4);
  auto o = cfc_sequence_full(x, std::nullopt, std::nullopt, std::nullopt, w);
  {
    NoGradGuard no_grad;
    w.layers[0].ff1_weight.add_(1.0);  // an optimizer step between forward and backward
  }
  expect_error_containing<Error>([&] { o.y.sum().backward(); },
                                 "one of the variables needed for gradient computation has been modified by an "
                                 "inplace operation");
}

TEST(NcpsCfC, TimespansOfShapeBL1AndDefaultOne) {
  CfCWeights w = random_weights(Spec{});
  Tensor x = random_input({2, 3, 3}, -1, 1, 5);
  auto a = cfc_sequence_full(x, std::nullopt, std::nullopt, ones({2, 3, 1}, kFloat64), w);
  auto b = cfc_sequence_full(x, std::nullopt, std::nullopt, std::nullopt, w);
  // To rounding: without timespans the kernel computes time_a * 1 + time_b as one head of weight W_a + W_b.
  expect_close(a.y, b.y, 1e-14, "ts = 1");
  auto c = cfc_sequence_full(x, std::nullopt, std::nullopt, full({2, 3}, 0.5, kFloat64), w);
  EXPECT_GT((c.y - b.y).abs().max().item<double>(), 1e-3);
}

TEST(NcpsCfC, DropoutInTrainingUsesTheComposition) {
  Spec s;
  s.backbone_layers = 2;
  CfCWeights w = random_weights(s);
  Tensor x = random_input({2, 3, 3}, -1, 1, 6);
  CfCConfig train{CfCMode::Default, CfCActivation::LeCunTanh, 0.5, true};
  manual_seed(3);
  auto a = cfc_sequence_full(x, std::nullopt, std::nullopt, std::nullopt, w, train);
  manual_seed(3);
  auto b = cfc_sequence_full(x, std::nullopt, std::nullopt, std::nullopt, w, train);
  expect_close(a.y, b.y, 0, "same seed");
  EXPECT_EQ(a.y.grad_fn_name(), "");  // no weight requires grad here
  auto eval = cfc_sequence_full(x, std::nullopt, std::nullopt, std::nullopt, w,
                                {CfCMode::Default, CfCActivation::LeCunTanh, 0.5, false});
  EXPECT_GT((a.y - eval.y).abs().max().item<double>(), 1e-6);
  // One backbone layer: ncps has no dropout there, so training changes nothing (and the fused op runs).
  CfCWeights one = random_weights(Spec{});
  auto t1 = cfc_sequence_full(x, std::nullopt, std::nullopt, std::nullopt, one, train);
  auto e1 = cfc_sequence_full(x, std::nullopt, std::nullopt, std::nullopt, one);
  expect_close(t1.y, e1.y, 0, "one layer");
}

TEST(NcpsCfC, StepperMatchesSequence) {
  for (bool mixed : {false, true}) {
    for (Spec s : {Spec{}, Spec{4, {5, 3, 2}, 0, 0, CfCMode::Pure}, Spec{2, {6}, 8, 2, CfCMode::NoGate},
                   Spec{3, {4}, 0, 0, CfCMode::Default, CfCActivation::Tanh, false, {6, 2, 5}}}) {
      s.mixed = mixed;
      // Unit elapsed times (no timespans): the stepper's and the kernel's fused time heads.
      for (auto [dt, unit] : {std::pair{kFloat64, false}, {kFloat32, false}, {kFloat64, true}, {kFloat32, true}}) {
        SCOPED_TRACE(std::string(unit ? "unit " : "") + scalar_type_name(dt));
        CfCWeights w = random_weights(s, dt);
        const int64_t L = 4, N = w.state_size(), M = w.output_size();
        Tensor x = random_input({1, L, s.input}, -1, 1, 11).to(dt),
               ts = unit ? ones({1, L}, dt) : random_input({1, L}, 0.2, 2, 12).to(dt);
        auto seq = cfc_sequence_full(x, std::nullopt, std::nullopt, unit ? std::nullopt : std::optional<Tensor>(ts), w,
                                     {s.mode, s.act});
        CfCStepper stepper(w, {s.mode, s.act});
        ASSERT_EQ(stepper.state_buffer_size(), mixed ? 2 * N : N);
        ASSERT_EQ(stepper.output_offset(), N - M);
        auto xs = x.to(kFloat64).tolist<double>(), tv = ts.to(kFloat64).tolist<double>();
        auto ys = seq.y.to(kFloat64).tolist<double>();
        const double tol = dt == kFloat64 ? 1e-13 : 2e-6;
        std::vector<double> got;
        auto check = [&]<typename T>() {
          std::vector<T> state(stepper.state_buffer_size(), T(0)), xt(s.input);
          for (int64_t t = 0; t < L; ++t) {
            for (int64_t i = 0; i < s.input; ++i) xt[i] = static_cast<T>(xs[t * s.input + i]);
            stepper.step(xt.data(), state.data(), static_cast<T>(tv[t]));
            for (int64_t j = 0; j < M; ++j) EXPECT_NEAR(state[N - M + j], ys[t * M + j], tol);
          }
          auto hT = seq.h.to(kFloat64).tolist<double>();
          for (int64_t j = 0; j < N; ++j) EXPECT_NEAR(state[j], hT[j], tol);
        };
        if (dt == kFloat64)
          check.template operator()<double>();
        else
          check.template operator()<float>();
      }
    }
  }
}

TEST(NcpsCfC, StepperTensorStep) {
  Spec s;
  s.mixed = true;
  CfCWeights w = random_weights(s);
  CfCStepper stepper(w);
  const int64_t B = 3, N = w.state_size();
  Tensor x = random_input({B, 1, s.input}, -1, 1, 13), h = random_input({B, N}, -1, 1, 14),
         c = random_input({B, N}, -1, 1, 15);
  auto seq = cfc_sequence_full(x, h, c, full({B, 1}, 0.7, kFloat64), w);
  auto one = stepper.step(x.select(1, 0), h, c, 0.7);
  expect_close(one.y, seq.y.select(1, 0), 1e-13, "y");
  expect_close(one.h, seq.h, 1e-13, "h");
  expect_close(one.c, seq.c, 1e-13, "c");
  auto single = stepper.step(x.select(1, 0).select(0, 1), h.select(0, 1), c.select(0, 1), 0.7);
  EXPECT_EQ(single.h.sizes(), Shape({N}));
  expect_close(single.h, seq.h.select(0, 1), 1e-13, "unbatched h");
  // Evaluated contiguous inputs are read in place; dt = 1 takes the fused time heads.
  Tensor xc = x.select(1, 0).contiguous(), h1 = h.contiguous(), c1 = c.contiguous();
  xc.eval();
  auto seq1 = cfc_sequence_full(x, h, c, std::nullopt, w);
  auto unit = stepper.step(xc, h1, c1);
  expect_close(unit.y, seq1.y.select(1, 0), 1e-13, "y, dt = 1");
  expect_close(unit.h, seq1.h, 1e-13, "h, dt = 1");
  expect_close(unit.c, seq1.c, 1e-13, "c, dt = 1");
  expect_close(h1, h, 0, "the input state is left as it was");
  // Without mixed memory and with every unit an output, y is h itself (ncps's CfCCell returns (h, h)).
  CfCWeights plain = random_weights(Spec{});
  auto yh = CfCStepper(plain).step(xc, h.narrow(1, 0, plain.state_size()).contiguous());
  EXPECT_EQ(yh.y.impl(), yh.h.impl());
  EXPECT_FALSE(yh.c.defined());
  expect_error_containing<TypeError>(
      [&] {
        std::vector<float> xf(s.input), st(2 * N);
        stepper.step(xf.data(), st.data(), 1.0f);
      },
      "the weights are Double; step() got float buffers");
  expect_error_containing<Error>([&] { stepper.step(x.select(1, 0), h); }, "mixed memory needs cx");
}

TEST(NcpsCfC, StepperReusesOnlyDroppedOutputs) {
  // The Tensor step takes back the buffers of results the caller has dropped (a control loop allocates no array
  // memory once warm), and never one that a Tensor, a view or a lazy graph node still reads.
  Spec s;
  s.mixed = true;
  CfCWeights w = random_weights(s);
  CfCStepper stepper(w);
  const int64_t B = 2, N = w.state_size();
  Tensor x = random_input({B, s.input}, -1, 1, 21), h = random_input({B, N}, -1, 1, 22),
         c = random_input({B, N}, -1, 1, 23);
  auto data = [](const Tensor& t) {
    mlx::core::array a = t.mlx();
    mlx::core::eval(a);
    return a.data<double>();
  };
  const Tensor seq_h = cfc_sequence_full(x.unsqueeze(1), h, c, std::nullopt, w).h;
  auto first = stepper.step(x, h, c);
  Tensor h1 = first.h.clone(), c1 = first.c.clone();
  h1.eval();
  c1.eval();
  // Held results keep their values while later steps run (the loop passes them back in as the state).
  auto second = stepper.step(x, first.h, first.c);
  auto third = stepper.step(x, second.h, second.c);
  expect_close(first.h, h1, 0, "held h");
  expect_close(first.c, c1, 0, "held c");
  for (const Tensor* t : {&second.h, &second.c, &third.h, &third.c})
    for (const Tensor* u : {&first.h, &first.c}) EXPECT_NE(data(*t), data(*u));
  // A view and a lazy graph node keep their buffer too (fl's own ops compute small inputs at once: MLX's here).
  Tensor view = third.h.narrow(1, 0, 2),
         lazy = Tensor::from_mlx(mlx::core::multiply(third.c.mlx(), mlx::core::array(2.0, mlx::core::float64)));
  ASSERT_FALSE(lazy.mlx().is_available());
  Tensor view_before = view.clone(), lazy_expected = third.c.clone() * 2.0;
  view_before.eval();
  lazy_expected.eval();  // computed now, from its own copy; `lazy` stays a graph node reading third.c
  const double* view_data = data(view);
  first = second = third = {};
  for (int i = 0; i < 4; ++i) {
    auto r = stepper.step(x, h, c);
    EXPECT_NE(data(r.h), view_data);
  }
  expect_close(view, view_before, 0, "a view of a dropped result");
  expect_close(lazy, lazy_expected, 0, "a lazy product of a dropped result");
  // Dropped results: their buffers come back (a warm loop allocates none), holding the new values.
  expect_close(h1, seq_h, 1e-13, "the first step");
  std::set<const double*> seen;
  for (int i = 0; i < 6; ++i) {
    auto r = stepper.step(x, h, c);
    seen.insert(data(r.h));
    expect_close(r.h, seq_h, 1e-13, "a step into a reused buffer");
  }
  EXPECT_EQ(seen.size(), 1u);
}

TEST(NcpsCfC, StateDictNames) {
  CfCWeights w = random_weights(Spec{3, {4}, 5, 2, CfCMode::Default, CfCActivation::LeCunTanh, true});
  const auto& c = w.layers[0];
  std::map<std::string, Tensor> sd{{"rnn_cell.backbone.0.weight", c.backbone_weight[0]},
                                   {"rnn_cell.backbone.0.bias", c.backbone_bias[0]},
                                   {"rnn_cell.backbone.2.weight", c.backbone_weight[1]},
                                   {"rnn_cell.backbone.2.bias", c.backbone_bias[1]},
                                   {"rnn_cell.ff1.weight", c.ff1_weight},
                                   {"rnn_cell.ff1.bias", c.ff1_bias},
                                   {"rnn_cell.ff2.weight", c.ff2_weight},
                                   {"rnn_cell.ff2.bias", c.ff2_bias},
                                   {"rnn_cell.time_a.weight", c.time_a_weight},
                                   {"rnn_cell.time_a.bias", c.time_a_bias},
                                   {"rnn_cell.time_b.weight", c.time_b_weight},
                                   {"rnn_cell.time_b.bias", c.time_b_bias},
                                   {"lstm.input_map.weight", w.lstm->input_map_weight},
                                   {"lstm.input_map.bias", w.lstm->input_map_bias},
                                   {"lstm.recurrent_map.weight", w.lstm->recurrent_map_weight},
                                   {"fc.weight", ones({2, 4}, kFloat64)}};
  CfCWeights v = CfCWeights::from_state_dict(sd);
  ASSERT_EQ(v.layers.size(), 1u);
  ASSERT_EQ(v.layers[0].backbone_weight.size(), 2u);
  EXPECT_TRUE(v.layers[0].backbone_weight[1].equal(c.backbone_weight[1]));
  EXPECT_TRUE(v.lstm->recurrent_map_weight.equal(w.lstm->recurrent_map_weight));
  EXPECT_EQ(v.input_size(), 3);
  EXPECT_EQ(v.state_size(), 4);
  Tensor x = random_input({2, 3, 3}, -1, 1, 16);
  auto a = cfc_sequence_full(x, std::nullopt, std::nullopt, std::nullopt, w);
  auto b = cfc_sequence_full(x, std::nullopt, std::nullopt, std::nullopt, v);
  expect_close(a.y, b.y, 0, "same weights");
  // Wired layers.
  CfCWeights wired = CfCWeights::from_state_dict({{"rnn_cell.layer_1.ff1.weight", ones({2, 5}, kFloat64)},
                                                  {"rnn_cell.layer_0.ff1.weight", ones({3, 4}, kFloat64)},
                                                  {"rnn_cell.layer_1.sparsity_mask", ones({2, 5}, kFloat64)}});
  ASSERT_EQ(wired.layers.size(), 2u);
  EXPECT_EQ(wired.layers[1].ff1_weight.size(1), 5);
  EXPECT_TRUE(wired.layers[1].sparsity_mask.defined());
  EXPECT_EQ(wired.output_size(), 2);
  expect_error_containing<ValueError>(
      [] {
        CfCWeights::from_state_dict({{"rnn_cell.ff3.weight", Tensor()}});
      },
      "unexpected key 'rnn_cell.ff3.weight'");
}

TEST(NcpsCfC, Errors) {
  expect_error_containing<ValueError>([] { cfc_mode_from_string("fast"); },
                                      "Unknown mode 'fast', valid options are ['default', 'pure', 'no_gate']");
  expect_error_containing<ValueError>([] { cfc_activation_from_string("swish"); }, "Unknown activation swish");
  EXPECT_EQ(cfc_activation_from_string("gelu"), CfCActivation::GELU);
  CfCWeights w = random_weights(Spec{});  // input 3, units 4, backbone 5
  auto seq = [&](const Tensor& x, std::optional<Tensor> h0 = std::nullopt, std::optional<Tensor> ts = std::nullopt) {
    return cfc_sequence_full(x, h0, std::nullopt, ts, w);
  };
  expect_error_containing<Error>(
      [&] {
        seq(zeros({2, 3, 5}, kFloat64));
      },
      "mat1 and mat2 shapes cannot be multiplied (2x9 and 7x5)");
  expect_error_containing<Error>([&] { seq(zeros({2, 3}, kFloat64)); }, "expected input of shape");
  expect_error_containing<Error>([&] { seq(zeros({2, 0, 3}, kFloat64)); }, "at least one step");
  expect_error_containing<Error>(
      [&] {
        seq(zeros({2, 3, 3}, kFloat32));
      },
      "mat1 and mat2 must have the same dtype, but got Float and Double");
  expect_error_containing<Error>(
      [&] {
        seq(zeros({2, 3, 3}, kFloat64), zeros({3, 4}, kFloat64));
      },
      "expected hx of shape [2, 4], got [3, 4]");
  expect_error_containing<Error>(
      [&] {
        seq(zeros({2, 3, 3}, kFloat64), std::nullopt, zeros({2}, kFloat64));
      },
      "expected timespans of shape [2, 3] or [2, 3, 1], got [2]");
  expect_error_containing<Error>(
      [&] {
        cfc_sequence_full(zeros({2, 3, 3}, kFloat64), std::nullopt, zeros({2, 4}, kFloat64), std::nullopt, w);
      },
      "an initial cell state needs mixed memory");
  CfCWeights bad = w;
  bad.layers[0].ff2_weight = zeros({4, 6}, kFloat64);
  expect_error_containing<Error>(
      [&] {
        cfc_sequence_full(zeros({2, 3, 3}, kFloat64), {}, {}, {}, bad);
      },
      "expected rnn_cell.ff2.weight of shape [4, 5], got [4, 6]");
  CfCWeights pure = w;  // pure mode needs w_tau and A
  expect_error_containing<Error>(
      [&] {
        cfc_sequence_full(zeros({2, 3, 3}, kFloat64), {}, {}, {}, pure, {CfCMode::Pure});
      },
      "w_tau");
  expect_error_containing<Error>(
      [&] {
        cfc_sequence(zeros({2, 3, 3}, kFloat64), {}, {}, CfCWeights{});
      },
      "the weights have no cell");
}

}  // namespace
}  // namespace fl::test

namespace fl::test {
namespace {
using namespace fl::ncps;

TEST(NcpsCfC, StridedInputsAndEmptyBatch) {
  // Time-major data viewed as batch-first, a transposed state and transposed weights: the kernel copies what is
  // not row-contiguous.
  Spec s;
  s.mixed = true;
  CfCWeights w = random_weights(s);
  Tensor xt = random_input({4, 2, 3}, -1, 1, 20), h0t = random_input({w.state_size(), 2}, -1, 1, 21);
  Tensor x = xt.permute({1, 0, 2}), h0 = h0t.t();
  CfCWeights wv = w;
  wv.layers[0].ff2_weight = w.layers[0].ff2_weight.t().contiguous().t();
  wv.lstm->recurrent_map_weight = w.lstm->recurrent_map_weight.t().contiguous().t();
  auto got = cfc_sequence_full(x, h0, std::nullopt, std::nullopt, wv);
  auto want = cfc_sequence_reference(x.contiguous(), h0.contiguous(), std::nullopt, std::nullopt, w);
  expect_close(got.y, want.y, 1e-12, "y");
  expect_close(got.c, want.c, 1e-12, "c");
  // An empty batch gives empty outputs (as ncps).
  auto empty = cfc_sequence_full(zeros({0, 3, 3}, kFloat64), std::nullopt, std::nullopt, std::nullopt, w);
  EXPECT_EQ(empty.y.sizes(), Shape({0, 3, 4}));
  EXPECT_EQ(empty.h.sizes(), Shape({0, 4}));
}

TEST(NcpsCfC, OtherDtypesUseTheComposition) {
  CfCWeights w = random_weights(Spec{}, kFloat16);
  Tensor x = random_input({2, 3, 3}, -1, 1, 22);
  auto half = cfc_sequence_full(x.to(kFloat16), std::nullopt, std::nullopt, std::nullopt, w);
  auto ref = cfc_sequence_reference(x, std::nullopt, std::nullopt, std::nullopt, random_weights(Spec{}, kFloat64));
  EXPECT_EQ(half.y.dtype(), kFloat16);
  expect_close(half.y, ref.y, 2e-2, "float16");
}

TEST(NcpsCfC, InferenceModeUnderEnableGradSavesNothing) {
  // torch.inference_mode() with enable_grad() inside records nothing, so the fused op must not keep a tape for a
  // backward that cannot come (it asks the core's is_recording_grad(), not is_grad_enabled()).
  CfCWeights w = random_weights(Spec{});
  for (Tensor* p : parameters(w)) p->requires_grad_(true);
  Tensor x = random_input({2, 4, 3}, -1, 1, 9).to(kFloat64);
  size_t before = kernels::cfc::saving_forward_runs();
  Tensor recorded = cfc_sequence(x, std::nullopt, std::nullopt, w).first;
  EXPECT_EQ(kernels::cfc::saving_forward_runs(), before + 1);  // the counter sees a recorded run
  EXPECT_NE(recorded.grad_fn(), nullptr);
  InferenceModeGuard inference;
  EnableGradGuard enable;
  EXPECT_TRUE(is_grad_enabled());
  EXPECT_FALSE(is_recording_grad());
  Tensor y = cfc_sequence(x, std::nullopt, std::nullopt, w).first;
  EXPECT_EQ(kernels::cfc::saving_forward_runs(), before + 1);
  EXPECT_EQ(y.grad_fn(), nullptr);
  EXPECT_TRUE(y.is_inference());
  // The taping forward and the plain one may round differently (fused time heads), not more.
  EXPECT_TRUE(allclose(y, recorded.detach(), 1e-12, 1e-14));
}

TEST(NcpsCfC, OutputsAndGradientsStartOnCacheLines) {
  // The kernel sweeps 64-byte vectors over its outputs and workspace (kernels/line_array.h): MLX's own buffers
  // would start 8 bytes into a line. Large enough for the padded path: y is 4 x 16 x 12 doubles.
  Spec s;
  s.layers = {12};
  s.backbone_units = 16;
  CfCWeights w = random_weights(s);
  for (Tensor* p : parameters(w)) p->requires_grad_(true);
  Tensor x = random_input({4, 16, 3}, -1, 1, 5).to(kFloat64).requires_grad_(true);
  CfCOutputs o = cfc_sequence_full(x, std::nullopt, std::nullopt, std::nullopt, w);
  (o.y * o.y).sum().backward();
  auto on_line = [](const Tensor& t) {
    mlx::core::array a = t.mlx();  // leaf gradients stay lazy until read
    mlx::core::eval(a);
    return reinterpret_cast<uintptr_t>(a.data<double>()) % 64 == 0;
  };
  EXPECT_TRUE(on_line(o.y));
  EXPECT_TRUE(on_line(x.grad()));
  EXPECT_TRUE(on_line(w.layers[0].ff1_weight.grad()));
  // The padded buffers hold the same numbers as the composition.
  CfCOutputs ref = cfc_sequence_reference(x.detach(), std::nullopt, std::nullopt, std::nullopt, w);
  EXPECT_TRUE(allclose(o.y.detach(), ref.y.detach(), 1e-12, 1e-14));
}

}  // namespace
}  // namespace fl::test
