// Argument conversion for torch.nn.functional's spatial ops: ints-or-tuples, conv padding strings, adaptive
// output sizes with None entries. TypeError (as PyTorch's argument parser) for anything else.
#pragma once
#include "bind.h"
#include "fl/nn/functional/args.h"

namespace flpy {

/// An int, or a tuple/list of ints, for argument `name` of `op`.
inline fl::Shape int_list_arg(nb::handle h, const char* op, const char* name) {
  auto fail = [&] {
    return fl::TypeError(std::string(op) + "(): argument '" + name + "' must be tuple of ints, not " + py_type_name(h));
  };
  if (PyFloat_Check(h.ptr()) || PyBool_Check(h.ptr())) throw fail();
  if (nb::hasattr(h, "__index__") && !PySequence_Check(h.ptr())) return {int_arg(h, name)};
  if (!(nb::isinstance<nb::tuple>(h) || nb::isinstance<nb::list>(h))) throw fail();
  fl::Shape s;
  for (nb::handle e : h) {
    if (PyFloat_Check(e.ptr()) || PyBool_Check(e.ptr()) || !nb::hasattr(e, "__index__")) throw fail();
    s.push_back(int_arg(e, name));
  }
  return s;
}

inline fl::nn::functional::ExpandingArray expanding_arg(nb::handle h, const char* op, const char* name) {
  return fl::nn::functional::ExpandingArray(int_list_arg(h, op, name));
}

/// conv padding: 'valid' / 'same' or ints.
inline fl::nn::functional::ConvPadding conv_padding_arg(nb::handle h, const char* op) {
  if (nb::isinstance<nb::str>(h)) return fl::nn::functional::ConvPadding(nb::cast<std::string>(h));
  return fl::nn::functional::ConvPadding(int_list_arg(h, op, "padding"));
}

/// An adaptive pool's output_size: int, or a tuple/list whose entries are ints or None.
inline fl::nn::functional::OutputSize output_size_arg(nb::handle h, const char* op) {
  auto fail = [&] {
    return fl::TypeError(std::string(op) + "(): argument 'output_size' must be tuple of ints, not " + py_type_name(h));
  };
  if (nb::hasattr(h, "__index__") && !PyFloat_Check(h.ptr()) && !PySequence_Check(h.ptr()))
    return fl::nn::functional::OutputSize(int_arg(h, "output_size"));
  if (!(nb::isinstance<nb::tuple>(h) || nb::isinstance<nb::list>(h))) throw fail();
  std::vector<std::optional<int64_t>> v;
  for (nb::handle e : h) {
    if (e.is_none())
      v.push_back(std::nullopt);
    else if (PyFloat_Check(e.ptr()) || !nb::hasattr(e, "__index__"))
      throw fail();
    else
      v.push_back(int_arg(e, "output_size"));
  }
  return fl::nn::functional::OutputSize(std::move(v));
}

/// A (values, indices) pair as the plain tuple torch returns, or the values alone.
inline nb::object maybe_with_indices(const std::pair<fl::Tensor, fl::Tensor>& r, bool return_indices) {
  if (return_indices) return nb::make_tuple(r.first, r.second);
  return nb::cast(r.first);
}

}  // namespace flpy
