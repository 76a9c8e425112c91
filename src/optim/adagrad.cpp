// torch.optim.Adagrad as one fused pass per parameter over (param, grad, sum).
#include "fl/optim/adagrad.h"

#include <cmath>

#include "optim/optim_impl.h"

namespace fl::optim {
using namespace detail;

Dict AdagradOptions::to_dict() const {
  return {{"lr", lr},
          {"lr_decay", lr_decay},
          {"eps", eps},
          {"weight_decay", weight_decay},
          {"initial_accumulator_value", initial_accumulator_value},
          {"foreach", Value()},
          {"maximize", maximize},
          {"differentiable", false},
          {"fused", Value()}};
}

namespace {
Dict checked(const Dict& given) {
  Dict d = merged(AdagradOptions{}.to_dict(), given);
  check_nonnegative(d, "lr", "Invalid learning rate");
  check_nonnegative(d, "lr_decay", "Invalid lr_decay value");
  check_nonnegative(d, "weight_decay", "Invalid weight_decay value");
  check_nonnegative(d, "initial_accumulator_value", "Invalid initial_accumulator_value value");
  check_nonnegative(d, "eps", "Invalid epsilon value");
  check_supported(d);
  return d;
}

struct AdagradKernel {
  double clr, eps, weight_decay;
  bool maximize;
  template <class T>
  void operator()(int64_t n, const T* const* in, T* const* out) const {
    const T *p = in[0], *g = in[1], *sum = in[2];
    T *po = out[0], *so = out[1];
    const T wd = T(weight_decay), e = T(eps), neg_clr = T(-clr);
    for (int64_t i = 0; i < n; ++i) {
      T d = maximize ? -g[i] : g[i];
      if (weight_decay != 0) d = d + wd * p[i];
      T s = sum[i] + d * d;
      so[i] = s;
      po[i] = p[i] + neg_clr * d / (std::sqrt(s) + e);
    }
  }
};

void init_state(Dict& st, const Tensor& p, double initial) {
  st.set("step", scalar_state(0));
  st.set("sum", full_state(p, initial));
}
}  // namespace

Adagrad::Adagrad(Params params, const AdagradOptions& options) : Adagrad(std::move(params), options.to_dict()) {}
Adagrad::Adagrad(Params params, const Dict& defaults) : Optimizer("Adagrad", std::move(params), checked(defaults)) {
  const double initial = this->defaults().number("initial_accumulator_value");
  for (auto& g : param_groups())
    for (auto& p : g.params) init_state(state(p), p, initial);
}

void Adagrad::update_group(ParamGroup& group, const std::vector<Tensor>& grads) {
  const Dict& o = group.options;
  const double lr = o.number("lr"), lr_decay = o.number("lr_decay");
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    Tensor& p = group.params[i];
    Dict& st = state(p);
    if (st.empty()) init_state(st, p, defaults().number("initial_accumulator_value"));
    const double step = increment_step(st);
    AdagradKernel k{lr / (1 + (step - 1) * lr_decay), o.number("eps"), o.number("weight_decay"), o.flag("maximize")};
    run_update(kernels::make_kernel("AdagradUpdate", k), p, grads[i], {&st.at("sum").tensor()});
  }
}

}  // namespace fl::optim
