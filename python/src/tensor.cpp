// fl.Tensor: metadata, values, autograd attributes, conversion, indexing, operators and in-place methods.
#include <nanobind/ndarray.h>

#include <mlx/ops.h>
#include <mlx/transforms.h>

#include "bind.h"
#include "memory_format.h"
#include "core/tensor_impl.h"
#include "ops/op_utils.h"

namespace flpy {

namespace {
using fl::Tensor;
namespace mx = mlx::core;

nb::object node_object(const std::shared_ptr<fl::Node>& n);

// grad_fn objects: name(), next_functions, as PyTorch's.
struct PyNode {
  std::shared_ptr<fl::Node> node;
};

nb::object node_object(const std::shared_ptr<fl::Node>& n) {
  if (!n) return nb::none();
  return nb::cast(PyNode{n});
}

// torch's repr with flashlight's dtype names: "dtype=flashlight.float64", as repr(fl.float64).
std::string py_repr(const Tensor& t) {
  std::string s = t.str();
  const std::string from = "dtype=torch.";
  auto pos = s.rfind(from);
  if (pos != std::string::npos) s.replace(pos, from.size(), "dtype=flashlight.");
  return s;
}

nb::object scalar_object(const fl::Scalar& s) { return nb::steal(nb::detail::make_caster<fl::Scalar>::from_cpp(s, nb::rv_policy::move, nullptr)); }

nb::object tolist_rec(const std::vector<double>& v, const fl::Shape& shape, size_t d, size_t& i, fl::Dtype dt) {
  if (d == shape.size()) {
    double x = v[i++];
    if (dt == fl::kBool) return nb::bool_(x != 0);
    if (fl::is_integral(dt)) return nb::int_(static_cast<int64_t>(x));
    return nb::float_(x);
  }
  nb::list l;
  for (int64_t k = 0; k < shape[d]; ++k) l.append(tolist_rec(v, shape, d + 1, i, dt));
  return l;
}

nb::object tolist(const Tensor& t) {
  if (fl::is_integral(t.dtype())) {
    auto v = t.tolist<int64_t>();
    std::vector<double> unused;
    if (t.dim() == 0) return nb::int_(v[0]);
    std::function<nb::object(size_t, size_t&)> rec = [&](size_t d, size_t& i) -> nb::object {
      if (d == t.sizes().size()) return nb::int_(v[i++]);
      nb::list l;
      for (int64_t k = 0; k < t.sizes()[d]; ++k) l.append(rec(d + 1, i));
      return l;
    };
    size_t i = 0;
    return rec(0, i);
  }
  auto v = t.tolist<double>();
  size_t i = 0;
  return tolist_rec(v, t.sizes(), 0, i, t.dtype());
}

// Zero-copy when MLX's buffer is row-contiguous; otherwise a contiguous copy is made first. The array is
// read-only: MLX arrays are immutable, so numpy must not write into one.
nb::object to_numpy(const Tensor& t) {
  FL_CHECK(!t.requires_grad(), "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.");
  mx::array a = t.mlx();
  if (!a.is_available() || !a.flags().row_contiguous) {  // an evaluated dense value is shared as it is
    a = mx::contiguous(a);
    mx::eval(a);
  }
  auto* holder = new mx::array(a);
  nb::capsule owner(holder, [](void* p) noexcept { delete static_cast<mx::array*>(p); });
  std::vector<size_t> shape(t.sizes().begin(), t.sizes().end());
  nb::dlpack::dtype dt;
  switch (t.dtype()) {
    case fl::kBool: dt = nb::dtype<bool>(); break;
    case fl::kUInt8: dt = nb::dtype<uint8_t>(); break;
    case fl::kInt8: dt = nb::dtype<int8_t>(); break;
    case fl::kInt16: dt = nb::dtype<int16_t>(); break;
    case fl::kInt32: dt = nb::dtype<int32_t>(); break;
    case fl::kInt64: dt = nb::dtype<int64_t>(); break;
    case fl::kFloat16: dt = {static_cast<uint8_t>(nb::dlpack::dtype_code::Float), 16, 1}; break;
    case fl::kBFloat16: throw fl::TypeError("Got unsupported ScalarType BFloat16");
    case fl::kFloat32: dt = nb::dtype<float>(); break;
    case fl::kFloat64: dt = nb::dtype<double>(); break;
  }
  nb::ndarray<nb::numpy, nb::ro> arr(const_cast<void*>(static_cast<const void*>(holder->data<uint8_t>())), shape.size(),
                                     shape.data(), owner, nullptr, dt);
  return nb::cast(arr, nb::rv_policy::reference);
}

Tensor to_dtype_or_device(const Tensor& self, nb::args args, nb::kwargs kwargs) {
  std::optional<fl::Dtype> dtype;
  std::optional<fl::Device> device;
  bool copy = false;
  auto take = [&](nb::handle h) {
    if (nb::isinstance<PyDtype>(h)) dtype = nb::cast<fl::Dtype>(h);
    else if (nb::isinstance<Tensor>(h)) {
      dtype = nb::cast<Tensor>(h).dtype();
      device = nb::cast<Tensor>(h).device();
    } else if (!h.is_none()) device = nb::cast<fl::Device>(h);
  };
  for (nb::handle a : args) take(a);
  for (auto [k, v] : kwargs) {
    std::string key = nb::cast<std::string>(k);
    if (key == "dtype" || key == "device") take(v);
    else if (key == "copy") copy = nb::cast<bool>(v);
    else if (key != "non_blocking") throw fl::TypeError("to() got an unexpected keyword argument '" + key + "'");
  }
  Tensor r = self;
  if (device) r = r.to(*device, copy);
  if (dtype) r = r.to(*dtype, copy && !device);
  return r;
}

void set_item(Tensor& self, nb::handle key, nb::handle value) {
  auto idx = to_indices(key);
  if (is_number(value)) self.index_put_(idx, to_scalar(value));
  else self.index_put_(idx, to_tensor_operand(value).to(self.dtype()));
}
}  // namespace

void init_tensor(Module& m) {
  nb::class_<PyNode>(m, "Node")
      .def("name", [](const PyNode& n) { return n.node->name(); })
      .def_prop_ro("next_functions", [](const PyNode& n) {
        nb::list l;
        for (auto& e : n.node->next_functions) l.append(nb::make_tuple(node_object(e.node), e.input_nr));
        return nb::tuple(l);
      })
      .def("__repr__", [](const PyNode& n) { return "<" + n.node->name() + " object>"; })
      .def("__eq__", [](const PyNode& a, const PyNode& b) { return a.node == b.node; })
      .def("__hash__", [](const PyNode& n) { return reinterpret_cast<intptr_t>(n.node.get()); });

  Class<Tensor> cls("Tensor", m, "Tensor", doc("torch", "Tensor"));
  cls.def("__init__", [](Tensor* self, nb::args args) {
       // fl.Tensor(data) / fl.Tensor(2, 3): as the legacy torch.Tensor constructor (default dtype).
       if (args.size() == 1 && !PyLong_Check(args[0].ptr())) new (self) Tensor(tensor_from_data(args[0], fl::get_default_dtype()));
       else new (self) Tensor(fl::zeros(shape_from_args(args)));
     })
      // metadata
      .def_prop_ro("shape", [](const Tensor& t) { return make_size(t.sizes()); })
      .def("size", [](const Tensor& t, std::optional<int64_t> dim) -> nb::object {
        if (dim) return nb::int_(t.size(*dim));
        return make_size(t.sizes());
      }, "dim"_a = nb::none())
      .def_prop_ro("dtype", &Tensor::dtype)
      .def_prop_ro("device", &Tensor::device)
      .def_prop_ro("ndim", &Tensor::dim)
      .def("dim", &Tensor::dim)
      .def("ndimension", &Tensor::dim)
      .def("numel", &Tensor::numel)
      .def("nelement", &Tensor::numel)
      .def("element_size", &Tensor::element_size)
      .def_prop_ro("itemsize", &Tensor::element_size)
      .def_prop_ro("nbytes", [](const Tensor& t) { return t.numel() * static_cast<int64_t>(t.element_size()); })
      .def("stride", [](const Tensor& t, std::optional<int64_t> dim) -> nb::object {
        if (dim) return nb::int_(t.stride(*dim));
        return nb::tuple(nb::cast(t.strides()));
      }, "dim"_a = nb::none())
      .def("storage_offset", &Tensor::storage_offset)
      .def("is_contiguous", [](const Tensor& t, nb::handle f) {
        return t.is_contiguous(memory_format_arg(f, "is_contiguous").value_or(fl::MemoryFormat::Contiguous));
      }, "memory_format"_a = nb::none())
      .def("data_ptr", [](const Tensor& t) { return reinterpret_cast<uintptr_t>(t.data_ptr()); })
      .def("is_floating_point", &Tensor::is_floating_point)
      .def("is_complex", [](const Tensor&) { return false; })
      .def_prop_ro("is_cuda", [](const Tensor& t) { return t.device().type() == fl::DeviceType::CUDA; })
      .def_prop_ro("is_mps", [](const Tensor& t) { return t.device().type() == fl::DeviceType::MPS; })
      .def_prop_ro("is_cpu", [](const Tensor& t) { return t.device().is_cpu(); })
      .def_prop_ro("_version", &Tensor::_version)
      .def_prop_ro("_base", [](const Tensor& t) -> nb::object {
        Tensor b = t._base();
        return b.defined() ? nb::cast(b) : nb::none();
      })
      .def("_is_view", &Tensor::is_view)
      // values
      .def("item", [](const Tensor& t) { return scalar_object(t.item()); })
      .def("tolist", &tolist)
      .def("numpy", [](const Tensor& t, bool force) { return to_numpy(force ? t.detach() : t); }, "force"_a = false)
      .def("__array__", [](const Tensor& t, nb::handle dtype, nb::handle) {
        nb::object a = to_numpy(t.detach());
        return dtype.is_none() ? a : a.attr("astype")(dtype);
      }, "dtype"_a = nb::none(), "copy"_a = nb::none())
      .def("mlx", &Tensor::mlx)
      .def("__repr__", &py_repr)
      .def("__str__", &py_repr)
      .def("__len__", [](const Tensor& t) {
        FL_CHECK_TYPE(t.dim() > 0, "len() of a 0-d tensor");
        return t.size(0);
      })
      .def("__iter__", [](const Tensor& t) {
        FL_CHECK_TYPE(t.dim() > 0, "iteration over a 0-d tensor");
        nb::list l;
        for (int64_t i = 0; i < t.size(0); ++i) l.append(nb::cast(t.select(0, i)));
        return nb::iter(l);
      })
      .def("__bool__", [](const Tensor& t) {
        FL_CHECK(t.numel() == 1, "Boolean value of Tensor with more than one value is ambiguous");
        return t.item().to_bool();
      })
      .def("__float__", [](const Tensor& t) {
        FL_CHECK_VALUE(t.numel() == 1, "only one element tensors can be converted to Python scalars");
        return t.item().to_double();
      })
      .def("__int__", [](const Tensor& t) {
        FL_CHECK_VALUE(t.numel() == 1, "only one element tensors can be converted to Python scalars");
        return t.item().to_int();
      })
      .def("__index__", [](const Tensor& t) {
        FL_CHECK_TYPE(t.numel() == 1 && fl::is_integral(t.dtype(), true),
                      "only integer tensors of a single element can be converted to an index");
        return t.item().to_int();
      })
      .def("__hash__", [](const Tensor& t) { return reinterpret_cast<intptr_t>(t.impl()); })
      .def("__getitem__", [](const Tensor& t, nb::handle key) { return t.index(to_indices(key)); },
           nb::arg("key").none())
      .def("__setitem__", [](Tensor& t, nb::handle key, nb::handle value) { set_item(t, key, value); },
           nb::arg("key").none(), nb::arg("value").none())
      // autograd
      .def_prop_rw("requires_grad", &Tensor::requires_grad, [](Tensor& t, bool r) { t.requires_grad_(r); })
      .def("requires_grad_", [](Tensor& t, bool r) { return t.requires_grad_(r); }, "requires_grad"_a = true,
           nb::rv_policy::reference_internal)
      .def_prop_rw("grad", [](const Tensor& t) -> nb::object {
        const Tensor& g = t.grad();
        return g.defined() ? nb::cast(g) : nb::none();
      }, [](Tensor& t, std::optional<Tensor> g) { t.set_grad(g ? *g : Tensor()); }, nb::arg("grad").none())
      .def_prop_ro("grad_fn", [](const Tensor& t) { return node_object(t.grad_fn()); })
      .def_prop_ro("is_leaf", &Tensor::is_leaf)
      .def("backward", [](const Tensor& t, std::optional<Tensor> gradient, std::optional<bool> retain_graph,
                          bool create_graph) {
        t.backward(gradient ? *gradient : Tensor(), retain_graph.value_or(create_graph), create_graph);
      }, "gradient"_a = nb::none(), "retain_graph"_a = nb::none(), "create_graph"_a = false)
      .def("detach", &Tensor::detach)
      // torch.Tensor._make_subclass: an instance of a Python subclass (nn.Parameter) sharing data's storage.
      .def_static("_make_subclass", [](nb::handle type, const Tensor& data, bool requires_grad) {
        FL_CHECK_TYPE(PyType_Check(type.ptr()) && PyType_IsSubtype((PyTypeObject*)type.ptr(),
                                                                   (PyTypeObject*)nb::type<Tensor>().ptr()),
                      "_make_subclass(): cls must be a subclass of Tensor");
        nb::object inst = nb::inst_alloc(type);
        Tensor* t = new (nb::inst_ptr<Tensor>(inst)) Tensor(data.detach());
        nb::inst_mark_ready(inst);
        t->requires_grad_(requires_grad);
        return inst;
      }, "cls"_a, "data"_a, "require_grad"_a = false)
      .def("detach_", [](Tensor& t) { return t.detach_(); }, nb::rv_policy::reference_internal)
      .def("retain_grad", &Tensor::retain_grad)
      .def_prop_ro("retains_grad", &Tensor::retains_grad)
      .def_prop_rw("data", &Tensor::data, [](Tensor& t, const Tensor& v) { t.set_data(v); })
      // conversion
      .def("to", &to_dtype_or_device)
      .def("type", [](const Tensor& t, std::optional<fl::Dtype> d) -> nb::object {
        if (d) return nb::cast(t.to(*d));
        return nb::str((std::string("torch.") + fl::scalar_type_name(t.dtype()) + "Tensor").c_str());
      }, "dtype"_a = nb::none())
      .def("cpu", &Tensor::cpu)
      .def("cuda", [](const Tensor& t, nb::handle) { return t.to(fl::Device("cuda")); }, "device"_a = nb::none())
      .def("float", &Tensor::float_)
      .def("double", &Tensor::double_)
      .def("half", &Tensor::half)
      .def("bfloat16", [](const Tensor& t) { return t.to(fl::kBFloat16); })
      .def("long", &Tensor::long_)
      .def("int", &Tensor::int_)
      .def("short", [](const Tensor& t) { return t.to(fl::kInt16); })
      .def("char", [](const Tensor& t) { return t.to(fl::kInt8); })
      .def("byte", [](const Tensor& t) { return t.to(fl::kUInt8); })
      .def("bool", &Tensor::bool_)
      .def("type_as", &Tensor::type_as)
      .def("contiguous", [](const Tensor& t, nb::handle f) {
        return t.contiguous(memory_format_arg(f, "contiguous").value_or(fl::MemoryFormat::Contiguous));
      }, "memory_format"_a = nb::none())
      .def("clone", [](const Tensor& t, nb::handle f) {
        return t.clone(memory_format_arg(f, "clone").value_or(fl::MemoryFormat::Preserve));
      }, "memory_format"_a = nb::none())
      // views
      .def("view", [](const Tensor& t, nb::args a) {
        if (a.size() == 1 && nb::isinstance<PyDtype>(a[0])) {
          FL_CHECK(nb::cast<fl::Dtype>(a[0]) == t.dtype(), "view(dtype) with a different dtype is not supported");
          return t.view(t.sizes());
        }
        return t.view(shape_from_args(a));
      })
      .def("reshape", [](const Tensor& t, nb::args a) { return t.reshape(shape_from_args(a)); })
      .def("view_as", &Tensor::view_as)
      .def("reshape_as", &Tensor::reshape_as)
      .def("expand", [](const Tensor& t, nb::args a) { return t.expand(shape_from_args(a)); })
      .def("expand_as", &Tensor::expand_as)
      .def("permute", [](const Tensor& t, nb::args a) { return t.permute(shape_from_args(a)); })
      .def("transpose", &Tensor::transpose, "dim0"_a, "dim1"_a)
      .def("swapaxes", &Tensor::transpose, "axis0"_a, "axis1"_a)
      .def("t", &Tensor::t)
      .def_prop_ro("T", [](const Tensor& t) {
        fl::Shape dims;
        for (int64_t i = t.dim() - 1; i >= 0; --i) dims.push_back(i);
        return t.permute(dims);
      })
      .def_prop_ro("mT", &Tensor::mT)
      .def("unsqueeze", &Tensor::unsqueeze, "dim"_a)
      .def("squeeze", [](const Tensor& t, nb::handle dim) {
        if (dim.is_none()) return t.squeeze();
        if (PyLong_Check(dim.ptr())) return t.squeeze(nb::cast<int64_t>(dim));
        Tensor r = t;
        auto dims = to_shape(dim);
        std::vector<int64_t> wrapped;
        for (auto d : dims) wrapped.push_back(fl::wrap_dim(d, t.dim()));
        std::sort(wrapped.rbegin(), wrapped.rend());
        for (auto d : wrapped) r = r.squeeze(d);
        return r;
      }, "dim"_a = nb::none())
      .def("select", &Tensor::select, "dim"_a, "index"_a)
      .def("narrow", &Tensor::narrow, "dim"_a, "start"_a, "length"_a)
      .def("diagonal", &Tensor::diagonal, "offset"_a = 0, "dim1"_a = 0, "dim2"_a = 1)
      .def("flatten", &Tensor::flatten, "start_dim"_a = 0, "end_dim"_a = -1)
      // in-place
      .def("copy_", [](Tensor& t, const Tensor& s, bool) { return t.copy_(s); }, "src"_a, "non_blocking"_a = false,
           nb::rv_policy::reference_internal)
      .def("fill_", [](Tensor& t, nb::handle v) {
        return is_number(v) ? t.fill_(to_scalar(v)) : t.copy_(nb::cast<Tensor>(v));
      }, "value"_a, nb::rv_policy::reference_internal)
      .def("zero_", &Tensor::zero_, nb::rv_policy::reference_internal)
      .def("uniform_", [](Tensor& t, double a, double b, nb::handle) { return t.uniform_(a, b); }, "from_"_a = 0.0,
           "to"_a = 1.0, "generator"_a = nb::none(), nb::rv_policy::reference_internal)
      .def("normal_", [](Tensor& t, double mean, double std, nb::handle) { return t.normal_(mean, std); },
           "mean"_a = 0.0, "std"_a = 1.0, "generator"_a = nb::none(), nb::rv_policy::reference_internal);
}

}  // namespace flpy
