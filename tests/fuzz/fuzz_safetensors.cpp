// libFuzzer target for the safetensors reader (built by CMake only with a compiler that has -fsanitize=fuzzer,
// i.e. clang):  cmake -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ ... && cmake --build build-fuzz --target
// fuzz_safetensors && build-fuzz/fuzz_safetensors tests/fuzz/corpus
// A malformed input must raise fl::Error; anything else escaping (or a sanitizer report) is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fl/serialize.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    fl::Checkpoint c = fl::load_bytes(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    for (auto& [name, t] : c.tensors) t.eval();
    // What loads must save and load again to the same bytes.
    std::string once = fl::save_bytes(c.tensors, c.metadata);
    if (fl::save_bytes(fl::load_bytes(once).tensors, c.metadata) != once) __builtin_trap();
  } catch (const fl::Error&) {
  }
  return 0;
}
