// flashlight._C._nn: interpolate and the deprecated upsample wrappers (include/fl/nn/functional/vision.h).
#include "fl/nn/functional/vision.h"
#include "nn_args.h"

namespace flpy {
namespace F = fl::nn::functional;
using fl::Tensor;

namespace {
F::ExpandingArray size_arg_of(nb::handle h) {
  if (h.is_none()) return {};
  if ((nb::isinstance<nb::tuple>(h) || nb::isinstance<nb::list>(h))) {
    for (nb::handle e : h)
      FL_CHECK_TYPE(!PyFloat_Check(e.ptr()) && nb::hasattr(e, "__index__"),
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, int], but "
                    "got size with types ",
                    nb::cast<std::string>(nb::str(nb::list(nb::iter(h)))));
  }
  return expanding_arg(h, "interpolate", "size");
}

F::ScaleFactors scale_arg_of(nb::handle h) {
  if (h.is_none()) return {};
  if (nb::isinstance<nb::tuple>(h) || nb::isinstance<nb::list>(h)) {
    std::vector<double> v;
    for (nb::handle e : h) v.push_back(nb::cast<double>(nb::float_(e)));
    return F::ScaleFactors(std::move(v));
  }
  FL_CHECK_TYPE(is_number(h), "interpolate(): scale_factor must be a float or a tuple of floats, not ",
                py_type_name(h));
  return F::ScaleFactors(nb::cast<double>(nb::float_(h)));
}

Tensor interpolate(const Tensor& input, nb::handle size, nb::handle scale_factor, const std::string& mode,
                   std::optional<bool> align_corners, std::optional<bool> recompute_scale_factor, bool antialias) {
  return F::interpolate(input, size_arg_of(size), scale_arg_of(scale_factor), mode, align_corners,
                        recompute_scale_factor, antialias);
}
}  // namespace

void init_nn_vision(Module& m) {
  m.def("interpolate", &interpolate, "input"_a, "size"_a = nb::none(), "scale_factor"_a = nb::none(),
        "mode"_a = "nearest", "align_corners"_a = nb::none(), "recompute_scale_factor"_a = nb::none(),
        "antialias"_a = false);
  m.def(
      "upsample",
      [](const Tensor& input, nb::handle size, nb::handle scale_factor, const std::string& mode,
         std::optional<bool> align_corners) {
        return interpolate(input, size, scale_factor, mode, align_corners, std::nullopt, false);
      },
      "input"_a, "size"_a = nb::none(), "scale_factor"_a = nb::none(), "mode"_a = "nearest",
      "align_corners"_a = nb::none());
  m.def(
      "upsample_nearest",
      [](const Tensor& input, nb::handle size, nb::handle scale_factor) {
        return interpolate(input, size, scale_factor, "nearest", std::nullopt, std::nullopt, false);
      },
      "input"_a, "size"_a = nb::none(), "scale_factor"_a = nb::none());
  m.def(
      "upsample_bilinear",
      [](const Tensor& input, nb::handle size, nb::handle scale_factor) {
        return interpolate(input, size, scale_factor, "bilinear", true, std::nullopt, false);
      },
      "input"_a, "size"_a = nb::none(), "scale_factor"_a = nb::none());
}

}  // namespace flpy
