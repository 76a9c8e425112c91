// The LTC cell and sequence: weight checks, the reference composition of one step (core ops; the oracle of the
// fused op and its path off the CPU), and the fused sequence op (one autograd node over the primitive of
// kernels/ltc_primitive.cpp).
#include "fl/ncps/ltc.h"

#include "fl/autograd.h"
#include "fl/error.h"
#include "fl/ops/binary.h"
#include "fl/ops/creation.h"
#include "fl/ops/reduction.h"
#include "fl/ops/shape.h"
#include "fl/ops/unary.h"
#include "fl/registry.h"
#include "kernels/ltc_kernel.h"
#include "kernels/ltc_op.h"
#include "ncps/ltc_impl.h"
#include "ops/op_utils.h"

namespace fl::ncps {

LTCMapping ltc_mapping_from_string(const std::optional<std::string>& name) {
  if (name == "affine") return LTCMapping::Affine;
  if (name == "linear") return LTCMapping::Linear;
  return LTCMapping::None;
}

namespace {
// ncps's names of LTCCell's parameters and buffers, in its registration order.
// clang-format off
constexpr std::pair<const char*, Tensor LTCWeights::*> kLTCFields[] = {
    {"gleak", &LTCWeights::gleak}, {"vleak", &LTCWeights::vleak}, {"cm", &LTCWeights::cm},
    {"sigma", &LTCWeights::sigma}, {"mu", &LTCWeights::mu}, {"w", &LTCWeights::w}, {"erev", &LTCWeights::erev},
    {"sensory_sigma", &LTCWeights::sensory_sigma}, {"sensory_mu", &LTCWeights::sensory_mu},
    {"sensory_w", &LTCWeights::sensory_w}, {"sensory_erev", &LTCWeights::sensory_erev},
    {"sparsity_mask", &LTCWeights::sparsity_mask}, {"sensory_sparsity_mask", &LTCWeights::sensory_sparsity_mask},
    {"input_w", &LTCWeights::input_w}, {"input_b", &LTCWeights::input_b},
    {"output_w", &LTCWeights::output_w}, {"output_b", &LTCWeights::output_b}};
// clang-format on
}  // namespace

const std::vector<std::string>& LTCWeights::names() {
  static const std::vector<std::string> n = [] {
    std::vector<std::string> v;
    for (auto& f : kLTCFields) v.emplace_back(f.first);
    return v;
  }();
  return n;
}

Tensor* LTCWeights::find(const std::string& name) {
  for (auto& [n, member] : kLTCFields)
    if (name == n) return &(this->*member);
  return nullptr;
}

std::vector<std::pair<std::string, Tensor>> LTCWeights::named() const {
  std::vector<std::pair<std::string, Tensor>> out;
  for (auto& [n, member] : kLTCFields)
    if ((this->*member).defined()) out.emplace_back(n, this->*member);
  return out;
}

void ltc_apply_weight_constraints(LTCWeights& weights) {
  NoGradGuard no_grad;
  for (Tensor* t : {&weights.w, &weights.sensory_w, &weights.cm, &weights.gleak}) {
    if (!t->defined()) continue;
    Tensor d = t->data();
    d.clamp_(0.0);
  }
}

namespace detail {

namespace {
bool has_w(LTCMapping m) { return m != LTCMapping::None; }
bool has_b(LTCMapping m) { return m == LTCMapping::Affine; }

// Masks may be of any dtype (a wiring's int32 |adjacency| works as it is); parameters must be floating point.
void expect_shape(const Tensor& t, const char* name, const Shape& shape, bool floating = true) {
  FL_CHECK(t.defined(), "ltc: the weight ", name, " is missing");
  FL_CHECK(t.sizes() == shape, "ltc: ", name, " must have shape ", shape_to_string(shape), ", got ",
           shape_to_string(t.sizes()));
  FL_CHECK_TYPE(!floating || t.is_floating_point(), "ltc: ", name, " must be a floating-point tensor, got ",
                scalar_type_name(t.dtype()));
}
}  // namespace

LTCSizes check_ltc_weights(const LTCWeights& w, const LTCConfig& c) {
  FL_CHECK(w.gleak.defined() && w.gleak.dim() == 1, "ltc: gleak must be a 1-D tensor of the units");
  FL_CHECK(w.sensory_mu.defined() && w.sensory_mu.dim() == 2, "ltc: sensory_mu must be a 2-D tensor (input, units)");
  FL_CHECK_VALUE(c.ode_unfolds >= 0, "ltc: ode_unfolds must be non-negative, got ", c.ode_unfolds);
  const int64_t N = w.gleak.size(0), D = w.sensory_mu.size(0);
  for (auto& [t, name] : {std::pair{&w.gleak, "gleak"}, {&w.vleak, "vleak"}, {&w.cm, "cm"}})
    expect_shape(*t, name, {N});
  for (auto& [t, name] : {std::pair{&w.sigma, "sigma"}, {&w.mu, "mu"}, {&w.w, "w"}, {&w.erev, "erev"}})
    expect_shape(*t, name, {N, N});
  for (auto& [t, name] : {std::pair{&w.sensory_sigma, "sensory_sigma"},
                          {&w.sensory_mu, "sensory_mu"},
                          {&w.sensory_w, "sensory_w"},
                          {&w.sensory_erev, "sensory_erev"}})
    expect_shape(*t, name, {D, N});
  expect_shape(w.sparsity_mask, "sparsity_mask", {N, N}, false);
  expect_shape(w.sensory_sparsity_mask, "sensory_sparsity_mask", {D, N}, false);
  if (has_w(c.input_mapping)) expect_shape(w.input_w, "input_w", {D});
  if (has_b(c.input_mapping)) expect_shape(w.input_b, "input_b", {D});
  int64_t M = c.motor_size.value_or(has_w(c.output_mapping) && w.output_w.defined() ? w.output_w.numel() : N);
  FL_CHECK_VALUE(M >= 1 && M <= N, "ltc: motor_size must be in [1, ", N, "], got ", M);
  if (has_w(c.output_mapping)) expect_shape(w.output_w, "output_w", {M});
  if (has_b(c.output_mapping)) expect_shape(w.output_b, "output_b", {M});
  return {D, N, M};
}

std::vector<Tensor> ltc_param_slots(const LTCWeights& w, const LSTMMemoryWeights* memory, const LTCConfig& c,
                                    const LTCSizes& s, Dtype dt) {
  auto opt = TensorOptions(dt);
  auto as = [dt](const Tensor& t) { return t.to(dt); };
  auto or_fill = [&](bool present, const Tensor& t, int64_t n, double v) {
    return present ? as(t) : full({n}, v, opt);
  };
  std::vector<Tensor> p = {as(w.gleak),
                           as(w.vleak),
                           as(w.cm),
                           as(w.sigma),
                           as(w.mu),
                           as(w.w),
                           as(w.erev),
                           as(w.sensory_sigma),
                           as(w.sensory_mu),
                           as(w.sensory_w),
                           as(w.sensory_erev),
                           as(w.sparsity_mask.detach()),
                           as(w.sensory_sparsity_mask.detach())};
  p.push_back(or_fill(has_w(c.input_mapping), w.input_w, s.D, 1.0));
  p.push_back(or_fill(has_b(c.input_mapping), w.input_b, s.D, 0.0));
  p.push_back(or_fill(has_w(c.output_mapping), w.output_w, s.M, 1.0));
  p.push_back(or_fill(has_b(c.output_mapping), w.output_b, s.M, 0.0));
  if (memory) {
    for (const Tensor* t : {&memory->input_map_weight, &memory->input_map_bias, &memory->recurrent_map_weight})
      p.push_back(as(*t));
  } else {
    for (int i = 0; i < 3; ++i) p.push_back(empty({0}, opt));
  }
  return p;
}

}  // namespace detail

namespace {
using detail::LTCSizes;

Tensor pos(const Tensor& t, const LTCConfig& c) { return c.implicit_param_constraints ? softplus(t) : t; }

// ncps's LTCCell._sigmoid: σ(sigma (v[..., None] - mu)), v (B, n_pre) -> (B, n_pre, N).
Tensor synapse_sigmoid(const Tensor& v, const Tensor& mu, const Tensor& sigma) {
  return sigmoid(sigma * (v.unsqueeze(-1) - mu));
}

// The elapsed time as something that broadcasts against (B, N): a scalar, or (B, 1) from (B).
Tensor elapsed_column(const Tensor& elapsed) { return elapsed.dim() == 1 ? elapsed.unsqueeze(1) : elapsed; }

// Timespans as (B, L): (B, L, 1) is squeezed and anything else broadcast.
Tensor normalize_timespans(const Tensor& ts, int64_t B, int64_t L) {
  if (!ts.defined()) return ts;
  Tensor t = ts.dim() == 3 && ts.size(2) == 1 ? ts.squeeze(2) : ts;
  FL_CHECK(t.dim() <= 2, "ltc_sequence: timespans must have shape (batch, length) or (batch, length, 1), got ",
           shape_to_string(ts.sizes()));
  return t.expand({B, L});
}

bool fused_available(const Tensor& input, Dtype dt, const LTCConfig& c) {
  return c.fused && input.device().type() == DeviceType::CPU && (dt == kFloat32 || dt == kFloat64);
}

Dtype common_dtype(const std::vector<Tensor>& ts) {
  std::optional<Dtype> d;
  for (auto& t : ts)
    if (t.defined()) d = d ? promote_types(*d, t.dtype()) : t.dtype();
  return float_result(d.value_or(get_default_dtype()));
}

LTCSequenceOutput run_sequence(const Tensor& input, const Tensor& h0_in, const Tensor& c0_in, const Tensor& ts_in,
                               const LTCWeights& w, const LSTMMemoryWeights* memory, const LTCConfig& c) {
  const LTCSizes s = detail::check_ltc_weights(w, c);
  if (memory) check_lstm_memory(*memory, s.D, s.N, "ltc");
  FL_CHECK(input.defined() && input.dim() == 3, "ltc_sequence: expected input of shape (batch, length, ", s.D,
           "), got ", input.defined() ? shape_to_string(input.sizes()) : "None");
  FL_CHECK(input.size(2) == s.D, "ltc_sequence: input has ", input.size(2), " features but the cell expects ", s.D);
  const int64_t B = input.size(0), L = input.size(1), N = s.N;
  const Shape state_shape{B, N};
  for (auto& [t, name] : {std::pair{&h0_in, "h0"}, {&c0_in, "c0"}})
    FL_CHECK(!t->defined() || t->sizes() == state_shape, "ltc_sequence: ", name, " must have shape ",
             shape_to_string(state_shape), ", got ", shape_to_string(t->sizes()));
  const Tensor ts = normalize_timespans(ts_in, B, L);

  std::vector<Tensor> all = {input, h0_in, c0_in, ts};
  for (auto& [name, t] : w.named()) all.push_back(t);
  if (memory)
    for (auto& [name, t] : memory->named()) all.push_back(t);
  const Dtype dt = common_dtype(all);
  const auto opt = TensorOptions(dt);
  Tensor h = h0_in.defined() ? h0_in : zeros({B, N}, opt);
  Tensor cs = memory ? (c0_in.defined() ? c0_in : zeros({B, N}, opt)) : Tensor();

  if (fused_available(input, dt, c)) {
    std::vector<Tensor> in = {input.to(dt), h.to(dt), memory ? cs.to(dt) : empty({0}, opt),
                              ts.defined() ? ts.to(dt) : ones({B, L}, opt)};
    auto params = detail::ltc_param_slots(w, memory, c, s, dt);
    in.insert(in.end(), params.begin(), params.end());
    kernels::ltc::OpConfig oc{c.ode_unfolds, c.epsilon, c.implicit_param_constraints, memory != nullptr, s.M};
    // When autograd will record the op, its backward reuses this forward's tape (see TapeMemo).
    bool needs_grad = false;
    for (auto& t : in) needs_grad |= t.requires_grad();
    auto memo = needs_grad && is_recording_grad() ? std::make_shared<kernels::ltc::TapeMemo>() : nullptr;
    auto outs = apply_op(
        "LTCSequenceBackward", [oc, memo](const Arrays& a) { return kernels::ltc::sequence(a, oc, memo); }, in,
        kSaveAll);
    return {outs[0], outs[1], memory ? outs[2] : Tensor()};
  }

  // The reference composition, step by step as ncps's LTC.forward (with per-sample timespans).
  std::vector<Tensor> ys;
  for (int64_t t = 0; t < L; ++t) {
    Tensor x = input.select(1, t);
    if (memory) std::tie(h, cs) = lstm_memory_step(x, h, cs, *memory);
    Tensor y;
    std::tie(y, h) = ltc_cell_step(x, h, w, c, ts.defined() ? ts.select(1, t) : Tensor());
    ys.push_back(y);
  }
  Tensor out = L > 0 ? stack(ys, 1) : zeros({B, 0, s.M}, opt);
  return {out, h, cs};
}

}  // namespace

std::pair<Tensor, Tensor> ltc_cell_step(const Tensor& input, const Tensor& state, const LTCWeights& w,
                                        const LTCConfig& c, const Tensor& elapsed_time) {
  const LTCSizes s = detail::check_ltc_weights(w, c);
  FL_CHECK(input.dim() == 2 && input.size(1) == s.D, "ltc_cell_step: expected input of shape (batch, ", s.D, "), got ",
           shape_to_string(input.sizes()));
  FL_CHECK(state.dim() == 2 && state.size(1) == s.N && state.size(0) == input.size(0),
           "ltc_cell_step: expected state of shape ", shape_to_string({input.size(0), s.N}), ", got ",
           shape_to_string(state.sizes()));
  // _map_inputs
  Tensor x = input;
  if (c.input_mapping != LTCMapping::None) x = x * w.input_w;
  if (c.input_mapping == LTCMapping::Affine) x = x + w.input_b;
  // _ode_solver: sensory terms once, then ode_unfolds fused semi-implicit Euler steps.
  Tensor sensory_act = pos(w.sensory_w, c) * synapse_sigmoid(x, w.sensory_mu, w.sensory_sigma);
  sensory_act = sensory_act * w.sensory_sparsity_mask.detach();
  Tensor sensory_num = (sensory_act * w.sensory_erev).sum({1});
  Tensor sensory_den = sensory_act.sum({1});
  const double K = static_cast<double>(c.ode_unfolds);
  Tensor cm_t = elapsed_time.defined() ? pos(w.cm, c) / (elapsed_column(elapsed_time) / K) : pos(w.cm, c) / (1.0 / K);
  Tensor w_param = pos(w.w, c);
  Tensor gleak = pos(w.gleak, c);
  Tensor v = state;
  for (int64_t k = 0; k < c.ode_unfolds; ++k) {
    Tensor act = w_param * synapse_sigmoid(v, w.mu, w.sigma);
    act = act * w.sparsity_mask.detach();
    Tensor num = (act * w.erev).sum({1}) + sensory_num;
    Tensor den = act.sum({1}) + sensory_den;
    Tensor numerator = cm_t * v + gleak * w.vleak + num;
    Tensor denominator = cm_t + gleak + den;
    v = numerator / (denominator + c.epsilon);
  }
  // _map_outputs
  Tensor y = s.M < s.N ? v.narrow(1, 0, s.M) : v;
  if (c.output_mapping != LTCMapping::None) y = y * w.output_w;
  if (c.output_mapping == LTCMapping::Affine) y = y + w.output_b;
  return {y, v};
}

LTCSequenceOutput ltc_sequence(const Tensor& input, const Tensor& h0, const Tensor& timespans, const LTCWeights& w,
                               const LTCConfig& c) {
  return run_sequence(input, h0, Tensor(), timespans, w, nullptr, c);
}

LTCSequenceOutput ltc_sequence_mixed_memory(const Tensor& input, const Tensor& h0, const Tensor& c0,
                                            const Tensor& timespans, const LTCWeights& w,
                                            const LSTMMemoryWeights& memory, const LTCConfig& c) {
  return run_sequence(input, h0, c0, timespans, w, &memory, c);
}

static OpRegistrar registrar({{"ltc_cell_step", "ncps", true},
                              {"ltc_sequence", "ncps", true},
                              {"ltc_sequence_mixed_memory", "ncps", true}});

}  // namespace fl::ncps
