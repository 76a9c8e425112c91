// numpy's random number generators, bit for bit, without numpy: the legacy `numpy.random.RandomState` (MT19937)
// and `numpy.random.default_rng` (SeedSequence -> PCG64 -> Generator). ncps draws its wirings with both (NCP and
// AutoNCP with RandomState, FullyConnected and Random with default_rng), so the same seed must give the same
// matrices here. Each method names the numpy method it reproduces, including numpy's bounded-integer algorithm:
// RandomState uses masked rejection everywhere; Generator uses Lemire's method for integers/choice and masked
// rejection for shuffle/permutation.
#pragma once
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace fl::ncps {

/// numpy.random.RandomState(seed) with an integer seed in [0, 2**32 - 1] (MT19937 with init_genrand, which is
/// exactly std::mt19937).
class RandomState {
 public:
  /// ValueError unless 0 <= seed <= 2**32 - 1, as numpy.
  explicit RandomState(int64_t seed);
  /// RandomState.seed(seed): restart the stream.
  void seed(int64_t seed);

  /// One raw 32-bit MT19937 output.
  uint32_t next_uint32() { return static_cast<uint32_t>(engine_()); }
  /// Two outputs, the first in the high half (numpy's mt19937_next64).
  uint64_t next_uint64();
  /// random_sample(): a 53-bit double in [0, 1) from two outputs.
  double random_sample();
  /// uniform(low, high) = low + (high - low) * random_sample().
  double uniform(double low = 0.0, double high = 1.0);
  /// randint(low, high[, size]): int64s in [low, high) by masked rejection; ValueError if low >= high (overloads
  /// for one value or `size` values).
  int64_t randint(int64_t low, int64_t high);
  std::vector<int64_t> randint(int64_t low, int64_t high, int64_t size);
  /// A uniform value in [0, max]: numpy's random_interval (masked rejection; 0 draws nothing).
  uint64_t interval(uint64_t max);
  /// permutation(n): arange(n) shuffled.
  std::vector<int64_t> permutation(int64_t n);
  /// shuffle(x): Fisher-Yates from the end with interval(i).
  template <typename T>
  void shuffle(std::vector<T>& x) {
    for (size_t i = x.size(); i-- > 1;) std::swap(x[i], x[interval(i)]);
  }
  /// choice(n): randint(0, n). choice(n, size, replace): randint(0, n, size), or permutation(n)[:size] (two
  /// overloads).
  int64_t choice(int64_t n);
  std::vector<int64_t> choice(int64_t n, int64_t size, bool replace = true);
  /// choice(a) and choice(a, size, replace) over the elements of a (two overloads).
  template <typename T>
  T choice(const std::vector<T>& a) {
    return a[choice(static_cast<int64_t>(a.size()))];
  }
  template <typename T>
  std::vector<T> choice(const std::vector<T>& a, int64_t size, bool replace = true) {
    return gather(a, choice(static_cast<int64_t>(a.size()), size, replace));
  }

 private:
  template <typename T>
  static std::vector<T> gather(const std::vector<T>& a, const std::vector<int64_t>& idx) {
    std::vector<T> out;
    out.reserve(idx.size());
    for (int64_t i : idx) out.push_back(a[i]);
    return out;
  }
  std::mt19937 engine_;
};

/// numpy.random.SeedSequence(entropy) with no spawn key: mixes the entropy words into a 4-word pool.
class SeedSequence {
 public:
  /// The entropy as numpy splits an integer: 32-bit words, least significant first ([0] for 0).
  explicit SeedSequence(std::vector<uint32_t> entropy);
  /// A non-negative integer seed; ValueError for a negative one, as numpy.
  static SeedSequence from_int(int64_t seed);
  /// generate_state(n, np.uint32).
  std::vector<uint32_t> generate_state32(size_t n_words) const;
  /// generate_state(n, np.uint64).
  std::vector<uint64_t> generate_state64(size_t n_words) const;
  /// The 4-word entropy pool.
  const std::vector<uint32_t>& pool() const { return pool_; }

 private:
  std::vector<uint32_t> pool_;
};

/// numpy.random.PCG64 seeded from a SeedSequence (128-bit LCG, XSL-RR output), with numpy's buffered 32-bit draws.
class PCG64 {
 public:
  explicit PCG64(const SeedSequence& seq);
  /// One 64-bit output (advances the state).
  uint64_t next_uint64();
  /// The low half of a 64-bit output, then its high half on the next call.
  uint32_t next_uint32();
  /// (next_uint64() >> 11) * 2**-53.
  double next_double();

 private:
  unsigned __int128 state_ = 0, inc_ = 0;
  bool has_uint32_ = false;
  uint32_t uinteger_ = 0;
};

/// numpy.random.Generator over PCG64: the methods ncps uses and their close relatives.
class Generator {
 public:
  explicit Generator(PCG64 bit_generator) : bitgen_(bit_generator) {}
  /// The bit generator's next 64-bit output.
  uint64_t next_uint64() { return bitgen_.next_uint64(); }
  /// The bit generator's next buffered 32-bit output.
  uint32_t next_uint32() { return bitgen_.next_uint32(); }
  /// random(): a double in [0, 1).
  double random() { return bitgen_.next_double(); }
  /// uniform(low, high) = low + (high - low) * random().
  double uniform(double low = 0.0, double high = 1.0);
  /// integers(low, high[, size]) in [low, high), endpoint=False, by Lemire's method; ValueError if low >= high
  /// (overloads for one value or `size` values).
  int64_t integers(int64_t low, int64_t high);
  std::vector<int64_t> integers(int64_t low, int64_t high, int64_t size);
  /// A uniform value in [0, max] by Lemire's method (numpy's random_bounded_uint64, unmasked).
  uint64_t bounded(uint64_t max);
  /// A uniform value in [0, max] by masked rejection (numpy's random_interval, used by shuffle).
  uint64_t interval(uint64_t max);
  /// permutation(n): arange(n) shuffled.
  std::vector<int64_t> permutation(int64_t n);
  /// shuffle(x): Fisher-Yates from the end with interval(i).
  template <typename T>
  void shuffle(std::vector<T>& x) {
    for (size_t i = x.size(); i-- > 1;) std::swap(x[i], x[interval(i)]);
  }
  /// choice(n) = integers(0, n). choice(n, size, replace, shuffle): with replacement, integers(0, n, size);
  /// without, Floyd's algorithm (then a Lemire shuffle of the picks if `shuffle`), or a tail shuffle when
  /// n > 10000 and size > n // 50 (n // 20 without `shuffle`), as numpy. Four overloads: these two over
  /// range(n), and the same two over the elements of a vector.
  int64_t choice(int64_t n);
  std::vector<int64_t> choice(int64_t n, int64_t size, bool replace = true, bool shuffle = true);
  template <typename T>
  T choice(const std::vector<T>& a) {
    return a[choice(static_cast<int64_t>(a.size()))];
  }
  template <typename T>
  std::vector<T> choice(const std::vector<T>& a, int64_t size, bool replace = true, bool shuffle = true) {
    std::vector<T> out;
    out.reserve(size > 0 ? size : 0);
    for (int64_t i : choice(static_cast<int64_t>(a.size()), size, replace, shuffle)) out.push_back(a[i]);
    return out;
  }

 private:
  PCG64 bitgen_;
};

/// numpy.random.default_rng(seed) for a non-negative integer seed.
Generator default_rng(int64_t seed);

}  // namespace fl::ncps
