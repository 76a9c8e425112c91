// Bindings for fl/ncps/ltc.h and fl/ncps/lstm_memory.h (flashlight._C._ncps). Weights are passed as dicts of
// Tensors under ncps's state-dict names without the module prefix ("gleak", ..., "input_map.weight").
#include <nanobind/ndarray.h>

#include "ncps_args.h"

namespace flpy {

using fl::Tensor;
using fl::ncps::LSTMMemoryWeights;
using fl::ncps::LTCConfig;
using fl::ncps::LTCWeights;

namespace {
template <typename W>
W weights_from(const nb::dict& d, const char* what) {
  W w;
  for (auto [key, value] : d) {
    std::string k = nb::cast<std::string>(key);
    Tensor* slot = w.find(k);
    FL_CHECK_VALUE(slot, what, ": unexpected weight '", k, "'");
    if (!value.is_none()) *slot = nb::cast<Tensor>(value);
  }
  return w;
}
}  // namespace

LTCWeights ltc_weights_arg(const nb::dict& d) { return weights_from<LTCWeights>(d, "ltc"); }
LSTMMemoryWeights lstm_weights_arg(const nb::dict& d) { return weights_from<LSTMMemoryWeights>(d, "lstm memory"); }

LTCConfig ltc_config_arg(const std::optional<std::string>& input_mapping,
                         const std::optional<std::string>& output_mapping, int64_t ode_unfolds, double epsilon,
                         bool implicit, std::optional<int64_t> motor_size, bool fused) {
  LTCConfig c;
  c.input_mapping = fl::ncps::ltc_mapping_from_string(input_mapping);
  c.output_mapping = fl::ncps::ltc_mapping_from_string(output_mapping);
  c.ode_unfolds = ode_unfolds;
  c.epsilon = epsilon;
  c.implicit_param_constraints = implicit;
  c.motor_size = motor_size;
  c.fused = fused;
  return c;
}

namespace {
Tensor opt(const std::optional<Tensor>& t) { return t ? *t : Tensor(); }

template <typename T>
using Buffer = nb::ndarray<T, nb::c_contig, nb::device::cpu>;

// Raw-buffer steps on numpy arrays (no copies, nothing allocated): x (batch, D), state (batch, N) in place.
template <typename T>
void check_buffer(const Buffer<T>& a, size_t n, const char* name) {
  FL_CHECK(a.size() == n, "LTCStepper.step_into: ", name, " has ", a.size(), " elements, expected ", n);
}
template <typename T>
void step_into(fl::ncps::LTCStepper& s, const Buffer<T>& x, Buffer<T> h, std::optional<Buffer<T>> c, double dt,
               std::optional<Buffer<T>> y) {
  const size_t B = s.batch();
  check_buffer(x, B * s.input_size(), "x");
  check_buffer(h, B * s.state_size(), "state");
  if (y) check_buffer(*y, B * s.output_size(), "y");
  if (c) check_buffer(*c, B * s.state_size(), "c");
  T* yp = y ? y->data() : nullptr;
  if (s.mixed_memory()) {
    FL_CHECK(c.has_value(), "LTCStepper.step_into: this stepper has mixed memory; pass c");
    s.step(x.data(), h.data(), c->data(), static_cast<T>(dt), yp);
  } else {
    FL_CHECK(!c.has_value(), "LTCStepper.step_into: this stepper has no mixed memory");
    s.step(x.data(), h.data(), static_cast<T>(dt), yp);
  }
}
}  // namespace

void init_ncps_ltc(Module& m) {
  m.def(
      "ltc_sequence",
      [](const Tensor& input, const nb::dict& weights, std::optional<Tensor> h0, std::optional<Tensor> timespans,
         std::optional<std::string> im, std::optional<std::string> om, int64_t k, double eps, bool implicit,
         std::optional<int64_t> motor, bool fused) {
        auto r = fl::ncps::ltc_sequence(input, opt(h0), opt(timespans), ltc_weights_arg(weights),
                                        ltc_config_arg(im, om, k, eps, implicit, motor, fused));
        return std::make_pair(r.output, r.h);
      },
      "input"_a, "weights"_a, "h0"_a.none() = nb::none(), "timespans"_a.none() = nb::none(), FL_LTC_CONFIG_ARGS);
  m.def(
      "ltc_sequence_mixed_memory",
      [](const Tensor& input, const nb::dict& weights, const nb::dict& memory, std::optional<Tensor> h0,
         std::optional<Tensor> c0, std::optional<Tensor> timespans, std::optional<std::string> im,
         std::optional<std::string> om, int64_t k, double eps, bool implicit, std::optional<int64_t> motor,
         bool fused) {
        auto r = fl::ncps::ltc_sequence_mixed_memory(input, opt(h0), opt(c0), opt(timespans), ltc_weights_arg(weights),
                                                     lstm_weights_arg(memory),
                                                     ltc_config_arg(im, om, k, eps, implicit, motor, fused));
        return std::make_tuple(r.output, r.h, r.c);
      },
      "input"_a, "weights"_a, "memory"_a, "h0"_a.none() = nb::none(), "c0"_a.none() = nb::none(),
      "timespans"_a.none() = nb::none(), FL_LTC_CONFIG_ARGS);
  m.def(
      "ltc_cell_step",
      [](const Tensor& input, const Tensor& state, const nb::dict& weights, std::optional<Tensor> elapsed,
         std::optional<std::string> im, std::optional<std::string> om, int64_t k, double eps, bool implicit,
         std::optional<int64_t> motor, bool fused) {
        return fl::ncps::ltc_cell_step(input, state, ltc_weights_arg(weights),
                                       ltc_config_arg(im, om, k, eps, implicit, motor, fused), opt(elapsed));
      },
      "input"_a, "state"_a, "weights"_a, "elapsed_time"_a.none() = nb::none(), FL_LTC_CONFIG_ARGS);
  m.def(
      "lstm_memory_step",
      [](const Tensor& x, const Tensor& h, const Tensor& c, const nb::dict& memory) {
        return fl::ncps::lstm_memory_step(x, h, c, lstm_weights_arg(memory));
      },
      "input"_a, "h"_a, "c"_a, "memory"_a);
  m.def(
      "ltc_apply_weight_constraints",
      [](const nb::dict& weights) {
        LTCWeights w = ltc_weights_arg(weights);
        fl::ncps::ltc_apply_weight_constraints(w);
      },
      "weights"_a);

  nb::class_<fl::ncps::LTCStepper>(m, "LTCStepper",
                                   "Single-step LTC inference: weights prepared once, no graph, no allocation in "
                                   "step_into.")
      .def(
          "__init__",
          [](fl::ncps::LTCStepper* self, const nb::dict& weights, std::optional<nb::dict> memory, int64_t batch,
             std::optional<std::string> im, std::optional<std::string> om, int64_t k, double eps, bool implicit,
             std::optional<int64_t> motor, bool fused) {
            LTCConfig c = ltc_config_arg(im, om, k, eps, implicit, motor, fused);
            if (memory)
              new (self) fl::ncps::LTCStepper(ltc_weights_arg(weights), lstm_weights_arg(*memory), c, batch);
            else
              new (self) fl::ncps::LTCStepper(ltc_weights_arg(weights), c, batch);
          },
          "weights"_a, "memory"_a.none() = nb::none(), "batch"_a = 1, FL_LTC_CONFIG_ARGS)
      .def(
          "refresh",
          [](fl::ncps::LTCStepper& s, const nb::dict& weights, std::optional<nb::dict> memory) {
            if (memory)
              s.refresh(ltc_weights_arg(weights), lstm_weights_arg(*memory));
            else
              s.refresh(ltc_weights_arg(weights));
          },
          "weights"_a, "memory"_a.none() = nb::none())
      .def(
          "step",
          [](fl::ncps::LTCStepper& s, const Tensor& x, const Tensor& state, double dt) { return s.step(x, state, dt); },
          "x"_a, "state"_a, "dt"_a = 1.0, "Returns (output, next state).")
      .def(
          "step",
          [](fl::ncps::LTCStepper& s, const Tensor& x, const Tensor& h, const Tensor& c, double dt) {
            return s.step(x, h, c, dt);
          },
          "x"_a, "h"_a, "c"_a, "dt"_a = 1.0, "Mixed memory: returns (output, next h, next c).")
      .def("step_into", &step_into<float>, "x"_a, "state"_a, "c"_a.none() = nb::none(), "dt"_a = 1.0,
           "y"_a.none() = nb::none())
      .def("step_into", &step_into<double>, "x"_a, "state"_a, "c"_a.none() = nb::none(), "dt"_a = 1.0,
           "y"_a.none() = nb::none(),
           "Advances numpy buffers in place: x (batch, D), state (batch, N), c (mixed memory), y (batch, M).")
      .def_prop_ro("batch", &fl::ncps::LTCStepper::batch)
      .def_prop_ro("input_size", &fl::ncps::LTCStepper::input_size)
      .def_prop_ro("state_size", &fl::ncps::LTCStepper::state_size)
      .def_prop_ro("output_size", &fl::ncps::LTCStepper::output_size)
      .def_prop_ro("mixed_memory", &fl::ncps::LTCStepper::mixed_memory)
      .def_prop_ro("dtype", &fl::ncps::LTCStepper::dtype);
}

}  // namespace flpy
