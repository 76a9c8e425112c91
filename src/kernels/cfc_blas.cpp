// Row-major GEMM for the CfC kernel on the BLAS that src/kernels/gemm.cpp links (MKL in this project's builds),
// with a plain loop when the build has none. At the kernel's sizes (32 x 128 x 256 per step) MKL runs at
// 110-160 GFLOP/s on one core here, which hand-written loops do not beat.
#include <algorithm>

#include "kernels/cfc_elementwise.h"

#if defined(FL_BLAS_MKL) || defined(FL_BLAS_GENERIC)
extern "C" {
void sgemm_(const char*, const char*, const int*, const int*, const int*, const float*, const float*, const int*,
            const float*, const int*, const float*, float*, const int*);
void dgemm_(const char*, const char*, const int*, const int*, const int*, const double*, const double*, const int*,
            const double*, const int*, const double*, double*, const int*);
#if defined(FL_BLAS_MKL)
int MKL_Set_Num_Threads_Local(int);
#endif
}
#endif

namespace fl::kernels::cfc {
namespace {

template <typename T>
void gemm_impl(bool ta, bool tb, int M, int N, int K, T alpha, const T* A, int lda, const T* B, int ldb, T beta, T* C,
               int ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < N; ++j) C[static_cast<size_t>(i) * ldc + j] *= beta;
    return;
  }
#if defined(FL_BLAS_MKL) || defined(FL_BLAS_GENERIC)
  // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: BLAS gets (B, A) with m = N, n = M.
  const char ca = ta ? 'T' : 'N', cb = tb ? 'T' : 'N';
  if constexpr (sizeof(T) == 4)
    sgemm_(&cb, &ca, &N, &M, &K, &alpha, B, &ldb, A, &lda, &beta, C, &ldc);
  else
    dgemm_(&cb, &ca, &N, &M, &K, &alpha, B, &ldb, A, &lda, &beta, C, &ldc);
#else
  for (int i = 0; i < M; ++i) {
    T* c = C + static_cast<size_t>(i) * ldc;
    for (int j = 0; j < N; ++j) c[j] = beta == T(0) ? T(0) : c[j] * beta;
    for (int k = 0; k < K; ++k) {
      T a = alpha * (ta ? A[static_cast<size_t>(k) * lda + i] : A[static_cast<size_t>(i) * lda + k]);
      if (tb)
        for (int j = 0; j < N; ++j) c[j] += a * B[static_cast<size_t>(j) * ldb + k];
      else
        for (int j = 0; j < N; ++j) c[j] += a * B[static_cast<size_t>(k) * ldb + j];
    }
  }
#endif
}

}  // namespace

void gemm(bool ta, bool tb, int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb,
          float beta, float* C, int ldc) {
  gemm_impl(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
void gemm(bool ta, bool tb, int M, int N, int K, double alpha, const double* A, int lda, const double* B, int ldb,
          double beta, double* C, int ldc) {
  gemm_impl(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

#if defined(FL_BLAS_MKL)
SingleThreadBlas::SingleThreadBlas() : prev_(MKL_Set_Num_Threads_Local(1)) {}
SingleThreadBlas::~SingleThreadBlas() { MKL_Set_Num_Threads_Local(prev_); }
#else
SingleThreadBlas::SingleThreadBlas() = default;
SingleThreadBlas::~SingleThreadBlas() = default;
#endif

}  // namespace fl::kernels::cfc
