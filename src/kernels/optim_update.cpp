// The FusedUpdate primitive: one pass of an optimizer's elementwise kernel over a parameter and its state.
#include "kernels/optim_update.h"

#include <mlx/allocator.h>
#include <mlx/backend/cpu/encoder.h>
#include <mlx/ops.h>
#include <mlx/primitives.h>

#include <algorithm>
#include <stdexcept>

#include "kernels/elementwise_impl.h"
#include "kernels/optim_update_simd.h"
#include "kernels/simd.h"

namespace fl::kernels {
namespace mx = mlx::core;

namespace {

// A strided (broadcast, transposed, sliced) operand, gathered into a dense row-major buffer before the kernel.
struct Operand {
  const void* data;
  bool dense;
  mx::Shape shape;  // when not dense
  mx::Strides strides;
};

// A matrix stored column-major (a transposed view: the weight gradients of Linear layers come this way) is copied
// in 32x32 tiles, so that both the reads and the writes stay within a few cache lines.
template <typename T>
bool gather_transposed(const T* src, const Operand& op, T* dst) {
  const size_t nd = op.shape.size();
  if (nd != 2 || op.strides[0] != 1 || op.strides[1] != op.shape[0]) return false;
  const int64_t rows = op.shape[0], cols = op.shape[1];
  constexpr int64_t kTile = 32;
  for (int64_t i0 = 0; i0 < rows; i0 += kTile)
    for (int64_t j0 = 0; j0 < cols; j0 += kTile) {
      const int64_t i1 = std::min(rows, i0 + kTile), j1 = std::min(cols, j0 + kTile);
      for (int64_t i = i0; i < i1; ++i)
        for (int64_t j = j0; j < j1; ++j) dst[i * cols + j] = src[j * rows + i];
    }
  return true;
}

// Elements per OpenMP thread: an update streams 5-7 arrays, ~1 ns an element on one core.
constexpr size_t kGrain = size_t(1) << 15;

template <typename T>
void run_typed(const UpdateKernel& k, int64_t n, const std::vector<Operand>& ins, const std::vector<void*>& outs) {
  std::vector<std::vector<T>> bufs(ins.size());
  std::vector<const T*> in(ins.size());
  for (size_t i = 0; i < ins.size(); ++i) {
    const T* src = static_cast<const T*>(ins[i].data);
    if (ins[i].dense) {
      in[i] = src;
      continue;
    }
    bufs[i].resize(n);
    if (!gather_transposed(src, ins[i], bufs[i].data()))
      detail::copy_row_major(src, ins[i].shape, ins[i].strides, bufs[i].data());
    in[i] = bufs[i].data();
  }
  std::vector<T*> out(outs.size());
  for (size_t i = 0; i < outs.size(); ++i) out[i] = static_cast<T*>(outs[i]);
  // Elementwise: each thread runs the kernel over its own range of every array.
  detail::parallel_for(static_cast<size_t>(n), kGrain, [&](size_t lo, size_t hi) {
    std::vector<const T*> in_at(in.size());
    std::vector<T*> out_at(out.size());
    for (size_t i = 0; i < in.size(); ++i) in_at[i] = in[i] + lo;
    for (size_t i = 0; i < out.size(); ++i) out_at[i] = out[i] + lo;
    k.run(static_cast<int64_t>(hi - lo), in_at.data(), out_at.data());
  });
}

class FusedUpdate : public mx::Primitive {
 public:
  FusedUpdate(mx::Stream s, std::shared_ptr<const UpdateKernel> k, std::vector<int> donors)
      : mx::Primitive(s), kernel_(std::move(k)), donors_(std::move(donors)) {}

  void eval_cpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) override {
    auto& enc = mx::cpu::get_command_encoder(stream());
    std::vector<Operand> ins;
    for (auto& a : inputs) {
      enc.set_input_array(a);
      Operand op{a.data<void>(), a.flags().row_contiguous, {}, {}};
      if (!op.dense) {
        op.shape = a.shape();
        op.strides = a.strides();
      }
      ins.push_back(std::move(op));
    }
    // Every output of a multi-output primitive holds its own copy of the inputs until MLX detaches them after
    // this eval, so each input would look shared and never be donated. Only `inputs` (the evaluated output's) is
    // read from here on: drop the other outputs' copies now, so an input nothing else holds can be updated in place.
    if (!outputs[0].is_tracer())
      for (auto& o : outputs)
        if (&o.inputs() != &inputs) o.inputs().clear();
    std::vector<void*> outs;
    std::vector<bool> donated(inputs.size(), false);
    for (size_t i = 0; i < outputs.size(); ++i) {
      mx::array& o = outputs[i];
      const int d = i < donors_.size() ? donors_[i] : -1;
      if (d >= 0 && !donated[d] && inputs[d].is_donatable() && inputs[d].flags().row_contiguous &&
          inputs[d].dtype() == o.dtype() && inputs[d].data_size() == o.size()) {
        o.copy_shared_buffer(inputs[d]);
        donated[d] = true;
      } else {
        o.set_data(mx::allocator::malloc(o.nbytes()));
      }
      enc.set_output_array(o);
      outs.push_back(o.data<void>());
    }
    const int64_t n = static_cast<int64_t>(outputs[0].size());
    if (n == 0) return;
    const bool f64 = outputs[0].dtype() == mx::float64;
    enc.dispatch([k = kernel_, n, ins = std::move(ins), outs = std::move(outs), f64]() {
      if (f64)
        run_typed<double>(*k, n, ins, outs);
      else
        run_typed<float>(*k, n, ins, outs);
    });
  }
  void eval_gpu(const std::vector<mx::array>&, std::vector<mx::array>&) override {
    throw std::runtime_error("FusedUpdate has no GPU kernel");
  }
  const char* name() const override { return kernel_->name(); }
  // Two updates are never interchangeable (each call is one optimizer step).
  bool is_equivalent(const mx::Primitive&) const override { return false; }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override {
    return std::vector<mx::Shape>(num_outputs_, inputs[0].shape());
  }
  void set_num_outputs(int n) { num_outputs_ = n; }

 private:
  std::shared_ptr<const UpdateKernel> kernel_;
  std::vector<int> donors_;
  int num_outputs_ = 1;
};

}  // namespace

namespace simd {
const OptimIsa& optim_isa() {
  static const OptimIsa& chosen = [] {
    const Isa& k = isa();
    return &k == &isa_avx512() ? optim_isa_avx512() : &k == &isa_avx2() ? optim_isa_avx2() : optim_isa_base();
  }();
  return chosen;
}
}  // namespace simd

std::vector<mx::array> fused_update(std::shared_ptr<const UpdateKernel> kernel, std::vector<mx::array> inputs,
                                    int num_outputs, std::vector<int> donors) {
  if (inputs.empty() || num_outputs < 1) throw std::invalid_argument("fused_update: needs inputs and outputs");
  const mx::Dtype dt = inputs[0].dtype();
  const mx::Dtype compute = dt == mx::float64 ? mx::float64 : mx::float32;
  for (auto& a : inputs) {
    if (a.shape() != inputs[0].shape()) throw std::invalid_argument("fused_update: inputs differ in shape");
    if (a.dtype() != compute) a = mx::astype(a, compute);
  }
  auto prim = std::make_shared<FusedUpdate>(mx::to_stream(mx::Device::cpu), std::move(kernel), std::move(donors));
  prim->set_num_outputs(num_outputs);
  std::vector<mx::array> outs = mx::array::make_arrays(std::vector<mx::Shape>(num_outputs, inputs[0].shape()),
                                                       std::vector<mx::Dtype>(num_outputs, compute), prim, inputs);
  if (compute != dt)
    for (auto& o : outs) o = mx::astype(o, dt);
  return outs;
}

}  // namespace fl::kernels
