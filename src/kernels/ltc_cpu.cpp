// The LTC CPU kernel: parameter preparation, scratch sizing, and run-time dispatch between an AVX2+FMA build of
// the loops (ltc_cpu_impl.h) and a generic x86-64 one. The library is built for generic x86-64, so the AVX2
// copy is compiled under a target pragma and chosen when the CPU has AVX2 and FMA.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <utility>

#include "kernels/cfc_elementwise.h"
#include "kernels/ltc_kernel.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define FL_LTC_HAS_AVX2 1
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define FL_LTC_ISA avx2
#include "kernels/ltc_cpu_impl.h"
#undef FL_LTC_ISA
#pragma GCC pop_options
#endif

#define FL_LTC_ISA generic
#include "kernels/ltc_cpu_impl.h"
#undef FL_LTC_ISA

namespace fl::kernels::ltc {

namespace {

bool use_avx2() {
#ifdef FL_LTC_HAS_AVX2
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
#else
  return false;
#endif
}

// ncps's positivity: softplus (PyTorch's, threshold 20) when the constraints are implicit, else the identity.
double pos(double x, bool implicit) { return !implicit || x > 20.0 ? x : std::log1p(std::exp(x)); }
double pos_grad(double x, bool implicit) { return !implicit || x > 20.0 ? 1.0 : 1.0 / (1.0 + std::exp(-x)); }

template <typename T>
void build_synapses(Synapses<T>& s, int64_t n_pre, int64_t n_post, const T* sigma, const T* mu, const T* w,
                    const T* erev, const T* mask, bool implicit) {
  s.n_pre = n_pre;
  s.n_post = n_post;
  for (auto* v : {&s.sig, &s.mu, &s.W, &s.E, &s.dW_dw}) v->clear();
  s.pre.clear();
  s.post.clear();
  s.dense.clear();
  s.begin.assign(n_post + 1, 0);
  for (int64_t j = 0; j < n_post; ++j) {
    s.begin[j] = s.size();
    for (int64_t i = 0; i < n_pre; ++i) {
      const int64_t idx = i * n_post + j;
      const T mk = mask[idx];
      if (mk == T(0)) continue;
      s.pre.push_back(static_cast<int32_t>(i));
      s.post.push_back(static_cast<int32_t>(j));
      s.dense.push_back(idx);
      s.sig.push_back(sigma[idx]);
      s.mu.push_back(mu[idx]);
      s.W.push_back(static_cast<T>(pos(w[idx], implicit)) * mk);
      s.E.push_back(erev[idx]);
      s.dW_dw.push_back(mk * static_cast<T>(pos_grad(w[idx], implicit)));
    }
  }
  s.begin[n_post] = s.size();
}

template <typename T>
void grow(std::vector<T>& v, int64_t n) {
  if (static_cast<int64_t>(v.size()) < n) v.resize(n);
}

}  // namespace

template <typename T>
void build_model(Model<T>& m, const Dims& d, double epsilon, bool implicit, const Ptrs<T>& p) {
  const int64_t N = d.N, D = d.D;
  m.D = D;
  m.N = N;
  m.M = d.M;
  m.K = d.K;
  m.mixed = d.mixed;
  m.eps = static_cast<T>(epsilon);
  build_synapses(m.rec, N, N, p[kSigma], p[kMu], p[kW], p[kErev], p[kMask], implicit);
  build_synapses(m.sens, D, N, p[kSensorySigma], p[kSensoryMu], p[kSensoryW], p[kSensoryErev], p[kSensoryMask],
                 implicit);
  for (auto* v : {&m.gl, &m.dgl, &m.vleak, &m.glvl, &m.cm, &m.dcm}) v->resize(N);
  for (int64_t j = 0; j < N; ++j) {
    m.gl[j] = static_cast<T>(pos(p[kGleak][j], implicit));
    m.dgl[j] = static_cast<T>(pos_grad(p[kGleak][j], implicit));
    m.vleak[j] = p[kVleak][j];
    m.glvl[j] = m.gl[j] * m.vleak[j];
    m.cm[j] = static_cast<T>(pos(p[kCm][j], implicit));
    m.dcm[j] = static_cast<T>(pos_grad(p[kCm][j], implicit));
  }
  m.in_w.assign(p[kInputW], p[kInputW] + D);
  m.in_b.assign(p[kInputB], p[kInputB] + D);
  m.out_w.assign(p[kOutputW], p[kOutputW] + d.M);
  m.out_b.assign(p[kOutputB], p[kOutputB] + d.M);
  if (d.mixed) {
    m.wi.assign(p[kLstmWi], p[kLstmWi] + 4 * N * D);
    m.bi.assign(p[kLstmBi], p[kLstmBi] + 4 * N);
    m.wr.assign(p[kLstmWr], p[kLstmWr] + 4 * N * N);
  } else {
    m.wi.clear();
    m.bi.clear();
    m.wr.clear();
  }
}

template <typename T>
void Workspace<T>::resize(const Model<T>& m, int64_t B, bool backward) {
  const int64_t N = m.N, D = m.D, NB = N * B, DB = D * B;
  const int64_t nnz = std::max<int64_t>({m.rec.size(), m.sens.size(), 1});
  for (auto* v : {&xT, &xm}) grow(*v, DB);
  grow(tsK, B);
  for (auto* v : {&cmt, &num, &den, &Ns, &Ds, &h0T, &c0T}) grow(*v, NB);
  grow(tmp, std::max(NB, B));
  grow(S, nnz * B);
  grow(step, m.step_tape(B));
  if (!backward) return;
  for (auto* v : {&G, &G2, &gC, &Q, &Sdnum, &Sdden, &acc_gl, &acc_vl, &acc_cm}) grow(*v, NB);
  for (auto* v : {&dxm, &dxT, &acc_iw, &acc_ib}) grow(*v, DB);
  for (auto* v : {&acc_ow, &acc_ob}) grow(*v, m.M * B);
  grow(dz, 4 * NB);
  // Exact sizes: the backward zero-fills the accumulators whole.
  acc_rec.assign(4 * m.rec.size() * B, T(0));
  acc_sens.assign(4 * m.sens.size() * B, T(0));
  for (auto* v : {&acc_gl, &acc_vl, &acc_cm}) v->resize(NB);
  for (auto* v : {&acc_iw, &acc_ib}) v->resize(DB);
  for (auto* v : {&acc_ow, &acc_ob}) v->resize(m.M * B);
}

template <typename T>
void sequence_forward(const Model<T>& m, Workspace<T>& ws, const Dims& d, const SequenceInputs<T>& in, T* y, T* hT,
                      T* cT, T* tape) {
  ws.resize(m, d.B, false);
#ifdef FL_LTC_HAS_AVX2
  if (use_avx2()) return avx2::sequence_forward_impl(m, ws, d, in, y, hT, cT, tape);
#endif
  generic::sequence_forward_impl(m, ws, d, in, y, hT, cT, tape);
}

template <typename T>
void sequence_backward(const Model<T>& m, Workspace<T>& ws, const Dims& d, const SequenceInputs<T>& in, const T* tape,
                       const T* gy, const T* ghT, const T* gcT, const MutPtrs<T>& g) {
  ws.resize(m, d.B, true);
#ifdef FL_LTC_HAS_AVX2
  if (use_avx2()) return avx2::sequence_backward_impl(m, ws, d, in, tape, gy, ghT, gcT, g);
#endif
  generic::sequence_backward_impl(m, ws, d, in, tape, gy, ghT, gcT, g);
}

template <typename T>
void step(const Model<T>& m, Workspace<T>& ws, int64_t B, const T* x, T* h, T* c, T dt, T* y) {
#ifdef FL_LTC_HAS_AVX2
  if (use_avx2()) return avx2::step_impl(m, ws, B, x, h, c, dt, y);
#endif
  generic::step_impl(m, ws, B, x, h, c, dt, y);
}

const char* isa() { return use_avx2() ? "avx2" : "generic"; }

#define FL_LTC_INSTANTIATE(T)                                                                                          \
  template void build_model<T>(Model<T>&, const Dims&, double, bool, const Ptrs<T>&);                                  \
  template struct Workspace<T>;                                                                                        \
  template void sequence_forward<T>(const Model<T>&, Workspace<T>&, const Dims&, const SequenceInputs<T>&, T*, T*, T*, \
                                    T*);                                                                               \
  template void sequence_backward<T>(const Model<T>&, Workspace<T>&, const Dims&, const SequenceInputs<T>&, const T*,  \
                                     const T*, const T*, const T*, const MutPtrs<T>&);                                 \
  template void step<T>(const Model<T>&, Workspace<T>&, int64_t, const T*, T*, T*, T, T*);
FL_LTC_INSTANTIATE(float)
FL_LTC_INSTANTIATE(double)
#undef FL_LTC_INSTANTIATE

}  // namespace fl::kernels::ltc
