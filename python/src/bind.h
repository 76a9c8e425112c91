// Shared binding helpers: type casters for Scalar, Dtype and Device, and argument parsing like PyTorch's.
#pragma once
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <string_view>

#include "fl/fl.h"

namespace nb = nanobind;
using namespace nb::literals;

namespace flpy {

class Module;

/// The Python object behind fl.float32 etc.: a dtype singleton per fl::Dtype.
struct PyDtype {
  fl::Dtype dtype;
};
nb::object dtype_object(fl::Dtype d);
/// Whether `h` is a Python number (bool/int/float, numpy scalars included), not a Tensor.
bool is_number(nb::handle h);
fl::Scalar to_scalar(nb::handle h);
/// Shape from `(2, 3)`, `[2, 3]`, `fl.Size`, or varargs `2, 3` (PyTorch accepts both).
fl::Shape shape_from_args(const nb::args& args);
fl::Shape to_shape(nb::handle h);
/// A Python number or Tensor as a Tensor (numbers become wrapped scalars, for PyTorch's promotion).
fl::Tensor to_tensor_operand(nb::handle h);
/// The Tensor that `h` holds (a fl.Tensor or an instance of a subclass), without copying it; nullptr for any
/// other object. For the hot path of operators: no type lookup by name, no reference counting.
inline const fl::Tensor* tensor_ptr(nb::handle h) {
  static PyTypeObject* const type = reinterpret_cast<PyTypeObject*>(nb::type<fl::Tensor>().ptr());
  PyTypeObject* t = Py_TYPE(h.ptr());
  if (t != type && !PyType_IsSubtype(t, type)) return nullptr;
  return nb::inst_ready(h) ? nb::inst_ptr<fl::Tensor>(h) : nullptr;
}
/// fl.Size (a tuple subclass, as torch.Size).
nb::object make_size(const fl::Shape& s);

void init_dtype(Module& m);
void init_device(Module& m);
void init_errors(Module& m);
void init_tensor(Module& m);
void init_autograd(Module& m);
void init_creation(Module& m);
void init_random(Module& m);
void init_unary(Module& m);
void init_binary(Module& m);
void init_reduction(Module& m);
void init_linalg(Module& m);
void init_shape(Module& m);
void init_indexing(Module& m);
void init_inplace(Module& m);
// flashlight._C._nn: torch.nn.functional's ops, one init per header of include/fl/nn/functional/.
void init_nn_activation(Module& m);
void init_nn_linear(Module& m);
void init_nn_conv(Module& m);
void init_nn_pooling(Module& m);
void init_nn_sparse(Module& m);
void init_nn_vision(Module& m);
void init_nn_normalization(Module& m);
void init_nn_dropout(Module& m);
void init_nn_loss(Module& m);
void init_nn_attention(Module& m);
void init_nn_distance(Module& m);
void init_nn_rnn(Module& m);
// flashlight._C: fl.save / fl.load (include/fl/serialize.h).
void init_serialize(Module& m);
// flashlight._C._nn_init and _nn_utils: include/fl/nn/init.h and utils.h.
void init_nn_init(Module& m);
void init_nn_utils(Module& m);
// flashlight._C._ncps: include/fl/ncps/.
void init_ncps_wirings(Module& m);
void init_ncps_cfc(Module& m);
void init_ncps_ltc(Module& m);
void init_ncps_modules(Module& m);
// flashlight._C._optim: include/fl/optim/.
void init_optim(Module& m);

}  // namespace flpy

namespace nanobind::detail {

template <>
struct type_caster<fl::Scalar> {
  NB_TYPE_CASTER(fl::Scalar, const_name("Number"))
  bool from_python(handle src, uint8_t, cleanup_list*) noexcept {
    if (!flpy::is_number(src)) return false;
    try {
      value = flpy::to_scalar(src);
      return true;
    } catch (...) {
      PyErr_Clear();
      return false;
    }
  }
  static handle from_cpp(const fl::Scalar& s, rv_policy, cleanup_list*) noexcept {
    if (s.is_bool()) return PyBool_FromLong(s.to_bool());
    if (s.is_integral()) return PyLong_FromLongLong(s.to_int());
    return PyFloat_FromDouble(s.to_double());
  }
};

template <>
struct type_caster<fl::Dtype> {
  NB_TYPE_CASTER(fl::Dtype, const_name("dtype"))
  bool from_python(handle src, uint8_t, cleanup_list*) noexcept {
    flpy::PyDtype* p = nullptr;
    if (!nb::try_cast<flpy::PyDtype*>(src, p) || !p) return false;
    value = p->dtype;
    return true;
  }
  static handle from_cpp(fl::Dtype d, rv_policy, cleanup_list*) noexcept {
    return flpy::dtype_object(d).release();
  }
};

template <>
struct type_caster<fl::Device> {
  NB_TYPE_CASTER(fl::Device, const_name("device"))
  bool from_python(handle src, uint8_t flags, cleanup_list* cleanup) noexcept;
  static handle from_cpp(const fl::Device& d, rv_policy, cleanup_list*) noexcept;
};

}  // namespace nanobind::detail

namespace flpy {
/// The docstring of `name` in the tables of python/src/docs/ for `scope` ("torch" for flashlight's functions,
/// "Tensor" for its methods, "nn", "nn_init", ...), or "" (nanobind then shows the signature only). A Tensor method
/// falls back to the function of the same name, and an in-place `name_` to `name`'s text (see docs.cpp).
const char* doc(std::string_view scope, std::string_view name);

/// A module whose def() attaches the docstring `doc(scope, name)` (first, so a docstring in the call still wins).
class Module : public nb::module_ {
 public:
  Module(nb::module_ m, const char* doc_scope) : nb::module_(std::move(m)), scope_(doc_scope) {}
  template <typename F, typename... Extra>
  Module& def(const char* name, F&& f, const Extra&... extra) {
    nb::module_::def(name, std::forward<F>(f), flpy::doc(scope_, name), extra...);
    return *this;
  }
  const char* doc_scope() const { return scope_; }

 private:
  const char* scope_;
};

/// nb::class_ whose named def() attaches `doc(scope, name)` like Module's, chaining through the other def_*.
template <typename T, typename... Ts>
class Class : public nb::class_<T, Ts...> {
  using Base = nb::class_<T, Ts...>;

 public:
  template <typename... A>
  explicit Class(const char* doc_scope, A&&... a) : Base(std::forward<A>(a)...), scope_(doc_scope) {}
  template <typename F, typename... Extra>
  Class& def(const char* name, F&& f, const Extra&... extra) {
    Base::def(name, std::forward<F>(f), flpy::doc(scope_, name), extra...);
    return *this;
  }
  template <typename... Args, typename... Extra>
  Class& def(nb::init<Args...>&& init, const Extra&... extra) {
    Base::def(std::move(init), extra...);
    return *this;
  }
  template <typename F, typename... Extra>
  Class& def_static(const char* name, F&& f, const Extra&... extra) {
    Base::def_static(name, std::forward<F>(f), flpy::doc(scope_, name), extra...);
    return *this;
  }
  template <typename... A>
  Class& def_prop_ro(A&&... a) {
    Base::def_prop_ro(std::forward<A>(a)...);
    return *this;
  }
  template <typename... A>
  Class& def_prop_rw(A&&... a) {
    Base::def_prop_rw(std::forward<A>(a)...);
    return *this;
  }

 private:
  const char* scope_;
};

/// Binds `f` as both a module function and a Tensor method (`fl.sum(x, 1)` and `x.sum(1)`); `self_arg` names
/// the first parameter of the function form (the method's self). Both get the function's docstring.
template <typename F, typename... Extra>
void def_both(Module& m, const char* name, F&& f, const nb::arg& self_arg, const Extra&... extra) {
  m.def(name, f, self_arg, extra...);
  nb::handle cls = nb::type<fl::Tensor>();
  nb::setattr(cls, name,
              nb::cpp_function(std::forward<F>(f), nb::is_method(), nb::name(name), nb::scope(cls), doc("Tensor", name),
                               extra...));
}
/// Binds `f` as a Tensor method only.
template <typename F, typename... Extra>
void def_method(const char* name, F&& f, const Extra&... extra) {
  nb::handle cls = nb::type<fl::Tensor>();
  nb::setattr(cls, name,
              nb::cpp_function(std::forward<F>(f), nb::is_method(), nb::name(name), nb::scope(cls), doc("Tensor", name),
                               extra...));
}
/// The fl::Generator behind a `generator=` argument: nullptr for None, TypeError for anything but fl.Generator.
fl::Generator* generator_arg(nb::handle h);
/// Options from PyTorch's keywords (dtype=, device=, requires_grad=).
fl::TensorOptions make_options(std::optional<fl::Dtype> dtype, std::optional<fl::Device> device, bool requires_grad);
/// The type name of a Python object, for error messages.
std::string py_type_name(nb::handle h);
/// An int argument (anything with __index__ but not a float or sequence); TypeError naming `what` otherwise.
int64_t int_arg(nb::handle h, const char* what);
/// A size as one argument: an int or a sequence of ints (not a str).
fl::Shape shape_of(nb::handle h);
/// A size given as `f(2, 3)`, `f((2, 3))`, `f([2, 3])`, `f(fl.Size(...))` or `f(size=(2, 3))`.
fl::Shape size_arg(const nb::args& args, nb::handle size);
/// Options for a *_like function: the input's dtype and device unless given.
fl::TensorOptions like_options(const fl::Tensor& t, std::optional<fl::Dtype> dtype, std::optional<fl::Device> device,
                               bool requires_grad);
/// A Tensor from Python data: nested sequences of numbers, numpy arrays, scalars or Tensors.
fl::Tensor tensor_from_data(nb::handle data, std::optional<fl::Dtype> dtype);
/// Python index (int, slice, None, Ellipsis, bool, Tensor, list, tuple of these) as TensorIndex list.
std::vector<fl::TensorIndex> to_indices(nb::handle key);
}  // namespace flpy
