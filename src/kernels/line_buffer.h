// Vectors whose data starts on a 64-byte cache line. The kernels sweep rows of whole 64-byte vectors; from
// malloc's 16-byte alignment each such load straddles two lines, which cost up to ~25% of a CfC step (and made
// its time vary between runs with where the heap happened to put the weights).
#pragma once
#include <cstddef>
#include <new>
#include <vector>

namespace fl::kernels {

template <typename T>
struct LineAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlign{64};
  LineAllocator() = default;
  template <typename U>
  LineAllocator(const LineAllocator<U>&) {}  // NOLINT(google-explicit-constructor): rebinding, as std::allocator
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlign)); }
  void deallocate(T* p, size_t) { ::operator delete(p, kAlign); }
  friend bool operator==(const LineAllocator&, const LineAllocator&) { return true; }
};

/// A std::vector on cache lines.
template <typename T>
using LineBuffer = std::vector<T, LineAllocator<T>>;

}  // namespace fl::kernels
