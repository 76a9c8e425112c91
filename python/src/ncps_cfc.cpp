// Bindings for fl/ncps/cfc.h in flashlight._C._ncps: the fused CfC sequence, its composition and the stepper. The
// weights come as a mapping from ncps.torch's state_dict names to Tensors, so a Module passes its own state_dict.
#include "ncps_args.h"

namespace flpy {
using fl::Tensor;
using namespace fl::ncps;

CfCWeights cfc_weights_arg(nb::handle mapping) {
  FL_CHECK_TYPE(nb::hasattr(mapping, "items"), "CfC weights must be a mapping from parameter names to Tensors, got ",
                py_type_name(mapping));
  std::map<std::string, Tensor> sd;
  for (nb::handle item : mapping.attr("items")()) {
    nb::handle key = item[0], value = item[1];
    FL_CHECK_TYPE(nb::isinstance<nb::str>(key), "CfC weights: parameter names must be str, got ", py_type_name(key));
    FL_CHECK_TYPE(nb::isinstance<Tensor>(value), "CfC weights: '", nb::cast<std::string>(key),
                  "' must be a Tensor, got ", py_type_name(value));
    sd.emplace(nb::cast<std::string>(key), nb::cast<Tensor>(value));
  }
  return CfCWeights::from_state_dict(sd);
}

CfCConfig cfc_config_arg(const std::string& mode, const std::string& activation, double dropout, bool training) {
  return CfCConfig{cfc_mode_from_string(mode), cfc_activation_from_string(activation), dropout, training};
}

namespace {
nb::tuple result(const CfCOutputs& o) {
  nb::object h = nb::cast(o.h), y = o.y.impl() == o.h.impl() ? h : nb::cast(o.y);  // the stepper's (h, h)
  return o.c.defined() ? nb::make_tuple(y, h, o.c) : nb::make_tuple(y, h);
}

template <typename F>
void def_sequence(Module& m, const char* name, F f) {
  m.def(
      name,
      [f](const Tensor& input, nb::handle weights, std::optional<Tensor> hx, std::optional<Tensor> cx,
          std::optional<Tensor> timespans, const std::string& mode, const std::string& activation,
          double backbone_dropout, bool training) {
        CfCWeights w = cfc_weights_arg(weights);
        return result(f(input, hx, cx, timespans, w, cfc_config_arg(mode, activation, backbone_dropout, training)));
      },
      "input"_a, "weights"_a, "hx"_a = nb::none(), "cx"_a = nb::none(), "timespans"_a = nb::none(),
      "mode"_a = "default", "activation"_a = "lecun_tanh", "backbone_dropout"_a = 0.0, "training"_a = false);
}
}  // namespace

void init_ncps_cfc(Module& m) {
  def_sequence(m, "cfc_sequence", &cfc_sequence_full);
  def_sequence(m, "cfc_sequence_reference", &cfc_sequence_reference);

  nb::class_<CfCStepper>(m, "CfCStepper",
                         "Single-step CfC inference for control loops: weights laid out once, no graph recorded.")
      .def(
          "__init__",
          [](CfCStepper* self, nb::handle weights, const std::string& mode, const std::string& activation) {
            new (self) CfCStepper(cfc_weights_arg(weights), cfc_config_arg(mode, activation, 0.0, false));
          },
          "weights"_a, "mode"_a = "default", "activation"_a = "lecun_tanh")
      .def(
          "step",
          [](CfCStepper& s, const Tensor& input, const Tensor& hx, std::optional<Tensor> cx, double dt) {
            return result(s.step(input, hx, cx, dt));
          },
          "input"_a, "hx"_a, "cx"_a = nb::none(), "dt"_a = 1.0,
          "One step from input (B, I) or (I,) and state hx (and cx with mixed memory): (y, h) or (y, h, c).")
      .def_prop_ro("dtype", &CfCStepper::dtype)
      .def_prop_ro("input_size", &CfCStepper::input_size)
      .def_prop_ro("state_size", &CfCStepper::state_size)
      .def_prop_ro("output_size", &CfCStepper::output_size)
      .def_prop_ro("mixed_memory", &CfCStepper::mixed_memory);
}

}  // namespace flpy
