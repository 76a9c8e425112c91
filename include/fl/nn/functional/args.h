// Argument types of torch.nn.functional's spatial ops: ints-or-tuples (`_size_2_t`), conv padding that may be
// 'valid'/'same', and adaptive output sizes with None entries.
#pragma once
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "fl/tensor.h"

namespace fl::nn::functional {

/// An int or a list of ints, as PyTorch's `stride=2` / `stride=(2, 1)`: one value applies to every spatial dim.
/// Empty (`{}`) stands for None where an argument is optional (a pool's stride, interpolate's size).
class ExpandingArray {
 public:
  ExpandingArray() = default;
  ExpandingArray(int64_t v) : values_{v} {}
  ExpandingArray(int v) : values_{v} {}
  ExpandingArray(std::initializer_list<int64_t> v) : values_(v) {}
  ExpandingArray(Shape v) : values_(std::move(v)) {}
  /// The values as given: one, one per dim, or none (None).
  const Shape& values() const { return values_; }
  /// Whether it gives `dims` values (one value, or exactly dims).
  bool fits(int64_t dims) const { return values_.size() == 1 || static_cast<int64_t>(values_.size()) == dims; }
  /// The `dims` values (call fits first).
  Shape expand(int64_t dims) const { return values_.size() == 1 ? Shape(dims, values_[0]) : values_; }

 private:
  Shape values_;
};

/// interpolate's scale_factor: a float or one per spatial dim; empty (`{}`) for None.
class ScaleFactors {
 public:
  ScaleFactors() = default;
  ScaleFactors(double v) : values_{v} {}
  ScaleFactors(std::initializer_list<double> v) : values_(v) {}
  ScaleFactors(std::vector<double> v) : values_(std::move(v)) {}
  /// The factors as given: one, one per spatial dim, or none (None).
  const std::vector<double>& values() const { return values_; }

 private:
  std::vector<double> values_;
};

/// conv*d's padding: ints (ExpandingArray) or the strings "valid" / "same".
class ConvPadding {
 public:
  ConvPadding(int64_t v) : values_(v) {}
  ConvPadding(int v) : values_(v) {}
  ConvPadding(std::initializer_list<int64_t> v) : values_(v) {}
  ConvPadding(Shape v) : values_(std::move(v)) {}
  ConvPadding(const char* mode) : values_(0), mode_(mode) {}
  ConvPadding(std::string mode) : values_(0), mode_(std::move(mode)) {}
  /// The padding ints (0 when a mode string was given).
  const ExpandingArray& values() const { return values_; }
  /// "valid" or "same" when given as a string (checked by the conv op), else nullopt.
  const std::optional<std::string>& mode() const { return mode_; }

 private:
  ExpandingArray values_;
  std::optional<std::string> mode_;
};

/// An adaptive pool's output_size: an int, or one entry per spatial dim where nullopt (None) keeps the input's.
class OutputSize {
 public:
  OutputSize(int64_t v) : values_{v} {}
  OutputSize(int v) : values_{v} {}
  OutputSize(std::initializer_list<std::optional<int64_t>> v) : values_(v) {}
  OutputSize(std::vector<std::optional<int64_t>> v) : values_(std::move(v)) {}
  /// The sizes as given: one, or one per spatial dim (nullopt = keep the input's).
  const std::vector<std::optional<int64_t>>& values() const { return values_; }

 private:
  std::vector<std::optional<int64_t>> values_;
};

}  // namespace fl::nn::functional
