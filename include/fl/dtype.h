// Dtypes, PyTorch's type promotion, and the single dtype-dispatch utility.
#pragma once
#include <cstdint>
#include <string>
#include <type_traits>
#include <variant>

#include <mlx/dtype.h>

#include "fl/error.h"

namespace fl {

/// torch.dtype: the ten dtypes Flashlight supports (float64 runs on the CPU only: MLX's GPU has no float64).
enum class Dtype : uint8_t { Bool, UInt8, Int8, Int16, Int32, Int64, Float16, BFloat16, Float32, Float64 };
inline constexpr int kNumDtypes = 10;

inline constexpr Dtype kBool = Dtype::Bool, kUInt8 = Dtype::UInt8, kInt8 = Dtype::Int8, kInt16 = Dtype::Int16,
                       kInt32 = Dtype::Int32, kInt64 = Dtype::Int64, kFloat16 = Dtype::Float16,
                       kBFloat16 = Dtype::BFloat16, kFloat32 = Dtype::Float32, kFloat64 = Dtype::Float64;

/// "float32", as in `torch.float32`.
const char* dtype_name(Dtype d);
/// "Float", PyTorch's ScalarType name used in its error messages.
const char* scalar_type_name(Dtype d);
/// Parse "float32", "torch.float32", "float", "long", ...; throws TypeError.
Dtype dtype_from_name(const std::string& name);
/// Bytes per element (torch.dtype.itemsize).
size_t itemsize(Dtype d);
/// Whether d is float16, bfloat16, float32 or float64 (torch.dtype.is_floating_point).
bool is_floating_point(Dtype d);
/// Integral types; bool counts only when include_bool.
bool is_integral(Dtype d, bool include_bool = false);
/// Whether d holds negative values (torch.dtype.is_signed): false for bool and uint8.
bool is_signed(Dtype d);

/// torch.promote_types.
Dtype promote_types(Dtype a, Dtype b);
/// torch.can_cast: whether an in-place op may write a `from` result into a `to` tensor.
bool can_cast(Dtype from, Dtype to);

/// torch.get_default_dtype: the dtype of floating-point tensors created without one (float32 at start).
Dtype get_default_dtype();
/// torch.set_default_dtype (process-wide): floating-point dtypes only, as torch; throws TypeError otherwise.
void set_default_dtype(Dtype d);

/// MLX's dtype for d.
mlx::core::Dtype to_mlx(Dtype d);
/// The Dtype of an MLX dtype; MLX's unsigned 16/32/64-bit types map to int64, complex throws TypeError.
Dtype from_mlx(mlx::core::Dtype d);

/// Calls fn.template operator()<T>() with T the C++ type of d: the one place that switches on dtype.
template <typename Fn>
decltype(auto) dispatch_dtype(Dtype d, Fn&& fn) {
  switch (d) {
    case Dtype::Bool: return fn.template operator()<bool>();
    case Dtype::UInt8: return fn.template operator()<uint8_t>();
    case Dtype::Int8: return fn.template operator()<int8_t>();
    case Dtype::Int16: return fn.template operator()<int16_t>();
    case Dtype::Int32: return fn.template operator()<int32_t>();
    case Dtype::Int64: return fn.template operator()<int64_t>();
    case Dtype::Float16: return fn.template operator()<mlx::core::float16_t>();
    case Dtype::BFloat16: return fn.template operator()<mlx::core::bfloat16_t>();
    case Dtype::Float32: return fn.template operator()<float>();
    case Dtype::Float64: return fn.template operator()<double>();
  }
  throw Error("unknown dtype");
}

/// The Dtype of a C++ scalar type.
template <typename T>
constexpr Dtype dtype_of() {
  if constexpr (std::is_same_v<T, bool>) return kBool;
  else if constexpr (std::is_same_v<T, uint8_t>) return kUInt8;
  else if constexpr (std::is_same_v<T, int8_t>) return kInt8;
  else if constexpr (std::is_same_v<T, int16_t>) return kInt16;
  else if constexpr (std::is_same_v<T, int32_t>) return kInt32;
  else if constexpr (std::is_integral_v<T>) return kInt64;
  else if constexpr (std::is_same_v<T, float>) return kFloat32;
  else if constexpr (std::is_same_v<T, double>) return kFloat64;
  else if constexpr (std::is_same_v<T, mlx::core::float16_t>) return kFloat16;
  else if constexpr (std::is_same_v<T, mlx::core::bfloat16_t>) return kBFloat16;
  else static_assert(sizeof(T) == 0, "unsupported scalar type");
}

/// A C++ number standing where PyTorch takes a Python scalar (bool, int or float).
class Scalar {
 public:
  Scalar() : v_(int64_t{0}) {}
  Scalar(bool b) : v_(b) {}
  template <typename T>
    requires(std::is_integral_v<T> && !std::is_same_v<T, bool>)
  Scalar(T i) : v_(static_cast<int64_t>(i)) {}
  template <typename T>
    requires std::is_floating_point_v<T>
  Scalar(T f) : v_(static_cast<double>(f)) {}

  /// Whether it holds a bool.
  bool is_bool() const { return std::holds_alternative<bool>(v_); }
  /// Whether it holds an integer (stored as int64).
  bool is_integral() const { return std::holds_alternative<int64_t>(v_); }
  /// Whether it holds a floating-point number (stored as double).
  bool is_floating_point() const { return std::holds_alternative<double>(v_); }
  /// The value as a double.
  double to_double() const;
  /// The value as int64, truncating a floating-point value toward zero.
  int64_t to_int() const;
  /// The value as a bool: whether it is non-zero.
  bool to_bool() const;
  /// The dtype PyTorch gives a wrapped Python number: bool, int64, or the default float dtype.
  Dtype dtype() const;
  /// The value as the C++ type T (bool, an integer or a floating-point type).
  template <typename T>
  T to() const {
    if constexpr (std::is_same_v<T, bool>) return to_bool();
    else if constexpr (std::is_integral_v<T>) return static_cast<T>(to_int());
    else return static_cast<T>(to_double());
  }
  /// For messages: "True" or "False" for a bool, else the number ("3", "0.5").
  std::string str() const;

 private:
  std::variant<bool, int64_t, double> v_;
};

}  // namespace fl
