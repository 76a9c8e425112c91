// The vectorised optimizer kernels (kernels/optim_update_simd.h) of every instruction set against Adam's and SGD's
// rules written out in double arithmetic, over lengths that leave every vector remainder, with outputs aliasing
// their inputs (donated buffers); and a fused update split between 2 threads against 1 thread.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "fl/optim/adam.h"
#include "fl/optim/sgd.h"
#include "kernels/optim_update_simd.h"
#include "test_util.h"

namespace fl::test {
namespace {
namespace simd = fl::kernels::simd;
using V = std::vector<double>;

std::vector<const simd::OptimIsa*> optim_isas() {
  std::vector<const simd::OptimIsa*> r{&simd::optim_isa_base()};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) r.push_back(&simd::optim_isa_avx2());
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw"))
    r.push_back(&simd::optim_isa_avx512());
  return r;
}

std::vector<V> random_arrays(size_t count, size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> d(-1.0, 1.0);
  std::vector<V> r(count, V(n));
  for (auto& a : r)
    for (auto& x : a) x = d(rng);
  return r;
}

// Adam's rule (torch.optim.Adam, single tensor) in double: in = (p, g, m, v[, vmax]).
void adam_reference(const simd::AdamArgs& a, std::vector<V>& s) {
  for (size_t i = 0; i < s[0].size(); ++i) {
    double p = s[0][i], g = a.maximize ? -s[1][i] : s[1][i];
    if (a.weight_decay != 0) {
      if (a.decoupled)
        p *= 1 - a.lr * a.weight_decay;
      else
        g += a.weight_decay * p;
    }
    double m = s[2][i] + (1 - a.beta1) * (g - s[2][i]);
    double v = s[3][i] * a.beta2 + (1 - a.beta2) * g * g, d = v;
    if (a.amsgrad) d = s[4][i] = std::max(s[4][i], v);
    s[0][i] = p - a.step_size * m / (std::sqrt(d) / a.bias_correction2_sqrt + a.eps);
    s[2][i] = m;
    s[3][i] = v;
  }
}

void sgd_reference(const simd::SgdArgs& a, std::vector<V>& s) {
  for (size_t i = 0; i < s[0].size(); ++i) {
    double g = a.maximize ? -s[1][i] : s[1][i];
    g += a.weight_decay * s[0][i];
    if (a.momentum != 0) {
      double b = a.first ? g : s[2][i] * a.momentum + (1 - a.dampening) * g;
      s[2][i] = b;
      g = a.nesterov ? g + a.momentum * b : b;
    }
    s[0][i] -= a.lr * g;
  }
}

// Runs `kernel` on T copies of `start` (inputs p, g, state...; outputs p, state... written over the inputs, as a
// donated update does) and compares with `expected`.
template <class T, class K, class Args>
void expect_kernel(K kernel, const Args& args, const std::vector<V>& start, const std::vector<V>& expected, double rtol,
                   const char* what) {
  const size_t n = start[0].size();
  std::vector<std::vector<T>> buf(start.size());
  for (size_t k = 0; k < start.size(); ++k) buf[k].assign(start[k].begin(), start[k].end());
  std::vector<const T*> in;
  std::vector<T*> out;
  for (auto& b : buf) in.push_back(b.data());
  for (size_t k = 0; k < buf.size(); ++k)
    if (k != 1) out.push_back(buf[k].data());  // the gradient is read only
  kernel(args, n, in.data(), out.data());
  for (size_t k = 0; k < buf.size(); ++k) {
    if (k == 1) continue;
    for (size_t i = 0; i < n; ++i)
      ASSERT_NEAR(buf[k][i], expected[k][i], rtol * (1 + std::abs(expected[k][i])))
          << what << ": array " << k << " element " << i << " of " << n;
  }
}

const std::vector<size_t> kLengths = {1, 3, 7, 8, 15, 16, 17, 31, 33, 64, 100, 1000};

TEST(OptimKernels, AdamMatchesTheRuleOnEveryIsaAndLength) {
  for (const simd::OptimIsa* isa : optim_isas())
    for (bool amsgrad : {false, true})
      for (bool maximize : {false, true})
        for (int decay : {0, 1, 2})
          for (double beta1 : {0.9, 0.3})  // torch's lerp takes its other branch from a weight of 0.5
            for (size_t n : kLengths) {
              simd::AdamArgs a{0.01,
                               beta1,
                               0.95,
                               1e-6,
                               decay ? 0.1 : 0.0,
                               0.01 / (1 - std::pow(beta1, 3)),
                               std::sqrt(1 - std::pow(0.95, 3)),
                               amsgrad,
                               maximize,
                               decay == 2};
              std::vector<V> s = random_arrays(amsgrad ? 5 : 4, n, static_cast<unsigned>(n));
              for (size_t k = 3; k < s.size(); ++k)
                for (auto& x : s[k]) x = std::abs(x);  // second moments are nonnegative
              std::vector<V> want = s;
              adam_reference(a, want);
              expect_kernel<double>(isa->adam_f64, a, s, want, 1e-13, "adam f64");
              expect_kernel<float>(isa->adam_f32, a, s, want, 2e-5, "adam f32");
            }
}

TEST(OptimKernels, SgdMatchesTheRuleOnEveryIsaAndLength) {
  for (const simd::OptimIsa* isa : optim_isas())
    for (double momentum : {0.0, 0.9})
      for (bool nesterov : {false, true})
        for (bool first : {false, true})
          for (bool maximize : {false, true})
            for (size_t n : kLengths) {
              simd::SgdArgs a{0.1, momentum, nesterov ? 0.0 : 0.25, 0.01, nesterov, maximize, first};
              std::vector<V> s = random_arrays(momentum != 0 ? 3 : 2, n, static_cast<unsigned>(n + 7));
              std::vector<V> want = s;
              sgd_reference(a, want);
              expect_kernel<double>(isa->sgd_f64, a, s, want, 1e-14, "sgd f64");
              expect_kernel<float>(isa->sgd_f32, a, s, want, 1e-6, "sgd f32");
            }
}

// A parameter large enough to be split between threads: the same values as one thread (elementwise, so exactly).
TEST(OptimKernels, ThreadedUpdateEqualsOneThread) {
  const int saved = get_num_threads();
  auto run = [](int threads) {
    set_num_threads(threads);
    manual_seed(3);
    Tensor p = randn({300001}).requires_grad_();
    optim::Adam opt({p}, optim::AdamOptions{.lr = 0.01, .weight_decay = 0.1});
    for (int i = 0; i < 3; ++i) {
      p.set_grad(randn({300001}));
      opt.step();
    }
    return p.detach();
  };
  Tensor one = run(1), two = run(2);
  set_num_threads(saved);
  EXPECT_TRUE(equal(one, two));
  EXPECT_GT(max(abs(one)).item<double>(), 0.0);
}

}  // namespace
}  // namespace fl::test
