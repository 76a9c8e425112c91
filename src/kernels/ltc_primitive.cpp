// The fused LTC sequence as two MLX primitives: LTCSequence (forward; its 4th output is the tape the backward
// reads: every unfold's state and reciprocal denominator, the LSTM gates and cell states) and LTCSequenceGrad
// (backward through time, every input's gradient at once). Both run the C++ kernel of ltc_cpu.cpp on MLX's CPU
// stream, as gemm.cpp's Gemm does.
#include <mlx/allocator.h>
#include <mlx/backend/cpu/encoder.h>
#include <mlx/ops.h>
#include <mlx/primitives.h>

#include <memory>
#include <stdexcept>

#include "kernels/line_array.h"
#include "kernels/ltc_kernel.h"
#include "kernels/ltc_op.h"

namespace fl::kernels::ltc {
namespace mx = mlx::core;

namespace {

Dims dims_of(const std::vector<mx::array>& in, const OpConfig& c) {
  Dims d;
  d.B = in[kX].shape(0);
  d.L = in[kX].shape(1);
  d.D = in[kX].shape(2);
  d.N = in[kGleak].shape(0);
  d.M = c.motor_size;
  d.K = c.ode_unfolds;
  d.mixed = c.mixed_memory;
  return d;
}

int64_t tape_size(const Dims& d) { return d.L * ((2 * d.K + 1) * d.N + (d.mixed ? 5 * d.N : 0)) * d.B; }

template <typename T>
Ptrs<T> pointers(const std::vector<mx::array>& in) {
  Ptrs<T> p{};
  for (int i = 0; i < kNumSlots; ++i) p[i] = in[i].size() ? in[i].data<T>() : nullptr;
  return p;
}

void prepare(mx::Stream s, const std::vector<mx::array>& in, std::vector<mx::array>& out) {
  for (auto& a : in)
    if (a.size() && !a.flags().row_contiguous) throw std::runtime_error("LTCSequence: inputs must be row-contiguous");
  for (auto& o : out) set_line_data(o);
  auto& enc = mx::cpu::get_command_encoder(s);
  for (auto& a : in) enc.set_input_array(a);
  for (auto& o : out) enc.set_output_array(o);
}

mx::array row_contiguous(const mx::array& a) {
  return a.is_available() && a.flags().row_contiguous ? a : mx::contiguous(a);
}

std::vector<mx::array> make_forward(const std::vector<mx::array>& inputs, const OpConfig& c, bool tape,
                                    std::shared_ptr<TapeMemo> memo = nullptr);

class LTCSequenceGrad : public mx::Primitive {
 public:
  LTCSequenceGrad(mx::Stream s, const OpConfig& c) : mx::Primitive(s), cfg_(c) {}

  // inputs: the kNumSlots forward inputs, the tape, and the cotangents of y, hT, cT.
  void eval_cpu(const std::vector<mx::array>& in, std::vector<mx::array>& out) override {
    prepare(stream(), in, out);
    if (in[kX].dtype() == mx::float32)
      run<float>(in, out);
    else
      run<double>(in, out);
  }
  void eval_gpu(const std::vector<mx::array>&, std::vector<mx::array>&) override {
    throw std::runtime_error("LTCSequenceGrad has no GPU kernel: off the CPU, ltc_sequence uses the composition");
  }
  std::vector<mx::array> vjp(const std::vector<mx::array>&, const std::vector<mx::array>&, const std::vector<int>&,
                             const std::vector<mx::array>&) override {
    throw std::runtime_error(
        "the fused LTC sequence is differentiable once: for higher-order gradients use the reference composition "
        "(LTCConfig::fused = false)");
  }
  const char* name() const override { return "LTCSequenceGrad"; }

 private:
  template <typename T>
  void run(const std::vector<mx::array>& in, std::vector<mx::array>& out) {
    const Dims d = dims_of(in, cfg_);
    const Ptrs<T> p = pointers<T>(in);
    MutPtrs<T> g{};
    for (int i = 0; i < kNumSlots; ++i) g[i] = out[i].size() ? out[i].data<T>() : nullptr;
    const T *tape = in[kNumSlots].data<T>(), *gy = in[kNumSlots + 1].data<T>();
    const T *ghT = in[kNumSlots + 2].data<T>(), *gcT = d.mixed ? in[kNumSlots + 3].data<T>() : nullptr;
    const OpConfig c = cfg_;
    mx::cpu::get_command_encoder(stream()).dispatch([=]() {
      Model<T> m;
      build_model(m, d, c.epsilon, c.implicit_param_constraints, p);
      Workspace<T> ws;
      sequence_backward(m, ws, d, SequenceInputs<T>{p[kX], p[kH0], p[kC0], p[kTs]}, tape, gy, ghT, gcT, g);
    });
  }
  OpConfig cfg_;
};

class LTCSequence : public mx::Primitive {
 public:
  LTCSequence(mx::Stream s, const OpConfig& c, bool tape, std::shared_ptr<TapeMemo> memo)
      : mx::Primitive(s), cfg_(c), tape_(tape), memo_(std::move(memo)) {}

  void eval_cpu(const std::vector<mx::array>& in, std::vector<mx::array>& out) override {
    prepare(stream(), in, out);
    if (in[kX].dtype() == mx::float32)
      run<float>(in, out);
    else
      run<double>(in, out);
  }
  void eval_gpu(const std::vector<mx::array>&, std::vector<mx::array>&) override {
    throw std::runtime_error("LTCSequence has no GPU kernel: off the CPU, ltc_sequence uses the composition");
  }

  // The backward primitive reads the tape: this forward's own, the memo's (an earlier forward at the same inputs),
  // or else that of a forward run again with one.
  std::vector<mx::array> vjp(const std::vector<mx::array>& primals, const std::vector<mx::array>& cotangents,
                             const std::vector<int>& argnums, const std::vector<mx::array>& outputs) override {
    mx::array tape = tape_ ? outputs[3] : memo_ && memo_->tape ? *memo_->tape : make_forward(primals, cfg_, true)[3];
    std::vector<mx::array> in = primals;
    in.push_back(tape);
    for (int k = 0; k < 3; ++k) in.push_back(row_contiguous(cotangents[k]));
    std::vector<mx::Shape> shapes;
    std::vector<mx::Dtype> dtypes;
    for (auto& p : primals) {
      shapes.push_back(p.shape());
      dtypes.push_back(p.dtype());
    }
    auto grads =
        mx::array::make_arrays(std::move(shapes), dtypes, std::make_shared<LTCSequenceGrad>(stream(), cfg_), in);
    std::vector<mx::array> r;
    for (int a : argnums) r.push_back(grads[a]);
    return r;
  }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& in) override { return shapes(in, cfg_, tape_); }
  const char* name() const override { return "LTCSequence"; }

  static std::vector<mx::Shape> shapes(const std::vector<mx::array>& in, const OpConfig& c, bool tape) {
    const Dims d = dims_of(in, c);
    auto i = [](int64_t v) { return static_cast<int>(v); };
    return {{i(d.B), i(d.L), i(d.M)},
            {i(d.B), i(d.N)},
            d.mixed ? mx::Shape{i(d.B), i(d.N)} : mx::Shape{0},
            {i(tape ? tape_size(d) : 0)}};
  }

 private:
  template <typename T>
  void run(const std::vector<mx::array>& in, std::vector<mx::array>& out) {
    const Dims d = dims_of(in, cfg_);
    const Ptrs<T> p = pointers<T>(in);
    T *y = out[0].data<T>(), *hT = out[1].data<T>();
    T* cT = d.mixed ? out[2].data<T>() : nullptr;
    T* tape = tape_ ? out[3].data<T>() : nullptr;
    const OpConfig c = cfg_;
    mx::cpu::get_command_encoder(stream()).dispatch([=]() {
      Model<T> m;
      build_model(m, d, c.epsilon, c.implicit_param_constraints, p);
      Workspace<T> ws;
      sequence_forward(m, ws, d, SequenceInputs<T>{p[kX], p[kH0], p[kC0], p[kTs]}, y, hT, cT, tape);
    });
  }
  OpConfig cfg_;
  bool tape_;
  std::shared_ptr<TapeMemo> memo_;
};

std::vector<mx::array> make_forward(const std::vector<mx::array>& inputs, const OpConfig& c, bool tape,
                                    std::shared_ptr<TapeMemo> memo) {
  std::vector<mx::array> in;
  in.reserve(inputs.size());
  for (auto& a : inputs) in.push_back(row_contiguous(a));
  auto shapes = LTCSequence::shapes(in, c, tape);
  std::vector<mx::Dtype> dtypes(shapes.size(), in[kX].dtype());
  return mx::array::make_arrays(std::move(shapes), dtypes,
                                std::make_shared<LTCSequence>(mx::to_stream(mx::Device::cpu), c, tape, std::move(memo)),
                                in);
}

}  // namespace

std::vector<mx::array> sequence(const std::vector<mx::array>& inputs, const OpConfig& config,
                                const std::shared_ptr<TapeMemo>& memo) {
  if (inputs.size() != kNumSlots) throw std::invalid_argument("ltc::sequence: wrong number of inputs");
  bool tracing = false;
  for (auto& a : inputs) tracing |= a.is_tracer();
  std::vector<mx::array> out;
  if (memo && memo->tape) {
    out = make_forward(inputs, config, false, memo);  // the trace for a vjp: differentiate from the memo's tape
  } else if (memo && !tracing) {
    out = make_forward(inputs, config, true);  // the forward of an op that will be differentiated
    memo->tape = out[3];
  } else {
    out = make_forward(inputs, config, tracing);  // a tape only when traced for a vjp
  }
  out.erase(out.begin() + (config.mixed_memory ? 3 : 2), out.end());
  return out;
}

}  // namespace fl::kernels::ltc
