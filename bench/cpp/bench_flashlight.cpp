// Flashlight rows. Every row that measures work calls .eval() inside the timed loop, so MLX's lazy graph is
// built AND computed in each iteration; only the "lazy" tiny-op rows stop at building the graph node.
#include <mlx/mlx.h>

#include <string>

#include "bench_common.h"
#include "fl/fl.h"
#include "fl/ncps/cfc.h"
#include "fl/ncps/ltc.h"
#include "fl/ncps/wirings.h"
#include "kernels/gemm.h"  // fl::kernels::blas_name (internal): which BLAS the GEMM rows measure

namespace flbench {
namespace {

fl::Tensor ready(fl::Tensor t) {
  t.eval();
  return t;
}

// (1) Tiny-op overhead on 1-element float32 tensors.
void add_tiny(benchmark::State& st, bool requires_grad, bool eval) {
  fl::Tensor a = ready(fl::randn({1})), b = ready(fl::randn({1}));
  if (requires_grad) {
    a.requires_grad_();
    b.requires_grad_();
  }
  for (auto _ : st) {
    fl::Tensor c = a + b;
    if (eval) c.eval();
    benchmark::DoNotOptimize(c.impl());
  }
}

// (2) Square float32 GEMM.
void gemm(benchmark::State& st, int64_t n) {
  fl::Tensor a = ready(fl::randn({n, n})), b = ready(fl::randn({n, n}));
  for (auto _ : st) {
    fl::Tensor c = fl::matmul(a, b);
    c.eval();
  }
  gemm_counters(st, n);
}

// (3) Large elementwise ops.
void add_large(benchmark::State& st, int64_t n) {
  fl::Tensor a = ready(fl::randn({n})), b = ready(fl::randn({n}));
  for (auto _ : st) {
    fl::Tensor c = a + b;
    c.eval();
  }
  bytes_counters(st, 12.0 * n);
}
void exp_large(benchmark::State& st, int64_t n) {
  fl::Tensor a = ready(fl::randn({n}));
  for (auto _ : st) {
    fl::Tensor c = fl::exp(a);
    c.eval();
  }
  bytes_counters(st, 8.0 * n);
}

// (4) Full reduction.
void sum_all(benchmark::State& st, int64_t n) {
  fl::Tensor a = ready(fl::randn({n}));
  for (auto _ : st) {
    fl::Tensor s = fl::sum(a);
    s.eval();
  }
  bytes_counters(st, 4.0 * n);
}

// (5) Single-step NCP inference at batch 1 through the steppers' raw-buffer API (no Tensor, no graph, no
// allocation): what a C++ control loop calls. Same shapes as bench/python's cfc64_step and ltc_ncp_step rows.
fl::Tensor uniform(const fl::Shape& shape, double lo, double hi) { return ready(fl::rand(shape) * (hi - lo) + lo); }

void cfc_step(benchmark::State& st) {  // CfC(8, 64): backbone 128 units, 1 layer, mode default
  const int64_t I = 8, H = 64, U = 128;
  fl::ncps::CfCCellWeights c;
  c.backbone_weight = {uniform({U, I + H}, -0.1, 0.1)};
  c.backbone_bias = {uniform({U}, -0.1, 0.1)};
  for (auto* w : {&c.ff1_weight, &c.ff2_weight, &c.time_a_weight, &c.time_b_weight}) *w = uniform({H, U}, -0.1, 0.1);
  for (auto* b : {&c.ff1_bias, &c.ff2_bias, &c.time_a_bias, &c.time_b_bias}) *b = uniform({H}, -0.1, 0.1);
  fl::ncps::CfCWeights w;
  w.layers.push_back(c);
  fl::ncps::CfCStepper stepper(w);
  std::vector<float> x(I, 0.5f), state(stepper.state_buffer_size(), 0.0f);
  for (auto _ : st) {
    stepper.step(x.data(), state.data(), 1.0f);
    benchmark::DoNotOptimize(state.data());
  }
}

void ltc_step(benchmark::State& st) {  // LTC(8, AutoNCP(32, 4)) with ncps's initialisation ranges
  const int64_t D = 8;
  fl::ncps::AutoNCP wiring(32, 4);
  wiring.build(D);
  const int64_t N = wiring.units(), M = *wiring.output_dim();
  fl::ncps::LTCWeights w;
  w.gleak = uniform({N}, 0.001, 1.0);
  w.vleak = uniform({N}, -0.2, 0.2);
  w.cm = uniform({N}, 0.4, 0.6);
  w.sigma = uniform({N, N}, 3, 8);
  w.mu = uniform({N, N}, 0.3, 0.8);
  w.w = uniform({N, N}, 0.001, 1.0);
  w.erev = wiring.erev_initializer(fl::kFloat32);
  w.sensory_sigma = uniform({D, N}, 3, 8);
  w.sensory_mu = uniform({D, N}, 0.3, 0.8);
  w.sensory_w = uniform({D, N}, 0.001, 1.0);
  w.sensory_erev = wiring.sensory_erev_initializer(fl::kFloat32);
  w.sparsity_mask = ready(fl::abs(w.erev));
  w.sensory_sparsity_mask = ready(fl::abs(w.sensory_erev));
  w.input_w = fl::ones({D});
  w.input_b = fl::zeros({D});
  w.output_w = fl::ones({M});
  w.output_b = fl::zeros({M});
  fl::ncps::LTCStepper stepper(w, fl::ncps::LTCConfig{});
  std::vector<float> x(D, 0.5f), state(N, 0.0f), y(M);
  for (auto _ : st) {
    stepper.step(x.data(), state.data(), 1.0f, y.data());
    benchmark::DoNotOptimize(y.data());
  }
}

// Raw MLX rows (no Flashlight wrapper): they split each Flashlight time into MLX's own cost and the wrapper's.
namespace mx = mlx::core;
mx::array mx_ready(mx::array a) {
  mx::eval(a);
  return a;
}
void mlx_add_tiny(benchmark::State& st) {
  mx::array a = mx_ready(mx::random::normal({1})), b = mx_ready(mx::random::normal({1}));
  for (auto _ : st) {
    mx::array c = mx::add(a, b);
    mx::eval(c);
  }
}
void mlx_add_large(benchmark::State& st, int64_t n) {
  const int m = static_cast<int>(n);
  mx::array a = mx_ready(mx::random::normal({m})), b = mx_ready(mx::random::normal({m}));
  for (auto _ : st) {
    mx::array c = mx::add(a, b);
    mx::eval(c);
  }
  bytes_counters(st, 12.0 * n);
}
void mlx_exp_large(benchmark::State& st, int64_t n) {
  mx::array a = mx_ready(mx::random::normal({static_cast<int>(n)}));
  for (auto _ : st) {
    mx::array c = mx::exp(a);
    mx::eval(c);
  }
  bytes_counters(st, 8.0 * n);
}
void mlx_sum_all(benchmark::State& st, int64_t n) {
  mx::array a = mx_ready(mx::random::normal({static_cast<int>(n)}));
  for (auto _ : st) {
    mx::array s = mx::sum(a);
    mx::eval(s);
  }
  bytes_counters(st, 4.0 * n);
}

}  // namespace

void setup_flashlight(int threads) {
  fl::set_num_threads(threads);
  benchmark::AddCustomContext("flashlight_blas", fl::kernels::blas_name());
  benchmark::AddCustomContext("flashlight_blas_threads", std::to_string(fl::get_num_threads()));
  benchmark::AddCustomContext("mlx_version", mlx::core::version());
}

void register_flashlight() {
  using S = benchmark::State;
  const auto us = benchmark::kMicrosecond;
  reg("fl/add_1elem/lazy", [](S& s) { add_tiny(s, false, false); });
  reg("fl/add_1elem/eval", [](S& s) { add_tiny(s, false, true); });
  reg("fl/add_1elem_grad/lazy", [](S& s) { add_tiny(s, true, false); });
  reg("fl/add_1elem_grad/eval", [](S& s) { add_tiny(s, true, true); });
  for (int64_t n : kGemmSizes) reg("fl/matmul/" + std::to_string(n), [n](S& s) { gemm(s, n); })->Unit(us);
  for (int64_t n : kEltSizes) {
    reg("fl/add/" + std::to_string(n), [n](S& s) { add_large(s, n); })->Unit(us);
    reg("fl/exp/" + std::to_string(n), [n](S& s) { exp_large(s, n); })->Unit(us);
  }
  reg("fl/sum/" + std::to_string(kSumSize), [](S& s) { sum_all(s, kSumSize); })->Unit(us);
  reg("fl/ncps/cfc64_step", cfc_step);
  reg("fl/ncps/ltc_ncp_step", ltc_step);
  reg("mlx/add_1elem/eval", mlx_add_tiny);
  for (int64_t n : kEltSizes) {
    reg("mlx/add/" + std::to_string(n), [n](S& s) { mlx_add_large(s, n); })->Unit(us);
    reg("mlx/exp/" + std::to_string(n), [n](S& s) { mlx_exp_large(s, n); })->Unit(us);
  }
  reg("mlx/sum/" + std::to_string(kSumSize), [](S& s) { mlx_sum_all(s, kSumSize); })->Unit(us);
}

}  // namespace flbench
