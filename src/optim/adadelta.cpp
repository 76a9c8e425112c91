// torch.optim.Adadelta as one fused pass per parameter over (param, grad, square_avg, acc_delta).
#include "fl/optim/adadelta.h"

#include <cmath>

#include "fl/error.h"
#include "optim/optim_impl.h"

namespace fl::optim {
using namespace detail;

Dict AdadeltaOptions::to_dict() const {
  return {{"lr", lr},
          {"rho", rho},
          {"eps", eps},
          {"weight_decay", weight_decay},
          {"maximize", maximize},
          {"capturable", false},
          {"foreach", Value()},
          {"differentiable", false}};
}

namespace {
Dict checked(const Dict& given) {
  Dict d = merged(AdadeltaOptions{}.to_dict(), given);
  check_nonnegative(d, "lr", "Invalid learning rate");
  const double rho = d.number("rho");
  FL_CHECK_VALUE(0.0 <= rho && rho <= 1.0, "Invalid rho value: ", d.at("rho").repr());
  check_nonnegative(d, "eps", "Invalid epsilon value");
  check_nonnegative(d, "weight_decay", "Invalid weight_decay value");
  check_supported(d);
  return d;
}

struct AdadeltaKernel {
  double lr, rho, eps, weight_decay;
  bool maximize;
  template <class T>
  void operator()(int64_t n, const T* const* in, T* const* out) const {
    const T *p = in[0], *g = in[1], *sa = in[2], *acc = in[3];
    T *po = out[0], *sao = out[1], *acco = out[2];
    const T wd = T(weight_decay), r = T(rho), w = T(1 - rho), e = T(eps), neg_lr = T(-lr);
    for (int64_t i = 0; i < n; ++i) {
      T d = maximize ? -g[i] : g[i];
      if (weight_decay != 0) d = d + wd * p[i];
      T s = sa[i] * r + w * d * d;
      T delta = std::sqrt(acc[i] + e) / std::sqrt(s + e) * d;
      sao[i] = s;
      acco[i] = acc[i] * r + w * delta * delta;
      po[i] = p[i] + neg_lr * delta;
    }
  }
};
}  // namespace

Adadelta::Adadelta(Params params, const AdadeltaOptions& options) : Adadelta(std::move(params), options.to_dict()) {}
Adadelta::Adadelta(Params params, const Dict& defaults) : Optimizer("Adadelta", std::move(params), checked(defaults)) {}

void Adadelta::update_group(ParamGroup& group, const std::vector<Tensor>& grads) {
  const Dict& o = group.options;
  AdadeltaKernel k{o.number("lr"), o.number("rho"), o.number("eps"), o.number("weight_decay"), o.flag("maximize")};
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    Tensor& p = group.params[i];
    Dict& st = state(p);
    if (st.empty()) {
      st.set("step", scalar_state(0));
      st.set("square_avg", zeros_state(p));
      st.set("acc_delta", zeros_state(p));
    }
    increment_step(st);
    run_update(kernels::make_kernel("AdadeltaUpdate", k), p, grads[i],
               {&st.at("square_avg").tensor(), &st.at("acc_delta").tensor()});
  }
}

}  // namespace fl::optim
