// The LTC cell (fl/ncps/ltc.h): closed-form values of one neuron, the fused sequence op against the reference
// composition (values and every gradient, float64, all mapping / constraint / memory / timespan combinations),
// float64 finite differences, the single-step engine, errors. Golden data from ncps: tests/python/ncps.
#include <cmath>
#include <cstdlib>
#include <new>

#include "fl/ncps/lstm_memory.h"
#include "fl/ncps/ltc.h"
#include "test_util.h"

// Counts heap allocations on this thread while `g_count_allocs` is set (LTCStepper.StepAllocatesNothing).
namespace {
thread_local bool g_count_allocs = false;
thread_local int64_t g_allocs = 0;
}  // namespace
// Every unaligned new/delete form is replaced, so that all of them pair malloc with free (a partial set mixes the
// replacement with the runtime's, which AddressSanitizer reports as alloc-dealloc mismatches inside libmlx).
static void* counted_malloc(std::size_t n) noexcept {
  if (g_count_allocs) ++g_allocs;
  return std::malloc(n ? n : 1);
}
void* operator new(std::size_t n) {
  if (void* p = counted_malloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = counted_malloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_malloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_malloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace fl::test {
namespace {
using ncps::LSTMMemoryWeights;
using ncps::LTCConfig;
using ncps::LTCMapping;
using ncps::LTCWeights;

double sigm(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double softplus(double x) { return std::log1p(std::exp(x)); }

// A cell with random weights (float64 leaves that require grad) and masks that drop about a third of the
// synapses; erev is random everywhere, so masked entries would show if gradients leaked into them.
struct Net {
  LTCWeights w;
  LSTMMemoryWeights lstm;
  std::vector<Tensor> params;  // every trainable tensor, in a fixed order
};

Net make_net(int64_t D, int64_t N, int64_t M, const LTCConfig& c, bool mixed, Dtype dt = kFloat64, uint64_t seed = 1) {
  Generator g(seed);
  Net net;
  auto U = [&](const Shape& s, double lo, double hi) {
    Tensor t = (rand(s, dt, &g) * (hi - lo) + lo).detach();
    t.requires_grad_(true);
    net.params.push_back(t);
    return t;
  };
  auto mask = [&](int64_t rows, int64_t salt) {
    std::vector<double> m(rows * N);
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < N; ++j) m[i * N + j] = (i * 7 + j * 3 + salt) % 3 != 0;
    return tensor(m, Shape{rows, N}, dt);
  };
  LTCWeights& w = net.w;
  w.gleak = U({N}, 0.001, 1.0);
  w.vleak = U({N}, -0.2, 0.2);
  w.cm = U({N}, 0.4, 0.6);
  w.sigma = U({N, N}, 3, 8);
  w.mu = U({N, N}, 0.3, 0.8);
  w.w = U({N, N}, 0.001, 1.0);
  w.erev = U({N, N}, -1, 1);
  w.sensory_sigma = U({D, N}, 3, 8);
  w.sensory_mu = U({D, N}, 0.3, 0.8);
  w.sensory_w = U({D, N}, 0.001, 1.0);
  w.sensory_erev = U({D, N}, -1, 1);
  w.sparsity_mask = mask(N, 0);
  w.sensory_sparsity_mask = mask(D, 1);
  if (c.input_mapping != LTCMapping::None) w.input_w = U({D}, 0.5, 1.5);
  if (c.input_mapping == LTCMapping::Affine) w.input_b = U({D}, -0.5, 0.5);
  if (c.output_mapping != LTCMapping::None) w.output_w = U({M}, 0.5, 1.5);
  if (c.output_mapping == LTCMapping::Affine) w.output_b = U({M}, -0.5, 0.5);
  if (mixed) {
    net.lstm.input_map_weight = U({4 * N, D}, -0.5, 0.5);
    net.lstm.input_map_bias = U({4 * N}, -0.1, 0.1);
    net.lstm.recurrent_map_weight = U({4 * N, N}, -0.5, 0.5);
  }
  return net;
}

struct Inputs {
  Tensor x, h0, c0, ts;
};

Inputs make_inputs(int64_t B, int64_t L, int64_t D, int64_t N, bool h0, bool ts, bool c0, Dtype dt = kFloat64) {
  Generator g(11);
  auto leaf = [](Tensor t) {
    t = t.detach();
    t.requires_grad_(true);
    return t;
  };
  Inputs in;
  in.x = leaf(rand({B, L, D}, dt, &g) * 2.0 - 1.0);
  if (h0) in.h0 = leaf(rand({B, N}, dt, &g) * 0.6 - 0.3);
  if (c0) in.c0 = leaf(rand({B, N}, dt, &g) * 0.6 - 0.3);
  if (ts) in.ts = leaf(rand({B, L}, dt, &g) * 1.5 + 0.25);  // per sample and step
  return in;
}

ncps::LTCSequenceOutput run(const Inputs& in, const Net& net, const LTCConfig& c, bool mixed) {
  return mixed ? ncps::ltc_sequence_mixed_memory(in.x, in.h0, in.c0, in.ts, net.w, net.lstm, c)
               : ncps::ltc_sequence(in.x, in.h0, in.ts, net.w, c);
}

// A weighted sum of every output with fixed, varied weights, as ncps's golden loss.
Tensor weighted_sum(const Tensor& t, double phase) {
  Tensor w = (arange(t.numel(), TensorOptions(t.dtype())) * 0.37 + phase).sin().reshape(t.sizes());
  return (t * w).sum();
}
Tensor loss_of(const ncps::LTCSequenceOutput& r) {
  Tensor l = weighted_sum(r.output, 0.1) + weighted_sum(r.h, 1.0);
  if (r.c.defined()) l = l + weighted_sum(r.c, 2.0);
  return l;
}

double max_rel_err(const Tensor& got, const Tensor& ref) {
  EXPECT_EQ(got.sizes(), ref.sizes());
  auto g = got.to(kFloat64).tolist<double>(), r = ref.to(kFloat64).tolist<double>();
  double mx = 0, err = 0;
  for (double v : r) mx = std::max(mx, std::fabs(v));
  for (size_t i = 0; i < g.size(); ++i) {
    double scale = std::max({std::fabs(r[i]), mx * 1e-3, 1e-300});
    err = std::max(err, std::fabs(g[i] - r[i]) / scale);
  }
  return err;
}

// Values and the gradients of every differentiable input and parameter: fused vs reference.
void expect_fused_matches_reference(const Inputs& in, const Net& net, LTCConfig c, bool mixed, double tol) {
  std::vector<Tensor> wrt = net.params;
  for (const Tensor* t : {&in.x, &in.h0, &in.c0, &in.ts})
    if (t->defined()) wrt.push_back(*t);
  c.fused = true;
  auto fused = run(in, net, c, mixed);
  auto g_fused = autograd::grad({loss_of(fused)}, wrt);
  c.fused = false;
  auto ref = run(in, net, c, mixed);
  auto g_ref = autograd::grad({loss_of(ref)}, wrt);
  EXPECT_LE(max_rel_err(fused.output, ref.output), tol);
  EXPECT_LE(max_rel_err(fused.h, ref.h), tol);
  if (mixed) EXPECT_LE(max_rel_err(fused.c, ref.c), tol);
  ASSERT_EQ(g_fused.size(), g_ref.size());
  for (size_t i = 0; i < wrt.size(); ++i) EXPECT_LE(max_rel_err(g_fused[i], g_ref[i]), tol) << "gradient " << i;
}

const char* mapping_name(LTCMapping m) {
  return m == LTCMapping::Affine ? "affine" : m == LTCMapping::Linear ? "linear" : "none";
}

TEST(LTCCell, OneNeuronClosedForm) {
  // One neuron with a self-synapse and one input; two unfolds with elapsed time 0.5 (Δ = 0.25), by hand.
  for (bool implicit : {true, false}) {
    LTCConfig c;
    c.ode_unfolds = 2;
    c.implicit_param_constraints = implicit;
    auto t = [](double v) { return tensor(std::vector<double>{v}, Shape{1, 1}, kFloat64); };
    LTCWeights w;
    w.gleak = tensor(std::vector<double>{0.3}, Shape{1}, kFloat64);
    w.vleak = tensor(std::vector<double>{-0.1}, Shape{1}, kFloat64);
    w.cm = tensor(std::vector<double>{0.5}, Shape{1}, kFloat64);
    w.sigma = t(4.0), w.mu = t(0.4), w.w = t(0.7), w.erev = t(1.0), w.sparsity_mask = t(1.0);
    w.sensory_sigma = t(5.0), w.sensory_mu = t(0.5), w.sensory_w = t(0.9), w.sensory_erev = t(-1.0);
    w.sensory_sparsity_mask = t(1.0);
    w.input_w = tensor(std::vector<double>{2.0}, Shape{1}, kFloat64);
    w.input_b = tensor(std::vector<double>{0.1}, Shape{1}, kFloat64);
    w.output_w = tensor(std::vector<double>{3.0}, Shape{1}, kFloat64);
    w.output_b = tensor(std::vector<double>{-0.2}, Shape{1}, kFloat64);
    auto pos = [&](double v) { return implicit ? softplus(v) : v; };
    const double x = 0.35 * 2.0 + 0.1, v0 = 0.2;
    const double sa = pos(0.9) * sigm(5.0 * (x - 0.5));
    const double cmt = pos(0.5) / (0.5 / 2);
    double v = v0;
    for (int k = 0; k < 2; ++k) {
      const double a = pos(0.7) * sigm(4.0 * (v - 0.4));
      v = (cmt * v + pos(0.3) * -0.1 + a * 1.0 + sa * -1.0) / (cmt + pos(0.3) + a + sa + 1e-8);
    }
    auto [y, h] = ncps::ltc_cell_step(t(0.35), t(v0), w, c, tensor(std::vector<double>{0.5}, Shape{1}, kFloat64));
    expect_values(h, {v}, {1, 1}, 1e-14);
    expect_values(y, {v * 3.0 - 0.2}, {1, 1}, 1e-14);
    // The fused sequence of one step agrees.
    for (bool fused : {true, false}) {
      c.fused = fused;
      auto r = ncps::ltc_sequence(t(0.35).reshape({1, 1, 1}), t(v0), t(0.5), w, c);
      expect_values(r.h, {v}, {1, 1}, 1e-14);
      expect_values(r.output, {v * 3.0 - 0.2}, {1, 1, 1}, 1e-14);
    }
  }
}

TEST(LTCCell, LSTMMemoryClosedForm) {
  // H = 1, I = 1: z = x W_i + b + h W_r, gates (i, ig, fg, og).
  const double x = 0.4, h = -0.3, c = 0.2;
  const double wi[4] = {0.5, -0.2, 0.3, 0.8}, b[4] = {0.1, 0.0, -0.1, 0.05}, wr[4] = {-0.4, 0.6, 0.2, -0.1};
  double z[4];
  for (int q = 0; q < 4; ++q) z[q] = x * wi[q] + b[q] + h * wr[q];
  const double c2 = c * sigm(z[2] + 1.0) + std::tanh(z[0]) * sigm(z[1]);
  const double h2 = std::tanh(c2) * sigm(z[3]);
  LSTMMemoryWeights m;
  m.input_map_weight = tensor(std::vector<double>(wi, wi + 4), Shape{4, 1}, kFloat64);
  m.input_map_bias = tensor(std::vector<double>(b, b + 4), Shape{4}, kFloat64);
  m.recurrent_map_weight = tensor(std::vector<double>(wr, wr + 4), Shape{4, 1}, kFloat64);
  auto one = [](double v) { return tensor(std::vector<double>{v}, Shape{1, 1}, kFloat64); };
  auto [hn, cn] = ncps::lstm_memory_step(one(x), one(h), one(c), m);
  expect_values(hn, {h2}, {1, 1}, 1e-14);
  expect_values(cn, {c2}, {1, 1}, 1e-14);
  EXPECT_EQ(m.named()[2].first, "recurrent_map.weight");
}

TEST(LTCFused, MatchesReferenceForEveryConfiguration) {
  const int64_t B = 3, L = 4, D = 3, N = 5, M = 2;
  const LTCMapping maps[] = {LTCMapping::Affine, LTCMapping::Linear, LTCMapping::None};
  int variant = 0;
  for (LTCMapping im : maps)
    for (LTCMapping om : maps)
      for (bool implicit : {true, false})
        for (bool mixed : {false, true}) {
          LTCConfig c;
          c.input_mapping = im;
          c.output_mapping = om;
          c.implicit_param_constraints = implicit;
          c.motor_size = M;
          c.ode_unfolds = 1 + variant % 4;
          // Rotate the optional inputs through the combinations: h0, per-sample timespans, c0.
          const bool h0 = variant % 2 == 0, ts = variant % 3 != 0, c0 = mixed && variant % 4 < 2;
          SCOPED_TRACE(std::string("input ") + mapping_name(im) + ", output " + mapping_name(om) +
                       (implicit ? ", implicit" : ", explicit") + (mixed ? ", mixed memory" : "") + (h0 ? ", h0" : "") +
                       (ts ? ", timespans" : "") + (c0 ? ", c0" : ""));
          Net net = make_net(D, N, M, c, mixed, kFloat64, 100 + variant);
          expect_fused_matches_reference(make_inputs(B, L, D, N, h0, ts, c0), net, c, mixed, 1e-11);
          ++variant;
        }
}

TEST(LTCFused, BroadcastTimespansAndAllMotorNeurons) {
  // Timespans (B, L, 1) and (L) broadcast; the default motor size is output_w's length, or N without output_w.
  LTCConfig c;
  Net net = make_net(2, 4, 4, c, false);
  Inputs in = make_inputs(2, 3, 2, 4, true, false, false);
  in.ts = tensor(std::vector<double>{0.5, 1.0, 2.0}, Shape{3}, kFloat64).requires_grad_(true);
  expect_fused_matches_reference(in, net, c, false, 1e-11);
  in.ts = (rand({2, 3, 1}, kFloat64) + 0.5).detach().requires_grad_(true);
  expect_fused_matches_reference(in, net, c, false, 1e-11);
  LTCConfig none = c;
  none.output_mapping = LTCMapping::None;
  Net net2 = make_net(2, 4, 4, none, false);
  auto r = ncps::ltc_sequence(in.x, in.h0, in.ts, net2.w, none);
  EXPECT_EQ(r.output.sizes(), (Shape{2, 3, 4}));
  EXPECT_LE(max_rel_err(r.output.select(1, 2), r.h), 0.0);
}

TEST(LTCFused, Float32AgreesWithFloat64) {
  LTCConfig c;
  Net n64 = make_net(3, 6, 2, c, true);
  Inputs i64 = make_inputs(4, 5, 3, 6, true, true, true);
  auto to32 = [](const Tensor& t) { return t.defined() ? t.detach().to(kFloat32) : t; };
  Net n32 = n64;
  for (auto* t : {&n32.w.gleak,
                  &n32.w.vleak,
                  &n32.w.cm,
                  &n32.w.sigma,
                  &n32.w.mu,
                  &n32.w.w,
                  &n32.w.erev,
                  &n32.w.sensory_sigma,
                  &n32.w.sensory_mu,
                  &n32.w.sensory_w,
                  &n32.w.sensory_erev,
                  &n32.w.sparsity_mask,
                  &n32.w.sensory_sparsity_mask,
                  &n32.w.input_w,
                  &n32.w.input_b,
                  &n32.w.output_w,
                  &n32.w.output_b,
                  &n32.lstm.input_map_weight,
                  &n32.lstm.input_map_bias,
                  &n32.lstm.recurrent_map_weight})
    *t = to32(*t);
  Inputs i32{to32(i64.x), to32(i64.h0), to32(i64.c0), to32(i64.ts)};
  auto r64 = run(i64, n64, c, true);
  auto r32 = run(i32, n32, c, true);
  EXPECT_EQ(r32.output.dtype(), kFloat32);
  EXPECT_LE(max_rel_err(r32.output, r64.output), 1e-5);
  EXPECT_LE(max_rel_err(r32.h, r64.h), 1e-5);
  EXPECT_LE(max_rel_err(r32.c, r64.c), 1e-5);
  // float32 gradients: against the float64 ones.
  Tensor x32 = i32.x.detach().requires_grad_(true);
  Tensor w32 = n32.w.w.detach().requires_grad_(true);
  n32.w.w = w32;
  i32.x = x32;
  auto g32 = autograd::grad({loss_of(run(i32, n32, c, true))}, {x32, w32});
  auto g64 = autograd::grad({loss_of(run(i64, n64, c, true))}, {i64.x, n64.w.w});
  EXPECT_LE(max_rel_err(g32[0], g64[0]), 1e-4);
  EXPECT_LE(max_rel_err(g32[1], g64[1]), 1e-4);
}

TEST(LTCFused, MaskedSynapsesGetNoGradientAndMasksNone) {
  LTCConfig c;
  Net net = make_net(3, 5, 2, c, false);
  net.w.sparsity_mask.requires_grad_(true);  // a buffer even when marked: ncps registers it with requires_grad=False
  Inputs in = make_inputs(2, 3, 3, 5, false, false, false);
  auto r = ncps::ltc_sequence(in.x, in.h0, in.ts, net.w, c);
  auto g = autograd::grad({loss_of(r)}, {net.w.sigma, net.w.erev, net.w.w, net.w.sparsity_mask}, {}, std::nullopt,
                          false, true);
  auto mask = net.w.sparsity_mask.tolist<double>();
  for (int k = 0; k < 3; ++k) {
    auto v = g[k].tolist<double>();
    for (size_t i = 0; i < v.size(); ++i)
      if (mask[i] == 0)
        EXPECT_EQ(v[i], 0.0);
      else
        EXPECT_NE(v[i], 0.0);
  }
  EXPECT_TRUE(!g[3].defined() || g[3].abs().max().item<double>() == 0.0);
  // Integer masks (a wiring's |adjacency| as it is) give the same result on both paths.
  LTCWeights wi = net.w;
  wi.sparsity_mask = net.w.sparsity_mask.detach().to(kInt32);
  wi.sensory_sparsity_mask = net.w.sensory_sparsity_mask.to(kInt32);
  for (bool fused : {true, false}) {
    c.fused = fused;
    EXPECT_TRUE(ncps::ltc_sequence(in.x, in.h0, in.ts, wi, c).output.allclose(r.output, 1e-13, 0));
  }
}

TEST(LTCFused, FiniteDifferencesFloat64) {
  // Every input and parameter of the fused op against central differences, with the sparse masks, explicit
  // constraints, mixed memory and per-sample timespans.
  for (bool mixed : {false, true}) {
    LTCConfig c;
    c.implicit_param_constraints = !mixed;
    c.ode_unfolds = 3;
    c.output_mapping = mixed ? LTCMapping::Linear : LTCMapping::Affine;
    Net net = make_net(2, 3, 2, c, mixed);
    Inputs in = make_inputs(2, 3, 2, 3, true, true, mixed);
    std::vector<Tensor> args = {in.x, in.h0, in.ts};
    if (mixed) args.push_back(in.c0);
    const size_t n_in = args.size();
    args.insert(args.end(), net.params.begin(), net.params.end());
    auto fn = [&, n_in](const std::vector<Tensor>& a) {
      Net n = net;
      int k = static_cast<int>(n_in);
      for (auto* t : {&n.w.gleak, &n.w.vleak, &n.w.cm, &n.w.sigma, &n.w.mu, &n.w.w, &n.w.erev, &n.w.sensory_sigma,
                      &n.w.sensory_mu, &n.w.sensory_w, &n.w.sensory_erev, &n.w.input_w, &n.w.input_b, &n.w.output_w,
                      &n.w.output_b, &n.lstm.input_map_weight, &n.lstm.input_map_bias, &n.lstm.recurrent_map_weight})
        if (t->defined()) *t = a[k++];
      Inputs i{a[0], a[1], mixed ? a[3] : Tensor(), a[2]};
      auto r = run(i, n, c, mixed);
      std::vector<Tensor> parts = {r.output.flatten(), r.h.flatten()};
      if (mixed) parts.push_back(r.c.flatten());
      return cat(parts);
    };
    expect_gradcheck(fn, args, 1e-6, 1e-7, 1e-5);
  }
}

TEST(LTCFused, EmptySequenceAndBackwardTwice) {
  LTCConfig c;
  Net net = make_net(2, 3, 1, c, false);
  Tensor h0 = rand({2, 3}, kFloat64);
  auto r = ncps::ltc_sequence(zeros({2, 0, 2}, kFloat64), h0, Tensor(), net.w, c);
  EXPECT_EQ(r.output.sizes(), (Shape{2, 0, 1}));
  EXPECT_TRUE(r.h.equal(h0));
  // retain_graph: the tape serves two backward passes.
  Inputs in = make_inputs(2, 3, 2, 3, false, false, false);
  Tensor l = loss_of(ncps::ltc_sequence(in.x, in.h0, in.ts, net.w, c));
  auto g1 = autograd::grad({l}, {net.w.mu}, {}, true);
  auto g2 = autograd::grad({l}, {net.w.mu});
  EXPECT_TRUE(g1[0].equal(g2[0]));
}

TEST(LTCFused, SecondOrderNeedsTheReference) {
  LTCConfig c;
  Net net = make_net(2, 3, 1, c, false);
  Inputs in = make_inputs(1, 2, 2, 3, false, false, false);
  auto g = autograd::grad({loss_of(ncps::ltc_sequence(in.x, in.h0, in.ts, net.w, c))}, {in.x}, {}, std::nullopt, true);
  EXPECT_NE(error_of([&] { autograd::grad({g[0].sum()}, {net.w.mu}); }).find("differentiable once"), std::string::npos);
  c.fused = false;
  auto g_ref =
      autograd::grad({loss_of(ncps::ltc_sequence(in.x, in.h0, in.ts, net.w, c))}, {in.x}, {}, std::nullopt, true);
  EXPECT_TRUE(autograd::grad({g_ref[0].sum()}, {net.w.mu})[0].defined());
}

TEST(LTCFused, Errors) {
  LTCConfig c;
  Net net = make_net(2, 3, 1, c, false);
  Tensor x = rand({2, 4, 2}, kFloat64);
  expect_error_containing<Error>(
      [&] {
        ncps::ltc_sequence(rand({2, 4, 3}, kFloat64), {}, {}, net.w, c);
      },
      "input has 3 features but the cell expects 2");
  expect_error_containing<Error>(
      [&] {
        ncps::ltc_sequence(rand({4, 2}, kFloat64), {}, {}, net.w, c);
      },
      "expected input of shape (batch, length, 2)");
  expect_error_containing<Error>(
      [&] {
        ncps::ltc_sequence(x, rand({2, 4}, kFloat64), {}, net.w, c);
      },
      "h0 must have shape [2, 3], got [2, 4]");
  expect_error_containing<Error>([&] { ncps::ltc_sequence(x, {}, rand({3, 4}, kFloat64), net.w, c); }, "expand");
  LTCWeights bad = net.w;
  bad.mu = rand({3, 2}, kFloat64);
  expect_error_containing<Error>([&] { ncps::ltc_sequence(x, {}, {}, bad, c); },
                                 "ltc: mu must have shape [3, 3], got [3, 2]");
  bad = net.w;
  bad.input_b = Tensor();
  expect_error_containing<Error>([&] { ncps::ltc_sequence(x, {}, {}, bad, c); }, "the weight input_b is missing");
  LTCConfig m5 = c;
  m5.motor_size = 5;
  m5.output_mapping = LTCMapping::None;
  expect_error_containing<ValueError>([&] { ncps::ltc_sequence(x, {}, {}, net.w, m5); },
                                      "motor_size must be in [1, 3], got 5");
  LSTMMemoryWeights lstm;
  expect_error_containing<Error>([&] { ncps::ltc_sequence_mixed_memory(x, {}, {}, {}, net.w, lstm, c); },
                                 "the weight input_map.weight is missing");
}

TEST(LTCCell, ApplyWeightConstraintsClampsThePositiveWeights) {
  LTCConfig c;
  Net net = make_net(2, 3, 1, c, false);
  net.w.w = (net.w.w - 0.5).detach().requires_grad_(true);
  net.w.vleak = (net.w.vleak - 1.0).detach();
  ncps::ltc_apply_weight_constraints(net.w);
  EXPECT_GE(net.w.w.min().item<double>(), 0.0);
  EXPECT_EQ(net.w.w.min().item<double>(), 0.0);
  EXPECT_LT(net.w.vleak.max().item<double>(), 0.0);  // vleak is never constrained
  EXPECT_TRUE(net.w.w.requires_grad());
}

// The stepper against the fused sequence: same outputs and states step by step, per-step dt.
template <typename T>
void expect_stepper_matches(bool mixed, int64_t B, Dtype dt, double tol) {
  LTCConfig c;
  const int64_t D = 3, N = 7, M = 2, L = 5;
  Net net = make_net(D, N, M, c, mixed, dt);
  Inputs in = make_inputs(B, L, D, N, true, true, mixed, dt);
  ncps::LTCStepper st = mixed ? ncps::LTCStepper(net.w, net.lstm, c, B) : ncps::LTCStepper(net.w, c, B);
  auto xs = in.x.template tolist<T>(), ts = in.ts.template tolist<T>();
  auto h = in.h0.template tolist<T>();
  std::vector<T> cs = mixed ? in.c0.template tolist<T>() : std::vector<T>();
  std::vector<T> y(B * M), x(B * D), outs(B * L * M);
  for (int64_t t = 0; t < L; ++t) {
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = 0; i < D; ++i) x[b * D + i] = xs[(b * L + t) * D + i];
    const T dtt = ts[t];  // one dt for the batch: sample 0's timespans (the reference below uses them for all)
    if (mixed)
      st.step(x.data(), h.data(), cs.data(), dtt, y.data());
    else
      st.step(x.data(), h.data(), dtt, y.data());
    for (int64_t b = 0; b < B; ++b)
      for (int64_t m = 0; m < M; ++m) outs[(b * L + t) * M + m] = y[b * M + m];
  }
  Inputs same_dt = in;
  same_dt.ts = in.ts.select(0, 0).unsqueeze(0).expand({B, L});
  auto r = run(same_dt, net, c, mixed);
  EXPECT_LE(max_rel_err(tensor(std::vector<T>(outs), Shape{B, L, M}, dt), r.output), tol);
  EXPECT_LE(max_rel_err(tensor(std::vector<T>(h), Shape{B, N}, dt), r.h), tol);
  if (mixed) EXPECT_LE(max_rel_err(tensor(std::vector<T>(cs), Shape{B, N}, dt), r.c), tol);
}

TEST(LTCStepper, MatchesTheSequence) {
  for (bool mixed : {false, true}) {
    for (int64_t B : {1, 3}) {
      SCOPED_TRACE(std::string(mixed ? "mixed, " : "") + "batch " + std::to_string(B));
      expect_stepper_matches<double>(mixed, B, kFloat64, 1e-13);
      expect_stepper_matches<float>(mixed, B, kFloat32, 1e-6);
    }
  }
}

TEST(LTCStepper, TensorStepsRefreshAndErrors) {
  LTCConfig c;
  Net net = make_net(3, 5, 2, c, false);
  ncps::LTCStepper st(net.w, c);
  EXPECT_EQ(st.batch(), 1);
  EXPECT_EQ(st.input_size(), 3);
  EXPECT_EQ(st.state_size(), 5);
  EXPECT_EQ(st.output_size(), 2);
  EXPECT_EQ(st.dtype(), kFloat64);
  Tensor x = rand({3}, kFloat64), h = rand({5}, kFloat64);
  auto [y, h1] = st.step(x, h, 0.7);
  EXPECT_EQ(y.sizes(), (Shape{2}));
  EXPECT_EQ(h1.sizes(), (Shape{5}));
  EXPECT_FALSE(h1.requires_grad());
  auto [y_ref, h_ref] = ncps::ltc_cell_step(x.unsqueeze(0), h.unsqueeze(0), net.w, c,
                                            tensor(std::vector<double>{0.7}, Shape{1}, kFloat64));
  EXPECT_LE(max_rel_err(h1, h_ref.squeeze(0)), 1e-13);
  EXPECT_LE(max_rel_err(y, y_ref.squeeze(0)), 1e-13);
  // refresh() takes new weight values.
  LTCWeights w2 = net.w;
  w2.vleak = (net.w.vleak + 0.3).detach();
  st.refresh(w2);
  auto [y2, h2] = st.step(x, h, 0.7);
  auto ref2 =
      ncps::ltc_cell_step(x.unsqueeze(0), h.unsqueeze(0), w2, c, tensor(std::vector<double>{0.7}, Shape{1}, kFloat64));
  EXPECT_LE(max_rel_err(h2, ref2.second.squeeze(0)), 1e-13);
  std::vector<float> xf(3), hf(5);
  expect_error_containing<TypeError>([&] { st.step(xf.data(), hf.data()); }, "weights are float64");
  std::vector<double> xd(3), hd(5), cd(5);
  expect_error_containing<Error>([&] { st.step(xd.data(), hd.data(), cd.data()); }, "has no mixed memory");
  expect_error_containing<Error>([&] { st.step(rand({4}, kFloat64), h); }, "expected x of shape [1, 3]");
}

TEST(LTCStepper, StepAllocatesNothing) {
  for (bool mixed : {false, true}) {
    LTCConfig c;
    Net net = make_net(4, 8, 2, c, mixed, kFloat32);
    ncps::LTCStepper st = mixed ? ncps::LTCStepper(net.w, net.lstm, c) : ncps::LTCStepper(net.w, c);
    std::vector<float> x(4, 0.3f), h(8, 0.0f), cs(8, 0.0f), y(2);
    g_allocs = 0;
    g_count_allocs = true;
    for (int i = 0; i < 10; ++i) {
      if (mixed)
        st.step(x.data(), h.data(), cs.data(), 0.5f, y.data());
      else
        st.step(x.data(), h.data(), 0.5f, y.data());
    }
    g_count_allocs = false;
    EXPECT_EQ(g_allocs, 0);
    EXPECT_NE(h[0], 0.0f);
  }
}

// Registry coverage: value tests above; float64 finite-difference rows for the table.
ValueTested ltc_values({"ltc_cell_step", "ltc_sequence", "ltc_sequence_mixed_memory", "lstm_memory_step"});

// Rows: inputs drawn in [0.2, 1.5] (positive timespans); masks built inside.
Net grad_row_net(const std::vector<Tensor>& a, size_t first, bool mixed) {
  Net n;
  LTCWeights& w = n.w;
  size_t k = first;
  for (Tensor* t : {&w.gleak, &w.vleak, &w.cm, &w.sigma, &w.mu, &w.w, &w.erev, &w.sensory_sigma, &w.sensory_mu,
                    &w.sensory_w, &w.sensory_erev, &w.input_w, &w.input_b, &w.output_w, &w.output_b})
    *t = a[k++];
  w.sparsity_mask = tensor(std::vector<double>{1, 0, 1, 1, 1, 0, 0, 1, 1}, Shape{3, 3}, kFloat64);
  w.sensory_sparsity_mask = tensor(std::vector<double>{1, 1, 0, 0, 1, 1}, Shape{2, 3}, kFloat64);
  if (mixed) {
    n.lstm.input_map_weight = a[k++] - 0.85;
    n.lstm.input_map_bias = a[k++] - 0.85;
    n.lstm.recurrent_map_weight = a[k++] - 0.85;
  }
  return n;
}
const std::vector<Shape> kCellShapes = {{3},    {3},    {3},    {3, 3}, {3, 3}, {3, 3}, {3, 3}, {2, 3},
                                        {2, 3}, {2, 3}, {2, 3}, {2},    {2},    {2},    {2}};
std::vector<Shape> with(std::vector<Shape> head, const std::vector<Shape>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}
LTCConfig row_config() {
  LTCConfig c;
  c.ode_unfolds = 2;
  return c;
}

GradCases ltc_grads({
    {"ltc_cell_step",
     [](const std::vector<Tensor>& a) {
       Net n = grad_row_net(a, 3, false);
       auto [y, h] = ncps::ltc_cell_step(a[0] - 0.85, a[1] - 0.85, n.w, row_config(), a[2]);
       return cat({y.flatten(), h.flatten()});
     },
     with({{2, 2}, {2, 3}, {2}}, kCellShapes), 0.2, 1.5},
    {"ltc_sequence",
     [](const std::vector<Tensor>& a) {
       Net n = grad_row_net(a, 3, false);
       auto r = ncps::ltc_sequence(a[0] - 0.85, a[1] - 0.85, a[2], n.w, row_config());
       return cat({r.output.flatten(), r.h.flatten()});
     },
     with({{2, 2, 2}, {2, 3}, {2, 2}}, kCellShapes), 0.2, 1.5},
    {"ltc_sequence_mixed_memory",
     [](const std::vector<Tensor>& a) {
       Net n = grad_row_net(a, 4, true);
       auto r = ncps::ltc_sequence_mixed_memory(a[0] - 0.85, a[1] - 0.85, a[3] - 0.85, a[2], n.w, n.lstm, row_config());
       return cat({r.output.flatten(), r.h.flatten(), r.c.flatten()});
     },
     with(with({{2, 2, 2}, {2, 3}, {2, 2}, {2, 3}}, kCellShapes), {{12, 2}, {12}, {12, 3}}), 0.2, 1.5},
    {"lstm_memory_step",
     [](const std::vector<Tensor>& a) {
       LSTMMemoryWeights m{a[3], a[4], a[5]};
       auto [h, c] = ncps::lstm_memory_step(a[0], a[1], a[2], m);
       return cat({h.flatten(), c.flatten()});
     },
     {{2, 3}, {2, 2}, {2, 2}, {8, 3}, {8}, {8, 2}}},
});

}  // namespace
}  // namespace fl::test
