// Bindings for fl/autograd.h: grad mode, autograd.backward / autograd.grad, and the C++ side of
// fl.autograd.Function (autograd::custom_function calling a Python backward). The Python API around these
// (no_grad, Function, ...) lives in python/flashlight/autograd/.
#include <mutex>

#include "bind.h"
#include "core/tensor_impl.h"
#include "ops/op_utils.h"

namespace flpy {

namespace {
std::mutex g_release_mutex;
std::vector<PyObject*> g_pending_releases;
bool g_drain_scheduled = false;

int drain_releases(void*) {
  std::vector<PyObject*> objs;
  {
    std::lock_guard<std::mutex> lock(g_release_mutex);
    objs.swap(g_pending_releases);
    g_drain_scheduled = false;
  }
  for (PyObject* o : objs) Py_DECREF(o);
  return 0;
}

bool interpreter_alive() {
#if PY_VERSION_HEX >= 0x030D0000
  return Py_IsInitialized() && !Py_IsFinalizing();
#else
  return Py_IsInitialized() && !_Py_IsFinalizing();
#endif
}
}  // namespace

// Drops a reference to a Python object that C++ (an MLX buffer deleter, a graph node) held. MLX may drop buffers
// on its worker threads while the main thread holds the GIL waiting for them, so a thread without the GIL must not
// wait for it: the reference is queued and released on the main thread (Py_AddPendingCall, or the next call to
// drain_pending_releases).
void release_pyobject(PyObject* obj) {
  if (!obj || !interpreter_alive()) return;  // leak rather than touch a dying interpreter
  if (PyGILState_Check()) {
    Py_DECREF(obj);
    return;
  }
  bool schedule;
  {
    std::lock_guard<std::mutex> lock(g_release_mutex);
    g_pending_releases.push_back(obj);
    schedule = !g_drain_scheduled;
    g_drain_scheduled = true;
  }
  if (schedule && Py_AddPendingCall(drain_releases, nullptr) != 0) {
    std::lock_guard<std::mutex> lock(g_release_mutex);
    g_drain_scheduled = false;  // the queue was full: the next release or drain_pending_releases() retries
  }
}

void drain_pending_releases() { drain_releases(nullptr); }

namespace {
using fl::Tensor;

// Tensors from a Python sequence whose items may be None (an undefined Tensor).
std::vector<Tensor> tensors_or_none(nb::handle seq, const char* what) {
  std::vector<Tensor> out;
  for (nb::handle h : seq) {
    if (h.is_none()) out.emplace_back();
    else if (nb::isinstance<Tensor>(h)) out.push_back(nb::cast<Tensor>(h));
    else
      throw fl::TypeError(std::string(what) + " must be a Tensor or None, not " +
                          nb::cast<std::string>(nb::str(h.type().attr("__name__"))));
  }
  return out;
}

nb::list list_or_none(const std::vector<Tensor>& ts) {
  nb::list l;
  for (auto& t : ts) l.append(t.defined() ? nb::cast(t) : nb::none());
  return l;
}

// A Python callable owned by C++ (a graph node): called with the GIL taken, dropped through release_pyobject.
struct PyCallable {
  nb::object fn;
  explicit PyCallable(nb::object f) : fn(std::move(f)) {}
  PyCallable(const PyCallable&) = delete;
  ~PyCallable() { release_pyobject(fn.release().ptr()); }
};

}  // namespace

void init_autograd(Module& m) {
  m.def("is_grad_enabled", &fl::is_grad_enabled);
  m.def("_set_grad_enabled", &fl::set_grad_enabled, "mode"_a);
  m.def("_is_inference_mode_enabled", &fl::is_inference_mode_enabled);
  m.def("_set_inference_mode", &fl::set_inference_mode, "mode"_a);

  // torch.autograd.backward; with `inputs`, gradients accumulate only into those tensors' .grad.
  m.def("_autograd_backward", [](nb::handle tensors, nb::handle grad_tensors, std::optional<bool> retain_graph,
                                 bool create_graph, nb::handle inputs) {
    auto outs = tensors_or_none(tensors, "tensors");
    auto grads = tensors_or_none(grad_tensors, "grad_tensors");
    bool retain = retain_graph.value_or(create_graph);
    if (inputs.is_none()) {
      fl::autograd::backward(outs, grads, retain, create_graph);
      return;
    }
    auto ins = tensors_or_none(inputs, "inputs");
    FL_CHECK(!ins.empty(), "'inputs' argument to backward() cannot be empty.");
    auto gs = fl::autograd::grad(outs, ins, grads, retain, create_graph, true);
    for (size_t i = 0; i < ins.size(); ++i) {
      if (!gs[i].defined()) continue;
      Tensor g = create_graph ? gs[i] : gs[i].detach();
      const Tensor& old = ins[i].grad();
      Tensor acc = old.defined() ? (create_graph ? old + g : old.detach() + g) : (create_graph ? g : g.clone());
      ins[i].set_grad(acc);
    }
  }, "tensors"_a, "grad_tensors"_a, "retain_graph"_a = nb::none(), "create_graph"_a = false,
     "inputs"_a = nb::none());

  // torch.autograd.grad (None for inputs that the outputs don't depend on, with allow_unused).
  m.def("_autograd_grad", [](nb::handle outputs, nb::handle inputs, nb::handle grad_outputs,
                             std::optional<bool> retain_graph, bool create_graph, bool allow_unused) {
    auto gs = fl::autograd::grad(tensors_or_none(outputs, "outputs"), tensors_or_none(inputs, "inputs"),
                                 tensors_or_none(grad_outputs, "grad_outputs"), retain_graph, create_graph,
                                 allow_unused);
    return list_or_none(gs);
  }, "outputs"_a, "inputs"_a, "grad_outputs"_a, "retain_graph"_a = nb::none(), "create_graph"_a = false,
     "allow_unused"_a = false);

  // The engine side of fl.autograd.Function.apply: `forward()` runs now (without recording) and returns the
  // output tensors; `backward(grads)` is called by the C++ engine with one gradient per output and returns one
  // gradient (or None) per input. Gradients are checked against the inputs' shapes and cast to their dtypes.
  m.def("_function_apply", [](const std::string& name, nb::handle inputs, nb::callable forward,
                              nb::callable backward) {
    auto ins = tensors_or_none(inputs, "inputs");
    fl::autograd::TensorsFn fwd = [&forward](const std::vector<Tensor>&) {
      nb::object r = forward();
      return tensors_or_none(r, "forward output");
    };
    auto holder = std::make_shared<PyCallable>(nb::borrow(backward));
    std::vector<fl::Shape> shapes;
    std::vector<fl::Dtype> dtypes;
    for (auto& t : ins) {
      shapes.push_back(t.defined() ? t.sizes() : fl::Shape{});
      dtypes.push_back(t.defined() ? t.dtype() : fl::kFloat32);
    }
    fl::autograd::TensorsFn bwd = [holder, shapes, dtypes, name](const std::vector<Tensor>& grads) {
      std::vector<Tensor> res;
      {
        nb::gil_scoped_acquire gil;
        nb::list gl;
        for (auto& g : grads) gl.append(nb::cast(g));
        res = tensors_or_none(holder->fn(gl), "gradient");
      }
      for (size_t i = 0; i < res.size() && i < shapes.size(); ++i) {
        if (!res[i].defined()) continue;
        FL_CHECK(res[i].sizes() == shapes[i], "Function ", name, " returned an invalid gradient at index ", i,
                 " - got ", fl::shape_to_string(res[i].sizes()), " but expected shape compatible with ",
                 fl::shape_to_string(shapes[i]));
        if (res[i].dtype() != dtypes[i]) res[i] = res[i].to(dtypes[i]);
      }
      return res;
    };
    return list_or_none(fl::autograd::custom_function(name, ins, fwd, bwd));
  }, "name"_a, "inputs"_a, "forward"_a, "backward"_a);
}

}  // namespace flpy
