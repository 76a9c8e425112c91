// torch.optim.RAdam as one fused pass per parameter over (param, grad, exp_avg, exp_avg_sq).
#include "fl/optim/radam.h"

#include <cmath>

#include "optim/optim_impl.h"

namespace fl::optim {
using namespace detail;

Dict RAdamOptions::to_dict() const {
  return {{"lr", lr},
          {"betas", pair_value(betas)},
          {"eps", eps},
          {"weight_decay", weight_decay},
          {"maximize", maximize},
          {"foreach", Value()},
          {"capturable", false},
          {"decoupled_weight_decay", decoupled_weight_decay},
          {"differentiable", false}};
}

namespace {
Dict checked(const Dict& given) {
  Dict d = merged(RAdamOptions{}.to_dict(), given);
  check_nonnegative(d, "lr", "Invalid learning rate");
  check_nonnegative(d, "eps", "Invalid epsilon value");
  check_betas(d);
  check_nonnegative(d, "weight_decay", "Invalid weight_decay value");
  check_supported(d);
  return d;
}

// The rectified step when the variance is tractable (rect > 0), else the bias-corrected momentum step.
struct RadamKernel {
  double lr, beta1, beta2, eps, weight_decay, bias_correction1, bias_correction2_sqrt, rect;
  bool rectified, maximize, decoupled;
  template <class T>
  void operator()(int64_t n, const T* const* in, T* const* out) const {
    const T *p = in[0], *g = in[1], *m = in[2], *v = in[3];
    T *po = out[0], *mo = out[1], *vo = out[2];
    const T wd = T(weight_decay), decay = T(1 - lr * weight_decay), w1 = T(1 - beta1), b2 = T(beta2), w2 = T(1 - beta2),
            bc1 = T(bias_correction1), bc2s = T(bias_correction2_sqrt), e = T(eps), l = T(lr), r = T(rect);
    for (int64_t i = 0; i < n; ++i) {
      T pi = p[i], d = maximize ? -g[i] : g[i];
      if (weight_decay != 0) {
        if (decoupled)
          pi = pi * decay;
        else
          d = d + wd * pi;
      }
      T mi = lerp(m[i], d, w1);
      T vi = v[i] * b2 + w2 * d * d;
      T upd = mi / bc1 * l;
      if (rectified) upd = upd * (bc2s / (std::sqrt(vi) + e)) * r;
      po[i] = pi - upd;
      mo[i] = mi;
      vo[i] = vi;
    }
  }
};
}  // namespace

RAdam::RAdam(Params params, const RAdamOptions& options) : RAdam(std::move(params), options.to_dict()) {}
RAdam::RAdam(Params params, const Dict& defaults) : Optimizer("RAdam", std::move(params), checked(defaults)) {}

void RAdam::update_group(ParamGroup& group, const std::vector<Tensor>& grads) {
  const Dict& o = group.options;
  auto [beta1, beta2] = betas(o);
  const double lr = o.number("lr"), wd = o.number("weight_decay");
  const bool decoupled = o.flag("decoupled_weight_decay");
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    Tensor& p = group.params[i];
    Dict& st = state(p);
    if (st.empty()) {
      st.set("step", scalar_state(0));
      st.set("exp_avg", zeros_state(p));
      st.set("exp_avg_sq", zeros_state(p));
    }
    const double step = increment_step(st);
    const double bc1 = 1 - std::pow(beta1, step), bc2 = 1 - std::pow(beta2, step);
    const double rho_inf = 2 / (1 - beta2) - 1;
    const double rho_t = rho_inf - 2 * step * std::pow(beta2, step) / bc2;
    const bool rectified = rho_t > 5.0;
    const double rect =
        rectified ? std::pow((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t), 0.5) : 0;
    RadamKernel k{
        lr, beta1, beta2, o.number("eps"), wd, bc1, std::pow(bc2, 0.5), rect, rectified, o.flag("maximize"), decoupled};
    run_update(kernels::make_kernel("RAdamUpdate", k), p, grads[i],
               {&st.at("exp_avg").tensor(), &st.at("exp_avg_sq").tensor()}, decoupled && wd != 0 ? 2 : 1);
  }
}

}  // namespace fl::optim
