// torch.optim.lr_scheduler in C++: schedulers that write each group's "lr" option of an fl::optim::Optimizer, step
// for step as torch's (its chainable recursive forms; its closed forms for step(epoch)), with torch's state_dict
// fields. Python's flashlight.optim.lr_scheduler has the full set for Python optimizers.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fl/optim/optimizer.h"

namespace fl::optim {

/// torch.optim.lr_scheduler.LRScheduler: the base of the epoch-based schedulers; the constructor takes a first step.
class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  /// One epoch: the next learning rates, written into the optimizer's groups.
  virtual void step();
  /// torch's deprecated step(epoch): last_epoch = epoch, learning rates from the closed form.
  void step(int64_t epoch);
  /// The learning rates the last step set.
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  /// Each group's initial_lr, the rates the schedule scales.
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  /// torch's last_epoch: the epoch of the last step (the constructor's step makes -1 into 0).
  int64_t last_epoch() const { return last_epoch_; }
  /// The optimizer whose groups it writes.
  Optimizer& optimizer() { return opt_; }
  /// torch's state_dict: the scheduler's own fields, then base_lrs, last_epoch, _step_count, _is_initial,
  /// _get_lr_called_within_step and _last_lr.
  Dict state_dict() const;
  /// Restores the fields state_dict() saved (keys it lacks are left as they are).
  void load_state_dict(const Dict& state);

 protected:
  /// Sets each group's initial_lr (last_epoch -1) or requires it (resuming), as torch's constructor.
  LRScheduler(Optimizer& optimizer, int64_t last_epoch);
  /// Subclass constructors end with this: torch's base constructor takes a first step.
  void initial_step();
  /// The chainable form: the next rates from the current ones.
  virtual std::vector<double> get_lr() = 0;
  /// The closed form at last_epoch (torch falls back to get_lr() where it has none).
  virtual std::vector<double> closed_form_lr() { return get_lr(); }
  /// The scheduler's own fields for state_dict, in torch's order, and their loading.
  virtual Dict own_state() const { return {}; }
  virtual void load_own_state(const Dict&) {}
  std::vector<double> current_lrs() const;
  void update_lr(std::optional<int64_t> epoch);

  Optimizer& opt_;
  std::vector<double> base_lrs_, last_lr_;
  int64_t last_epoch_;
  int64_t step_count_ = 0;
  bool is_initial_ = false;
};

/// lr *= gamma every step_size epochs.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;
  Dict own_state() const override;
  void load_own_state(const Dict& s) override;

 private:
  int64_t step_size_;
  double gamma_;
};

/// lr *= gamma at each milestone (gamma^k for a milestone listed k times).
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;
  Dict own_state() const override;
  void load_own_state(const Dict& s) override;

 private:
  std::vector<int64_t> milestones_;  // sorted, repeats kept
  double gamma_;
};

/// lr * factor until total_iters, then lr.
class ConstantLR : public LRScheduler {
 public:
  ConstantLR(Optimizer& optimizer, double factor = 1.0 / 3, int64_t total_iters = 5, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;
  Dict own_state() const override;
  void load_own_state(const Dict& s) override;

 private:
  double factor_;
  int64_t total_iters_;
};

/// lr scaled by a factor moving linearly from start_factor to end_factor over total_iters epochs.
class LinearLR : public LRScheduler {
 public:
  LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int64_t total_iters = 5,
           int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;
  Dict own_state() const override;
  void load_own_state(const Dict& s) override;

 private:
  double start_factor_, end_factor_;
  int64_t total_iters_;
};

/// lr *= gamma every epoch.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;
  Dict own_state() const override;
  void load_own_state(const Dict& s) override;

 private:
  double gamma_;
};

/// lr = initial_lr (1 - epoch / total_iters)^power.
class PolynomialLR : public LRScheduler {
 public:
  PolynomialLR(Optimizer& optimizer, int64_t total_iters = 5, double power = 1.0, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;
  Dict own_state() const override;
  void load_own_state(const Dict& s) override;

 private:
  int64_t total_iters_;
  double power_;
};

/// Cosine annealing to eta_min over T_max epochs, in torch's recursive form.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0.0, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;
  std::vector<double> closed_form_lr() override;
  Dict own_state() const override;
  void load_own_state(const Dict& s) override;

 private:
  int64_t T_max_;
  double eta_min_;
};

/// lr = initial_lr * lr_lambda(epoch) (one function for every group, or one per group).
class LambdaLR : public LRScheduler {
 public:
  using Fn = std::function<double(int64_t)>;
  LambdaLR(Optimizer& optimizer, Fn lr_lambda, int64_t last_epoch = -1);
  LambdaLR(Optimizer& optimizer, std::vector<Fn> lr_lambdas, int64_t last_epoch = -1);

 protected:
  std::vector<double> get_lr() override;

 private:
  std::vector<Fn> lr_lambdas_;
};

/// torch.optim.lr_scheduler.ReduceLROnPlateau: multiplies each group's lr by `factor` (not below its min_lr) once
/// the metric given to step(metric) has not improved for more than `patience` epochs.
class ReduceLROnPlateau {
 public:
  /// The constructor's arguments, with torch's defaults.
  struct Options {
    std::string mode = "min";  // or "max"
    double factor = 0.1;
    int64_t patience = 10;
    double threshold = 1e-4;
    std::string threshold_mode = "rel";  // or "abs"
    int64_t cooldown = 0;
    std::vector<double> min_lrs = {};  // one per group; empty: min_lr for all
    double min_lr = 0;
    double eps = 1e-8;
  };
  explicit ReduceLROnPlateau(Optimizer& optimizer, Options options);
  explicit ReduceLROnPlateau(Optimizer& optimizer) : ReduceLROnPlateau(optimizer, Options()) {}
  /// One epoch with its metric: counts bad epochs, reduces the rates and starts a cooldown past patience.
  void step(double metric);
  /// The learning rates after the last step.
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  /// Epochs without improvement since the best one or the last reduction (cooldown epochs do not count).
  int64_t num_bad_epochs() const { return num_bad_epochs_; }
  /// The best metric seen (by mode and threshold).
  double best() const { return best_; }
  /// torch's fields (factor, min_lrs, patience, cooldown, eps, last_epoch, _last_lr, mode, threshold, ...).
  Dict state_dict() const;
  /// Restores the fields state_dict() saved.
  void load_state_dict(const Dict& state);

 private:
  bool is_better(double a) const;
  Optimizer& opt_;
  Options o_;
  std::vector<double> min_lrs_, last_lr_;
  int64_t last_epoch_ = 0, cooldown_counter_ = 0, num_bad_epochs_ = 0;
  double best_;
};

}  // namespace fl::optim
