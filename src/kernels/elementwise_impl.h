// Shared by the elementwise and reduction primitives (elementwise_unary.cpp, elementwise_binary.cpp,
// reduce_primitive.cpp): which arrays take the fast path, running on the caller's thread, OpenMP splits, and
// reading strided inputs.
#pragma once
#include <mlx/allocator.h>
#include <mlx/array.h>
#include <mlx/backend/common/utils.h>
#include <mlx/device.h>
#include <mlx/stream.h>

#include <algorithm>
#include <cstddef>
#include <vector>

#include "kernels/line_array.h"
#include "kernels/simd.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace fl::kernels::detail {
namespace mx = mlx::core;

// Measured on the 2-vCPU Xeon (bench/README.md, "Kernels: thresholds"):
// - Inputs already computed are computed at once on the calling thread, at any size up to the point where two
//   threads pay: a 1-element add costs ~0.3 us there, about what MLX takes just to build its lazy node, and it
//   skips MLX's eval hand-off to its stream thread and back (on this VM ~5 us while a spinning OpenMP worker
//   keeps the other vCPU awake, 60-100 us once it is idle, more when other jobs compete for the cores).
// - Work for two threads runs on MLX's stream thread (the primitive), never on the caller's: one OpenMP team,
//   shared with MKL's GEMM, rather than two teams that outnumber the cores (libgomp then puts its threads to sleep
//   between calls).
// - Unevaluated inputs build the primitive from `lazy_from` elements: below that, MLX's kernel and ours both
//   take about the hand-off's time (MLX's add is vectorised by its compiler; its exp is not).
/// Per op class: elements per thread in a split, the size from which computed inputs go to the threaded
/// primitive rather than one thread here (2 threads plus the hand-off beat 1 thread), and the lazy threshold.
struct Cost {
  size_t grain, threaded_from, lazy_from;
};
inline constexpr Cost kCheap{1 << 16, 1 << 17, 4096};   // add, relu: 8-12 bytes an element
inline constexpr Cost kCostly{1 << 14, 1 << 16, 256};   // exp, tanh, gelu: 0.2-0.8 ns an element on one core
inline constexpr Cost kReduce{1 << 17, 1 << 18, 4096};  // sums: 4 bytes an element
/// The smallest lazy threshold (tests straddle it).
inline constexpr size_t kMinLazy = 4096;

/// float32/float64 on the CPU: the dtypes and device the kernels handle.
inline bool fast_dtype(mx::Dtype d) {
  return (d == mx::float32 || d == mx::float64) && mx::default_device() == mx::Device::cpu;
}
/// Computed, not traced (vjp, compile), row-major.
inline bool ready(const mx::array& x) { return x.is_available() && !x.is_tracer() && x.flags().row_contiguous; }
inline mx::Stream cpu_stream() { return mx::default_stream(mx::Device::cpu); }

/// Threads for Flashlight's kernels: fl::set_num_threads (MKL's count, the same OpenMP runtime).
int num_threads();
/// Whether computed inputs of `n` elements are computed at once on the calling thread.
inline bool run_here(size_t n, const Cost& c) { return n < c.threaded_from || num_threads() == 1; }

/// f(lo, hi) over [0, n) in chunks of at least `grain` items, split between OpenMP threads. Chunk bounds are
/// multiples of `align` (64 elements: threads never share an output cache line).
template <class F>
void parallel_for(size_t n, size_t grain, F&& f, size_t align = 64) {
#ifdef _OPENMP
  size_t chunks = n / (grain ? grain : 1);
  int nt = chunks < 2 ? 1 : static_cast<int>(std::min<size_t>(chunks, static_cast<size_t>(num_threads())));
  if (nt > 1 && !omp_in_parallel()) {
#pragma omp parallel num_threads(nt)
    {
      size_t t = static_cast<size_t>(omp_get_thread_num()), c = static_cast<size_t>(omp_get_num_threads());
      auto bound = [&](size_t i) { return i == c ? n : n * i / c / align * align; };
      if (bound(t) < bound(t + 1)) f(bound(t), bound(t + 1));
    }
    return;
  }
#endif
  f(size_t(0), n);
}

/// Elements per partial sum of a long run (reductions and the squared error).
inline constexpr size_t kSumBlock = 8192;

/// One value for a run of n elements: block(lo, len) over blocks of kSumBlock elements (split between threads when
/// `threads`, about `grain` elements a thread), the blocks' values then combined pairwise, so the result is accurate
/// and does not depend on the thread count.
template <class T, class Block, class Combine>
T reduce_blocks(size_t n, size_t grain, bool threads, Block&& block, Combine&& combine) {
  if (n <= kSumBlock) return block(size_t(0), n);
  const size_t nb = (n + kSumBlock - 1) / kSumBlock;
  std::vector<T> part(nb);
  auto run = [&](size_t lo, size_t hi) {
    for (size_t b = lo; b < hi; ++b) part[b] = block(b * kSumBlock, std::min(kSumBlock, n - b * kSumBlock));
  };
  if (threads)
    parallel_for(nb, std::max<size_t>(1, grain / kSumBlock), run, 1);
  else
    run(0, nb);
  for (size_t m = nb; m > 1; m = (m + 1) / 2) {
    for (size_t i = 0; i < m / 2; ++i) part[i] = combine(part[2 * i], part[2 * i + 1]);
    if (m % 2) part[m / 2] = part[m - 1];
  }
  return part[0];
}

/// Copies a strided array's elements (src points at its first one) into dst in row-major order.
template <class T>
void copy_row_major(const T* src, const mx::Shape& shape, const mx::Strides& strides, T* dst) {
  const int nd = static_cast<int>(shape.size());
  size_t n = 1;
  for (int d : shape) n *= static_cast<size_t>(d);
  if (n == 0) return;
  if (nd == 0) {
    dst[0] = src[0];
    return;
  }
  const int64_t inner = shape[nd - 1], stride = strides[nd - 1];
  std::vector<int64_t> idx(nd, 0);
  int64_t off = 0;
  for (size_t o = 0; o < n; o += inner) {
    for (int64_t j = 0; j < inner; ++j) dst[o + j] = src[off + j * stride];
    for (int d = nd - 2; d >= 0; --d) {  // next row: an odometer over the outer dims
      off += strides[d];
      if (++idx[d] < shape[d]) break;
      off -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/// x's elements in row-major order: x's own buffer when it is row-contiguous, else a copy in `scratch`.
template <class T>
const T* row_major(const mx::array& x, std::vector<T>& scratch) {
  if (x.flags().row_contiguous) return x.data<T>();
  scratch.resize(x.size());
  copy_row_major(x.data<T>(), x.shape(), x.strides(), scratch.data());
  return scratch.data();
}

/// An evaluated array of the given shape and dtype whose buffer a kernel fills now (the eager path).
/// A row-major output: `in`'s buffer when MLX may donate it (for kernels whose element i reads only in[i] among
/// that input's elements), else fresh memory.
inline void donate_or_allocate(const mx::array& in, mx::array& out) {
  if (in.flags().row_contiguous && mx::is_donatable(in, out))
    out.copy_shared_buffer(in);
  else
    set_line_data(out);
}

inline mx::array fresh(const mx::Shape& shape, mx::Dtype dt) { return line_array(shape, dt); }

/// f(T{}) with T = float or double for a float32/float64 dtype.
template <class F>
void with_type(mx::Dtype d, F&& f) {
  if (d == mx::float32)
    f(float{});
  else
    f(double{});
}

}  // namespace fl::kernels::detail
