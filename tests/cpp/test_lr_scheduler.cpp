// fl::optim schedulers: the recursive step() forms against each schedule's closed form over 50 epochs, step(epoch),
// ReduceLROnPlateau on a metric sequence, and state_dict round trips.
#include <cmath>
#include <numbers>

#include "fl/optim/lr_scheduler.h"
#include "fl/optim/sgd.h"
#include "test_util.h"

namespace fl::test {
namespace {
using namespace fl::optim;

struct TwoGroups {
  Tensor a = tensor({1.0}).requires_grad_(), b = tensor({2.0}).requires_grad_();
  SGD opt{std::vector<ParamGroup>{ParamGroup({a}), ParamGroup({b}, {{"lr", 0.5}})}, SGDOptions{.lr = 0.1}};
};

// Steps `s` 50 times; after each step every group's lr (and get_last_lr) equals closed(base, epoch).
template <typename F>
void expect_schedule(LRScheduler& s, Optimizer& opt, F closed) {
  const std::vector<double> base = {0.1, 0.5};
  for (int e = 0; e <= 50; ++e) {
    if (e > 0) s.step();
    ASSERT_EQ(s.last_epoch(), e);
    for (size_t g = 0; g < 2; ++g) {
      const double want = closed(base[g], e);
      EXPECT_NEAR(opt.param_groups()[g].options.number("lr"), want, 1e-12 * std::max(1.0, std::fabs(want)))
          << "epoch " << e << " group " << g;
      EXPECT_EQ(s.get_last_lr()[g], opt.param_groups()[g].options.number("lr"));
    }
  }
}

TEST(LRScheduler, StepLR) {
  TwoGroups t;
  StepLR s(t.opt, 3, 0.5);
  expect_schedule(s, t.opt, [](double b, int e) { return b * std::pow(0.5, e / 3); });
  EXPECT_EQ(t.opt.param_groups()[1].options.number("initial_lr"), 0.5);
}

TEST(LRScheduler, MultiStepLR) {
  TwoGroups t;
  MultiStepLR s(t.opt, {10, 5, 10}, 0.1);
  expect_schedule(s, t.opt, [](double b, int e) { return b * std::pow(0.1, (e >= 5) + 2 * (e >= 10)); });
}

TEST(LRScheduler, ExponentialLR) {
  TwoGroups t;
  ExponentialLR s(t.opt, 0.9);
  expect_schedule(s, t.opt, [](double b, int e) { return b * std::pow(0.9, e); });
}

TEST(LRScheduler, CosineAnnealingLRRecursiveFormFollowsTheCosine) {
  TwoGroups t;
  CosineAnnealingLR s(t.opt, 10, 0.01);
  // Past T_max the recursive form keeps following the cosine (it rises again), as torch's.
  expect_schedule(s, t.opt,
                  [](double b, int e) { return 0.01 + (b - 0.01) * (1 + std::cos(std::numbers::pi * e / 10)) / 2; });
}

TEST(LRScheduler, LinearConstantPolynomialLambda) {
  {
    TwoGroups t;
    LinearLR s(t.opt, 0.25, 1.0, 8);
    expect_schedule(s, t.opt, [](double b, int e) { return b * (0.25 + 0.75 * std::min(8, e) / 8.0); });
  }
  {
    TwoGroups t;
    ConstantLR s(t.opt, 0.5, 4);
    expect_schedule(s, t.opt, [](double b, int e) { return b * (e < 4 ? 0.5 : 1.0); });
  }
  {
    TwoGroups t;
    PolynomialLR s(t.opt, 10, 2.0);
    expect_schedule(s, t.opt, [](double b, int e) { return b * std::pow(1.0 - std::min(10, e) / 10.0, 2.0); });
  }
  {
    TwoGroups t;
    LambdaLR s(t.opt, [](int64_t e) { return 1.0 / (1 + e); });
    expect_schedule(s, t.opt, [](double b, int e) { return b / (1 + e); });
  }
}

TEST(LRScheduler, StepWithEpochUsesTheClosedForm) {
  TwoGroups t;
  CosineAnnealingLR s(t.opt, 10, 0.0);
  s.step(int64_t{7});
  EXPECT_EQ(s.last_epoch(), 7);
  EXPECT_NEAR(s.get_last_lr()[1], 0.5 * (1 + std::cos(std::numbers::pi * 0.7)) / 2, 1e-15);
  TwoGroups u;
  StepLR st(u.opt, 3, 0.5);
  st.step(int64_t{7});
  EXPECT_NEAR(st.get_last_lr()[0], 0.1 * 0.25, 1e-15);
}

TEST(LRScheduler, StateDictRoundTrip) {
  TwoGroups t;
  CosineAnnealingLR s(t.opt, 12, 0.001);
  for (int i = 0; i < 5; ++i) s.step();
  Dict sd = s.state_dict();
  std::vector<std::string> keys;
  for (auto& [k, v] : sd) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"T_max", "eta_min", "base_lrs", "last_epoch", "_step_count", "_is_initial",
                                            "_get_lr_called_within_step", "_last_lr"}));
  EXPECT_EQ(sd.integer("last_epoch"), 5);
  EXPECT_EQ(sd.integer("_step_count"), 6);
  TwoGroups u;
  CosineAnnealingLR r(u.opt, 3);
  r.load_state_dict(sd);
  for (size_t g = 0; g < 2; ++g)  // the optimizer's own state_dict carries the lrs
    u.opt.param_groups()[g].options.set("lr", t.opt.param_groups()[g].options.at("lr"));
  for (int i = 0; i < 20; ++i) {
    s.step();
    r.step();
    EXPECT_EQ(r.get_last_lr(), s.get_last_lr());
  }
}

TEST(LRScheduler, ReduceLROnPlateau) {
  TwoGroups t;
  ReduceLROnPlateau s(t.opt, {.factor = 0.5, .patience = 2, .cooldown = 1, .min_lrs = {0.02, 0.3}});
  // Three epochs without a 1e-4 relative improvement (> patience 2) halve the lr; the cooldown epoch after it
  // ignores a bad epoch; group 0's last reduction stops at its min_lr 0.02.
  const std::vector<double> metrics = {1.0, 1.0, 1.1, 0.99995, 1.2, 1.3, 1.4, 1.5, 0.5, 0.6, 0.7, 0.8, 0.9};
  const std::vector<double> lr0 = {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.025, 0.02, 0.02};
  for (size_t i = 0; i < metrics.size(); ++i) {
    s.step(metrics[i]);
    EXPECT_NEAR(s.get_last_lr()[0], lr0[i], 1e-15) << "epoch " << i + 1;
    EXPECT_GE(s.get_last_lr()[1], 0.3);
  }
  EXPECT_EQ(s.best(), 0.5);
  Dict sd = s.state_dict();
  EXPECT_EQ(sd.integer("last_epoch"), 13);
  EXPECT_EQ(sd.at("mode").str(), "min");
  ReduceLROnPlateau r(t.opt);
  r.load_state_dict(sd);
  EXPECT_EQ(r.best(), 0.5);
  EXPECT_EQ(r.num_bad_epochs(), s.num_bad_epochs());
  expect_error_containing<ValueError>([&] { ReduceLROnPlateau bad(t.opt, {.factor = 1.0}); },
                                      "Factor should be < 1.0.");
}

TEST(LRScheduler, Errors) {
  TwoGroups t;
  expect_error_containing<ValueError>([&] { LinearLR s(t.opt, 0.0); },
                                      "Starting multiplicative factor expected to be greater than 0");
  expect_error_containing<ValueError>([&] { ConstantLR s(t.opt, 2.0); },
                                      "Constant multiplicative factor expected to be between 0 and 1.");
  TwoGroups u;
  expect_error_containing<Error>([&] { StepLR s(u.opt, 3, 0.1, 4); }, "param 'initial_lr' is not specified");
}

}  // namespace
}  // namespace fl::test
