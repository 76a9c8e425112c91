// Python values to tensors: numbers, nested sequences, numpy arrays; indices; options.
#include <mlx/allocator.h>
#include <nanobind/ndarray.h>

#include <cstring>

#include "bind.h"
#include "core/tensor_impl.h"
#include "ops/op_utils.h"

namespace flpy {

namespace {
nb::object g_size_type;
nb::object g_tensor_type;

fl::Dtype from_numpy_dtype(const nb::dlpack::dtype& dt) {
  using nb::dlpack::dtype_code;
  auto code = static_cast<dtype_code>(dt.code);
  if (code == dtype_code::Bool) return fl::kBool;
  if (code == dtype_code::Float) return dt.bits == 64 ? fl::kFloat64 : dt.bits == 16 ? fl::kFloat16 : fl::kFloat32;
  if (code == dtype_code::Bfloat) return fl::kBFloat16;
  if (code == dtype_code::UInt) {
    if (dt.bits == 8) return fl::kUInt8;
    throw fl::TypeError("can't convert np.ndarray of type numpy.uint" + std::to_string(dt.bits) +
                        ". The only supported types are: float64, float32, float16, int64, int32, int16, int8, uint8, "
                        "and bool.");
  }
  if (code == dtype_code::Int)
    return dt.bits == 8 ? fl::kInt8 : dt.bits == 16 ? fl::kInt16 : dt.bits == 32 ? fl::kInt32 : fl::kInt64;
  throw fl::TypeError("can't convert np.ndarray of this dtype");
}
}  // namespace

bool is_number(nb::handle h) {
  if (PyBool_Check(h.ptr()) || PyLong_Check(h.ptr()) || PyFloat_Check(h.ptr())) return true;
  // numpy scalars (np.float32(1), np.int64(2), np.bool_).
  static nb::object generic = nb::module_::import_("numpy").attr("generic");
  return PyObject_IsInstance(h.ptr(), generic.ptr()) == 1;
}

fl::Scalar to_scalar(nb::handle h) {
  if (PyBool_Check(h.ptr())) return fl::Scalar(h.ptr() == Py_True);
  if (PyLong_Check(h.ptr())) return fl::Scalar(static_cast<int64_t>(nb::cast<int64_t>(h)));
  if (PyFloat_Check(h.ptr())) return fl::Scalar(PyFloat_AsDouble(h.ptr()));
  nb::object item = h.attr("item")();
  return to_scalar(item);
}

fl::Shape to_shape(nb::handle h) {
  if (PyLong_Check(h.ptr())) return {nb::cast<int64_t>(h)};
  fl::Shape s;
  for (nb::handle e : h) {
    if (!PyLong_Check(e.ptr()) && !nb::hasattr(e, "__index__"))
      throw fl::TypeError("expected a sequence of integers or a single integer, got " +
                          nb::cast<std::string>(nb::str(e.type().attr("__name__"))));
    s.push_back(nb::cast<int64_t>(e.attr("__index__")()));
  }
  return s;
}

std::string py_type_name(nb::handle h) { return nb::cast<std::string>(nb::str(h.type().attr("__name__"))); }

static bool is_index(nb::handle h) {
  return PyLong_Check(h.ptr()) || (!PySequence_Check(h.ptr()) && !PyFloat_Check(h.ptr()) && nb::hasattr(h, "__index__"));
}

int64_t int_arg(nb::handle h, const char* what) {
  FL_CHECK_TYPE(is_index(h), what, " must be int, not ", py_type_name(h));
  return nb::cast<int64_t>(h.attr("__index__")());
}

fl::Shape shape_of(nb::handle h) {
  if (is_index(h)) return {int_arg(h, "size")};
  FL_CHECK_TYPE(PySequence_Check(h.ptr()) && !nb::isinstance<nb::str>(h),
                "size must be tuple of ints, not ", py_type_name(h));
  fl::Shape s;
  for (nb::handle e : h) s.push_back(int_arg(e, "size"));
  return s;
}

// `fl.zeros(2, 3)`, `fl.zeros((2, 3))`, `fl.zeros([2, 3])`, `fl.zeros(fl.Size(...))` or `fl.zeros(size=(2, 3))`.
fl::Shape size_arg(const nb::args& args, nb::handle size) {
  if (!size.is_none()) {
    FL_CHECK_TYPE(args.size() == 0, "size given both positionally and as a keyword");
    return shape_of(size);
  }
  if (args.size() == 1) return shape_of(args[0]);
  fl::Shape s;
  for (nb::handle a : args) s.push_back(int_arg(a, "size"));
  return s;
}

// Options for a *_like function: the input's dtype and device unless given.
fl::TensorOptions like_options(const fl::Tensor& t, std::optional<fl::Dtype> dtype, std::optional<fl::Device> device,
                               bool requires_grad) {
  return make_options(dtype.value_or(t.dtype()), device.value_or(t.device()), requires_grad);
}

fl::Shape shape_from_args(const nb::args& args) {
  if (args.size() == 1 && !PyLong_Check(args[0].ptr())) return to_shape(args[0]);
  fl::Shape s;
  for (nb::handle a : args) s.push_back(nb::cast<int64_t>(a.attr("__index__")()));
  return s;
}

nb::object make_size(const fl::Shape& s) {
  if (!g_size_type) g_size_type = nb::module_::import_("flashlight._size").attr("Size");
  nb::list l;
  for (auto d : s) l.append(d);
  return g_size_type(nb::tuple(l));
}

fl::Tensor to_tensor_operand(nb::handle h) {
  if (nb::isinstance<fl::Tensor>(h)) return nb::cast<fl::Tensor>(h);
  if (is_number(h)) return fl::scalar_tensor(to_scalar(h));
  // torch takes numpy arrays as operands but never lists or tuples (x * [1, 2], x[0] = [1, 2]: TypeError).
  if (!nb::ndarray_check(h))
    throw fl::TypeError("unsupported operand type '" + nb::cast<std::string>(nb::str(h.type().attr("__name__"))) +
                        "': expected a Tensor or a number");
  return tensor_from_data(h, std::nullopt);
}

fl::TensorOptions make_options(std::optional<fl::Dtype> dtype, std::optional<fl::Device> device, bool requires_grad) {
  fl::TensorOptions o;
  if (dtype) o = o.dtype(*dtype);
  if (device) o = o.device(*device);
  return o.requires_grad(requires_grad);
}

namespace {
// Walks nested sequences: collects values as doubles/ints and infers shape and PyTorch's natural dtype.
struct Collector {
  fl::Shape shape;
  std::vector<double> values;
  std::vector<int64_t> ints;
  int kind = 0;  // 0 bool, 1 int, 2 float
  std::optional<fl::Dtype> tensor_dtype;

  void walk(nb::handle h, size_t depth) {
    if (nb::isinstance<fl::Tensor>(h)) {
      fl::Tensor t = nb::cast<fl::Tensor>(h);
      FL_CHECK_VALUE(t.numel() == 1 || t.dim() == 0 || depth < 64, "only one element tensors can be converted to Python scalars");
      if (t.dim() > 0) {
        for (int64_t i = 0; i < t.size(0); ++i) walk_seq_item(nb::cast(t.select(0, i)), depth, i, t.size(0));
        return;
      }
      add_scalar(t.item(), depth);
      tensor_dtype = tensor_dtype ? fl::promote_types(*tensor_dtype, t.dtype()) : t.dtype();
      return;
    }
    if (is_number(h)) {
      add_scalar(to_scalar(h), depth);
      return;
    }
    // torch: a str is a TypeError at the top and a ValueError inside a list; other objects a RuntimeError.
    std::string type_name = nb::cast<std::string>(nb::str(h.type().attr("__name__")));
    if (nb::isinstance<nb::str>(h) && depth > 0) throw fl::ValueError("too many dimensions 'str'");
    if (nb::isinstance<nb::str>(h)) throw fl::TypeError("new(): invalid data type '" + type_name + "'");
    if (!PySequence_Check(h.ptr())) throw fl::Error("Could not infer dtype of " + type_name);
    size_t n = nb::len(h);
    size_t i = 0;
    for (nb::handle e : h) walk_seq_item(e, depth, i++, n);
    if (n == 0) set_dim(depth, 0);
  }
  void walk_seq_item(nb::handle e, size_t depth, size_t i, size_t n) {
    set_dim(depth, static_cast<int64_t>(n));
    walk(e, depth + 1);
  }
  void set_dim(size_t depth, int64_t n) {
    if (shape.size() <= depth) {
      shape.resize(depth + 1, -1);
    }
    if (shape[depth] == -1) shape[depth] = n;
    else
      FL_CHECK_VALUE(shape[depth] == n, "expected sequence of length ", shape[depth], " at dim ", depth, " (got ", n, ")");
  }
  size_t scalar_depth = SIZE_MAX;
  void add_scalar(const fl::Scalar& s, size_t depth) {
    if (scalar_depth == SIZE_MAX) scalar_depth = depth;
    FL_CHECK_VALUE(scalar_depth == depth && shape.size() <= depth, "expected sequence at dim ", depth);
    kind = std::max(kind, s.is_bool() ? 0 : s.is_integral() ? 1 : 2);
    values.push_back(s.to_double());
    ints.push_back(s.is_floating_point() ? 0 : s.to_int());
  }
};
}  // namespace

fl::Tensor tensor_from_data(nb::handle data, std::optional<fl::Dtype> dtype) {
  if (nb::isinstance<fl::Tensor>(data)) {
    fl::Tensor t = nb::cast<fl::Tensor>(data).detach().clone();
    return dtype ? t.to(*dtype) : t;
  }
  if (nb::ndarray_check(data) && !is_number(data)) {
    auto arr = nb::cast<nb::ndarray<nb::ro, nb::c_contig, nb::device::cpu>>(data);
    fl::Dtype d = from_numpy_dtype(arr.dtype());
    fl::Shape shape(arr.shape_ptr(), arr.shape_ptr() + arr.ndim());
    mlx::core::Shape ms(shape.begin(), shape.end());
    size_t n = 1;
    for (auto s : shape) n *= s;
    // Copied: a tensor made by fl.tensor owns its data, as in PyTorch; evaluated from the start.
    const size_t nbytes = n * fl::itemsize(d);
    mlx::core::array a(mlx::core::allocator::malloc(nbytes), ms, fl::to_mlx(d));
    if (nbytes) std::memcpy(a.data<uint8_t>(), arr.data(), nbytes);
    fl::Tensor t = fl::make_tensor(std::move(a));
    return dtype ? t.to(*dtype) : t;
  }
  Collector c;
  c.walk(data, 0);
  for (auto& s : c.shape)
    if (s < 0) s = 0;
  fl::Dtype natural = c.tensor_dtype && c.kind <= (fl::is_floating_point(*c.tensor_dtype) ? 2 : 1)
                          ? *c.tensor_dtype
                          : (c.kind == 0 ? fl::kBool : c.kind == 1 ? fl::kInt64 : fl::get_default_dtype());
  if (c.values.empty() && !c.tensor_dtype) natural = fl::get_default_dtype();  // torch.tensor([]) is float
  fl::Dtype d = dtype.value_or(natural);
  if (c.kind == 2 || fl::is_floating_point(d)) return fl::tensor(c.values, c.shape, d);
  return fl::tensor(c.ints, c.shape, d);
}

std::vector<fl::TensorIndex> to_indices(nb::handle key) {
  std::vector<fl::TensorIndex> out;
  auto one = [&](nb::handle k) {
    if (k.is_none()) out.emplace_back(fl::None);
    else if (k.ptr() == Py_Ellipsis) out.emplace_back(fl::Ellipsis);
    else if (PyBool_Check(k.ptr())) out.emplace_back(k.ptr() == Py_True);
    else if (PyLong_Check(k.ptr())) out.emplace_back(nb::cast<int64_t>(k));
    else if (PySlice_Check(k.ptr())) {
      auto get = [&](const char* attr) -> std::optional<int64_t> {
        nb::object v = k.attr(attr);
        if (v.is_none()) return std::nullopt;
        return nb::cast<int64_t>(v.attr("__index__")());
      };
      auto step = get("step");
      FL_CHECK_VALUE(!step || *step > 0, "step must be greater than zero");
      out.emplace_back(fl::Slice{get("start"), get("stop"), step.value_or(1)});
    } else if (nb::isinstance<fl::Tensor>(k)) out.emplace_back(nb::cast<fl::Tensor>(k));
    else if (nb::hasattr(k, "__index__") && !PySequence_Check(k.ptr()) && !nb::ndarray_check(k))
      out.emplace_back(nb::cast<int64_t>(k.attr("__index__")()));
    else out.emplace_back(tensor_from_data(k, std::nullopt));
  };
  if (PyTuple_Check(key.ptr())) {
    for (nb::handle k : key) one(k);
  } else {
    one(key);
  }
  return out;
}

}  // namespace flpy
