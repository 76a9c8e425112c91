// The CfC kernel's elementwise passes (activations, the gate / pure heads, the LSTM cell) and the small dense
// helpers, for float (vectorised, with one clone per x86-64 level) and double (libm, exact to the ulp).
#pragma once
#include "kernels/cfc_kernel.h"

namespace fl::kernels::cfc {

// Every pass reads `ts` (the elapsed time of row r at ts[r * ts_stride]; null means 1.0) and writes the new hidden
// state of row r at h[r * ldh + j].
#define FL_CFC_ELEMENTWISE(T)                                                                                         \
  /* z = act(z + b) over rows x cols in place; deriv (nullable) = act'(z + b). */                                     \
  void act_forward(Act act, int rows, int cols, const T* b, T* z, T* deriv);                                          \
  /* out = a * b elementwise. */                                                                                      \
  void mul(size_t n, const T* a, const T* b, T* out);                                                                 \
  /* P (rows x 4H: ff1, ff2, time_a, time_b pre-bias) becomes [tanh ff1, tanh ff2, time_a, gate]; fused (null */      \
  /* ts): P (rows x 3H: ff1, ff2, time_a + time_b) becomes [tanh ff1, tanh ff2, gate]. dP has P's layout. */          \
  void gate_forward(bool no_gate, bool fused, int rows, int H, const T* bias, const T* ts, int ts_stride, T* P, T* h, \
                    int ldh);                                                                                         \
  void gate_backward(bool no_gate, bool fused, int rows, int H, const T* save, const T* ts, int ts_stride,            \
                     const T* dh, int lddh, T* dP, T* dts);                                                           \
  /* save (rows x 2H): a1 pre-bias in the first H columns; a1 and e = exp(-ts (|w_tau| + |a1|)) after. */             \
  void pure_forward(int rows, int H, const T* b1, const T* w_tau, const T* A, const T* ts, int ts_stride, T* save,    \
                    T* h, int ldh);                                                                                   \
  void pure_backward(int rows, int H, const T* save, const T* w_tau, const T* A, const T* ts, int ts_stride,          \
                     const T* dh, int lddh, T* dP, T* dts, T* dA, T* dw_tau);                                         \
  /* Z (rows x 4N pre-bias; bias may be null) becomes [tanh i, s(ig), s(fg + 1), s(og)]; c, h, tanh(c) */             \
  /* are written (c updated in place). The LTC kernel shares it (one row of N * B gate-major values).  */             \
  void lstm_forward(int rows, int N, const T* bias, T* Z, T* c, T* h, T* tanhc);                                      \
  void lstm_backward(int rows, int N, const T* gates, const T* cprev, const T* tanhc, const T* dh, T* dc, T* dZ);     \
  /* out[j] += sum over rows of A[r * lda + j]. */                                                                    \
  void colsum(int rows, int cols, const T* A, int lda, T* out);                                                       \
  /* y = Wt^T x (+ y when accumulate) for Wt (n_in x n_out): the single-step product. */                              \
  void gemv_t(int n_in, int n_out, const T* Wt, const T* x, bool accumulate, T* y);

FL_CFC_ELEMENTWISE(float)
FL_CFC_ELEMENTWISE(double)
#undef FL_CFC_ELEMENTWISE

/// Row-major C (M x N) = alpha op(A) op(B) + beta C, on BLAS when the build has one.
void gemm(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb,
          float beta, float* C, int ldc);
void gemm(bool ta, bool tb, int M, int N, int K, double alpha, const double* A, int lda, const double* B, int ldb,
          double beta, double* C, int ldc);

/// One product of fixed shape, leading dimensions and beta (alpha = 1), as the per-step products are: generated
/// once by MKL's JIT and cached process-wide (about 1.3-2x faster than the general entry point at 32 rows), the
/// plain gemm where there is no JIT (other BLAS, shapes the JIT declines, a full cache).
template <typename T>
class FixedGemm {
 public:
  FixedGemm(bool ta, bool tb, int M, int N, int K, int lda, int ldb, T beta, int ldc);
  void operator()(const T* A, const T* B, T* C) const;

 private:
  bool ta_, tb_;
  int M_, N_, K_, lda_, ldb_, ldc_;
  T beta_;
  void* jitter_ = nullptr;
  void (*kernel_)(void*, T*, T*, T*) = nullptr;
};

/// Keeps BLAS on the calling thread while alive: the per-step products are far too small to split.
class SingleThreadBlas {
 public:
  SingleThreadBlas();
  ~SingleThreadBlas();
  SingleThreadBlas(const SingleThreadBlas&) = delete;
  SingleThreadBlas& operator=(const SingleThreadBlas&) = delete;

 private:
  int prev_ = 0;
};

}  // namespace fl::kernels::cfc
