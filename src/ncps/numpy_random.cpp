// numpy's RandomState and Generator algorithms (numpy/random/src/distributions/distributions.c, _generator.pyx,
// mtrand.pyx, bit_generator.pyx, pcg64.h), reproduced so ncps's wirings come out bit-identical.
#include "fl/ncps/numpy_random.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "fl/error.h"

namespace fl::ncps {
namespace {

using u128 = unsigned __int128;

/// The smallest 2**k - 1 >= max.
uint64_t gen_mask(uint64_t max) {
  uint64_t mask = max;
  for (int s = 1; s <= 32; s *= 2) mask |= mask >> s;
  return mask;
}

/// numpy's random_interval: masked rejection with 32-bit draws when max fits, else 64-bit ones.
template <typename Bitgen>
uint64_t masked_interval(Bitgen& g, uint64_t max) {
  if (max == 0) return 0;
  const uint64_t mask = gen_mask(max);
  uint64_t v;
  if (max <= 0xFFFFFFFFull) {
    while ((v = (g.next_uint32() & mask)) > max) {
    }
  } else {
    while ((v = (g.next_uint64() & mask)) > max) {
    }
  }
  return v;
}

void check_low_high(int64_t low, int64_t high) { FL_CHECK_VALUE(low < high, "low >= high"); }
void check_size(int64_t size) { FL_CHECK_VALUE(size >= 0, "negative dimensions are not allowed"); }
/// The inclusive range high - 1 - low as an unsigned value (no overflow for any int64 pair with low < high).
uint64_t inclusive_range(int64_t low, int64_t high) {
  return static_cast<uint64_t>(high) - static_cast<uint64_t>(low) - 1;
}

std::vector<int64_t> arange(int64_t n) {
  std::vector<int64_t> v(n > 0 ? n : 0);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int64_t>(i);
  return v;
}

// SeedSequence constants (bit_generator.pyx).
constexpr uint32_t kInitA = 0x43b0d7e5, kMultA = 0x931e8875, kInitB = 0x8b51f9dd, kMultB = 0x58f38ded;
constexpr uint32_t kMixL = 0xca01f9dd, kMixR = 0x4973f715;
constexpr int kXShift = 16;
constexpr size_t kPoolSize = 4;

uint32_t hashmix(uint32_t value, uint32_t& hash_const) {
  value ^= hash_const;
  hash_const *= kMultA;
  value *= hash_const;
  value ^= value >> kXShift;
  return value;
}
uint32_t mix(uint32_t x, uint32_t y) {
  uint32_t r = kMixL * x - kMixR * y;
  return r ^ (r >> kXShift);
}

constexpr u128 kPcgMultiplier = (static_cast<u128>(0x2360ED051FC65DA4ull) << 64) | 0x4385DF649FCCF645ull;

}  // namespace

// ---- RandomState ----

RandomState::RandomState(int64_t s) { seed(s); }

void RandomState::seed(int64_t s) {
  FL_CHECK_VALUE(s >= 0 && s <= 0xFFFFFFFFll, "Seed must be between 0 and 2**32 - 1");
  engine_.seed(static_cast<std::mt19937::result_type>(s));
}

uint64_t RandomState::next_uint64() {
  const uint64_t hi = next_uint32();
  return (hi << 32) | next_uint32();
}

double RandomState::random_sample() {
  const int32_t a = static_cast<int32_t>(next_uint32() >> 5), b = static_cast<int32_t>(next_uint32() >> 6);
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

double RandomState::uniform(double low, double high) { return low + (high - low) * random_sample(); }

uint64_t RandomState::interval(uint64_t max) { return masked_interval(*this, max); }

int64_t RandomState::randint(int64_t low, int64_t high) {
  check_low_high(low, high);
  // numpy's masked fill for [0, rng] is random_interval(rng): the same draws for every rng.
  return static_cast<int64_t>(static_cast<uint64_t>(low) + interval(inclusive_range(low, high)));
}

std::vector<int64_t> RandomState::randint(int64_t low, int64_t high, int64_t size) {
  check_low_high(low, high);
  check_size(size);
  std::vector<int64_t> out(size);
  for (auto& v : out) v = randint(low, high);
  return out;
}

std::vector<int64_t> RandomState::permutation(int64_t n) {
  auto v = arange(n);
  shuffle(v);
  return v;
}

int64_t RandomState::choice(int64_t n) {
  FL_CHECK_VALUE(n > 0, "a must be greater than 0 unless no samples are taken");
  return randint(0, n);
}

std::vector<int64_t> RandomState::choice(int64_t n, int64_t size, bool replace) {
  FL_CHECK_VALUE(n > 0 || size == 0, "a must be greater than 0 unless no samples are taken");
  check_size(size);
  if (replace) return size == 0 ? std::vector<int64_t>{} : randint(0, n, size);
  FL_CHECK_VALUE(size <= n, "Cannot take a larger sample than population when 'replace=False'");
  auto perm = permutation(n);
  perm.resize(size);
  return perm;
}

// ---- SeedSequence ----

SeedSequence::SeedSequence(std::vector<uint32_t> entropy) : pool_(kPoolSize) {
  if (entropy.empty()) entropy.push_back(0);
  uint32_t hc = kInitA;
  for (size_t i = 0; i < kPoolSize; ++i) pool_[i] = hashmix(i < entropy.size() ? entropy[i] : 0, hc);
  for (size_t src = 0; src < kPoolSize; ++src)
    for (size_t dst = 0; dst < kPoolSize; ++dst)
      if (src != dst) pool_[dst] = mix(pool_[dst], hashmix(pool_[src], hc));
  for (size_t src = kPoolSize; src < entropy.size(); ++src)
    for (size_t dst = 0; dst < kPoolSize; ++dst) pool_[dst] = mix(pool_[dst], hashmix(entropy[src], hc));
}

SeedSequence SeedSequence::from_int(int64_t seed) {
  FL_CHECK_VALUE(seed >= 0, "expected non-negative integer");
  const auto u = static_cast<uint64_t>(seed);
  std::vector<uint32_t> words{static_cast<uint32_t>(u)};
  if (u >> 32) words.push_back(static_cast<uint32_t>(u >> 32));
  return SeedSequence(std::move(words));
}

std::vector<uint32_t> SeedSequence::generate_state32(size_t n_words) const {
  std::vector<uint32_t> out(n_words);
  uint32_t hc = kInitB;
  for (size_t i = 0; i < n_words; ++i) {
    uint32_t v = pool_[i % kPoolSize] ^ hc;
    hc *= kMultB;
    v *= hc;
    out[i] = v ^ (v >> kXShift);
  }
  return out;
}

std::vector<uint64_t> SeedSequence::generate_state64(size_t n_words) const {
  const auto w = generate_state32(2 * n_words);
  std::vector<uint64_t> out(n_words);
  for (size_t i = 0; i < n_words; ++i) out[i] = (static_cast<uint64_t>(w[2 * i + 1]) << 32) | w[2 * i];
  return out;
}

// ---- PCG64 ----

PCG64::PCG64(const SeedSequence& seq) {
  const auto s = seq.generate_state64(4);
  const u128 init_state = (static_cast<u128>(s[0]) << 64) | s[1];
  const u128 init_seq = (static_cast<u128>(s[2]) << 64) | s[3];
  // pcg64_srandom_r
  state_ = 0;
  inc_ = (init_seq << 1) | 1;
  state_ = state_ * kPcgMultiplier + inc_;
  state_ += init_state;
  state_ = state_ * kPcgMultiplier + inc_;
}

uint64_t PCG64::next_uint64() {
  state_ = state_ * kPcgMultiplier + inc_;
  const uint64_t xored = static_cast<uint64_t>(state_ >> 64) ^ static_cast<uint64_t>(state_);
  const unsigned rot = static_cast<unsigned>(state_ >> 122);
  return (xored >> rot) | (xored << ((64 - rot) & 63));
}

uint32_t PCG64::next_uint32() {
  if (has_uint32_) {
    has_uint32_ = false;
    return uinteger_;
  }
  const uint64_t next = next_uint64();
  has_uint32_ = true;
  uinteger_ = static_cast<uint32_t>(next >> 32);
  return static_cast<uint32_t>(next);
}

double PCG64::next_double() { return static_cast<double>(next_uint64() >> 11) * (1.0 / 9007199254740992.0); }

// ---- Generator ----

double Generator::uniform(double low, double high) {
  const double range = high - low;
  // numpy raises OverflowError here; fl has no such class, and ValueError is the nearest.
  FL_CHECK_VALUE(std::isfinite(range), "high - low range exceeds valid bounds");
  return low + range * random();
}

uint64_t Generator::bounded(uint64_t rng) {
  if (rng == 0) return 0;
  if (rng <= 0xFFFFFFFFull) {
    if (rng == 0xFFFFFFFFull) return next_uint32();
    const uint64_t excl = rng + 1;
    uint64_t m = static_cast<uint64_t>(next_uint32()) * excl;
    auto leftover = static_cast<uint32_t>(m);
    if (leftover < excl) {
      const uint32_t threshold = static_cast<uint32_t>((0xFFFFFFFFull - rng) % excl);
      while (leftover < threshold) {
        m = static_cast<uint64_t>(next_uint32()) * excl;
        leftover = static_cast<uint32_t>(m);
      }
    }
    return m >> 32;
  }
  if (rng == ~0ull) return next_uint64();
  const uint64_t excl = rng + 1;
  u128 m = static_cast<u128>(next_uint64()) * excl;
  auto leftover = static_cast<uint64_t>(m);
  if (leftover < excl) {
    const uint64_t threshold = (~0ull - rng) % excl;
    while (leftover < threshold) {
      m = static_cast<u128>(next_uint64()) * excl;
      leftover = static_cast<uint64_t>(m);
    }
  }
  return static_cast<uint64_t>(m >> 64);
}

uint64_t Generator::interval(uint64_t max) { return masked_interval(*this, max); }

int64_t Generator::integers(int64_t low, int64_t high) {
  check_low_high(low, high);
  return static_cast<int64_t>(static_cast<uint64_t>(low) + bounded(inclusive_range(low, high)));
}

std::vector<int64_t> Generator::integers(int64_t low, int64_t high, int64_t size) {
  check_low_high(low, high);
  check_size(size);
  std::vector<int64_t> out(size);
  for (auto& v : out) v = integers(low, high);
  return out;
}

std::vector<int64_t> Generator::permutation(int64_t n) {
  auto v = arange(n);
  shuffle(v);
  return v;
}

int64_t Generator::choice(int64_t n) {
  FL_CHECK_VALUE(n > 0, "a must be a positive integer unless no samples are taken");
  return integers(0, n);
}

std::vector<int64_t> Generator::choice(int64_t n, int64_t size, bool replace, bool shuffle) {
  FL_CHECK_VALUE(n > 0 || size == 0, "a must be a positive integer unless no samples are taken");
  check_size(size);
  if (replace) return size == 0 ? std::vector<int64_t>{} : integers(0, n, size);
  FL_CHECK_VALUE(size <= n, "Cannot take a larger sample than population when replace is False");
  std::vector<int64_t> idx;
  const int64_t cutoff = shuffle ? 50 : 20;  // numpy's switch to the tail shuffle
  if (n > 10000 && size > n / cutoff) {
    // Tail shuffle: only the last `size` slots are shuffled into place.
    idx = arange(n);
    const int64_t first = std::max<int64_t>(n - size, 1);
    for (int64_t i = n - 1; i >= first; --i) std::swap(idx[i], idx[bounded(static_cast<uint64_t>(i))]);
    idx.erase(idx.begin(), idx.begin() + (n - size));
    return idx;
  }
  // Floyd's algorithm; numpy's open-addressing set only decides membership, so any set gives the same picks.
  idx.reserve(size);
  std::unordered_set<int64_t> chosen;
  for (int64_t j = n - size; j < n; ++j) {
    const auto v = static_cast<int64_t>(bounded(static_cast<uint64_t>(j)));
    idx.push_back(chosen.insert(v).second ? v : j);
    if (idx.back() == j) chosen.insert(j);
  }
  if (shuffle)
    for (int64_t i = size - 1; i >= 1; --i) std::swap(idx[i], idx[bounded(static_cast<uint64_t>(i))]);
  return idx;
}

Generator default_rng(int64_t seed) { return Generator(PCG64(SeedSequence::from_int(seed))); }

}  // namespace fl::ncps
