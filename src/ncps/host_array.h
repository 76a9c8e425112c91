// The steppers' Tensor overloads: reading inputs and making outputs on the calling thread.
#pragma once
#include <mlx/allocator.h>
#include <mlx/ops.h>
#include <mlx/transforms.h>

#include <cstring>
#include <vector>

#include "fl/tensor.h"
#include "ops/op_utils.h"

namespace fl::ncps::detail {

/// An evaluated row-major array of t's values as dtype dt: t's own buffer when it already is one. A step on
/// computed inputs then costs no MLX evaluation (each is a hand-off to MLX's stream thread and back: 10-100 us on
/// the 2-vCPU VM, against ~1 us for the step itself).
inline mlx::core::array host_array(const Tensor& t, Dtype dt) {
  mlx::core::array a = t.mlx();
  if (a.is_available() && !a.is_tracer() && a.flags().row_contiguous && a.dtype() == to_mlx(dt)) return a;
  a = mlx::core::contiguous(cast(a, dt));
  mlx::core::eval(a);
  return a;
}

/// An evaluated array of `shape` whose buffer the caller fills (optionally with a copy of `src`'s bytes).
inline mlx::core::array host_output(const Shape& shape, Dtype dt, const void* src = nullptr) {
  size_t n = 1;
  for (int64_t s : shape) n *= static_cast<size_t>(s);
  mlx::core::array a(mlx::core::allocator::malloc(n * mlx::core::size_of(to_mlx(dt))), to_mx_shape(shape), to_mlx(dt));
  if (src) std::memcpy(a.data<void>(), src, a.nbytes());
  return a;
}

/// Output buffers a stepper hands out, taken back once nothing else holds them: in a control loop that drops each
/// step's results (or passes them back in as the next state) the Tensor step then allocates no array memory
/// (malloc, MLX's allocator and its array descriptors were ~15% of a CfC step). A buffer is reused only when this
/// cache holds the sole reference to its array and to its data (no Tensor, view, lazy graph node or numpy view
/// left), so nothing else can see it change.
class OutputCache {
 public:
  mlx::core::array take(const Shape& shape, Dtype dt, const void* src = nullptr) {
    const mlx::core::Dtype mdt = to_mlx(dt);
    for (mlx::core::array& a : arrays_) {
      if (!a.is_donatable() || a.dtype() != mdt || a.ndim() != shape.size()) continue;
      bool same = true;
      for (size_t i = 0; i < shape.size() && same; ++i) same = a.shape(static_cast<int>(i)) == shape[i];
      if (!same) continue;
      if (src) std::memcpy(a.data<void>(), src, a.nbytes());
      return a;
    }
    mlx::core::array a = host_output(shape, dt, src);
    if (arrays_.size() < kMax) arrays_.push_back(a);
    return a;
  }

 private:
  // A step's outputs (y, h, c) and the previous step's, which the caller holds while passing them back in.
  static constexpr size_t kMax = 8;
  std::vector<mlx::core::array> arrays_;
};

}  // namespace fl::ncps::detail
