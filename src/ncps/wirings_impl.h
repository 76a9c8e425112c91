// Helpers shared by the wiring sources (not public).
#pragma once
#include <cstdint>
#include <vector>

namespace fl::ncps {

/// The neuron ids [begin, end).
inline std::vector<int64_t> neuron_range(int64_t begin, int64_t end) {
  std::vector<int64_t> ids;
  for (int64_t i = begin; i < end; ++i) ids.push_back(i);
  return ids;
}

}  // namespace fl::ncps
