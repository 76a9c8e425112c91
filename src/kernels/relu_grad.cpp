// The ReluGrad primitive (relu_grad.h): one pass over the gradient and ReLU's output, split between OpenMP threads.
#include "kernels/relu_grad.h"

#include <mlx/backend/common/utils.h>
#include <mlx/backend/cpu/encoder.h>
#include <mlx/ops.h>
#include <mlx/primitives.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels/elementwise_impl.h"

namespace fl::kernels {
namespace mx = mlx::core;

namespace {

mx::array fallback(const mx::array& g, const mx::array& y) {
  return mx::where(mx::less_equal(y, mx::array(0.0, y.dtype())), mx::zeros_like(g), g);
}

// out[i] = y[i] <= 0 ? 0 : g[i], branch-free in 16-byte vectors (memory-bound: wider ones gain nothing). out may be g.
template <class T>
void mask_range(const T* g, const T* y, T* out, size_t n) {
  using I = std::conditional_t<sizeof(T) == 4, int32_t, int64_t>;
  typedef T V __attribute__((vector_size(16)));
  typedef I M __attribute__((vector_size(16)));
  constexpr size_t L = 16 / sizeof(T);
  size_t i = 0;
  for (; i + L <= n; i += L) {
    V gv, yv;
    std::memcpy(&gv, g + i, sizeof(V));
    std::memcpy(&yv, y + i, sizeof(V));
    const M keep = ~(yv <= V{});
    const V r = (V)((M)gv & keep);
    std::memcpy(out + i, &r, sizeof(V));
  }
  for (; i < n; ++i) out[i] = y[i] <= T(0) ? T(0) : g[i];
}

template <class T>
void compute(const T* g, const T* y, T* out, size_t n) {
  detail::parallel_for(n, detail::kCheap.grain,
                       [g, y, out](size_t lo, size_t hi) { mask_range(g + lo, y + lo, out + lo, hi - lo); });
}

mx::array make(const mx::array& g, const mx::array& y);

class ReluGrad : public mx::UnaryPrimitive {
 public:
  explicit ReluGrad(mx::Stream s) : mx::UnaryPrimitive(s) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    const mx::array &g = inputs[0], &y = inputs[1];
    // Element i reads only g[i] and y[i]: the output may take over g's buffer.
    detail::donate_or_allocate(g, out);
    auto& enc = mx::cpu::get_command_encoder(stream());
    enc.set_input_array(g);
    enc.set_input_array(y);
    enc.set_output_array(out);
    enc.dispatch([g = mx::array::unsafe_weak_copy(g), y = mx::array::unsafe_weak_copy(y),
                  out = mx::array::unsafe_weak_copy(out)]() mutable {
      detail::with_type(out.dtype(), [&](auto tag) {
        using T = decltype(tag);
        std::vector<T> g_copy, y_copy;
        compute(detail::row_major(g, g_copy), detail::row_major(y, y_copy), out.data<T>(), out.size());
      });
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("FlReluGrad has no GPU kernel: on a GPU, fl::kernels::relu_grad uses MLX");
  }

  // Linear in g with a fixed mask; y only selects (zero gradient, as PyTorch's threshold_backward).
  std::vector<mx::array> vjp(const std::vector<mx::array>& primals, const std::vector<mx::array>& cotangents,
                             const std::vector<int>& argnums, const std::vector<mx::array>&) override {
    std::vector<mx::array> grads;
    for (int arg : argnums)
      grads.push_back(arg == 0 ? relu_grad(cotangents[0], primals[1]) : mx::zeros_like(primals[1]));
    return grads;
  }
  std::vector<mx::array> jvp(const std::vector<mx::array>& primals, const std::vector<mx::array>& tangents,
                             const std::vector<int>& argnums) override {
    for (size_t i = 0; i < argnums.size(); ++i)
      if (argnums[i] == 0) return {relu_grad(tangents[i], primals[1])};
    return {mx::zeros_like(primals[0])};
  }
  std::pair<std::vector<mx::array>, std::vector<int>> vmap(const std::vector<mx::array>& inputs,
                                                           const std::vector<int>& axes) override {
    // The mapped axis goes first in both operands (broadcast where absent).
    std::vector<mx::array> in;
    int mapped = -1;
    for (int i = 0; i < 2; ++i)
      if (axes[i] >= 0) mapped = inputs[i].shape(axes[i]);
    for (int i = 0; i < 2; ++i) {
      mx::array x = axes[i] >= 0 ? mx::moveaxis(inputs[i], axes[i], 0) : mx::expand_dims(inputs[i], 0);
      mx::Shape s = x.shape();
      s[0] = mapped;
      in.push_back(mx::broadcast_to(x, s));
    }
    return {{relu_grad(in[0], in[1])}, {0}};
  }
  const char* name() const override { return "FlReluGrad"; }
  bool is_equivalent(const mx::Primitive&) const override { return true; }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override { return {inputs[0].shape()}; }
};

mx::array make(const mx::array& g, const mx::array& y) {
  return mx::array(g.shape(), g.dtype(), std::make_shared<ReluGrad>(detail::cpu_stream()), {g, y});
}

}  // namespace

mx::array relu_grad(const mx::array& g, const mx::array& y) {
  const size_t n = g.size();
  if (n == 0 || g.shape() != y.shape() || g.dtype() != y.dtype() || !detail::fast_dtype(g.dtype()))
    return fallback(g, y);
  if (detail::ready(g) && detail::ready(y) && detail::run_here(n, detail::kCheap)) {
    mx::array out = detail::fresh(g.shape(), g.dtype());
    detail::with_type(g.dtype(), [&](auto tag) {
      using T = decltype(tag);
      compute(g.data<T>(), y.data<T>(), out.data<T>(), n);
    });
    return out;
  }
  return n >= detail::kCheap.lazy_from ? make(g, y) : fallback(g, y);
}

}  // namespace fl::kernels
