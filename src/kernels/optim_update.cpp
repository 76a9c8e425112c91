// The FusedUpdate primitive: one pass of an optimizer's elementwise kernel over a parameter and its state.
#include "kernels/optim_update.h"

#include <mlx/allocator.h>
#include <mlx/backend/cpu/encoder.h>
#include <mlx/ops.h>
#include <mlx/primitives.h>

#include <stdexcept>

namespace fl::kernels {
namespace mx = mlx::core;

namespace {

// A strided (broadcast, transposed, sliced) array copied into a dense row-major buffer.
struct Layout {
  std::vector<int64_t> shape, strides;
};

template <typename T>
void gather(const T* src, const Layout& l, T* dst) {
  const size_t nd = l.shape.size();
  if (nd == 0) {
    dst[0] = src[0];
    return;
  }
  std::vector<int64_t> idx(nd, 0);
  int64_t inner = l.shape[nd - 1], s_inner = l.strides[nd - 1];
  int64_t outer = 1;
  for (size_t d = 0; d + 1 < nd; ++d) outer *= l.shape[d];
  int64_t off = 0;
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < inner; ++j) *dst++ = src[off + j * s_inner];
    for (int d = static_cast<int>(nd) - 2; d >= 0; --d) {
      off += l.strides[d];
      if (++idx[d] < l.shape[d]) break;
      off -= l.strides[d] * l.shape[d];
      idx[d] = 0;
    }
  }
}

struct Operand {
  const void* data;
  bool dense;
  Layout layout;  // when not dense
};

template <typename T>
void run_typed(const UpdateKernel& k, int64_t n, const std::vector<Operand>& ins, const std::vector<void*>& outs) {
  std::vector<std::vector<T>> bufs(ins.size());
  std::vector<const T*> in(ins.size());
  for (size_t i = 0; i < ins.size(); ++i) {
    if (ins[i].dense) {
      in[i] = static_cast<const T*>(ins[i].data);
    } else {
      bufs[i].resize(n);
      gather(static_cast<const T*>(ins[i].data), ins[i].layout, bufs[i].data());
      in[i] = bufs[i].data();
    }
  }
  std::vector<T*> out(outs.size());
  for (size_t i = 0; i < outs.size(); ++i) out[i] = static_cast<T*>(outs[i]);
  k.run(n, in.data(), out.data());
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
      Operand op{a.data<void>(), a.flags().row_contiguous, {}};
      if (!op.dense) {
        op.layout.shape.assign(a.shape().begin(), a.shape().end());
        op.layout.strides.assign(a.strides().begin(), a.strides().end());
      }
      ins.push_back(std::move(op));
    }
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
