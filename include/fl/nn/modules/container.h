// Containers: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict (torch.nn's, with torch's names,
// keys and printing). Each takes modules as values (moved into a shared_ptr) or as shared_ptrs:
//
//   auto net = std::make_shared<fl::nn::Sequential>(fl::nn::Linear(784, 256), fl::nn::ReLU(),
//                                                   fl::nn::Linear(256, 10));
//   fl::Tensor logits = (*net)(x);
//   auto first = net->at<fl::nn::Linear>(0);   // typed access; (*net)[0] gives the UnaryModule
//
// A single Sequential passed by value to Sequential's constructor is moved, not nested: nest it as a shared_ptr.
#pragma once
#include <iterator>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "fl/nn/module.h"

namespace fl::nn {

namespace detail {
template <typename T>
struct is_shared_ptr : std::false_type {};
template <typename T>
struct is_shared_ptr<std::shared_ptr<T>> : std::true_type {};

/// A module given as a shared_ptr to a Base, or as a Base-derived value to move into one.
template <typename M, typename Base>
concept ModuleArg = std::convertible_to<std::remove_cvref_t<M>, std::shared_ptr<Base>> ||
    (std::derived_from<std::remove_cvref_t<M>, Base> && !std::is_lvalue_reference_v<M>);

template <typename Base, typename M>
std::shared_ptr<Base> to_module_ptr(M&& m) {
  using D = std::remove_cvref_t<M>;
  if constexpr (is_shared_ptr<D>::value)
    return std::forward<M>(m);
  else
    return std::make_shared<D>(std::move(m));
}

/// Iterates an OrderedDict's values.
template <typename V>
class ValueIterator {
 public:
  using Inner = typename OrderedDict<V>::const_iterator;
  using iterator_category = std::forward_iterator_tag;
  using value_type = V;
  using difference_type = std::ptrdiff_t;
  using pointer = const V*;
  using reference = const V&;
  ValueIterator() = default;
  explicit ValueIterator(Inner it) : it_(it) {}
  const V& operator*() const { return it_->second; }
  const V* operator->() const { return &it_->second; }
  ValueIterator& operator++() {
    ++it_;
    return *this;
  }
  ValueIterator operator++(int) {
    auto old = *this;
    ++it_;
    return old;
  }
  bool operator==(const ValueIterator& o) const { return it_ == o.it_; }

 private:
  Inner it_;
};

/// Python's index rules for a container of `size`: -size <= idx < size; IndexError otherwise.
size_t checked_index(int64_t idx, size_t size);
/// The module at idx as T; TypeError naming both types when it is not one.
template <typename T>
std::shared_ptr<T> module_as(const std::shared_ptr<Module>& m) {
  auto typed = std::dynamic_pointer_cast<T>(m);
  FL_CHECK_TYPE(typed || !m, m->name(), " is not a ", type_name(typeid(T)));
  return typed;
}
}  // namespace detail

/// torch.nn.Sequential: runs its UnaryModules in order; children are named "0", "1", ... unless given names.
class Sequential : public UnaryModule {
 public:
  Sequential() = default;
  template <typename... Ms>
  requires(sizeof...(Ms) > 0 && (detail::ModuleArg<Ms, UnaryModule> && ...)) explicit Sequential(Ms&&... modules)
      : Sequential() {
    (push_back(std::forward<Ms>(modules)), ...);
  }
  /// Named children, as torch's Sequential(OrderedDict([...])).
  explicit Sequential(std::vector<std::pair<std::string, std::shared_ptr<UnaryModule>>> named);

  /// Appends a module named by its position (torch's append); a value is moved into a shared_ptr.
  template <typename M>
  requires detail::ModuleArg<M, UnaryModule>
  void push_back(M&& module) {
    push_back(std::to_string(size()), detail::to_module_ptr<UnaryModule>(std::forward<M>(module)));
  }
  /// Appends a module under name (replacing in place a child of that name).
  void push_back(const std::string& name, std::shared_ptr<UnaryModule> module);
  /// Inserts before index (torch's insert), renumbering the children.
  void insert(int64_t index, std::shared_ptr<UnaryModule> module);
  /// Removes the module at index (torch's `del seq[i]`), renumbering the children.
  void erase(int64_t index);
  /// seq[start:stop] as a new Sequential sharing the modules (Python's slice clamping).
  std::shared_ptr<Sequential> slice(int64_t start, int64_t stop) const;

  /// The number of modules.
  size_t size() const { return own_children().size(); }
  /// Whether there are no modules.
  bool empty() const { return size() == 0; }
  /// The module at a position (negative counts from the end); IndexError when out of range.
  std::shared_ptr<UnaryModule> operator[](int64_t index) const;
  /// (*this)[index] as a T; TypeError when it is not one.
  template <typename T>
  std::shared_ptr<T> at(int64_t index) const {
    return detail::module_as<T>((*this)[index]);
  }
  /// Iterates the modules in order.
  detail::ValueIterator<std::shared_ptr<Module>> begin() const {
    return detail::ValueIterator<std::shared_ptr<Module>>(own_children().begin());
  }
  /// The end of the iteration.
  detail::ValueIterator<std::shared_ptr<Module>> end() const {
    return detail::ValueIterator<std::shared_ptr<Module>>(own_children().end());
  }

  Tensor forward(const Tensor& input) override;

 private:
  void renumber();
};

/// torch.nn.ModuleList: an indexable list of modules of any kind; printing folds repeats ("(0-2): 3 x ...").
class ModuleList : public Module {
 public:
  ModuleList() = default;
  template <typename... Ms>
  requires(sizeof...(Ms) > 0 && (detail::ModuleArg<Ms, Module> && ...)) explicit ModuleList(Ms&&... modules)
      : ModuleList() {
    (push_back(std::forward<Ms>(modules)), ...);
  }
  explicit ModuleList(const std::vector<std::shared_ptr<Module>>& modules);

  /// Appends a module (torch's append), named by its position; a value is moved into a shared_ptr.
  template <typename M>
  requires detail::ModuleArg<M, Module>
  void push_back(M&& module) {
    register_module(std::to_string(size()), detail::to_module_ptr<Module>(std::forward<M>(module)));
  }
  /// Appends each module in order.
  void extend(const std::vector<std::shared_ptr<Module>>& modules);
  /// Inserts before index, clamped as Python's list.insert (negative counts from the end), renumbering.
  void insert(int64_t index, std::shared_ptr<Module> module);
  /// Removes and returns the module at index (negative counts from the end), renumbering; IndexError when out of
  /// range.
  std::shared_ptr<Module> pop(int64_t index);

  /// The number of modules.
  size_t size() const { return own_children().size(); }
  /// Whether there are no modules.
  bool empty() const { return size() == 0; }
  /// The module at a position (negative counts from the end); IndexError when out of range.
  std::shared_ptr<Module> operator[](int64_t index) const;
  /// (*this)[index] as a T; TypeError when it is not one.
  template <typename T>
  std::shared_ptr<T> at(int64_t index) const {
    return detail::module_as<T>((*this)[index]);
  }
  /// Iterates the modules in order.
  detail::ValueIterator<std::shared_ptr<Module>> begin() const {
    return detail::ValueIterator<std::shared_ptr<Module>>(own_children().begin());
  }
  /// The end of the iteration.
  detail::ValueIterator<std::shared_ptr<Module>> end() const {
    return detail::ValueIterator<std::shared_ptr<Module>>(own_children().end());
  }

  /// torch's ModuleList.__repr__: runs of identical child reprs fold into "(0-2): 3 x Linear(...)".
  std::string repr() const override;

 private:
  void renumber(std::vector<std::shared_ptr<Module>> modules);
};

/// torch.nn.ModuleDict: modules by key, in insertion order.
class ModuleDict : public Module {
 public:
  ModuleDict() = default;
  explicit ModuleDict(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& items);

  /// dict[key] = module (replacing in place).
  template <typename M>
  requires detail::ModuleArg<M, Module>
  void insert(const std::string& key, M&& module) {
    register_module(key, detail::to_module_ptr<Module>(std::forward<M>(module)));
  }
  /// Inserts each (key, module) in order.
  void update(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& items);
  /// Removes and returns the module under key; IndexError (torch's KeyError) when absent.
  std::shared_ptr<Module> pop(const std::string& key);
  /// Removes every module.
  void clear();

  /// The number of modules.
  size_t size() const { return own_children().size(); }
  /// Whether there are no modules.
  bool empty() const { return size() == 0; }
  /// Whether key is present.
  bool contains(const std::string& key) const { return own_children().contains(key); }
  /// IndexError (torch's KeyError) for a missing key.
  std::shared_ptr<Module> operator[](const std::string& key) const { return own_children().at(key); }
  /// (*this)[key] as a T; TypeError when it is not one.
  template <typename T>
  std::shared_ptr<T> at(const std::string& key) const {
    return detail::module_as<T>((*this)[key]);
  }
  /// The keys in insertion order.
  std::vector<std::string> keys() const { return own_children().keys(); }
  /// The modules in insertion order.
  std::vector<std::shared_ptr<Module>> values() const { return own_children().values(); }
  /// The (key, module) pairs in insertion order.
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& items() const { return own_children().items(); }
  /// Iterates the (key, module) pairs in insertion order.
  auto begin() const { return own_children().begin(); }
  /// The end of the iteration.
  auto end() const { return own_children().end(); }
};

/// torch.nn.ParameterList: parameters named "0", "1", ...
class ParameterList : public Module {
 public:
  ParameterList() = default;
  explicit ParameterList(const std::vector<Tensor>& parameters);
  /// Registers parameter (made to require grad) under the next position.
  void push_back(const Tensor& parameter);
  /// The number of parameters.
  size_t size() const { return own_parameters().size(); }
  /// The parameter at a position (negative counts from the end); IndexError when out of range.
  Tensor operator[](int64_t index) const;
  /// Iterates the parameters in order.
  detail::ValueIterator<Tensor> begin() const { return detail::ValueIterator<Tensor>(own_parameters().begin()); }
  /// The end of the iteration.
  detail::ValueIterator<Tensor> end() const { return detail::ValueIterator<Tensor>(own_parameters().end()); }
  std::string extra_repr() const override;
};

/// torch.nn.ParameterDict: parameters by key, in insertion order.
class ParameterDict : public Module {
 public:
  ParameterDict() = default;
  explicit ParameterDict(const std::vector<std::pair<std::string, Tensor>>& items);
  /// dict[key] = parameter (made to require grad), replacing in place.
  void insert(const std::string& key, const Tensor& parameter);
  /// Removes and returns the parameter under key; IndexError (torch's KeyError) when absent.
  Tensor pop(const std::string& key);
  /// The number of parameters.
  size_t size() const { return own_parameters().size(); }
  /// Whether key is present.
  bool contains(const std::string& key) const { return own_parameters().contains(key); }
  /// The parameter under key; IndexError (torch's KeyError) when absent.
  Tensor operator[](const std::string& key) const { return own_parameters().at(key); }
  /// The keys in insertion order.
  std::vector<std::string> keys() const { return own_parameters().keys(); }
  /// Iterates the (key, parameter) pairs in insertion order.
  auto begin() const { return own_parameters().begin(); }
  /// The end of the iteration.
  auto end() const { return own_parameters().end(); }
  std::string extra_repr() const override;
};

}  // namespace fl::nn
