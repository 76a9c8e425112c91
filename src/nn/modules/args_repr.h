// Python's repr of the spatial modules' int-or-tuple arguments, as torch prints the values they were given.
#pragma once
#include <string>

#include "fl/nn/functional/args.h"
#include "fl/nn/repr.h"

namespace fl::nn::detail {

/// "2" for one value, "(2, 3)" for several.
inline std::string py_int_or_tuple(const functional::ExpandingArray& a) {
  return a.values().size() == 1 ? std::to_string(a.values()[0]) : py_tuple(a.values());
}

/// "7", "None" or "(None, 7)".
inline std::string py_output_size(const functional::OutputSize& s) {
  auto item = [](const std::optional<int64_t>& v) { return v ? std::to_string(*v) : std::string("None"); };
  const auto& v = s.values();
  if (v.size() == 1) return item(v[0]);
  std::string out = "(";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + item(v[i]);
  return out + ")";
}

/// "2.0" for one factor, "(2.0, 3.0)" for several.
inline std::string py_float_or_tuple(const functional::ScaleFactors& f) {
  const auto& v = f.values();
  if (v.size() == 1) return py_float(v[0]);
  std::string out = "(";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + py_float(v[i]);
  return out + ")";
}

}  // namespace fl::nn::detail
