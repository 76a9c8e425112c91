// Bindings for the parts of fl/ncps/modules.h that Python's flashlight.ncps layers share with the C++ modules, and
// for fl/ncps/policy.h: the layers' single steps and their raw-buffer controllers.
#include <cstring>

#include "fl/ncps/modules.h"
#include "fl/ncps/policy.h"
#include "ncps_args.h"

namespace flpy {

namespace {
using fl::Tensor;
using fl::ncps::CellState;
using fl::ncps::Policy;
using fl::ncps::PolicyUnit;

// A numpy shape as Python prints it: (3,) or (2, 3).
std::string shape_of(const Py_ssize_t* shape, int ndim) {
  std::string s = "(";
  for (int i = 0; i < ndim; ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (ndim == 1 ? ",)" : ")");
}

// A C-contiguous array of T (numpy's, or any object with the buffer protocol) borrowed for one call, used in place:
// no conversion and no copy, so that writes land in the caller's array. TypeError for another dtype, a read-only
// array where one is written, or an object without the buffer protocol; ValueError for a non-contiguous array.
template <typename T>
class HostArray {
 public:
  HostArray(nb::handle h, const char* name, bool writable) {
    const int flags = PyBUF_C_CONTIGUOUS | PyBUF_FORMAT | (writable ? PyBUF_WRITABLE : 0);
    if (PyObject_GetBuffer(h.ptr(), &view_, flags) != 0) {
      PyErr_Clear();
      Py_buffer any;
      if (PyObject_GetBuffer(h.ptr(), &any, PyBUF_STRIDES | PyBUF_FORMAT) != 0) {
        PyErr_Clear();
        throw fl::TypeError(std::string("Policy.step: expected ") + name + " to be a numpy array, got " +
                            py_type_name(h));
      }
      const bool readonly = any.readonly;
      PyBuffer_Release(&any);
      FL_CHECK_TYPE(!(writable && readonly), "Policy.step: ", name, " is read-only");
      throw fl::ValueError(std::string("Policy.step: ") + name + " must be C-contiguous");
    }
    const char* f = view_.format ? view_.format : "B";
    const char code = f[std::strlen(f) - 1];  // after a byte-order mark, if any
    const bool ok = view_.itemsize == sizeof(T) && code == (sizeof(T) == 4 ? 'f' : 'd') &&
                    (f[0] == code || f[0] == '<' || f[0] == '=' || f[0] == '@');
    if (!ok) {
      PyBuffer_Release(&view_);
      throw fl::TypeError(std::string("Policy.step: expected ") + name + " to be a " +
                          (sizeof(T) == 4 ? "float32" : "float64") + " array (the policy's dtype)");
    }
  }
  ~HostArray() { PyBuffer_Release(&view_); }
  HostArray(const HostArray&) = delete;
  HostArray& operator=(const HostArray&) = delete;

  int ndim() const { return view_.ndim; }
  int64_t dim(int i) const { return static_cast<int64_t>(view_.shape[i]); }
  /// The data, checked to be (n) when unbatched, else (batch, n).
  T* data(const char* name, bool batched, int64_t batch, int64_t n) const {
    const bool ok = batched ? ndim() == 2 && dim(0) == batch && dim(1) == n : ndim() == 1 && dim(0) == n;
    if (!ok) {
      const Py_ssize_t want[2] = {static_cast<Py_ssize_t>(batch), static_cast<Py_ssize_t>(n)};
      throw fl::Error(std::string("Policy.step: expected ") + name + " of shape " +
                      shape_of(batched ? want : want + 1, batched ? 2 : 1) + ", got " +
                      shape_of(view_.shape, view_.ndim));
    }
    return static_cast<T*>(view_.buf);
  }

 private:
  Py_buffer view_{};
};

// Raw steps over numpy arrays: x (F) or (B, F), state (S) or (B, S) updated in place, out (P) or (B, P) or None.
template <typename T>
void step_buffers(Policy& p, nb::handle x_arg, nb::handle state_arg, double dt, nb::handle out_arg) {
  HostArray<T> x(x_arg, "x", false), state(state_arg, "state", true);
  std::optional<HostArray<T>> out;
  if (!out_arg.is_none()) out.emplace(out_arg, "out", true);
  FL_CHECK_VALUE(x.ndim() == 1 || x.ndim() == 2, "Policy.step: expected x of shape (", p.input_size(), ",) or (B, ",
                 p.input_size(), "), got ", x.ndim(), " dimensions");
  const bool batched = x.ndim() == 2;
  const int64_t B = batched ? x.dim(0) : 1, I = p.input_size(), S = p.state_size(), O = p.output_size();
  const T* xp = x.data("x", batched, B, I);
  T* sp = state.data("state", batched, B, S);
  T* op = out ? out->data("out", batched, B, O) : nullptr;
  for (int64_t b = 0; b < B; ++b) p.step(xp + b * I, sp + b * S, static_cast<T>(dt), op ? op + b * O : nullptr);
}

void step_numpy(Policy& p, nb::handle x, nb::handle state, double dt, nb::handle out) {
  if (p.dtype() == fl::kFloat64)
    step_buffers<double>(p, x, state, dt, out);
  else
    step_buffers<float>(p, x, state, dt, out);
}

// A layer's state argument (flashlight.ncps: a Tensor, an (h, c) tuple with mixed memory, a list of either per unit)
// as one CellState per unit; torch's errors for the wrong structure.
std::vector<CellState> states_arg(nb::handle hx, const Policy& p) {
  const std::string& name = p.name();
  std::vector<CellState> out;
  if (hx.is_none()) return out;
  const size_t n = p.num_units();
  std::vector<nb::handle> entries;
  if (n == 1) {
    entries.push_back(nb::isinstance<nb::list>(hx) && nb::len(hx) == 1 ? hx[0] : hx);
  } else {
    FL_CHECK_VALUE((nb::isinstance<nb::list>(hx) || nb::isinstance<nb::tuple>(hx)) && nb::len(hx) == n, name,
                   ": expected a list of ", n, " initial states (one per layer and direction: layer 0 forward, ",
                   "layer 0 reverse, layer 1 forward, ...)");
    for (nb::handle e : hx) entries.push_back(e);
  }
  for (nb::handle s : entries) {
    CellState cs;
    if (p.mixed_memory()) {
      FL_CHECK(!nb::isinstance<Tensor>(s), "Running a ", name,
               " with mixed_memory=True, requires a tuple (h0,c0) to be passed as state (got torch.Tensor instead)");
      nb::tuple hc = nb::tuple(s);
      FL_CHECK_VALUE(nb::len(hc) == 2, name, ": expected the state to be a tuple (h, c)");
      if (!hc[0].is_none()) cs.h = nb::cast<Tensor>(hc[0]);
      if (!hc[1].is_none())
        cs.c = nb::cast<Tensor>(hc[1]);
      else if (cs.h.defined())
        cs.c = fl::zeros(cs.h.sizes(), fl::TensorOptions(cs.h.dtype()));
    } else {
      FL_CHECK_TYPE(nb::isinstance<Tensor>(s), name, ": expected the state to be a Tensor, got ", py_type_name(s));
      cs.h = nb::cast<Tensor>(s);
    }
    out.push_back(std::move(cs));
  }
  return out;
}

// The layer's (output, state): state as flashlight.ncps returns it (see states_arg).
// Whether tables[i][keys[i]] is values[i] for every i (lists of equal length): the module tree a policy was built
// from still holds the same parameters and submodules.
bool same_entries(nb::handle watch) {
  nb::tuple w = nb::cast<nb::tuple>(watch);
  nb::list tables = nb::cast<nb::list>(w[0]), keys = nb::cast<nb::list>(w[1]), values = nb::cast<nb::list>(w[2]);
  const size_t n = nb::len(tables);
  for (size_t i = 0; i < n; ++i) {
    PyObject* v = PyDict_GetItemWithError(tables[i].ptr(), keys[i].ptr());  // borrowed
    if (v != values[i].ptr()) {
      if (PyErr_Occurred()) throw nb::python_error();
      return false;
    }
  }
  return true;
}

nb::object step_tensors(Policy& p, const Tensor& x, nb::handle state, double dt, nb::handle watch) {
  if (!watch.is_none() && !(same_entries(watch) && p.is_current())) return nb::none();
  fl::ncps::RNNOutput r = p.step(x, states_arg(state, p), dt);
  auto one = [&](const CellState& s) -> nb::object {
    return s.c.defined() ? nb::object(nb::make_tuple(s.h, s.c)) : nb::cast(s.h);
  };
  if (r.state.size() == 1) return nb::make_tuple(r.output, one(r.state[0]));
  nb::list states;
  for (const CellState& s : r.state) states.append(one(s));
  return nb::make_tuple(r.output, std::move(states));
}
}  // namespace

void init_ncps_modules(Module& m) {
  m.def(
      "sequence_timespans",
      [](const fl::Tensor& ts, int64_t batch, int64_t length, bool batch_first, bool batched, fl::Dtype dtype) {
        return fl::ncps::sequence_timespans(ts, batch, length, batch_first, batched, dtype);
      },
      "timespans"_a, "batch"_a, "length"_a, "batch_first"_a, "batched"_a, "dtype"_a);

  nb::class_<PolicyUnit>(m, "PolicyUnit", "One layer's cell of a Policy, as its weights (read when it is built).")
      .def_static(
          "cfc",
          [](nb::handle weights, const std::string& mode, const std::string& activation, int64_t output_size) {
            return PolicyUnit::make_cfc(cfc_weights_arg(weights), cfc_config_arg(mode, activation, 0.0, false),
                                        output_size);
          },
          "weights"_a, "mode"_a, "activation"_a, "output_size"_a,
          "A CfC cell from its ncps state-dict entries (lstm.* for mixed memory, layer_<l>.* when wired); the output "
          "is the last layer's first output_size units.")
      .def_static(
          "ltc",
          [](const nb::dict& weights, std::optional<nb::dict> memory, std::vector<Tensor> backbone_weight,
             std::vector<Tensor> backbone_bias, const std::string& activation, std::optional<std::string> im,
             std::optional<std::string> om, int64_t k, double eps, bool implicit, std::optional<int64_t> motor,
             bool fused) {
            return PolicyUnit::make_ltc(
                ltc_weights_arg(weights), ltc_config_arg(im, om, k, eps, implicit, motor, fused),
                memory ? std::optional(lstm_weights_arg(*memory)) : std::nullopt, backbone_weight, backbone_bias,
                fl::ncps::cfc_activation_from_string(activation));
          },
          "weights"_a, "memory"_a.none(), "backbone_weight"_a, "backbone_bias"_a, "activation"_a, FL_LTC_CONFIG_ARGS,
          "An LTC cell (weights under ncps's names), its LSTM (memory) and backbone Linear layers.");

  nb::class_<Policy>(m, "Policy",
                     "A trained CfC or LTC layer as a raw-buffer controller (fl/ncps/policy.h): step(x, state, dt, "
                     "out) on numpy arrays, updated in place, without copies or allocation. Not thread-safe.")
      .def(
          "__init__",
          [](Policy* self, std::vector<PolicyUnit> units, std::optional<Tensor> w, std::optional<Tensor> b,
             std::string name) {
            new (self) Policy(std::move(units), w ? *w : Tensor(), b ? *b : Tensor(), std::move(name));
          },
          "units"_a, "proj_weight"_a.none() = nb::none(), "proj_bias"_a.none() = nb::none(), "name"_a = "Policy")
      .def("step", &step_numpy, "x"_a, "state"_a, "dt"_a = 1.0, "out"_a.none() = nb::none(),
           "One step: x (input_size,) or (B, input_size) numpy array of the policy's dtype; state (state_size,) or "
           "(B, state_size), updated in place; out (output_size,) or (B, output_size) (or None) receives the output.")
      .def("step_tensors", &step_tensors, "x"_a, "state"_a.none(), "dt"_a, "watch"_a.none() = nb::none(),
           "The layer-level step over Tensors (what CfC.step / LTC.step run): (output, state) as flashlight.ncps "
           "returns them. With watch = (tables, keys, values), lists of equal length, it returns None instead "
           "unless every tables[i][keys[i]] is values[i] and the policy is current (a stale cache).")
      .def("is_current", &Policy::is_current,
           "Whether every tensor the policy was built from still has the storage and version it had then.")
      .def_prop_ro("name", &Policy::name)
      .def_prop_ro("dtype", &Policy::dtype)
      .def_prop_ro("input_size", &Policy::input_size)
      .def_prop_ro("output_size", &Policy::output_size)
      .def_prop_ro("state_size", &Policy::state_size)
      .def_prop_ro("num_units", &Policy::num_units)
      .def_prop_ro("mixed_memory", &Policy::mixed_memory)
      .def_prop_ro(
          "state_layout",
          [](const Policy& p) {
            nb::list out;
            for (const fl::ncps::StateSlot& s : p.state_layout())
              out.append(nb::make_tuple(s.h_offset, s.c_offset >= 0 ? nb::cast(s.c_offset) : nb::none(), s.units));
            return out;
          },
          "One (h offset, c offset or None, units) per unit: where its state lies in the state buffer.");
}

}  // namespace flpy
