// fl::nn::functional recurrent layers: one-unit cells and sequences by hand, deep stacks against a reference built
// from core fl ops, layout equivalences, dropout statistics, float64 gradient checks and torch's errors.
#include <cmath>

#include "fl/nn/functional/rnn.h"
#include "test_util.h"

namespace fl::test {
namespace {
namespace F = fl::nn::functional;

double sig(double x) { return 1.0 / (1.0 + std::exp(-x)); }
Tensor t64(const std::vector<double>& v, const Shape& s) { return tensor(v, s, kFloat64); }

enum class Kind { Tanh, Relu, Lstm, Gru };
int gates(Kind k) { return k == Kind::Lstm ? 4 : k == Kind::Gru ? 3 : 1; }

// --- cells by hand (one unit) --------------------------------------------------------------------------------------

TEST(NnRnn, TanhAndReluCellsByHand) {
  Tensor x = t64({0.5, -1.0}, {2, 1}), h = t64({-1.0, 2.0}, {2, 1});
  Tensor wi = t64({2.0}, {1, 1}), wh = t64({0.5}, {1, 1}), bi = t64({0.1}, {1}), bh = t64({0.2}, {1});
  // 2 * 0.5 + 0.5 * -1 + 0.3 = 0.8 and 2 * -1 + 0.5 * 2 + 0.3 = -0.7.
  expect_values(F::rnn_tanh_cell(x, h, wi, wh, bi, bh), {std::tanh(0.8), std::tanh(-0.7)}, {2, 1}, 1e-12);
  expect_values(F::rnn_relu_cell(x, h, wi, wh, bi, bh), {0.8, 0.0}, {2, 1}, 1e-12);
  expect_values(F::rnn_tanh_cell(x, h, wi, wh), {std::tanh(0.5), std::tanh(-1.0)}, {2, 1}, 1e-12);
  expect_values(F::rnn_tanh_cell(x, h, wi, wh, bi), {std::tanh(0.6), std::tanh(-0.9)}, {2, 1}, 1e-12);
  expect_values(F::rnn_tanh_cell(x, h, wi, wh, Tensor(), bh), {std::tanh(0.7), std::tanh(-0.8)}, {2, 1}, 1e-12);
  // Unbatched: (H_in) and (H) give (H).
  expect_values(F::rnn_relu_cell(t64({0.5}, {1}), t64({-1.0}, {1}), wi, wh, bi, bh), {0.8}, {1}, 1e-12);
  // float32 follows the dtype.
  Tensor y = F::rnn_tanh_cell(x.float_(), h.float_(), wi.float_(), wh.float_(), bi.float_(), bh.float_());
  EXPECT_EQ(y.dtype(), kFloat32);
  expect_values(y, {std::tanh(0.8), std::tanh(-0.7)}, {2, 1}, 1e-6);
}

TEST(NnRnn, LstmCellByHand) {
  const double wi[4] = {1, 2, 3, 4}, wh[4] = {0.5, -0.5, 0.25, 1}, bi[4] = {0.1, 0.2, 0.3, 0.4},
               bh[4] = {0.4, 0.3, 0.2, 0.1};
  const double x = 0.3, h = -0.6, c = 0.8;
  double pre[4];
  for (int k = 0; k < 4; ++k) pre[k] = wi[k] * x + wh[k] * h + bi[k] + bh[k];
  // Gate order i, f, g, o.
  double c1 = sig(pre[1]) * c + sig(pre[0]) * std::tanh(pre[2]);
  double h1 = sig(pre[3]) * std::tanh(c1);
  auto [hn, cn] = F::lstm_cell(t64({x}, {1, 1}), {t64({h}, {1, 1}), t64({c}, {1, 1})},
                               t64({wi[0], wi[1], wi[2], wi[3]}, {4, 1}), t64({wh[0], wh[1], wh[2], wh[3]}, {4, 1}),
                               t64({bi[0], bi[1], bi[2], bi[3]}, {4}), t64({bh[0], bh[1], bh[2], bh[3]}, {4}));
  expect_values(hn, {h1}, {1, 1}, 1e-12);
  expect_values(cn, {c1}, {1, 1}, 1e-12);
  auto [hu, cu] =
      F::lstm_cell(t64({x}, {1}), {t64({h}, {1}), t64({c}, {1})}, t64({1, 2, 3, 4}, {4, 1}),
                   t64({0.5, -0.5, 0.25, 1}, {4, 1}), t64({0.1, 0.2, 0.3, 0.4}, {4}), t64({0.4, 0.3, 0.2, 0.1}, {4}));
  expect_values(hu, {h1}, {1}, 1e-12);
  expect_values(cu, {c1}, {1}, 1e-12);
}

TEST(NnRnn, GruCellByHandKeepsHiddenBiasInsideReset) {
  const double wi[3] = {1, -2, 0.5}, wh[3] = {0.3, 0.7, -1.5}, bi[3] = {0.1, 0.2, 0.3}, bh[3] = {-0.2, 0.1, 0.9};
  const double x = 0.4, h = 0.5;
  double r = sig(wi[0] * x + bi[0] + wh[0] * h + bh[0]), z = sig(wi[1] * x + bi[1] + wh[1] * h + bh[1]);
  double n = std::tanh(wi[2] * x + bi[2] + r * (wh[2] * h + bh[2]));
  double h1 = (1 - z) * n + z * h;
  Tensor out =
      F::gru_cell(t64({x}, {1, 1}), t64({h}, {1, 1}), t64({wi[0], wi[1], wi[2]}, {3, 1}),
                  t64({wh[0], wh[1], wh[2]}, {3, 1}), t64({bi[0], bi[1], bi[2]}, {3}), t64({bh[0], bh[1], bh[2]}, {3}));
  expect_values(out, {h1}, {1, 1}, 1e-12);
}

// --- sequences by hand ---------------------------------------------------------------------------------------------

TEST(NnRnn, TanhSequenceByHandBothDirections) {
  // One unit, three steps, one sequence; the reverse direction starts at the last step.
  const std::vector<double> x = {0.2, -0.4, 0.9};
  const double fw[4] = {1.5, -0.5, 0.1, 0.0}, rv[4] = {-1.0, 0.8, 0.0, 0.2};  // w_ih, w_hh, b_ih, b_hh
  std::vector<double> fwd(3), rev(3);
  double h = 0.3;
  for (int t = 0; t < 3; ++t) fwd[t] = h = std::tanh(fw[0] * x[t] + fw[1] * h + fw[2] + fw[3]);
  h = -0.1;
  for (int t = 2; t >= 0; --t) rev[t] = h = std::tanh(rv[0] * x[t] + rv[1] * h + rv[2] + rv[3]);
  std::vector<Tensor> params;
  for (const double* p : {fw, rv})
    params.insert(params.end(), {t64({p[0]}, {1, 1}), t64({p[1]}, {1, 1}), t64({p[2]}, {1}), t64({p[3]}, {1})});
  auto [out, hn] =
      F::rnn_tanh(t64(x, {3, 1, 1}), t64({0.3, -0.1}, {2, 1, 1}), params, true, 1, 0.0, false, true, false);
  expect_values(out, {fwd[0], rev[0], fwd[1], rev[1], fwd[2], rev[2]}, {3, 1, 2}, 1e-12);
  expect_values(hn, {fwd[2], rev[0]}, {2, 1, 1}, 1e-12);
  // Unidirectional: the first direction's parameters only.
  std::vector<Tensor> one(params.begin(), params.begin() + 4);
  auto [o1, h1] = F::rnn_tanh(t64(x, {3, 1, 1}), t64({0.3}, {1, 1, 1}), one, true, 1, 0.0, false, false, false);
  expect_values(o1, fwd, {3, 1, 1}, 1e-12);
  expect_values(h1, {fwd[2]}, {1, 1, 1}, 1e-12);
}

// --- deep stacks against a reference of core fl ops ----------------------------------------------------------------

struct Config {
  Kind kind;
  int64_t layers;
  bool bidirectional, biases, batch_first, batched;
  int64_t proj = 0;
};
constexpr int64_t kIn = 3, kHidden = 4, kSteps = 5, kBatch = 2;

std::vector<Tensor> make_params(const Config& c, uint64_t seed) {
  int64_t dirs = c.bidirectional ? 2 : 1, out = c.proj ? c.proj : kHidden, g = gates(c.kind) * kHidden;
  std::vector<Tensor> ps;
  for (int64_t l = 0; l < c.layers; ++l)
    for (int64_t d = 0; d < dirs; ++d) {
      std::vector<Shape> shapes = {{g, l == 0 ? kIn : out * dirs}, {g, out}};
      if (c.biases) shapes.insert(shapes.end(), {{g}, {g}});
      if (c.proj) shapes.push_back({c.proj, kHidden});
      for (auto& s : shapes) ps.push_back(random_input(s, -0.8, 0.8, seed++));
    }
  return ps;
}

// One step with fl ops: linear maps, chunk, sigmoid/tanh/relu.
std::pair<Tensor, Tensor> ref_step(Kind k, const Tensor& x, const Tensor& h, const Tensor& c,
                                   const std::vector<Tensor>& w, bool biases) {
  Tensor gi = matmul(x, w[0].t()), gh = matmul(h, w[1].t());
  if (biases) gi = gi + w[2], gh = gh + w[3];
  switch (k) {
    case Kind::Tanh:
      return {tanh(gi + gh), Tensor()};
    case Kind::Relu:
      return {relu(gi + gh), Tensor()};
    case Kind::Lstm: {
      auto ch = chunk(gi + gh, 4, 1);
      Tensor c1 = sigmoid(ch[1]) * c + sigmoid(ch[0]) * tanh(ch[2]);
      Tensor h1 = sigmoid(ch[3]) * tanh(c1);
      if (w.size() == (biases ? 5u : 3u)) h1 = matmul(h1, w.back().t());
      return {h1, c1};
    }
    case Kind::Gru: {
      auto a = chunk(gi, 3, 1), b = chunk(gh, 3, 1);
      Tensor r = sigmoid(a[0] + b[0]), z = sigmoid(a[1] + b[1]);
      Tensor n = tanh(a[2] + r * b[2]);
      return {(1.0 - z) * n + z * h, Tensor()};
    }
  }
  return {};
}

// The stack over a time-major batched sequence x (T, N, I); returns output, h_n, c_n.
std::vector<Tensor> ref_sequence(const Config& c, Tensor x, const Tensor& h0, const Tensor& c0,
                                 const std::vector<Tensor>& ps) {
  int64_t dirs = c.bidirectional ? 2 : 1, per = (c.biases ? 4 : 2) + (c.proj ? 1 : 0);
  std::vector<Tensor> hs, cs;
  for (int64_t l = 0; l < c.layers; ++l) {
    std::vector<Tensor> dir_out;
    for (int64_t d = 0; d < dirs; ++d) {
      int64_t idx = l * dirs + d;
      std::vector<Tensor> w(ps.begin() + idx * per, ps.begin() + (idx + 1) * per);
      Tensor h = h0[idx], cc = c.kind == Kind::Lstm ? c0[idx] : Tensor();
      std::vector<Tensor> outs(kSteps);
      for (int64_t k = 0; k < kSteps; ++k) {
        int64_t t = d == 0 ? k : kSteps - 1 - k;
        std::tie(h, cc) = ref_step(c.kind, x[t], h, cc, w, c.biases);
        outs[t] = h;
      }
      dir_out.push_back(stack(outs, 0));
      hs.push_back(h);
      cs.push_back(cc);
    }
    x = cat(dir_out, 2);
  }
  return {x, stack(hs, 0), c.kind == Kind::Lstm ? stack(cs, 0) : Tensor()};
}

// Runs the op under test with the layout of the config.
std::vector<Tensor> run(const Config& c, const Tensor& x, const Tensor& h0, const Tensor& c0,
                        const std::vector<Tensor>& ps, double dropout = 0.0, bool train = false) {
  auto args = std::make_tuple(c.biases, c.layers, dropout, train, c.bidirectional, c.batch_first);
  auto [b, l, p, tr, bi, bf] = args;
  switch (c.kind) {
    case Kind::Tanh: {
      auto [o, h] = F::rnn_tanh(x, h0, ps, b, l, p, tr, bi, bf);
      return {o, h};
    }
    case Kind::Relu: {
      auto [o, h] = F::rnn_relu(x, h0, ps, b, l, p, tr, bi, bf);
      return {o, h};
    }
    case Kind::Gru: {
      auto [o, h] = F::gru(x, h0, ps, b, l, p, tr, bi, bf);
      return {o, h};
    }
    case Kind::Lstm: {
      auto [o, h, cn] = F::lstm(x, {h0, c0}, ps, b, l, p, tr, bi, bf);
      return {o, h, cn};
    }
  }
  return {};
}

TEST(NnRnn, DeepStacksMatchReferenceInEveryLayout) {
  const std::vector<Config> configs = {
      {Kind::Tanh, 2, true, true, false, true},     {Kind::Relu, 2, false, false, true, true},
      {Kind::Gru, 2, true, true, true, true},       {Kind::Gru, 1, false, false, false, false},
      {Kind::Lstm, 2, true, true, false, true, 2},  {Kind::Lstm, 2, true, false, true, true},
      {Kind::Lstm, 1, true, true, false, false, 3}, {Kind::Tanh, 3, true, true, true, false},
  };
  uint64_t seed = 100;
  for (const Config& c : configs) {
    SCOPED_TRACE("kind " + std::to_string(static_cast<int>(c.kind)) + " layers " + std::to_string(c.layers));
    int64_t dirs = c.bidirectional ? 2 : 1, out = c.proj ? c.proj : kHidden;
    auto ps = make_params(c, seed += 50);
    Tensor x = random_input({kSteps, kBatch, kIn}, -1, 1, seed + 1);
    Tensor h0 = random_input({c.layers * dirs, kBatch, out}, -1, 1, seed + 2);
    Tensor c0 = random_input({c.layers * dirs, kBatch, kHidden}, -1, 1, seed + 3);
    Tensor xb = x, hb = h0, cb = c0;
    if (!c.batched) {  // the first sequence, without a batch dim
      x = x.narrow(1, 0, 1), h0 = h0.narrow(1, 0, 1), c0 = c0.narrow(1, 0, 1);
      xb = x.squeeze(1), hb = h0.squeeze(1), cb = c0.squeeze(1);
    } else if (c.batch_first) {
      xb = x.transpose(0, 1);
    }
    auto want = ref_sequence(c, x, h0, c0, ps);
    auto got = run(c, xb, hb, cb, ps);
    Tensor o = got[0];
    if (!c.batched)
      o = o.unsqueeze(1);
    else if (c.batch_first)
      o = o.transpose(0, 1);
    EXPECT_EQ(got[0].dim(), c.batched ? 3 : 2);
    EXPECT_TRUE(o.allclose(want[0], 1e-10, 1e-12));
    EXPECT_TRUE((c.batched ? got[1] : got[1].unsqueeze(1)).allclose(want[1], 1e-10, 1e-12));
    if (c.kind == Kind::Lstm) EXPECT_TRUE((c.batched ? got[2] : got[2].unsqueeze(1)).allclose(want[2], 1e-10, 1e-12));
  }
}

TEST(NnRnn, EmptyBatchGivesEmptyOutputs) {
  Config c{Kind::Gru, 2, true, true, false, true};
  auto ps = make_params(c, 3);
  auto got = run(c, zeros({kSteps, 0, kIn}, kFloat64), zeros({4, 0, kHidden}, kFloat64), Tensor(), ps);
  EXPECT_EQ(got[0].sizes(), (Shape{kSteps, 0, 2 * kHidden}));
  EXPECT_EQ(got[1].sizes(), (Shape{4, 0, kHidden}));
}

// --- dropout between layers ----------------------------------------------------------------------------------------

TEST(NnRnn, DropoutBetweenLayersStatistics) {
  const int64_t h = 4, steps = 50, batch = 20;
  // Layer 0: bias_ih 2 gives relu(2) = 2; layer 1: identity w_ih, no recurrence, no bias.
  std::vector<Tensor> ps = {
      zeros({h, 1}, kFloat64),        zeros({h, h}, kFloat64), full({h}, 2.0, kFloat64), zeros({h}, kFloat64),
      eye(h, std::nullopt, kFloat64), zeros({h, h}, kFloat64), zeros({h}, kFloat64),     zeros({h}, kFloat64)};
  Tensor x = zeros({steps, batch, 1}, kFloat64), h0 = zeros({2, batch, h}, kFloat64);
  const double p = 0.3;
  manual_seed(0);
  auto [o, hn] = F::rnn_relu(x, h0, ps, true, 2, p, true, false, false);
  auto v = o.tolist<double>();
  int64_t dropped = 0;
  for (double e : v) {
    ASSERT_TRUE(e == 0.0 || std::abs(e - 2.0 / (1 - p)) < 1e-12) << e;
    dropped += e == 0.0;
  }
  double frac = static_cast<double>(dropped) / static_cast<double>(v.size());  // 4000 draws: sd 0.0072
  EXPECT_NEAR(frac, p, 0.04);
  // The same seed gives the same masks; eval mode and p = 0 give no dropout.
  manual_seed(0);
  EXPECT_TRUE(std::get<0>(F::rnn_relu(x, h0, ps, true, 2, p, true, false, false)).equal(o));
  Tensor twos = full({steps, batch, h}, 2.0, kFloat64);
  EXPECT_TRUE(std::get<0>(F::rnn_relu(x, h0, ps, true, 2, p, false, false, false)).equal(twos));
  EXPECT_TRUE(std::get<0>(F::rnn_relu(x, h0, ps, true, 2, 0.0, true, false, false)).equal(twos));
  // p = 1 drops everything; the last layer's output is never dropped.
  EXPECT_TRUE(std::get<0>(F::rnn_relu(x, h0, ps, true, 2, 1.0, true, false, false)).equal(zeros_like(twos)));
  std::vector<Tensor> first(ps.begin(), ps.begin() + 4);
  EXPECT_TRUE(std::get<0>(F::rnn_relu(x, h0.narrow(0, 0, 1), first, true, 1, 0.9, true, false, false)).equal(twos));
}

// --- errors --------------------------------------------------------------------------------------------------------

TEST(NnRnn, SequenceErrorsAsTorch) {
  Config c{Kind::Lstm, 2, false, true, false, true};
  auto ps = make_params(c, 9);
  Tensor x = zeros({5, 3, kIn}, kFloat64), h = zeros({2, 3, kHidden}, kFloat64);
  auto lstm = [&](const Tensor& in, const Tensor& h0, const Tensor& c0, const std::vector<Tensor>& p) {
    return F::lstm(in, {h0, c0}, p, true, 2, 0.0, false, false, false);
  };
  expect_error_containing<Error>(
      [&] {
        lstm(x, zeros({1, 3, kHidden}, kFloat64), h, ps);
      },
      "Expected hidden[0] size (2, 3, 4), got [1, 3, 4]");
  expect_error_containing<Error>(
      [&] {
        lstm(x, h, zeros({2, 2, kHidden}, kFloat64), ps);
      },
      "Expected hidden[1] size (2, 3, 4), got [2, 2, 4]");
  expect_error_containing<Error>([&] { lstm(x, h[0], h[0], ps); },
                                 "For batched 3-D input, hx and cx should also be 3-D but got (2-D, 2-D) tensors");
  expect_error_containing<Error>([&] { lstm(x[0], h, h, ps); },
                                 "For unbatched 2-D input, hx and cx should also be 2-D but got (3-D, 3-D) tensors");
  expect_error_containing<Error>([&] { F::lstm(x, {h}, ps, true, 2, 0.0, false, false, false); },
                                 "lstm expects two hidden states");
  expect_error_containing<Error>([&] { lstm(x, h, h, std::vector<Tensor>(ps.begin(), ps.begin() + 7)); },
                                 "got an incorrect number of RNN parameters");
  expect_error_containing<Error>(
      [&] {
        lstm(zeros({5, 3, 6}, kFloat64), h, h, ps);
      },
      "input.size(-1) must be equal to input_size. Expected 3, got 6");
  expect_error_containing<ValueError>(
      [&] { lstm(x.float_(), h, h, ps); },
      "RNN input dtype (torch.float32) does not match weight dtype (torch.float64). Convert input: "
      "input.to(torch.float64), or convert model: model.to(torch.float32)");
  expect_error_containing<Error>([&] { lstm(x, h.float_(), h, ps); },
                                 "mat1 and mat2 must have the same dtype, but got Float and Double");
  expect_error_containing<ValueError>(
      [&] {
        lstm(zeros({5, 3, 1, kIn}, kFloat64), h, h, ps);
      },
      "LSTM: Expected input to be 2D or 3D, got 4D instead");
  expect_error_containing<Error>(
      [&] {
        lstm(zeros({0, 3, kIn}, kFloat64), h, h, ps);
      },
      "Expected sequence length to be larger than 0 in RNN");
  std::vector<Tensor> bad = ps;
  bad[5] = zeros({16, 5}, kFloat64);
  expect_error_containing<Error>([&] { lstm(x, h, h, bad); },
                                 "Expected weight_hh_l1 to have shape [16, 4], got [16, 5]");

  Config g{Kind::Gru, 2, true, true, false, true};
  auto gp = make_params(g, 11);
  expect_error_containing<Error>(
      [&] {
        F::gru(x, zeros({4, 3, 5}, kFloat64), gp, true, 2, 0.0, false, true, false);
      },
      "Expected hidden size (4, 3, 4), got [4, 3, 5]");
  expect_error_containing<Error>(
      [&] {
        F::gru(x, zeros({4, 4}, kFloat64), gp, true, 2, 0.0, false, true, false);
      },
      "For batched 3-D input, hx should also be 3-D but got 2-D tensor");
  // Unbatched states are checked as torch checks them, after adding the batch dim.
  expect_error_containing<Error>(
      [&] {
        F::gru(x[0], zeros({4, 5}, kFloat64), gp, true, 2, 0.0, false, true, false);
      },
      "Expected hidden size (4, 1, 4), got [4, 1, 5]");
  expect_error_containing<Error>([&] { F::gru(x, h, gp, true, 2, 0.0, false, false, false); },
                                 "got an incorrect number of RNN parameters: expected 8");  // bidirectional params
  expect_error_containing<ValueError>(
      [&] { F::rnn_tanh(zeros({2}, kFloat64), h, gp, true, 2, 0.0, false, true, false); },
      "RNN: Expected input to be 2D or 3D, got 1D tensor instead");
  expect_error_containing<Error>(
      [&] {
        F::gru(x, zeros({4, 3, 4}, kFloat64), gp, true, 2, 1.5, true, true, false);
      },
      "dropout probability has to be between 0 and 1, but got 1.5");
}

TEST(NnRnn, CellErrorsAsTorch) {
  Tensor wi = zeros({16, 3}, kFloat64), wh = zeros({16, 4}, kFloat64), b = zeros({16}, kFloat64);
  Tensor x = zeros({2, 3}, kFloat64), h = zeros({2, 4}, kFloat64);
  expect_error_containing<Error>(
      [&] {
        F::lstm_cell(zeros({2, 5}, kFloat64), {h, h}, wi, wh, b, b);
      },
      "input has inconsistent input_size: got 5 expected 3");
  expect_error_containing<Error>(
      [&] {
        F::lstm_cell(x, {zeros({3, 4}, kFloat64), h}, wi, wh, b, b);
      },
      "Input batch size 2 doesn't match hidden0 batch size 3");
  expect_error_containing<Error>(
      [&] {
        F::lstm_cell(x, {h, zeros({3, 4}, kFloat64)}, wi, wh, b, b);
      },
      "Input batch size 2 doesn't match hidden1 batch size 3");
  expect_error_containing<Error>(
      [&] {
        F::lstm_cell(x, {h, zeros({2, 5}, kFloat64)}, wi, wh, b, b);
      },
      "hidden1 has inconsistent hidden_size: got 5, expected 4");
  expect_error_containing<Error>([&] { F::lstm_cell(x, {h}, wi, wh, b, b); }, "lstm_cell expects two hidden states");
  expect_error_containing<ValueError>(
      [&] {
        F::lstm_cell(zeros({1, 2, 3}, kFloat64), {h, h}, wi, wh, b, b);
      },
      "LSTMCell: Expected input to be 1D or 2D, got 3D instead");
  expect_error_containing<ValueError>(
      [&] {
        F::lstm_cell(x, {h, zeros({1, 2, 4}, kFloat64)}, wi, wh, b, b);
      },
      "LSTMCell: Expected hx[1] to be 1D or 2D, got 3D instead");
  Tensor rw = zeros({4, 3}, kFloat64), rh = zeros({4, 4}, kFloat64);
  // Unbatched input with a batched state: torch's unsqueeze makes its size(1) the batch's.
  expect_error_containing<Error>([&] { F::rnn_tanh_cell(zeros({3}, kFloat64), h, rw, rh); },
                                 "hidden0 has inconsistent hidden_size: got 2, expected 4");
  expect_error_containing<Error>([&] { F::rnn_tanh_cell(x, zeros({4}, kFloat64), rw, rh); },
                                 "Input batch size 2 doesn't match hidden0 batch size 4");
  expect_error_containing<ValueError>(
      [&] {
        F::gru_cell(x, zeros({1, 2, 4}, kFloat64), zeros({12, 3}, kFloat64), zeros({12, 4}, kFloat64));
      },
      "GRUCell: Expected hidden to be 1D or 2D, got 3D instead");
  expect_error_containing<Error>([&] { F::rnn_relu_cell(x, h, rw, rh.float_()); },
                                 "mat1 and mat2 must have the same dtype, but got Double and Float");
  expect_error_containing<Error>([&] { F::rnn_relu_cell(x, h, rw, rh, zeros({5}, kFloat64)); },
                                 "Expected bias_ih to have shape [4], got [5]");
  expect_error_containing<NotImplementedError>(
      [&] {
        F::rnn_tanh_cell(zeros({2, 3}, kInt64), zeros({2, 4}, kInt64), rw.long_(), rh.long_());
      },
      "\"rnn_tanh_cell\" not implemented for 'Long'");
}

// --- float64 gradient checks ---------------------------------------------------------------------------------------

Tensor flat(const std::vector<Tensor>& ts) {
  std::vector<Tensor> parts;
  for (const Tensor& t : ts) parts.push_back(t.flatten());
  return cat(parts, 0);
}
std::vector<Tensor> tail(const std::vector<Tensor>& in, size_t from) { return {in.begin() + from, in.end()}; }

// Shapes of (x, states..., params...) for a config with T = 3, N = 2, I = 2, H = 2.
std::vector<Shape> grad_shapes(const Config& c) {
  const int64_t in = 2, hid = 2, steps = 3, batch = 2, dirs = c.bidirectional ? 2 : 1, g = gates(c.kind) * hid;
  const int64_t out = c.proj ? c.proj : hid;
  std::vector<Shape> s;
  s.push_back(c.batched ? (c.batch_first ? Shape{batch, steps, in} : Shape{steps, batch, in}) : Shape{steps, in});
  auto state = [&](int64_t size) {
    return c.batched ? Shape{c.layers * dirs, batch, size} : Shape{c.layers * dirs, size};
  };
  s.push_back(state(out));
  if (c.kind == Kind::Lstm) s.push_back(state(hid));
  for (int64_t l = 0; l < c.layers; ++l)
    for (int64_t d = 0; d < dirs; ++d) {
      s.push_back({g, l == 0 ? in : out * dirs});
      s.push_back({g, out});
      if (c.biases) s.insert(s.end(), {{g}, {g}});
      if (c.proj) s.push_back({c.proj, hid});
    }
  return s;
}

GradCase seq_case(const char* op, const Config& c) {
  return {op,
          [c](const std::vector<Tensor>& in) {
            size_t p = c.kind == Kind::Lstm ? 3 : 2;
            return flat(run(c, in[0], in[1], c.kind == Kind::Lstm ? in[2] : Tensor(), tail(in, p)));
          },
          grad_shapes(c), -1.0, 1.0};
}

static ValueTested kValues({"rnn_tanh", "rnn_relu", "gru", "lstm", "rnn_tanh_cell", "rnn_relu_cell", "gru_cell",
                            "lstm_cell"});
static GradCases kGrads({
    seq_case("rnn_tanh", {Kind::Tanh, 2, true, true, true, true}),
    seq_case("rnn_relu", {Kind::Relu, 1, false, true, false, false}),
    seq_case("gru", {Kind::Gru, 2, true, true, false, true}),
    seq_case("lstm", {Kind::Lstm, 2, true, true, false, true, 1}),
    seq_case("lstm", {Kind::Lstm, 1, false, false, true, false}),
    {"rnn_tanh_cell",
     [](const std::vector<Tensor>& in) { return F::rnn_tanh_cell(in[0], in[1], in[2], in[3], in[4], in[5]); },
     {{3, 2}, {3, 4}, {4, 2}, {4, 4}, {4}, {4}}},
    {"rnn_relu_cell",
     [](const std::vector<Tensor>& in) { return F::rnn_relu_cell(in[0], in[1], in[2], in[3]); },
     {{2}, {3}, {3, 2}, {3, 3}}},
    {"gru_cell",
     [](const std::vector<Tensor>& in) { return F::gru_cell(in[0], in[1], in[2], in[3], in[4], in[5]); },
     {{3, 2}, {3, 2}, {6, 2}, {6, 2}, {6}, {6}}},
    {"lstm_cell",
     [](const std::vector<Tensor>& in) {
       auto [h, c] = F::lstm_cell(in[0], {in[1], in[2]}, in[3], in[4], in[5], in[6]);
       return flat({h, c});
     },
     {{3, 2}, {3, 2}, {3, 2}, {8, 2}, {8, 2}, {8}, {8}}},
});

}  // namespace
}  // namespace fl::test
