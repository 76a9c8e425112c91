// Output buffers of Flashlight's primitives with their data on a 64-byte cache line. MLX's CPU allocator puts a
// size header before each buffer (8-byte alignment), so every 64-byte vector load or store of a kernel's sweep
// would straddle two lines: ~8% of a CfC training step, and MKL's GEMMs prefer aligned operands too.
#pragma once
#include <mlx/allocator.h>
#include <mlx/array.h>

#include <cstdint>
#include <stdexcept>

namespace fl::kernels {

/// Outputs smaller than this span a few lines at most: they get MLX's buffer as it comes.
inline constexpr size_t kLinePadMin = 512;

/// Gives `out` a fresh buffer of `data_size` elements laid out as `strides` / `flags` describe, its first element on
/// a 64-byte line (the buffer is 64 bytes larger; MLX's set_data takes the offset in bytes since 0.2x).
inline void set_line_data(mlx::core::array& out, size_t data_size, const mlx::core::Strides& strides,
                          mlx::core::array::Flags flags) {
  namespace mx = mlx::core;
  const size_t bytes = data_size * out.itemsize();
  if (bytes < kLinePadMin) {
    out.set_data(mx::allocator::malloc(bytes), data_size, strides, flags);
    return;
  }
  mx::allocator::Data d = mx::allocator::malloc(bytes + 64);
  char* raw = static_cast<char*>(d.buffer().raw_ptr());
  const int64_t skip = static_cast<int64_t>((64 - reinterpret_cast<uintptr_t>(raw) % 64) % 64);
  out.set_data(std::move(d), data_size, strides, flags, skip);
  // Checked before any kernel writes: an MLX that counted the offset in elements would put the data past the pad.
  if (out.data<char>() != raw + skip) throw std::logic_error("set_line_data: MLX's buffer offset is not in bytes");
}

/// A fresh row-major buffer for `out`, on a line (as MLX's set_data(malloc(nbytes)), which sets the same flags).
inline void set_line_data(mlx::core::array& out) {
  if (out.nbytes() < kLinePadMin) {
    out.set_data(mlx::core::allocator::malloc(out.nbytes()));
    return;
  }
  int non_unit = 0;
  for (int v : out.shape()) non_unit += v != 1;
  mlx::core::Strides strides(out.ndim(), 1);
  for (int i = static_cast<int>(out.ndim()) - 2; i >= 0; --i) strides[i] = strides[i + 1] * out.shape(i + 1);
  set_line_data(out, out.size(), strides, {true, true, non_unit <= 1});
}

/// An evaluated (available) row-major array of `shape` whose buffer the caller fills, on a line.
inline mlx::core::array line_array(const mlx::core::Shape& shape, mlx::core::Dtype dt) {
  size_t n = 1;
  for (int v : shape) n *= static_cast<size_t>(v);
  // Small outputs (the tiny-op fast path, where ~30 ns count) take MLX's plain constructor.
  if (n * mlx::core::size_of(dt) < kLinePadMin)
    return mlx::core::array(mlx::core::allocator::malloc(n * mlx::core::size_of(dt)), shape, dt);
  mlx::core::array a(shape, dt, nullptr, {});
  set_line_data(a);
  a.set_status(mlx::core::array::Status::available);
  return a;
}

}  // namespace fl::kernels
