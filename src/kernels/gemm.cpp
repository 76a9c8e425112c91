// BLAS choice: Intel MKL from PyPI's `mkl` wheel (pinned in requirements.txt, linked from the venv), with its GNU
// OpenMP threading layer. Measured on this project's machines (Xeon with AVX-512; 256..2048; float32/float64; 1
// and 2 threads), MKL matches PyTorch (which uses MKL itself) within a few percent. Debian's OpenBLAS 0.3.21 is
// within 5% for float32 on 1 thread but 10-30% slower for float64 and for 256-512 on 2 threads, and 35-50% slower
// everywhere with OPENBLAS_CORETYPE=Haswell (set here on some CPUs), which limits it to AVX2. Without MKL the build
// falls back to any BLAS CMake finds, and without one to mx::matmul.
#include "kernels/gemm.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include <mlx/allocator.h>
#include <mlx/backend/cpu/encoder.h>
#include <mlx/ops.h>
#include <mlx/primitives.h>

#include "kernels/line_array.h"

extern "C" {
// Fortran BLAS (column-major); every BLAS exports these.
void sgemm_(const char*, const char*, const int*, const int*, const int*, const float*, const float*, const int*,
            const float*, const int*, const float*, float*, const int*);
void dgemm_(const char*, const char*, const int*, const int*, const int*, const double*, const double*, const int*,
            const double*, const int*, const double*, double*, const int*);
#if defined(FL_BLAS_MKL)
// MKL's group-batched GEMM (one group: all products share sizes), parallel over the batch; LP64 ints.
void sgemm_batch(const char*, const char*, const int*, const int*, const int*, const float*, const float**,
                 const int*, const float**, const int*, const float*, float**, const int*, const int*, const int*);
void dgemm_batch(const char*, const char*, const int*, const int*, const int*, const double*, const double**,
                 const int*, const double**, const int*, const double*, double**, const int*, const int*, const int*);
void MKL_Set_Num_Threads(int);
int MKL_Get_Max_Threads(void);
#elif defined(FL_BLAS_GENERIC)
void openblas_set_num_threads(int) __attribute__((weak));
int openblas_get_num_threads(void) __attribute__((weak));
#endif
}

namespace fl::kernels {
namespace mx = mlx::core;

bool has_blas() {
#if defined(FL_BLAS_MKL) || defined(FL_BLAS_GENERIC)
  return true;
#else
  return false;
#endif
}

const char* blas_name() {
#if defined(FL_BLAS_MKL)
  return "mkl";
#elif defined(FL_BLAS_GENERIC)
  return openblas_get_num_threads ? "openblas" : "blas";
#else
  return "none";
#endif
}

int get_num_threads() {
#if defined(FL_BLAS_MKL)
  return MKL_Get_Max_Threads();
#elif defined(FL_BLAS_GENERIC)
  return openblas_get_num_threads ? openblas_get_num_threads() : 1;
#else
  return 1;
#endif
}

void set_num_threads(int n) {
  if (n < 1) throw std::invalid_argument("set_num_threads expects a positive number of threads");
#if defined(FL_BLAS_MKL)
  MKL_Set_Num_Threads(n);
#elif defined(FL_BLAS_GENERIC)
  if (openblas_set_num_threads) openblas_set_num_threads(n);
#endif
}

namespace {

// How column-major BLAS can read a rows x cols matrix with strides (s_row, s_col) without a copy: a row-major
// matrix is its transpose to BLAS ('N' where the product wants the transpose), a column-major one needs 'T'.
struct Operand {
  char trans;
  int64_t ld;
  bool direct;  // false: pack a row-major copy first
};
Operand classify(int64_t rows, int64_t cols, int64_t s_row, int64_t s_col) {
  int64_t r1 = std::max<int64_t>(rows, 1), c1 = std::max<int64_t>(cols, 1);
  if ((cols == 1 || s_col == 1) && (rows == 1 || s_row >= c1)) return {'N', rows == 1 ? c1 : s_row, true};
  if ((rows == 1 || s_row == 1) && (cols == 1 || s_col >= r1)) return {'T', cols == 1 ? r1 : s_col, true};
  return {'N', c1, false};
}

// Steps a multi-index over the batch dims, returning the element offsets of each matrix in a and b.
void batch_offsets(const mx::Shape& batch, const mx::Strides& sa, const mx::Strides& sb, std::vector<int64_t>& oa,
                   std::vector<int64_t>& ob) {
  size_t total = 1;
  for (int d : batch) total *= d;
  oa.resize(total);
  ob.resize(total);
  std::vector<int> idx(batch.size(), 0);
  int64_t pa = 0, pb = 0;
  for (size_t i = 0; i < total; ++i) {
    oa[i] = pa;
    ob[i] = pb;
    for (int d = static_cast<int>(batch.size()) - 1; d >= 0; --d) {
      pa += sa[d];
      pb += sb[d];
      if (++idx[d] < batch[d]) break;
      pa -= sa[d] * batch[d];
      pb -= sb[d] * batch[d];
      idx[d] = 0;
    }
  }
}

template <typename T>
void pack(const T* src, T* dst, int64_t rows, int64_t cols, int64_t s_row, int64_t s_col) {
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) dst[i * cols + j] = src[i * s_row + j * s_col];
}

struct Geometry {
  int64_t M, N, K;
  mx::Shape batch;
  mx::Strides a_batch, b_batch;
  int64_t a_rs, a_cs, b_rs, b_cs;  // row and column strides of each matrix
};

template <typename T>
void blas_gemm(const Geometry& g, const T* A, const T* B, T* C) {
  const int64_t M = g.M, N = g.N, K = g.K;
  std::vector<int64_t> oa, ob;
  batch_offsets(g.batch, g.a_batch, g.b_batch, oa, ob);
  const size_t nb = oa.size();
  Operand la = classify(M, K, g.a_rs, g.a_cs), lb = classify(K, N, g.b_rs, g.b_cs);
  // Operands BLAS cannot stride through (broadcast rows, gathers) are packed once per distinct matrix.
  std::vector<T> a_buf, b_buf;
  std::vector<const T*> ap(nb), bp(nb);
  std::vector<T*> cp(nb);
  auto prepare = [&](const T* base, const std::vector<int64_t>& off, const Operand& l, int64_t rows, int64_t cols,
                     int64_t rs, int64_t cs, std::vector<T>& buf, std::vector<const T*>& ptrs) {
    if (l.direct) {
      for (size_t i = 0; i < nb; ++i) ptrs[i] = base + off[i];
      return;
    }
    buf.resize(static_cast<size_t>(rows * cols) * nb);
    for (size_t i = 0; i < nb; ++i) {
      T* dst = buf.data() + i * rows * cols;
      if (i > 0 && off[i] == off[i - 1]) std::memcpy(dst, dst - rows * cols, sizeof(T) * rows * cols);
      else pack(base + off[i], dst, rows, cols, rs, cs);
      ptrs[i] = dst;
    }
  };
  prepare(A, oa, la, M, K, g.a_rs, g.a_cs, a_buf, ap);
  prepare(B, ob, lb, K, N, g.b_rs, g.b_cs, b_buf, bp);
  for (size_t i = 0; i < nb; ++i) cp[i] = C + i * M * N;

  // Row-major C = A @ B is column-major C^T = B^T A^T: BLAS gets (B, A) with m = N, n = M.
  constexpr int64_t kMax = std::numeric_limits<int>::max();
  if (M > kMax || N > kMax || K > kMax || la.ld > kMax || lb.ld > kMax || nb > static_cast<size_t>(kMax)) {
    throw std::runtime_error("matmul: a dimension exceeds the 32-bit BLAS interface");
  }
  const int m = static_cast<int>(N), n = static_cast<int>(M), k = static_cast<int>(K);
  const int lda = static_cast<int>(lb.ld), ldb = static_cast<int>(la.ld), ldc = static_cast<int>(std::max<int64_t>(N, 1));
  const T one = 1, zero = 0;
  const char ta = lb.trans, tb = la.trans;
#if defined(FL_BLAS_MKL)
  if (nb > 1) {
    const int count = 1, size = static_cast<int>(nb);
    if constexpr (std::is_same_v<T, float>)
      sgemm_batch(&ta, &tb, &m, &n, &k, &one, bp.data(), &lda, ap.data(), &ldb, &zero, cp.data(), &ldc, &count, &size);
    else
      dgemm_batch(&ta, &tb, &m, &n, &k, &one, bp.data(), &lda, ap.data(), &ldb, &zero, cp.data(), &ldc, &count, &size);
    return;
  }
#endif
  for (size_t i = 0; i < nb; ++i) {
    if constexpr (std::is_same_v<T, float>)
      sgemm_(&ta, &tb, &m, &n, &k, &one, bp[i], &lda, ap[i], &ldb, &zero, cp[i], &ldc);
    else
      dgemm_(&ta, &tb, &m, &n, &k, &one, bp[i], &lda, ap[i], &ldb, &zero, cp[i], &ldc);
  }
}

// Integers (not a performance case): i-k-j loops, wrapping on overflow as PyTorch's integer matmul does
// (unsigned 64-bit arithmetic is modular, and narrowing back to T keeps the low bits).
template <typename T>
void int_gemm(const Geometry& g, const T* A, const T* B, T* C) {
  using U = uint64_t;
  std::vector<int64_t> oa, ob;
  batch_offsets(g.batch, g.a_batch, g.b_batch, oa, ob);
  std::vector<U> row(g.N);
  for (size_t bi = 0; bi < oa.size(); ++bi) {
    const T* a = A + oa[bi];
    const T* b = B + ob[bi];
    T* c = C + bi * g.M * g.N;
    for (int64_t i = 0; i < g.M; ++i) {
      std::fill(row.begin(), row.end(), U(0));
      for (int64_t kk = 0; kk < g.K; ++kk) {
        U aik = static_cast<U>(a[i * g.a_rs + kk * g.a_cs]);
        const T* brow = b + kk * g.b_rs;
        for (int64_t j = 0; j < g.N; ++j) row[j] += aik * static_cast<U>(brow[j * g.b_cs]);
      }
      for (int64_t j = 0; j < g.N; ++j) c[i * g.N + j] = static_cast<T>(row[j]);
    }
  }
}

mx::array make(const mx::array& a, const mx::array& b);
void run(const Geometry& g, mx::Dtype dt, const void* pa, const void* pb, void* pc, size_t bytes);

// A matrix laid out column-major: the transpose of a row-major one, evaluated or still to be (a lazy Transpose).
// mx::vjp hands primitives their primals wrapped in a Copy (a tracer sharing the array): look through it.
bool transposed(const mx::array& x) {
  if (x.ndim() != 2) return false;
  if (x.is_available()) return x.flags().col_contiguous && !x.flags().row_contiguous;
  if (!x.has_primitive()) return false;
  const char* name = x.primitive().name();
  if (std::strcmp(name, "Copy") == 0 && x.inputs().size() == 1) return transposed(x.inputs()[0]);
  return std::strcmp(name, "Transpose") == 0;
}

// out[..., M, N] = a[..., M, K] @ b[..., K, N]; a and b have the same batch shape (broadcast views are fine).
class Gemm : public mx::UnaryPrimitive {
 public:
  explicit Gemm(mx::Stream s) : mx::UnaryPrimitive(s) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    const mx::array &a = inputs[0], &b = inputs[1];
    set_line_data(out);
    auto& enc = mx::cpu::get_command_encoder(stream());
    enc.set_input_array(a);
    enc.set_input_array(b);
    enc.set_output_array(out);
    if (out.size() == 0) return;
    int nd = a.ndim();
    Geometry g{a.shape(-2), b.shape(-1), a.shape(-1),
               mx::Shape(a.shape().begin(), a.shape().end() - 2),
               mx::Strides(a.strides().begin(), a.strides().end() - 2),
               mx::Strides(b.strides().begin(), b.strides().end() - 2),
               a.strides()[nd - 2], a.strides()[nd - 1], b.strides()[nd - 2], b.strides()[nd - 1]};
    const void* pa = a.data<void>();
    const void* pb = b.data<void>();
    void* pc = out.data<void>();
    mx::Dtype dt = out.dtype();
    enc.dispatch([g = std::move(g), pa, pb, pc, dt, bytes = out.nbytes()]() { run(g, dt, pa, pb, pc, bytes); });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("Gemm has no GPU kernel: on a GPU, fl::kernels::matmul uses mx::matmul");
  }

  // Backward through the same primitive: dA = G @ B^T, dB = A^T @ G (transposes are free stride swaps). A
  // transposed matrix B (x @ W.t(), Linear's weight) gets dB in its own layout, (G^T @ A)^T, so that W's gradient
  // comes out row-major, as PyTorch's does, rather than as a transposed view every consumer has to gather.
  std::vector<mx::array> vjp(const std::vector<mx::array>& primals, const std::vector<mx::array>& cotangents,
                             const std::vector<int>& argnums, const std::vector<mx::array>&) override {
    std::vector<mx::array> grads;
    for (int arg : argnums) {
      if (arg == 0)
        grads.push_back(make(cotangents[0], mx::swapaxes(primals[1], -1, -2)));
      else if (transposed(primals[1]))
        grads.push_back(mx::swapaxes(make(mx::swapaxes(cotangents[0], -1, -2), primals[0]), -1, -2));
      else
        grads.push_back(make(mx::swapaxes(primals[0], -1, -2), cotangents[0]));
    }
    return grads;
  }
  std::vector<mx::array> jvp(const std::vector<mx::array>& primals, const std::vector<mx::array>& tangents,
                             const std::vector<int>& argnums) override {
    std::optional<mx::array> r;
    for (size_t i = 0; i < argnums.size(); ++i) {
      mx::array t = argnums[i] == 0 ? make(tangents[i], primals[1]) : make(primals[0], tangents[i]);
      r = r ? mx::add(*r, t) : t;
    }
    return {*r};
  }
  std::pair<std::vector<mx::array>, std::vector<int>> vmap(const std::vector<mx::array>& inputs,
                                                           const std::vector<int>& axes) override {
    // Move the mapped axis to the front of both operands (adding it where absent) and broadcast the batch.
    auto front = [](const mx::array& x, int ax) { return ax < 0 ? mx::expand_dims(x, 0) : mx::moveaxis(x, ax, 0); };
    return {{fl::kernels::matmul(front(inputs[0], axes[0]), front(inputs[1], axes[1]))}, {0}};
  }
  const char* name() const override { return "FlGemm"; }
  bool is_equivalent(const mx::Primitive&) const override { return true; }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override {
    mx::Shape s = inputs[0].shape();
    s.back() = inputs[1].shape().back();
    return {s};
  }
};

mx::array make(const mx::array& a, const mx::array& b) {
  mx::Shape s = a.shape();
  s.back() = b.shape().back();
  return mx::array(std::move(s), a.dtype(), std::make_shared<Gemm>(mx::to_stream(mx::Device::cpu)), {a, b});
}

bool integer_dtype(mx::Dtype d) {
  return d == mx::int64 || d == mx::int32 || d == mx::int16 || d == mx::int8 || d == mx::uint8;
}

void run(const Geometry& g, mx::Dtype dt, const void* pa, const void* pb, void* pc, size_t bytes) {
  if (g.K == 0) {
    std::memset(pc, 0, bytes);
    return;
  }
  switch (dt) {
    case mx::float32: blas_gemm(g, static_cast<const float*>(pa), static_cast<const float*>(pb), static_cast<float*>(pc)); break;
    case mx::float64: blas_gemm(g, static_cast<const double*>(pa), static_cast<const double*>(pb), static_cast<double*>(pc)); break;
    case mx::int64: int_gemm(g, static_cast<const int64_t*>(pa), static_cast<const int64_t*>(pb), static_cast<int64_t*>(pc)); break;
    case mx::int32: int_gemm(g, static_cast<const int32_t*>(pa), static_cast<const int32_t*>(pb), static_cast<int32_t*>(pc)); break;
    case mx::int16: int_gemm(g, static_cast<const int16_t*>(pa), static_cast<const int16_t*>(pb), static_cast<int16_t*>(pc)); break;
    case mx::int8: int_gemm(g, static_cast<const int8_t*>(pa), static_cast<const int8_t*>(pb), static_cast<int8_t*>(pc)); break;
    case mx::uint8: int_gemm(g, static_cast<const uint8_t*>(pa), static_cast<const uint8_t*>(pb), static_cast<uint8_t*>(pc)); break;
    default: throw std::runtime_error("Gemm: unsupported dtype");
  }
}

// A strided operand seen as [batch..., rows, cols]; 1-D operands get a unit dim (numpy's matmul rule).
struct View {
  std::vector<int64_t> shape, strides;
};
View as_matrix(const mx::array& x, bool is_left) {
  View v{std::vector<int64_t>(x.shape().begin(), x.shape().end()),
         std::vector<int64_t>(x.strides().begin(), x.strides().end())};
  if (x.ndim() == 1) {
    v.shape.insert(is_left ? v.shape.begin() : v.shape.end(), 1);
    v.strides.insert(is_left ? v.strides.begin() : v.strides.end(), 0);
  }
  return v;
}

// Operands already computed, single-threaded BLAS: multiply now on this thread. This saves MLX's hand-off to its
// stream thread and back, which costs up to ~80 us per eval on small VMs (a quarter of a 256^3 GEMM). Graphs
// (lazy inputs) and every backward (traced inputs) still go through the Gemm primitive. With BLAS threads, a
// second OpenMP team on this thread would make the stream thread's team sleep between calls (libgomp throttles
// spinning once teams outnumber cores), which costs more than the hand-off, so then everything uses the primitive.
mx::array eager(const mx::array& a, const mx::array& b) {
  View va = as_matrix(a, true), vb = as_matrix(b, false);
  int na = static_cast<int>(va.shape.size()), nb = static_cast<int>(vb.shape.size());
  int64_t M = va.shape[na - 2], K = va.shape[na - 1], N = vb.shape[nb - 1];
  Geometry g{M, N, K, {}, {}, {}, va.strides[na - 2], va.strides[na - 1], vb.strides[nb - 2], vb.strides[nb - 1]};
  mx::Shape out;
  bool folded = false;
  if (nb == 2 && na > 2) {
    // Fold a's batch into its rows when [batch..., M] is one evenly strided dim (PyTorch's should_fold).
    int64_t rows = 1, rs = 0, expect = -1;
    folded = true;
    for (int i = na - 2; i >= 0; --i) {
      if (va.shape[i] == 1) continue;
      if (expect >= 0 && va.strides[i] != expect) folded = false;
      if (expect < 0) rs = va.strides[i];
      expect = va.strides[i] * va.shape[i];
      rows *= va.shape[i];
    }
    if (folded) {
      g.M = rows;
      g.a_rs = rs;
      out = mx::Shape(a.shape().begin(), a.shape().end() - 1);
    }
  }
  if (!folded) {
    // Broadcast the batch dims (size-1 and missing dims get stride 0).
    int nbatch = std::max(na, nb) - 2;
    for (int i = 0; i < nbatch; ++i) {
      int ia = i - (nbatch - (na - 2)), ib = i - (nbatch - (nb - 2));
      int64_t sa = ia >= 0 ? va.shape[ia] : 1, sb = ib >= 0 ? vb.shape[ib] : 1;
      if (sa != sb && sa != 1 && sb != 1) throw std::invalid_argument("[fl::kernels::matmul] batch dims do not broadcast");
      int64_t s = std::max(sa, sb);
      if (sa == 0 || sb == 0) s = 0;
      g.batch.push_back(static_cast<int>(s));
      g.a_batch.push_back(ia >= 0 && sa == s ? va.strides[ia] : 0);
      g.b_batch.push_back(ib >= 0 && sb == s ? vb.strides[ib] : 0);
      out.push_back(static_cast<int>(s));
    }
    if (a.ndim() > 1) out.push_back(static_cast<int>(M));
  }
  if (b.ndim() > 1) out.push_back(static_cast<int>(N));
  size_t count = 1;
  for (int d : out) count *= d;
  size_t bytes = count * mx::size_of(a.dtype());
  mx::array r = line_array(out, a.dtype());
  if (count > 0) run(g, a.dtype(), a.data<void>(), b.data<void>(), r.data<void>(), bytes);
  return r;
}

bool ready(const mx::array& x) { return x.is_available() && !x.is_tracer(); }

}  // namespace

mx::array matmul(const mx::array& a, const mx::array& b) {
  bool floating = (a.dtype() == mx::float32 || a.dtype() == mx::float64) && has_blas();
  bool integer = integer_dtype(a.dtype());
  if (a.ndim() < 1 || b.ndim() < 1 || a.dtype() != b.dtype() || !(floating || integer) ||
      mx::default_device() != mx::Device::cpu) {
    return mx::matmul(a, b);
  }
  int64_t K = a.shape(-1);
  if (b.shape(b.ndim() == 1 ? 0 : -2) != K) {
    throw std::invalid_argument("[fl::kernels::matmul] inner dimensions differ: " + std::to_string(K) + " and " +
                                std::to_string(b.shape(b.ndim() == 1 ? 0 : -2)));
  }
  if (ready(a) && ready(b) && get_num_threads() == 1) return eager(a, b);
  mx::array a2 = a.ndim() == 1 ? mx::expand_dims(a, 0) : a, b2 = b.ndim() == 1 ? mx::expand_dims(b, 1) : b;
  int64_t M = a2.shape(-2), N = b2.shape(-1);
  mx::array r = [&] {
    if (a2.ndim() > 2 && b2.ndim() == 2) {
      // Fold the batch into the rows: one large GEMM (and one for each gradient) instead of many small ones.
      mx::Shape out_shape = a2.shape();
      out_shape.back() = static_cast<int>(N);
      int rows = 1;  // not -1: reshape cannot infer it for empty arrays
      for (int i = 0; i + 1 < static_cast<int>(a2.ndim()); ++i) rows *= a2.shape(i);
      return mx::reshape(make(mx::reshape(a2, {rows, static_cast<int>(K)}), b2), out_shape);
    }
    mx::Shape ab(a2.shape().begin(), a2.shape().end() - 2), bb(b2.shape().begin(), b2.shape().end() - 2);
    mx::Shape batch = mx::broadcast_shapes(ab, bb);
    mx::Shape sa = batch, sb = batch;
    sa.insert(sa.end(), {static_cast<int>(M), static_cast<int>(K)});
    sb.insert(sb.end(), {static_cast<int>(K), static_cast<int>(N)});
    return make(a2.shape() == sa ? a2 : mx::broadcast_to(a2, sa), b2.shape() == sb ? b2 : mx::broadcast_to(b2, sb));
  }();
  if (a.ndim() == 1) r = mx::squeeze(r, -2);
  if (b.ndim() == 1) r = mx::squeeze(r, -1);
  return r;
}

}  // namespace fl::kernels
