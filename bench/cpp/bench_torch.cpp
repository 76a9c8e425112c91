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
  for (int64_t n : kGemmSizes) reg("torch/matmul/" + std::to_string(n), [n](S& s) { gemm(s, n); })->Unit(us);
  for (int64_t n : kEltSizes) {
    reg("torch/add/" + std::to_string(n), [n](S& s) { add_large(s, n); })->Unit(us);
    reg("torch/exp/" + std::to_string(n), [n](S& s) { exp_large(s, n); })->Unit(us);
  }
  reg("torch/sum/" + std::to_string(kSumSize), [](S& s) { sum_all(s, kSumSize); })->Unit(us);
}

}  // namespace flbench
