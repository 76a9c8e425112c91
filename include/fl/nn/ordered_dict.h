// fl::nn::OrderedDict: string keys in insertion order with hashed lookup (Python's dict, libtorch's OrderedDict).
// Modules keep their parameters, buffers and children in one; named_parameters() and state_dict() return one.
#pragma once
#include <initializer_list>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fl/error.h"

namespace fl::nn {

/// Values of type V under string keys, iterated in insertion order.
template <typename V>
class OrderedDict {
 public:
  using Item = std::pair<std::string, V>;
  using iterator = typename std::vector<Item>::iterator;
  using const_iterator = typename std::vector<Item>::const_iterator;

  OrderedDict() = default;
  OrderedDict(std::initializer_list<Item> items) {
    for (auto& item : items) insert(item.first, item.second);
  }

  /// The number of items.
  size_t size() const { return items_.size(); }
  /// Whether there are no items.
  bool empty() const { return items_.empty(); }
  /// Whether key is present.
  bool contains(const std::string& key) const { return index_.count(key) > 0; }

  /// The value for key, or nullptr (non-const and const overloads).
  V* find(const std::string& key) {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &items_[it->second].second;
  }
  const V* find(const std::string& key) const { return const_cast<OrderedDict*>(this)->find(key); }
  /// The value for key; IndexError (Python's KeyError) when absent (non-const and const overloads).
  V& at(const std::string& key) {
    V* v = find(key);
    FL_CHECK_AS(IndexError, v, "'", key, "'");
    return *v;
  }
  const V& at(const std::string& key) const { return const_cast<OrderedDict*>(this)->at(key); }
  /// at(key): no insertion, unlike std::map (non-const and const overloads).
  V& operator[](const std::string& key) { return at(key); }
  const V& operator[](const std::string& key) const { return at(key); }

  /// d[key] = value: replaces in place (keeping the position) or appends.
  V& insert(const std::string& key, V value) {
    if (V* v = find(key)) return *v = std::move(value);
    index_.emplace(key, items_.size());
    items_.emplace_back(key, std::move(value));
    return items_.back().second;
  }
  /// Removes key and returns its value; IndexError when absent.
  V pop(const std::string& key) {
    auto it = index_.find(key);
    FL_CHECK_AS(IndexError, it != index_.end(), "'", key, "'");
    size_t i = it->second;
    V v = std::move(items_[i].second);
    items_.erase(items_.begin() + static_cast<std::ptrdiff_t>(i));
    reindex();
    return v;
  }
  /// Removes every item.
  void clear() {
    items_.clear();
    index_.clear();
  }

  /// The i-th (key, value) pair in insertion order; std::out_of_range past the end (const and non-const overloads).
  const Item& item(size_t i) const { return items_.at(i); }
  Item& item(size_t i) { return items_.at(i); }
  /// Every (key, value) pair in insertion order.
  const std::vector<Item>& items() const { return items_; }
  /// The keys in insertion order.
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    out.reserve(items_.size());
    for (auto& it : items_) out.push_back(it.first);
    return out;
  }
  /// The values in insertion order (copies; for Tensors and shared_ptrs, handles to the same objects).
  std::vector<V> values() const {
    std::vector<V> out;
    out.reserve(items_.size());
    for (auto& it : items_) out.push_back(it.second);
    return out;
  }

  /// Iterator to the first (key, value) pair, in insertion order (non-const and const overloads).
  iterator begin() { return items_.begin(); }
  const_iterator begin() const { return items_.begin(); }
  /// Iterator past the last pair (non-const and const overloads).
  iterator end() { return items_.end(); }
  const_iterator end() const { return items_.end(); }

  /// Replaces all items at once (renumbering a ModuleList after an insert or erase).
  void assign(std::vector<Item> items) {
    items_ = std::move(items);
    reindex();
  }

 private:
  void reindex() {
    index_.clear();
    for (size_t i = 0; i < items_.size(); ++i) index_[items_[i].first] = i;
  }
  std::vector<Item> items_;
  std::unordered_map<std::string, size_t> index_;
};

}  // namespace fl::nn
