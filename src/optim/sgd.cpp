// torch.optim.SGD as one fused pass per parameter over (param, grad, momentum_buffer).
#include "fl/optim/sgd.h"

#include <type_traits>

#include "fl/error.h"
#include "kernels/optim_update_simd.h"
#include "optim/optim_impl.h"

namespace fl::optim {
using namespace detail;

Dict SGDOptions::to_dict() const {
  return {{"lr", lr},
          {"momentum", momentum},
          {"dampening", dampening},
          {"weight_decay", weight_decay},
          {"nesterov", nesterov},
          {"maximize", maximize},
          {"foreach", Value()},
          {"differentiable", false},
          {"fused", Value()}};
}

namespace {
Dict checked(const Dict& given) {
  Dict d = merged(SGDOptions{}.to_dict(), given);
  check_nonnegative(d, "lr", "Invalid learning rate");
  check_nonnegative(d, "momentum", "Invalid momentum value");
  check_nonnegative(d, "weight_decay", "Invalid weight_decay value");
  FL_CHECK_VALUE(!d.flag("nesterov") || (d.number("momentum") > 0 && d.number("dampening") == 0),
                 "Nesterov momentum requires a momentum and zero dampening");
  check_supported(d);
  return d;
}

// grad (+ weight decay) -> momentum buffer (the gradient itself on the first step) -> param -= lr * direction, in
// the vectorised kernel of the CPU's instruction set (kernels/optim_update_simd.h).
struct SgdKernel {
  kernels::simd::SgdArgs args;
  template <class T>
  void operator()(int64_t n, const T* const* in, T* const* out) const {
    const auto& k = kernels::simd::optim_isa();
    if constexpr (std::is_same_v<T, float>)
      k.sgd_f32(args, static_cast<size_t>(n), in, out);
    else
      k.sgd_f64(args, static_cast<size_t>(n), in, out);
  }
};
}  // namespace

SGD::SGD(Params params, const SGDOptions& options) : SGD(std::move(params), options.to_dict()) {}
SGD::SGD(Params params, const Dict& defaults) : Optimizer("SGD", std::move(params), checked(defaults)) {}

void SGD::update_group(ParamGroup& group, const std::vector<Tensor>& grads) {
  const Dict& o = group.options;
  SgdKernel k{{o.number("lr"), o.number("momentum"), o.number("dampening"), o.number("weight_decay"),
               o.flag("nesterov"), o.flag("maximize"), false}};
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!grads[i].defined()) continue;
    Tensor& p = group.params[i];
    if (k.args.momentum == 0) {
      run_update(kernels::make_kernel("SGDUpdate", k), p, grads[i], {});
      continue;
    }
    Dict& st = state(p);
    k.args.first = !st.contains("momentum_buffer") || st.at("momentum_buffer").is_none();
    if (k.args.first) st.set("momentum_buffer", zeros_state(p));
    run_update(kernels::make_kernel("SGDUpdate", k), p, grads[i], {&st.at("momentum_buffer").tensor()});
  }
}

}  // namespace fl::optim
