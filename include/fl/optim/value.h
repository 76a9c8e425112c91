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

  /// Whether key is present.
  bool contains(const std::string& key) const;
  /// The value at `key`; fl::Error "KeyError: 'key'" when absent (const and non-const overloads).
  const Value& at(const std::string& key) const;
  Value& at(const std::string& key);
  /// The value at `key`, inserted as None at the end when absent (Python's `d[key] = ...`).
  Value& operator[](const std::string& key);
  /// d[key] = value: replaces in place or appends.
  void set(const std::string& key, Value value);
  /// Inserts `value` only when `key` is absent (dict.setdefault).
  void setdefault(const std::string& key, const Value& value);
  /// Removes key; whether it was present.
  bool erase(const std::string& key);
  /// The number of items.
  size_t size() const { return items_.size(); }
  /// Whether there are no items.
  bool empty() const { return items_.empty(); }
  /// Iterator to the first (key, value) pair, in insertion order (const and non-const overloads).
  std::vector<Item>::const_iterator begin() const { return items_.begin(); }
  std::vector<Item>::iterator begin() { return items_.begin(); }
  /// Iterator past the last pair (const and non-const overloads).
  std::vector<Item>::const_iterator end() const { return items_.end(); }
  std::vector<Item>::iterator end() { return items_.end(); }

  /// at(key).to_double(): a bool, int, float or one-element tensor as a double.
  double number(const std::string& key) const;
  /// at(key).to_bool(): a bool, or a number's truth (None is false).
  bool flag(const std::string& key) const;
  /// at(key).to_int(): a bool, int or one-element tensor as int64.
  int64_t integer(const std::string& key) const;

 private:
  std::vector<Item> items_;
};

/// One option or state value: None, bool, int (int64), float (double), str, Tensor, list or Dict.
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

  /// Whether it is None.
  bool is_none() const { return std::holds_alternative<std::monostate>(v_); }
  /// Whether it holds a bool.
  bool is_bool() const { return std::holds_alternative<bool>(v_); }
  /// Whether it holds an int.
  bool is_int() const { return std::holds_alternative<int64_t>(v_); }
  /// Whether it holds a float.
  bool is_double() const { return std::holds_alternative<double>(v_); }
  /// bool, int or float (Python's numbers).
  bool is_number() const { return is_bool() || is_int() || is_double(); }
  /// Whether it holds a str.
  bool is_string() const { return std::holds_alternative<std::string>(v_); }
  /// Whether it holds a Tensor.
  bool is_tensor() const { return std::holds_alternative<Tensor>(v_); }
  /// Whether it holds a list.
  bool is_list() const { return std::holds_alternative<List>(v_); }
  /// Whether it holds a Dict.
  bool is_dict() const { return std::holds_alternative<Dict>(v_); }

  /// A bool, or a number's truth (None is false); TypeError for other kinds.
  bool to_bool() const;
  /// A bool or int, or the value of a one-element tensor; TypeError for other kinds.
  int64_t to_int() const;
  /// A number, or the value of a one-element tensor (as Python's float(x)).
  double to_double() const;
  /// The str held; TypeError for other kinds.
  const std::string& str() const;
  /// The Tensor held; TypeError for other kinds (const and non-const overloads).
  const Tensor& tensor() const;
  Tensor& tensor();
  /// The list held; TypeError for other kinds (const and non-const overloads).
  const List& list() const;
  List& list();
  /// The Dict held; TypeError for other kinds (const and non-const overloads).
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
