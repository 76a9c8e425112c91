// The LTC kernel's loops. ltc_cpu.cpp includes this file twice, once under `#pragma GCC target("avx2,fma")` and
// once for the generic x86-64 target, with FL_LTC_ISA naming the namespace; it dispatches at run time. The loops
// are written for the auto-vectoriser: no calls or branches inside, batch rows contiguous, no floating-point
// reductions in the hot loops (sums over the batch go into per-sample accumulators, reduced once at the end).
// No include guard on purpose.

namespace fl::kernels::ltc::FL_LTC_ISA {

// cond ? a : b without control flow. Under -ftrapping-math GCC keeps a branch for a ternary on floats (a compare may
// trap), which blocks vectorisation; a bitwise blend of the compare's mask does not.
inline float select(bool cond, float a, float b) {
  const int32_t m = -static_cast<int32_t>(cond);
  return std::bit_cast<float>((std::bit_cast<int32_t>(a) & m) | (std::bit_cast<int32_t>(b) & ~m));
}
inline double select(bool cond, double a, double b) {
  const int64_t m = -static_cast<int64_t>(cond);
  return std::bit_cast<double>((std::bit_cast<int64_t>(a) & m) | (std::bit_cast<int64_t>(b) & ~m));
}

// exp without calls or branches, so that loops over it vectorise. Cephes's expf (~1 ulp) for float; for double
// a degree-13 Taylor polynomial on |r| <= ln2/2 (truncation 4e-18), ~1e-16 relative. Arguments are clamped to
// the finite range; 2^n is built from the bits of the rounded multiple of log2(e).
inline float exp_vec(float x) {
  x = select(x < -87.3f, -87.3f, x);
  x = select(x > 88.3f, 88.3f, x);
  const float kf = x * 1.44269504088896341f + 12582912.0f;  // + 1.5 * 2^23 rounds to an integer
  const int32_t n_bits = std::bit_cast<int32_t>(kf) - 0x4B400000;
  const float n = kf - 12582912.0f;
  const float r = (x - n * 0.693359375f) - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  return p * std::bit_cast<float>((n_bits + 127) << 23);
}
inline double exp_vec(double x) {
  x = select(x < -708.0, -708.0, x);
  x = select(x > 709.0, 709.0, x);
  const double kd = x * 1.4426950408889634 + 6755399441055744.0;  // + 1.5 * 2^52
  const int64_t n_bits = std::bit_cast<int64_t>(kd) - 0x4338000000000000LL;
  const double n = kd - 6755399441055744.0;
  const double r = (x - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10;
  double p = 1.0 / 6227020800.0;
  p = p * r + 1.0 / 479001600.0;
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  return p * std::bit_cast<double>((n_bits + 1023) << 52);
}

// tanh after Cephes: a rational (double) or polynomial (float) form below 0.625, where 1 - 2 / (e^2|x| + 1)
// would cancel, and that form above.
inline float tanh_vec(float x) {
  const float ax = std::fabs(x);
  const float z = x * x;
  const float small =
      ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z + 1.33314422036e-1f) * z -
       3.33332819422e-1f) *
          z * x +
      x;
  const float big = std::copysign(1.0f - 2.0f / (exp_vec(2.0f * ax) + 1.0f), x);
  return select(ax < 0.625f, small, big);
}
inline double tanh_vec(double x) {
  const double ax = std::fabs(x);
  const double z = x * x;
  const double P = (-9.64399179425052238628e-1 * z - 9.92877231001918586564e1) * z - 1.61468768441708447952e3;
  const double Q = ((z + 1.12811678491632931402e2) * z + 2.23548839060100448583e3) * z + 4.84406305325125486048e3;
  const double small = x + x * z * P / Q;
  const double big = std::copysign(1.0 - 2.0 / (exp_vec(2.0 * ax) + 1.0), x);
  return select(ax < 0.625, small, big);
}

// NaN inputs give NaN: the clamps keep it and the arithmetic propagates it.
template <typename T>
void sigmoid_inplace(T* __restrict p, int64_t n) {
  for (int64_t i = 0; i < n; ++i) p[i] = T(1) / (T(1) + exp_vec(-p[i]));
}
template <typename T>
void tanh_inplace(T* __restrict p, int64_t n) {
  for (int64_t i = 0; i < n; ++i) p[i] = tanh_vec(p[i]);
}

// Sums without a loop-carried dependency: eight partial sums, combined at the end.
template <typename T>
T dot(const T* __restrict a, const T* __restrict b, int64_t n) {
  T acc[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) acc[l] += a[i + l] * b[i + l];
  T s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}
template <typename T>
T sum(const T* __restrict a, int64_t n) {
  T acc[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) acc[l] += a[i + l];
  T s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
  for (; i < n; ++i) s += a[i];
  return s;
}

// (rows, cols) row-major -> (cols, rows), and a strided gather of one step.
template <typename T>
void transpose(const T* __restrict src, T* __restrict dst, int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) dst[c * rows + r] = src[r * cols + c];
}

// S[k, b] = σ(sig_k (v[pre_k, b] - mu_k)): the activation of every active synapse for every sample.
template <typename T>
void synapse_acts(const Synapses<T>& s, const T* __restrict v, int64_t B, T* __restrict S) {
  const int64_t n = s.size();
  const int32_t* pre = s.pre.data();
  const T *sig = s.sig.data(), *mu = s.mu.data();
  if (B == 1) {
    for (int64_t k = 0; k < n; ++k) S[k] = sig[k] * (v[pre[k]] - mu[k]);
  } else {
    for (int64_t k = 0; k < n; ++k) {
      const T* vk = v + pre[k] * B;
      T* o = S + k * B;
      const T sg = sig[k], m = mu[k];
      for (int64_t b = 0; b < B; ++b) o[b] = sg * (vk[b] - m);
    }
  }
  sigmoid_inplace(S, n * B);
}

// num[j, b] = Σ_k a E_k, den[j, b] = Σ_k a over the synapses into j, with a = W_k S[k, b] (ncps's order:
// w_activation = pos(w) σ(...) ⊙ mask, rev_activation = w_activation ⊙ erev).
template <typename T>
void synapse_forward(const Synapses<T>& s, const T* v, int64_t B, T* __restrict S, T* __restrict num,
                     T* __restrict den) {
  synapse_acts(s, v, B, S);
  const int64_t* begin = s.begin.data();
  const T *W = s.W.data(), *E = s.E.data();
  if (B == 1) {
    for (int64_t j = 0; j < s.n_post; ++j) {
      T nj = 0, dj = 0;
      for (int64_t k = begin[j]; k < begin[j + 1]; ++k) {
        const T a = W[k] * S[k];
        nj += a * E[k];
        dj += a;
      }
      num[j] = nj;
      den[j] = dj;
    }
    return;
  }
  std::fill(num, num + s.n_post * B, T(0));
  std::fill(den, den + s.n_post * B, T(0));
  for (int64_t j = 0; j < s.n_post; ++j) {
    T* nj = num + j * B;
    T* dj = den + j * B;
    for (int64_t k = begin[j]; k < begin[j + 1]; ++k) {
      const T* sk = S + k * B;
      const T w = W[k], e = E[k];
      for (int64_t b = 0; b < B; ++b) {
        const T a = w * sk[b];
        nj[b] += a * e;
        dj[b] += a;
      }
    }
  }
}

// The backward of synapse_forward given dnum, dden: adds into dv (the presynaptic values' gradient) and into the
// per-(synapse, sample) accumulators acc = [Σ dnum S | Σ da S | Σ dpre (v - mu) | Σ dpre] (reduced later).
template <typename T>
void synapse_backward(const Synapses<T>& s, const T* v, int64_t B, T* __restrict S, const T* __restrict dnum,
                      const T* __restrict dden, T* __restrict dv, T* __restrict acc) {
  synapse_acts(s, v, B, S);
  const int64_t n = s.size(), nB = n * B;
  const int64_t* begin = s.begin.data();
  const int32_t* pre = s.pre.data();
  const T *W = s.W.data(), *E = s.E.data(), *sig = s.sig.data(), *mu = s.mu.data();
  T* __restrict aE = acc;
  T* __restrict aW = acc + nB;
  T* __restrict aS = acc + 2 * nB;
  T* __restrict aM = acc + 3 * nB;
  for (int64_t j = 0; j < s.n_post; ++j) {
    const T* dn = dnum + j * B;
    const T* dd = dden + j * B;
    for (int64_t k = begin[j]; k < begin[j + 1]; ++k) {
      const T* vk = v + pre[k] * B;
      T* dvk = dv + pre[k] * B;
      const T* sk = S + k * B;
      const int64_t o = k * B;
      const T w = W[k], e = E[k], sg = sig[k], m = mu[k];
      for (int64_t b = 0; b < B; ++b) {
        const T sb = sk[b];
        const T da = dn[b] * e + dd[b];
        const T p = da * w * sb * (T(1) - sb);
        aE[o + b] += dn[b] * sb;
        aW[o + b] += da * sb;
        aS[o + b] += p * (vk[b] - m);
        aM[o + b] += p;
        dvk[b] += p * sg;
      }
    }
  }
}

// Synapse gradients from the accumulators into the dense (n_pre, n_post) gradients of sigma, mu, w, erev.
template <typename T>
void synapse_grads(const Synapses<T>& s, const T* acc, int64_t B, T* gsig, T* gmu, T* gw, T* gerev) {
  const int64_t n = s.size(), nB = n * B;
  for (int64_t k = 0; k < n; ++k) {
    const int64_t i = s.dense[k], o = k * B;
    gerev[i] = s.W[k] * sum(acc + o, B);
    gw[i] = s.dW_dw[k] * sum(acc + nB + o, B);
    gsig[i] = sum(acc + 2 * nB + o, B);
    gmu[i] = -s.sig[k] * sum(acc + 3 * nB + o, B);
  }
}

// Where one step's tape keeps its parts (see Model::step_tape).
template <typename T>
struct StepTape {
  T *V, *Dinv, *gates, *c;
  StepTape(const Model<T>& m, int64_t B, T* p) {
    const int64_t NB = m.N * B;
    V = p;                      // K + 1 states, [k][N][B]; V[0] = the cell's input state
    Dinv = V + (m.K + 1) * NB;  // K reciprocals of the denominators
    gates = Dinv + m.K * NB;    // tanh(i), σ(ig), σ(fg + 1), σ(og)
    c = gates + 4 * NB;         // the LSTM cell state after this step
  }
};

// The LSTM memory: gates and c from x (raw inputs, [D][B]), h_prev, c_prev; V0 = tanh(c) σ(og).
template <typename T>
void lstm_forward(const Model<T>& m, Workspace<T>& ws, int64_t B, const T* xT, const T* h_prev, const T* c_prev,
                  T* gates, T* c, T* V0) {
  const int64_t N = m.N, D = m.D, NB = N * B, G4 = 4 * N;
  const T *wi = m.wi.data(), *bi = m.bi.data(), *wr = m.wr.data();
  if (B == 1) {
    for (int64_t g = 0; g < G4; ++g) gates[g] = (dot(wi + g * D, xT, D) + bi[g]) + dot(wr + g * N, h_prev, N);
  } else {
    T* r = ws.tmp.data();
    for (int64_t g = 0; g < G4; ++g) {
      T* z = gates + g * B;
      std::fill(z, z + B, T(0));
      std::fill(r, r + B, T(0));
      for (int64_t d = 0; d < D; ++d) {
        const T w = wi[g * D + d];
        const T* x = xT + d * B;
        for (int64_t b = 0; b < B; ++b) z[b] += w * x[b];
      }
      for (int64_t n = 0; n < N; ++n) {
        const T w = wr[g * N + n];
        const T* h = h_prev + n * B;
        for (int64_t b = 0; b < B; ++b) r[b] += w * h[b];
      }
      for (int64_t b = 0; b < B; ++b) z[b] = (z[b] + bi[g]) + r[b];
    }
  }
  // The cell itself is the CfC kernel's (one row of N * B values per gate, bias already added): c from c_prev,
  // V0 = tanh(c) σ(og), the gates become [tanh i, σ(ig), σ(fg + 1), σ(og)] in place.
  if (c != c_prev) std::copy(c_prev, c_prev + NB, c);
  ::fl::kernels::cfc::lstm_forward(1, static_cast<int>(NB), static_cast<const T*>(nullptr), gates, c, V0,
                                   ws.tmp.data());
}

// One step of the cell on [feature][B] buffers: ws.xT holds the raw inputs and ws.tsK the elapsed time / K.
// Fills the step tape P: the LSTM (mixed memory) or a copy of h_prev as V[0], then the K unfolds.
template <typename T>
void forward_step(const Model<T>& m, Workspace<T>& ws, int64_t B, const T* xT, const T* h_prev, const T* c_prev, T* P) {
  const int64_t N = m.N, D = m.D, NB = N * B;
  StepTape<T> tp(m, B, P);
  T* xm = ws.xm.data();
  for (int64_t i = 0; i < D; ++i)
    for (int64_t b = 0; b < B; ++b) xm[i * B + b] = xT[i * B + b] * m.in_w[i] + m.in_b[i];
  if (m.mixed)
    lstm_forward(m, ws, B, xT, h_prev, c_prev, tp.gates, tp.c, tp.V);
  else if (h_prev != tp.V)
    std::copy(h_prev, h_prev + NB, tp.V);

  T *Ns = ws.Ns.data(), *Ds = ws.Ds.data(), *cmt = ws.cmt.data(), *num = ws.num.data(), *den = ws.den.data();
  synapse_forward(m.sens, xm, B, ws.S.data(), Ns, Ds);
  const T* tsK = ws.tsK.data();
  for (int64_t j = 0; j < N; ++j)
    for (int64_t b = 0; b < B; ++b) cmt[j * B + b] = m.cm[j] / tsK[b];  // ncps: cm / (elapsed / K)
  const T eps = m.eps;
  for (int64_t k = 0; k < m.K; ++k) {
    const T* V = tp.V + k * NB;
    T* Vn = tp.V + (k + 1) * NB;
    T* Dinv = tp.Dinv + k * NB;
    synapse_forward(m.rec, V, B, ws.S.data(), num, den);
    for (int64_t j = 0; j < N; ++j) {
      const T gl = m.gl[j], glvl = m.glvl[j];
      for (int64_t b = 0; b < B; ++b) {
        const int64_t e = j * B + b;
        const T numer = (cmt[e] * V[e] + glvl) + (num[e] + Ns[e]);
        const T denom = ((cmt[e] + gl) + (den[e] + Ds[e])) + eps;
        Vn[e] = numer / denom;
        Dinv[e] = T(1) / denom;
      }
    }
  }
}

// The step's inputs in kernel layout: raw x into ws.xT, elapsed / K into ws.tsK.
template <typename T>
void load_step(const Model<T>& m, Workspace<T>& ws, const Dims& d, const SequenceInputs<T>& in, int64_t t) {
  const int64_t B = d.B, L = d.L, D = d.D;
  T* xT = ws.xT.data();
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < D; ++i) xT[i * B + b] = in.x[(b * L + t) * D + i];
  const T K = static_cast<T>(m.K);
  for (int64_t b = 0; b < B; ++b) ws.tsK[b] = in.ts[b * L + t] / K;
}

template <typename T>
void sequence_forward_impl(const Model<T>& m, Workspace<T>& ws, const Dims& d, const SequenceInputs<T>& in, T* y, T* hT,
                           T* cT, T* tape) {
  const int64_t B = d.B, L = d.L, N = d.N, M = d.M, NB = N * B, stride = m.step_tape(B);
  transpose(in.h0, ws.h0T.data(), B, N);
  if (m.mixed) transpose(in.c0, ws.c0T.data(), B, N);
  const T *hp = ws.h0T.data(), *cp = ws.c0T.data();
  for (int64_t t = 0; t < L; ++t) {
    load_step(m, ws, d, in, t);
    T* P = tape ? tape + t * stride : ws.step.data();
    forward_step(m, ws, B, ws.xT.data(), hp, cp, P);
    StepTape<T> tp(m, B, P);
    const T* VK = tp.V + m.K * NB;
    for (int64_t b = 0; b < B; ++b)
      for (int64_t j = 0; j < M; ++j) y[(b * L + t) * M + j] = VK[j * B + b] * m.out_w[j] + m.out_b[j];
    hp = VK;
    cp = tp.c;
  }
  transpose(hp, hT, N, B);
  if (m.mixed) transpose(cp, cT, N, B);
}

// LSTM backward for one step: G is d/dV[0] (the LSTM's h output), gC d/dc (updated to d/dc_prev). Writes
// d/dh_prev into Gprev (overwritten) and adds d/dx into dxT; weight gradients accumulate into g.
template <typename T>
void lstm_backward(const Model<T>& m, Workspace<T>& ws, int64_t B, const T* xT, const T* h_prev, const T* c_prev,
                   const T* gates, const T* c, const T* G, T* gC, T* Gprev, T* dxT, const MutPtrs<T>& g) {
  const int64_t N = m.N, D = m.D, NB = N * B, G4 = 4 * N;
  T* tc = ws.tmp.data();
  for (int64_t e = 0; e < NB; ++e) tc[e] = c[e];
  tanh_inplace(tc, NB);
  // The CfC kernel's cell backward (gate-major, one row of N * B values): dz, and gC becomes d/dc_prev.
  T* dz = ws.dz.data();
  ::fl::kernels::cfc::lstm_backward(1, static_cast<int>(NB), gates, c_prev, tc, G, gC, dz);
  std::fill(Gprev, Gprev + NB, T(0));
  T *gwi = g[kLstmWi], *gbi = g[kLstmBi], *gwr = g[kLstmWr];
  for (int64_t q = 0; q < G4; ++q) {
    const T* dzq = dz + q * B;
    gbi[q] += sum(dzq, B);
    for (int64_t i = 0; i < D; ++i) {
      gwi[q * D + i] += dot(dzq, xT + i * B, B);
      const T w = m.wi[q * D + i];
      T* dx = dxT + i * B;
      for (int64_t b = 0; b < B; ++b) dx[b] += w * dzq[b];
    }
    for (int64_t n = 0; n < N; ++n) {
      gwr[q * N + n] += dot(dzq, h_prev + n * B, B);
      const T w = m.wr[q * N + n];
      T* gp = Gprev + n * B;
      for (int64_t b = 0; b < B; ++b) gp[b] += w * dzq[b];
    }
  }
}

template <typename T>
void sequence_backward_impl(const Model<T>& m, Workspace<T>& ws, const Dims& d, const SequenceInputs<T>& in,
                            const T* tape, const T* gy, const T* ghT, const T* gcT, const MutPtrs<T>& g) {
  const int64_t B = d.B, L = d.L, D = d.D, N = d.N, M = d.M, K = m.K, NB = N * B, DB = D * B;
  const int64_t stride = m.step_tape(B);
  for (auto* acc :
       {&ws.acc_rec, &ws.acc_sens, &ws.acc_gl, &ws.acc_vl, &ws.acc_cm, &ws.acc_ow, &ws.acc_ob, &ws.acc_iw, &ws.acc_ib})
    std::fill(acc->begin(), acc->end(), T(0));
  if (m.mixed) {
    std::fill(g[kLstmWi], g[kLstmWi] + 4 * N * D, T(0));
    std::fill(g[kLstmBi], g[kLstmBi] + 4 * N, T(0));
    std::fill(g[kLstmWr], g[kLstmWr] + 4 * N * N, T(0));
  }
  transpose(in.h0, ws.h0T.data(), B, N);
  if (m.mixed) transpose(in.c0, ws.c0T.data(), B, N);
  T *G = ws.G.data(), *G2 = ws.G2.data(), *gC = ws.gC.data();
  transpose(ghT, G, B, N);
  if (m.mixed) transpose(gcT, gC, B, N);
  T *dnum = ws.num.data(), *dden = ws.den.data(), *S = ws.S.data(), *Q = ws.Q.data();
  T *Sdnum = ws.Sdnum.data(), *Sdden = ws.Sdden.data(), *cmt = ws.cmt.data(), *xm = ws.xm.data();
  T *dxm = ws.dxm.data(), *dxT = ws.dxT.data(), *tsK = ws.tsK.data();

  for (int64_t t = L - 1; t >= 0; --t) {
    load_step(m, ws, d, in, t);
    const T* xT = ws.xT.data();
    StepTape<T> tp(m, B, const_cast<T*>(tape) + t * stride);
    for (int64_t i = 0; i < D; ++i)
      for (int64_t b = 0; b < B; ++b) xm[i * B + b] = xT[i * B + b] * m.in_w[i] + m.in_b[i];
    for (int64_t j = 0; j < N; ++j)
      for (int64_t b = 0; b < B; ++b) cmt[j * B + b] = m.cm[j] / tsK[b];

    // Output mapping.
    const T* VK = tp.V + K * NB;
    for (int64_t j = 0; j < M; ++j)
      for (int64_t b = 0; b < B; ++b) {
        const T gyv = gy[(b * L + t) * M + j];
        const int64_t e = j * B + b;
        G[e] += gyv * m.out_w[j];
        ws.acc_ow[e] += gyv * VK[e];
        ws.acc_ob[e] += gyv;
      }

    // The unfolds, last first: v' = numer / denom.
    std::fill(Q, Q + NB, T(0));
    std::fill(Sdnum, Sdnum + NB, T(0));
    std::fill(Sdden, Sdden + NB, T(0));
    for (int64_t k = K - 1; k >= 0; --k) {
      const T* V = tp.V + k * NB;
      const T* Vn = V + NB;
      const T* Dinv = tp.Dinv + k * NB;
      for (int64_t e = 0; e < NB; ++e) {
        const T dn = G[e] * Dinv[e];
        const T dd = -dn * Vn[e];
        dnum[e] = dn;
        dden[e] = dd;
        G2[e] = dn * cmt[e];
        Q[e] += dn * V[e] + dd;
        Sdnum[e] += dn;
        Sdden[e] += dd;
      }
      synapse_backward(m.rec, V, B, S, dnum, dden, G2, ws.acc_rec.data());
      std::swap(G, G2);
    }
    T* gts = g[kTs];
    for (int64_t b = 0; b < B; ++b) ws.tmp[b] = 0;
    for (int64_t j = 0; j < N; ++j) {
      const T vl = m.vleak[j], gl = m.gl[j];
      for (int64_t b = 0; b < B; ++b) {
        const int64_t e = j * B + b;
        ws.acc_cm[e] += Q[e] / tsK[b];
        ws.tmp[b] -= Q[e] * cmt[e];
        ws.acc_gl[e] += Sdnum[e] * vl + Sdden[e];
        ws.acc_vl[e] += Sdnum[e] * gl;
      }
    }
    for (int64_t b = 0; b < B; ++b) gts[b * L + t] = ws.tmp[b] / in.ts[b * L + t];  // d cmt / d ts = -cmt / ts

    // Sensory synapses (their sums enter every unfold) and the input mapping.
    std::fill(dxm, dxm + DB, T(0));
    synapse_backward(m.sens, xm, B, S, Sdnum, Sdden, dxm, ws.acc_sens.data());
    for (int64_t i = 0; i < D; ++i)
      for (int64_t b = 0; b < B; ++b) {
        const int64_t e = i * B + b;
        dxT[e] = dxm[e] * m.in_w[i];
        ws.acc_iw[e] += dxm[e] * xT[e];
        ws.acc_ib[e] += dxm[e];
      }

    // The LSTM memory, or the state passed straight through.
    if (m.mixed) {
      const T* h_prev = t > 0 ? StepTape<T>(m, B, const_cast<T*>(tape) + (t - 1) * stride).V + K * NB : ws.h0T.data();
      const T* c_prev = t > 0 ? StepTape<T>(m, B, const_cast<T*>(tape) + (t - 1) * stride).c : ws.c0T.data();
      lstm_backward(m, ws, B, xT, h_prev, c_prev, tp.gates, tp.c, G, gC, G2, dxT, g);
      std::swap(G, G2);
    }
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = 0; i < D; ++i) g[kX][(b * L + t) * D + i] = dxT[i * B + b];
  }
  transpose(G, g[kH0], N, B);
  if (m.mixed) transpose(gC, g[kC0], N, B);

  // Reduce the per-sample accumulators into the parameter gradients.
  for (int s : {kSigma, kMu, kW, kErev, kMask}) std::fill(g[s], g[s] + N * N, T(0));
  for (int s : {kSensorySigma, kSensoryMu, kSensoryW, kSensoryErev, kSensoryMask}) std::fill(g[s], g[s] + D * N, T(0));
  synapse_grads(m.rec, ws.acc_rec.data(), B, g[kSigma], g[kMu], g[kW], g[kErev]);
  synapse_grads(m.sens, ws.acc_sens.data(), B, g[kSensorySigma], g[kSensoryMu], g[kSensoryW], g[kSensoryErev]);
  for (int64_t j = 0; j < N; ++j) {
    g[kGleak][j] = m.dgl[j] * sum(ws.acc_gl.data() + j * B, B);
    g[kVleak][j] = sum(ws.acc_vl.data() + j * B, B);
    g[kCm][j] = m.dcm[j] * sum(ws.acc_cm.data() + j * B, B);
  }
  for (int64_t j = 0; j < M; ++j) {
    g[kOutputW][j] = sum(ws.acc_ow.data() + j * B, B);
    g[kOutputB][j] = sum(ws.acc_ob.data() + j * B, B);
  }
  for (int64_t i = 0; i < D; ++i) {
    g[kInputW][i] = sum(ws.acc_iw.data() + i * B, B);
    g[kInputB][i] = sum(ws.acc_ib.data() + i * B, B);
  }
}

template <typename T>
void step_impl(const Model<T>& m, Workspace<T>& ws, int64_t B, const T* x, T* h, T* c, T dt, T* y) {
  const int64_t N = m.N, NB = N * B;
  const T* xT = x;
  const T *hp = h, *cp = c;
  if (B > 1) {
    transpose(x, ws.xT.data(), B, m.D);
    transpose(h, ws.h0T.data(), B, N);
    if (m.mixed) transpose(c, ws.c0T.data(), B, N);
    xT = ws.xT.data();
    hp = ws.h0T.data();
    cp = ws.c0T.data();
  }
  const T tsK = dt / static_cast<T>(m.K);
  for (int64_t b = 0; b < B; ++b) ws.tsK[b] = tsK;
  T* P = ws.step.data();
  forward_step(m, ws, B, xT, hp, cp, P);
  StepTape<T> tp(m, B, P);
  const T* VK = tp.V + m.K * NB;
  if (y)
    for (int64_t b = 0; b < B; ++b)
      for (int64_t j = 0; j < m.M; ++j) y[b * m.M + j] = VK[j * B + b] * m.out_w[j] + m.out_b[j];
  transpose(VK, h, N, B);
  if (m.mixed) transpose(tp.c, c, N, B);
}

}  // namespace fl::kernels::ltc::FL_LTC_ISA
