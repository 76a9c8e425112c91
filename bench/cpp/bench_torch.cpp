// PyTorch (libtorch from the venv's torch wheel) rows: the same workloads as bench_flashlight.cpp, eager.
#include <string>

#include <torch/torch.h>

#include "bench_common.h"

namespace flbench {
namespace {

const auto kF32 = torch::TensorOptions().dtype(torch::kFloat32);

void add_tiny(benchmark::State& st, bool requires_grad) {
  torch::Tensor a = torch::randn({1}, kF32).requires_grad_(requires_grad);
  torch::Tensor b = torch::randn({1}, kF32).requires_grad_(requires_grad);
  for (auto _ : st) {
    torch::Tensor c = a + b;
    benchmark::DoNotOptimize(c.data_ptr());
  }
}

void add_scalar_tiny(benchmark::State& st) {
  torch::Tensor a = torch::randn({1}, kF32);
  for (auto _ : st) {
    torch::Tensor c = a + 1.5;
    benchmark::DoNotOptimize(c.data_ptr());
  }
}

void gemm(benchmark::State& st, int64_t n) {
  torch::Tensor a = torch::randn({n, n}, kF32), b = torch::randn({n, n}, kF32);
  for (auto _ : st) {
    torch::Tensor c = torch::matmul(a, b);
    benchmark::DoNotOptimize(c.data_ptr());
  }
  gemm_counters(st, n);
}

void add_large(benchmark::State& st, int64_t n) {
  torch::Tensor a = torch::randn({n}, kF32), b = torch::randn({n}, kF32);
  for (auto _ : st) {
    torch::Tensor c = a + b;
    benchmark::DoNotOptimize(c.data_ptr());
  }
  bytes_counters(st, 12.0 * n);
}

void exp_large(benchmark::State& st, int64_t n) {
  torch::Tensor a = torch::randn({n}, kF32);
  for (auto _ : st) {
    torch::Tensor c = torch::exp(a);
    benchmark::DoNotOptimize(c.data_ptr());
  }
  bytes_counters(st, 8.0 * n);
}

void act_large(benchmark::State& st, bool gelu, int64_t n) {
  torch::Tensor a = torch::randn({n}, kF32);
  for (auto _ : st) {
    torch::Tensor c = gelu ? torch::gelu(a) : torch::tanh(a);
    benchmark::DoNotOptimize(c.data_ptr());
  }
  bytes_counters(st, 8.0 * n);
}
void add_row(benchmark::State& st, int64_t n) {
  torch::Tensor a = torch::randn({n, n}, kF32), b = torch::randn({n}, kF32);
  for (auto _ : st) {
    torch::Tensor c = a + b;
    benchmark::DoNotOptimize(c.data_ptr());
  }
  bytes_counters(st, 8.0 * n * n);
}
void sum_dim(benchmark::State& st, int64_t n, int64_t dim) {
  torch::Tensor a = torch::randn({n, n}, kF32);
  for (auto _ : st) {
    torch::Tensor s = torch::sum(a, {dim});
    benchmark::DoNotOptimize(s.data_ptr());
  }
  bytes_counters(st, 4.0 * n * n);
}

void sum_all(benchmark::State& st, int64_t n) {
  torch::Tensor a = torch::randn({n}, kF32);
  for (auto _ : st) {
    torch::Tensor s = torch::sum(a);
    benchmark::DoNotOptimize(s.data_ptr());
  }
  bytes_counters(st, 4.0 * n);
}

}  // namespace

void setup_torch(int threads) {
  torch::set_num_threads(threads);
  benchmark::AddCustomContext("torch_version", TORCH_VERSION);
  benchmark::AddCustomContext("torch_threads", std::to_string(torch::get_num_threads()));
}

void register_torch() {
  using S = benchmark::State;
  const auto us = benchmark::kMicrosecond;
  reg("torch/add_1elem", [](S& s) { add_tiny(s, false); });
  reg("torch/add_1elem_grad", [](S& s) { add_tiny(s, true); });
  reg("torch/add_scalar_1elem", add_scalar_tiny);
  for (int64_t n : kGemmSizes) reg("torch/matmul/" + std::to_string(n), [n](S& s) { gemm(s, n); })->Unit(us);
  for (int64_t n : kEltSizes) {
    reg("torch/add/" + std::to_string(n), [n](S& s) { add_large(s, n); })->Unit(us);
    reg("torch/exp/" + std::to_string(n), [n](S& s) { exp_large(s, n); })->Unit(us);
  }
  reg("torch/sum/" + std::to_string(kSumSize), [](S& s) { sum_all(s, kSumSize); })->Unit(us);
  const std::string sq = std::to_string(kRows) + "x" + std::to_string(kRows);
  reg("torch/add/" + sq + "_row", [](S& s) { add_row(s, kRows); })->Unit(us);
  reg("torch/sum/" + sq + "_dim1", [](S& s) { sum_dim(s, kRows, 1); })->Unit(us);
  reg("torch/sum/" + sq + "_dim0", [](S& s) { sum_dim(s, kRows, 0); })->Unit(us);
  reg("torch/tanh/" + std::to_string(kActSize), [](S& s) { act_large(s, false, kActSize); })->Unit(us);
  reg("torch/gelu/" + std::to_string(kActSize), [](S& s) { act_large(s, true, kActSize); })->Unit(us);
}

}  // namespace flbench
