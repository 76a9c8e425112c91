// fl::optim: each optimizer's first steps against the update rules written out in double arithmetic, state_dict
// layout and round trip, LBFGS convergence, in-place semantics and torch's errors.
#include <cmath>

#include "fl/optim/adadelta.h"
#include "fl/optim/adagrad.h"
#include "fl/optim/adam.h"
#include "fl/optim/adamax.h"
#include "fl/optim/lbfgs.h"
#include "fl/optim/nadam.h"
#include "fl/optim/radam.h"
#include "fl/optim/rmsprop.h"
#include "fl/optim/sgd.h"
#include "test_util.h"

namespace fl::test {
namespace {
using namespace fl::optim;
using V = std::vector<double>;

Tensor param(const V& v) { return tensor(v, std::nullopt, kFloat64).requires_grad_(); }
void give_grad(Tensor& p, const V& g) { p.set_grad(tensor(g, std::nullopt, kFloat64)); }

// Steps `opt` with the given gradients for its single parameter and checks it against `ref` after each step.
// ref(p, g) updates the reference parameter in place (its own state captured by the lambda).
template <typename Ref>
void check_steps(Optimizer& opt, Tensor& p, const std::vector<V>& grads, V expected, Ref ref) {
  for (const V& g : grads) {
    give_grad(p, g);
    opt.step();
    ref(expected, g);
    expect_values(p, expected, 1e-13);
  }
}

const std::vector<V> kGrads = {{0.5, -1.0, 2.0}, {-0.3, 0.2, 1.5}, {0.1, 0.4, -0.7}};
const V kStart = {1.0, -2.0, 0.5};

TEST(Optim, SGDMomentumDampeningWeightDecay) {
  for (bool nesterov : {false, true}) {
    Tensor p = param(kStart);
    const double lr = 0.1, mom = 0.9, damp = nesterov ? 0.0 : 0.2, wd = 0.01;
    SGD opt({p}, SGDOptions{.lr = lr, .momentum = mom, .dampening = damp, .weight_decay = wd, .nesterov = nesterov});
    V buf;
    check_steps(opt, p, kGrads, kStart, [&](V& x, const V& g) {
      bool first = buf.empty();
      buf.resize(x.size());
      for (size_t i = 0; i < x.size(); ++i) {
        double d = g[i] + wd * x[i];
        buf[i] = first ? d : mom * buf[i] + (1 - damp) * d;
        x[i] -= lr * (nesterov ? d + mom * buf[i] : buf[i]);
      }
    });
    EXPECT_TRUE(opt.state(p).at("momentum_buffer").is_tensor());
  }
}

TEST(Optim, SGDPlainAndMaximizeKeepNoState) {
  Tensor p = param(kStart);
  SGD opt({p}, SGDOptions{.lr = 0.5, .maximize = true});
  check_steps(opt, p, kGrads, kStart, [](V& x, const V& g) {
    for (size_t i = 0; i < x.size(); ++i) x[i] += 0.5 * g[i];
  });
  EXPECT_TRUE(opt.state_dict().state.empty());  // momentum 0: torch keeps no state
}

// Adam/AdamW with bias corrections, optionally amsgrad and decoupled decay.
void check_adam(bool amsgrad, bool decoupled, bool maximize) {
  Tensor p = param(kStart);
  const double lr = 0.01, b1 = 0.8, b2 = 0.95, eps = 1e-6, wd = 0.1;
  std::unique_ptr<Optimizer> opt;
  if (decoupled) {
    AdamWOptions o;
    o.lr = lr, o.betas = {b1, b2}, o.eps = eps, o.weight_decay = wd, o.amsgrad = amsgrad, o.maximize = maximize;
    opt = std::make_unique<AdamW>(Params{p}, o);
  } else {
    opt = std::make_unique<Adam>(
        Params{p},
        AdamOptions{
            .lr = lr, .betas = {b1, b2}, .eps = eps, .weight_decay = wd, .amsgrad = amsgrad, .maximize = maximize});
  }
  V m(3, 0), v(3, 0), vmax(3, 0);
  int step = 0;
  check_steps(*opt, p, kGrads, kStart, [&](V& x, const V& g0) {
    ++step;
    for (size_t i = 0; i < x.size(); ++i) {
      double g = maximize ? -g0[i] : g0[i];
      if (decoupled)
        x[i] *= 1 - lr * wd;
      else
        g += wd * x[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      vmax[i] = std::max(vmax[i], v[i]);
      double vhat = (amsgrad ? vmax[i] : v[i]) / (1 - std::pow(b2, step));
      x[i] -= lr * (m[i] / (1 - std::pow(b1, step))) / (std::sqrt(vhat) + eps);
    }
  });
  EXPECT_EQ(opt->state(p).at("step").tensor().item<double>(), 3.0);
  EXPECT_EQ(opt->state(p).contains("max_exp_avg_sq"), amsgrad);
}

TEST(Optim, AdamAndAdamW) {
  for (bool amsgrad : {false, true})
    for (bool decoupled : {false, true})
      for (bool maximize : {false, true}) check_adam(amsgrad, decoupled, maximize);
}

TEST(Optim, RMSpropCenteredMomentum) {
  for (bool centered : {false, true}) {
    for (double mom : {0.0, 0.5}) {
      Tensor p = param(kStart);
      const double lr = 0.01, a = 0.9, eps = 1e-8, wd = 0.05;
      RMSprop opt(
          {p},
          RMSpropOptions{.lr = lr, .alpha = a, .eps = eps, .weight_decay = wd, .momentum = mom, .centered = centered});
      V sq(3, 0), ga(3, 0), buf(3, 0);
      check_steps(opt, p, kGrads, kStart, [&](V& x, const V& g0) {
        for (size_t i = 0; i < x.size(); ++i) {
          double g = g0[i] + wd * x[i];
          sq[i] = a * sq[i] + (1 - a) * g * g;
          ga[i] = a * ga[i] + (1 - a) * g;
          double avg = std::sqrt(centered ? sq[i] - ga[i] * ga[i] : sq[i]) + eps;
          buf[i] = mom * buf[i] + g / avg;
          x[i] -= lr * (mom > 0 ? buf[i] : g / avg);
        }
      });
    }
  }
}

TEST(Optim, AdagradLrDecayInitialAccumulator) {
  Tensor p = param(kStart);
  const double lr = 0.1, decay = 0.5, init = 0.25, eps = 1e-10, wd = 0.02;
  Adagrad opt({p}, AdagradOptions{.lr = lr, .lr_decay = decay, .weight_decay = wd, .initial_accumulator_value = init});
  // torch creates Adagrad's state at construction.
  ASSERT_EQ(opt.state_dict().state.size(), 1u);
  expect_values(opt.state(p).at("sum").tensor(), {init, init, init});
  V sum(3, init);
  int step = 0;
  check_steps(opt, p, kGrads, kStart, [&](V& x, const V& g0) {
    ++step;
    for (size_t i = 0; i < x.size(); ++i) {
      double g = g0[i] + wd * x[i];
      sum[i] += g * g;
      x[i] -= lr / (1 + (step - 1) * decay) * g / (std::sqrt(sum[i]) + eps);
    }
  });
}

TEST(Optim, Adadelta) {
  Tensor p = param(kStart);
  const double lr = 0.5, rho = 0.8, eps = 1e-4, wd = 0.1;
  Adadelta opt({p}, AdadeltaOptions{.lr = lr, .rho = rho, .eps = eps, .weight_decay = wd});
  V sq(3, 0), acc(3, 0);
  check_steps(opt, p, kGrads, kStart, [&](V& x, const V& g0) {
    for (size_t i = 0; i < x.size(); ++i) {
      double g = g0[i] + wd * x[i];
      sq[i] = rho * sq[i] + (1 - rho) * g * g;
      double delta = std::sqrt(acc[i] + eps) / std::sqrt(sq[i] + eps) * g;
      acc[i] = rho * acc[i] + (1 - rho) * delta * delta;
      x[i] -= lr * delta;
    }
  });
}

TEST(Optim, Adamax) {
  Tensor p = param(kStart);
  const double lr = 0.01, b1 = 0.7, b2 = 0.9, eps = 1e-3;
  Adamax opt({p}, AdamaxOptions{.lr = lr, .betas = {b1, b2}, .eps = eps, .maximize = true});
  V m(3, 0), u(3, 0);
  int step = 0;
  check_steps(opt, p, kGrads, kStart, [&](V& x, const V& g0) {
    ++step;
    for (size_t i = 0; i < x.size(); ++i) {
      double g = -g0[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      u[i] = std::max(b2 * u[i], std::fabs(g) + eps);
      x[i] -= lr / (1 - std::pow(b1, step)) * m[i] / u[i];
    }
  });
}

TEST(Optim, NAdamMomentumDecaySchedule) {
  for (bool decoupled : {false, true}) {
    set_default_dtype(kFloat64);  // mu_product in float64, as torch with a float64 default
    Tensor p = param(kStart);
    const double lr = 0.01, b1 = 0.9, b2 = 0.99, eps = 1e-8, wd = 0.1, md = 0.05;
    NAdam opt({p}, NAdamOptions{.lr = lr,
                                .betas = {b1, b2},
                                .eps = eps,
                                .weight_decay = wd,
                                .momentum_decay = md,
                                .decoupled_weight_decay = decoupled});
    V m(3, 0), v(3, 0);
    double mu_product = 1;
    int step = 0;
    check_steps(opt, p, kGrads, kStart, [&](V& x, const V& g0) {
      ++step;
      double mu = b1 * (1 - 0.5 * std::pow(0.96, step * md));
      double mu_next = b1 * (1 - 0.5 * std::pow(0.96, (step + 1) * md));
      mu_product *= mu;
      for (size_t i = 0; i < x.size(); ++i) {
        double g = g0[i];
        if (decoupled)
          x[i] *= 1 - lr * wd;
        else
          g += wd * x[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        double denom = std::sqrt(v[i] / (1 - std::pow(b2, step))) + eps;
        x[i] -= lr * (1 - mu) / (1 - mu_product) * g / denom;
        x[i] -= lr * mu_next / (1 - mu_product * mu_next) * m[i] / denom;
      }
    });
    EXPECT_NEAR(opt.state(p).at("mu_product").tensor().item<double>(), mu_product, 1e-15);
    set_default_dtype(kFloat32);
  }
}

TEST(Optim, RAdamRectificationSwitchesOn) {
  Tensor p = param(kStart);
  const double lr = 0.01, b1 = 0.9, b2 = 0.8, eps = 1e-8;  // small beta2: rho_t passes 5 at step 7
  RAdam opt({p}, RAdamOptions{.lr = lr, .betas = {b1, b2}, .eps = eps});
  V m(3, 0), v(3, 0);
  int step = 0, rectified = 0;
  std::vector<V> grads = kGrads;
  for (int k = 0; k < 6; ++k) grads.push_back({0.2 * k, -0.1, 0.3});
  check_steps(opt, p, grads, kStart, [&](V& x, const V& g) {
    ++step;
    double bc1 = 1 - std::pow(b1, step), bc2 = 1 - std::pow(b2, step);
    double rho_inf = 2 / (1 - b2) - 1, rho_t = rho_inf - 2 * step * std::pow(b2, step) / bc2;
    rectified += rho_t > 5;
    for (size_t i = 0; i < x.size(); ++i) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      double upd = m[i] / bc1 * lr;
      if (rho_t > 5) {
        double rect = std::sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t));
        upd *= std::sqrt(bc2) / (std::sqrt(v[i]) + eps) * rect;
      }
      x[i] -= upd;
    }
  });
  EXPECT_GT(rectified, 0);
  EXPECT_LT(rectified, step);
}

TEST(Optim, UpdatesInPlaceUnderNoGradAndBumpsVersions) {
  Tensor p = param(kStart);
  Tensor alias = p.detach();  // shares p's storage
  SGD opt({p}, SGDOptions{.lr = 1.0});
  give_grad(p, {1, 1, 1});
  const int64_t v0 = p._version();
  opt.step();
  EXPECT_EQ(p._version(), v0 + 1);
  expect_values(alias, {0.0, -3.0, -0.5});
  EXPECT_TRUE(p.is_leaf());
  EXPECT_FALSE(p.grad_fn());

  // With nothing else holding the old values, the update reuses their buffers (in place, as torch).
  const void* buffer = p.mlx().data<void>();
  give_grad(p, {1, 1, 1});
  opt.step();
  EXPECT_EQ(p.mlx().data<void>(), buffer);
  expect_values(p, {-1.0, -4.0, -1.5});
  Tensor held = Tensor::from_mlx(p.mlx());  // now the old values must survive the next step
  give_grad(p, {1, 1, 1});
  opt.step();
  expect_values(held, {-1.0, -4.0, -1.5});
  expect_values(p, {-2.0, -5.0, -2.5});

  Tensor q = param(kStart);
  AdamW adamw({q});  // decoupled weight decay: torch's mul_ then addcdiv_
  give_grad(q, {1, 1, 1});
  const int64_t w0 = q._version();
  adamw.step();
  EXPECT_EQ(q._version(), w0 + 2);
}

TEST(Optim, ParamsWithoutGradAreSkippedAndGroupsKeepTheirOptions) {
  Tensor a = param({1, 2}), b = param({3, 4}), c = param({5});
  SGD opt(std::vector<ParamGroup>{ParamGroup({a, c}), ParamGroup({b}, {{"lr", 0.5}})}, SGDOptions{.lr = 0.1});
  give_grad(a, {1, 1});
  give_grad(b, {1, 1});
  opt.step();
  expect_values(a, {0.9, 1.9});
  expect_values(b, {2.5, 3.5});
  expect_values(c, {5});
  EXPECT_EQ(opt.param_groups()[1].options.number("lr"), 0.5);
  EXPECT_EQ(opt.param_groups()[1].options.number("momentum"), 0.0);  // filled from the defaults
  opt.param_groups()[0].options.set("lr", 1.0);                      // read at the next step
  opt.step();
  expect_values(a, {-0.1, 0.9});
}

TEST(Optim, ZeroGrad) {
  Tensor p = param({1, 2});
  SGD opt({p});
  give_grad(p, {3, 4});
  Tensor g = p.grad();
  opt.zero_grad(false);
  expect_values(p.grad(), {0, 0});
  expect_values(g, {0, 0});  // zeroed in place, as torch
  opt.zero_grad();
  EXPECT_FALSE(p.grad().defined());
}

TEST(Optim, StateDictLayoutAndResume) {
  auto run = [](Optimizer& opt, std::vector<Tensor>& ps, int from, int to) {
    for (int s = from; s < to; ++s) {
      for (size_t i = 0; i < ps.size(); ++i) give_grad(ps[i], {std::sin(s + 1.0 * i), std::cos(2.0 * s + i)});
      opt.step();
    }
  };
  auto make = [](std::vector<Tensor>& ps) {
    return std::make_unique<Adam>(std::vector<ParamGroup>{ParamGroup({ps[0]}), ParamGroup({ps[1]}, {{"lr", 0.1}})},
                                  AdamOptions{.lr = 0.01, .amsgrad = true});
  };
  std::vector<Tensor> full = {param({1, 2}), param({3, 4})};
  auto opt_full = make(full);
  run(*opt_full, full, 0, 7);

  std::vector<Tensor> first = {param({1, 2}), param({3, 4})};
  auto opt_first = make(first);
  run(*opt_first, first, 0, 4);
  StateDict sd = opt_first->state_dict();
  ASSERT_EQ(sd.state.size(), 2u);
  EXPECT_EQ(sd.state[1].first, 1);
  std::vector<std::string> keys;
  for (auto& [k, v] : sd.state[0].second) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}));
  EXPECT_EQ(sd.param_groups[1].number("lr"), 0.1);
  EXPECT_EQ(sd.param_groups[1].at("params").list()[0].to_int(), 1);
  EXPECT_EQ(sd.param_groups[0].at("betas").repr(), "[0.9, 0.999]");
  EXPECT_EQ((--sd.param_groups[0].end())->first, "params");  // params come last, as torch's pack_group

  std::vector<Tensor> resumed = {first[0].detach().clone().requires_grad_(),
                                 first[1].detach().clone().requires_grad_()};
  auto opt_resumed = make(resumed);
  opt_resumed->load_state_dict(sd);
  run(*opt_resumed, resumed, 4, 7);
  for (int i = 0; i < 2; ++i) EXPECT_TRUE(resumed[i].equal(full[i]));

  StateDict bad = sd;
  bad.param_groups.pop_back();
  expect_error_containing<ValueError>([&] { opt_resumed->load_state_dict(bad); },
                                      "loaded state dict has a different number of parameter groups");
}

TEST(Optim, ApplyGradientsMatchesStep) {
  Tensor a = param(kStart), b = param(kStart);
  RMSprop oa({a}), ob({b});
  for (const V& g : kGrads) {
    give_grad(a, g);
    oa.step();
    ob.apply_gradients({{tensor(g, std::nullopt, kFloat64)}});
  }
  EXPECT_TRUE(a.equal(b));
  EXPECT_FALSE(b.grad().defined());
}

TEST(Optim, BindsParametersLater) {
  Adam opt(Params{}, AdamOptions{.lr = 0.1});
  EXPECT_TRUE(opt.param_groups().empty());
  Tensor p = param({1});
  opt.add_param_group(ParamGroup({p}));
  give_grad(p, {2});
  opt.step();
  expect_values(p, {0.9}, 1e-9);  // Adam's first step moves by lr * sign(g)
}

TEST(Optim, Float32ParametersStayFloat32) {
  Tensor p = tensor({1.0f, 2.0f}).requires_grad_();
  Adam opt({p}, AdamOptions{.lr = 0.5});
  p.set_grad(tensor({1.0f, -1.0f}));
  opt.step();
  EXPECT_EQ(p.dtype(), kFloat32);
  EXPECT_EQ(opt.state(p).at("exp_avg").tensor().dtype(), kFloat32);
  EXPECT_EQ(opt.state(p).at("step").tensor().dtype(), kFloat32);
  expect_values(p, {0.5, 2.5}, 1e-6);
}

TEST(Optim, NonContiguousAndBroadcastGradients) {
  Tensor p = param({1, 2, 3, 4, 5, 6}).view({2, 3});
  p = p.detach().requires_grad_();
  SGD opt({p}, SGDOptions{.lr = 1.0});
  p.set_grad(tensor(V{1, 2, 3, 4, 5, 6}, Shape{3, 2}, kFloat64).t());  // transposed gradient
  opt.step();
  expect_values(p, {0, -1, -2, 2, 1, 0}, {2, 3});
  p.set_grad(full({2, 3}, 0.5, kFloat64));
  opt.step();
  expect_values(p, {-0.5, -1.5, -2.5, 1.5, 0.5, -0.5}, {2, 3});
}

// f(x) = 1/2 x^T A x - b^T x with A = [[3, 1], [1, 2]]: minimum at A^-1 b.
Tensor quadratic(const Tensor& x) {
  Tensor A = tensor(V{3, 1, 1, 2}, Shape{2, 2}, kFloat64), b = tensor(V{1, -1}, std::nullopt, kFloat64);
  return (x * A.mv(x)).sum() * 0.5 - (b * x).sum();
}

TEST(Optim, LBFGSConvergesOnAQuadratic) {
  for (const char* ls : {"", "strong_wolfe"}) {
    Tensor x = param({4, -3});
    LBFGS opt({x}, LBFGSOptions{.lr = 1, .max_iter = 50, .line_search_fn = ls});
    auto closure = [&] {
      opt.zero_grad();
      Tensor loss = quadratic(x);
      loss.backward();
      return loss;
    };
    Tensor first = opt.step(closure);
    EXPECT_NEAR(first.item<double>(), quadratic(tensor(V{4, -3}, std::nullopt, kFloat64)).item<double>(), 1e-12);
    expect_values(x, {0.6, -0.8}, 1e-6);
    const Dict& st = opt.state(x);
    EXPECT_GT(st.integer("func_evals"), 1);
    EXPECT_TRUE(st.at("d").is_tensor());
    EXPECT_TRUE(st.at("old_dirs").is_list());
  }
}

TEST(Optim, LBFGSNeedsAClosureAndOneGroup) {
  Tensor x = param({1});
  LBFGS opt({x});
  expect_error_containing<TypeError>([&] { opt.step(nullptr); }, "missing 1 required positional argument: 'closure'");
  Tensor y = param({1});
  expect_error_containing<ValueError>(
      [&] {
        LBFGS two(std::vector<ParamGroup>{ParamGroup({x}), ParamGroup({y})});
      },
      "LBFGS doesn't support per-parameter options (parameter groups)");
}

TEST(Optim, ErrorsAsTorch) {
  Tensor p = param({1});
  expect_error_containing<ValueError>([&] { SGD o({p}, SGDOptions{.lr = -0.1}); }, "Invalid learning rate: -0.1");
  expect_error_containing<ValueError>([&] { Adam o({p}, AdamOptions{.lr = -1}); }, "Invalid learning rate: -1.0");
  expect_error_containing<ValueError>(
      [&] {
        Adam o({p}, AdamOptions{.betas = {0.9, 1.0}});
      },
      "Invalid beta parameter at index 1: 1.0");
  expect_error_containing<ValueError>([&] { Adam o({p}, AdamOptions{.eps = -1e-8}); }, "Invalid epsilon value: -1e-08");
  expect_error_containing<ValueError>([&] { SGD o({p}, SGDOptions{.momentum = -1}); }, "Invalid momentum value: -1.0");
  expect_error_containing<ValueError>([&] { SGD o({p}, SGDOptions{.nesterov = true}); },
                                      "Nesterov momentum requires a momentum and zero dampening");
  expect_error_containing<ValueError>([&] { RMSprop o({p}, RMSpropOptions{.alpha = -1}); },
                                      "Invalid alpha value: -1.0");
  expect_error_containing<ValueError>([&] { Adadelta o({p}, AdadeltaOptions{.rho = 1.5}); }, "Invalid rho value: 1.5");
  expect_error_containing<ValueError>([&] { Adagrad o({p}, AdagradOptions{.lr_decay = -1}); },
                                      "Invalid lr_decay value: -1.0");
  expect_error_containing<ValueError>([&] { NAdam o({p}, NAdamOptions{.momentum_decay = -1}); },
                                      "Invalid momentum_decay value: -1.0");
  expect_error_containing<ValueError>([&] { SGD o(std::vector<Tensor>{}); }, "optimizer got an empty parameter list");
  Tensor nonleaf = p * 2.0;
  expect_error_containing<ValueError>([&] { SGD o({nonleaf}); }, "can't optimize a non-leaf Tensor");
  SGD o({p});
  expect_error_containing<ValueError>([&] { o.add_param_group(ParamGroup({p})); },
                                      "some parameters appear in more than one parameter group");
  expect_error_containing<Error>([&] { SGD d({p}, Dict{{"differentiable", true}}); }, "differentiable=True");
}

TEST(Optim, ValueReprIsPythons) {
  EXPECT_EQ(Value(1e-3).repr(), "0.001");
  EXPECT_EQ(Value(1e-8).repr(), "1e-08");
  EXPECT_EQ(Value(1.0).repr(), "1.0");
  EXPECT_EQ(Value(0.0001).repr(), "0.0001");
  EXPECT_EQ(Value(1e16).repr(), "1e+16");
  EXPECT_EQ(Value(123456.5).repr(), "123456.5");
  EXPECT_EQ(Value(3).repr(), "3");
  EXPECT_EQ(Value().repr(), "None");
  EXPECT_EQ(Value(Value::List{true, "x"}).repr(), "[True, 'x']");
}

}  // namespace
}  // namespace fl::test
