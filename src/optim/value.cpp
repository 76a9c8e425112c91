// fl::optim::Value and Dict: the option and state trees of optimizers.
#include "fl/optim/value.h"

#include <charconv>
#include <cmath>

#include "fl/error.h"

namespace fl::optim {

Dict::Dict(std::initializer_list<Item> items) {
  for (auto& it : items) set(it.first, it.second);
}

bool Dict::contains(const std::string& key) const {
  for (auto& it : items_)
    if (it.first == key) return true;
  return false;
}

const Value& Dict::at(const std::string& key) const {
  for (auto& it : items_)
    if (it.first == key) return it.second;
  throw Error("KeyError: '" + key + "'");
}
Value& Dict::at(const std::string& key) { return const_cast<Value&>(static_cast<const Dict&>(*this).at(key)); }

Value& Dict::operator[](const std::string& key) {
  for (auto& it : items_)
    if (it.first == key) return it.second;
  items_.emplace_back(key, Value());
  return items_.back().second;
}

void Dict::set(const std::string& key, Value value) { (*this)[key] = std::move(value); }

void Dict::setdefault(const std::string& key, const Value& value) {
  if (!contains(key)) items_.emplace_back(key, value);
}

bool Dict::erase(const std::string& key) {
  for (auto it = items_.begin(); it != items_.end(); ++it) {
    if (it->first == key) {
      items_.erase(it);
      return true;
    }
  }
  return false;
}

double Dict::number(const std::string& key) const { return at(key).to_double(); }
bool Dict::flag(const std::string& key) const { return at(key).to_bool(); }
int64_t Dict::integer(const std::string& key) const { return at(key).to_int(); }

namespace {
const char* kind_name(const Value& v) {
  if (v.is_none()) return "NoneType";
  if (v.is_bool()) return "bool";
  if (v.is_int()) return "int";
  if (v.is_double()) return "float";
  if (v.is_string()) return "str";
  if (v.is_tensor()) return "Tensor";
  if (v.is_list()) return "list";
  return "dict";
}
[[noreturn]] void wrong(const Value& v, const char* want) {
  throw TypeError(detail::concat("expected ", want, ", but got ", kind_name(v)));
}
}  // namespace

bool Value::to_bool() const {
  if (auto* b = std::get_if<bool>(&v_)) return *b;
  if (auto* i = std::get_if<int64_t>(&v_)) return *i != 0;
  if (auto* d = std::get_if<double>(&v_)) return *d != 0;
  if (is_none()) return false;
  wrong(*this, "bool");
}

int64_t Value::to_int() const {
  if (auto* b = std::get_if<bool>(&v_)) return *b;
  if (auto* i = std::get_if<int64_t>(&v_)) return *i;
  if (auto* t = std::get_if<Tensor>(&v_)) return t->item<int64_t>();
  wrong(*this, "int");
}

double Value::to_double() const {
  if (auto* b = std::get_if<bool>(&v_)) return *b;
  if (auto* i = std::get_if<int64_t>(&v_)) return static_cast<double>(*i);
  if (auto* d = std::get_if<double>(&v_)) return *d;
  if (auto* t = std::get_if<Tensor>(&v_)) {
    FL_CHECK_VALUE(t->numel() == 1, "Tensor lr must be 1-element");
    return t->item<double>();
  }
  wrong(*this, "a number");
}

const std::string& Value::str() const {
  if (auto* s = std::get_if<std::string>(&v_)) return *s;
  wrong(*this, "str");
}
const Tensor& Value::tensor() const {
  if (auto* t = std::get_if<Tensor>(&v_)) return *t;
  wrong(*this, "Tensor");
}
Tensor& Value::tensor() { return const_cast<Tensor&>(static_cast<const Value&>(*this).tensor()); }
const Value::List& Value::list() const {
  if (auto* l = std::get_if<List>(&v_)) return *l;
  wrong(*this, "list");
}
Value::List& Value::list() { return const_cast<List&>(static_cast<const Value&>(*this).list()); }
const Dict& Value::dict() const {
  if (auto* d = std::get_if<Dict>(&v_)) return *d;
  wrong(*this, "dict");
}
Dict& Value::dict() { return const_cast<Dict&>(static_cast<const Value&>(*this).dict()); }

std::string py_float_repr(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[400];
  // Python uses the shortest round-trip digits, in exponent form from 1e16 up and below 1e-4.
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), x, std::chars_format::fixed);
  std::string s(buf, end);
  double ax = std::fabs(x);
  if (ax != 0 && (ax >= 1e16 || ax < 1e-4)) {
    auto [e2, ec2] = std::to_chars(buf, buf + sizeof(buf), x, std::chars_format::scientific);
    s.assign(buf, e2);
    auto epos = s.find('e');
    std::string mant = s.substr(0, epos), ex = s.substr(epos + 1);
    char sign = ex[0] == '-' ? '-' : '+';
    if (ex[0] == '-' || ex[0] == '+') ex = ex.substr(1);
    if (ex.size() < 2) ex = "0" + ex;
    return mant + "e" + sign + ex;
  }
  if (s.find('.') == std::string::npos) s += ".0";
  return s;
}

std::string Value::repr() const {
  if (is_none()) return "None";
  if (auto* b = std::get_if<bool>(&v_)) return *b ? "True" : "False";
  if (auto* i = std::get_if<int64_t>(&v_)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v_)) return py_float_repr(*d);
  if (auto* s = std::get_if<std::string>(&v_)) return "'" + *s + "'";
  if (auto* t = std::get_if<Tensor>(&v_)) return t->str();
  if (auto* l = std::get_if<List>(&v_)) {
    std::string r = "[";
    for (size_t k = 0; k < l->size(); ++k) r += (k ? ", " : "") + (*l)[k].repr();
    return r + "]";
  }
  std::string r = "{";
  bool first = true;
  for (auto& [k, v] : dict()) {
    r += (first ? "'" : ", '") + k + "': " + v.repr();
    first = false;
  }
  return r + "}";
}

}  // namespace fl::optim
