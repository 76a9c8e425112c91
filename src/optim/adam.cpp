// torch.optim.Adam / AdamW as one fused pass per parameter over (param, grad, exp_avg, exp_avg_sq[, max_exp_avg_sq]).
#include "fl/optim/adam.h"

#include <cmath>
#include <type_traits>

#include "kernels/optim_update_simd.h"
#include "optim/optim_impl.h"

namespace fl::optim {
using namespace detail;

Dict AdamOptions::to_dict() const {
  return {{"lr", lr},
          {"betas", pair_value(betas)},
          {"eps", eps},
          {"weight_decay", weight_decay},
          {"amsgrad", amsgrad},
          {"maximize", maximize},
          {"foreach", Value()},
          {"capturable", false},
          {"differentiable", false},
          {"fused", Value()},
          {"decoupled_weight_decay", decoupled_weight_decay}};
}

namespace {
Dict checked(const Dict& base, const Dict& given) {
  Dict d = merged(base, given);
  check_nonnegative(d, "lr", "Invalid learning rate");
  check_nonnegative(d, "eps", "Invalid epsilon value");
  check_betas(d);
  check_nonnegative(d, "weight_decay", "Invalid weight_decay value");
  check_supported(d);
  return d;
}

// The vectorised kernel of the CPU's instruction set (kernels/optim_update_simd.h).
struct AdamKernel {
  kernels::simd::AdamArgs args;
  template <class T>
  void operator()(int64_t n, const T* const* in, T* const* out) const {
    const auto& k = kernels::simd::optim_isa();
    if constexpr (std::is_same_v<T, float>)
      k.adam_f32(args, static_cast<size_t>(n), in, out);
    else
      k.adam_f64(args, static_cast<size_t>(n), in, out);
  }
};
}  // namespace

Adam::Adam(Params params, const AdamOptions& options) : Adam(std::move(params), options.to_dict()) {}
Adam::Adam(Params params, const Dict& defaults)
    : Optimizer("Adam", std::move(params), checked(AdamOptions{}.to_dict(), defaults)) {}
Adam::Adam(const char* name, Params params, Dict defaults) : Optimizer(name, std::move(params), std::move(defaults)) {}

AdamW::AdamW(Params params, const AdamWOptions& options) : AdamW(std::move(params), options.to_dict()) {}
AdamW::AdamW(Params params, const Dict& defaults)
    : Adam("AdamW", std::move(params),
           checked(AdamWOptions{}.to_dict(), merged(defaults, {{"decoupled_weight_decay", true}}))) {}

void Adam::update_group(ParamGroup& group, const std::vector<Tensor>& grads) {
  const Dict& o = group.options;
  auto [beta1, beta2] = betas(o);
  const double lr = o.number("lr");
  const bool amsgrad = o.flag("amsgrad");
  const bool decoupled = o.flag("decoupled_weight_decay");
  const double wd = o.number("weight_decay");
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    Tensor& p = group.params[i];
    Dict& st = state(p);
    if (st.empty()) {
      st.set("step", scalar_state(0));
      st.set("exp_avg", zeros_state(p));
      st.set("exp_avg_sq", zeros_state(p));
    }
    if (amsgrad && !st.contains("max_exp_avg_sq")) st.set("max_exp_avg_sq", zeros_state(p));
    const double step = increment_step(st);
    const double bc1 = 1 - std::pow(beta1, step), bc2 = 1 - std::pow(beta2, step);
    AdamKernel k{
        {lr, beta1, beta2, o.number("eps"), wd, lr / bc1, std::pow(bc2, 0.5), amsgrad, o.flag("maximize"), decoupled}};
    std::vector<Tensor*> s{&st.at("exp_avg").tensor(), &st.at("exp_avg_sq").tensor()};
    if (amsgrad) s.push_back(&st.at("max_exp_avg_sq").tensor());
    run_update(kernels::make_kernel("AdamUpdate", k), p, grads[i], s, decoupled && wd != 0 ? 2 : 1);
  }
}

}  // namespace fl::optim
