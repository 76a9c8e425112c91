// Shared internals of the optimizers (see optim_impl.h).
#include "optim/optim_impl.h"

#include <mlx/ops.h>

#include "core/autograd_impl.h"
#include "fl/autograd.h"
#include "fl/error.h"

namespace fl::optim::detail {
namespace mx = mlx::core;

void check_nonnegative(const Dict& defaults, const char* key, const char* what) {
  const Value& v = defaults.at(key);
  FL_CHECK_VALUE(v.to_double() >= 0.0, what, ": ", v.repr());
}

void check_betas(const Dict& defaults) {
  const Value& b = defaults.at("betas");
  FL_CHECK_TYPE(b.is_list() && b.list().size() == 2, "betas must be a pair of floats");
  for (int i = 0; i < 2; ++i) {
    double x = b.list()[i].to_double();
    FL_CHECK_VALUE(0.0 <= x && x < 1.0, "Invalid beta parameter at index ", i, ": ", b.list()[i].repr());
  }
}

void check_supported(const Dict& defaults) {
  if (defaults.contains("differentiable")) {
    FL_CHECK(!defaults.flag("differentiable"),
             "differentiable=True is not supported: Flashlight's optimizers update parameters in fused kernels "
             "that autograd does not record");
  }
}

std::pair<double, double> betas(const Dict& options) {
  const Value::List& b = options.at("betas").list();
  FL_CHECK_VALUE(b.size() == 2, "betas must have two values");
  return {b[0].to_double(), b[1].to_double()};
}

Dict merged(Dict base, const Dict& given) {
  for (auto& [k, v] : given) base.set(k, v);
  return base;
}

Value pair_value(const std::pair<double, double>& p) { return Value::List{p.first, p.second}; }

Dtype scalar_dtype() { return get_default_dtype() == kFloat64 ? kFloat64 : kFloat32; }

Tensor scalar_state(double value) { return Tensor::from_mlx(mx::array(value, to_mlx(scalar_dtype()))); }

Tensor zeros_state(const Tensor& param) {
  return Tensor::from_mlx(mx::zeros(param.mlx().shape(), to_mlx(param.dtype())));
}

Tensor full_state(const Tensor& param, double value) {
  return Tensor::from_mlx(mx::full(param.mlx().shape(), mx::array(value, to_mlx(param.dtype()))));
}

double increment_step(Dict& state) {
  Value& v = state["step"];
  if (!v.is_tensor()) v = scalar_state(v.is_none() ? 0.0 : v.to_double());  // created, or loaded as a number
  Tensor& t = v.tensor();
  double next = t.item<double>() + 1;
  if (t.dtype() == kFloat32) next = static_cast<float>(next);  // the count as the step tensor holds it
  write(t, mx::array(next, to_mlx(t.dtype())));
  return next;
}

void write(Tensor& t, const mx::array& value, int bumps) {
  NoGradGuard no_grad;
  apply_inplace("OptimizerStep", t, [value](const std::vector<mx::array>&) { return std::vector<mx::array>{value}; },
                {});
  t.impl()->storage->version += bumps - 1;
}

namespace {
thread_local UpdateBatch* active_batch = nullptr;

kernels::Update update_of(const std::shared_ptr<const kernels::UpdateKernel>& kernel, const Tensor& param,
                          const Tensor& grad, const std::vector<Tensor*>& state) {
  kernels::Update u{kernel, {param.mlx(), grad.mlx()}, static_cast<int>(state.size()) + 1, {0}};
  for (Tensor* s : state) {  // the new param may reuse the old one's buffer, each state likewise
    u.donors.push_back(static_cast<int>(u.inputs.size()));
    u.inputs.push_back(s->mlx());
  }
  return u;
}

void write_back(const std::vector<mx::array>& outs, Tensor& param, const std::vector<Tensor*>& state, int bumps) {
  write(param, outs[0], bumps);
  for (size_t i = 0; i < state.size(); ++i) write(*state[i], outs[i + 1]);
}
}  // namespace

void run_update(const std::shared_ptr<const kernels::UpdateKernel>& kernel, Tensor& param, const Tensor& grad,
                const std::vector<Tensor*>& state, int param_bumps) {
  if (UpdateBatch* b = active_batch) {
    // A parameter listed twice (torch warns, then updates it twice) sees its first update.
    for (const auto& p : b->pending_)
      if (p.param.impl() == param.impl()) {
        b->run();
        break;
      }
    std::vector<Tensor> st;
    for (Tensor* s : state) st.push_back(*s);
    b->pending_.push_back({kernel, param, grad, std::move(st), param_bumps});
    return;
  }
  std::vector<kernels::Update> one;
  one.push_back(update_of(kernel, param, grad, state));
  write_back(kernels::fused_updates(std::move(one))[0], param, state, param_bumps);
}

UpdateBatch::UpdateBatch() : outer_(active_batch) { active_batch = this; }
UpdateBatch::~UpdateBatch() { active_batch = outer_; }

void UpdateBatch::run() {
  std::vector<Pending> pending = std::move(pending_);
  pending_.clear();
  std::vector<kernels::Update> updates;
  std::vector<std::vector<Tensor*>> states(pending.size());
  for (size_t i = 0; i < pending.size(); ++i) {
    for (Tensor& s : pending[i].state) states[i].push_back(&s);
    updates.push_back(update_of(pending[i].kernel, pending[i].param, pending[i].grad, states[i]));
  }
  auto outs = kernels::fused_updates(std::move(updates));
  for (size_t i = 0; i < pending.size(); ++i) write_back(outs[i], pending[i].param, states[i], pending[i].param_bumps);
}

}  // namespace fl::optim::detail
