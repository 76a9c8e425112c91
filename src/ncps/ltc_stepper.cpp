// LTCStepper: the LTC kernel's single step on caller-owned buffers. The weights are prepared once (positivity,
// sparse synapse lists); a step then touches only preallocated scratch.
#include <mlx/allocator.h>
#include <mlx/ops.h>
#include <mlx/transforms.h>

#include <cstring>
#include <variant>

#include "fl/error.h"
#include "fl/ncps/ltc.h"
#include "kernels/ltc_kernel.h"
#include "ncps/host_array.h"
#include "ncps/ltc_impl.h"
#include "ops/op_utils.h"

namespace fl::ncps {

namespace kl = kernels::ltc;

struct LTCStepper::Impl {
  LTCConfig config;
  detail::LTCSizes sizes{};
  int64_t batch = 1;
  bool mixed = false;
  Dtype dtype = kFloat32;
  std::variant<kl::Model<float>, kl::Model<double>> model;
  std::variant<kl::Workspace<float>, kl::Workspace<double>> ws;
  detail::OutputCache outputs;  // the Tensor steps'

  template <typename T>
  void build(const std::vector<Tensor>& params) {
    // Dense row-major float T copies of the parameter slots, alive while the model is built from them.
    std::vector<mx::array> dense;
    kl::Ptrs<T> p{};
    for (size_t i = 0; i < params.size(); ++i) dense.push_back(mx::contiguous(params[i].mlx()));
    mx::eval(dense);
    for (size_t i = 0; i < dense.size(); ++i) p[kl::kGleak + i] = dense[i].size() ? dense[i].data<T>() : nullptr;
    kl::Dims d;
    d.B = batch;
    d.L = 1;
    d.D = sizes.D;
    d.N = sizes.N;
    d.M = sizes.M;
    d.K = config.ode_unfolds;
    d.mixed = mixed;
    auto& m = model.template emplace<kl::Model<T>>();
    kl::build_model(m, d, config.epsilon, config.implicit_param_constraints, p);
    ws.template emplace<kl::Workspace<T>>().resize(m, batch, false);
  }

  void load(const LTCWeights& w, const LSTMMemoryWeights* memory) {
    NoGradGuard no_grad;
    auto params = detail::ltc_param_slots(w, memory, config, sizes, dtype);
    if (dtype == kFloat64)
      build<double>(params);
    else
      build<float>(params);
  }

  template <typename T>
  void run(const T* x, T* h, T* c, T dt, T* y) {
    FL_CHECK_TYPE(std::holds_alternative<kl::Model<T>>(model), "LTCStepper: the weights are ", dtype_name(dtype),
                  " but the buffers are ", std::is_same_v<T, float> ? "float32" : "float64");
    kl::step(std::get<kl::Model<T>>(model), std::get<kl::Workspace<T>>(ws), batch, x, h, c, dt, y);
  }
};

namespace {
Dtype stepper_dtype(const LTCWeights& w) {
  Dtype d = w.gleak.defined() ? w.gleak.dtype() : kFloat32;
  FL_CHECK_TYPE(d == kFloat32 || d == kFloat64, "LTCStepper: weights must be float32 or float64, got ", dtype_name(d));
  return d;
}
}  // namespace

LTCStepper::LTCStepper(const LTCWeights& weights, const LTCConfig& config, int64_t batch)
    : impl_(std::make_unique<Impl>()) {
  FL_CHECK_VALUE(batch >= 1, "LTCStepper: batch must be positive, got ", batch);
  impl_->config = config;
  impl_->sizes = detail::check_ltc_weights(weights, config);
  impl_->batch = batch;
  impl_->dtype = stepper_dtype(weights);
  impl_->load(weights, nullptr);
}

LTCStepper::LTCStepper(const LTCWeights& weights, const LSTMMemoryWeights& memory, const LTCConfig& config,
                       int64_t batch)
    : impl_(std::make_unique<Impl>()) {
  FL_CHECK_VALUE(batch >= 1, "LTCStepper: batch must be positive, got ", batch);
  impl_->config = config;
  impl_->sizes = detail::check_ltc_weights(weights, config);
  check_lstm_memory(memory, impl_->sizes.D, impl_->sizes.N, "LTCStepper");
  impl_->batch = batch;
  impl_->mixed = true;
  impl_->dtype = stepper_dtype(weights);
  impl_->load(weights, &memory);
}

LTCStepper::~LTCStepper() = default;
LTCStepper::LTCStepper(LTCStepper&&) noexcept = default;
LTCStepper& LTCStepper::operator=(LTCStepper&&) noexcept = default;

void LTCStepper::refresh(const LTCWeights& weights) {
  FL_CHECK(!impl_->mixed, "LTCStepper::refresh: this stepper has mixed memory; pass the LSTM weights too");
  auto s = detail::check_ltc_weights(weights, impl_->config);
  FL_CHECK(s.D == impl_->sizes.D && s.N == impl_->sizes.N && s.M == impl_->sizes.M,
           "LTCStepper::refresh: the weights' shapes changed");
  impl_->load(weights, nullptr);
}

void LTCStepper::refresh(const LTCWeights& weights, const LSTMMemoryWeights& memory) {
  FL_CHECK(impl_->mixed, "LTCStepper::refresh: this stepper has no mixed memory");
  auto s = detail::check_ltc_weights(weights, impl_->config);
  FL_CHECK(s.D == impl_->sizes.D && s.N == impl_->sizes.N && s.M == impl_->sizes.M,
           "LTCStepper::refresh: the weights' shapes changed");
  check_lstm_memory(memory, s.D, s.N, "LTCStepper::refresh");
  impl_->load(weights, &memory);
}

void LTCStepper::step(const float* x, float* state, float dt, float* y) {
  FL_CHECK(!impl_->mixed, "LTCStepper::step: this stepper has mixed memory; pass h and c");
  impl_->run<float>(x, state, nullptr, dt, y);
}
void LTCStepper::step(const double* x, double* state, double dt, double* y) {
  FL_CHECK(!impl_->mixed, "LTCStepper::step: this stepper has mixed memory; pass h and c");
  impl_->run<double>(x, state, nullptr, dt, y);
}
void LTCStepper::step(const float* x, float* h, float* c, float dt, float* y) {
  FL_CHECK(impl_->mixed, "LTCStepper::step: this stepper has no mixed memory; pass one state");
  impl_->run<float>(x, h, c, dt, y);
}
void LTCStepper::step(const double* x, double* h, double* c, double dt, double* y) {
  FL_CHECK(impl_->mixed, "LTCStepper::step: this stepper has no mixed memory; pass one state");
  impl_->run<double>(x, h, c, dt, y);
}

namespace {
// t's values as a dense evaluated array in dtype dt with shape `shape` (t may lack the batch dim when batch is 1):
// t's own buffer when it is one already.
mx::array dense_as(const Tensor& t, Dtype dt, const Shape& shape, const char* name) {
  int64_t n = 1;
  for (auto s : shape) n *= s;
  FL_CHECK(t.numel() == n && (t.sizes() == shape || (t.dim() == 1 && shape[0] == 1)), "LTCStepper::step: expected ",
           name, " of shape ", shape_to_string(shape), ", got ", shape_to_string(t.sizes()));
  return detail::host_array(t, dt);
}
}  // namespace

std::pair<Tensor, Tensor> LTCStepper::step(const Tensor& x, const Tensor& state, double dt) {
  FL_CHECK(!impl_->mixed, "LTCStepper::step: this stepper has mixed memory; pass h and c");
  const auto& s = impl_->sizes;
  const int64_t B = impl_->batch;
  const Dtype dt_ = impl_->dtype;
  mx::array xa = dense_as(x, dt_, {B, s.D}, "x");
  // The new state starts as a copy of the old (the step updates it in place), in the caller's shape.
  mx::array h = impl_->outputs.take(state.sizes(), dt_, dense_as(state, dt_, {B, s.N}, "state").data<void>());
  mx::array y = impl_->outputs.take(state.dim() == 1 ? Shape{s.M} : Shape{B, s.M}, dt_);
  if (dt_ == kFloat64)
    impl_->run<double>(xa.data<double>(), h.data<double>(), nullptr, dt, y.data<double>());
  else
    impl_->run<float>(xa.data<float>(), h.data<float>(), nullptr, static_cast<float>(dt), y.data<float>());
  return {Tensor::from_mlx(y), Tensor::from_mlx(h)};
}

std::tuple<Tensor, Tensor, Tensor> LTCStepper::step(const Tensor& x, const Tensor& h, const Tensor& c, double dt) {
  FL_CHECK(impl_->mixed, "LTCStepper::step: this stepper has no mixed memory; pass one state");
  const auto& s = impl_->sizes;
  const int64_t B = impl_->batch;
  const Dtype dt_ = impl_->dtype;
  mx::array xa = dense_as(x, dt_, {B, s.D}, "x");
  mx::array ha = impl_->outputs.take(h.sizes(), dt_, dense_as(h, dt_, {B, s.N}, "h").data<void>());
  mx::array ca = impl_->outputs.take(c.sizes(), dt_, dense_as(c, dt_, {B, s.N}, "c").data<void>());
  mx::array y = impl_->outputs.take(h.dim() == 1 ? Shape{s.M} : Shape{B, s.M}, dt_);
  if (dt_ == kFloat64)
    impl_->run<double>(xa.data<double>(), ha.data<double>(), ca.data<double>(), dt, y.data<double>());
  else
    impl_->run<float>(xa.data<float>(), ha.data<float>(), ca.data<float>(), static_cast<float>(dt), y.data<float>());
  return {Tensor::from_mlx(y), Tensor::from_mlx(ha), Tensor::from_mlx(ca)};
}

int64_t LTCStepper::batch() const { return impl_->batch; }
int64_t LTCStepper::input_size() const { return impl_->sizes.D; }
int64_t LTCStepper::state_size() const { return impl_->sizes.N; }
int64_t LTCStepper::output_size() const { return impl_->sizes.M; }
bool LTCStepper::mixed_memory() const { return impl_->mixed; }
Dtype LTCStepper::dtype() const { return impl_->dtype; }

}  // namespace fl::ncps
