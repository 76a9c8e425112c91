// TensorOptions: dtype, device and requires_grad for creation functions, as libtorch's.
#pragma once
#include <optional>

#include "fl/device.h"
#include "fl/dtype.h"
#include "fl/memory_format.h"

namespace fl {

/// torch::TensorOptions: an optional dtype and device and a requires_grad flag, built by chaining
/// `TensorOptions().dtype(kFloat64).requires_grad()`; a Dtype or Device converts to it implicitly.
struct TensorOptions {
  TensorOptions() = default;
  TensorOptions(Dtype d) : dtype_(d) {}
  TensorOptions(const Device& d) : device_(d) {}
  /// A copy with the dtype set.
  TensorOptions dtype(Dtype d) const {
    auto o = *this;
    o.dtype_ = d;
    return o;
  }
  /// A copy with the device set.
  TensorOptions device(const Device& d) const {
    auto o = *this;
    o.device_ = d;
    return o;
  }
  /// A copy with requires_grad set.
  TensorOptions requires_grad(bool r = true) const {
    auto o = *this;
    o.requires_grad_ = r;
    return o;
  }
  /// For the *_like functions: the strides of the result (preserve_format when unset).
  TensorOptions memory_format(MemoryFormat f) const {
    auto o = *this;
    o.memory_format_ = f;
    return o;
  }
  /// The dtype if one was set.
  std::optional<Dtype> dtype_opt() const { return dtype_; }
  /// The memory format, preserve_format when unset.
  MemoryFormat memory_format_or_preserve() const { return memory_format_.value_or(MemoryFormat::Preserve); }
  /// The dtype, else get_default_dtype().
  Dtype dtype_or_default() const { return dtype_.value_or(get_default_dtype()); }
  /// The device, else default_device().
  Device device_or_default() const { return device_.value_or(default_device()); }
  /// The requires_grad flag (false unless set).
  bool requires_grad_flag() const { return requires_grad_; }

 private:
  std::optional<Dtype> dtype_;
  std::optional<Device> device_;
  bool requires_grad_ = false;
  std::optional<MemoryFormat> memory_format_;
};

}  // namespace fl
