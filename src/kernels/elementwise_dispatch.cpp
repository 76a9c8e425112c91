// Picks the kernel table for this CPU once, and the thread count the kernels use.
#include <cstdlib>
#include <cstring>

#include "kernels/elementwise_impl.h"
#include "kernels/gemm.h"

namespace fl::kernels {

namespace simd {
const Isa& isa() {
  static const Isa& chosen = [&]() -> const Isa& {
    const char* cap = std::getenv("FL_SIMD");  // base | avx2 | avx512: a ceiling, for tests and benchmarks
    auto allowed = [cap](const char* name) {
      if (!cap) return true;
      if (!std::strcmp(cap, "base")) return false;
      return std::strcmp(cap, "avx2") != 0 || std::strcmp(name, "avx2") == 0;
    };
    __builtin_cpu_init();
    if (allowed("avx512") && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw"))
      return isa_avx512();
    if (allowed("avx2") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return isa_avx2();
    return isa_base();
  }();
  return chosen;
}
}  // namespace simd

namespace detail {
int num_threads() { return std::max(1, kernels::get_num_threads()); }
}  // namespace detail

}  // namespace fl::kernels
