// torch.optim.lr_scheduler's schedules for fl::optim optimizers (the recursive forms torch's step() uses, and the
// closed forms of step(epoch)).
#include "fl/optim/lr_scheduler.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "fl/autograd.h"
#include "fl/error.h"

namespace fl::optim {

namespace {
void set_lr(Dict& options, double lr) {
  Value& v = options["lr"];
  if (v.is_tensor()) {
    NoGradGuard no_grad;
    v.tensor().fill_(lr);
  } else {
    v = lr;
  }
}
Value::List list_of(const std::vector<double>& v) { return Value::List(v.begin(), v.end()); }
std::vector<double> doubles(const Value& v) {
  std::vector<double> out;
  for (auto& x : v.list()) out.push_back(x.to_double());
  return out;
}
}  // namespace

LRScheduler::LRScheduler(Optimizer& optimizer, int64_t last_epoch) : opt_(optimizer), last_epoch_(last_epoch) {
  auto& groups = opt_.param_groups();
  for (size_t i = 0; i < groups.size(); ++i) {
    Dict& o = groups[i].options;
    if (last_epoch == -1)
      o.setdefault("initial_lr", o.number("lr"));
    else
      FL_CHECK(o.contains("initial_lr"), "param 'initial_lr' is not specified in param_groups[", i,
               "] when resuming scheduler with last_epoch >= 0.");
    base_lrs_.push_back(o.number("initial_lr"));
  }
}

void LRScheduler::initial_step() {
  step_count_ = 0;
  is_initial_ = true;
  step();
  is_initial_ = false;
}

std::vector<double> LRScheduler::current_lrs() const {
  std::vector<double> out;
  for (auto& g : opt_.param_groups()) out.push_back(g.options.number("lr"));
  return out;
}

void LRScheduler::step() {
  ++step_count_;
  update_lr(std::nullopt);
}

void LRScheduler::step(int64_t epoch) {
  ++step_count_;
  update_lr(epoch);
}

void LRScheduler::update_lr(std::optional<int64_t> epoch) {
  std::vector<double> values;
  if (!epoch) {
    ++last_epoch_;
    values = get_lr();
  } else {
    last_epoch_ = *epoch;
    values = closed_form_lr();
  }
  auto& groups = opt_.param_groups();
  FL_CHECK(values.size() == groups.size(), "the optimizer's number of parameter groups changed");
  for (size_t i = 0; i < groups.size(); ++i) set_lr(groups[i].options, values[i]);
  last_lr_ = current_lrs();
}

Dict LRScheduler::state_dict() const {
  Dict d = own_state();
  d.set("base_lrs", list_of(base_lrs_));
  d.set("last_epoch", last_epoch_);
  d.set("_step_count", step_count_);
  d.set("_is_initial", is_initial_);
  d.set("_get_lr_called_within_step", false);
  d.set("_last_lr", list_of(last_lr_));
  return d;
}

void LRScheduler::load_state_dict(const Dict& s) {
  load_own_state(s);
  if (s.contains("base_lrs")) base_lrs_ = doubles(s.at("base_lrs"));
  if (s.contains("last_epoch")) last_epoch_ = s.integer("last_epoch");
  if (s.contains("_step_count")) step_count_ = s.integer("_step_count");
  if (s.contains("_last_lr")) last_lr_ = doubles(s.at("_last_lr"));
}

// --- StepLR ---------------------------------------------------------------------------------------------------
StepLR::StepLR(Optimizer& o, int64_t step_size, double gamma, int64_t last_epoch)
    : LRScheduler(o, last_epoch), step_size_(step_size), gamma_(gamma) {
  initial_step();
}
std::vector<double> StepLR::get_lr() {
  auto lrs = current_lrs();
  if (last_epoch_ == 0 || last_epoch_ % step_size_ != 0) return lrs;
  for (double& lr : lrs) lr *= gamma_;
  return lrs;
}
std::vector<double> StepLR::closed_form_lr() {
  std::vector<double> out;
  // Python's floor division.
  int64_t k = last_epoch_ / step_size_ - ((last_epoch_ % step_size_ != 0) && ((last_epoch_ < 0) != (step_size_ < 0)));
  for (double b : base_lrs_) out.push_back(b * std::pow(gamma_, static_cast<double>(k)));
  return out;
}
Dict StepLR::own_state() const { return {{"step_size", step_size_}, {"gamma", gamma_}}; }
void StepLR::load_own_state(const Dict& s) {
  if (s.contains("step_size")) step_size_ = s.integer("step_size");
  if (s.contains("gamma")) gamma_ = s.number("gamma");
}

// --- MultiStepLR ----------------------------------------------------------------------------------------------
MultiStepLR::MultiStepLR(Optimizer& o, std::vector<int64_t> milestones, double gamma, int64_t last_epoch)
    : LRScheduler(o, last_epoch), milestones_(std::move(milestones)), gamma_(gamma) {
  std::sort(milestones_.begin(), milestones_.end());
  initial_step();
}
std::vector<double> MultiStepLR::get_lr() {
  auto lrs = current_lrs();
  auto n = std::count(milestones_.begin(), milestones_.end(), last_epoch_);
  if (n == 0) return lrs;
  for (double& lr : lrs) lr *= std::pow(gamma_, static_cast<double>(n));
  return lrs;
}
std::vector<double> MultiStepLR::closed_form_lr() {
  auto k = std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) - milestones_.begin();
  std::vector<double> out;
  for (double b : base_lrs_) out.push_back(b * std::pow(gamma_, static_cast<double>(k)));
  return out;
}
Dict MultiStepLR::own_state() const {
  // torch keeps a Counter {milestone: count}.
  Dict counts;
  for (int64_t m : milestones_) {
    std::string key = std::to_string(m);
    counts.set(key, counts.contains(key) ? counts.integer(key) + 1 : 1);
  }
  return {{"milestones", counts}, {"gamma", gamma_}};
}
void MultiStepLR::load_own_state(const Dict& s) {
  if (s.contains("milestones")) {
    milestones_.clear();
    for (auto& [k, n] : s.at("milestones").dict())
      for (int64_t i = 0; i < n.to_int(); ++i) milestones_.push_back(std::stoll(k));
    std::sort(milestones_.begin(), milestones_.end());
  }
  if (s.contains("gamma")) gamma_ = s.number("gamma");
}

// --- ConstantLR -----------------------------------------------------------------------------------------------
ConstantLR::ConstantLR(Optimizer& o, double factor, int64_t total_iters, int64_t last_epoch)
    : LRScheduler(o, last_epoch), factor_(factor), total_iters_(total_iters) {
  FL_CHECK_VALUE(factor >= 0 && factor <= 1.0, "Constant multiplicative factor expected to be between 0 and 1.");
  initial_step();
}
std::vector<double> ConstantLR::get_lr() {
  auto lrs = current_lrs();
  if (last_epoch_ == 0)
    for (double& lr : lrs) lr *= factor_;
  else if (last_epoch_ == total_iters_)
    for (double& lr : lrs) lr *= 1.0 / factor_;
  return lrs;
}
std::vector<double> ConstantLR::closed_form_lr() {
  std::vector<double> out;
  for (double b : base_lrs_) out.push_back(b * (factor_ + (last_epoch_ >= total_iters_) * (1 - factor_)));
  return out;
}
Dict ConstantLR::own_state() const { return {{"factor", factor_}, {"total_iters", total_iters_}}; }
void ConstantLR::load_own_state(const Dict& s) {
  if (s.contains("factor")) factor_ = s.number("factor");
  if (s.contains("total_iters")) total_iters_ = s.integer("total_iters");
}

// --- LinearLR -------------------------------------------------------------------------------------------------
LinearLR::LinearLR(Optimizer& o, double start_factor, double end_factor, int64_t total_iters, int64_t last_epoch)
    : LRScheduler(o, last_epoch), start_factor_(start_factor), end_factor_(end_factor), total_iters_(total_iters) {
  FL_CHECK_VALUE(start_factor <= 1.0 && start_factor > 0,
                 "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
  FL_CHECK_VALUE(end_factor <= 1.0 && end_factor >= 0, "Ending multiplicative factor expected to be between 0 and 1.");
  initial_step();
}
std::vector<double> LinearLR::get_lr() {
  auto lrs = current_lrs();
  if (last_epoch_ == 0) {
    for (double& lr : lrs) lr *= start_factor_;
    return lrs;
  }
  if (is_initial_ || last_epoch_ > total_iters_) return lrs;
  const double span = end_factor_ - start_factor_;
  const double ratio = 1.0 + span / (total_iters_ * start_factor_ + (last_epoch_ - 1) * span);
  for (double& lr : lrs) lr *= ratio;
  return lrs;
}
std::vector<double> LinearLR::closed_form_lr() {
  std::vector<double> out;
  for (double b : base_lrs_)
    out.push_back(b * (start_factor_ + (end_factor_ - start_factor_) *
                                           static_cast<double>(std::min(total_iters_, last_epoch_)) / total_iters_));
  return out;
}
Dict LinearLR::own_state() const {
  return {{"start_factor", start_factor_}, {"end_factor", end_factor_}, {"total_iters", total_iters_}};
}
void LinearLR::load_own_state(const Dict& s) {
  if (s.contains("start_factor")) start_factor_ = s.number("start_factor");
  if (s.contains("end_factor")) end_factor_ = s.number("end_factor");
  if (s.contains("total_iters")) total_iters_ = s.integer("total_iters");
}

// --- ExponentialLR --------------------------------------------------------------------------------------------
ExponentialLR::ExponentialLR(Optimizer& o, double gamma, int64_t last_epoch)
    : LRScheduler(o, last_epoch), gamma_(gamma) {
  initial_step();
}
std::vector<double> ExponentialLR::get_lr() {
  auto lrs = current_lrs();
  if (!is_initial_)
    for (double& lr : lrs) lr *= gamma_;
  return lrs;
}
std::vector<double> ExponentialLR::closed_form_lr() {
  std::vector<double> out;
  for (double b : base_lrs_) out.push_back(b * std::pow(gamma_, static_cast<double>(last_epoch_)));
  return out;
}
Dict ExponentialLR::own_state() const { return {{"gamma", gamma_}}; }
void ExponentialLR::load_own_state(const Dict& s) {
  if (s.contains("gamma")) gamma_ = s.number("gamma");
}

// --- PolynomialLR ---------------------------------------------------------------------------------------------
PolynomialLR::PolynomialLR(Optimizer& o, int64_t total_iters, double power, int64_t last_epoch)
    : LRScheduler(o, last_epoch), total_iters_(total_iters), power_(power) {
  initial_step();
}
std::vector<double> PolynomialLR::get_lr() {
  auto lrs = current_lrs();
  if (is_initial_ || last_epoch_ > total_iters_) return lrs;
  const double t = static_cast<double>(total_iters_), e = static_cast<double>(last_epoch_);
  const double decay = std::pow((1.0 - e / t) / (1.0 - (e - 1) / t), power_);
  for (double& lr : lrs) lr *= decay;
  return lrs;
}
std::vector<double> PolynomialLR::closed_form_lr() {
  std::vector<double> out;
  const double t = static_cast<double>(total_iters_);
  for (double b : base_lrs_) out.push_back(b * std::pow(1.0 - std::min(total_iters_, last_epoch_) / t, power_));
  return out;
}
Dict PolynomialLR::own_state() const { return {{"total_iters", total_iters_}, {"power", power_}}; }
void PolynomialLR::load_own_state(const Dict& s) {
  if (s.contains("total_iters")) total_iters_ = s.integer("total_iters");
  if (s.contains("power")) power_ = s.number("power");
}

// --- CosineAnnealingLR ----------------------------------------------------------------------------------------
CosineAnnealingLR::CosineAnnealingLR(Optimizer& o, int64_t T_max, double eta_min, int64_t last_epoch)
    : LRScheduler(o, last_epoch), T_max_(T_max), eta_min_(eta_min) {
  initial_step();
}
std::vector<double> CosineAnnealingLR::get_lr() {
  constexpr double pi = std::numbers::pi;
  auto lrs = current_lrs();
  const double e = static_cast<double>(last_epoch_), T = static_cast<double>(T_max_);
  if (is_initial_) return lrs;
  if (step_count_ == 1 && last_epoch_ > 0) {
    for (size_t i = 0; i < lrs.size(); ++i)
      lrs[i] = eta_min_ + (base_lrs_[i] - eta_min_) * (1 + std::cos(e * pi / T)) / 2;
    return lrs;
  }
  // Python's modulo: (e - 1 - T) % 2T == 0 marks the restart of the cosine's rising half.
  const int64_t period = 2 * T_max_;
  if (((last_epoch_ - 1 - T_max_) % period + period) % period == 0) {
    for (size_t i = 0; i < lrs.size(); ++i) lrs[i] = lrs[i] + (base_lrs_[i] - eta_min_) * (1 - std::cos(pi / T)) / 2;
    return lrs;
  }
  for (double& lr : lrs)
    lr = (1 + std::cos(pi * e / T)) / (1 + std::cos(pi * (e - 1) / T)) * (lr - eta_min_) + eta_min_;
  return lrs;
}
std::vector<double> CosineAnnealingLR::closed_form_lr() {
  std::vector<double> out;
  const double e = static_cast<double>(last_epoch_), T = static_cast<double>(T_max_);
  for (double b : base_lrs_) out.push_back(eta_min_ + (b - eta_min_) * (1 + std::cos(std::numbers::pi * e / T)) / 2);
  return out;
}
Dict CosineAnnealingLR::own_state() const { return {{"T_max", T_max_}, {"eta_min", eta_min_}}; }
void CosineAnnealingLR::load_own_state(const Dict& s) {
  if (s.contains("T_max")) T_max_ = s.integer("T_max");
  if (s.contains("eta_min")) eta_min_ = s.number("eta_min");
}

// --- LambdaLR -------------------------------------------------------------------------------------------------
LambdaLR::LambdaLR(Optimizer& o, Fn lr_lambda, int64_t last_epoch)
    : LambdaLR(o, std::vector<Fn>(o.param_groups().size(), lr_lambda), last_epoch) {}
LambdaLR::LambdaLR(Optimizer& o, std::vector<Fn> lr_lambdas, int64_t last_epoch)
    : LRScheduler(o, last_epoch), lr_lambdas_(std::move(lr_lambdas)) {
  FL_CHECK_VALUE(lr_lambdas_.size() == o.param_groups().size(), "Expected ", o.param_groups().size(),
                 " lr_lambdas, but got ", lr_lambdas_.size());
  initial_step();
}
std::vector<double> LambdaLR::get_lr() {
  std::vector<double> out;
  for (size_t i = 0; i < base_lrs_.size(); ++i) out.push_back(base_lrs_[i] * lr_lambdas_[i](last_epoch_));
  return out;
}

// --- ReduceLROnPlateau ----------------------------------------------------------------------------------------
ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, Options options) : opt_(optimizer), o_(std::move(options)) {
  FL_CHECK_VALUE(o_.factor < 1.0, "Factor should be < 1.0.");
  const size_t n = opt_.param_groups().size();
  if (!o_.min_lrs.empty()) {
    FL_CHECK_VALUE(o_.min_lrs.size() == n, "expected ", n, " min_lrs, got ", o_.min_lrs.size());
    min_lrs_ = o_.min_lrs;
  } else {
    min_lrs_.assign(n, o_.min_lr);
  }
  FL_CHECK_VALUE(o_.mode == "min" || o_.mode == "max", "mode ", o_.mode, " is unknown!");
  FL_CHECK_VALUE(o_.threshold_mode == "rel" || o_.threshold_mode == "abs", "threshold mode ", o_.threshold_mode,
                 " is unknown!");
  for (auto& g : opt_.param_groups()) last_lr_.push_back(g.options.number("lr"));
  best_ = o_.mode == "min" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
}

bool ReduceLROnPlateau::is_better(double a) const {
  if (o_.mode == "min") return o_.threshold_mode == "rel" ? a < best_ * (1.0 - o_.threshold) : a < best_ - o_.threshold;
  return o_.threshold_mode == "rel" ? a > best_ * (o_.threshold + 1.0) : a > best_ + o_.threshold;
}

void ReduceLROnPlateau::step(double metric) {
  ++last_epoch_;
  if (is_better(metric)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;  // bad epochs in cooldown do not count
  }
  auto& groups = opt_.param_groups();
  if (num_bad_epochs_ > o_.patience) {
    if (min_lrs_.size() != groups.size()) {
      FL_CHECK(o_.min_lrs.empty(), "The number of param groups in the `optimizer` (", groups.size(),
               ") differs from when `ReduceLROnPlateau` was initialized (", min_lrs_.size(), ")");
      min_lrs_.assign(groups.size(), o_.min_lr);
    }
    for (size_t i = 0; i < groups.size(); ++i) {
      const double old_lr = groups[i].options.number("lr");
      const double new_lr = std::max(old_lr * o_.factor, min_lrs_[i]);
      if (old_lr - new_lr > o_.eps) set_lr(groups[i].options, new_lr);
    }
    cooldown_counter_ = o_.cooldown;
    num_bad_epochs_ = 0;
  }
  last_lr_.clear();
  for (auto& g : groups) last_lr_.push_back(g.options.number("lr"));
}

Dict ReduceLROnPlateau::state_dict() const {
  return {{"factor", o_.factor},
          {"default_min_lr", o_.min_lrs.empty() ? Value(o_.min_lr) : Value()},
          {"min_lrs", list_of(min_lrs_)},
          {"patience", o_.patience},
          {"cooldown", o_.cooldown},
          {"eps", o_.eps},
          {"last_epoch", last_epoch_},
          {"_last_lr", list_of(last_lr_)},
          {"mode_worse",
           o_.mode == "min" ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity()},
          {"mode", o_.mode},
          {"threshold", o_.threshold},
          {"threshold_mode", o_.threshold_mode},
          {"best", best_},
          {"cooldown_counter", cooldown_counter_},
          {"num_bad_epochs", num_bad_epochs_}};
}

void ReduceLROnPlateau::load_state_dict(const Dict& s) {
  if (s.contains("factor")) o_.factor = s.number("factor");
  if (s.contains("min_lrs")) min_lrs_ = doubles(s.at("min_lrs"));
  if (s.contains("patience")) o_.patience = s.integer("patience");
  if (s.contains("cooldown")) o_.cooldown = s.integer("cooldown");
  if (s.contains("eps")) o_.eps = s.number("eps");
  if (s.contains("last_epoch")) last_epoch_ = s.integer("last_epoch");
  if (s.contains("_last_lr")) last_lr_ = doubles(s.at("_last_lr"));
  if (s.contains("mode")) o_.mode = s.at("mode").str();
  if (s.contains("threshold")) o_.threshold = s.number("threshold");
  if (s.contains("threshold_mode")) o_.threshold_mode = s.at("threshold_mode").str();
  if (s.contains("best")) best_ = s.number("best");
  if (s.contains("cooldown_counter")) cooldown_counter_ = s.integer("cooldown_counter");
  if (s.contains("num_bad_epochs")) num_bad_epochs_ = s.integer("num_bad_epochs");
}

}  // namespace fl::optim
