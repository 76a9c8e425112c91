// CfCStepper: one CfC step at a time for control loops. The weights are copied once into transposed (in x out)
// layout, so each product is a sweep of contiguous rows scaled by one input value (no horizontal sums), and the
// scratch vectors are sized at construction: a raw step allocates nothing and records nothing.
#include <mlx/ops.h>
#include <mlx/transforms.h>

#include <algorithm>
#include <optional>
#include <variant>

#include "fl/autograd.h"
#include "fl/ops/binary.h"
#include "fl/ops/shape.h"
#include "kernels/cfc_elementwise.h"
#include "ncps/cfc_internal.h"
#include "ncps/host_array.h"
#include "ops/op_utils.h"

namespace fl::ncps {
namespace kc = kernels::cfc;
namespace mx = mlx::core;

namespace {
using detail::Buffer;
using detail::transposed;
using detail::values;

template <typename T>
struct Net {
  struct Layer {
    std::vector<Buffer<T>> bbW, bbb;  // backbone weights transposed, biases
    Buffer<T> Wh, bh;                 // heads stacked [ff1; ff2; time_a; time_b] and transposed
    Buffer<T> Whf, bhf;               // dt = 1 (gate modes): [ff1; ff2; time_a + time_b], transposed
    Buffer<T> w_tau, A;
  };
  kc::Dims d;
  std::vector<Layer> layers;
  Buffer<T> WiT, bi, WrT;
  Buffer<T> cat, z0, z1, P, Z, hn, tanhc;  // scratch

  Net(const kc::Dims& dims, const CfCWeights& w, const CfCConfig& cfg) : d(dims) {
    NoGradGuard no_grad;
    size_t max_cat = 0, max_u = 0, max_p = 0;
    for (size_t l = 0; l < w.layers.size(); ++l) {
      const CfCCellWeights& c = w.layers[l];
      const kc::LayerDims& ld = d.layers[l];
      Layer L;
      for (size_t k = 0; k < c.backbone_weight.size(); ++k) {
        L.bbW.push_back(transposed<T>(c.backbone_weight[k]));
        L.bbb.push_back(values<T>(c.backbone_bias[k]));
      }
      std::vector<Tensor> heads{detail::masked(c.ff1_weight, c.sparsity_mask)}, biases{c.ff1_bias};
      if (cfg.mode == CfCMode::Pure) {
        L.w_tau = values<T>(c.w_tau);
        L.A = values<T>(c.A);
      } else {
        heads.insert(heads.end(), {detail::masked(c.ff2_weight, c.sparsity_mask), c.time_a_weight, c.time_b_weight});
        biases.insert(biases.end(), {c.ff2_bias, c.time_a_bias, c.time_b_bias});
      }
      L.Wh = transposed<T>(heads.size() == 1 ? heads[0] : fl::cat(heads, 0));
      L.bh = values<T>(biases.size() == 1 ? biases[0] : fl::cat(biases, 0));
      if (cfg.mode != CfCMode::Pure) {
        // A step of unit elapsed time has time_a * 1 + time_b: one head fewer to sweep (the products are bound
        // by reading the weights).
        L.Whf = transposed<T>(fl::cat({heads[0], heads[1], heads[2] + heads[3]}, 0));
        L.bhf = values<T>(fl::cat({biases[0], biases[1], biases[2] + biases[3]}, 0));
      }
      layers.push_back(std::move(L));
      max_cat = std::max<size_t>(max_cat, ld.cat());
      max_u = std::max<size_t>(max_u, ld.max_width());
      max_p = std::max<size_t>(max_p, 4 * ld.hidden);
    }
    const int N = d.state();
    if (d.mixed) {
      WiT = transposed<T>(w.lstm->input_map_weight);
      bi = values<T>(w.lstm->input_map_bias);
      WrT = transposed<T>(w.lstm->recurrent_map_weight);
      Z.resize(4 * N);
      tanhc.resize(N);
    }
    cat.resize(max_cat);
    z0.resize(max_u);
    z1.resize(max_u);
    P.resize(max_p);
    hn.resize(N);
  }

  void step(const T* x, T* state, T dt) {
    const int N = d.state();
    T* h = state;
    if (d.mixed) {
      kc::gemv_t(d.I, 4 * N, WiT.data(), x, false, Z.data());
      kc::gemv_t(N, 4 * N, WrT.data(), h, true, Z.data());
      kc::lstm_forward(1, N, bi.data(), Z.data(), state + N, h, tanhc.data());
    }
    for (size_t l = 0; l < layers.size(); ++l) {
      const kc::LayerDims& ld = d.layers[l];
      const Layer& L = layers[l];
      const int H = ld.hidden, off = d.offset(static_cast<int>(l));
      const T* u = l == 0 ? x : hn.data() + d.offset(static_cast<int>(l) - 1);
      std::copy(u, u + ld.in, cat.data());
      std::copy(h + off, h + off + H, cat.data() + ld.in);
      const T* feat = cat.data();
      int F = ld.cat();
      for (int k = 0; k < ld.backbone_layers; ++k) {
        T* z = k % 2 == 0 ? z0.data() : z1.data();
        kc::gemv_t(F, ld.widths[k], L.bbW[k].data(), feat, false, z);
        kc::act_forward(d.act, 1, ld.widths[k], L.bbb[k].data(), z, nullptr);
        feat = z;
        F = ld.widths[k];
      }
      if (d.mode == kc::Mode::Pure) {
        kc::gemv_t(F, H, L.Wh.data(), feat, false, P.data());
        kc::pure_forward(1, H, L.bh.data(), L.w_tau.data(), L.A.data(), &dt, 0, P.data(), hn.data() + off, N);
      } else {
        const bool fused = dt == T(1);
        kc::gemv_t(F, (fused ? 3 : 4) * H, (fused ? L.Whf : L.Wh).data(), feat, false, P.data());
        kc::gate_forward(d.mode == kc::Mode::NoGate, fused, 1, H, (fused ? L.bhf : L.bh).data(), fused ? nullptr : &dt,
                         0, P.data(), hn.data() + off, N);
      }
    }
    std::copy(hn.begin(), hn.end(), h);
  }
};

}  // namespace

struct CfCStepper::Impl {
  Dtype dtype;
  kc::Dims d;
  std::variant<Net<float>, Net<double>> net;
  detail::OutputCache outputs;  // the Tensor step's

  template <typename T>
  Net<T>& get(const char* type) {
    FL_CHECK_TYPE(std::holds_alternative<Net<T>>(net), "CfCStepper: the weights are ", scalar_type_name(dtype),
                  "; step() got ", type, " buffers");
    return std::get<Net<T>>(net);
  }
};

namespace {
std::variant<Net<float>, Net<double>> make_net(Dtype dt, const kc::Dims& d, const CfCWeights& w, const CfCConfig& cfg) {
  if (dt == kFloat32) return Net<float>(d, w, cfg);
  return Net<double>(d, w, cfg);
}
}  // namespace

CfCStepper::CfCStepper(const CfCWeights& w, const CfCConfig& cfg) {
  FL_CHECK(!w.layers.empty() && w.layers[0].ff1_weight.defined(), "CfCStepper: the weights have no cell");
  const Tensor& ref = w.layers[0].ff1_weight;
  FL_CHECK_TYPE(ref.dtype() == kFloat32 || ref.dtype() == kFloat64,
                "CfCStepper: expected float32 or float64 weights, got ", scalar_type_name(ref.dtype()));
  kc::Dims d = detail::check_weights(w, cfg, 1, w.input_size(), ref.dtype(), ref.device());
  d.B = d.L = 1;
  impl_ = std::make_unique<Impl>(Impl{ref.dtype(), d, make_net(ref.dtype(), d, w, cfg), {}});
}
CfCStepper::~CfCStepper() = default;
CfCStepper::CfCStepper(CfCStepper&&) noexcept = default;
CfCStepper& CfCStepper::operator=(CfCStepper&&) noexcept = default;

Dtype CfCStepper::dtype() const { return impl_->dtype; }
int64_t CfCStepper::input_size() const { return impl_->d.I; }
int64_t CfCStepper::state_size() const { return impl_->d.state(); }
int64_t CfCStepper::output_size() const { return impl_->d.out(); }
bool CfCStepper::mixed_memory() const { return impl_->d.mixed; }
int64_t CfCStepper::state_buffer_size() const { return (impl_->d.mixed ? 2 : 1) * state_size(); }
int64_t CfCStepper::output_offset() const { return state_size() - output_size(); }

void CfCStepper::step(const float* x, float* state, float dt) { impl_->get<float>("float").step(x, state, dt); }
void CfCStepper::step(const double* x, double* state, double dt) { impl_->get<double>("double").step(x, state, dt); }

CfCOutputs CfCStepper::step(const Tensor& x_t, const Tensor& h, const std::optional<Tensor>& c, double dt) {
  const bool unbatched = x_t.dim() == 1;
  const int64_t I = input_size(), N = state_size(), M = output_size();
  FL_CHECK(x_t.dim() == 1 || x_t.dim() == 2, "CfCStepper.step: expected an input of shape (batch, ", I, ") or (", I,
           "), got ", shape_to_string(x_t.sizes()));
  const int64_t B = unbatched ? 1 : x_t.size(0);
  const Shape xs = unbatched ? Shape{I} : Shape{B, I}, hs = unbatched ? Shape{N} : Shape{B, N};
  FL_CHECK(x_t.sizes() == xs, "CfCStepper.step: expected an input of shape ", shape_to_string(xs), ", got ",
           shape_to_string(x_t.sizes()));
  FL_CHECK(h.sizes() == hs, "CfCStepper.step: expected hx of shape ", shape_to_string(hs), ", got ",
           shape_to_string(h.sizes()));
  FL_CHECK(mixed_memory() == (c && c->defined()),
           mixed_memory() ? "CfCStepper.step: mixed memory needs cx" : "CfCStepper.step: cx needs mixed memory");
  if (mixed_memory())
    FL_CHECK(c->sizes() == hs, "CfCStepper.step: expected cx of shape ", shape_to_string(hs), ", got ",
             shape_to_string(c->sizes()));
  for (const Tensor* t : {&x_t, &h, c ? &*c : nullptr})
    if (t)
      FL_CHECK(t->dtype() == dtype(), "CfCStepper.step: expected ", scalar_type_name(dtype()), " tensors, got ",
               scalar_type_name(t->dtype()));

  return dispatch_dtype(dtype(), [&]<typename T>() -> CfCOutputs {
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
      const mx::array xa = detail::host_array(x_t, dtype()), ha = detail::host_array(h, dtype());
      // (optional: a placeholder array would cost an allocation from MLX's allocator every step)
      std::optional<mx::array> ca, co;
      if (mixed_memory()) ca = detail::host_array(*c, dtype());
      const Shape hs = unbatched ? Shape{N} : Shape{B, N};
      // When the output is the whole state, y is h itself, as ncps's CfCCell returns (h, h).
      const bool own_y = M != N;
      detail::OutputCache& cache = impl_->outputs;
      mx::array ho = cache.take(hs, dtype());
      mx::array yo = own_y ? cache.take(unbatched ? Shape{M} : Shape{B, M}, dtype()) : ho;
      if (mixed_memory()) co = cache.take(hs, dtype());
      // Row by row through the raw step on its [h, c] buffer: h's own rows without mixed memory.
      std::vector<T> hc(mixed_memory() ? 2 * N : 0);
      for (int64_t b = 0; b < B; ++b) {
        T* hb = ho.data<T>() + b * N;
        std::copy_n(ha.data<T>() + b * N, N, hb);
        if (mixed_memory()) {
          std::copy_n(hb, N, hc.begin());
          std::copy_n(ca->data<T>() + b * N, N, hc.begin() + N);
          step(xa.data<T>() + b * I, hc.data(), static_cast<T>(dt));
          std::copy_n(hc.begin(), N, hb);
          std::copy_n(hc.begin() + N, N, co->data<T>() + b * N);
        } else {
          step(xa.data<T>() + b * I, hb, static_cast<T>(dt));
        }
        if (own_y) std::copy_n(hb + (N - M), M, yo.data<T>() + b * M);
      }
      CfCOutputs out{Tensor(), Tensor::from_mlx(ho), Tensor()};
      out.y = own_y ? Tensor::from_mlx(yo) : out.h;
      if (mixed_memory()) out.c = Tensor::from_mlx(*co);
      return out;
    } else {
      throw TypeError("CfCStepper: unsupported dtype");
    }
  });
}

}  // namespace fl::ncps
