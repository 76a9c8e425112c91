// The vectorised CPU kernels behind the elementwise and reduction primitives: one table of entry points per
// instruction set (elementwise_isa_{avx512,avx2,base}.cpp compile simd_kernels.inc three times), picked once at
// run time from the CPU's features, since the library itself is built for generic x86-64.
// Declarations only: the ISA translation units include this before switching their target.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fl::kernels {

enum class UnaryOp : uint8_t { Exp, Log, Tanh, Sigmoid, Relu, Neg, Abs, Sqrt, Square, Silu, Gelu, GeluTanh };
enum class BinaryOp : uint8_t { Add, Sub, Mul, Div, Maximum, Minimum };
/// Mean is Sum followed by a division.
enum class ReduceOp : uint8_t { Sum, Max, Min };

namespace simd {

/// How binary operands line up: both vectors, or one of them a single value repeated.
enum class Operands : uint8_t { VecVec, VecScalar, ScalarVec };

struct Isa {
  const char* name;
  void (*unary_f32)(UnaryOp, const float*, float*, size_t);
  void (*unary_f64)(UnaryOp, const double*, double*, size_t);
  void (*binary_f32)(BinaryOp, Operands, const float*, const float*, float*, size_t);
  void (*binary_f64)(BinaryOp, Operands, const double*, const double*, double*, size_t);
  /// One value for a run of n >= 1 elements (sums keep several partial sums, combined pairwise).
  float (*reduce_f32)(ReduceOp, const float*, size_t);
  double (*reduce_f64)(ReduceOp, const double*, size_t);
  /// out[j] = reduction over r < rows of x[r * ld + j], for j < cols (rows >= 1).
  void (*reduce_cols_f32)(ReduceOp, const float*, size_t rows, size_t cols, size_t ld, float* out);
  void (*reduce_cols_f64)(ReduceOp, const double*, size_t rows, size_t cols, size_t ld, double* out);
};

const Isa& isa_avx512();
const Isa& isa_avx2();
const Isa& isa_base();
/// The best table this CPU runs (FL_SIMD=base|avx2|avx512 caps it, for tests and benchmarks).
const Isa& isa();

// Type-generic access to a table.
inline void unary(const Isa& k, UnaryOp op, const float* x, float* y, size_t n) { k.unary_f32(op, x, y, n); }
inline void unary(const Isa& k, UnaryOp op, const double* x, double* y, size_t n) { k.unary_f64(op, x, y, n); }
inline void binary(const Isa& k, BinaryOp op, Operands m, const float* a, const float* b, float* y, size_t n) {
  k.binary_f32(op, m, a, b, y, n);
}
inline void binary(const Isa& k, BinaryOp op, Operands m, const double* a, const double* b, double* y, size_t n) {
  k.binary_f64(op, m, a, b, y, n);
}
inline float reduce(const Isa& k, ReduceOp op, const float* x, size_t n) { return k.reduce_f32(op, x, n); }
inline double reduce(const Isa& k, ReduceOp op, const double* x, size_t n) { return k.reduce_f64(op, x, n); }
inline void reduce_cols(const Isa& k, ReduceOp op, const float* x, size_t rows, size_t cols, size_t ld, float* out) {
  k.reduce_cols_f32(op, x, rows, cols, ld, out);
}
inline void reduce_cols(const Isa& k, ReduceOp op, const double* x, size_t rows, size_t cols, size_t ld, double* out) {
  k.reduce_cols_f64(op, x, rows, cols, ld, out);
}

}  // namespace simd
}  // namespace fl::kernels
