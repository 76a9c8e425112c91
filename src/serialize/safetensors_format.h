// The safetensors layout shared by the reader and the writer: an 8-byte little-endian header length N, N bytes of
// JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}} padded with spaces to a multiple of
// 8, then the raw little-endian data, each tensor at its offsets relative to the end of the header.
#pragma once
#include <bit>
#include <cstdint>
#include <optional>
#include <string_view>

#include "fl/dtype.h"

namespace fl::safetensors {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian; so is this host");

/// The reference implementation's limit: a larger header is rejected before anything is allocated.
inline constexpr uint64_t kMaxHeaderSize = 100'000'000;
inline constexpr std::string_view kMetadataKey = "__metadata__";
/// More dimensions than any real tensor has; bounds the work a lying header can ask for.
inline constexpr size_t kMaxDims = 64;

struct DtypeCode {
  Dtype dtype;
  std::string_view code;
  /// The reference writer lays tensors out by this rank, descending, then by name: larger items first keeps
  /// every tensor aligned to its item size.
  int layout_rank;
};
inline constexpr DtypeCode kDtypeCodes[] = {
    {kBool, "BOOL", 0},     {kUInt8, "U8", 1},  {kInt8, "I8", 2},     {kInt16, "I16", 3},   {kFloat16, "F16", 4},
    {kBFloat16, "BF16", 5}, {kInt32, "I32", 6}, {kFloat32, "F32", 7}, {kFloat64, "F64", 8}, {kInt64, "I64", 9},
};

inline const DtypeCode& code_of(Dtype d) {
  for (const auto& c : kDtypeCodes)
    if (c.dtype == d) return c;
  throw Error("safetensors: unknown dtype");
}
inline std::optional<Dtype> dtype_of_code(std::string_view code) {
  for (const auto& c : kDtypeCodes)
    if (c.code == code) return c.dtype;
  return std::nullopt;
}

}  // namespace fl::safetensors
