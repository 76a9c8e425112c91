// FlSquaredError: sum((x - t)^2) [/ n] in one pass over x and t, and FlSquaredErrorGrad: (x - t) s in one pass
// (s a scalar: 2 g / n for the gradient). See squared_error.h. Sums run over fixed blocks whose partial sums are
// added pairwise (as the reductions', so the value does not depend on the thread count); the vjps are written in
// these primitives and Flashlight's elementwise kernels, so higher-order gradients work.
#include "kernels/squared_error.h"

#include <mlx/backend/cpu/encoder.h>
#include <mlx/ops.h>
#include <mlx/primitives.h>

#include <numeric>
#include <optional>

#include "kernels/elementwise.h"
#include "kernels/elementwise_impl.h"
#include "kernels/line_array.h"
#include "kernels/target_clones.h"

namespace fl::kernels {
namespace mx = mlx::core;

namespace {
// sum((x - t)^2) over n elements: 16 independent accumulators, which the compiler keeps in vector registers.
template <class T>
T block_sum(const T* x, const T* t, size_t n) {
  constexpr size_t W = 16;
  T acc[W] = {};
  size_t i = 0;
  for (; i + W <= n; i += W)
    for (size_t j = 0; j < W; ++j) {
      T d = x[i + j] - t[i + j];
      acc[j] += d * d;
    }
  for (size_t j = 0; i + j < n; ++j) {
    T d = x[i + j] - t[i + j];
    acc[j] += d * d;
  }
  for (size_t w = W / 2; w > 0; w /= 2)
    for (size_t j = 0; j < w; ++j) acc[j] += acc[j + w];
  return acc[0];
}
FL_TARGET_CLONES float block_sum_f(const float* x, const float* t, size_t n) { return block_sum(x, t, n); }
FL_TARGET_CLONES double block_sum_d(const double* x, const double* t, size_t n) { return block_sum(x, t, n); }

template <class T>
void scaled_diff(const T* x, const T* t, T s, T* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = (x[i] - t[i]) * s;
}
FL_TARGET_CLONES void scaled_diff_f(const float* x, const float* t, float s, float* out, size_t n) {
  scaled_diff(x, t, s, out, n);
}
FL_TARGET_CLONES void scaled_diff_d(const double* x, const double* t, double s, double* out, size_t n) {
  scaled_diff(x, t, s, out, n);
}

template <class T>
T total(const T* x, const T* t, size_t n, bool threads) {
  return detail::reduce_blocks<T>(
      n, detail::kCheap.grain, threads,
      [&](size_t lo, size_t len) {
        if constexpr (sizeof(T) == 4)
          return block_sum_f(x + lo, t + lo, len);
        else
          return block_sum_d(x + lo, t + lo, len);
      },
      [](T a, T b) { return a + b; });
}

template <class T>
void diff_times(const T* x, const T* t, T s, T* out, size_t n, bool threads) {
  auto run = [&](size_t lo, size_t hi) {
    if constexpr (sizeof(T) == 4)
      scaled_diff_f(x + lo, t + lo, s, out + lo, hi - lo);
    else
      scaled_diff_d(x + lo, t + lo, s, out + lo, hi - lo);
  };
  if (threads)
    detail::parallel_for(n, detail::kCheap.grain, run);
  else
    run(0, n);
}

std::vector<int> all_axes(const mx::array& x) {
  std::vector<int> a(x.ndim());
  std::iota(a.begin(), a.end(), 0);
  return a;
}

// The composition over `axes` (all of them by default): small, empty or other arrays, and vmap.
mx::array composed(const mx::array& x, const mx::array& t, bool mean, std::optional<std::vector<int>> axes = {}) {
  mx::array sq = kernels::unary(UnaryOp::Square, kernels::subtract(x, t));
  const std::vector<int> ax = axes ? *axes : all_axes(sq);
  return mean ? kernels::mean(sq, ax, false) : kernels::sum(sq, ax, false);
}

bool fast(const mx::array& x, const mx::array& t) {
  return x.shape() == t.shape() && x.dtype() == t.dtype() && detail::fast_dtype(x.dtype()) && x.size() > 0;
}

mx::array diff_times_scalar(const mx::array& x, const mx::array& t, const mx::array& s);

class SquaredErrorGrad : public mx::UnaryPrimitive {
 public:
  explicit SquaredErrorGrad(mx::Stream st) : mx::UnaryPrimitive(st) {}
  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    const mx::array &x = inputs[0], &t = inputs[1], &s = inputs[2];
    set_line_data(out);
    auto& enc = mx::cpu::get_command_encoder(stream());
    for (const auto& a : inputs) enc.set_input_array(a);
    enc.set_output_array(out);
    enc.dispatch([x = mx::array::unsafe_weak_copy(x), t = mx::array::unsafe_weak_copy(t),
                  s = mx::array::unsafe_weak_copy(s), out = mx::array::unsafe_weak_copy(out)]() mutable {
      detail::with_type(out.dtype(), [&](auto tag) {
        using T = decltype(tag);
        std::vector<T> xc, tc;
        diff_times(detail::row_major(x, xc), detail::row_major(t, tc), s.data<T>()[0], out.data<T>(), out.size(), true);
      });
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("FlSquaredErrorGrad has no GPU kernel");
  }
  // out = (x - t) s
  std::vector<mx::array> vjp(const std::vector<mx::array>& primals, const std::vector<mx::array>& cotangents,
                             const std::vector<int>& argnums, const std::vector<mx::array>&) override {
    const mx::array &x = primals[0], &t = primals[1], &s = primals[2], &g = cotangents[0];
    std::vector<mx::array> r;
    for (int a : argnums) {
      if (a == 0) r.push_back(kernels::multiply(g, s));
      if (a == 1) r.push_back(kernels::unary(UnaryOp::Neg, kernels::multiply(g, s)));
      if (a == 2) r.push_back(kernels::sum(kernels::multiply(g, kernels::subtract(x, t)), all_axes(g), false));
    }
    return r;
  }
  std::vector<mx::array> jvp(const std::vector<mx::array>& primals, const std::vector<mx::array>& tangents,
                             const std::vector<int>& argnums) override {
    const mx::array &x = primals[0], &t = primals[1], &s = primals[2];
    std::optional<mx::array> r;
    for (size_t i = 0; i < argnums.size(); ++i) {
      const mx::array& dt = tangents[i];
      mx::array d = argnums[i] == 0   ? kernels::multiply(dt, s)
                    : argnums[i] == 1 ? kernels::unary(UnaryOp::Neg, kernels::multiply(dt, s))
                                      : kernels::multiply(kernels::subtract(x, t), dt);
      r = r ? kernels::add(*r, d) : d;
    }
    return {*r};
  }
  std::pair<std::vector<mx::array>, std::vector<int>> vmap(const std::vector<mx::array>& inputs,
                                                           const std::vector<int>& axes) override {
    // Only x and t may be mapped here (s is the one scalar of an unbatched gradient): a broadcast product.
    if (axes[2] >= 0) throw std::invalid_argument("FlSquaredErrorGrad: vmap over the scale is not supported");
    const int ax = axes[0] >= 0 ? axes[0] : axes[1];
    mx::array x = axes[0] >= 0 ? inputs[0] : mx::expand_dims(inputs[0], ax);
    mx::array t = axes[1] >= 0 ? inputs[1] : mx::expand_dims(inputs[1], ax);
    return {{kernels::multiply(kernels::subtract(x, t), inputs[2])}, {ax}};
  }
  const char* name() const override { return "FlSquaredErrorGrad"; }
  bool is_equivalent(const mx::Primitive&) const override { return true; }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override { return {inputs[0].shape()}; }
};

mx::array diff_times_scalar(const mx::array& x, const mx::array& t, const mx::array& s) {
  if (!fast(x, t) || s.size() != 1 || s.dtype() != x.dtype()) return kernels::multiply(kernels::subtract(x, t), s);
  return mx::array(x.shape(), x.dtype(), std::make_shared<SquaredErrorGrad>(detail::cpu_stream()),
                   {x, t, mx::reshape(s, {})});
}

class SquaredError : public mx::UnaryPrimitive {
 public:
  SquaredError(mx::Stream st, bool mean) : mx::UnaryPrimitive(st), mean_(mean) {}
  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    const mx::array &x = inputs[0], &t = inputs[1];
    out.set_data(mx::allocator::malloc(out.nbytes()));
    auto& enc = mx::cpu::get_command_encoder(stream());
    enc.set_input_array(x);
    enc.set_input_array(t);
    enc.set_output_array(out);
    enc.dispatch([x = mx::array::unsafe_weak_copy(x), t = mx::array::unsafe_weak_copy(t),
                  out = mx::array::unsafe_weak_copy(out), mean = mean_]() mutable {
      detail::with_type(out.dtype(), [&](auto tag) {
        using T = decltype(tag);
        std::vector<T> xc, tc;
        T v = total(detail::row_major(x, xc), detail::row_major(t, tc), x.size(), true);
        out.data<T>()[0] = mean ? v / static_cast<T>(x.size()) : v;
      });
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("FlSquaredError has no GPU kernel");
  }
  std::vector<mx::array> vjp(const std::vector<mx::array>& primals, const std::vector<mx::array>& cotangents,
                             const std::vector<int>& argnums, const std::vector<mx::array>&) override {
    const mx::array &x = primals[0], &t = primals[1];
    // d/dx = 2 (x - t) g [/ n]; d/dt is its negative, (t - x) times the same scale.
    mx::array s = mx::multiply(cotangents[0], mx::array(scale(x), x.dtype()));
    std::vector<mx::array> r;
    for (int a : argnums) r.push_back(a == 0 ? diff_times_scalar(x, t, s) : diff_times_scalar(t, x, s));
    return r;
  }
  std::vector<mx::array> jvp(const std::vector<mx::array>& primals, const std::vector<mx::array>& tangents,
                             const std::vector<int>& argnums) override {
    const mx::array &x = primals[0], &t = primals[1];
    std::optional<mx::array> dir;  // dx - dt
    for (size_t i = 0; i < argnums.size(); ++i) {
      mx::array d = argnums[i] == 0 ? tangents[i] : kernels::unary(UnaryOp::Neg, tangents[i]);
      dir = dir ? kernels::add(*dir, d) : d;
    }
    mx::array grad = diff_times_scalar(x, t, mx::array(scale(x), x.dtype()));
    return {kernels::sum(kernels::multiply(grad, *dir), all_axes(x), false)};
  }
  std::pair<std::vector<mx::array>, std::vector<int>> vmap(const std::vector<mx::array>& inputs,
                                                           const std::vector<int>& axes) override {
    // One loss per mapped index: the composition over the other axes.
    mx::array x = axes[0] >= 0 ? mx::moveaxis(inputs[0], axes[0], 0) : mx::expand_dims(inputs[0], 0);
    mx::array t = axes[1] >= 0 ? mx::moveaxis(inputs[1], axes[1], 0) : mx::expand_dims(inputs[1], 0);
    std::vector<int> rest(x.ndim() - 1);
    std::iota(rest.begin(), rest.end(), 1);
    return {{composed(x, t, mean_, rest)}, {0}};
  }
  const char* name() const override { return "FlSquaredError"; }
  bool is_equivalent(const mx::Primitive& other) const override {
    return mean_ == static_cast<const SquaredError&>(other).mean_;
  }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>&) override { return {mx::Shape{}}; }

 private:
  double scale(const mx::array& x) const { return mean_ ? 2.0 / static_cast<double>(x.size()) : 2.0; }
  bool mean_;
};
}  // namespace

mx::array squared_error(const mx::array& x, const mx::array& t, bool mean) {
  if (!fast(x, t)) return composed(x, t, mean);
  const size_t n = x.size();
  // Two operands read per element, as a binary op: its thresholds (a sum's would keep 2e5 elements on one thread).
  if (detail::ready(x) && detail::ready(t) && detail::run_here(n, detail::kCheap)) {
    mx::array out = detail::fresh({}, x.dtype());
    detail::with_type(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      T v = total(x.data<T>(), t.data<T>(), n, false);
      out.data<T>()[0] = mean ? v / static_cast<T>(n) : v;
    });
    return out;
  }
  if (n < detail::kCheap.lazy_from) return composed(x, t, mean);
  return mx::array(mx::Shape{}, x.dtype(), std::make_shared<SquaredError>(detail::cpu_stream(), mean), {x, t});
}

}  // namespace fl::kernels
