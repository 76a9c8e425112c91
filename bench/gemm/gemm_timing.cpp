// Build (MLX=.venv/lib/python3.11/site-packages/mlx, BUILD=your build dir):
//   g++ -O2 -std=c++20 bench/gemm/gemm_timing.cpp -Iinclude -I$MLX/include -L$BUILD -lflashlight -L$MLX/lib -lmlx -Wl,-rpath,$BUILD:$MLX/lib:.venv/lib -o gemm_timing
// Quick GEMM timing (not a test): fl::matmul (the BLAS primitive), its backward, and mx::matmul, in GFLOP/s.
// Usage: gemm_timing THREADS [sizes...]; run through bench/gemm/compare_torch.py to see PyTorch beside it.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <mlx/mlx.h>

#include "fl/fl.h"

namespace mx = mlx::core;

template <typename F>
double best_seconds(F f, double flops) {
  f();
  f();
  int reps = std::max(3, static_cast<int>(1.5e9 / flops));
  double best = 1e30;
  for (int r = 0; r < 3; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < reps; ++i) f();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / reps);
  }
  return best;
}

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  std::vector<int> sizes;
  for (int i = 2; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
  if (sizes.empty()) sizes = {256, 512, 1024, 2048};
  fl::set_num_threads(threads);
  for (fl::Dtype dt : {fl::kFloat32, fl::kFloat64}) {
    for (int n : sizes) {
      double flops = 2.0 * n * n * n;
      fl::Tensor a = fl::randn({n, n}).to(dt).eval(), b = fl::randn({n, n}).to(dt).eval();
      double fwd = best_seconds([&] { fl::matmul(a, b).eval(); }, flops);
      fl::Tensor ag = a.detach().requires_grad_(), bg = b.detach().requires_grad_();
      fl::Tensor g = fl::ones({n, n}).to(dt).eval();
      // forward + backward = 3 GEMMs
      double fb = best_seconds([&] {
        ag.set_grad(fl::Tensor());
        bg.set_grad(fl::Tensor());
        fl::Tensor y = fl::matmul(ag, bg);
        y.eval();
        y.backward(g);
        mx::eval({ag.grad().mlx(), bg.grad().mlx()});  // one eval for all gradients, as a training step does
      }, 3 * flops);
      mx::array ma = a.mlx(), mb = b.mlx();
      double raw = n <= 1024 ? best_seconds([&] { mx::eval(mx::matmul(ma, mb)); }, flops) : 0;
      std::printf("fl %s %d %d fwd %.1f fwdbwd %.1f mx_matmul %.1f\n", fl::dtype_name(dt), threads, n, flops / fwd / 1e9,
                  3 * flops / fb / 1e9, raw > 0 ? flops / raw / 1e9 : 0.0);
      std::fflush(stdout);
    }
  }
}
