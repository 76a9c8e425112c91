// fl_bench: Flashlight and (when built with libtorch) PyTorch rows of the same workloads, one thread count.
#include <cstdlib>
#include <string>

#include "bench_common.h"

int main(int argc, char** argv) {
  const int threads = flbench::bench_threads();
  benchmark::AddCustomContext("bench_threads", std::to_string(threads));
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  benchmark::AddCustomContext("OPENBLAS_CORETYPE", coretype ? coretype : "(unset)");
#ifdef FL_BENCH_FLASHLIGHT
  flbench::setup_flashlight(threads);
  flbench::register_flashlight();
#endif
#ifdef FL_BENCH_TORCH
  flbench::setup_torch(threads);
  flbench::register_torch();
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
