// fl::optim::Value: the JSON-like values of optimizer options and state (torch keeps them in Python dicts):
// None, bool, int, float, str, Tensor, list and ordered str-keyed dict.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "fl/tensor.h"

namespace fl::optim {

class Value;

/// An insertion-ordered dict with string keys, as Python's dict (torch's param groups and per-parameter state).
class Dict {
 public:
  using Item = std::pair<std::string, Value>;
  Dict() = default;
  Dict(std::initializer_list<Item> items);

  bool contains(const std::string& key) const;
  /// The value at `key`; KeyError-like fl::Error when absent.
  const Value& at(const std::string& key) const;
  Value& at(const std::string& key);
  /// The value at `key`, inserted as None at the end when absent (Python's `d[key] = ...`).
  Value& operator[](const std::string& key);
  void set(const std::string& key, Value value);
  /// Inserts `value` only when `key` is absent (dict.setdefault).
  void setdefault(const std::string& key, const Value& value);
  bool erase(const std::string& key);
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  std::vector<Item>::const_iterator begin() const { return items_.begin(); }
  std::vector<Item>::const_iterator end() const { return items_.end(); }
  std::vector<Item>::iterator begin() { return items_.begin(); }
  std::vector<Item>::iterator end() { return items_.end(); }

  // Typed reads of options, with torch's coercions (bool/int/float/1-element tensor as a number).
  double number(const std::string& key) const;
  bool flag(const std::string& key) const;
  int64_t integer(const std::string& key) const;

 private:
  std::vector<Item> items_;
};

class Value {
 public:
  using List = std::vector<Value>;

  Value() = default;  // None
  Value(std::nullptr_t) {}
  Value(bool b) : v_(b) {}
  Value(int i) : v_(static_cast<int64_t>(i)) {}
  Value(long i) : v_(static_cast<int64_t>(i)) {}
  Value(long long i) : v_(static_cast<int64_t>(i)) {}
  Value(double d) : v_(d) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(Tensor t) : v_(std::move(t)) {}
  Value(List l) : v_(std::move(l)) {}
  Value(Dict d) : v_(std::move(d)) {}

  bool is_none() const { return std::holds_alternative<std::monostate>(v_); }
  bool is_bool() const { return std::holds_alternative<bool>(v_); }
  bool is_int() const { return std::holds_alternative<int64_t>(v_); }
  bool is_double() const { return std::holds_alternative<double>(v_); }
  /// bool, int or float (Python's numbers).
  bool is_number() const { return is_bool() || is_int() || is_double(); }
  bool is_string() const { return std::holds_alternative<std::string>(v_); }
  bool is_tensor() const { return std::holds_alternative<Tensor>(v_); }
  bool is_list() const { return std::holds_alternative<List>(v_); }
  bool is_dict() const { return std::holds_alternative<Dict>(v_); }

  bool to_bool() const;
  int64_t to_int() const;
  /// A number, or the value of a one-element tensor (as Python's float(x)).
  double to_double() const;
  const std::string& str() const;
  const Tensor& tensor() const;
  Tensor& tensor();
  const List& list() const;
  List& list();
  const Dict& dict() const;
  Dict& dict();

  /// Python's repr of the value, for messages ("0.001", "True", "None", "(0.9, 0.999)" prints as a list).
  std::string repr() const;

 private:
  std::variant<std::monostate, bool, int64_t, double, std::string, Tensor, List, Dict> v_;
};

/// Python's repr of a float: shortest round-trip digits, with ".0" for integral values ("0.001", "-1.0", "1e-08").
std::string py_float_repr(double x);

}  // namespace fl::optim
