// Shared by the Flashlight and the PyTorch rows: the workload sizes and the counters, so both sides measure
// exactly the same thing. Every row runs in real (wall-clock) time: MLX evaluates on its own stream thread and
// BLAS/ATen use worker threads, so the main thread's CPU time would undercount both.
#pragma once
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <thread>

namespace flbench {

/// Threads for both libraries: FL_BENCH_THREADS, else every core (torch's default on this machine).
inline int bench_threads() {
  if (const char* s = std::getenv("FL_BENCH_THREADS")) {
    int n = std::atoi(s);
    if (n > 0) return n;
  }
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 1;
}

inline constexpr int64_t kGemmSizes[] = {256, 512, 1024, 2048};
inline constexpr int64_t kEltSizes[] = {100000, 1000000, 10000000};
inline constexpr int64_t kSumSize = 10000000;
/// Activations (tanh, gelu) and the 2-D rows: a [kRows, kRows] matrix, a row vector broadcast over it, and its
/// sums over dim 1 (rows) and dim 0 (columns).
inline constexpr int64_t kActSize = 1000000;
inline constexpr int64_t kRows = 1000;

/// GFLOP/s of an n x n x n float GEMM (2 n^3 flops per iteration); shown as "GFLOP=x/s".
inline void gemm_counters(benchmark::State& st, int64_t n) {
  st.counters["GFLOP"] = benchmark::Counter(2.0 * n * n * n / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}
/// Memory traffic in GB/s (10^9 bytes, shown as "GB=x/s"): `bytes` read + written per iteration.
inline void bytes_counters(benchmark::State& st, double bytes) {
  st.counters["GB"] = benchmark::Counter(bytes / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

// Registration helpers: every row uses wall-clock time and the same repetition policy (set on the command line).
template <typename F>
benchmark::internal::Benchmark* reg(const std::string& name, F fn) {
  return benchmark::RegisterBenchmark(name.c_str(), fn)->UseRealTime();
}

void register_flashlight();
void register_torch();
/// Sets the thread counts of the library and adds its versions to the benchmark context.
void setup_flashlight(int threads);
void setup_torch(int threads);

}  // namespace flbench
