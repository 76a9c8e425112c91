// fl.dtype objects (fl.float32, ...), fl.device, and the C++ -> Python exception mapping.
#include <array>

#include "bind.h"
#include "memory_format.h"

namespace flpy {

namespace {
std::array<nb::object, fl::kNumDtypes>& dtype_objects() {
  static std::array<nb::object, fl::kNumDtypes> objs;
  return objs;
}
}  // namespace

nb::object dtype_object(fl::Dtype d) { return dtype_objects()[static_cast<size_t>(d)]; }

void init_dtype(Module& m) {
  nb::class_<PyDtype>(m, "dtype")
      .def_prop_ro("is_floating_point", [](const PyDtype& d) { return fl::is_floating_point(d.dtype); })
      .def_prop_ro("is_signed", [](const PyDtype& d) { return fl::is_signed(d.dtype); })
      .def_prop_ro("itemsize", [](const PyDtype& d) { return fl::itemsize(d.dtype); })
      .def_prop_ro("is_complex", [](const PyDtype&) { return false; })
      .def("__repr__", [](const PyDtype& d) { return std::string("flashlight.") + fl::dtype_name(d.dtype); })
      .def("__reduce__", [](const PyDtype& d) { return std::string(fl::dtype_name(d.dtype)); })
      .def("__eq__", [](const PyDtype& a, nb::handle b) {
        PyDtype* p = nullptr;
        return nb::try_cast<PyDtype*>(b, p) && p && p->dtype == a.dtype;
      })
      .def("__hash__", [](const PyDtype& d) { return static_cast<int>(d.dtype) + 1000; });
  struct Alias {
    const char* name;
    fl::Dtype d;
  };
  const Alias names[] = {{"bool", fl::kBool},       {"uint8", fl::kUInt8},     {"int8", fl::kInt8},
                         {"int16", fl::kInt16},     {"short", fl::kInt16},     {"int32", fl::kInt32},
                         {"int", fl::kInt32},       {"int64", fl::kInt64},     {"long", fl::kInt64},
                         {"float16", fl::kFloat16}, {"half", fl::kFloat16},    {"bfloat16", fl::kBFloat16},
                         {"float32", fl::kFloat32}, {"float", fl::kFloat32},   {"float64", fl::kFloat64},
                         {"double", fl::kFloat64}};
  for (int i = 0; i < fl::kNumDtypes; ++i) dtype_objects()[i] = nb::cast(PyDtype{static_cast<fl::Dtype>(i)});
  for (auto& a : names) m.attr(a.name) = dtype_object(a.d);
  init_memory_format(m);
  m.def("get_default_dtype", [] { return fl::get_default_dtype(); });
  m.def("set_default_dtype", [](fl::Dtype d) { fl::set_default_dtype(d); }, "d"_a);
  m.def("promote_types", &fl::promote_types, "type1"_a, "type2"_a);
  m.def("can_cast", &fl::can_cast, "from_"_a, "to"_a);
  // Keep the singletons alive until interpreter exit.
  nb::module_::import_("atexit").attr("register")(nb::cpp_function([] {
    for (auto& o : dtype_objects()) o = nb::object();
  }));
}

namespace {
struct PyMemoryFormat {
  fl::MemoryFormat f;
};
constexpr const char* kFormatNames[] = {"contiguous_format", "preserve_format", "channels_last", "channels_last_3d"};
}  // namespace

void init_memory_format(Module& m) {
  nb::class_<PyMemoryFormat>(m, "memory_format")
      .def("__repr__",
           [](const PyMemoryFormat& p) { return std::string("flashlight.") + kFormatNames[static_cast<int>(p.f)]; })
      .def("__reduce__", [](const PyMemoryFormat& p) { return std::string(kFormatNames[static_cast<int>(p.f)]); })
      .def("__eq__",
           [](const PyMemoryFormat& a, nb::handle b) {
             PyMemoryFormat* p = nullptr;
             return nb::try_cast<PyMemoryFormat*>(b, p) && p && p->f == a.f;
           })
      .def("__hash__", [](const PyMemoryFormat& p) { return static_cast<int>(p.f) + 2000; });
  for (int i = 0; i < 4; ++i) m.attr(kFormatNames[i]) = nb::cast(PyMemoryFormat{static_cast<fl::MemoryFormat>(i)});
}

std::optional<fl::MemoryFormat> memory_format_arg(nb::handle h, const char* fn) {
  if (h.is_none()) return std::nullopt;
  PyMemoryFormat* p = nullptr;
  if (!nb::try_cast<PyMemoryFormat*>(h, p) || !p)
    throw fl::TypeError(std::string(fn) + "(): argument 'memory_format' must be torch.memory_format, not " +
                        nb::cast<std::string>(nb::str(h.type().attr("__name__"))));
  return p->f;
}

fl::TensorOptions with_memory_format(fl::TensorOptions o, nb::handle h, const char* fn) {
  auto f = memory_format_arg(h, fn);
  return f ? o.memory_format(*f) : o;
}

struct PyDevice {
  fl::Device d;
};

void init_device(Module& m) {
  nb::class_<PyDevice>(m, "device")
      .def("__init__", [](PyDevice* self, const std::string& spec) { new (self) PyDevice{fl::Device(spec)}; }, "type"_a)
      .def("__init__",
           [](PyDevice* self, const std::string& type, int index) {
             new (self) PyDevice{fl::Device(type + ":" + std::to_string(index))};
           },
           "type"_a, "index"_a)
      .def_prop_ro("type", [](const PyDevice& d) { return d.d.type_name(); })
      .def_prop_ro("index", [](const PyDevice& d) -> nb::object {
        return d.d.index() < 0 ? nb::none() : nb::cast(d.d.index());
      })
      .def("__str__", [](const PyDevice& d) { return d.d.str(); })
      .def("__repr__", [](const PyDevice& d) {
        std::string r = "device(type='" + d.d.type_name() + "'";
        if (d.d.index() >= 0) r += ", index=" + std::to_string(d.d.index());
        return r + ")";
      })
      .def("__eq__", [](const PyDevice& a, nb::handle b) {
        fl::Device other;
        if (nb::isinstance<nb::str>(b)) other = fl::Device(nb::cast<std::string>(b));
        else if (nb::isinstance<PyDevice>(b)) other = nb::cast<const PyDevice&>(b).d;
        else return false;
        return a.d.type() == other.type() && a.d.index() == other.index();
      })
      .def("__hash__", [](const PyDevice& d) { return static_cast<int>(d.d.type()) * 100 + d.d.index(); });
  m.def("gpu_available", &fl::gpu_available);
  m.def("default_device", [] { return fl::default_device(); });
}

void init_errors(Module& m) {
  // fl::IndexError etc. arrive as the Python exception PyTorch raises, with the core's message.
  nb::register_exception_translator([](const std::exception_ptr& p, void*) {
    try {
      std::rethrow_exception(p);
    } catch (const fl::IndexError& e) {
      PyErr_SetString(PyExc_IndexError, e.what());
    } catch (const fl::TypeError& e) {
      PyErr_SetString(PyExc_TypeError, e.what());
    } catch (const fl::ValueError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const fl::NotImplementedError& e) {
      PyErr_SetString(PyExc_NotImplementedError, e.what());
    } catch (const fl::Error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    } catch (const std::invalid_argument& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
}

}  // namespace flpy

namespace nanobind::detail {
bool type_caster<fl::Device>::from_python(handle src, uint8_t, cleanup_list*) noexcept {
  try {
    if (nb::isinstance<nb::str>(src)) {
      value = fl::Device(nb::cast<std::string>(src));
      return true;
    }
    flpy::PyDevice* p = nullptr;
    if (nb::try_cast<flpy::PyDevice*>(src, p) && p) {
      value = p->d;
      return true;
    }
  } catch (...) {
  }
  return false;
}
handle type_caster<fl::Device>::from_cpp(const fl::Device& d, rv_policy, cleanup_list*) noexcept {
  return nb::cast(flpy::PyDevice{d}).release();
}
}  // namespace nanobind::detail
