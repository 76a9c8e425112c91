// torch.optim.NAdam as one fused pass per parameter over (param, grad, exp_avg, exp_avg_sq); mu_product is a scalar.
#include "fl/optim/nadam.h"

#include <mlx/ops.h>

#include <cmath>

#include "optim/optim_impl.h"

namespace fl::optim {
using namespace detail;

Dict NAdamOptions::to_dict() const {
  return {{"lr", lr},
          {"betas", pair_value(betas)},
          {"eps", eps},
          {"weight_decay", weight_decay},
          {"momentum_decay", momentum_decay},
          {"decoupled_weight_decay", decoupled_weight_decay},
          {"maximize", maximize},
          {"foreach", Value()},
          {"capturable", false},
          {"differentiable", false}};
}

namespace {
Dict checked(const Dict& given) {
  Dict d = merged(NAdamOptions{}.to_dict(), given);
  check_nonnegative(d, "lr", "Invalid learning rate");
  check_nonnegative(d, "eps", "Invalid epsilon value");
  check_betas(d);
  check_nonnegative(d, "weight_decay", "Invalid weight_decay value");
  check_nonnegative(d, "momentum_decay", "Invalid momentum_decay value");
  check_supported(d);
  return d;
}

// Two addcdiv's, as torch: param += c_grad * grad / denom, then param += c_avg * exp_avg / denom.
struct NadamKernel {
  double lr, beta1, beta2, eps, weight_decay, bias_correction2, c_grad, c_avg;
  bool maximize, decoupled;
  template <class T>
  void operator()(int64_t n, const T* const* in, T* const* out) const {
    const T *p = in[0], *g = in[1], *m = in[2], *v = in[3];
    T *po = out[0], *mo = out[1], *vo = out[2];
    const T wd = T(weight_decay), decay = T(1 - lr * weight_decay), w1 = T(1 - beta1), b2 = T(beta2), w2 = T(1 - beta2),
            bc2 = T(bias_correction2), e = T(eps), cg = T(c_grad), ca = T(c_avg);
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
      T denom = std::sqrt(vi / bc2) + e;
      pi = pi + cg * d / denom;
      po[i] = pi + ca * mi / denom;
      mo[i] = mi;
      vo[i] = vi;
    }
  }
};
}  // namespace

NAdam::NAdam(Params params, const NAdamOptions& options) : NAdam(std::move(params), options.to_dict()) {}
NAdam::NAdam(Params params, const Dict& defaults) : Optimizer("NAdam", std::move(params), checked(defaults)) {}

void NAdam::update_group(ParamGroup& group, const std::vector<Tensor>& grads) {
  const Dict& o = group.options;
  auto [beta1, beta2] = betas(o);
  const double lr = o.number("lr"), wd = o.number("weight_decay"), momentum_decay = o.number("momentum_decay");
  const bool decoupled = o.flag("decoupled_weight_decay");
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    Tensor& p = group.params[i];
    Dict& st = state(p);
    if (st.empty()) {
      st.set("step", scalar_state(0));
      st.set("mu_product", scalar_state(1));
      st.set("exp_avg", zeros_state(p));
      st.set("exp_avg_sq", zeros_state(p));
    }
    const double step = increment_step(st);
    const double mu = beta1 * (1.0 - 0.5 * std::pow(0.96, step * momentum_decay));
    const double mu_next = beta1 * (1.0 - 0.5 * std::pow(0.96, (step + 1) * momentum_decay));
    // mu_product is a 0-d tensor of the scalar dtype: `mu_product *= mu` rounds to it.
    Value& mpv = st["mu_product"];
    if (!mpv.is_tensor()) mpv = scalar_state(mpv.to_double());
    Tensor& mp = mpv.tensor();
    double mu_product = mp.item<double>() * mu;
    if (mp.dtype() == kFloat32) mu_product = static_cast<float>(mp.item<float>() * static_cast<float>(mu));
    write(mp, mlx::core::array(mu_product, to_mlx(mp.dtype())));
    const double c_grad = -lr * (1.0 - mu) / (1.0 - mu_product);
    const double c_avg = (-lr * mu_next) / (1.0 - mu_product * mu_next);
    NadamKernel k{
        lr, beta1, beta2, o.number("eps"), wd, 1 - std::pow(beta2, step), c_grad, c_avg, o.flag("maximize"), decoupled};
    run_update(kernels::make_kernel("NAdamUpdate", k), p, grads[i],
               {&st.at("exp_avg").tensor(), &st.at("exp_avg_sq").tensor()}, decoupled && wd != 0 ? 3 : 2);
  }
}

}  // namespace fl::optim
