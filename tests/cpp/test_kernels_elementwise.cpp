// The elementwise and reduction primitives (src/kernels/elementwise_*.cpp, reduce_primitive.cpp): every
// instruction set's kernels against long-double libm, the primitives against naive loops and MLX, across the
// size threshold and vector-width remainders, broadcasting, strided inputs, special values, gradients (float64
// finite differences, first and second order), MLX's jvp/vmap of the primitives, and 1 vs 2 threads.
#include <gtest/gtest.h>
#include <mlx/mlx.h>
#include <mlx/primitives.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "fl/fl.h"
#include "fl/nn/functional/loss.h"
#include "kernels/elementwise.h"
#include "kernels/elementwise_impl.h"
#include "kernels/simd.h"
#include "kernels/squared_error.h"
#include "test_util.h"

namespace mx = mlx::core;
using fl::kernels::BinaryOp;
using fl::kernels::ReduceOp;
using fl::kernels::UnaryOp;
namespace simd = fl::kernels::simd;

namespace {
constexpr size_t kMin = fl::kernels::detail::kMinLazy;

std::vector<const simd::Isa*> isas() {
  std::vector<const simd::Isa*> r{&simd::isa_base()};
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) r.push_back(&simd::isa_avx2());
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw"))
    r.push_back(&simd::isa_avx512());
  return r;
}

long double reference(UnaryOp op, long double x) {
  switch (op) {
    case UnaryOp::Exp:
      return expl(x);
    case UnaryOp::Log:
      return logl(x);
    case UnaryOp::Tanh:
      return tanhl(x);
    case UnaryOp::Sigmoid:
      return 1.0L / (1.0L + expl(-x));
    case UnaryOp::Silu:
      return x / (1.0L + expl(-x));
    case UnaryOp::Gelu:
      return 0.5L * x * erfcl(-x / sqrtl(2.0L));
    case UnaryOp::GeluTanh:
      return x / (1.0L + expl(-2.0L * sqrtl(2.0L / M_PIl) * (x + 0.044715L * x * x * x)));
    case UnaryOp::Relu:
      return x <= 0 ? 0.0L : x;
    case UnaryOp::Neg:
      return -x;
    case UnaryOp::Abs:
      return fabsl(x);
    case UnaryOp::Sqrt:
      return sqrtl(x);
    case UnaryOp::Square:
      return x * x;
  }
  return 0;
}
const char* op_name(UnaryOp op) {
  static const char* names[] = {"exp", "log",  "tanh",   "sigmoid", "relu", "neg",
                                "abs", "sqrt", "square", "silu",    "gelu", "gelu_tanh"};
  return names[static_cast<int>(op)];
}

// Error in units of the last place of T at the reference value; nan/inf must match exactly.
template <class T>
double ulp_error(T got, long double want) {
  T w = static_cast<T>(want);
  if (std::isnan(w) || std::isnan(got)) return std::isnan(w) == std::isnan(got) ? 0 : INFINITY;
  if (std::isinf(w) || std::isinf(got)) return w == got ? 0 : INFINITY;
  T a = std::fabs(w);
  long double ulp = std::nextafter(a, std::numeric_limits<T>::infinity()) - a;
  return static_cast<double>(fabsl(static_cast<long double>(got) - want) / ulp);
}

struct Accuracy {
  UnaryOp op;
  double lo, hi, f32_ulps, f64_ulps;
};
// Worst-case bounds with a margin over what the kernels measure (see simd_kernels.inc). Exact gelu in float64
// is limited by rounding x / sqrt(2) (error ~2 z^2 ulp at z = x / sqrt 2), hence its narrower range; the tanh
// approximation by rounding its argument 2 sqrt(2/pi) (x + 0.044715 x^3) in T (torch's formula has the same).
const Accuracy kAccuracy[] = {
    {UnaryOp::Exp, -100, 88, 1.5, 1.5},     {UnaryOp::Exp, -740, 709, 1e9, 1.5}, {UnaryOp::Log, 1e-30, 10, 1.5, 1.5},
    {UnaryOp::Log, 0.5, 2, 1.5, 1.5},       {UnaryOp::Tanh, -1, 1, 2, 2},        {UnaryOp::Tanh, -20, 20, 2, 2},
    {UnaryOp::Sigmoid, -30, 30, 3, 3},      {UnaryOp::Silu, -30, 30, 3, 3},      {UnaryOp::Gelu, -12, 8, 8, 1e9},
    {UnaryOp::Gelu, -2, 2, 8, 8},           {UnaryOp::GeluTanh, -3, 3, 16, 16},  {UnaryOp::Sqrt, 0, 1e6, 0.5, 0.5},
    {UnaryOp::Relu, -5, 5, 0, 0},           {UnaryOp::Neg, -5, 5, 0, 0},         {UnaryOp::Abs, -5, 5, 0, 0},
    {UnaryOp::Square, -1e3, 1e3, 0.5, 0.5},
};

template <class T>
std::vector<T> uniform(size_t n, double lo, double hi, unsigned seed) {
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<T> v(n);
  for (auto& e : v) e = static_cast<T>(d(g));
  return v;
}

template <class T>
void check_kernel_accuracy(const simd::Isa& isa) {
  for (const Accuracy& a : kAccuracy) {
    double bound = sizeof(T) == 4 ? a.f32_ulps : a.f64_ulps;
    if (bound >= 1e9) continue;  // range outside T's domain
    // A large run plus every length up to 3 vectors: the vector-width remainders take the same code.
    std::vector<T> x = uniform<T>(20000, a.lo, a.hi, 11);
    std::vector<T> y(x.size());
    simd::unary(isa, a.op, x.data(), y.data(), x.size());
    double worst = 0;
    size_t at = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      double e = ulp_error(y[i], reference(a.op, x[i]));
      if (e > worst) worst = e, at = i;
    }
    EXPECT_LE(worst, bound) << isa.name << " " << op_name(a.op) << (sizeof(T) == 4 ? " f32" : " f64")
                            << " at x = " << x[at] << " got " << y[at];
    for (size_t n = 1; n <= 48; ++n) {
      std::vector<T> part(n);
      simd::unary(isa, a.op, x.data() + 5, part.data(), n);
      for (size_t i = 0; i < n; ++i)
        ASSERT_EQ(std::memcmp(&part[i], &y[i + 5], sizeof(T)), 0) << isa.name << " " << op_name(a.op) << " n=" << n;
    }
  }
}

// --- mx helpers -----------------------------------------------------------------------------------------------

template <class T>
mx::Dtype dtype_of() {
  return sizeof(T) == 4 ? mx::float32 : mx::float64;
}
template <class T>
mx::array from_vec(const std::vector<T>& v, mx::Shape shape) {
  mx::array a(v.begin(), std::move(shape), dtype_of<T>());
  mx::eval(a);
  return a;
}
template <class T>
std::vector<T> to_vec(mx::array a) {
  a = mx::contiguous(a);
  mx::eval(a);
  return std::vector<T>(a.data<T>(), a.data<T>() + a.size());
}
// The same array, not yet computed: ops on it build the primitive instead of running eagerly.
mx::array lazy(const mx::array& a) { return mx::multiply(a, mx::array(1.0, a.dtype())); }

// Bitwise equality that treats every nan as equal.
template <class T>
void expect_same(const std::vector<T>& got, const std::vector<T>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(got[i]) && std::isnan(want[i])) continue;
    ASSERT_EQ(std::memcmp(&got[i], &want[i], sizeof(T)), 0)
        << what << " at " << i << ": " << got[i] << " vs " << want[i];
  }
}

// Saves and restores the kernels' thread count.
struct Threads {
  int saved = fl::get_num_threads();
  explicit Threads(int n) { fl::set_num_threads(n); }
  ~Threads() { fl::set_num_threads(saved); }
};

}  // namespace

// --- kernel tables ----------------------------------------------------------------------------------------------

TEST(KernelsElementwise, UnaryKernelsMatchLongDoubleLibmOnEveryIsa) {
  for (const simd::Isa* isa : isas()) {
    check_kernel_accuracy<float>(*isa);
    check_kernel_accuracy<double>(*isa);
  }
}

TEST(KernelsElementwise, SpecialValuesOnEveryIsa) {
  auto run = [](auto tag, const simd::Isa& isa) {
    using T = decltype(tag);
    using L = std::numeric_limits<T>;
    std::vector<T> x = {
        T(0),         T(-0.0),   L::infinity(), -L::infinity(), L::quiet_NaN(), L::denorm_min(), -L::denorm_min(),
        L::min() / 2, L::min(),  L::max(),      -L::max(),      T(1),           T(-1),           T(0.625),
        T(88.72),     T(88.73),  T(-87.3),      T(-103.9),      T(-104.5),      T(-150),         T(709.7),
        T(709.8),     T(-745.1), T(-746),       T(1e-30),       T(-1e-30),      T(20),           T(-20),
        T(44),        T(-44)};
    for (UnaryOp op : {UnaryOp::Exp, UnaryOp::Log, UnaryOp::Tanh, UnaryOp::Sigmoid, UnaryOp::Silu, UnaryOp::Relu,
                       UnaryOp::Neg, UnaryOp::Abs, UnaryOp::Sqrt, UnaryOp::Square, UnaryOp::Gelu}) {
      std::vector<T> y(x.size());
      simd::unary(isa, op, x.data(), y.data(), x.size());
      for (size_t i = 0; i < x.size(); ++i) {
        long double want = reference(op, x[i]);
        // Sign of zero: exact for the bit-level ops and odd functions at +-0.
        if (x[i] == 0 && (op == UnaryOp::Neg || op == UnaryOp::Abs || op == UnaryOp::Tanh || op == UnaryOp::Sqrt))
          EXPECT_EQ(std::signbit(y[i]), std::signbit(want)) << isa.name << " " << op_name(op) << "(" << x[i] << ")";
        // gelu/silu of a huge |x| overflow in the reference's intermediate x^3 or exp: compare only finite ones.
        if ((op == UnaryOp::Gelu || op == UnaryOp::Silu) && std::fabs(x[i]) > 1e4 && std::isfinite(x[i])) continue;
        double tol = op == UnaryOp::Sigmoid || op == UnaryOp::Silu ? 3
                     : op == UnaryOp::Gelu                         ? (sizeof(T) == 8 ? 1e4 : 8)
                                                                   : 2;
        // Results in the subnormal range: silu(-104) = -104 / (1 + exp(104)) loses exp(104) to overflow first.
        if (std::fabs(want) < L::min()) {
          EXPECT_LE(fabsl(y[i] - want), L::min()) << isa.name << " " << op_name(op) << "(" << x[i] << ")";
          continue;
        }
        EXPECT_LE(ulp_error(y[i], want), tol) << isa.name << " " << op_name(op) << "(" << x[i] << ") = " << y[i]
                                              << ", want " << static_cast<double>(want);
      }
    }
  };
  for (const simd::Isa* isa : isas()) {
    run(float{}, *isa);
    run(double{}, *isa);
  }
}

TEST(KernelsElementwise, BinaryAndReduceKernelsOnEveryIsa) {
  for (const simd::Isa* isa : isas()) {
    for (size_t n : {size_t(1), size_t(7), size_t(16), size_t(33), size_t(1000)}) {
      std::vector<float> a = uniform<float>(n, -3, 3, 1), b = uniform<float>(n, 0.5, 2, 2), y(n);
      simd::binary(*isa, BinaryOp::Div, simd::Operands::ScalarVec, a.data() + n - 1, b.data(), y.data(), n);
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(y[i], a[n - 1] / b[i]);
      a[0] = NAN;
      simd::binary(*isa, BinaryOp::Maximum, simd::Operands::VecVec, a.data(), b.data(), y.data(), n);
      EXPECT_TRUE(std::isnan(y[0])) << "maximum propagates nan";
      for (size_t i = 1; i < n; ++i) ASSERT_EQ(y[i], std::max(a[i], b[i]));
      simd::binary(*isa, BinaryOp::Minimum, simd::Operands::VecScalar, b.data(), a.data(), y.data(), n);
      for (size_t i = 0; i < n; ++i) ASSERT_TRUE(std::isnan(y[i])) << "minimum with a nan scalar";
      EXPECT_TRUE(std::isnan(simd::reduce(*isa, ReduceOp::Max, a.data(), n)));
      EXPECT_EQ(simd::reduce(*isa, ReduceOp::Min, b.data(), n), *std::min_element(b.begin(), b.end()));
      long double s = 0;
      for (float v : b) s += v;
      EXPECT_NEAR(simd::reduce(*isa, ReduceOp::Sum, b.data(), n), static_cast<double>(s),
                  1e-6 * static_cast<double>(s));
    }
  }
}

// --- the primitives --------------------------------------------------------------------------------------------

// Computed inputs run the kernels at once at any size; unevaluated ones build the primitive (the same values,
// computed on MLX's stream thread) from 256 elements for transcendental ops and 4096 for the rest, and stay on
// MLX below that.
TEST(KernelsElementwise, UnaryAcrossThresholdEagerAndLazy) {
  auto run = [](auto tag) {
    using T = decltype(tag);
    for (size_t n : {size_t(1), size_t(5), size_t(255), size_t(256), kMin - 1, kMin, kMin + 1, kMin + 17, 3 * kMin + 5,
                     size_t(200003)}) {
      for (const Accuracy& a : kAccuracy) {
        double bound = sizeof(T) == 4 ? a.f32_ulps : a.f64_ulps;
        if (bound >= 1e9 || a.op == UnaryOp::Exp && a.lo < -200) continue;
        std::vector<T> v = uniform<T>(n, a.lo, a.hi, static_cast<unsigned>(n));
        mx::array x = from_vec(v, {static_cast<int>(n)});
        mx::array now = fl::kernels::unary(a.op, x);
        // Work for more than one thread goes to the primitive (MLX's stream thread) instead.
        ASSERT_TRUE(now.is_available() || n >= fl::kernels::detail::kCostly.threaded_from) << "computed at once";
        std::vector<T> y = to_vec<T>(now), z = to_vec<T>(fl::kernels::unary(a.op, lazy(x)));
        bool cheap = a.op == UnaryOp::Relu || a.op == UnaryOp::Neg || a.op == UnaryOp::Abs || a.op == UnaryOp::Sqrt ||
                     a.op == UnaryOp::Square;
        const bool primitive = n >= (cheap ? fl::kernels::detail::kCheap : fl::kernels::detail::kCostly).lazy_from;
        if (primitive) expect_same(z, y, std::string("lazy ") + op_name(a.op));
        for (size_t i = 0; i < n; ++i) {
          long double want = reference(a.op, v[i]);
          ASSERT_LE(ulp_error(y[i], want), bound) << op_name(a.op) << " n=" << n << " x=" << v[i];
          // MLX's float32 exp is off by up to ~30 ulp (e.g. at x = -25), coarser for subnormal results, and
          // some of its float64 ops are float32-accurate; its gelu formulas cancel for x < 0.
          if (primitive || sizeof(T) == 8 || a.op == UnaryOp::Gelu || a.op == UnaryOp::GeluTanh ||
              fabsl(want) < std::numeric_limits<T>::min())
            continue;
          ASSERT_LE(ulp_error(z[i], want), 64) << "MLX's " << op_name(a.op) << " n=" << n << " x=" << v[i];
        }
      }
    }
  };
  run(float{});
  run(double{});
}

TEST(KernelsElementwise, UnaryStridedInputs) {
  std::vector<float> v = uniform<float>(64 * 130, -3, 3, 5);
  mx::array base = from_vec(v, {64, 130});
  std::vector<mx::array> views = {
      mx::transpose(base),                                             // dense, column-major: flat, same strides
      mx::slice(base, {0, 0}, {64, 130}, {2, 3}),                      // gaps: read into row-major
      mx::broadcast_to(mx::slice(base, {0, 0}, {1, 130}), {64, 130}),  // stride 0
      mx::reshape(mx::transpose(mx::reshape(base, {8, 8, 130}), {1, 0, 2}), {64, 130}),
  };
  for (mx::array& view : views) {
    if (view.size() < kMin) view = mx::concatenate({view, view, view, view, view, view});
    std::vector<float> want_in = to_vec<float>(view);
    for (UnaryOp op : {UnaryOp::Exp, UnaryOp::Tanh, UnaryOp::Relu, UnaryOp::Square, UnaryOp::Gelu}) {
      std::vector<float> got = to_vec<float>(fl::kernels::unary(op, view));
      std::vector<float> want(want_in.size());
      simd::unary(simd::isa(), op, want_in.data(), want.data(), want.size());
      expect_same(got, want, op_name(op));
    }
  }
}

TEST(KernelsElementwise, BinaryBroadcastPatterns) {
  struct Case {
    mx::Shape a, b;
    bool primitive;  // false: both operands broadcast, MLX computes it
  };
  std::vector<Case> cases = {
      {{64, 80}, {64, 80}, true},
      {{64, 80}, {}, true},
      {{}, {64, 80}, true},
      {{64, 80}, {80}, true},
      {{80}, {64, 80}, true},
      {{64, 80}, {64, 1}, true},
      {{64, 1}, {64, 80}, true},
      {{4, 8, 160}, {1, 8, 1}, true},
      {{8, 1}, {4, 8, 160}, true},
      {{1, 64, 80}, {64, 80}, true},
      {{64, 1}, {1, 80}, false},
      {{4, 8, 160}, {4, 1, 160}, false},
      {{3}, {}, true},
      {{2, 3}, {3}, true},
      {{2, 1}, {2, 5}, true},  // below one vector
  };
  auto naive = [](BinaryOp op, double x, double y) {
    switch (op) {
      case BinaryOp::Add:
        return x + y;
      case BinaryOp::Sub:
        return x - y;
      case BinaryOp::Mul:
        return x * y;
      case BinaryOp::Div:
        return x / y;
      case BinaryOp::Maximum:
        return x > y || x != x ? x : y;
      case BinaryOp::Minimum:
        return x < y || x != x ? x : y;
    }
    return 0.0;
  };
  auto run = [&](auto tag) {
    using T = decltype(tag);
    unsigned seed = 0;
    for (const Case& c : cases) {
      size_t na = 1, nb = 1;
      for (int d : c.a) na *= d;
      for (int d : c.b) nb *= d;
      std::vector<T> va = uniform<T>(na, -2, 2, ++seed), vb = uniform<T>(nb, 0.25, 2, ++seed);
      if (na > 1) va[na / 2] = NAN;
      vb[0] = va[0];  // a tie
      mx::array a = from_vec(va, c.a), b = from_vec(vb, c.b);
      mx::array ab = mx::broadcast_to(a, mx::broadcast_shapes(c.a, c.b)), bb = mx::broadcast_to(b, ab.shape());
      std::vector<T> fa = to_vec<T>(ab), fb = to_vec<T>(bb);
      for (BinaryOp op :
           {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div, BinaryOp::Maximum, BinaryOp::Minimum}) {
        mx::array r = fl::kernels::binary(op, a, b);
        EXPECT_EQ(r.shape(), ab.shape());
        EXPECT_EQ(r.is_available(), c.primitive) << "eager only where the kernels take the pattern";
        std::vector<T> want(fa.size());
        for (size_t i = 0; i < fa.size(); ++i) want[i] = static_cast<T>(naive(op, fa[i], fb[i]));
        expect_same(to_vec<T>(r), want, "binary op " + std::to_string(static_cast<int>(op)));
        expect_same(to_vec<T>(fl::kernels::binary(op, lazy(a), lazy(b))), want, "lazy");
        // Strided operands (transposed copies transposed back) go through the primitive's row-major reads.
        if (c.a.size() == 2 && c.b.size() == 2) {
          mx::array ta = mx::transpose(mx::contiguous(mx::transpose(a))),
                    tb = mx::transpose(mx::contiguous(mx::transpose(b)));
          expect_same(to_vec<T>(fl::kernels::binary(op, ta, tb)), want, "strided");
        }
      }
    }
  };
  run(float{});
  run(double{});
}

TEST(KernelsElementwise, BinaryWithABroadcastScalarView) {
  // An operand of the output's shape whose buffer holds one value (mx::broadcast_to of a scalar: what a sum's or
  // mean's gradient looks like on its way back) is read as a scalar, on either side, and gives the naive values.
  const mx::Shape shape{50, 100};
  std::vector<double> vx = uniform<double>(5000, 0.5, 2, 7);
  mx::array x = from_vec(vx, shape);
  for (BinaryOp op : {BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div, BinaryOp::Maximum}) {
    for (bool scalar_first : {false, true}) {
      mx::array c = mx::broadcast_to(mx::array(1.25, mx::float64), shape);
      mx::array r = scalar_first ? fl::kernels::binary(op, c, x) : fl::kernels::binary(op, x, c);
      ASSERT_TRUE(r.has_primitive());
      EXPECT_STREQ(r.primitive().name(), "FlBinary");
      std::vector<double> got = to_vec<double>(r);
      for (size_t i = 0; i < vx.size(); i += 97) {
        double a = scalar_first ? 1.25 : vx[i], b = scalar_first ? vx[i] : 1.25;
        double want = op == BinaryOp::Add   ? a + b
                      : op == BinaryOp::Sub ? a - b
                      : op == BinaryOp::Mul ? a * b
                      : op == BinaryOp::Div ? a / b
                                            : std::max(a, b);
        EXPECT_EQ(got[i], want) << static_cast<int>(op) << (scalar_first ? " scalar first" : "");
      }
    }
  }
  // The gradient of mean(x * x) comes back as such a view times 2x: 2x / n.
  auto f = [](const std::vector<mx::array>& in) {
    return std::vector<mx::array>{fl::kernels::mean(fl::kernels::multiply(in[0], in[0]), {0, 1}, false)};
  };
  mx::array g = mx::vjp(f, {x}, {mx::array(1.0, mx::float64)}).second[0];
  std::vector<double> gv = to_vec<double>(g);
  for (size_t i = 0; i < vx.size(); i += 97) EXPECT_DOUBLE_EQ(gv[i], 2 * vx[i] / 5000);
}

TEST(KernelsElementwise, ReductionsMatchNaiveLoops) {
  struct Case {
    mx::Shape shape;
    std::vector<int> axes;
  };
  std::vector<Case> cases = {{{300007}, {0}},       {{64, 5000}, {1}},     {{64, 5000}, {0}},     {{8, 700, 9}, {1}},
                             {{8, 700, 9}, {0, 1}}, {{8, 700, 9}, {1, 2}}, {{8, 700, 9}, {0, 2}}, {{3, 2000}, {0, 1}}};
  auto run = [&](auto tag) {
    using T = decltype(tag);
    unsigned seed = 0;
    for (const Case& c : cases) {
      size_t n = 1;
      for (int d : c.shape) n *= d;
      std::vector<T> v = uniform<T>(n, -1, 2, ++seed);
      mx::array x = from_vec(v, c.shape);
      // Naive reference over the row-major index: out index drops the reduced axes.
      std::vector<int> strides(c.shape.size());
      for (int i = static_cast<int>(c.shape.size()) - 1, s = 1; i >= 0; s *= c.shape[i--]) strides[i] = s;
      auto out_index = [&](size_t flat) {
        size_t o = 0;
        for (size_t d = 0; d < c.shape.size(); ++d) {
          bool reduced = std::find(c.axes.begin(), c.axes.end(), static_cast<int>(d)) != c.axes.end();
          if (!reduced) o = o * c.shape[d] + (flat / strides[d]) % c.shape[d];
        }
        return o;
      };
      size_t m = 1, count = 1;
      for (size_t d = 0; d < c.shape.size(); ++d)
        (std::find(c.axes.begin(), c.axes.end(), static_cast<int>(d)) != c.axes.end() ? count : m) *= c.shape[d];
      std::vector<long double> sum(m, 0), abs_sum(m, 0);
      std::vector<T> hi(m, -INFINITY), lo(m, INFINITY);
      for (size_t i = 0; i < n; ++i) {
        size_t o = out_index(i);
        sum[o] += v[i];
        abs_sum[o] += std::fabs(v[i]);
        hi[o] = std::max(hi[o], v[i]);
        lo[o] = std::min(lo[o], v[i]);
      }
      for (bool keepdims : {false, true}) {
        std::vector<T> s = to_vec<T>(fl::kernels::sum(x, c.axes, keepdims));
        std::vector<T> mean = to_vec<T>(fl::kernels::mean(x, c.axes, keepdims));
        expect_same(to_vec<T>(fl::kernels::max(x, c.axes, keepdims)), hi, "max");
        expect_same(to_vec<T>(fl::kernels::min(x, c.axes, keepdims)), lo, "min");
        expect_same(to_vec<T>(fl::kernels::sum(lazy(x), c.axes, keepdims)), s, "lazy sum");
        EXPECT_EQ(fl::kernels::sum(x, c.axes, keepdims).ndim(),
                  keepdims ? c.shape.size() : c.shape.size() - c.axes.size());
        const double eps = sizeof(T) == 4 ? 2e-7 : 1e-15;
        for (size_t o = 0; o < m; ++o) {
          double tol = eps * 8 * static_cast<double>(abs_sum[o]);
          ASSERT_NEAR(s[o], static_cast<double>(sum[o]), tol) << "sum, output " << o;
          ASSERT_NEAR(mean[o], static_cast<double>(sum[o] / count), tol / count + eps) << "mean, output " << o;
        }
      }
      // nan propagates through max, min and sum.
      v[n / 3] = NAN;
      mx::array xn = from_vec(v, c.shape);
      size_t o = out_index(n / 3);
      EXPECT_TRUE(std::isnan(to_vec<T>(fl::kernels::max(xn, c.axes, false))[o]));
      EXPECT_TRUE(std::isnan(to_vec<T>(fl::kernels::min(xn, c.axes, false))[o]));
      EXPECT_TRUE(std::isnan(to_vec<T>(fl::kernels::sum(xn, c.axes, false))[o]));
    }
  };
  run(float{});
  run(double{});
  // A transposed (strided) input is read in row-major order first.
  std::vector<float> v = uniform<float>(90 * 100, 0, 1, 3);
  mx::array t = mx::transpose(from_vec(v, {90, 100}));
  std::vector<float> rows = to_vec<float>(fl::kernels::sum(t, {1}, false));
  for (int j = 0; j < 100; ++j) {
    double s = 0;
    for (int i = 0; i < 90; ++i) s += v[i * 100 + j];
    ASSERT_NEAR(rows[j], s, 1e-4);
  }
}

// --- gradients ----------------------------------------------------------------------------------------------

namespace {
using fl::Tensor;
using TensorFn = std::function<Tensor(const std::vector<Tensor>&)>;

// Directional check of d/dx sum(w * f(x)): autograd's gradient dotted with a random direction against a central
// difference along it, per input. Exercises the whole gradient with two evaluations (the inputs are large).
void expect_directional_grad(const TensorFn& f, std::vector<Tensor> xs, double rtol = 1e-6) {
  for (auto& x : xs) x = x.detach().clone().requires_grad_(true);
  Tensor y = f(xs);
  Tensor w = fl::test::random_input(y.sizes(), 0.5, 1.5, 99);
  std::vector<Tensor> grads = fl::autograd::grad({(y * w).sum()}, xs);
  for (size_t i = 0; i < xs.size(); ++i) {
    Tensor v = fl::test::random_input(xs[i].sizes(), -1, 1, 7 + i);
    const double eps = 1e-6;
    fl::NoGradGuard no_grad;
    auto at = [&](double s) {
      std::vector<Tensor> moved = xs;
      moved[i] = xs[i].detach() + v * s;
      return (f(moved) * w).sum().item<double>();
    };
    double numeric = (at(eps) - at(-eps)) / (2 * eps), analytic = (grads[i] * v).sum().item<double>();
    EXPECT_NEAR(analytic, numeric, rtol * (1 + std::fabs(numeric))) << "input " << i;
  }
}
// The same for the gradient of sum(u * grad): a Hessian-vector product through create_graph.
void expect_second_order(const TensorFn& f, Tensor x) {
  x = x.detach().clone().requires_grad_(true);
  Tensor u = fl::test::random_input(x.sizes(), -1, 1, 5);
  auto h = [&](const Tensor& at) {
    Tensor g = fl::autograd::grad({f({at}).sum()}, {at}, {}, std::nullopt, true)[0];
    return (g * u).sum();
  };
  Tensor hx = fl::autograd::grad({h(x)}, {x})[0];
  Tensor v = fl::test::random_input(x.sizes(), -1, 1, 6);
  const double eps = 1e-5;
  auto at = [&](double s) { return h((x.detach() + v * s).requires_grad_(true)).item<double>(); };
  double numeric = (at(eps) - at(-eps)) / (2 * eps), analytic = (hx * v).sum().item<double>();
  EXPECT_NEAR(analytic, numeric, 1e-5 * (1 + std::fabs(numeric)));
}
Tensor big(double lo, double hi, int64_t rows = 67, int64_t cols = 71, uint64_t seed = 1) {
  return fl::test::random_input({rows, cols}, lo, hi, seed);  // 4757 elements: above the threshold
}
}  // namespace

TEST(KernelsElementwise, UnaryGradientsByFiniteDifferences) {
  ASSERT_GE(big(0, 1).numel(), static_cast<int64_t>(kMin));
  std::vector<std::pair<TensorFn, Tensor>> cases = {
      {[](auto& x) { return fl::exp(x[0]); }, big(-3, 3)},
      {[](auto& x) { return fl::log(x[0]); }, big(0.2, 4)},
      {[](auto& x) { return fl::tanh(x[0]); }, big(-3, 3)},
      {[](auto& x) { return fl::sigmoid(x[0]); }, big(-6, 6)},
      {[](auto& x) { return fl::relu(x[0]); }, big(-2, 2)},
      {[](auto& x) { return fl::neg(x[0]); }, big(-2, 2)},
      {[](auto& x) { return fl::abs(x[0]); }, big(-2, 2)},
      {[](auto& x) { return fl::sqrt(x[0]); }, big(0.2, 4)},
      {[](auto& x) { return fl::square(x[0]); }, big(-2, 2)},
      {[](auto& x) { return fl::silu(x[0]); }, big(-5, 5)},
      {[](auto& x) { return fl::gelu(x[0]); }, big(-4, 4)},
      {[](auto& x) { return fl::gelu(x[0], "tanh"); }, big(-4, 4)},
  };
  for (auto& [f, x] : cases) {
    expect_directional_grad(f, {x});
    if (::testing::Test::HasFailure()) break;
  }
  for (size_t i : {0, 2, 3, 9, 10, 11}) expect_second_order(cases[i].first, cases[i].second);
}

TEST(KernelsElementwise, BinaryAndReductionGradientsByFiniteDifferences) {
  std::vector<std::pair<Tensor, Tensor>> operands = {
      {big(-2, 2), big(0.5, 2, 67, 71, 2)},                       // same shape
      {big(-2, 2), fl::test::random_input({71}, 0.5, 2, 3)},      // rows
      {fl::test::random_input({67, 1}, 0.5, 2, 4), big(0.5, 2)},  // a is the column
      {big(-2, 2), fl::test::random_input({}, 0.5, 2, 5)},        // scalar
  };
  for (auto& [a, b] : operands) {
    expect_directional_grad([](auto& x) { return x[0] + x[1]; }, {a, b});
    expect_directional_grad([](auto& x) { return x[0] - x[1]; }, {a, b});
    expect_directional_grad([](auto& x) { return x[0] * x[1]; }, {a, b});
    expect_directional_grad([](auto& x) { return x[0] / x[1]; }, {a, b});
    expect_directional_grad([](auto& x) { return fl::maximum(x[0], x[1]); }, {a, b});
    expect_directional_grad([](auto& x) { return fl::minimum(x[0], x[1]); }, {a, b});
  }
  Tensor x = big(-2, 2);
  expect_second_order([](auto& v) { return v[0] * v[0] / (v[0] + 3.0); }, x);
  for (const fl::Shape& dims : std::vector<fl::Shape>{{}, {0}, {1}}) {
    expect_directional_grad([&](auto& v) { return fl::sum(v[0], dims); }, {x});
    expect_directional_grad([&](auto& v) { return fl::mean(v[0], dims, true); }, {x});
    expect_directional_grad([&](auto& v) { return fl::amax(v[0], dims); }, {x});
    expect_directional_grad([&](auto& v) { return fl::amin(v[0], dims, true); }, {x});
  }
  expect_second_order([](auto& v) { return fl::square(fl::sum(fl::exp(v[0]), {1})); }, x);
}

// mse_loss's one-pass squared error (kernels/squared_error.cpp): value against a naive sum, both reductions, computed
// and lazy inputs, 1 and 2 threads; gradients for input and target by finite differences in float64, first and second
// order; the primitives under MLX's vjp, jvp and vmap.
TEST(KernelsElementwise, SquaredErrorOnePass) {
  const int saved = fl::get_num_threads();
  std::vector<double> vx = uniform<double>(300000, -2, 2, 41), vt = uniform<double>(300000, -1, 1, 42);
  long double naive = 0;
  for (size_t i = 0; i < vx.size(); ++i) naive += (long double)(vx[i] - vt[i]) * (vx[i] - vt[i]);
  mx::array x = from_vec(vx, {600, 500}), t = from_vec(vt, {600, 500});
  for (int threads : {1, 2}) {
    fl::set_num_threads(threads);
    for (bool mean : {false, true}) {
      const double want = static_cast<double>(mean ? naive / vx.size() : naive);
      EXPECT_NEAR(fl::kernels::squared_error(x, t, mean).item<double>(), want, 1e-12 * want);
      mx::array lazy_sq = fl::kernels::squared_error(lazy(x), lazy(t), mean);
      ASSERT_TRUE(lazy_sq.has_primitive());
      EXPECT_STREQ(lazy_sq.primitive().name(), "FlSquaredError");
      EXPECT_NEAR(lazy_sq.item<double>(), want, 1e-12 * want);
    }
  }
  fl::set_num_threads(saved);
  // Gradients through mse_loss (both inputs), first and second order.
  Tensor a = big(-2, 2, 67, 71, 5), b = big(-1, 1, 67, 71, 6);
  for (const char* r : {"mean", "sum"}) {
    TensorFn f = [r](auto& v) { return fl::nn::functional::mse_loss(v[0], v[1], r); };
    expect_directional_grad(f, {a, b});
    expect_second_order([r, b](auto& v) { return fl::nn::functional::mse_loss(v[0], b, r); }, a);
    expect_second_order([r, a](auto& v) { return fl::nn::functional::mse_loss(a, v[0], r); }, b);
  }
  // MLX's transforms of the primitive itself.
  auto f = [](const std::vector<mx::array>& in) {
    return std::vector<mx::array>{fl::kernels::squared_error(in[0], in[1], true)};
  };
  mx::array xs = from_vec(uniform<double>(5000, -1, 1, 43), {50, 100}),
            ts = from_vec(uniform<double>(5000, -1, 1, 44), {50, 100});
  auto [outs, grads] = mx::vjp(f, {xs, ts}, {mx::array(3.0, mx::float64)});
  std::vector<double> gx = to_vec<double>(grads[0]), gt = to_vec<double>(grads[1]), px = to_vec<double>(xs),
                      pt = to_vec<double>(ts);
  for (size_t i = 0; i < gx.size(); i += 37) {
    EXPECT_NEAR(gx[i], 3.0 * 2 * (px[i] - pt[i]) / 5000, 1e-15);
    EXPECT_NEAR(gt[i], -gx[i], 1e-15);
  }
  mx::array dx = from_vec(uniform<double>(5000, -1, 1, 45), {50, 100});
  auto [jo, jt] = mx::jvp(f, {xs, ts}, {dx, mx::zeros_like(ts)});
  double jv = 0;
  std::vector<double> pdx = to_vec<double>(dx);
  for (size_t i = 0; i < pdx.size(); ++i) jv += 2 * (px[i] - pt[i]) * pdx[i] / 5000;
  EXPECT_NEAR(jt[0].item<double>(), jv, 1e-12);
  mx::array rows =
      mx::vmap([](const mx::array& u, const mx::array& v) { return fl::kernels::squared_error(u, v, false); })(xs, ts);
  ASSERT_EQ(rows.shape(), mx::Shape({50}));
  double row0 = 0;
  for (int j = 0; j < 100; ++j) row0 += (px[j] - pt[j]) * (px[j] - pt[j]);
  EXPECT_NEAR(to_vec<double>(rows)[0], row0, 1e-12);
}

// Ties split the gradient of maximum/minimum in half and of max reductions evenly, as in PyTorch.
TEST(KernelsElementwise, TiesShareTheGradient) {
  Tensor a = fl::ones({80, 60}, fl::TensorOptions().dtype(fl::kFloat64)).requires_grad_(true);
  Tensor b = fl::ones({80, 60}, fl::TensorOptions().dtype(fl::kFloat64)).requires_grad_(true);
  fl::maximum(a, b).sum().backward();
  EXPECT_EQ(a.grad().sum().item<double>(), 0.5 * 80 * 60);
  Tensor c = fl::ones({80, 60}, fl::TensorOptions().dtype(fl::kFloat32)).requires_grad_(true);
  fl::amax(c, {1}).sum().backward();
  EXPECT_NEAR(c.grad().sum().item<double>(), 80, 1e-4);
  EXPECT_FLOAT_EQ(c.grad().max().item<float>(), 1.0f / 60);
}

// Under MLX's transforms (every backward is one) the inputs are traced, so the ops build the primitives.
TEST(KernelsElementwise, TracedCallsBuildThePrimitives) {
  mx::array x = from_vec(uniform<float>(kMin, 0.5, 2, 14), {static_cast<int>(kMin)});
  std::vector<std::string> names;
  auto f = [&](const std::vector<mx::array>& in) {
    std::vector<mx::array> outs = {fl::kernels::unary(UnaryOp::Log, in[0]), fl::kernels::multiply(in[0], in[0]),
                                   fl::kernels::max(in[0], {0}, false)};
    for (auto& o : outs) names.push_back(o.has_primitive() ? o.primitive().name() : "(none)");
    return std::vector<mx::array>{fl::kernels::add(outs[0], outs[1])};
  };
  mx::array g = mx::vjp(f, {x}, {mx::ones_like(x)}).second[0];
  EXPECT_EQ(names, (std::vector<std::string>{"FlUnary", "FlBinary", "FlReduce"}));
  std::vector<float> v = to_vec<float>(x), gv = to_vec<float>(g);
  for (size_t i = 0; i < v.size(); ++i) ASSERT_NEAR(gv[i], 1 / v[i] + 2 * v[i], 1e-5 * (1 + 2 * v[i]));
}

// MLX's own transforms of the primitives: jvp against the vjp, vmap against a loop.
TEST(KernelsElementwise, MlxJvpAndVmap) {
  std::vector<double> v = uniform<double>(2 * kMin, -2, 2, 8), t = uniform<double>(2 * kMin, -1, 1, 9);
  mx::array x = from_vec(v, {2, static_cast<int>(kMin)}), tx = from_vec(t, x.shape());
  for (UnaryOp op : {UnaryOp::Exp, UnaryOp::Tanh, UnaryOp::Relu, UnaryOp::Neg, UnaryOp::Gelu}) {
    auto f = [op](const std::vector<mx::array>& in) { return std::vector<mx::array>{fl::kernels::unary(op, in[0])}; };
    mx::array jvp = mx::jvp(f, {x}, {tx}).second[0];
    mx::array vjp = mx::vjp(f, {x}, {tx}).second[0];  // the Jacobian is diagonal: both are f'(x) * t
    std::vector<double> jv = to_vec<double>(jvp), vj = to_vec<double>(vjp);
    for (size_t i = 0; i < jv.size(); ++i) ASSERT_NEAR(jv[i], vj[i], 1e-12 * (1 + std::fabs(vj[i]))) << op_name(op);
    mx::array mapped = mx::vmap([op](const mx::array& r) { return fl::kernels::unary(op, r); })(x);
    expect_same(to_vec<double>(mapped), to_vec<double>(fl::kernels::unary(op, x)), "vmap");
  }
  auto add = [](const std::vector<mx::array>& in) {
    return std::vector<mx::array>{fl::kernels::multiply(in[0], in[1])};
  };
  mx::array row = from_vec(uniform<double>(kMin, -1, 1, 10), {static_cast<int>(kMin)});
  mx::array j = mx::jvp(add, {x, row}, {tx, mx::ones_like(row)}).second[0];
  std::vector<double> jv = to_vec<double>(j), rv = to_vec<double>(row);
  for (size_t i = 0; i < jv.size(); ++i) ASSERT_NEAR(jv[i], t[i] * rv[i % kMin] + v[i], 1e-12);
  mx::array summed = mx::vmap([](const mx::array& r) { return fl::kernels::sum(r, {0}, false); })(x);
  std::vector<double> s = to_vec<double>(summed);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_NEAR(s[1],
              to_vec<double>(fl::kernels::sum(mx::slice(x, {1, 0}, {2, static_cast<int>(kMin)}), {0, 1}, false))[0],
              1e-9);
}

// --- threads -------------------------------------------------------------------------------------------------

TEST(KernelsElementwise, OneAndTwoThreadsGiveIdenticalResults) {
  const int n = 1000003;
  std::vector<float> v = uniform<float>(n, -3, 3, 12);
  mx::array x = from_vec(v, {n});
  mx::array m = from_vec(std::vector<float>(v.begin(), v.begin() + 1000 * 999), {1000, 999});
  mx::array row = from_vec(uniform<float>(999, -1, 1, 13), {999});
  auto results = [&] {
    std::vector<std::vector<float>> r;
    for (UnaryOp op : {UnaryOp::Exp, UnaryOp::Gelu, UnaryOp::Relu})
      r.push_back(to_vec<float>(fl::kernels::unary(op, x)));
    r.push_back(to_vec<float>(fl::kernels::add(m, row)));
    r.push_back(to_vec<float>(fl::kernels::sum(x, {0}, false)));
    r.push_back(to_vec<float>(fl::kernels::sum(m, {0}, false)));
    r.push_back(to_vec<float>(fl::kernels::sum(m, {1}, false)));
    r.push_back(to_vec<float>(fl::kernels::max(x, {0}, false)));
    r.push_back(to_vec<float>(fl::kernels::mean(lazy(x), {0}, false)));  // the primitive on MLX's stream thread
    return r;
  };
  std::vector<std::vector<float>> one, two;
  {
    Threads t(1);
    one = results();
  }
  {
    Threads t(2);
    ASSERT_EQ(fl::get_num_threads(), 2);
    two = results();
  }
  for (size_t i = 0; i < one.size(); ++i) expect_same(two[i], one[i], "result " + std::to_string(i));
}
