// flashlight._C._nn_init: fl/nn/init.h. Each initialiser returns its argument itself (the same Python object, a
// Parameter stays a Parameter), as torch.nn.init's do; `generator=` takes an fl.Generator.
#include "bind.h"
#include "fl/nn/init.h"

namespace flpy {

namespace {
namespace init = fl::nn::init;

fl::Tensor tensor_of(nb::handle h) {
  FL_CHECK_TYPE(nb::isinstance<fl::Tensor>(h), "expected a Tensor, but got ", py_type_name(h));
  return nb::cast<fl::Tensor>(h);
}

// Binds `name(tensor, extra...)`: runs f on the tensor and returns the argument object.
template <typename... Args, typename F, typename... Extra>
void def_init(Module& m, const char* name, F f, const Extra&... extra) {
  m.def(
      name,
      [f](nb::handle tensor, Args... args) -> nb::object {
        f(tensor_of(tensor), args...);
        return nb::borrow(tensor);
      },
      "tensor"_a, extra...);
}
}  // namespace

void init_nn_init(Module& m) {
  m.def(
      "calculate_gain",
      [](const std::string& nonlinearity, nb::handle param) -> nb::object {
        std::optional<double> slope;
        if (nonlinearity == "leaky_relu" && !param.is_none()) {
          bool number = !PyBool_Check(param.ptr()) && (PyLong_Check(param.ptr()) || PyFloat_Check(param.ptr()));
          FL_CHECK_VALUE(number, "negative_slope ", nb::str(param).c_str(), " not a valid number");
          slope = nb::cast<double>(param);
        }
        double gain = init::calculate_gain(nonlinearity, slope);
        // torch returns the int 1 for the linear family and sigmoid.
        if (nonlinearity != "leaky_relu" && gain == 1.0) return nb::int_(1);
        return nb::float_(gain);
      },
      "nonlinearity"_a, "param"_a = nb::none());
  m.def(
      "_calculate_fan_in_and_fan_out", [](nb::handle t) { return init::calculate_fan_in_and_fan_out(tensor_of(t)); },
      "tensor"_a);
  m.def(
      "_calculate_correct_fan",
      [](nb::handle t, const std::string& mode) { return init::calculate_correct_fan(tensor_of(t), mode); }, "tensor"_a,
      "mode"_a);

  auto gen = "generator"_a = nb::none();
  def_init<double, double, nb::handle>(
      m, "uniform_", [](fl::Tensor t, double a, double b, nb::handle g) { init::uniform_(t, a, b, generator_arg(g)); },
      "a"_a = 0.0, "b"_a = 1.0, gen);
  def_init<double, double, nb::handle>(
      m, "normal_",
      [](fl::Tensor t, double mean, double std, nb::handle g) { init::normal_(t, mean, std, generator_arg(g)); },
      "mean"_a = 0.0, "std"_a = 1.0, gen);
  def_init<double, double, double, double, nb::handle>(
      m, "trunc_normal_",
      [](fl::Tensor t, double mean, double std, double a, double b, nb::handle g) {
        init::trunc_normal_(t, mean, std, a, b, generator_arg(g));
      },
      "mean"_a = 0.0, "std"_a = 1.0, "a"_a = -2.0, "b"_a = 2.0, gen);
  def_init<fl::Scalar>(
      m, "constant_", [](fl::Tensor t, fl::Scalar v) { init::constant_(t, v); }, "val"_a);
  def_init<>(m, "zeros_", [](fl::Tensor t) { init::zeros_(t); });
  def_init<>(m, "ones_", [](fl::Tensor t) { init::ones_(t); });
  def_init<>(m, "eye_", [](fl::Tensor t) { init::eye_(t); });
  def_init<int64_t>(
      m, "dirac_", [](fl::Tensor t, int64_t groups) { init::dirac_(t, groups); }, "groups"_a = 1);
  def_init<double, nb::handle>(
      m, "xavier_uniform_",
      [](fl::Tensor t, double gain, nb::handle g) { init::xavier_uniform_(t, gain, generator_arg(g)); }, "gain"_a = 1.0,
      gen);
  def_init<double, nb::handle>(
      m, "xavier_normal_",
      [](fl::Tensor t, double gain, nb::handle g) { init::xavier_normal_(t, gain, generator_arg(g)); }, "gain"_a = 1.0,
      gen);
  def_init<double, std::string, std::string, nb::handle>(
      m, "kaiming_uniform_",
      [](fl::Tensor t, double a, std::string mode, std::string nl, nb::handle g) {
        init::kaiming_uniform_(t, a, mode, nl, generator_arg(g));
      },
      "a"_a = 0.0, "mode"_a = "fan_in", "nonlinearity"_a = "leaky_relu", gen);
  def_init<double, std::string, std::string, nb::handle>(
      m, "kaiming_normal_",
      [](fl::Tensor t, double a, std::string mode, std::string nl, nb::handle g) {
        init::kaiming_normal_(t, a, mode, nl, generator_arg(g));
      },
      "a"_a = 0.0, "mode"_a = "fan_in", "nonlinearity"_a = "leaky_relu", gen);
  def_init<double, nb::handle>(
      m, "orthogonal_", [](fl::Tensor t, double gain, nb::handle g) { init::orthogonal_(t, gain, generator_arg(g)); },
      "gain"_a = 1.0, gen);
  def_init<double, double, nb::handle>(
      m, "sparse_",
      [](fl::Tensor t, double sparsity, double std, nb::handle g) {
        init::sparse_(t, sparsity, std, generator_arg(g));
      },
      "sparsity"_a, "std"_a = 0.01, gen);
}

}  // namespace flpy
