// Shared by the fused CfC op, its composition and the stepper: argument checks and the kernel's shapes.
#pragma once
#include <vector>

#include "fl/ncps/cfc.h"
#include "kernels/cfc_kernel.h"
#include "kernels/line_buffer.h"

namespace fl::ncps::detail {

/// Checked arguments: initial states filled with zeros when absent, timespans as (B, L).
struct SequenceArgs {
  kernels::cfc::Dims dims;
  Tensor h0, c0, ts;
};

/// Checks every weight's shape, dtype and device against the layer chain; Dims without B and L.
kernels::cfc::Dims check_weights(const CfCWeights& w, const CfCConfig& cfg, int64_t batch, int64_t input_size,
                                 Dtype dtype, const Device& device);
SequenceArgs check_sequence(const Tensor& x, const std::optional<Tensor>& h0, const std::optional<Tensor>& c0,
                            const std::optional<Tensor>& timespans, const CfCWeights& w, const CfCConfig& cfg);
/// A stepper's buffer: its data starts on a cache line (see kernels/line_buffer.h).
template <typename T>
using Buffer = kernels::LineBuffer<T>;

/// t's values in row-major order as T (the steppers' weight snapshots).
template <typename T>
Buffer<T> values(const Tensor& t) {
  std::vector<T> v = t.detach().to(dtype_of<T>()).template tolist<T>();
  return Buffer<T>(v.begin(), v.end());
}

/// W (rows x cols) as its transpose (cols x rows), row-major: the layout of kernels::cfc::gemv_t.
template <typename T>
Buffer<T> transposed(const Tensor& W) {
  const int64_t rows = W.size(0), cols = W.size(1);
  Buffer<T> v = values<T>(W), t(v.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) t[c * rows + r] = v[r * cols + c];
  return t;
}

/// W * mask (mask in W's dtype), or W without a mask.
Tensor masked(const Tensor& W, const Tensor& mask);
/// The composition over checked arguments.
CfCOutputs reference_sequence(const SequenceArgs& a, const Tensor& x, const CfCWeights& w, const CfCConfig& cfg);

}  // namespace fl::ncps::detail
