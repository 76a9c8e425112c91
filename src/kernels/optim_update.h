// Fused optimizer updates: one MLX primitive that runs an elementwise kernel over a parameter, its gradient and its
// state in a single pass (CPU loop, float32/float64), producing the new parameter and state together.
#pragma once
#include <mlx/array.h>

#include <cstdint>
#include <memory>
#include <vector>

namespace fl::kernels {

/// An elementwise update: reads n elements of each input, writes n elements of each output (contiguous arrays).
struct UpdateKernel {
  virtual ~UpdateKernel() = default;
  virtual const char* name() const = 0;
  virtual void run(int64_t n, const float* const* in, float* const* out) const = 0;
  virtual void run(int64_t n, const double* const* in, double* const* out) const = 0;
};

/// Adapts a functor with `template <class T> void operator()(int64_t n, const T* const* in, T* const* out) const`.
template <class F>
class FunctorKernel final : public UpdateKernel {
 public:
  FunctorKernel(const char* name, F f) : name_(name), f_(std::move(f)) {}
  const char* name() const override { return name_; }
  void run(int64_t n, const float* const* in, float* const* out) const override { f_(n, in, out); }
  void run(int64_t n, const double* const* in, double* const* out) const override { f_(n, in, out); }

 private:
  const char* name_;
  F f_;
};

template <class F>
std::shared_ptr<const UpdateKernel> make_kernel(const char* name, F f) {
  return std::make_shared<FunctorKernel<F>>(name, std::move(f));
}

/// `num_outputs` arrays shaped and typed like inputs[0], computed by `kernel` in one pass over all inputs. Inputs
/// must share inputs[0]'s shape; they are cast to its dtype, and float16/bfloat16 run in float32. Inputs may have
/// any layout (broadcasts and strided views are gathered first). Output i may take over the buffer of input
/// donors[i] when nothing else holds that input (the update is then in place, as torch's); kernels read every input
/// of element i before writing element i.
std::vector<mlx::core::array> fused_update(std::shared_ptr<const UpdateKernel> kernel,
                                           std::vector<mlx::core::array> inputs, int num_outputs,
                                           std::vector<int> donors = {});

/// One fused_update's arguments.
struct Update {
  std::shared_ptr<const UpdateKernel> kernel;
  std::vector<mlx::core::array> inputs;
  int num_outputs;
  std::vector<int> donors;
};
/// Several fused_updates as one primitive (one task on MLX's stream for a whole optimizer step): each update's
/// outputs, in order.
std::vector<std::vector<mlx::core::array>> fused_updates(std::vector<Update> updates);

}  // namespace fl::kernels
