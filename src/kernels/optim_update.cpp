// The FusedUpdate primitive: one pass of an optimizer's elementwise kernel over a parameter and its state.
#include "kernels/optim_update.h"

#include <mlx/allocator.h>
#include <mlx/backend/cpu/encoder.h>
#include <mlx/ops.h>
#include <mlx/primitives.h>

#include <algorithm>
#include <stdexcept>

#include "kernels/elementwise_impl.h"
#include "kernels/line_array.h"
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

// Several updates (one per parameter, as a rule) in one primitive, so that a whole optimizer step is one task on
// MLX's stream. Inputs and outputs are the updates' own, concatenated in order.
class FusedUpdate : public mx::Primitive {
 public:
  struct Part {
    std::shared_ptr<const UpdateKernel> kernel;
    int num_inputs, num_outputs;
    std::vector<int> donors;
  };
  FusedUpdate(mx::Stream s, std::vector<Part> parts) : mx::Primitive(s), parts_(std::move(parts)) {}

  void eval_cpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) override {
    auto& enc = mx::cpu::get_command_encoder(stream());
    // Every output of a multi-output primitive holds its own copy of the inputs until MLX detaches them after
    // this eval, so each input would look shared and never be donated. Only `inputs` (the evaluated output's) is
    // read from here on: drop the other outputs' copies now, so an input nothing else holds can be updated in place.
    if (!outputs[0].is_tracer())
      for (auto& o : outputs)
        if (&o.inputs() != &inputs) o.inputs().clear();
    struct Job {
      const UpdateKernel* kernel;
      int64_t n;
      bool f64;
      std::vector<Operand> ins;
      std::vector<void*> outs;
    };
    std::vector<Job> jobs;
    size_t in0 = 0, out0 = 0;
    for (const Part& part : parts_) {
      Job job{
          part.kernel.get(), static_cast<int64_t>(outputs[out0].size()), outputs[out0].dtype() == mx::float64, {}, {}};
      for (int i = 0; i < part.num_inputs; ++i) {
        const mx::array& a = inputs[in0 + i];
        enc.set_input_array(a);
        Operand op{a.data<void>(), a.flags().row_contiguous, {}, {}};
        if (!op.dense) {
          op.shape = a.shape();
          op.strides = a.strides();
        }
        job.ins.push_back(std::move(op));
      }
      std::vector<bool> donated(part.num_inputs, false);
      for (int i = 0; i < part.num_outputs; ++i) {
        mx::array& o = outputs[out0 + i];
        const int d = i < static_cast<int>(part.donors.size()) ? part.donors[i] : -1;
        const mx::array* in = d >= 0 ? &inputs[in0 + d] : nullptr;
        if (in && !donated[d] && in->is_donatable() && in->flags().row_contiguous && in->dtype() == o.dtype() &&
            in->data_size() == o.size()) {
          o.copy_shared_buffer(*in);
          donated[d] = true;
        } else {
          set_line_data(o);
        }
        enc.set_output_array(o);
        job.outs.push_back(o.data<void>());
      }
      in0 += part.num_inputs;
      out0 += part.num_outputs;
      if (job.n > 0) jobs.push_back(std::move(job));
    }
    if (jobs.empty()) return;
    enc.dispatch([jobs = std::move(jobs), keep = parts_]() {
      for (const Job& j : jobs) {
        if (j.f64)
          run_typed<double>(*j.kernel, j.n, j.ins, j.outs);
        else
          run_typed<float>(*j.kernel, j.n, j.ins, j.outs);
      }
    });
  }
  void eval_gpu(const std::vector<mx::array>&, std::vector<mx::array>&) override {
    throw std::runtime_error("FusedUpdate has no GPU kernel");
  }
  const char* name() const override { return parts_.size() == 1 ? parts_[0].kernel->name() : "FusedUpdates"; }
  // Two updates are never interchangeable (each call is one optimizer step).
  bool is_equivalent(const mx::Primitive&) const override { return false; }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override {
    std::vector<mx::Shape> shapes;
    size_t in0 = 0;
    for (const Part& part : parts_) {
      for (int i = 0; i < part.num_outputs; ++i) shapes.push_back(inputs[in0].shape());
      in0 += part.num_inputs;
    }
    return shapes;
  }

 private:
  std::vector<Part> parts_;
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

namespace {
// Each output of a primitive holds a copy of all its inputs and a list of its siblings, so one primitive's graph
// grows with the square of its updates: past a few, more primitives (one task each) cost less.
constexpr size_t kMaxPartsPerPrimitive = 8;

std::vector<std::vector<mx::array>> fused_chunk(std::vector<Update> updates) {
  std::vector<FusedUpdate::Part> parts;
  std::vector<mx::array> inputs;
  std::vector<mx::Shape> shapes;
  std::vector<mx::Dtype> dtypes, given;
  for (Update& u : updates) {
    if (u.inputs.empty() || u.num_outputs < 1) throw std::invalid_argument("fused_update: needs inputs and outputs");
    const mx::Dtype dt = u.inputs[0].dtype();
    const mx::Dtype compute = dt == mx::float64 ? mx::float64 : mx::float32;
    for (auto& a : u.inputs) {
      if (a.shape() != u.inputs[0].shape()) throw std::invalid_argument("fused_update: inputs differ in shape");
      if (a.dtype() != compute) a = mx::astype(a, compute);
    }
    for (int i = 0; i < u.num_outputs; ++i) {
      shapes.push_back(u.inputs[0].shape());
      dtypes.push_back(compute);
      given.push_back(dt);
    }
    parts.push_back({std::move(u.kernel), static_cast<int>(u.inputs.size()), u.num_outputs, std::move(u.donors)});
    inputs.insert(inputs.end(), std::make_move_iterator(u.inputs.begin()), std::make_move_iterator(u.inputs.end()));
  }
  if (parts.empty()) return {};
  auto prim = std::make_shared<FusedUpdate>(mx::to_stream(mx::Device::cpu), parts);
  std::vector<mx::array> outs = mx::array::make_arrays(std::move(shapes), dtypes, prim, inputs);
  std::vector<std::vector<mx::array>> result;
  size_t k = 0;
  for (const auto& part : parts) {
    std::vector<mx::array> r;
    for (int i = 0; i < part.num_outputs; ++i, ++k)
      r.push_back(given[k] != dtypes[k] ? mx::astype(outs[k], given[k]) : outs[k]);
    result.push_back(std::move(r));
  }
  return result;
}
}  // namespace

std::vector<std::vector<mx::array>> fused_updates(std::vector<Update> updates) {
  std::vector<std::vector<mx::array>> result;
  for (size_t i = 0; i < updates.size(); i += kMaxPartsPerPrimitive) {
    std::vector<Update> chunk(
        std::make_move_iterator(updates.begin() + i),
        std::make_move_iterator(updates.begin() + std::min(updates.size(), i + kMaxPartsPerPrimitive)));
    for (auto& r : fused_chunk(std::move(chunk))) result.push_back(std::move(r));
  }
  return result;
}

std::vector<mx::array> fused_update(std::shared_ptr<const UpdateKernel> kernel, std::vector<mx::array> inputs,
                                    int num_outputs, std::vector<int> donors) {
  std::vector<Update> one;
  one.push_back({std::move(kernel), std::move(inputs), num_outputs, std::move(donors)});
  return fused_updates(std::move(one))[0];
}

}  // namespace fl::kernels
