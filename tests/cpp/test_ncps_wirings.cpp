// NCP wirings and the numpy RNGs behind them: the spec's verified vectors (shared/specs/ncps.md §1.8), matrices
// copied from the golden files the reference ncps produced (shared/golden/ncps), and argument errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fl/ncps/numpy_random.h"
#include "fl/ncps/wirings.h"
#include "test_util.h"

namespace fl::ncps {
namespace {

/// A matrix written as rows of '+', '-' and '.' (+1, -1, 0).
IntMatrix parse(const std::vector<std::string>& rows) {
  IntMatrix m(static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows.at(0).size()));
  for (int64_t r = 0; r < m.rows; ++r)
    for (int64_t c = 0; c < m.cols; ++c) m(r, c) = rows[r][c] == '+' ? 1 : rows[r][c] == '-' ? -1 : 0;
  return m;
}

std::vector<std::string> render(const IntMatrix& m) {
  std::vector<std::string> rows;
  for (int64_t r = 0; r < m.rows; ++r) {
    std::string s;
    for (int64_t c = 0; c < m.cols; ++c) s += m(r, c) > 0 ? '+' : m(r, c) < 0 ? '-' : '.';
    rows.push_back(s);
  }
  return rows;
}

void expect_matrix(const IntMatrix& m, const std::vector<std::string>& rows) { EXPECT_EQ(render(m), rows); }

/// The spec's checksum (Σ|a|, Σ (r·ncols + c + 1)·a) over a row-major matrix.
std::pair<int64_t, int64_t> checksum(const IntMatrix& m) {
  int64_t weighted = 0;
  for (int64_t r = 0; r < m.rows; ++r)
    for (int64_t c = 0; c < m.cols; ++c) weighted += (r * m.cols + c + 1) * m(r, c);
  return {m.abs_sum(), weighted};
}
using Sum = std::pair<int64_t, int64_t>;

// ---- RNG vectors (§1.8) ----

TEST(NcpsNumpyRandom, RandomStateRawDraws) {
  RandomState a(5489);
  EXPECT_EQ(a.next_uint32(), 3499211612u);
  EXPECT_EQ(a.next_uint32(), 581869302u);
  EXPECT_EQ(a.next_uint32(), 3890346734u);
  RandomState b(22222);
  for (uint32_t want : {294195201u, 1847582594u, 1342442730u, 288109640u, 840089594u, 3515384064u})
    EXPECT_EQ(b.next_uint32(), want);
}

TEST(NcpsNumpyRandom, RandomStateChoiceAndPermutation) {
  RandomState r(22222);
  std::vector<int> got;
  for (int i = 0; i < 6; ++i) got.push_back(r.choice(std::vector<int>{-1, 1}));
  EXPECT_EQ(got, (std::vector<int>{1, -1, -1, -1, -1, -1}));
  EXPECT_EQ(RandomState(22222).permutation(6), (std::vector<int64_t>{5, 3, 0, 4, 2, 1}));
  EXPECT_EQ(RandomState(22222).choice(6, 3, /*replace=*/false), (std::vector<int64_t>{5, 3, 0}));
}

TEST(NcpsNumpyRandom, RandomStateMaskedRejection) {
  // randint(0, 5) masks each draw with 7 and rejects 5..7: recompute from the raw stream.
  RandomState raw(7), r(7);
  for (int i = 0; i < 200; ++i) {
    uint32_t v;
    while ((v = raw.next_uint32() & 7u) > 4u) {
    }
    ASSERT_EQ(r.randint(0, 5), static_cast<int64_t>(v));
  }
  // interval(0) draws nothing.
  RandomState c(3), d(3);
  EXPECT_EQ(c.interval(0), 0u);
  EXPECT_EQ(c.next_uint32(), d.next_uint32());
  // Ranges beyond 32 bits use next_uint64 (high word first).
  RandomState e(11), f(11);
  const uint64_t hi = f.next_uint32(), lo = f.next_uint32();
  const uint64_t want = ((hi << 32) | lo) & ((uint64_t{1} << 40) - 1);
  ASSERT_LT(want, (uint64_t{1} << 40) - 1);  // accepted at the first draw for this seed
  EXPECT_EQ(e.randint(0, (int64_t{1} << 40) - 1), static_cast<int64_t>(want));
}

TEST(NcpsNumpyRandom, DefaultRngRawDraws) {
  Generator g = default_rng(1111);
  EXPECT_EQ(g.next_uint64(), 15852105362585597067ull);
  EXPECT_EQ(g.next_uint64(), 12115427431398542507ull);
  // 32-bit draws split one 64-bit output, low half first.
  Generator h = default_rng(1111);
  EXPECT_EQ(h.next_uint32(), static_cast<uint32_t>(15852105362585597067ull));
  EXPECT_EQ(h.next_uint32(), static_cast<uint32_t>(15852105362585597067ull >> 32));
  EXPECT_EQ(h.next_uint64(), 12115427431398542507ull);
}

TEST(NcpsNumpyRandom, GeneratorLemire) {
  // integers(0, 3) = (next32 * 3) >> 32 unless the low word falls below (2^32 - 3) % 3 = 1.
  Generator raw = default_rng(99), g = default_rng(99);
  for (int i = 0; i < 300; ++i) {
    uint64_t m;
    do m = static_cast<uint64_t>(raw.next_uint32()) * 3;
    while (static_cast<uint32_t>(m) < 1u);
    ASSERT_EQ(g.integers(0, 3), static_cast<int64_t>(m >> 32));
  }
  Generator z = default_rng(5), y = default_rng(5);
  EXPECT_EQ(z.integers(4, 5), 4);  // a one-value range draws nothing
  EXPECT_EQ(z.next_uint64(), y.next_uint64());
}

TEST(NcpsNumpyRandom, ChoiceWithoutReplacementIsASample) {
  for (auto [n, k] : std::vector<std::pair<int64_t, int64_t>>{{10, 10}, {50, 7}, {20000, 1000}, {20000, 10}}) {
    auto s = default_rng(3).choice(n, k, /*replace=*/false);
    ASSERT_EQ(static_cast<int64_t>(s.size()), k);
    std::vector<bool> seen(n, false);
    for (int64_t v : s) {
      ASSERT_TRUE(v >= 0 && v < n);
      ASSERT_FALSE(seen[v]) << "duplicate " << v;
      seen[v] = true;
    }
  }
}

TEST(NcpsNumpyRandom, Errors) {
  test::expect_error_containing<ValueError>([] { RandomState(-1); }, "Seed must be between 0 and 2**32 - 1");
  test::expect_error_containing<ValueError>([] { RandomState(int64_t{1} << 32); }, "Seed must be between");
  test::expect_error_containing<ValueError>([] { default_rng(-1); }, "expected non-negative integer");
  test::expect_error_containing<ValueError>([] { default_rng(1).integers(3, 3); }, "low >= high");
  test::expect_error_containing<ValueError>([] { RandomState(1).randint(3, 2); }, "low >= high");
  test::expect_error_containing<ValueError>([] { default_rng(1).choice(3, 4, false); }, "larger sample");
  test::expect_error_containing<ValueError>([] { RandomState(1).choice(3, 4, false); }, "larger sample");
  test::expect_error_containing<ValueError>([] { RandomState(1).choice(0); }, "a must be greater than 0");
  test::expect_error_containing<ValueError>([] { default_rng(1).choice(3, -1); }, "negative dimensions");
}

// ---- Wirings: §1.8 vectors ----

TEST(NcpsWirings, NcpSmallMatchesSpec) {
  NCP w(4, 3, 2, /*sensory_fanout=*/2, /*inter_fanout=*/2, /*recurrent=*/3, /*motor_fanin=*/2, /*seed=*/22222);
  w.build(3);
  expect_matrix(w.adjacency_matrix(), {".........", ".........", "-..--....", ".+..+....", "-+.......", "...+-....",
                                       "..-+.....", "..-+.....", "..+.+...."});
  expect_matrix(w.sensory_adjacency_matrix(), {".....-..-", "......++.", "......--."});
}

TEST(NcpsWirings, NcpAndAutoNcpChecksums) {
  NCP ncp(10, 10, 8, 6, 6, 4, 6);
  ncp.build(8);
  EXPECT_EQ(checksum(ncp.adjacency_matrix()), Sum(112, 6462));
  EXPECT_EQ(checksum(ncp.sensory_adjacency_matrix()), Sum(48, 1237));
  AutoNCP a16(16, 4);
  a16.build(8);
  EXPECT_EQ(checksum(a16.adjacency_matrix()), Sum(28, 1064));
  EXPECT_EQ(checksum(a16.sensory_adjacency_matrix()), Sum(32, -102));
  AutoNCP a28(28, 4);
  a28.build(20);
  EXPECT_EQ(checksum(a28.adjacency_matrix()), Sum(84, -7472));
  EXPECT_EQ(checksum(a28.sensory_adjacency_matrix()), Sum(140, 888));
}

TEST(NcpsWirings, AutoNcpDerivedSizes) {
  struct Case {
    int64_t units, out;
    std::vector<int64_t> want;  // inter, command, motor, sensory_fanout, inter_fanout, recurrent, motor_fanin
  };
  for (const auto& c : std::vector<Case>{{16, 4, {8, 4, 4, 4, 2, 4, 2}},
                                         {28, 4, {15, 9, 4, 7, 4, 9, 4}},
                                         {28, 10, {11, 7, 10, 5, 3, 7, 3}},
                                         {32, 1, {19, 12, 1, 9, 6, 12, 6}}}) {
    AutoNCP w(c.units, c.out);
    EXPECT_EQ(
        (std::vector<int64_t>{w.num_inter_neurons(), w.num_command_neurons(), w.num_motor_neurons(), w.sensory_fanout(),
                              w.inter_fanout(), w.recurrent_command_synapses(), w.motor_fanin()}),
        c.want)
        << "AutoNCP(" << c.units << ", " << c.out << ")";
    EXPECT_EQ(w.units(), c.units);
    EXPECT_EQ(w.output_dim(), c.out);
  }
}

TEST(NcpsWirings, FullyConnectedMatchesSpec) {
  FullyConnected w(5);
  w.build(2);
  expect_matrix(w.adjacency_matrix(), {"+++++", "+++++", "+++++", "-+++-", "++-++"});
  expect_matrix(w.sensory_adjacency_matrix(), {"++--+", "+++++"});
  FullyConnected small(3);
  small.build(2);
  EXPECT_EQ(small.synapse_count(), 9);
  EXPECT_EQ(checksum(small.adjacency_matrix()).second, 45);  // all +1: 1 + 2 + ... + 9
  EXPECT_EQ(checksum(small.sensory_adjacency_matrix()).second, 21);
}

TEST(NcpsWirings, RandomMatchesSpec) {
  Random w(4, std::nullopt, 0.5);
  w.build(2);
  expect_matrix(w.adjacency_matrix(), {"....", "..+-", "+.++", ".-+-"});
  expect_matrix(w.sensory_adjacency_matrix(), {"..++", ".+.+"});
}

// ---- Wirings: golden files (values read from shared/golden/ncps with tests/python/golden.py) ----

TEST(NcpsWirings, GoldenNcpI5C4M2) {
  NCP w(5, 4, 2, 2, 2, 3, 2, /*seed=*/1);
  w.build(3);
  expect_matrix(w.adjacency_matrix(),
                {"...........", "...........", ".++........", ".-.........", "+..........", "++...-.....",
                 "...-+......", "..++.......", "..-.-......", "..+..+.....", "..+.+......"});
  expect_matrix(w.sensory_adjacency_matrix(), {".......++..", "........++.", "......-..--"});
  EXPECT_EQ(w.synapse_count(), 17);
  EXPECT_EQ(w.sensory_synapse_count(), 7);
  std::vector<std::string> types;
  for (int64_t i = 0; i < w.units(); ++i) types.push_back(w.get_type_of_neuron(i));
  EXPECT_EQ(types, (std::vector<std::string>{"motor", "motor", "command", "command", "command", "command", "inter",
                                             "inter", "inter", "inter", "inter"}));
}

TEST(NcpsWirings, GoldenFullyConnectedNoSelf) {
  FullyConnected w(6, std::nullopt, /*erev_init_seed=*/7, /*self_connections=*/false);
  w.build(4);
  expect_matrix(w.adjacency_matrix(), {".+++++", "+.+---", "-+.+-+", "+-+.-+", "+-+-.+", "-++++."});
  expect_matrix(w.sensory_adjacency_matrix(), {"++++++", "+++++-", "+-++--", "+--+++"});
}

TEST(NcpsWirings, GoldenRandomU16) {
  Random w(16, 4, 0.5, 1111);
  w.build(6);
  expect_matrix(w.adjacency_matrix(), {"-..+..+.-+....+.", "....-.--..-+..+.", "+.+..+++..-+.+..", "...+-.+-+..+.+-+",
                                       "+--+-.+---.+-.++", "-..+++++.+++.-+.", "...+-.-+....+.+-", ".+-+....+..+.+++",
                                       "+.+--++.++...-++", "....+...+..++.+.", "..-+.-+-...+....", "...+..+.+-...+++",
                                       "-+..+.--...-.+-+", "++.-.+-...+....+", "-....--+..++.+-+", "+-...+.+.-..-..."});
  expect_matrix(w.sensory_adjacency_matrix(), {"...---++.++..-..", "..++.-+...-.-+..", "-++......++.-..-",
                                               "++..+.-+..+....+", ".+.-+-.-+-.++..+", ".--..+.+.++-++.."});
}

TEST(NcpsWirings, GoldenChecksums) {
  FullyConnected fc(8, 3, 1111);
  fc.build(5);
  EXPECT_EQ(checksum(fc.adjacency_matrix()), Sum(64, 906));
  EXPECT_EQ(checksum(fc.sensory_adjacency_matrix()), Sum(40, 474));
  Random r(20, 2, 0.8, 42);
  r.build(3);
  EXPECT_EQ(checksum(r.adjacency_matrix()), Sum(80, 6625));
  EXPECT_EQ(checksum(r.sensory_adjacency_matrix()), Sum(12, 255));
  NCP ncp(10, 8, 4, 4, 3, 5, 4, 22222);
  ncp.build(7);
  EXPECT_EQ(checksum(ncp.adjacency_matrix()), Sum(51, -1));
  EXPECT_EQ(checksum(ncp.sensory_adjacency_matrix()), Sum(30, 337));
  AutoNCP a32(32, 4);
  a32.build(8);
  EXPECT_EQ(checksum(a32.adjacency_matrix()), Sum(116, -3963));
  EXPECT_EQ(checksum(a32.sensory_adjacency_matrix()), Sum(64, 1909));
  AutoNCP a19(19, 1);
  a19.build(6);
  EXPECT_EQ(checksum(a19.adjacency_matrix()), Sum(47, 765));
  EXPECT_EQ(checksum(a19.sensory_adjacency_matrix()), Sum(32, -344));
  AutoNCP a64(64, 8, 0.7, 5);
  a64.build(10);
  EXPECT_EQ(checksum(a64.adjacency_matrix()), Sum(265, 10730));
  EXPECT_EQ(checksum(a64.sensory_adjacency_matrix()), Sum(102, -1208));
  AutoNCP a16(16, 3, 0.3, 123);
  a16.build(2);
  EXPECT_EQ(checksum(a16.adjacency_matrix()), Sum(40, -1304));
  EXPECT_EQ(checksum(a16.sensory_adjacency_matrix()), Sum(10, 97));
}

// ---- Wirings: behaviour ----

TEST(NcpsWirings, LayersAndTypes) {
  AutoNCP w(16, 4);  // inter 8, command 4, motor 4
  EXPECT_EQ(w.num_layers(), 3);
  EXPECT_EQ(w.get_neurons_of_layer(0), (std::vector<int64_t>{8, 9, 10, 11, 12, 13, 14, 15}));
  EXPECT_EQ(w.get_neurons_of_layer(1), (std::vector<int64_t>{4, 5, 6, 7}));
  EXPECT_EQ(w.get_neurons_of_layer(2), (std::vector<int64_t>{0, 1, 2, 3}));
  test::expect_error_containing<ValueError>([&] { w.get_neurons_of_layer(3); }, "Unknown layer 3");
  FullyConnected fc(5, 2);
  EXPECT_EQ(fc.num_layers(), 1);
  EXPECT_EQ(fc.get_neurons_of_layer(0), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(fc.get_type_of_neuron(1), "motor");
  EXPECT_EQ(fc.get_type_of_neuron(2), "inter");
  Wiring plain(3);
  EXPECT_EQ(plain.get_type_of_neuron(0), "inter");  // no output_dim yet
}

TEST(NcpsWirings, BuildIsIdempotentAndChecksDims) {
  AutoNCP w(16, 4);
  EXPECT_FALSE(w.is_built());
  w.build(8);
  const IntMatrix a = w.adjacency_matrix(), s = w.sensory_adjacency_matrix();
  w.build(8);  // ncps would draw a second set of synapses on top
  EXPECT_EQ(w.adjacency_matrix(), a);
  EXPECT_EQ(w.sensory_adjacency_matrix(), s);
  test::expect_error_containing<ValueError>([&] { w.build(7); }, "Conflicting input dimensions");
  // set_input_dim first (ncps API), then build: the synapses are still drawn.
  AutoNCP v(16, 4);
  v.set_input_dim(8);
  EXPECT_EQ(v.sensory_synapse_count(), 0);
  v.build(8);
  EXPECT_EQ(v.sensory_adjacency_matrix(), s);
}

TEST(NcpsWirings, BaseSynapsesAndInitializers) {
  Wiring w(3);
  w.add_synapse(0, 2, -1);
  w.add_synapse(1, 1, 1);
  EXPECT_EQ(w.synapse_count(), 2);
  EXPECT_EQ(w.sensory_synapse_count(), 0);
  test::expect_error_containing<ValueError>([&] { w.add_sensory_synapse(0, 0, 1); }, "before build()");
  w.build(2);
  w.add_sensory_synapse(1, 0, -1);
  EXPECT_EQ(w.sensory_synapse_count(), 1);
  test::expect_values(w.erev_initializer(kFloat64), {0, 0, -1, 0, 1, 0, 0, 0, 0}, {3, 3});
  test::expect_values(w.sensory_erev_initializer(), {0, 0, 0, -1, 0, 0}, {2, 3});
  EXPECT_EQ(w.erev_initializer().dtype(), kInt32);
  test::expect_error_containing<ValueError>([&] { w.add_synapse(3, 0, 1); }, "originating in 3 if cell has only 3");
  test::expect_error_containing<ValueError>([&] { w.add_synapse(0, -1, 1); }, "feeding into -1");
  test::expect_error_containing<ValueError>([&] { w.add_synapse(0, 0, 0); }, "polarity 0 (expected -1 or +1)");
  test::expect_error_containing<ValueError>([&] { w.add_sensory_synapse(2, 0, 1); }, "input has only 2 features");
  test::expect_error_containing<Error>([] { Wiring(2).sensory_adjacency_matrix(); }, "not built");
}

TEST(NcpsWirings, ConfigRoundTrips) {
  AutoNCP a(19, 1, 0.5, 22222);
  auto a2 = AutoNCP::from_config(a.get_config());
  a.build(6);
  a2->build(6);
  EXPECT_EQ(a.adjacency_matrix(), a2->adjacency_matrix());
  EXPECT_EQ(a.get_config(), a2->get_config());
  NCP n(5, 4, 2, 2, 2, 3, 2, 1);
  auto n2 = NCP::from_config(n.get_config());
  EXPECT_EQ(n2->get_config().get_int("seed"), 1);
  EXPECT_EQ(n2->get_config().get_int("inter_neurons"), 5);
  n.build(3);
  n2->build(3);
  EXPECT_EQ(n.sensory_adjacency_matrix(), n2->sensory_adjacency_matrix());
  FullyConnected f(6, std::nullopt, 7, false);
  EXPECT_EQ(FullyConnected::from_config(f.get_config())->adjacency_matrix(), f.adjacency_matrix());
  Random r(20, 2, 0.8, 42);
  EXPECT_EQ(Random::from_config(r.get_config())->adjacency_matrix(), r.adjacency_matrix());
  // The base config carries the matrices and dims.
  r.build(3);
  auto plain = Wiring::from_config(r.Wiring::get_config());
  EXPECT_EQ(plain->adjacency_matrix(), r.adjacency_matrix());
  EXPECT_EQ(plain->sensory_adjacency_matrix(), r.sensory_adjacency_matrix());
  EXPECT_EQ(plain->input_dim(), 3);
  EXPECT_EQ(plain->output_dim(), 2);
  test::expect_error_containing<ValueError>([] { NCP::from_config(WiringConfig{}); }, "no entry 'inter_neurons'");
}

TEST(NcpsWirings, ArgumentErrors) {
  test::expect_error_containing<ValueError>([] { NCP(4, 3, 2, 2, 2, 3, 4); },
                                            "Motor fanin parameter is 4 but there are only 3 command neurons");
  test::expect_error_containing<ValueError>([] { NCP(4, 3, 2, 5, 2, 3, 2); },
                                            "Sensory fanout parameter is 5 but there are only 4 inter neurons");
  test::expect_error_containing<ValueError>([] { NCP(4, 3, 2, 2, 4, 3, 2); },
                                            "Inter fanout parameter is 4 but there are only 3 command neurons");
  test::expect_error_containing<ValueError>([] { NCP(0, 3, 2, 0, 2, 3, 2); }, "inter_neurons must be at least 1");
  test::expect_error_containing<ValueError>([] { NCP(4, 3, 2, 2, 2, -1, 2); }, "recurrent_command_synapses");
  test::expect_error_containing<ValueError>([] { AutoNCP(10, 8); },
                                            "Output size must be less than the number of units-2");
  test::expect_error_containing<ValueError>([] { AutoNCP(16, 4, 0.05); }, "between 0.1 and 1.0 (given 0.05)");
  test::expect_error_containing<ValueError>([] { AutoNCP(16, 4, 1.5); }, "Sparsity level");
  test::expect_error_containing<ValueError>([] { Random(4, std::nullopt, 1.0); }, "Invalid sparsity level '1'");
  test::expect_error_containing<ValueError>([] { Random(4, std::nullopt, -0.1); }, "expected value in range [0,1)");
  test::expect_error_containing<ValueError>([] { FullyConnected(4, 5); }, "output_dim must be between 1 and units");
  test::expect_error_containing<ValueError>([] { Wiring(0); }, "units must be at least 1");
  test::expect_error_containing<ValueError>([] { FullyConnected(3).build(0); }, "input_dim must be at least 1");
}

}  // namespace
}  // namespace fl::ncps
