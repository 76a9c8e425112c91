// MLX primitives for the fused CfC sequence. CfCSequence computes {y, hT[, cT], workspace}; its vjp builds a
// CfCSequenceGrad node that reads the workspace and the cotangents and returns the gradients the vjp asks for.
#include "kernels/cfc_primitive.h"

#include <mlx/allocator.h>
#include <mlx/backend/cpu/encoder.h>
#include <mlx/ops.h>
#include <mlx/primitives.h>
#include <mlx/transforms.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "fl/error.h"
#include "kernels/line_array.h"

namespace fl::kernels::cfc {
namespace mx = mlx::core;

struct SavedForward {
  std::mutex m;
  std::vector<mx::array> inputs, outputs;  // outputs: y, hT[, cT], workspace

  // Whether `in` are the same buffers (same data pointers, shapes and strides) as the saved run's inputs. The saved
  // arrays keep those buffers alive, so an equal pointer means equal contents.
  bool matches(const std::vector<mx::array>& in) {
    if (outputs.empty() || in.size() != inputs.size()) return false;
    for (size_t i = 0; i < in.size(); ++i) {
      const mx::array &a = in[i], &b = inputs[i];
      if (a.shape() != b.shape() || a.strides() != b.strides() || a.dtype() != b.dtype()) return false;
      if (a.data<void>() != b.data<void>()) return false;
    }
    return true;
  }
};

std::shared_ptr<SavedForward> make_saved_forward() { return std::make_shared<SavedForward>(); }

namespace {

mx::Stream cpu_stream() { return mx::default_stream(mx::Device::cpu); }

// Row-major pointers to the arrays' data, copying the few that are strided: cotangents that MLX passes as broadcast
// values (the gradient of a mean, zeros for unused outputs) and transposed views.
template <typename T>
class Contiguous {
 public:
  explicit Contiguous(const std::vector<mx::array>& arrays) {
    copies_.resize(arrays.size());
    for (size_t i = 0; i < arrays.size(); ++i) {
      const mx::array& a = arrays[i];
      if (a.flags().row_contiguous || a.size() == 0) {
        ptrs_.push_back(a.data<T>());
        continue;
      }
      auto& buf = copies_[i];
      buf.resize(a.size());
      copy_strided(a.data<T>(), a.shape(), a.strides(), 0, buf.data());
      ptrs_.push_back(buf.data());
    }
  }
  const T* operator[](size_t i) const { return ptrs_[i]; }
  std::vector<const T*> range(size_t begin, size_t end) const {
    return std::vector<const T*>(ptrs_.begin() + begin, ptrs_.begin() + end);
  }

 private:
  // Copies dims [dim, ndim) of src into dst (row-major); returns the end of what was written.
  static T* copy_strided(const T* src, const mx::Shape& shape, const mx::Strides& strides, size_t dim, T* dst) {
    const int n = shape[dim];
    const int64_t s = strides[dim];
    if (dim + 1 == shape.size()) {
      if (s == 0)
        std::fill(dst, dst + n, *src);
      else if (s == 1)
        std::copy(src, src + n, dst);
      else
        for (int k = 0; k < n; ++k) dst[k] = src[k * s];
      return dst + n;
    }
    T* begin = dst;
    for (int k = 0; k < n; ++k) {
      if (s == 0 && k > 0) {  // a broadcast dim: repeat the block already written
        const ptrdiff_t block = dst - begin;
        std::copy(begin, begin + block / k, dst);
        dst += block / k;
      } else {
        dst = copy_strided(src + k * s, shape, strides, dim + 1, dst);
      }
    }
    return dst;
  }
  std::vector<const T*> ptrs_;
  std::vector<std::vector<T>> copies_;
};

template <typename F>
void dispatch_float(mx::Dtype dt, F&& f) {
  if (dt == mx::float32)
    f.template operator()<float>();
  else if (dt == mx::float64)
    f.template operator()<double>();
  else
    throw std::invalid_argument("[cfc] the fused kernel takes float32 or float64");
}

std::vector<mx::Shape> forward_shapes(const Dims& d, bool save) {
  const int N = d.state();
  std::vector<mx::Shape> s{{d.B, d.L, d.out()}, {d.B, N}};
  if (d.mixed) s.push_back({d.B, N});
  s.push_back({save ? static_cast<int>(workspace_size(d)) : 0});
  return s;
}

// Runs the forward kernel into already allocated outputs.
void run_forward(const Dims& d, const std::vector<mx::array>& inputs, std::vector<mx::array>& outs, bool save) {
  dispatch_float(inputs[0].dtype(), [&]<typename T>() {
    Contiguous<T> in(inputs);
    T* cT = d.mixed ? outs[2].data<T>() : nullptr;
    forward<T>(d, in.range(0, inputs.size()), outs[0].data<T>(), outs[1].data<T>(), cT,
               save ? outs.back().data<T>() : nullptr);
  });
}

std::vector<mx::array> allocate(const std::vector<mx::Shape>& shapes, mx::Dtype dt) {
  std::vector<mx::array> outs;
  for (auto& s : shapes) {
    outs.push_back(line_array(s, dt));
  }
  return outs;
}

// Inputs: the forward's inputs, the workspace, then the cotangents of y, hT[, cT]. Outputs: the gradients of the
// forward inputs listed in argnums, in that order.
class CfCSequenceGrad : public mx::Primitive {
 public:
  CfCSequenceGrad(mx::Stream s, Dims d, std::vector<int> argnums)
      : mx::Primitive(s), d_(std::move(d)), argnums_(std::move(argnums)) {}

  void eval_cpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) override {
    for (auto& o : outputs) set_line_data(o);
    auto& enc = mx::cpu::get_command_encoder(stream());
    enc.dispatch([d = d_, argnums = argnums_, inputs, outputs]() mutable {
      const size_t n = InputIndex(d).count;
      dispatch_float(inputs[0].dtype(), [&]<typename T>() {
        Contiguous<T> in(inputs);
        std::vector<T*> grads(n, nullptr);
        for (size_t k = 0; k < argnums.size(); ++k) grads[argnums[k]] = outputs[k].data<T>();
        const T* dcT = d.mixed ? in[n + 3] : nullptr;
        backward<T>(d, in.range(0, n), in[n], in[n + 1], in[n + 2], dcT, grads);
      });
    });
  }
  void eval_gpu(const std::vector<mx::array>&, std::vector<mx::array>&) override {
    throw std::runtime_error("[cfc] the fused CfC kernel runs on the CPU only");
  }
  std::vector<mx::array> vjp(const std::vector<mx::array>&, const std::vector<mx::array>&, const std::vector<int>&,
                             const std::vector<mx::array>&) override {
    throw fl::Error(
        "the fused CfC sequence op supports first-order gradients only; for higher orders use "
        "fl::ncps::cfc_sequence_reference");
  }
  const char* name() const override { return "FlCfCSequenceGrad"; }

 private:
  Dims d_;
  std::vector<int> argnums_;
};

class CfCSequence : public mx::Primitive {
 public:
  // save: whether the forward writes the workspace a backward reads (not for a forward nothing records).
  CfCSequence(mx::Stream s, Dims d, std::shared_ptr<SavedForward> saved, bool save)
      : mx::Primitive(s), d_(std::move(d)), saved_(std::move(saved)), save_(save) {}

  void eval_cpu(const std::vector<mx::array>& inputs, std::vector<mx::array>& outputs) override {
    if (saved_) {
      std::lock_guard<std::mutex> lock(saved_->m);
      if (saved_->matches(inputs)) {
        for (size_t i = 0; i < outputs.size(); ++i) outputs[i].copy_shared_buffer(saved_->outputs[i]);
        return;
      }
    }
    for (auto& o : outputs) set_line_data(o);
    auto& enc = mx::cpu::get_command_encoder(stream());
    enc.dispatch([d = d_, inputs, outputs, save = save_]() mutable { run_forward(d, inputs, outputs, save); });
  }
  void eval_gpu(const std::vector<mx::array>&, std::vector<mx::array>&) override {
    throw std::runtime_error("[cfc] the fused CfC kernel runs on the CPU only");
  }

  std::vector<mx::array> vjp(const std::vector<mx::array>& primals, const std::vector<mx::array>& cotangents,
                             const std::vector<int>& argnums, const std::vector<mx::array>& outputs) override {
    if (!save_) throw fl::Error("the fused CfC sequence op was run without recording; it has no gradient");
    std::vector<mx::array> in = primals;
    in.push_back(outputs.back());  // the workspace
    for (size_t i = 0; i + 1 < cotangents.size(); ++i) in.push_back(cotangents[i]);
    std::vector<mx::Shape> shapes;
    std::vector<mx::Dtype> dtypes;
    for (int a : argnums) {
      shapes.push_back(primals[a].shape());
      dtypes.push_back(primals[a].dtype());
    }
    return mx::array::make_arrays(std::move(shapes), dtypes, std::make_shared<CfCSequenceGrad>(stream(), d_, argnums),
                                  in);
  }
  const char* name() const override { return "FlCfCSequence"; }

 private:
  Dims d_;
  // Held strongly: fl's engine releases the node (and its function) before it evaluates the gradients. No cycle:
  // the saved outputs are plain arrays computed outside any graph.
  std::shared_ptr<SavedForward> saved_;
  bool save_;
};

}  // namespace

namespace {
// Keeps a computed forward for the backward's re-trace, as buffers only: evaluated graph arrays would keep their
// inputs' graph alive, and a lazily made output holds its primitive, which holds `saved` (a cycle).
void keep(const std::shared_ptr<SavedForward>& saved, const std::vector<mx::array>& inputs,
          const std::vector<mx::array>& outputs) {
  if (!saved) return;
  auto plain = [](const std::vector<mx::array>& v) {
    std::vector<mx::array> r;
    r.reserve(v.size());
    for (const auto& a : v) {
      mx::array p(a.shape(), a.dtype(), nullptr, {});
      p.copy_shared_buffer(a);
      r.push_back(std::move(p));
    }
    return r;
  };
  std::lock_guard<std::mutex> lock(saved->m);
  saved->inputs = plain(inputs);
  saved->outputs = plain(outputs);
}
}  // namespace

std::vector<mx::array> sequence(const std::vector<mx::array>& inputs, const Dims& d,
                                const std::shared_ptr<SavedForward>& saved) {
  const mx::Dtype dt = inputs[0].dtype();
  const size_t n_out = d.mixed ? 3 : 2;
  bool traced = std::any_of(inputs.begin(), inputs.end(), [](const mx::array& a) { return a.is_tracer(); });
  // A kernel that splits the batch between threads runs on MLX's stream thread, where the backward and the BLAS
  // calls of other primitives run too: an OpenMP team started from this thread as well would be a second pool,
  // and with more pooled threads than cores libgomp stops spinning, so every later parallel region (GEMMs
  // included) pays a futex wake-up (measured: a 32x784x256 GEMM 64 -> 165 us after one such forward).
  if (!traced && threads_for(d) == 1) {
    // Run now, on this thread: the op is large enough that a lazy node only adds MLX's hand-off to its stream.
    std::vector<mx::array> pending;
    for (auto& a : inputs)
      if (!a.is_available()) pending.push_back(a);
    if (!pending.empty()) mx::eval(pending);
    auto outs = allocate(forward_shapes(d, saved != nullptr), dt);
    run_forward(d, inputs, outs, saved != nullptr);
    keep(saved, inputs, outs);
    outs.erase(outs.begin() + n_out, outs.end());
    return outs;
  }
  // A traced call is autograd's re-trace (or an MLX transform) and needs the workspace; a plain forward that nothing
  // records (no `saved`: no_grad, inference) skips writing it (a few MB; ~9% of a CfC(8, 64) forward at (32, 100)).
  const bool save = traced || saved != nullptr;
  auto shapes = forward_shapes(d, save);
  std::vector<mx::Dtype> dtypes(shapes.size(), dt);
  auto outs = mx::array::make_arrays(std::move(shapes), dtypes,
                                     std::make_shared<CfCSequence>(cpu_stream(), d, saved, save), inputs);
  if (!traced) {
    // The threaded kernel: computed now, but on the stream thread (see above), and kept as the eager path's.
    mx::eval(outs);
    keep(saved, inputs, outs);
  }
  outs.erase(outs.begin() + n_out, outs.end());
  return outs;
}

}  // namespace fl::kernels::cfc
