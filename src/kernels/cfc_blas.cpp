// Row-major GEMM for the CfC kernel on the BLAS that src/kernels/gemm.cpp links (MKL in this project's builds),
// with a plain loop when the build has none. At the kernel's sizes (32 x 128 x 256 per step) MKL runs at
// 110-160 GFLOP/s on one core here, which hand-written loops do not beat.
#include <algorithm>
#include <map>
#include <mutex>
#include <tuple>

#include "kernels/cfc_elementwise.h"

#if defined(FL_BLAS_MKL) || defined(FL_BLAS_GENERIC)
extern "C" {
void sgemm_(const char*, const char*, const int*, const int*, const int*, const float*, const float*, const int*,
            const float*, const int*, const float*, float*, const int*);
void dgemm_(const char*, const char*, const int*, const int*, const int*, const double*, const double*, const int*,
            const double*, const int*, const double*, double*, const int*);
#if defined(FL_BLAS_MKL)
int MKL_Set_Num_Threads_Local(int);
// MKL's JIT for small GEMMs (mkl.h is not in the wheel): status 0 generated, 1 falls back to plain gemm, 2 error.
int mkl_cblas_jit_create_sgemm(void**, int, int, int, int, int, int, float, int, int, float, int);
int mkl_cblas_jit_create_dgemm(void**, int, int, int, int, int, int, double, int, int, double, int);
void (*mkl_jit_get_sgemm_ptr(const void*))(void*, float*, float*, float*);
void (*mkl_jit_get_dgemm_ptr(const void*))(void*, double*, double*, double*);
int mkl_jit_destroy(void*);
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
namespace {
// Generated kernels by (dtype, shape, leading dims, beta); kept for the process (a few KB each, bounded).
using JitKey = std::tuple<int, bool, bool, int, int, int, int, int, int, bool>;
std::mutex jit_mutex;
std::map<JitKey, void*>& jit_cache() {
  static std::map<JitKey, void*> cache;
  return cache;
}
constexpr size_t kMaxJitKernels = 256;
constexpr int kRowMajor = 101, kNoTrans = 111, kTrans = 112;
}  // namespace

template <typename T>
FixedGemm<T>::FixedGemm(bool ta, bool tb, int M, int N, int K, int lda, int ldb, T beta, int ldc)
    : ta_(ta), tb_(tb), M_(M), N_(N), K_(K), lda_(lda), ldb_(ldb), ldc_(ldc), beta_(beta) {
  if (M <= 0 || N <= 0 || K <= 0 || (beta != T(0) && beta != T(1))) return;
  JitKey key{sizeof(T), ta, tb, M, N, K, lda, ldb, ldc, beta != T(0)};
  std::lock_guard<std::mutex> lock(jit_mutex);
  auto& cache = jit_cache();
  auto it = cache.find(key);
  if (it == cache.end()) {
    if (cache.size() >= kMaxJitKernels) return;
    void* jitter = nullptr;
    const int a = ta ? kTrans : kNoTrans, b = tb ? kTrans : kNoTrans;
    int status;
    if constexpr (sizeof(T) == 4)
      status = mkl_cblas_jit_create_sgemm(&jitter, kRowMajor, a, b, M, N, K, 1.0f, lda, ldb, beta, ldc);
    else
      status = mkl_cblas_jit_create_dgemm(&jitter, kRowMajor, a, b, M, N, K, 1.0, lda, ldb, beta, ldc);
    if (status == 1) mkl_jit_destroy(jitter);  // MKL declined (it would call its plain gemm): use ours
    it = cache.emplace(key, status == 0 ? jitter : nullptr).first;
  }
  if (!it->second) return;
  jitter_ = it->second;
  if constexpr (sizeof(T) == 4)
    kernel_ = mkl_jit_get_sgemm_ptr(jitter_);
  else
    kernel_ = mkl_jit_get_dgemm_ptr(jitter_);
}
#else
template <typename T>
FixedGemm<T>::FixedGemm(bool ta, bool tb, int M, int N, int K, int lda, int ldb, T beta, int ldc)
    : ta_(ta), tb_(tb), M_(M), N_(N), K_(K), lda_(lda), ldb_(ldb), ldc_(ldc), beta_(beta) {}
#endif

template <typename T>
void FixedGemm<T>::operator()(const T* A, const T* B, T* C) const {
  if (kernel_)
    kernel_(jitter_, const_cast<T*>(A), const_cast<T*>(B), C);  // MKL's signature lacks const
  else
    gemm(ta_, tb_, M_, N_, K_, T(1), A, lda_, B, ldb_, beta_, C, ldc_);
}

template class FixedGemm<float>;
template class FixedGemm<double>;

#if defined(FL_BLAS_MKL)
SingleThreadBlas::SingleThreadBlas() : prev_(MKL_Set_Num_Threads_Local(1)) {}
SingleThreadBlas::~SingleThreadBlas() { MKL_Set_Num_Threads_Local(prev_); }
#else
SingleThreadBlas::SingleThreadBlas() = default;
SingleThreadBlas::~SingleThreadBlas() = default;
#endif

}  // namespace fl::kernels::cfc
