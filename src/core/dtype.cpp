#include "fl/dtype.h"

#include <array>

#include "core/thread_stream.h"

namespace fl {
namespace mx = mlx::core;

namespace {
enum class Category : uint8_t { Bool, Int, Float };
struct DtypeInfo {
  Dtype dtype;
  mx::Dtype mlx;
  const char* name;
  const char* scalar_name;
  size_t size;
  Category category;
  bool is_signed;
};
// The one table every dtype property comes from.
const std::array<DtypeInfo, kNumDtypes> kInfo = {{
    {kBool, mx::bool_, "bool", "Bool", 1, Category::Bool, false},
    {kUInt8, mx::uint8, "uint8", "Byte", 1, Category::Int, false},
    {kInt8, mx::int8, "int8", "Char", 1, Category::Int, true},
    {kInt16, mx::int16, "int16", "Short", 2, Category::Int, true},
    {kInt32, mx::int32, "int32", "Int", 4, Category::Int, true},
    {kInt64, mx::int64, "int64", "Long", 8, Category::Int, true},
    {kFloat16, mx::float16, "float16", "Half", 2, Category::Float, true},
    {kBFloat16, mx::bfloat16, "bfloat16", "BFloat16", 2, Category::Float, true},
    {kFloat32, mx::float32, "float32", "Float", 4, Category::Float, true},
    {kFloat64, mx::float64, "float64", "Double", 8, Category::Float, true},
}};
const DtypeInfo& info(Dtype d) { return kInfo[static_cast<size_t>(d)]; }

Dtype g_default_dtype = kFloat32;
}  // namespace

const char* dtype_name(Dtype d) { return info(d).name; }
const char* scalar_type_name(Dtype d) { return info(d).scalar_name; }
size_t itemsize(Dtype d) { return info(d).size; }
bool is_floating_point(Dtype d) { return info(d).category == Category::Float; }
bool is_integral(Dtype d, bool include_bool) {
  auto c = info(d).category;
  return c == Category::Int || (include_bool && c == Category::Bool);
}
bool is_signed(Dtype d) { return info(d).is_signed; }

Dtype dtype_from_name(const std::string& raw) {
  std::string name = raw.rfind("torch.", 0) == 0 ? raw.substr(6) : raw;
  static const std::pair<const char*, Dtype> aliases[] = {{"float", kFloat32}, {"double", kFloat64}, {"half", kFloat16},
                                                          {"long", kInt64},    {"int", kInt32},      {"short", kInt16},
                                                          {"bool", kBool},     {"uint8", kUInt8}};
  for (auto& [alias, d] : aliases)
    if (name == alias) return d;
  for (auto& i : kInfo)
    if (name == i.name) return i.dtype;
  throw TypeError("unknown dtype: " + raw);
}

Dtype promote_types(Dtype a, Dtype b) {
  if (a == b) return a;
  const auto &ia = info(a), &ib = info(b);
  if (ia.category != ib.category) return ia.category > ib.category ? a : b;
  if (ia.category == Category::Float) {
    // float16 and bfloat16 meet at float32; otherwise the wider wins.
    if (ia.size == ib.size) return kFloat32;
    return ia.size > ib.size ? a : b;
  }
  // Integers: uint8 with a signed type needs a signed type wider than 8 bits.
  if (a == kUInt8 || b == kUInt8) {
    Dtype other = a == kUInt8 ? b : a;
    return other == kInt8 ? kInt16 : other;
  }
  return ia.size > ib.size ? a : b;
}

bool can_cast(Dtype from, Dtype to) {
  // As torch.can_cast: no float -> integral, no non-bool -> bool.
  if (is_floating_point(from) && !is_floating_point(to)) return false;
  if (from != kBool && to == kBool) return false;
  return true;
}

Dtype get_default_dtype() { return g_default_dtype; }
void set_default_dtype(Dtype d) {
  FL_CHECK_TYPE(d == kFloat32 || d == kFloat64 || d == kFloat16 || d == kBFloat16,
                "only floating-point types are supported as the default type");
  g_default_dtype = d;
}

mx::Dtype to_mlx(Dtype d) {
  detail::adopt_shared_stream();  // ops that build MLX arrays from options alone pass here first
  return info(d).mlx;
}
Dtype from_mlx(mx::Dtype d) {
  for (auto& i : kInfo)
    if (i.mlx == d) return i.dtype;
  if (d == mx::uint32 || d == mx::uint64 || d == mx::uint16) return kInt64;
  throw TypeError("unsupported MLX dtype");
}

double Scalar::to_double() const {
  return std::visit([](auto v) { return static_cast<double>(v); }, v_);
}
int64_t Scalar::to_int() const {
  return std::visit([](auto v) { return static_cast<int64_t>(v); }, v_);
}
bool Scalar::to_bool() const {
  return std::visit([](auto v) { return v != 0; }, v_);
}
Dtype Scalar::dtype() const {
  if (is_bool()) return kBool;
  if (is_integral()) return kInt64;
  return get_default_dtype();
}
std::string Scalar::str() const {
  if (is_bool()) return to_bool() ? "True" : "False";
  if (is_integral()) return std::to_string(to_int());
  std::ostringstream ss;
  ss << to_double();
  return ss.str();
}

}  // namespace fl
