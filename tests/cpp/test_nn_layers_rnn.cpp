// The C++ recurrent layers (RNN, LSTM, GRU and their cells): parameter names, order and repr as torch's, forward
// values with fixed weights against numbers printed by torch (float64), gradients to every parameter, torch's
// errors, and a small sequence classifier whose loss falls.
#include <cmath>

#include "fl/nn/functional/loss.h"
#include "fl/nn/modules/linear.h"
#include "fl/nn/modules/rnn.h"
#include "fl/optim/adam.h"
#include "test_util.h"

namespace fl::test {
namespace {

using namespace fl::nn;

// Parameter p (in named_parameters order) gets 0.3 * sin(0.37 j + 1.3 p) at flat index j, as the torch script did.
void fill(Module& m) {
  NoGradGuard g;
  int64_t p = 0;
  const auto named = m.named_parameters();
  for (const auto& item : named.items()) {
    Tensor w = item.second;
    Tensor j = arange(0, w.numel(), 1, kFloat64);
    w.copy_((sin(j * 0.37 + 1.3 * static_cast<double>(p)) * 0.3).reshape(w.sizes()));
    ++p;
  }
}

// cos(0.5 j) in a shape.
Tensor input_of(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return cos(arange(0, n, 1, kFloat64) * 0.5).reshape(shape);
}

std::vector<std::string> keys(const Module& m) { return m.state_dict().keys(); }

template <typename Opt>
Opt f64_options(Opt o) {
  o.tensor_options = kFloat64;
  return o;
}

TEST(NnLayersRnn, StateDictKeysAndReprMatchTorch) {
  LSTMOptions lo(3, 4);
  lo.num_layers = 2, lo.bidirectional = true, lo.proj_size = 2;
  LSTM lstm(lo);
  EXPECT_EQ(lstm.repr(), "LSTM(3, 4, proj_size=2, num_layers=2, bidirectional=True)");
  EXPECT_EQ(keys(lstm),
            (std::vector<std::string>{
                "weight_ih_l0",         "weight_hh_l0",         "bias_ih_l0",           "bias_hh_l0",
                "weight_hr_l0",         "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
                "bias_hh_l0_reverse",   "weight_hr_l0_reverse", "weight_ih_l1",         "weight_hh_l1",
                "bias_ih_l1",           "bias_hh_l1",           "weight_hr_l1",         "weight_ih_l1_reverse",
                "weight_hh_l1_reverse", "bias_ih_l1_reverse",   "bias_hh_l1_reverse",   "weight_hr_l1_reverse"}));
  // Shapes: layer 1 reads both directions' projected outputs.
  EXPECT_EQ(lstm.get_parameter("weight_ih_l1").sizes(), (Shape{16, 4}));
  EXPECT_EQ(lstm.get_parameter("weight_hh_l0").sizes(), (Shape{16, 2}));
  EXPECT_EQ(lstm.get_parameter("weight_hr_l1_reverse").sizes(), (Shape{2, 4}));

  GRUOptions go(3, 4);
  go.batch_first = true;
  GRU gru(go);
  EXPECT_EQ(gru.repr(), "GRU(3, 4, batch_first=True)");
  EXPECT_EQ(keys(gru), (std::vector<std::string>{"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"}));

  RNNOptions ro(2, 3);
  ro.num_layers = 2, ro.bias = false;
  RNN rnn(ro);
  EXPECT_EQ(rnn.repr(), "RNN(2, 3, num_layers=2, bias=False)");
  EXPECT_EQ(keys(rnn), (std::vector<std::string>{"weight_ih_l0", "weight_hh_l0", "weight_ih_l1", "weight_hh_l1"}));

  GRUOptions gd(3, 4);
  gd.bias = false, gd.dropout = 0.25;
  EXPECT_EQ(GRU(gd).repr(), "GRU(3, 4, bias=False, dropout=0.25)");
  LSTMOptions lb(3, 4);
  lb.num_layers = 2, lb.batch_first = true, lb.bidirectional = true;
  EXPECT_EQ(LSTM(lb).repr(), "LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True)");

  const std::vector<std::string> cell_keys = {"weight_ih", "weight_hh", "bias_ih", "bias_hh"};
  EXPECT_EQ(LSTMCell(3, 2).repr(), "LSTMCell(3, 2)");
  EXPECT_EQ(keys(LSTMCell(3, 2)), cell_keys);
  EXPECT_EQ(GRUCell(3, 2).repr(), "GRUCell(3, 2)");
  EXPECT_EQ(keys(GRUCell(3, 2)), cell_keys);
  EXPECT_EQ(RNNCell(3, 2, true, "relu").repr(), "RNNCell(3, 2, nonlinearity=relu)");
  EXPECT_EQ(keys(RNNCell(3, 2, true, "relu")), cell_keys);
  RNNCell nobias(3, 4, false, "relu");
  EXPECT_EQ(nobias.repr(), "RNNCell(3, 4, bias=False, nonlinearity=relu)");
  EXPECT_EQ(keys(nobias), (std::vector<std::string>{"weight_ih", "weight_hh"}));
  EXPECT_EQ(LSTMCell(3, 2).weight_ih.sizes(), (Shape{8, 3}));
  EXPECT_EQ(GRUCell(3, 2).weight_hh.sizes(), (Shape{6, 2}));
}

TEST(NnLayersRnn, InitIsUniformWithinOneOverSqrtHidden) {
  manual_seed(0);
  LSTMOptions o(5, 16);
  o.num_layers = 2, o.bidirectional = true;
  LSTM lstm(o);
  Tensor all = cat([&] {
    std::vector<Tensor> flat;
    for (const Tensor& p : lstm.parameters()) flat.push_back(p.detach().flatten());
    return flat;
  }());
  EXPECT_LE(all.abs().max().item<double>(), 0.25);
  EXPECT_GT(all.abs().max().item<double>(), 0.24);  // ~20k draws reach close to the bound
  EXPECT_NEAR(all.mean().item<double>(), 0.0, 0.01);
  GRUCell cell(3, 100);
  EXPECT_LE(cell.weight_hh.abs().max().item<double>(), 0.1);
  EXPECT_GT(cell.weight_hh.abs().max().item<double>(), 0.099);
}

TEST(NnLayersRnn, BidirectionalTwoLayerLstmWithProjectionMatchesTorch) {
  LSTMOptions o(3, 4);
  o.num_layers = 2, o.bidirectional = true, o.proj_size = 2;
  LSTM lstm(f64_options(o));
  fill(lstm);
  auto [out, state] = lstm.forward(input_of({3, 2, 3}));
  auto [h, c] = state;
  expect_values(out, {-0.0003728208773, 0.08133375318, 0.02168709578,   0.1482373881, -0.004061356162, 0.08159784695,
                      0.0174926132,     0.1487523384,  -0.005111927645, 0.118538048,  0.01651052348,   0.1303011848,
                      -0.005369210557,  0.1182535633,  0.0163532101,    0.1299961957, -0.002295560034, 0.1349723163,
                      0.01463505283,    0.08860441994, -0.006351708388, 0.1347219428, 0.01141609868,   0.08914834875},
                {3, 2, 4}, 1e-9);
  expect_values(h,
                {0.02772377661, -0.01670296543, -0.02860407059, 0.09002866841, 0.012023525, 0.01278361617,
                 -0.02329668281, 0.1256978626, -0.002295560034, 0.1349723163, -0.006351708388, 0.1347219428,
                 0.02168709578, 0.1482373881, 0.0174926132, 0.1487523384},
                {4, 2, 2}, 1e-9);
  expect_values(c,
                {0.06928721722, -0.2477208789, -0.0942239512, 0.2574920961,  0.01145027319, 0.1309851506,  0.1995925504,
                 0.2209510475,  0.0736190279,  -0.1807171636, 0.03444143459, 0.2694544484,  0.08477659041, 0.2103904892,
                 0.2627508548,  0.2219420437,  0.133269347,   0.2184765469,  0.2557553909,  0.2738304597,  0.1490203643,
                 0.2313516906,  0.242091126,   0.2593591099,  0.1964883796,  0.253540191,   0.2703471713,  0.2801804443,
                 0.2155361277,  0.2639628932,  0.2537857185,  0.2668009825},
                {4, 2, 4}, 1e-9);
  // Passing the zero state explicitly gives the same numbers.
  auto [out2, state2] =
      lstm.forward(input_of({3, 2, 3}), LSTMState{zeros({4, 2, 2}, kFloat64), zeros({4, 2, 4}, kFloat64)});
  EXPECT_TRUE(allclose(out2, out));
}

TEST(NnLayersRnn, BatchFirstGruMatchesTorch) {
  GRUOptions o(3, 4);
  o.batch_first = true;
  GRU gru(f64_options(o));
  fill(gru);
  auto [out, h] = gru.forward(input_of({2, 3, 3}));
  expect_values(out, {0.04524769796, -0.3033212611, -0.2158074269,  0.06337562066, -0.06039916874, 0.04808094006,
                      0.1671329271,  0.1385723127,  -0.1364648857,  0.2885178524,  0.4970390781,   0.229513026,
                      -0.1127891284, -0.1317057573, -0.01442832867, 0.1552375982,  0.008040066532, -0.4089719225,
                      -0.232546231,  0.1744062545,  -0.05704105372, -0.0807217227, 0.04181356033,  0.1819601836},
                {2, 3, 4}, 1e-9);
  expect_values(h,
                {-0.1364648857, 0.2885178524, 0.4970390781, 0.229513026, -0.05704105372, -0.0807217227, 0.04181356033,
                 0.1819601836},
                {1, 2, 4}, 1e-9);
  // Unbatched (L, H_in) input gives (L, H) and a (1, H) state: the first sequence alone.
  auto [out1, h1] = gru.forward(input_of({2, 3, 3}).select(0, 0));
  EXPECT_EQ(out1.sizes(), (Shape{3, 4}));
  EXPECT_TRUE(allclose(h1, h.select(1, 0)));
}

TEST(NnLayersRnn, TwoLayerRnnWithoutBiasAndGivenStateMatchesTorch) {
  RNNOptions o(2, 3);
  o.num_layers = 2, o.bias = false;
  RNN rnn(f64_options(o));
  fill(rnn);
  auto [out, h] = rnn.forward(input_of({3, 1, 2}), input_of({2, 1, 3}) * 0.5);
  expect_values(out,
                {0.2366411059, -0.1855973348, -0.3869469001, 0.1867496896, -0.06846457826, -0.2448714763, 0.07908107848,
                 0.1520071074, 0.05693110916},
                {3, 1, 3}, 1e-9);
  expect_values(h, {0.07766898267, -0.1978767962, -0.4070905763, 0.07908107848, 0.1520071074, 0.05693110916}, {2, 1, 3},
                1e-9);
}

TEST(NnLayersRnn, CellsMatchTorch) {
  auto f64_cell = [](int64_t in, int64_t hidden, const std::string& nl = "tanh") {
    RNNCellOptions o(in, hidden);
    o.nonlinearity = nl;
    return f64_options(o);
  };
  LSTMCell lstm(f64_cell(3, 2));
  fill(lstm);
  auto [h, c] = lstm.forward(input_of({2, 3}));
  expect_values(h, {-0.2176864669, -0.2263090948, -0.02370987378, -0.05371911805}, {2, 2}, 1e-9);
  expect_values(c, {-0.4441215767, -0.3849834312, -0.06878347242, -0.1427098553}, {2, 2}, 1e-9);

  GRUCell gru(f64_cell(3, 2));
  fill(gru);
  expect_values(gru.forward(input_of({2, 3}), input_of({2, 2}) * 0.5),
                {-0.1393687793, -0.3686416405, 0.06503800097, -0.1731481402}, {2, 2}, 1e-9);

  RNNCell rnn(f64_cell(3, 2, "relu"));
  fill(rnn);
  expect_values(rnn.forward(input_of({3})), {0.152820577, 0.4668197595}, {2}, 1e-9);
}

TEST(NnLayersRnn, GradientReachesEveryParameter) {
  manual_seed(3);
  LSTMOptions lo(3, 4);
  lo.num_layers = 2, lo.bidirectional = true, lo.proj_size = 2, lo.batch_first = true;
  LSTM lstm(lo);
  GRUOptions go(3, 4);
  go.num_layers = 2, go.bidirectional = true;
  GRU gru(go);
  RNNOptions ro(3, 4);
  ro.nonlinearity = "relu", ro.num_layers = 2;
  RNN rnn(ro);
  LSTMCell lcell(3, 4);
  GRUCell gcell(3, 4);
  RNNCell rcell(3, 4);
  Tensor x = randn({2, 5, 3});
  auto [lo_out, lo_state] = lstm.forward(x);
  Tensor loss = lo_out.square().sum() + std::get<1>(lo_state).square().sum();
  loss = loss + std::get<0>(gru.forward(x)).square().sum() + std::get<0>(rnn.forward(x)).square().sum();
  Tensor step = x.select(1, 0);
  loss = loss + std::get<1>(lcell.forward(step, lcell.forward(step))).square().sum() +
         gcell.forward(step, gcell.forward(step)).sum() + rcell.forward(step, rcell.forward(step)).sum();
  loss.backward();
  for (Module* m : std::vector<Module*>{&lstm, &gru, &rnn, &lcell, &gcell, &rcell}) {
    const auto named = m->named_parameters();
    for (const auto& [name, p] : named.items()) {
      ASSERT_TRUE(p.grad().defined()) << m->name() << "." << name;
      EXPECT_EQ(p.grad().sizes(), p.sizes()) << m->name() << "." << name;
      EXPECT_GT(p.grad().abs().sum().item<double>(), 0.0) << m->name() << "." << name;
    }
  }
}

TEST(NnLayersRnn, ErrorsAsTorch) {
  LSTM lstm(3, 4);
  expect_error_containing<ValueError>([&] { lstm.forward(zeros({3})); },
                                      "LSTM: Expected input to be 2D or 3D, got 1D instead");
  expect_error_containing<Error>(
      [&] {
        lstm.forward(zeros({2, 1, 5}));
      },
      "input.size(-1) must be equal to input_size. Expected 3, got 5");
  RNN rnn(3, 4);
  expect_error_containing<ValueError>(
      [&] {
        rnn.forward(zeros({1, 1, 1, 3}));
      },
      "RNN: Expected input to be 2D or 3D, got 4D instead");
  expect_error_containing<ValueError>(
      [] {
        GRUCell(3, 4).forward(zeros({1, 1, 3}));
      },
      "GRUCell: Expected input to be 1D or 2D, got 3D instead");
  expect_error_containing<ValueError>(
      [] {
        RNNOptions o(3, 4);
        o.nonlinearity = "sigmoid";
        RNN r(o);
      },
      "Unknown nonlinearity 'sigmoid'. Select from 'tanh' or 'relu'.");
  expect_error_containing<ValueError>([] { RNNCell(3, 4, true, "gelu"); }, "Unknown nonlinearity: gelu");
  expect_error_containing<ValueError>(
      [] {
        LSTMCellOptions o(3, 4);
        o.nonlinearity = "relu";
        LSTMCell c(o);
      },
      "nonlinearity is only supported by RNNCell");
  expect_error_containing<ValueError>(
      [] {
        LSTMOptions o(3, 4);
        o.proj_size = 4;
        LSTM l(o);
      },
      "proj_size has to be smaller than hidden_size");
  expect_error_containing<ValueError>([] { GRU(3, 0); }, "hidden_size must be greater than zero");
  expect_error_containing<ValueError>([] { GRU(3, 4, 0); }, "num_layers must be greater than zero");
  expect_error_containing<ValueError>(
      [] {
        GRUOptions o(3, 4);
        o.dropout = 1.5;
        GRU g(o);
      },
      "dropout should be a number in range [0, 1]");
}

// Class of a sequence: whether its sum is positive; an LSTM reads it and a Linear classifies its last output.
TEST(NnLayersRnn, SequenceClassifierLossFalls) {
  manual_seed(0);
  Tensor x = randn({64, 6, 1});
  Tensor y = gt(x.sum({1, 2}), 0.0).to(kInt64);
  LSTMOptions o(1, 8);
  o.batch_first = true;
  LSTM lstm(o);
  Linear head(8, 2);
  std::vector<Tensor> params = lstm.parameters();
  for (const Tensor& p : head.parameters()) params.push_back(p);
  optim::Adam opt(params, optim::AdamOptions{.lr = 0.05});
  double first = 0, last = 0;
  for (int step = 0; step < 60; ++step) {
    Tensor out = std::get<0>(lstm.forward(x));
    Tensor loss = functional::cross_entropy(head(out.select(1, -1)), y);
    opt.zero_grad();
    loss.backward();
    opt.step();
    (step == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, 0.4 * first) << "first " << first << " last " << last;
}

}  // namespace
}  // namespace fl::test
