// Elementwise passes of the CfC kernel. Each is a plain loop over contiguous rows that GCC vectorises; the float
// versions are compiled once per x86-64 level (AVX-512, AVX2+FMA, baseline) and picked at load time, because the
// build itself targets generic x86-64. Float uses the branch-free exp/tanh below (a few ulp; libm's are scalar
// calls that block vectorisation); double uses libm, so float64 results match PyTorch to rounding.
#include "kernels/cfc_elementwise.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels/target_clones.h"

#define FL_INLINE [[gnu::always_inline]] inline

namespace fl::kernels::cfc {
namespace {

// Cephes' expf: 2^n e^r with |r| <= ln2/2, n built in the exponent bits. Inputs are clamped to [-87, 88] (with
// min/max, which GCC vectorises as such; a ternary makes it mask the whole computation), so the result stays a
// normal float; sigmoid saturates long before that.
FL_INLINE float exp_approx(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  // Round to nearest by adding and removing 1.5 * 2^23 (floorf is a library call unless SSE4.1 is assumed).
  float n = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = x - n * 0.693359375f;
  r = r + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float e = p * r * r + r + 1.0f;
  return e * std::bit_cast<float>((static_cast<int32_t>(n) + 127) << 23);
}

// tanh as the 13/6 rational minimax approximation Eigen uses (ptanh_float): one division and no exp; relative error
// below 4e-7 everywhere. |x| >= 7.9 gives +-1 to float precision.
FL_INLINE float tanh_approx(float x) {
  constexpr float kClamp = 7.90531110763549805f;
  x = std::min(std::max(x, -kClamp), kClamp);
  const float x2 = x * x;
  float p = -2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 - 8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  float q = 1.19825839466702e-06f;
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return x * p / q;
}

FL_INLINE float exp_(float x) { return exp_approx(x); }
FL_INLINE double exp_(double x) { return std::exp(x); }
FL_INLINE float tanh_(float x) { return tanh_approx(x); }
FL_INLINE double tanh_(double x) { return std::tanh(x); }
template <typename T>
FL_INLINE T sigmoid_(T x) {
  return T(1) / (T(1) + exp_(-x));
}
template <typename T>
FL_INLINE T ts_of(const T* ts, int stride, int r) {
  return ts ? ts[static_cast<size_t>(r) * stride] : T(1);
}

template <typename T>
FL_INLINE void act_forward_impl(Act act, int rows, int cols, const T* b, T* z, T* deriv) {
  for (int r = 0; r < rows; ++r) {
    T* zr = z + static_cast<size_t>(r) * cols;
    T* dr = deriv ? deriv + static_cast<size_t>(r) * cols : nullptr;
    switch (act) {
      case Act::LeCunTanh:  // 1.7159 tanh(0.666 x), ncps's LeCun module
        for (int j = 0; j < cols; ++j) {
          T t = tanh_(T(0.666) * (zr[j] + b[j]));
          zr[j] = T(1.7159) * t;
          if (dr) dr[j] = T(1.7159) * T(0.666) * (T(1) - t * t);
        }
        break;
      case Act::Tanh:
        for (int j = 0; j < cols; ++j) {
          T t = tanh_(zr[j] + b[j]);
          zr[j] = t;
          if (dr) dr[j] = T(1) - t * t;
        }
        break;
      case Act::ReLU:
        for (int j = 0; j < cols; ++j) {
          T v = zr[j] + b[j];
          zr[j] = v > T(0) ? v : T(0);
          if (dr) dr[j] = v > T(0) ? T(1) : T(0);
        }
        break;
      case Act::SiLU:
        for (int j = 0; j < cols; ++j) {
          T v = zr[j] + b[j];
          T s = sigmoid_(v);
          zr[j] = v * s;
          if (dr) dr[j] = s * (T(1) + v * (T(1) - s));
        }
        break;
      case Act::GELU:  // exact (erf) GELU, torch.nn.GELU()'s default
        for (int j = 0; j < cols; ++j) {
          T v = zr[j] + b[j];
          T cdf = T(0.5) * (T(1) + std::erf(v * T(0.70710678118654752440)));
          zr[j] = v * cdf;
          if (dr) dr[j] = cdf + v * T(0.39894228040143267794) * std::exp(T(-0.5) * v * v);
        }
        break;
    }
  }
}

// P rows hold the stacked head products: [ff1, ff2, time_a, time_b] (4H), or with `fused` [ff1, ff2, time] (3H)
// where time = (W_a + W_b) x + (b_a + b_b) is time_a * 1 + time_b for unit elapsed times (ts must be null then).
// The saved values are [tanh ff1, tanh ff2, time_a, gate], or [tanh ff1, tanh ff2, gate].
template <typename T, bool no_gate, bool fused>
FL_INLINE void gate_forward_impl(int rows, int H, const T* __restrict bias, const T* ts, int ts_stride, T* __restrict P,
                                 T* __restrict h, int ldh) {
  constexpr int W = fused ? 3 : 4, G = W - 1;  // blocks per row; the gate's block
  const T *b1 = bias, *b2 = bias + H, *ba = bias + 2 * H, *bb = bias + 3 * H;
  for (int r = 0; r < rows; ++r) {
    T* __restrict p = P + static_cast<size_t>(r) * W * H;
    T* __restrict hr = h + static_cast<size_t>(r) * ldh;
    const T t = ts_of(ts, ts_stride, r);
    for (int j = 0; j < H; ++j) {
      T f1 = tanh_(p[j] + b1[j]);
      T f2 = tanh_(p[H + j] + b2[j]);
      T ta = p[2 * H + j] + ba[j];
      T g = fused ? sigmoid_(ta) : sigmoid_(ta * t + (p[3 * H + j] + bb[j]));
      hr[j] = no_gate ? f1 + g * f2 : f1 * (T(1) - g) + g * f2;
      p[j] = f1;
      p[H + j] = f2;
      if (!fused) p[2 * H + j] = ta;
      p[G * H + j] = g;
    }
  }
}

template <typename T, bool no_gate, bool fused>
FL_INLINE void gate_backward_impl(int rows, int H, const T* __restrict save, const T* ts, int ts_stride,
                                  const T* __restrict dh, int lddh, T* __restrict dP, T* __restrict dts) {
  constexpr int W = fused ? 3 : 4, G = W - 1;
  for (int r = 0; r < rows; ++r) {
    const T* __restrict s = save + static_cast<size_t>(r) * W * H;
    const T* __restrict d = dh + static_cast<size_t>(r) * lddh;
    T* __restrict o = dP + static_cast<size_t>(r) * W * H;
    const T t = ts_of(ts, ts_stride, r);
    for (int j = 0; j < H; ++j) {
      T f1 = s[j], f2 = s[H + j], g = s[G * H + j], dhj = d[j];
      T df1 = no_gate ? dhj : dhj * (T(1) - g);
      T df2 = dhj * g;
      T dg = no_gate ? dhj * f2 : dhj * (f2 - f1);
      T dz = dg * g * (T(1) - g);
      o[j] = df1 * (T(1) - f1 * f1);
      o[H + j] = df2 * (T(1) - f2 * f2);
      if (!fused) o[2 * H + j] = dz * t;
      o[G * H + j] = dz;
    }
    // d ts = sum_j dz time_a, apart so that the loop above has no (order-sensitive) reduction.
    if (!fused && dts) {
      T acc = 0;
      for (int j = 0; j < H; ++j) acc += o[3 * H + j] * s[2 * H + j];
      dts[static_cast<size_t>(r) * ts_stride] += acc;
    }
  }
}

template <typename T>
FL_INLINE T sign_(T v) {
  return T(v > T(0)) - T(v < T(0));
}

template <typename T>
FL_INLINE void pure_forward_impl(int rows, int H, const T* __restrict b1, const T* __restrict w_tau,
                                 const T* __restrict A, const T* ts, int ts_stride, T* __restrict save, T* __restrict h,
                                 int ldh) {
  for (int r = 0; r < rows; ++r) {
    T* __restrict s = save + static_cast<size_t>(r) * 2 * H;
    T* __restrict hr = h + static_cast<size_t>(r) * ldh;
    const T t = ts_of(ts, ts_stride, r);
    for (int j = 0; j < H; ++j) {
      T a1 = s[j] + b1[j];
      T e = exp_(-t * (std::fabs(w_tau[j]) + std::fabs(a1)));
      hr[j] = -A[j] * e * a1 + A[j];
      s[j] = a1;
      s[H + j] = e;
    }
  }
}

template <typename T>
FL_INLINE void pure_backward_impl(int rows, int H, const T* __restrict save, const T* __restrict w_tau,
                                  const T* __restrict A, const T* ts, int ts_stride, const T* __restrict dh, int lddh,
                                  T* __restrict dP, T* __restrict dts, T* __restrict dA, T* __restrict dw_tau) {
  for (int r = 0; r < rows; ++r) {
    const T* __restrict s = save + static_cast<size_t>(r) * 2 * H;
    const T* __restrict d = dh + static_cast<size_t>(r) * lddh;
    T* __restrict o = dP + static_cast<size_t>(r) * H;
    const T t = ts_of(ts, ts_stride, r);
    for (int j = 0; j < H; ++j) {
      T a1 = s[j], e = s[H + j], dhj = d[j];
      T de = -dhj * A[j] * a1;  // d h / d e
      T dsum = de * e * (-t);   // d h / d(|w_tau| + |a1|)
      o[j] = -dhj * A[j] * e + dsum * sign_(a1);
      dA[j] += dhj * (T(1) - e * a1);
      dw_tau[j] += dsum * sign_(w_tau[j]);
    }
    if (dts) {  // d ts = sum_j d e * e * -(|w_tau| + |a1|)
      T acc = 0;
      for (int j = 0; j < H; ++j) acc += -d[j] * A[j] * s[j] * s[H + j] * -(std::fabs(w_tau[j]) + std::fabs(s[j]));
      dts[static_cast<size_t>(r) * ts_stride] += acc;
    }
  }
}

// Without a bias (null), Z already holds the full pre-activations (the LTC kernel adds its bias in its products).
template <typename T, bool HasBias>
FL_INLINE void lstm_forward_impl(int rows, int N, const T* __restrict bias, T* __restrict Z, T* __restrict c,
                                 T* __restrict h, T* __restrict tanhc) {
  auto b = [bias](int k) { return HasBias ? bias[k] : T(0); };
  for (int r = 0; r < rows; ++r) {
    T* __restrict z = Z + static_cast<size_t>(r) * 4 * N;
    T* __restrict cr = c + static_cast<size_t>(r) * N;
    T* __restrict hr = h + static_cast<size_t>(r) * N;
    T* __restrict tr = tanhc + static_cast<size_t>(r) * N;
    for (int j = 0; j < N; ++j) {
      T ti = tanh_(z[j] + b(j));
      T si = sigmoid_(z[N + j] + b(N + j));
      T sf = sigmoid_(z[2 * N + j] + b(2 * N + j) + T(1));
      T so = sigmoid_(z[3 * N + j] + b(3 * N + j));
      T cn = cr[j] * sf + ti * si;
      T tc = tanh_(cn);
      cr[j] = cn;
      tr[j] = tc;
      hr[j] = tc * so;
      z[j] = ti;
      z[N + j] = si;
      z[2 * N + j] = sf;
      z[3 * N + j] = so;
    }
  }
}

template <typename T>
FL_INLINE void lstm_backward_impl(int rows, int N, const T* __restrict gates, const T* __restrict cprev,
                                  const T* __restrict tanhc, const T* __restrict dh, T* __restrict dc,
                                  T* __restrict dZ) {
  for (int r = 0; r < rows; ++r) {
    const T* __restrict g = gates + static_cast<size_t>(r) * 4 * N;
    const T* __restrict cp = cprev + static_cast<size_t>(r) * N;
    const T* __restrict tc = tanhc + static_cast<size_t>(r) * N;
    const T* __restrict d = dh + static_cast<size_t>(r) * N;
    T* __restrict dcr = dc + static_cast<size_t>(r) * N;
    T* __restrict o = dZ + static_cast<size_t>(r) * 4 * N;
    for (int j = 0; j < N; ++j) {
      T ti = g[j], si = g[N + j], sf = g[2 * N + j], so = g[3 * N + j];
      T dcn = dcr[j] + d[j] * so * (T(1) - tc[j] * tc[j]);
      o[j] = dcn * si * (T(1) - ti * ti);
      o[N + j] = dcn * ti * si * (T(1) - si);
      o[2 * N + j] = dcn * cp[j] * sf * (T(1) - sf);
      o[3 * N + j] = d[j] * tc[j] * so * (T(1) - so);
      dcr[j] = dcn * sf;
    }
  }
}

template <typename T>
FL_INLINE void colsum_impl(int rows, int cols, const T* __restrict A, int lda, T* __restrict out) {
  for (int r = 0; r < rows; ++r) {
    const T* a = A + static_cast<size_t>(r) * lda;
    for (int j = 0; j < cols; ++j) out[j] += a[j];
  }
}

// y[j0, j0 + W) with the accumulators in registers across the whole input sweep (W / (64 / sizeof(T)) vector
// registers: enough independent FMA chains to hide their latency).
template <typename T, int W>
FL_INLINE void gemv_block(int n_in, int n_out, const T* __restrict Wt, const T* __restrict x, bool accumulate,
                          T* __restrict y, int j0) {
  T acc[W];
  for (int j = 0; j < W; ++j) acc[j] = accumulate ? y[j0 + j] : T(0);
  for (int i = 0; i < n_in; ++i) {
    const T xi = x[i];
    const T* __restrict w = Wt + static_cast<size_t>(i) * n_out + j0;
    for (int j = 0; j < W; ++j) acc[j] += xi * w[j];
  }
  for (int j = 0; j < W; ++j) y[j0 + j] = acc[j];
}

template <typename T>
FL_INLINE void gemv_t_impl(int n_in, int n_out, const T* Wt, const T* x, bool accumulate, T* y) {
  // Blocks of 16, 8, 4, 2 and 1 vectors of 64 bytes: the widest sweeps whole 1 KB rows, which streams best from L2;
  // the others take the rest with as many independent FMA chains as its width allows (a lone vector's chain is
  // bound by the FMA latency: 192 outputs as 128 + 4 x 16 ran ~2x slower than as 128 + 64).
  constexpr int V = 64 / sizeof(T);
  int j0 = 0;
  for (; j0 + 16 * V <= n_out; j0 += 16 * V) gemv_block<T, 16 * V>(n_in, n_out, Wt, x, accumulate, y, j0);
  for (; j0 + 8 * V <= n_out; j0 += 8 * V) gemv_block<T, 8 * V>(n_in, n_out, Wt, x, accumulate, y, j0);
  if (j0 + 4 * V <= n_out) gemv_block<T, 4 * V>(n_in, n_out, Wt, x, accumulate, y, j0), j0 += 4 * V;
  if (j0 + 2 * V <= n_out) gemv_block<T, 2 * V>(n_in, n_out, Wt, x, accumulate, y, j0), j0 += 2 * V;
  if (j0 + V <= n_out) gemv_block<T, V>(n_in, n_out, Wt, x, accumulate, y, j0), j0 += V;
  for (; j0 < n_out; ++j0) gemv_block<T, 1>(n_in, n_out, Wt, x, accumulate, y, j0);
}

template <typename T>
FL_INLINE void mul_impl(size_t n, const T* a, const T* b, T* out) {
  for (size_t i = 0; i < n; ++i) out[i] = a[i] * b[i];
}

}  // namespace

// One definition per dtype: the float one carries the clones.
#define FL_CFC_DEFINE(T, ATTR)                                                                                       \
  ATTR void act_forward(Act act, int rows, int cols, const T* b, T* z, T* deriv) {                                   \
    act_forward_impl<T>(act, rows, cols, b, z, deriv);                                                               \
  }                                                                                                                  \
  ATTR void mul(size_t n, const T* a, const T* b, T* out) { mul_impl<T>(n, a, b, out); }                             \
  ATTR void gate_forward(bool no_gate, bool fused, int rows, int H, const T* bias, const T* ts, int ts_stride, T* P, \
                         T* h, int ldh) {                                                                            \
    if (fused)                                                                                                       \
      no_gate ? gate_forward_impl<T, true, true>(rows, H, bias, ts, ts_stride, P, h, ldh)                            \
              : gate_forward_impl<T, false, true>(rows, H, bias, ts, ts_stride, P, h, ldh);                          \
    else                                                                                                             \
      no_gate ? gate_forward_impl<T, true, false>(rows, H, bias, ts, ts_stride, P, h, ldh)                           \
              : gate_forward_impl<T, false, false>(rows, H, bias, ts, ts_stride, P, h, ldh);                         \
  }                                                                                                                  \
  ATTR void gate_backward(bool no_gate, bool fused, int rows, int H, const T* save, const T* ts, int ts_stride,      \
                          const T* dh, int lddh, T* dP, T* dts) {                                                    \
    if (fused)                                                                                                       \
      no_gate ? gate_backward_impl<T, true, true>(rows, H, save, ts, ts_stride, dh, lddh, dP, dts)                   \
              : gate_backward_impl<T, false, true>(rows, H, save, ts, ts_stride, dh, lddh, dP, dts);                 \
    else                                                                                                             \
      no_gate ? gate_backward_impl<T, true, false>(rows, H, save, ts, ts_stride, dh, lddh, dP, dts)                  \
              : gate_backward_impl<T, false, false>(rows, H, save, ts, ts_stride, dh, lddh, dP, dts);                \
  }                                                                                                                  \
  ATTR void pure_forward(int rows, int H, const T* b1, const T* w_tau, const T* A, const T* ts, int ts_stride,       \
                         T* save, T* h, int ldh) {                                                                   \
    pure_forward_impl<T>(rows, H, b1, w_tau, A, ts, ts_stride, save, h, ldh);                                        \
  }                                                                                                                  \
  ATTR void pure_backward(int rows, int H, const T* save, const T* w_tau, const T* A, const T* ts, int ts_stride,    \
                          const T* dh, int lddh, T* dP, T* dts, T* dA, T* dw_tau) {                                  \
    pure_backward_impl<T>(rows, H, save, w_tau, A, ts, ts_stride, dh, lddh, dP, dts, dA, dw_tau);                    \
  }                                                                                                                  \
  ATTR void lstm_forward(int rows, int N, const T* bias, T* Z, T* c, T* h, T* tanhc) {                               \
    if (bias)                                                                                                        \
      lstm_forward_impl<T, true>(rows, N, bias, Z, c, h, tanhc);                                                     \
    else                                                                                                             \
      lstm_forward_impl<T, false>(rows, N, bias, Z, c, h, tanhc);                                                    \
  }                                                                                                                  \
  ATTR void lstm_backward(int rows, int N, const T* gates, const T* cprev, const T* tanhc, const T* dh, T* dc,       \
                          T* dZ) {                                                                                   \
    lstm_backward_impl<T>(rows, N, gates, cprev, tanhc, dh, dc, dZ);                                                 \
  }                                                                                                                  \
  ATTR void colsum(int rows, int cols, const T* A, int lda, T* out) { colsum_impl<T>(rows, cols, A, lda, out); }     \
  ATTR void gemv_t(int n_in, int n_out, const T* Wt, const T* x, bool accumulate, T* y) {                            \
    gemv_t_impl<T>(n_in, n_out, Wt, x, accumulate, y);                                                               \
  }

FL_CFC_DEFINE(float, FL_TARGET_CLONES)
FL_CFC_DEFINE(double, FL_TARGET_CLONES)
#undef FL_CFC_DEFINE

}  // namespace fl::kernels::cfc
