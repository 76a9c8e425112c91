#include "fl/nn/modules/container.h"

#include <algorithm>

#include "fl/nn/repr.h"

namespace fl::nn {

size_t detail::checked_index(int64_t idx, size_t size) {
  auto n = static_cast<int64_t>(size);
  FL_CHECK_INDEX(-n <= idx && idx < n, "index ", idx, " is out of range");
  return static_cast<size_t>(idx < 0 ? idx + n : idx);
}

namespace {
// Children re-keyed "0", "1", ... in their current order (after an insert or erase), as torch renumbers.
template <typename V>
void renumber_items(OrderedDict<V>& dict, std::vector<V> values) {
  std::vector<typename OrderedDict<V>::Item> items;
  for (size_t i = 0; i < values.size(); ++i) items.emplace_back(std::to_string(i), std::move(values[i]));
  dict.assign(std::move(items));
}
}  // namespace

// --- Sequential -----------------------------------------------------------------------------------------------

Sequential::Sequential(std::vector<std::pair<std::string, std::shared_ptr<UnaryModule>>> named) : Sequential() {
  for (auto& [name, m] : named) push_back(name, m);
}

void Sequential::push_back(const std::string& name, std::shared_ptr<UnaryModule> module) {
  register_module(name, std::move(module));
}

std::shared_ptr<UnaryModule> Sequential::operator[](int64_t index) const {
  size_t i = detail::checked_index(index, size());
  return std::static_pointer_cast<UnaryModule>(own_children().item(i).second);
}

void Sequential::insert(int64_t index, std::shared_ptr<UnaryModule> module) {
  // torch's insert: index may equal len; negative counts from the end.
  auto n = static_cast<int64_t>(size());
  FL_CHECK_INDEX(-n <= index && index <= n, "Index out of range: ", index);
  if (index < 0) index += n;
  auto values = own_children().values();
  values.insert(values.begin() + index, std::move(module));
  renumber_items(mutable_children(), std::move(values));
}

void Sequential::erase(int64_t index) {
  size_t i = detail::checked_index(index, size());
  auto values = own_children().values();
  values.erase(values.begin() + static_cast<std::ptrdiff_t>(i));
  renumber_items(mutable_children(), std::move(values));
}

std::shared_ptr<Sequential> Sequential::slice(int64_t start, int64_t stop) const {
  auto n = static_cast<int64_t>(size());
  auto clamp = [n](int64_t v) { return std::clamp(v < 0 ? v + n : v, int64_t{0}, n); };
  std::vector<std::pair<std::string, std::shared_ptr<UnaryModule>>> named;
  for (int64_t i = clamp(start); i < clamp(stop); ++i) {
    auto& item = own_children().item(static_cast<size_t>(i));
    named.emplace_back(item.first, std::static_pointer_cast<UnaryModule>(item.second));
  }
  return std::make_shared<Sequential>(std::move(named));
}

Tensor Sequential::forward(const Tensor& input) {
  Tensor x = input;
  for (auto& [key, child] : own_children()) {
    auto* m = dynamic_cast<UnaryModule*>(child.get());
    FL_CHECK_TYPE(m, "Sequential: module (", key, ") ", child ? child->name() : "None",
                  " has no forward(Tensor) (it is not a UnaryModule)");
    x = (*m)(x);
  }
  return x;
}

// --- ModuleList -----------------------------------------------------------------------------------------------

ModuleList::ModuleList(const std::vector<std::shared_ptr<Module>>& modules) : ModuleList() { extend(modules); }

void ModuleList::extend(const std::vector<std::shared_ptr<Module>>& modules) {
  for (auto& m : modules) push_back(m);
}

std::shared_ptr<Module> ModuleList::operator[](int64_t index) const {
  return own_children().item(detail::checked_index(index, size())).second;
}

void ModuleList::insert(int64_t index, std::shared_ptr<Module> module) {
  // torch's ModuleList.insert shifts entries from `index` on; a negative or past-the-end index follows
  // list.insert's clamping.
  auto n = static_cast<int64_t>(size());
  if (index < 0) index = std::max<int64_t>(index + n, 0);
  index = std::min(index, n);
  auto values = own_children().values();
  values.insert(values.begin() + index, std::move(module));
  renumber_items(mutable_children(), std::move(values));
}

std::shared_ptr<Module> ModuleList::pop(int64_t index) {
  size_t i = detail::checked_index(index, size());
  auto values = own_children().values();
  auto out = values[i];
  values.erase(values.begin() + static_cast<std::ptrdiff_t>(i));
  renumber_items(mutable_children(), std::move(values));
  return out;
}

std::string ModuleList::repr() const {
  if (empty()) return name() + "()";
  // Runs of equal reprs print once: "(0-2): 3 x Linear(...)".
  std::vector<std::string> reprs;
  for (auto& m : *this) reprs.push_back(m ? m->repr() : "None");
  std::string out = name() + "(";
  for (size_t start = 0; start < reprs.size();) {
    size_t end = start;
    while (end + 1 < reprs.size() && reprs[end + 1] == reprs[start]) ++end;
    std::string local = end == start
                            ? fl::detail::concat("(", start, "): ", reprs[start])
                            : fl::detail::concat("(", start, "-", end, "): ", end - start + 1, " x ", reprs[start]);
    out += fl::detail::concat("\n  ", add_indent(local, 2));
    start = end + 1;
  }
  return out + "\n)";
}

// --- ModuleDict -----------------------------------------------------------------------------------------------

ModuleDict::ModuleDict(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& items) : ModuleDict() {
  update(items);
}

void ModuleDict::update(const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& items) {
  for (auto& [key, m] : items) insert(key, m);
}

std::shared_ptr<Module> ModuleDict::pop(const std::string& key) { return mutable_children().pop(key); }

void ModuleDict::clear() { mutable_children().clear(); }

// --- ParameterList / ParameterDict ----------------------------------------------------------------------------

namespace {
std::string size_str(const Tensor& p) {
  std::string s;
  for (int64_t i = 0; i < p.dim(); ++i) s += fl::detail::concat(i ? "x" : "", p.size(i));
  return s;
}
std::string device_str(const Tensor& p) {
  return p.device().is_cpu() ? "" : fl::detail::concat(" (", p.device().str(), ")");
}
}  // namespace

ParameterList::ParameterList(const std::vector<Tensor>& parameters) : ParameterList() {
  for (auto& p : parameters) push_back(p);
}

void ParameterList::push_back(const Tensor& parameter) { register_parameter(std::to_string(size()), parameter); }

Tensor ParameterList::operator[](int64_t index) const {
  return own_parameters().item(detail::checked_index(index, size())).second;
}

std::string ParameterList::extra_repr() const {
  std::string out;
  size_t k = 0;
  for (auto& p : *this) {
    out += fl::detail::concat(k ? "\n" : "", "  (", k, "): Parameter containing: [torch.", dtype_name(p.dtype()),
                              " of size ", size_str(p), device_str(p), "]");
    ++k;
  }
  return out;
}

ParameterDict::ParameterDict(const std::vector<std::pair<std::string, Tensor>>& items) : ParameterDict() {
  for (auto& [key, p] : items) insert(key, p);
}

void ParameterDict::insert(const std::string& key, const Tensor& parameter) { register_parameter(key, parameter); }

Tensor ParameterDict::pop(const std::string& key) { return mutable_parameters().pop(key); }

std::string ParameterDict::extra_repr() const {
  std::string out;
  for (auto& [key, p] : *this)
    out += fl::detail::concat(out.empty() ? "" : "\n", "  (", key, "): Parameter containing: [torch.",
                              scalar_type_name(p.dtype()), "Tensor of size ", size_str(p), device_str(p), "]");
  return out;
}

}  // namespace fl::nn
