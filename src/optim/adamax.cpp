// torch.optim.Adamax as one fused pass per parameter over (param, grad, exp_avg, exp_inf).
#include "fl/optim/adamax.h"

#include <cmath>

#include "optim/optim_impl.h"

namespace fl::optim {
using namespace detail;

Dict AdamaxOptions::to_dict() const {
  return {{"lr", lr},
          {"betas", pair_value(betas)},
          {"eps", eps},
          {"weight_decay", weight_decay},
          {"foreach", Value()},
          {"maximize", maximize},
          {"differentiable", false},
          {"capturable", false}};
}

namespace {
Dict checked(const Dict& given) {
  Dict d = merged(AdamaxOptions{}.to_dict(), given);
  check_nonnegative(d, "lr", "Invalid learning rate");
  check_nonnegative(d, "eps", "Invalid epsilon value");
  check_betas(d);
  check_nonnegative(d, "weight_decay", "Invalid weight_decay value");
  check_supported(d);
  return d;
}

struct AdamaxKernel {
  double clr, beta1, beta2, eps, weight_decay;
  bool maximize;
  template <class T>
  void operator()(int64_t n, const T* const* in, T* const* out) const {
    const T *p = in[0], *g = in[1], *m = in[2], *u = in[3];
    T *po = out[0], *mo = out[1], *uo = out[2];
    const T wd = T(weight_decay), w1 = T(1 - beta1), b2 = T(beta2), e = T(eps), neg_clr = T(-clr);
    for (int64_t i = 0; i < n; ++i) {
      T d = maximize ? -g[i] : g[i];
      if (weight_decay != 0) d = d + wd * p[i];
      T mi = lerp(m[i], d, w1);
      T ui = nan_max(u[i] * b2, std::abs(d) + e);
      mo[i] = mi;
      uo[i] = ui;
      po[i] = p[i] + neg_clr * mi / ui;
    }
  }
};
}  // namespace

Adamax::Adamax(Params params, const AdamaxOptions& options) : Adamax(std::move(params), options.to_dict()) {}
Adamax::Adamax(Params params, const Dict& defaults) : Optimizer("Adamax", std::move(params), checked(defaults)) {}

void Adamax::update_group(ParamGroup& group, const std::vector<Tensor>& grads) {
  const Dict& o = group.options;
  auto [beta1, beta2] = betas(o);
  const double lr = o.number("lr");
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    Tensor& p = group.params[i];
    Dict& st = state(p);
    if (st.empty()) {
      st.set("step", scalar_state(0));
      st.set("exp_avg", zeros_state(p));
      st.set("exp_inf", zeros_state(p));
    }
    const double step = increment_step(st);
    AdamaxKernel k{
        lr / (1 - std::pow(beta1, step)), beta1, beta2, o.number("eps"), o.number("weight_decay"), o.flag("maximize")};
    run_update(kernels::make_kernel("AdamaxUpdate", k), p, grads[i],
               {&st.at("exp_avg").tensor(), &st.at("exp_inf").tensor()});
  }
}

}  // namespace fl::optim
