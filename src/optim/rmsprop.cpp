// torch.optim.RMSprop as one fused pass per parameter over (param, grad, square_avg[, momentum_buffer][, grad_avg]).
#include "fl/optim/rmsprop.h"

#include <cmath>

#include "optim/optim_impl.h"

namespace fl::optim {
using namespace detail;

Dict RMSpropOptions::to_dict() const {
  return {{"lr", lr},
          {"momentum", momentum},
          {"alpha", alpha},
          {"eps", eps},
          {"centered", centered},
          {"weight_decay", weight_decay},
          {"capturable", false},
          {"foreach", Value()},
          {"maximize", maximize},
          {"differentiable", false}};
}

namespace {
Dict checked(const Dict& given) {
  Dict d = merged(RMSpropOptions{}.to_dict(), given);
  check_nonnegative(d, "lr", "Invalid learning rate");
  check_nonnegative(d, "eps", "Invalid epsilon value");
  check_nonnegative(d, "momentum", "Invalid momentum value");
  check_nonnegative(d, "weight_decay", "Invalid weight_decay value");
  check_nonnegative(d, "alpha", "Invalid alpha value");
  check_supported(d);
  return d;
}

struct RmspropKernel {
  double lr, alpha, eps, weight_decay, momentum;
  bool centered, maximize;
  template <class T>
  void operator()(int64_t n, const T* const* in, T* const* out) const {
    const bool use_buf = momentum > 0;
    const int buf_at = 3, avg_at = use_buf ? 4 : 3;
    const T *p = in[0], *g = in[1], *sa = in[2], *buf = use_buf ? in[buf_at] : nullptr,
            *ga = centered ? in[avg_at] : nullptr;
    T *po = out[0], *sao = out[1], *bo = use_buf ? out[buf_at - 1] : nullptr,
      *gao = centered ? out[avg_at - 1] : nullptr;
    const T wd = T(weight_decay), a = T(alpha), w = T(1 - alpha), e = T(eps), mom = T(momentum), neg_lr = T(-lr);
    for (int64_t i = 0; i < n; ++i) {
      T d = maximize ? -g[i] : g[i];
      if (weight_decay != 0) d = d + wd * p[i];
      T s = sa[i] * a + w * d * d;
      sao[i] = s;
      T avg;
      if (centered) {
        T m = lerp(ga[i], d, w);
        gao[i] = m;
        avg = std::sqrt(s + T(-1) * m * m);
      } else {
        avg = std::sqrt(s);
      }
      avg = avg + e;
      if (use_buf) {
        T b = buf[i] * mom + d / avg;
        bo[i] = b;
        po[i] = p[i] + neg_lr * b;
      } else {
        po[i] = p[i] + neg_lr * d / avg;
      }
    }
  }
};
}  // namespace

RMSprop::RMSprop(Params params, const RMSpropOptions& options) : RMSprop(std::move(params), options.to_dict()) {}
RMSprop::RMSprop(Params params, const Dict& defaults) : Optimizer("RMSprop", std::move(params), checked(defaults)) {}

void RMSprop::update_group(ParamGroup& group, const std::vector<Tensor>& grads) {
  const Dict& o = group.options;
  RmspropKernel k{o.number("lr"),       o.number("alpha"),  o.number("eps"),   o.number("weight_decay"),
                  o.number("momentum"), o.flag("centered"), o.flag("maximize")};
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    Tensor& p = group.params[i];
    Dict& st = state(p);
    if (st.empty()) {
      st.set("step", scalar_state(0));
      st.set("square_avg", zeros_state(p));
    }
    if (k.momentum > 0 && !st.contains("momentum_buffer")) st.set("momentum_buffer", zeros_state(p));
    if (k.centered && !st.contains("grad_avg")) st.set("grad_avg", zeros_state(p));
    increment_step(st);
    std::vector<Tensor*> s{&st.at("square_avg").tensor()};
    if (k.momentum > 0) s.push_back(&st.at("momentum_buffer").tensor());
    if (k.centered) s.push_back(&st.at("grad_avg").tensor());
    run_update(kernels::make_kernel("RMSpropUpdate", k), p, grads[i], s);
  }
}

}  // namespace fl::optim
