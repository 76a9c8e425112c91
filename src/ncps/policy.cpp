// Policy (fl/ncps/policy.h): stacked CfC / LTC steppers, LTC backbones and the projection as one raw step over
// caller-owned buffers, plus the layer-level tensor step built on it. Everything a step touches is sized when the
// policy is built; the tensor step reads evaluated inputs in place and writes straight into fresh output arrays.
#include "fl/ncps/policy.h"

#include <mlx/allocator.h>
#include <mlx/ops.h>
#include <mlx/transforms.h>

#include <algorithm>
#include <variant>

#include "core/tensor_impl.h"
#include "fl/autograd.h"
#include "fl/error.h"
#include "kernels/cfc_elementwise.h"
#include "ncps/cfc_internal.h"
#include "ncps/policy_internal.h"
#include "ops/op_utils.h"

namespace fl::ncps {

namespace kc = kernels::cfc;

namespace detail {
void check_states(const std::vector<CellState>& hx, size_t units, bool mixed, bool batched, const std::string& name) {
  if (hx.empty()) return;
  FL_CHECK_VALUE(hx.size() == units, name, ": expected ", units,
                 " initial states (one per layer and direction: layer 0 forward, layer 0 reverse, ...), got ",
                 hx.size());
  for (const CellState& s : hx) {
    FL_CHECK(!mixed || s.c.defined(), "Running a ", name,
             " with mixed_memory=True, requires a tuple (h0,c0) to be passed as state (got torch.Tensor instead)");
    for (const Tensor* t : {&s.h, &s.c}) {
      if (!t->defined()) continue;
      if (batched)
        FL_CHECK(t->dim() == 2, "For batched 2-D input, hx and cx should also be 2-D but got (", t->dim(),
                 "-D) tensor");
      else
        FL_CHECK(t->dim() == 1, "For unbatched 1-D input, hx and cx should also be 1-D but got (", t->dim(),
                 "-D) tensor");
    }
  }
}
}  // namespace detail

PolicyUnit PolicyUnit::make_cfc(const CfCWeights& weights, const CfCConfig& config, int64_t output_size) {
  PolicyUnit u;
  u.kind = Kind::CfC;
  u.cfc = weights;
  u.cfc_config = config;
  u.output_size = output_size;
  return u;
}

PolicyUnit PolicyUnit::make_ltc(const LTCWeights& weights, const LTCConfig& config,
                                const std::optional<LSTMMemoryWeights>& memory,
                                const std::vector<Tensor>& backbone_weight, const std::vector<Tensor>& backbone_bias,
                                CfCActivation activation) {
  PolicyUnit u;
  u.kind = Kind::LTC;
  u.ltc = weights;
  u.ltc_config = config;
  u.memory = memory;
  u.backbone_weight = backbone_weight;
  u.backbone_bias = backbone_bias;
  u.activation = activation;
  return u;
}

namespace {

// Every tensor a unit's snapshot reads (what is_current() watches).
std::vector<Tensor> unit_tensors(const PolicyUnit& u) {
  std::vector<Tensor> out;
  auto add = [&](const Tensor& t) {
    if (t.defined()) out.push_back(t);
  };
  auto add_memory = [&](const std::optional<LSTMMemoryWeights>& m) {
    if (m)
      for (const Tensor* t : {&m->input_map_weight, &m->input_map_bias, &m->recurrent_map_weight}) add(*t);
  };
  if (u.kind == PolicyUnit::Kind::CfC) {
    for (const CfCCellWeights& c : u.cfc.layers) {
      for (const Tensor& t : c.backbone_weight) add(t);
      for (const Tensor& t : c.backbone_bias) add(t);
      for (const Tensor* t : {&c.ff1_weight, &c.ff1_bias, &c.ff2_weight, &c.ff2_bias, &c.time_a_weight, &c.time_a_bias,
                              &c.time_b_weight, &c.time_b_bias, &c.w_tau, &c.A, &c.sparsity_mask})
        add(*t);
    }
    add_memory(u.cfc.lstm);
  } else {
    for (auto& [name, t] : u.ltc.named()) add(t);
    add_memory(u.memory);
    for (const Tensor& t : u.backbone_weight) add(t);
    for (const Tensor& t : u.backbone_bias) add(t);
  }
  return out;
}

Dtype unit_dtype(const PolicyUnit& u) {
  const Tensor& ref =
      u.kind == PolicyUnit::Kind::CfC ? (u.cfc.layers.empty() ? Tensor() : u.cfc.layers[0].ff1_weight) : u.ltc.gleak;
  FL_CHECK_VALUE(ref.defined(), "Policy: a unit has no weights");
  return ref.dtype();
}

template <typename T>
struct Engine {
  struct Unit {
    std::optional<CfCStepper> cfc;
    std::optional<LTCStepper> ltc;
    int64_t in = 0, units = 0, out = 0;
    int64_t out_offset = 0;  // CfC: the output's first unit within the unit's state
    bool mixed = false;
    std::vector<detail::Buffer<T>> bbW, bbb;  // LTC backbone, weights transposed
    std::vector<int> widths;
    kc::Act act = kc::Act::LeCunTanh;
    detail::Buffer<T> y;  // LTC: the mapped motor output
  };
  std::vector<Unit> units;
  std::vector<StateSlot> layout;
  detail::Buffer<T> projWt, projb;  // projection (O x P transposed), bias (empty: none)
  int64_t I = 0, O = 0, P = 0, S = 0;
  detail::Buffer<T> z0, z1;   // backbone scratch
  detail::Buffer<T> scratch;  // one row of state for the tensor step

  void step(const T* x, T* state, T dt, T* out) {
    const T* in = x;
    for (size_t i = 0; i < units.size(); ++i) {
      Unit& u = units[i];
      T* s = state + layout[i].h_offset;
      if (u.cfc) {
        u.cfc->step(in, s, dt);
        in = s + u.out_offset;
        continue;
      }
      const T* f = in;
      int F = static_cast<int>(u.in);
      for (size_t k = 0; k < u.widths.size(); ++k) {
        T* z = k % 2 == 0 ? z0.data() : z1.data();
        kc::gemv_t(F, u.widths[k], u.bbW[k].data(), f, false, z);
        kc::act_forward(u.act, 1, u.widths[k], u.bbb[k].data(), z, nullptr);
        f = z;
        F = u.widths[k];
      }
      if (u.mixed)
        u.ltc->step(f, s, state + layout[i].c_offset, dt, u.y.data());
      else
        u.ltc->step(f, s, dt, u.y.data());
      in = u.y.data();
    }
    if (!out) return;
    if (projWt.empty()) {
      std::copy(in, in + O, out);
      return;
    }
    kc::gemv_t(static_cast<int>(units.back().out), static_cast<int>(P), projWt.data(), in, false, out);
    if (!projb.empty())
      for (int64_t j = 0; j < P; ++j) out[j] += projb[j];
  }
};

template <typename T>
Engine<T> build_engine(const std::vector<PolicyUnit>& specs, const Tensor& W, const Tensor& b, Dtype dtype) {
  NoGradGuard no_grad;
  Engine<T> e;
  size_t max_width = 0;
  int64_t offset = 0;
  for (size_t i = 0; i < specs.size(); ++i) {
    const PolicyUnit& spec = specs[i];
    FL_CHECK_TYPE(unit_dtype(spec) == dtype, "Policy: every unit needs ", dtype_name(dtype), " weights; unit ", i,
                  " has ", dtype_name(unit_dtype(spec)));
    typename Engine<T>::Unit u;
    if (spec.kind == PolicyUnit::Kind::CfC) {
      CfCConfig cfg = spec.cfc_config;
      cfg.training = false;  // a step never drops out
      u.cfc.emplace(spec.cfc, cfg);
      u.in = u.cfc->input_size();
      u.units = u.cfc->state_size();
      u.mixed = u.cfc->mixed_memory();
      u.out = spec.output_size;
      u.out_offset = u.cfc->output_offset();
      FL_CHECK_VALUE(u.out > 0 && u.out <= u.cfc->output_size(), "Policy: unit ", i, " outputs ", u.out,
                     " units but its last layer has ", u.cfc->output_size());
    } else {
      FL_CHECK_VALUE(spec.backbone_weight.size() == spec.backbone_bias.size(),
                     "Policy: a backbone needs one bias per weight");
      if (spec.memory)
        u.ltc.emplace(spec.ltc, *spec.memory, spec.ltc_config, 1);
      else
        u.ltc.emplace(spec.ltc, spec.ltc_config, 1);
      u.units = u.ltc->state_size();
      u.mixed = u.ltc->mixed_memory();
      u.out = u.ltc->output_size();
      u.y.resize(static_cast<size_t>(u.out));
      int64_t width = spec.backbone_weight.empty() ? u.ltc->input_size() : spec.backbone_weight[0].size(1);
      u.in = width;
      for (size_t k = 0; k < spec.backbone_weight.size(); ++k) {
        const Tensor &Wk = spec.backbone_weight[k], &bk = spec.backbone_bias[k];
        FL_CHECK_VALUE(Wk.dim() == 2 && Wk.size(1) == width && bk.sizes() == Shape({Wk.size(0)}),
                       "Policy: backbone layer ", k, " has weight ", shape_to_string(Wk.sizes()), " and bias ",
                       shape_to_string(bk.sizes()), " after ", width, " features");
        width = Wk.size(0);
        u.bbW.push_back(detail::transposed<T>(Wk));
        u.bbb.push_back(detail::values<T>(bk));
        u.widths.push_back(static_cast<int>(width));
        max_width = std::max<size_t>(max_width, static_cast<size_t>(width));
      }
      FL_CHECK_VALUE(width == u.ltc->input_size(), "Policy: the backbone gives ", width,
                     " features but the LTC cell reads ", u.ltc->input_size());
      u.act = static_cast<kc::Act>(spec.activation);
    }
    if (i > 0)
      FL_CHECK_VALUE(u.in == e.units.back().out, "Policy: unit ", i, " reads ", u.in, " features but unit ", i - 1,
                     " outputs ", e.units.back().out);
    e.layout.push_back({offset, u.mixed ? offset + u.units : -1, u.units});
    offset += (u.mixed ? 2 : 1) * u.units;
    e.units.push_back(std::move(u));
  }
  e.I = e.units.front().in;
  e.O = e.units.back().out;
  e.S = offset;
  e.P = e.O;
  if (W.defined()) {
    FL_CHECK_VALUE(W.dim() == 2 && W.size(1) == e.O, "Policy: the projection's weight must be (P, ", e.O, "), got ",
                   shape_to_string(W.sizes()));
    e.P = W.size(0);
    e.projWt = detail::transposed<T>(W);
    if (b.defined()) {
      FL_CHECK_VALUE(b.sizes() == Shape({e.P}), "Policy: the projection's bias must be (", e.P, "), got ",
                     shape_to_string(b.sizes()));
      e.projb = detail::values<T>(b);
    }
  }
  e.z0.resize(max_width);
  e.z1.resize(max_width);
  e.scratch.resize(static_cast<size_t>(e.S));
  return e;
}

// An input's values as a dense row-major T array: the tensor's own memory when it is evaluated, row-contiguous and
// of type T (tensors a previous step returned, or made from host data), otherwise a converted evaluated copy.
// `keep` (the tensor's array on entry) holds the values alive.
template <typename T>
const T* dense(mx::array& keep) {
  if (!keep.is_available()) mx::eval(keep);
  if (keep.dtype() != to_mlx(dtype_of<T>()) || !keep.flags().row_contiguous) {
    keep = mx::contiguous(mx::astype(keep, to_mlx(dtype_of<T>())));
    mx::eval(keep);
  }
  return keep.data<T>();
}

// A fresh, evaluated array of `shape` whose memory the caller fills.
template <typename T>
mx::array fresh(const Shape& shape) {
  return mx::array(mx::allocator::malloc(static_cast<size_t>(numel_of(shape)) * sizeof(T)), to_mx_shape(shape),
                   to_mlx(dtype_of<T>()));
}

}  // namespace

struct Policy::Impl {
  struct Watch {
    Tensor tensor;
    std::shared_ptr<Storage> storage;  // held, so that no other storage can take its address
    int64_t version;
  };
  std::string name;
  Dtype dtype = kFloat32;
  std::variant<Engine<float>, Engine<double>> engine;
  std::vector<Watch> watched;
  // The tensor step's bookkeeping, kept to spare allocations; emptied after each step.
  std::vector<mx::array> inputs, finals;
  std::vector<const void*> rows;

  template <typename T>
  Engine<T>& get(const char* type) {
    FL_CHECK_TYPE(std::holds_alternative<Engine<T>>(engine), name, ": the policy is ", dtype_name(dtype),
                  "; step() got ", type, " buffers");
    return std::get<Engine<T>>(engine);
  }
  template <typename F>
  decltype(auto) visit(F&& f) const {
    return std::visit([&](auto& e) -> decltype(auto) { return f(e); }, engine);
  }
};

Policy::Policy(std::vector<PolicyUnit> units, const Tensor& proj_weight, const Tensor& proj_bias, std::string name)
    : impl_(std::make_unique<Impl>()) {
  FL_CHECK_VALUE(!units.empty(), "Policy: at least one unit is required");
  FL_CHECK_VALUE(!proj_bias.defined() || proj_weight.defined(), "Policy: a projection bias needs its weight");
  impl_->name = std::move(name);
  impl_->dtype = unit_dtype(units[0]);
  if (impl_->dtype == kFloat64)
    impl_->engine = build_engine<double>(units, proj_weight, proj_bias, impl_->dtype);
  else if (impl_->dtype == kFloat32)
    impl_->engine = build_engine<float>(units, proj_weight, proj_bias, impl_->dtype);
  else
    throw TypeError("Policy: expected float32 or float64 weights, got " + std::string(dtype_name(impl_->dtype)));
  std::vector<Tensor> read;
  for (const PolicyUnit& u : units)
    for (Tensor& t : unit_tensors(u)) read.push_back(std::move(t));
  for (const Tensor* t : {&proj_weight, &proj_bias})
    if (t->defined()) read.push_back(*t);
  for (Tensor& t : read) {
    const auto& storage = t.impl()->storage;
    impl_->watched.push_back({t, storage, storage->version});
  }
}

Policy::~Policy() = default;
Policy::Policy(Policy&&) noexcept = default;
Policy& Policy::operator=(Policy&&) noexcept = default;

const std::string& Policy::name() const { return impl_->name; }
Dtype Policy::dtype() const { return impl_->dtype; }
int64_t Policy::input_size() const {
  return impl_->visit([](auto& e) { return e.I; });
}
int64_t Policy::output_size() const {
  return impl_->visit([](auto& e) { return e.P; });
}
int64_t Policy::state_size() const {
  return impl_->visit([](auto& e) { return e.S; });
}
const std::vector<StateSlot>& Policy::state_layout() const {
  return impl_->visit([](auto& e) -> const std::vector<StateSlot>& { return e.layout; });
}
size_t Policy::num_units() const { return state_layout().size(); }
bool Policy::mixed_memory() const { return state_layout().front().c_offset >= 0; }

void Policy::step(const float* x, float* state, float dt, float* out) {
  impl_->get<float>("float").step(x, state, dt, out);
}
void Policy::step(const double* x, double* state, double dt, double* out) {
  impl_->get<double>("double").step(x, state, dt, out);
}

bool Policy::is_current() const {
  for (const Impl::Watch& w : impl_->watched) {
    if (w.tensor.impl()->storage != w.storage || w.storage->version != w.version) return false;
  }
  return true;
}

RNNOutput Policy::step(const Tensor& x_t, const std::vector<CellState>& state, double dt) {
  const std::string& name = impl_->name;
  FL_CHECK_VALUE(x_t.dim() == 1 || x_t.dim() == 2, name, ".step: expected an input of shape (batch, features) or ",
                 "(features), got ", shape_to_string(x_t.sizes()));
  const bool batched = x_t.dim() == 2;
  const std::vector<StateSlot>& layout = state_layout();
  detail::check_states(state, layout.size(), mixed_memory(), batched, name);
  const int64_t B = batched ? x_t.size(0) : 1, I = input_size(), O = output_size();
  FL_CHECK(x_t.size(-1) == I, name, ".step: expected ", I, " input features, got an input of shape ",
           shape_to_string(x_t.sizes()));
  auto row_shape = [&](int64_t n) { return batched ? Shape{B, n} : Shape{n}; };
  for (size_t i = 0; i < state.size(); ++i)
    for (const Tensor* t : {&state[i].h, &state[i].c})
      if (t->defined())
        FL_CHECK(t->sizes() == row_shape(layout[i].units), name, ".step: expected the state of unit ", i,
                 " to have shape ", shape_to_string(row_shape(layout[i].units)), ", got ", shape_to_string(t->sizes()));
  auto run = [&]<typename T>(Engine<T>& e) {
    const size_t n = layout.size();
    std::vector<mx::array>& keep = impl_->inputs;  // the inputs' arrays, alive while read
    std::vector<mx::array>& fin = impl_->finals;   // h (and c) of each unit, in order
    keep.clear();                                  // (after an exception)
    fin.clear();
    auto read = [&](const Tensor& t) {
      keep.push_back(t.mlx());
      return dense<T>(keep.back());
    };
    const T* x = read(x_t);
    std::vector<const void*>& in = impl_->rows;  // h, c of each unit (null: zeros)
    in.assign(2 * n, nullptr);
    for (size_t i = 0; i < state.size(); ++i) {
      if (state[i].h.defined()) in[2 * i] = read(state[i].h);
      if (layout[i].c_offset >= 0 && state[i].c.defined()) in[2 * i + 1] = read(state[i].c);
    }
    mx::array out = fresh<T>(row_shape(O));
    for (size_t i = 0; i < n; ++i)
      for (int k = 0; k < (layout[i].c_offset >= 0 ? 2 : 1); ++k) fin.push_back(fresh<T>(row_shape(layout[i].units)));
    // Each row: gather its state into the policy's layout, step, scatter the new state.
    T* s = e.scratch.data();
    for (int64_t b = 0; b < B; ++b) {
      for (size_t i = 0; i < n; ++i)
        for (int k = 0; k < (layout[i].c_offset >= 0 ? 2 : 1); ++k) {
          const int64_t u = layout[i].units;
          T* dst = s + (k ? layout[i].c_offset : layout[i].h_offset);
          if (const T* src = static_cast<const T*>(in[2 * i + k]))
            std::copy(src + b * u, src + (b + 1) * u, dst);
          else
            std::fill(dst, dst + u, T(0));
        }
      e.step(x + b * I, s, static_cast<T>(dt), out.data<T>() + b * O);
      for (size_t i = 0, f = 0; i < n; ++i)
        for (int k = 0; k < (layout[i].c_offset >= 0 ? 2 : 1); ++k, ++f) {
          const int64_t u = layout[i].units;
          const T* src = s + (k ? layout[i].c_offset : layout[i].h_offset);
          std::copy(src, src + u, fin[f].data<T>() + b * u);
        }
    }
    RNNOutput r{Tensor::from_mlx(out), {}};
    r.state.reserve(n);
    for (size_t i = 0, f = 0; i < n; ++i) {
      Tensor h = Tensor::from_mlx(fin[f++]);
      r.state.push_back({h, layout[i].c_offset >= 0 ? Tensor::from_mlx(fin[f++]) : Tensor()});
    }
    keep.clear();
    fin.clear();
    return r;
  };
  if (impl_->dtype == kFloat64) return run(std::get<Engine<double>>(impl_->engine));
  return run(std::get<Engine<float>>(impl_->engine));
}

}  // namespace fl::ncps
