// Docstring lookup for the bindings: Module::def, Class::def, def_both, def_method and the in-place helpers ask
// doc(scope, name), which reads the tables of python/src/docs/ (one header per family, registered below).
#include <algorithm>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "bind.h"
#include "docs/binary.h"
#include "docs/creation.h"
#include "docs/indexing.h"
#include "docs/linalg.h"
#include "docs/misc.h"
#include "docs/ncps.h"
#include "docs/nn.h"
#include "docs/nn_init.h"
#include "docs/nn_utils.h"
#include "docs/optim.h"
#include "docs/random.h"
#include "docs/reduction.h"
#include "docs/shape.h"
#include "docs/tensor.h"
#include "docs/unary.h"

namespace flpy {

namespace {
using Table = std::unordered_map<std::string_view, const char*>;

template <size_t N>
void add(Table& table, std::string_view scope, const docs::Doc (&entries)[N]) {
  for (const auto& e : entries)  // a name documented twice in one scope is a mistake in the tables
    if (!table.emplace(e.name, e.text).second)
      throw std::logic_error("python/src/docs: '" + std::string(e.name) + "' documented twice in " +
                             std::string(scope));
}

const std::unordered_map<std::string_view, Table>& tables() {
  static const auto* all = [] {
    auto* t = new std::unordered_map<std::string_view, Table>;
    auto reg = [&](std::string_view scope, const auto&... family) { (add((*t)[scope], scope, family), ...); };
    reg("torch", docs::kUnary, docs::kBinary, docs::kReduction, docs::kLinalg, docs::kShape, docs::kIndexing,
        docs::kCreation, docs::kRandom, docs::kMisc);
    reg("Tensor", docs::kTensor, docs::kCreationMethods, docs::kRandomMethods);
    reg("Generator", docs::kGenerator);
    reg("nn", docs::kNn);
    reg("nn_init", docs::kNnInit);
    reg("nn_utils", docs::kNnUtils);
    reg("ncps", docs::kNcps);
    reg("Wiring", docs::kWiring);
    reg("optim", docs::kOptim);
    return t;
  }();
  return *all;
}

// op's text for its in-place method op_: the input argument is self and self is returned, so the `input` Args line
// and the Returns section give way to one saying so.
std::string inplace_text(std::string_view base, std::string_view text) {
  std::vector<std::string> kept;
  bool in_returns = false;
  for (size_t pos = 0; pos <= text.size();) {
    size_t end = std::min(text.find('\n', pos), text.size());
    std::string line(text.substr(pos, end - pos));
    pos = end + 1;
    if (line == "Returns:")
      in_returns = true;
    else if (in_returns && !line.empty() && line[0] != ' ')
      in_returns = false;
    if (in_returns || line.rfind("    input (", 0) == 0) continue;
    kept.push_back(line);
  }
  std::string out = "In-place version of " + std::string(base) + "(): writes the result into self.\n\n";
  for (size_t i = 0; i < kept.size(); ++i) {
    bool empty_args = kept[i] == "Args:" && (i + 1 == kept.size() || kept[i + 1].empty());
    if (!empty_args) out += kept[i] + "\n";
  }
  while (out.size() > 1 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') out.pop_back();
  return out + "\nReturns:\n    Tensor: self.\n";
}

const char* find(std::string_view scope, std::string_view name) {
  auto t = tables().find(scope);
  if (t == tables().end()) return nullptr;
  auto e = t->second.find(name);
  return e == t->second.end() ? nullptr : e->second;
}
}  // namespace

const char* doc(std::string_view scope, std::string_view name) {
  if (const char* d = find(scope, name)) return d;
  // flashlight.nn.functional re-exports core ops (one_hot, pad, ...): _nn's bindings of the same names share them.
  if (scope == "nn") return doc("torch", name);
  if (scope != "Tensor") return "";
  // x.sum(...) mirrors fl.sum(x, ...): one text for both.
  if (const char* d = find("torch", name)) return d;
  // x.exp_() is x.exp() written back into x: its text is exp's, after a line that says so.
  if (name.size() > 1 && name.back() == '_' && name[name.size() - 2] != '_') {
    std::string_view base = name.substr(0, name.size() - 1);
    std::string_view text = doc("Tensor", base);
    if (text.empty()) return "";
    static std::unordered_map<std::string, std::string> derived;  // nanobind copies docstrings; these live on anyway
    std::string& d = derived[std::string(name)];
    if (d.empty()) d = inplace_text(base, text);
    return d.c_str();
  }
  return "";
}

}  // namespace flpy
