// Bindings for fl/ops/random.h: fl.Generator, fl.manual_seed / seed / initial_seed, rand, randn, randint,
// randperm, normal, bernoulli, multinomial and the *_like forms, with PyTorch's argument forms and generator=.
#include <limits>
#include <random>

#include "bind.h"
#include "core/layout.h"
#include "memory_format.h"
#include "fl/ops/random.h"

namespace flpy {

namespace {
using fl::Tensor;
using ODtype = std::optional<fl::Dtype>;
using ODevice = std::optional<fl::Device>;

// fl.Generator: owns an fl::Generator, or refers to the default one (fl.default_generator).
struct PyGenerator {
  std::shared_ptr<fl::Generator> owned;
  fl::Generator* gen;
  fl::Device device;
};

fl::Generator* gen_of(PyGenerator* g) { return g ? g->gen : nullptr; }

// Seeds as torch takes them: any int in [-2**63, 2**64), negatives wrapping modulo 2**64.
uint64_t seed_of(nb::handle h) {
  FL_CHECK_TYPE(PyLong_Check(h.ptr()) || (nb::hasattr(h, "__index__") && !PyFloat_Check(h.ptr())),
                "manual_seed expected a long, but got ", nb::cast<std::string>(nb::str(h.type().attr("__name__"))));
  nb::object v = h.attr("__index__")();
  int overflow = 0;
  long long s = PyLong_AsLongLongAndOverflow(v.ptr(), &overflow);
  if (!overflow) return static_cast<uint64_t>(s);
  unsigned long long u = PyLong_AsUnsignedLongLong(v.ptr());
  if (PyErr_Occurred()) {
    PyErr_Clear();
    throw fl::Error("Overflow when unpacking long long");
  }
  return u;
}

uint64_t fresh_seed() {
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32 | rd()) & ((uint64_t{1} << 63) - 1);
}


// randint(high, size), randint(low, high, size), or by keywords.
std::tuple<int64_t, int64_t, fl::Shape> randint_args(const nb::args& args, nb::handle low, nb::handle high,
                                                     nb::handle size, bool with_size) {
  std::vector<nb::handle> pos(args.begin(), args.end());
  nb::handle l = low, h = high, s = size;
  size_t n = pos.size();
  if (with_size && n >= 1 && !(PyLong_Check(pos[n - 1].ptr()) || nb::hasattr(pos[n - 1], "__index__"))) {
    s = pos[n - 1];
    pos.pop_back();
  }
  FL_CHECK_TYPE(pos.size() <= 2, "randint() received an invalid combination of arguments");
  if (pos.size() == 1) (h.is_none() ? h : l) = pos[0];
  if (pos.size() == 2) l = pos[0], h = pos[1];
  FL_CHECK_TYPE(!h.is_none(), "randint() missing required argument 'high'");
  FL_CHECK_TYPE(!with_size || !s.is_none(), "randint() missing required argument 'size'");
  return {l.is_none() ? 0 : int_arg(l, "low"), int_arg(h, "high"), with_size ? shape_of(s) : fl::Shape{}};
}

Tensor operand(nb::handle h) {
  if (nb::isinstance<Tensor>(h)) return nb::cast<Tensor>(h);
  return to_tensor_operand(h);
}
}  // namespace

fl::Generator* generator_arg(nb::handle h) {
  if (h.is_none()) return nullptr;
  FL_CHECK_TYPE(nb::isinstance<PyGenerator>(h), "generator must be a Generator, not ", py_type_name(h));
  return nb::cast<PyGenerator*>(h)->gen;
}

void init_random(Module& m) {
  Class<PyGenerator>("Generator", m, "Generator", doc("torch", "Generator"))
      .def("__init__", [](PyGenerator* self, ODevice device) {
        auto g = std::make_shared<fl::Generator>();
        fl::Device d = device.value_or(fl::Device("cpu"));
        new (self) PyGenerator{g, g.get(), d};
      }, "device"_a = nb::none())
      .def("manual_seed", [](PyGenerator& g, nb::handle seed) -> PyGenerator& {
        g.gen->manual_seed(seed_of(seed));
        return g;
      }, "seed"_a, nb::rv_policy::reference)
      .def("initial_seed", [](const PyGenerator& g) { return g.gen->initial_seed(); })
      .def("seed", [](PyGenerator& g) {
        uint64_t s = fresh_seed();
        g.gen->manual_seed(s);
        return s;
      })
      .def_prop_ro("device", [](const PyGenerator& g) { return g.device; })
      .def("__repr__", [](const PyGenerator&) { return std::string("<flashlight.Generator object>"); });
  static PyGenerator default_gen{nullptr, &fl::default_generator(), fl::Device("cpu")};
  m.attr("default_generator") = nb::cast(&default_gen, nb::rv_policy::reference);
  m.def("manual_seed", [](nb::handle seed) -> PyGenerator& {
    fl::manual_seed(seed_of(seed));
    return default_gen;
  }, "seed"_a, nb::rv_policy::reference);
  m.def("seed", [] {
    uint64_t s = fresh_seed();
    fl::manual_seed(s);
    return s;
  });
  m.def("initial_seed", [] { return fl::default_generator().initial_seed(); });

#define FL_KW "dtype"_a = nb::none(), "layout"_a = nb::none(), "device"_a = nb::none(), "requires_grad"_a = false, \
              "pin_memory"_a = false
#define FL_KW_ARGS ODtype dtype, nb::handle, ODevice device, bool requires_grad, bool
#define FL_GEN "generator"_a = nb::none()

  m.def("rand", [](nb::args args, nb::handle size, PyGenerator* g, FL_KW_ARGS) {
    return fl::rand(size_arg(args, size), make_options(dtype, device, requires_grad), gen_of(g));
  }, "args"_a, "size"_a = nb::none(), FL_GEN, FL_KW);
  m.def("randn", [](nb::args args, nb::handle size, PyGenerator* g, FL_KW_ARGS) {
    return fl::randn(size_arg(args, size), make_options(dtype, device, requires_grad), gen_of(g));
  }, "args"_a, "size"_a = nb::none(), FL_GEN, FL_KW);
  m.def("randint", [](nb::args args, nb::handle low, nb::handle high, nb::handle size, PyGenerator* g, FL_KW_ARGS) {
    auto [l, h, s] = randint_args(args, low, high, size, true);
    return fl::randint(l, h, s, make_options(dtype, device, requires_grad), gen_of(g));
  }, "args"_a, "low"_a = nb::none(), "high"_a = nb::none(), "size"_a = nb::none(), FL_GEN, FL_KW);
  m.def("randperm", [](int64_t n, PyGenerator* g, FL_KW_ARGS) {
    return fl::randperm(n, make_options(dtype, device, requires_grad), gen_of(g));
  }, "n"_a, nb::kw_only(), FL_GEN, FL_KW);
  m.def("rand_like", [](const Tensor& t, PyGenerator* g, FL_KW_ARGS, nb::handle f) {
    return fl::rand_like(t, with_memory_format(like_options(t, dtype, device, requires_grad), f, "rand_like"), gen_of(g));
  }, "input"_a, nb::kw_only(), FL_GEN, FL_KW, "memory_format"_a = nb::none());
  m.def("randn_like", [](const Tensor& t, PyGenerator* g, FL_KW_ARGS, nb::handle f) {
    return fl::randn_like(t, with_memory_format(like_options(t, dtype, device, requires_grad), f, "randn_like"), gen_of(g));
  }, "input"_a, nb::kw_only(), FL_GEN, FL_KW, "memory_format"_a = nb::none());
  m.def("randint_like", [](const Tensor& t, nb::args args, nb::handle low, nb::handle high, PyGenerator* g,
                           FL_KW_ARGS, nb::handle f) {
    auto [l, h, s] = randint_args(args, low, high, nb::none(), false);
    auto fmt = memory_format_arg(f, "randint_like").value_or(fl::MemoryFormat::Preserve);
    return fl::with_copy_strides(fl::randint(l, h, t.sizes(), like_options(t, dtype, device, requires_grad), gen_of(g)),
                                 t, fmt);
  }, "input"_a, "args"_a, "low"_a = nb::none(), "high"_a = nb::none(), FL_GEN, FL_KW, "memory_format"_a = nb::none());

  // normal(mean, std) with tensors or numbers; normal(mean, std, size) with numbers.
  m.def("normal", [](nb::handle mean, nb::handle std, nb::handle size, PyGenerator* g, FL_KW_ARGS) {
    bool tensors = nb::isinstance<Tensor>(mean) || nb::isinstance<Tensor>(std);
    if (!tensors) {
      FL_CHECK_TYPE(!size.is_none(), "normal() received an invalid combination of arguments - got (float, float), "
                    "but expected (float mean, float std, tuple of ints size)");
      return fl::normal(to_scalar(mean).to_double(), to_scalar(std).to_double(), shape_of(size),
                        make_options(dtype, device, requires_grad), gen_of(g));
    }
    FL_CHECK_TYPE(size.is_none(), "normal(): size is only accepted with numbers for mean and std");
    Tensor mt = operand(mean), st = operand(std);
    if (is_number(std)) FL_CHECK(to_scalar(std).to_double() >= 0.0, "normal expects std >= 0.0, but found std ",
                                 to_scalar(std).to_double());
    else FL_CHECK(st.numel() == 0 || fl::all(fl::ge(st, fl::scalar_tensor(0.0, {}))).item().to_bool(),
                  "normal expects all elements of std >= 0.0");
    fl::Generator* gen = gen_of(g);
    if (!(mt.requires_grad() || st.requires_grad()) || !fl::is_recording_grad()) return fl::normal(mt, st, gen);
    // As torch: the draw is recorded (NormalBackward3) but passes zero gradients to mean and std.
    fl::TensorOptions mo = make_options(mt.dtype(), mt.device(), false), so = make_options(st.dtype(), st.device(), false);
    fl::Shape ms = mt.sizes(), ss = st.sizes();
    return fl::autograd::custom_function(
        "NormalBackward3", {mt, st},
        [gen](const std::vector<Tensor>& in) { return std::vector<Tensor>{fl::normal(in[0], in[1], gen)}; },
        [mo, so, ms, ss](const std::vector<Tensor>&) {
          return std::vector<Tensor>{fl::zeros(ms, mo), fl::zeros(ss, so)};
        })[0];
  }, "mean"_a, "std"_a = 1.0, "size"_a = nb::none(), nb::kw_only(), FL_GEN, FL_KW);
  // Replace (not overload) tensor.cpp's generator-less normal_ / uniform_.
  nb::delattr(nb::type<Tensor>(), "normal_");
  nb::delattr(nb::type<Tensor>(), "uniform_");
  def_method("normal_", [](Tensor& t, double mean, double std, PyGenerator* g) -> Tensor& {
    if (!g) return t.normal_(mean, std);
    return t.copy_(fl::normal(mean, std, t.sizes(), make_options(t.dtype(), t.device(), false), gen_of(g)));
  }, "mean"_a = 0.0, "std"_a = 1.0, nb::kw_only(), FL_GEN, nb::rv_policy::reference_internal);
  def_method("uniform_", [](Tensor& t, double from, double to, PyGenerator* g) -> Tensor& {
    if (!g) return t.uniform_(from, to);
    return t.copy_(fl::uniform(t.sizes(), from, to, make_options(t.dtype(), t.device(), false), gen_of(g)));
  }, "from_"_a = 0.0, "to"_a = 1.0, nb::kw_only(), FL_GEN, nb::rv_policy::reference_internal);

  // bernoulli(input) draws with probabilities `input`; bernoulli(input, p) with probability p.
  def_both(m, "bernoulli", [](const Tensor& t, std::optional<double> p, PyGenerator* g) {
    return p ? fl::bernoulli(t, *p, gen_of(g)) : fl::bernoulli(t, gen_of(g));
  }, "input"_a, "p"_a = nb::none(), nb::kw_only(), FL_GEN);
  def_method("bernoulli_", [](Tensor& t, nb::handle p, PyGenerator* g) -> Tensor& {
    Tensor r = is_number(p) ? fl::bernoulli(t, to_scalar(p).to_double(), gen_of(g))
                            : fl::bernoulli(nb::cast<Tensor>(p).to(t.is_floating_point() ? t.dtype() : fl::kFloat32)
                                                .expand(t.sizes()).contiguous(), gen_of(g));
    return t.copy_(r);
  }, "p"_a = 0.5, nb::kw_only(), FL_GEN, nb::rv_policy::reference_internal);
  def_both(m, "multinomial", [](const Tensor& t, int64_t n, bool replacement, PyGenerator* g) {
    return fl::multinomial(t, n, replacement, gen_of(g));
  }, "input"_a, "num_samples"_a, "replacement"_a = false, nb::kw_only(), FL_GEN);
  // random_(to), random_(from, to): integers drawn into the tensor.
  def_method("random_", [](Tensor& t, std::optional<int64_t> from, std::optional<int64_t> to, PyGenerator* g) -> Tensor& {
    int64_t lo = to ? from.value_or(0) : 0;
    std::optional<int64_t> hi = to ? to : from;
    if (!hi) {
      switch (t.dtype()) {
        case fl::kFloat64: hi = (int64_t{1} << 53) + 1; break;
        case fl::kFloat32: hi = (int64_t{1} << 24) + 1; break;
        case fl::kFloat16: hi = (int64_t{1} << 11) + 1; break;
        case fl::kBFloat16: hi = (int64_t{1} << 8) + 1; break;
        case fl::kBool: hi = 2; break;
        case fl::kUInt8: hi = 256; break;
        case fl::kInt8: hi = 128; break;
        case fl::kInt16: hi = 32768; break;
        case fl::kInt32: hi = int64_t{1} << 31; break;
        default: hi = std::numeric_limits<int64_t>::max(); break;
      }
    }
    Tensor r = fl::randint(lo, *hi, t.sizes(), make_options(fl::kInt64, t.device(), false), gen_of(g));
    return t.copy_(r.to(t.dtype()));
  }, "from_"_a = nb::none(), "to"_a = nb::none(), nb::kw_only(), FL_GEN, nb::rv_policy::reference_internal);
#undef FL_KW
#undef FL_KW_ARGS
#undef FL_GEN
}

}  // namespace flpy
