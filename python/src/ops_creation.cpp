// Bindings for fl/ops/creation.h: fl.tensor / as_tensor / asarray / from_numpy / from_mlx, zeros, ones, full,
// arange, linspace, ... with PyTorch's argument forms (fl.zeros(2, 3) and fl.zeros((2, 3)); dtype=, device=,
// requires_grad= keywords), the *_like functions, Tensor.new_* methods, and the default-device and memory helpers
// behind fl.cuda.
#include <nanobind/ndarray.h>

#include <mlx/allocator.h>
#include <mlx/memory.h>
#include <mlx/ops.h>
#include <mlx/transforms.h>

#include "bind.h"
#include "memory_format.h"
#include "core/tensor_impl.h"
#include "ops/op_utils.h"

namespace flpy {

// Drops a reference from any thread (autograd.cpp).
void release_pyobject(PyObject* obj);
void drain_pending_releases();

namespace {
using fl::Tensor;
namespace mx = mlx::core;

using ODtype = std::optional<fl::Dtype>;
using ODevice = std::optional<fl::Device>;

// A number argument that may also be a one-element tensor (as PyTorch's Scalar parsing).
fl::Scalar scalar_arg(nb::handle h, const char* what) {
  if (is_number(h)) return to_scalar(h);
  if (nb::isinstance<Tensor>(h)) {
    const Tensor& t = nb::cast<const Tensor&>(h);
    FL_CHECK_VALUE(t.numel() == 1, what, " must be a number or a one-element tensor");
    return t.item();
  }
  throw fl::TypeError(std::string(what) + " must be a number, not " + py_type_name(h));
}

// Puts a freshly made tensor on `device` (checking it exists) and sets requires_grad.
Tensor finish(Tensor t, ODevice device, bool requires_grad) {
  if (device) {
    device->check_available();
    t.impl()->storage->device = device->index() < 0 && !device->is_cpu() ? fl::Device(device->type(), 0) : *device;
  }
  if (requires_grad) t.requires_grad_(true);
  return t;
}

bool is_ndarray(nb::handle h) {
  static nb::object nd = nb::module_::import_("numpy").attr("ndarray");
  return PyObject_IsInstance(h.ptr(), nd.ptr()) == 1;
}
bool is_numpy_scalar(nb::handle h) {
  static nb::object generic = nb::module_::import_("numpy").attr("generic");
  return PyObject_IsInstance(h.ptr(), generic.ptr()) == 1;
}

// fl.tensor: always a copy, owning its data.
Tensor tensor_fn(nb::handle data, ODtype dtype, ODevice device, bool requires_grad) {
  if (is_numpy_scalar(data)) {  // np.float64(1.5) keeps its dtype, as torch.tensor does
    nb::object arr = nb::module_::import_("numpy").attr("asarray")(data);
    return finish(tensor_from_data(arr, dtype), device, requires_grad);
  }
  return finish(tensor_from_data(data, dtype), device, requires_grad);
}

fl::Dtype numpy_dtype(nb::handle arr) {
  nb::object dt = arr.attr("dtype");
  std::string kind = nb::cast<std::string>(dt.attr("kind"));
  int size = nb::cast<int>(dt.attr("itemsize"));
  if (kind == "b") return fl::kBool;
  if (kind == "f" && size == 8) return fl::kFloat64;
  if (kind == "f" && size == 4) return fl::kFloat32;
  if (kind == "f" && size == 2) return fl::kFloat16;
  if (kind == "i" && size == 8) return fl::kInt64;
  if (kind == "i" && size == 4) return fl::kInt32;
  if (kind == "i" && size == 2) return fl::kInt16;
  if (kind == "i" && size == 1) return fl::kInt8;
  if (kind == "u" && size == 1) return fl::kUInt8;
  throw fl::TypeError("can't convert np.ndarray of type numpy." + nb::cast<std::string>(nb::str(dt.attr("name"))) +
                      ". The only supported types are: float64, float32, float16, int64, int32, int16, int8, uint8, "
                      "and bool.");
}

// Whether MLX's allocator is its plain CPU one (mlx[cpu]), found by probing a buffer: there a Buffer is a malloc'd
// block with an 8-byte size header before the data, so foreign memory can be wrapped as Buffer{ptr - 8} without a
// copy (MLX's array(void*, ...) constructor copies with that allocator). Other allocators (Metal, CUDA) are left to
// that constructor, which shares memory where the backend can (Metal) and copies otherwise.
bool plain_cpu_allocator() {
  static const bool plain = [] {
    mx::array a({1.0f, 2.0f, 3.0f, 4.0f});
    mx::allocator::Buffer b = a.buffer();
    auto* base = static_cast<const size_t*>(b.ptr());
    // (The header holds the block's size, which a recycled block may make larger than asked for.)
    return base && b.raw_ptr() == static_cast<const void*>(base + 1) && *base >= 4 * sizeof(float) &&
           *base < (size_t{1} << 48);
  }();
  return plain;
}

// The numpy array owning the memory an array views (following .base), if it is an ndarray that allocated it.
bool numpy_owns_memory(nb::handle arr) {
  nb::object root = nb::borrow(arr);
  while (is_ndarray(root.attr("base"))) root = root.attr("base");
  return nb::cast<bool>(root.attr("flags").attr("owndata"));
}

Tensor from_numpy(nb::handle arr) {
  drain_pending_releases();
  FL_CHECK_TYPE(is_ndarray(arr), "expected np.ndarray (got ", py_type_name(arr), ")");
  fl::Dtype d = numpy_dtype(arr);
  FL_CHECK_VALUE(nb::cast<bool>(arr.attr("dtype").attr("isnative")),
                 "given numpy array has byte order different from the native byte order. Conversion between byte "
                 "orders is currently not supported.");
  for (nb::handle s : arr.attr("strides"))
    FL_CHECK_VALUE(nb::cast<int64_t>(s) >= 0,
                   "At least one stride in the given numpy array is negative, and tensors with negative strides are "
                   "not currently supported. (You can probably work around this by making a copy of your array  "
                   "with array.copy().) ");
  nb::object flags = arr.attr("flags");
  if (!nb::cast<bool>(flags.attr("writeable")))
    PyErr_WarnEx(PyExc_UserWarning,
                 "The given NumPy array is not writable, and PyTorch does not support non-writable tensors. This "
                 "means writing to this tensor will result in undefined behavior.",
                 1);
  // A strided (non C-contiguous) or unaligned array is copied into a contiguous one first.
  nb::object src = nb::borrow(arr);
  bool copied = false;
  if (!nb::cast<bool>(flags.attr("c_contiguous")) || !nb::cast<bool>(flags.attr("aligned"))) {
    src = nb::module_::import_("numpy").attr("ascontiguousarray")(arr);
    copied = true;
  }
  fl::Shape shape = shape_of(src.attr("shape"));
  mx::Shape ms(shape.begin(), shape.end());
  if (fl::numel_of(shape) == 0) return fl::make_tensor(mx::zeros(ms, fl::to_mlx(d)), fl::Device("cpu"));
  auto data = reinterpret_cast<void*>(nb::cast<uintptr_t>(src.attr("__array_interface__")["data"][0]));
  bool wrap = plain_cpu_allocator() && (copied || numpy_owns_memory(src));
  PyObject* owner = src.release().ptr();  // released by the buffer's deleter
  if (wrap) {
    mx::allocator::Data buf(mx::allocator::Buffer(static_cast<size_t*>(data) - 1),
                            [owner](mx::allocator::Buffer) { release_pyobject(owner); });
    return fl::make_tensor(mx::array(std::move(buf), ms, fl::to_mlx(d)), fl::Device("cpu"));
  }
  mx::array a(data, ms, fl::to_mlx(d), [owner](void*) { release_pyobject(owner); });
  return fl::make_tensor(std::move(a), fl::Device("cpu"));
}

// fl.as_tensor: shares memory with tensors and numpy arrays when no dtype/device conversion is needed.
Tensor as_tensor(nb::handle data, ODtype dtype, ODevice device) {
  Tensor t;
  if (nb::isinstance<Tensor>(data)) t = nb::cast<Tensor>(data);
  else if (is_ndarray(data)) {
    try {
      t = from_numpy(data);
    } catch (const fl::TypeError&) {
      return tensor_fn(data, dtype, device, false);
    }
  } else return tensor_fn(data, dtype, device, false);
  if (device && !(*device == t.device())) t = t.to(*device);
  if (dtype) t = t.to(*dtype);
  return t;
}

Tensor asarray(nb::handle obj, ODtype dtype, ODevice device, std::optional<bool> copy, bool requires_grad) {
  bool shareable = nb::isinstance<Tensor>(obj) || is_ndarray(obj) || nb::isinstance<mx::array>(obj);
  Tensor t;
  if (copy.value_or(false) || !shareable) {
    FL_CHECK_VALUE(copy.value_or(true) || shareable, "can't alias arbitrary sequence into a tensor.");
    t = tensor_fn(obj, dtype, device, false);
  } else {
    if (nb::isinstance<mx::array>(obj)) t = fl::from_mlx(nb::cast<mx::array>(obj));
    else t = as_tensor(obj, std::nullopt, std::nullopt);
    bool converts = (dtype && *dtype != t.dtype()) || (device && !(*device == t.device()));
    FL_CHECK_VALUE(!converts || !copy.has_value(), "asarray(): can't alias the input with copy=False when dtype or "
                   "device conversion is needed");
    if (device) t = t.to(*device);
    if (dtype) t = t.to(*dtype);
  }
  if (requires_grad) t.requires_grad_(true);
  return t;
}
}  // namespace

void init_creation(Module& m) {
#define FL_KW "dtype"_a = nb::none(), "layout"_a = nb::none(), "device"_a = nb::none(), "requires_grad"_a = false, \
              "pin_memory"_a = false
#define FL_KW_ARGS ODtype dtype, nb::handle, ODevice device, bool requires_grad, bool

  m.def("tensor", [](nb::handle data, ODtype dtype, ODevice device, bool requires_grad, bool) {
    return tensor_fn(data, dtype, device, requires_grad);
  }, "data"_a, nb::kw_only(), "dtype"_a = nb::none(), "device"_a = nb::none(), "requires_grad"_a = false,
     "pin_memory"_a = false);
  m.def("as_tensor", [](nb::handle data, ODtype dtype, ODevice device) -> nb::object {
    if (nb::isinstance<Tensor>(data)) {  // the same object when nothing converts
      const Tensor& t = nb::cast<const Tensor&>(data);
      if ((!dtype || *dtype == t.dtype()) && (!device || *device == t.device())) return nb::borrow(data);
    }
    return nb::cast(as_tensor(data, dtype, device));
  }, "data"_a, "dtype"_a = nb::none(), "device"_a = nb::none());
  m.def("asarray", [](nb::handle obj, ODtype dtype, ODevice device, std::optional<bool> copy,
                      bool requires_grad) -> nb::object {
    if (nb::isinstance<Tensor>(obj) && !copy.value_or(false)) {  // the same object when nothing changes
      const Tensor& t = nb::cast<const Tensor&>(obj);
      if ((!dtype || *dtype == t.dtype()) && (!device || *device == t.device()) &&
          (!requires_grad || t.requires_grad()))
        return nb::borrow(obj);
    }
    return nb::cast(asarray(obj, dtype, device, copy, requires_grad));
  }, "obj"_a, nb::kw_only(), "dtype"_a = nb::none(), "device"_a = nb::none(),
        "copy"_a = nb::none(), "requires_grad"_a = false);
  m.def("from_numpy", &from_numpy, "ndarray"_a);
  m.def("from_mlx", [](const mx::array& a, bool requires_grad) { return fl::from_mlx(a, requires_grad); }, "array"_a, "requires_grad"_a = false);

  m.def("zeros", [](nb::args args, nb::handle size, FL_KW_ARGS, nb::handle) {
    return fl::zeros(size_arg(args, size), make_options(dtype, device, requires_grad));
  }, "args"_a, "size"_a = nb::none(), FL_KW, "memory_format"_a = nb::none());
  m.def("ones", [](nb::args args, nb::handle size, FL_KW_ARGS, nb::handle) {
    return fl::ones(size_arg(args, size), make_options(dtype, device, requires_grad));
  }, "args"_a, "size"_a = nb::none(), FL_KW, "memory_format"_a = nb::none());
  m.def("empty", [](nb::args args, nb::handle size, FL_KW_ARGS, nb::handle) {
    return fl::empty(size_arg(args, size), make_options(dtype, device, requires_grad));
  }, "args"_a, "size"_a = nb::none(), FL_KW, "memory_format"_a = nb::none());
  m.def("full", [](nb::handle size, nb::handle fill, FL_KW_ARGS) {
    return fl::full(shape_of(size), scalar_arg(fill, "fill_value"), make_options(dtype, device, requires_grad));
  }, "size"_a, "fill_value"_a, nb::kw_only(), FL_KW);
  m.def("scalar_tensor", [](nb::handle s, FL_KW_ARGS) {
    return fl::scalar_tensor(scalar_arg(s, "s"), make_options(dtype.value_or(fl::get_default_dtype()), device,
                                                                requires_grad));
  }, "s"_a, nb::kw_only(), FL_KW);

  // arange(end), arange(start, end), arange(start, end, step), or by keywords.
  m.def("arange", [](nb::args args, nb::handle start, nb::handle end, nb::handle step, FL_KW_ARGS) {
    std::vector<nb::handle> pos(args.begin(), args.end());
    FL_CHECK_TYPE(pos.size() <= 3, "arange() takes at most 3 positional arguments");
    nb::handle s = start, e = end, st = step;
    if (pos.size() == 1) (end.is_none() ? e : s) = pos[0];
    if (pos.size() >= 2) s = pos[0], e = pos[1];
    if (pos.size() == 3) st = pos[2];
    FL_CHECK_TYPE(!e.is_none(), "arange() missing required argument 'end'");
    auto opts = make_options(dtype, device, requires_grad);
    return fl::arange(s.is_none() ? fl::Scalar(int64_t{0}) : scalar_arg(s, "start"), scalar_arg(e, "end"),
                      st.is_none() ? fl::Scalar(int64_t{1}) : scalar_arg(st, "step"), opts);
  }, "args"_a, "start"_a = nb::none(), "end"_a = nb::none(), "step"_a = nb::none(), FL_KW);
  m.def("linspace", [](nb::handle start, nb::handle end, int64_t steps, FL_KW_ARGS) {
    return fl::linspace(scalar_arg(start, "start").to_double(), scalar_arg(end, "end").to_double(), steps,
                        make_options(dtype, device, requires_grad));
  }, "start"_a, "end"_a, "steps"_a, nb::kw_only(), FL_KW);
  m.def("logspace", [](nb::handle start, nb::handle end, int64_t steps, double base, FL_KW_ARGS) {
    return fl::logspace(scalar_arg(start, "start").to_double(), scalar_arg(end, "end").to_double(), steps, base,
                        make_options(dtype, device, requires_grad));
  }, "start"_a, "end"_a, "steps"_a, "base"_a = 10.0, nb::kw_only(), FL_KW);
  m.def("eye", [](int64_t n, std::optional<int64_t> cols, FL_KW_ARGS) {
    return fl::eye(n, cols, make_options(dtype, device, requires_grad));
  }, "n"_a, "m"_a = nb::none(), nb::kw_only(), FL_KW);

  // *_like: the input's dtype and device unless given.
  m.def("zeros_like", [](const Tensor& t, FL_KW_ARGS, nb::handle f) {
    return fl::zeros_like(t, with_memory_format(like_options(t, dtype, device, requires_grad), f, "zeros_like"));
  }, "input"_a, nb::kw_only(), FL_KW, "memory_format"_a = nb::none());
  m.def("ones_like", [](const Tensor& t, FL_KW_ARGS, nb::handle f) {
    return fl::ones_like(t, with_memory_format(like_options(t, dtype, device, requires_grad), f, "ones_like"));
  }, "input"_a, nb::kw_only(), FL_KW, "memory_format"_a = nb::none());
  m.def("empty_like", [](const Tensor& t, FL_KW_ARGS, nb::handle f) {
    return fl::empty_like(t, with_memory_format(like_options(t, dtype, device, requires_grad), f, "empty_like"));
  }, "input"_a, nb::kw_only(), FL_KW, "memory_format"_a = nb::none());
  m.def("full_like", [](const Tensor& t, nb::handle fill, FL_KW_ARGS, nb::handle f) {
    return fl::full_like(t, scalar_arg(fill, "fill_value"),
                         with_memory_format(like_options(t, dtype, device, requires_grad), f, "full_like"));
  }, "input"_a, "fill_value"_a, nb::kw_only(), FL_KW, "memory_format"_a = nb::none());

  // Tensor.new_*: the tensor's dtype and device unless given.
  def_method("new_zeros", [](const Tensor& t, nb::args args, FL_KW_ARGS) {
    return fl::zeros(size_arg(args, nb::none()), like_options(t, dtype, device, requires_grad));
  }, "size"_a, FL_KW);
  def_method("new_ones", [](const Tensor& t, nb::args args, FL_KW_ARGS) {
    return fl::ones(size_arg(args, nb::none()), like_options(t, dtype, device, requires_grad));
  }, "size"_a, FL_KW);
  def_method("new_empty", [](const Tensor& t, nb::args args, FL_KW_ARGS) {
    return fl::empty(size_arg(args, nb::none()), like_options(t, dtype, device, requires_grad));
  }, "size"_a, FL_KW);
  def_method("new_full", [](const Tensor& t, nb::handle size, nb::handle fill, FL_KW_ARGS) {
    return fl::full(shape_of(size), scalar_arg(fill, "fill_value"), like_options(t, dtype, device, requires_grad));
  }, "size"_a, "fill_value"_a, nb::kw_only(), FL_KW);
  def_method("new_tensor", [](const Tensor& t, nb::handle data, FL_KW_ARGS) {
    return tensor_fn(data, dtype.value_or(t.dtype()), device.value_or(t.device()), requires_grad);
  }, "data"_a, nb::kw_only(), FL_KW);
#undef FL_KW
#undef FL_KW_ARGS

  // Devices and memory (behind fl.get_default_device and fl.cuda).
  m.def("get_default_device", [] { return fl::default_device(); });
  m.def("set_default_device", [](ODevice d) {
    fl::set_default_device(d ? *d : (fl::gpu_available() ? fl::Device(fl::DeviceType::CUDA, 0) : fl::Device("cpu")));
  }, "device"_a.none());
  m.def("_synchronize", [] { mx::synchronize(); });
  m.def("_empty_cache", [] { mx::clear_cache(); });
  m.def("_memory_allocated", [] { return mx::get_active_memory(); });
  m.def("_max_memory_allocated", [] { return mx::get_peak_memory(); });
  m.def("_reset_peak_memory_stats", [] { mx::reset_peak_memory(); });
  m.def("_memory_reserved", [] { return mx::get_active_memory() + mx::get_cache_memory(); });
}

}  // namespace flpy
