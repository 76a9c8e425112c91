// flashlight._C._optim: the C++ optimizers (include/fl/optim/) behind flashlight.optim's Python classes. Python
// keeps the param-group dicts users edit and passes them here before each step; options, state and state_dict()
// travel as fl::optim::Value trees converted to and from Python objects.
#include <nanobind/stl/function.h>

#include "bind.h"
#include "fl/optim/adadelta.h"
#include "fl/optim/adagrad.h"
#include "fl/optim/adam.h"
#include "fl/optim/adamax.h"
#include "fl/optim/lbfgs.h"
#include "fl/optim/nadam.h"
#include "fl/optim/radam.h"
#include "fl/optim/rmsprop.h"
#include "fl/optim/sgd.h"

namespace flpy {
namespace {
using fl::Tensor;
using namespace fl::optim;

// Python -> Value. Unsupported objects raise TypeError, or give nullopt with `lenient` (options that only Python
// reads, such as a user's own keys holding arbitrary objects, stay Python-side).
std::optional<Value> to_value(nb::handle h, bool lenient) {
  if (h.is_none()) return Value();
  if (PyBool_Check(h.ptr())) return Value(h.ptr() == Py_True);
  if (PyLong_Check(h.ptr())) return Value(nb::cast<int64_t>(h));
  if (PyFloat_Check(h.ptr())) return Value(PyFloat_AsDouble(h.ptr()));
  if (nb::isinstance<Tensor>(h)) return Value(nb::cast<Tensor>(h));
  if (PyUnicode_Check(h.ptr())) return Value(nb::cast<std::string>(h));
  if (is_number(h)) {
    fl::Scalar s = to_scalar(h);
    if (s.is_bool()) return Value(s.to_bool());
    if (s.is_integral()) return Value(s.to_int());
    return Value(s.to_double());
  }
  if (PyList_Check(h.ptr()) || PyTuple_Check(h.ptr())) {
    Value::List l;
    for (nb::handle x : h) {
      auto v = to_value(x, lenient);
      if (!v) return std::nullopt;
      l.push_back(std::move(*v));
    }
    return Value(std::move(l));
  }
  if (PyDict_Check(h.ptr())) {
    Dict d;
    for (auto [k, x] : nb::borrow<nb::dict>(h)) {
      if (!PyUnicode_Check(k.ptr())) {
        if (lenient) return std::nullopt;
        throw fl::TypeError("optimizer dict keys must be str, got " + py_type_name(k));
      }
      auto v = to_value(x, lenient);
      if (!v) return std::nullopt;
      d.set(nb::cast<std::string>(k), std::move(*v));
    }
    return Value(std::move(d));
  }
  if (lenient) return std::nullopt;
  throw fl::TypeError("optimizer options and state hold numbers, strings, Tensors, lists and dicts, not " +
                      py_type_name(h));
}

// A group's (or the defaults') options: every key but "params", skipping values C++ cannot hold.
Dict options_of(nb::handle group) {
  Dict d;
  for (auto [k, x] : nb::borrow<nb::dict>(group)) {
    if (!PyUnicode_Check(k.ptr())) continue;
    std::string key = nb::cast<std::string>(k);
    if (key == "params") continue;
    if (auto v = to_value(x, true)) d.set(key, std::move(*v));
  }
  return d;
}

Dict dict_of(nb::handle h) { return to_value(h, false)->dict(); }

nb::object from_value(const Value& v) {
  if (v.is_none()) return nb::none();
  if (v.is_bool()) return nb::bool_(v.to_bool());
  if (v.is_int()) return nb::int_(v.to_int());
  if (v.is_double()) return nb::float_(v.to_double());
  if (v.is_string()) return nb::str(v.str().c_str());
  if (v.is_tensor()) return nb::cast(v.tensor());
  if (v.is_list()) {
    nb::list l;
    for (auto& x : v.list()) l.append(from_value(x));
    return l;
  }
  nb::dict d;
  for (auto& [k, x] : v.dict()) d[k.c_str()] = from_value(x);
  return d;
}

std::vector<Tensor> tensors_of(nb::handle params) {
  std::vector<Tensor> out;
  for (nb::handle p : params) {
    if (!nb::isinstance<Tensor>(p))
      throw fl::TypeError("optimizer can only optimize Tensors, but one of the params is " + py_type_name(p));
    out.push_back(nb::cast<Tensor>(p));
  }
  return out;
}

// Python group dicts ({"params": [...], options...}) as ParamGroups.
std::vector<ParamGroup> groups_of(nb::handle groups) {
  std::vector<ParamGroup> out;
  for (nb::handle g : groups) out.emplace_back(tensors_of(g["params"]), options_of(g));
  return out;
}

Params params_of(nb::handle groups) {
  if (groups.is_none()) return {};
  return Params(groups_of(groups));
}

nb::dict state_dict_object(const StateDict& sd) {
  nb::dict state;
  for (auto& [k, st] : sd.state) state[nb::int_(k)] = from_value(Value(st));
  nb::list groups;
  for (auto& g : sd.param_groups) groups.append(from_value(Value(g)));
  nb::dict out;
  out["state"] = state;
  out["param_groups"] = groups;
  return out;
}

StateDict state_dict_from(nb::handle sd) {
  StateDict out;
  nb::handle state = sd["state"];
  for (auto [k, st] : nb::borrow<nb::dict>(state)) {
    if (!PyLong_Check(k.ptr())) continue;  // torch keeps state of no current parameter as is; it is unused
    out.state.emplace_back(nb::cast<int64_t>(k), dict_of(st));
  }
  for (nb::handle g : sd["param_groups"]) {
    Dict d = options_of(g);
    d.set("params", *to_value(g["params"], false));
    out.param_groups.push_back(std::move(d));
  }
  return out;
}

// A Python closure returning a Tensor or a number.
Optimizer::Closure closure_of(nb::callable fn) {
  return [fn]() -> Tensor {
    nb::object r = fn();
    if (nb::isinstance<Tensor>(r)) return nb::cast<Tensor>(r);
    if (r.is_none()) return Tensor();
    return fl::tensor(PyFloat_AsDouble(nb::float_(r).ptr()), fl::kFloat64);
  };
}

// An optimizer written in Python (a subclass of flashlight.optim.Optimizer with its own step() and state): C++ only
// checks and holds its groups.
class PythonDefined : public Optimizer {
 public:
  PythonDefined(Params params, Dict defaults) : Optimizer("Optimizer", std::move(params), std::move(defaults)) {}

 protected:
  void update_group(ParamGroup&, const std::vector<Tensor>&) override {
    throw fl::Error("this optimizer is defined in Python: its step() updates the parameters");
  }
};

template <class O>
void bind_optimizer(Module& m, const char* name) {
  nb::class_<O, Optimizer>(m, name).def(
      "__init__",
      [](O* self, nb::handle groups, nb::handle defaults) { new (self) O(params_of(groups), options_of(defaults)); },
      "param_groups"_a.none(), "defaults"_a,
      "param_groups: a list of {'params': [...], options...} dicts, or None to bind parameters later.");
}

}  // namespace

void init_optim(Module& m) {
  nb::class_<Optimizer>(m, "Optimizer")
      .def_prop_ro("name", &Optimizer::name)
      .def_prop_ro("defaults", [](const Optimizer& o) { return from_value(Value(o.defaults())); })
      .def(
          "add_param_group",
          [](Optimizer& o, nb::handle group) {
            o.add_param_group(ParamGroup(tensors_of(group["params"]), options_of(group)));
          },
          "group"_a, "Checks and adds one group dict (its options are the Python dict's).")
      .def(
          "_set_param_groups", [](Optimizer& o, nb::handle groups) { o.set_param_groups(groups_of(groups)); },
          "groups"_a, "Replaces the C++ groups with the Python group dicts (before each step).")
      .def("zero_grad", &Optimizer::zero_grad, "set_to_none"_a = true)
      .def(
          "_step", [](Optimizer& o) { o.step(); }, "One step with each parameter's .grad.")
      .def(
          "_step_closure", [](Optimizer& o, nb::callable closure) { return o.step(closure_of(closure)); }, "closure"_a,
          "One step that calls the closure (LBFGS re-evaluates it at trial points).")
      .def(
          "_apply_gradients",
          [](Optimizer& o, nb::handle grads) {
            std::vector<std::vector<Tensor>> g;
            for (nb::handle group : grads) {
              std::vector<Tensor> row;
              for (nb::handle x : group) row.push_back(x.is_none() ? Tensor() : nb::cast<Tensor>(x));
              g.push_back(std::move(row));
            }
            o.apply_gradients(g);
          },
          "grads"_a, "One step with explicit gradients: grads[g][i] for group g's i-th parameter (None skips).")
      .def("state_dict", [](const Optimizer& o) { return state_dict_object(o.state_dict()); })
      .def(
          "load_state_dict", [](Optimizer& o, nb::handle sd) { o.load_state_dict(state_dict_from(sd)); },
          "state_dict"_a);
  m.def(
      "zero_grad", [](nb::handle params, bool set_to_none) { fl::optim::zero_grad(tensors_of(params), set_to_none); },
      "params"_a, "set_to_none"_a = true);
  bind_optimizer<PythonDefined>(m, "PythonDefined");
  bind_optimizer<SGD>(m, "SGD");
  bind_optimizer<Adam>(m, "Adam");
  bind_optimizer<AdamW>(m, "AdamW");
  bind_optimizer<RMSprop>(m, "RMSprop");
  bind_optimizer<Adagrad>(m, "Adagrad");
  bind_optimizer<Adadelta>(m, "Adadelta");
  bind_optimizer<Adamax>(m, "Adamax");
  bind_optimizer<NAdam>(m, "NAdam");
  bind_optimizer<RAdam>(m, "RAdam");
  bind_optimizer<LBFGS>(m, "LBFGS");
}

}  // namespace flpy
