// Thread-local free lists for the small objects every op allocates (tensor impls, storages, autograd nodes and
// metadata): taking a block from a list and giving it back costs a few instructions, where a malloc and free
// pair costs tens of nanoseconds on the tiny-op path.
#pragma once
#include <cstddef>
#include <memory>
#include <new>
#include <utility>

namespace fl::pool {

/// The blocks of one size kept by one thread. Trivially destructible and constant-initialised, so reaching it
/// is one thread-local access with no guard, and it stays usable while the thread's other thread_local objects
/// are destroyed (once `Drain` has run, blocks go straight back to the heap).
struct FreeList {
  struct Block {
    Block* next;
  };
  Block* head = nullptr;
  int count = 0;
  bool drained_at_exit = false;  // a Drain is registered for this thread
  bool closed = false;           // the thread is exiting
};

template <size_t Size>
inline thread_local FreeList free_list;

// At most this many free blocks of each size per thread: enough for the temporaries of a burst of ops.
inline constexpr int kMaxFree = 256;

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kEnabled = false;  // AddressSanitizer sees every block come and go
#else
inline constexpr bool kEnabled = true;
#endif

// Frees a thread's blocks when the thread ends.
template <size_t Size>
struct Drain {
  ~Drain() {
    FreeList& l = free_list<Size>;
    l.closed = true;
    while (l.head) {
      FreeList::Block* b = l.head;
      l.head = b->next;
      ::operator delete(b);
    }
    l.count = 0;
  }
};

// Registers the thread's Drain (first use of the list in this thread).
template <size_t Size>
[[gnu::noinline]] void register_drain() {
  thread_local Drain<Size> drain;
  (void)drain;
  free_list<Size>.drained_at_exit = true;
}

template <size_t Size>
void* allocate() {
  static_assert(Size >= sizeof(FreeList::Block));
  if constexpr (!kEnabled) return ::operator new(Size);
  FreeList& l = free_list<Size>;
  if (FreeList::Block* b = l.head) {
    l.head = b->next;
    --l.count;
    return b;
  }
  return ::operator new(Size);
}

template <size_t Size>
void deallocate(void* p) {
  if constexpr (!kEnabled) return ::operator delete(p);
  FreeList& l = free_list<Size>;
  if (l.closed || l.count >= kMaxFree) return ::operator delete(p);
  if (!l.drained_at_exit) register_drain<Size>();
  auto* b = static_cast<FreeList::Block*>(p);
  b->next = l.head;
  l.head = b;
  ++l.count;
}

/// A standard allocator over the free lists (for std::allocate_shared, which rebinds it to its control block).
template <typename T>
struct Allocator {
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);
  using value_type = T;
  Allocator() = default;
  template <typename U>
  Allocator(const Allocator<U>&) {}
  T* allocate(size_t n) {
    if (n != 1) return static_cast<T*>(::operator new(n * sizeof(T)));
    return static_cast<T*>(pool::allocate<sizeof(T)>());
  }
  void deallocate(T* p, size_t n) {
    if (n != 1) return ::operator delete(p);
    pool::deallocate<sizeof(T)>(p);
  }
  template <typename U>
  bool operator==(const Allocator<U>&) const {
    return true;
  }
};

/// std::make_shared with the object and its control block in a pooled block.
template <typename T, typename... Args>
std::shared_ptr<T> make_shared(Args&&... args) {
  return std::allocate_shared<T>(Allocator<T>{}, std::forward<Args>(args)...);
}

}  // namespace fl::pool
