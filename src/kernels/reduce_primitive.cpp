// The reduction primitive (sum, mean, max, min over a contiguous run of axes): see elementwise.h. The input is
// seen as [outer, reduced, inner]; inner == 1 reduces rows, otherwise columns. Sums are split into fixed blocks
// whose partial sums are added pairwise, so the result is accurate and does not depend on the thread count.
#include <mlx/backend/cpu/encoder.h>
#include <mlx/ops.h>
#include <mlx/primitives.h>

#include "kernels/elementwise.h"
#include "kernels/elementwise_impl.h"
#include "kernels/line_array.h"

namespace fl::kernels {
namespace mx = mlx::core;

namespace {
constexpr size_t kColBlock = 256;  // columns per task of a column reduction

mx::array fallback(ReduceOp op, const mx::array& x, const std::vector<int>& axes, bool keepdims, bool mean) {
  switch (op) {
    case ReduceOp::Sum: {
      mx::array s = mx::sum(x, axes, keepdims);
      if (!mean) return s;
      double n = 1;
      for (int a : axes) n *= x.shape(a);
      return mx::divide(s, mx::array(n, x.dtype()));
    }
    case ReduceOp::Max:
      return mx::max(x, axes, keepdims);
    case ReduceOp::Min:
      return mx::min(x, axes, keepdims);
  }
  throw std::logic_error("fl::kernels: unknown reduction");
}

template <ReduceOp Op, class T>
T combine(T a, T b) {
  if constexpr (Op == ReduceOp::Sum)
    return a + b;
  else if constexpr (Op == ReduceOp::Max)
    return a > b || a != a ? a : b;
  else
    return a < b || a != a ? a : b;
}
template <class T>
T combine(ReduceOp op, T a, T b) {
  switch (op) {
    case ReduceOp::Sum:
      return combine<ReduceOp::Sum>(a, b);
    case ReduceOp::Max:
      return combine<ReduceOp::Max>(a, b);
    case ReduceOp::Min:
      return combine<ReduceOp::Min>(a, b);
  }
  return a;
}

// One value for a run of n elements (detail::reduce_blocks: blocks, in parallel when `threads`, then a pairwise tree).
template <class T>
T reduce_run(const simd::Isa& k, ReduceOp op, const T* x, size_t n, bool threads) {
  return detail::reduce_blocks<T>(
      n, detail::kReduce.grain, threads, [&](size_t lo, size_t len) { return simd::reduce(k, op, x + lo, len); },
      [op](T a, T b) { return combine(op, a, b); });
}

struct Geometry {
  size_t outer, reduced, inner;
};

template <class T>
void compute(ReduceOp op, const Geometry& g, double divisor, const T* x, T* y) {
  const simd::Isa& k = simd::isa();
  if (g.inner == 1 && g.outer == 1) {
    y[0] = reduce_run(k, op, x, g.reduced, true);
  } else if (g.inner == 1) {  // rows
    detail::parallel_for(
        g.outer, std::max<size_t>(1, detail::kReduce.grain / std::max<size_t>(g.reduced, 1)),
        [&](size_t lo, size_t hi) {
          for (size_t r = lo; r < hi; ++r) y[r] = reduce_run(k, op, x + r * g.reduced, g.reduced, false);
        },
        1);
  } else {  // columns: tasks of kColBlock columns of one outer slice
    const size_t nc = (g.inner + kColBlock - 1) / kColBlock;
    detail::parallel_for(
        g.outer * nc, std::max<size_t>(1, detail::kReduce.grain / (g.reduced * kColBlock)),
        [&](size_t lo, size_t hi) {
          for (size_t t = lo; t < hi; ++t) {
            size_t o = t / nc, c0 = (t % nc) * kColBlock;
            size_t cols = std::min(kColBlock, g.inner - c0);
            simd::reduce_cols(k, op, x + o * g.reduced * g.inner + c0, g.reduced, cols, g.inner, y + o * g.inner + c0);
          }
        },
        1);
  }
  if (divisor != 1) {
    const T d = static_cast<T>(divisor);
    for (size_t i = 0, n = g.outer * g.inner; i < n; ++i) y[i] /= d;
  }
}

// The output shape, and the axes the reduction keeps as size 1 (for the vjp).
mx::Shape reduced_shape(const mx::Shape& in, int lo, int hi, bool keepdims) {
  mx::Shape s;
  for (int i = 0; i < static_cast<int>(in.size()); ++i) {
    if (i < lo || i > hi)
      s.push_back(in[i]);
    else if (keepdims)
      s.push_back(1);
  }
  return s;
}

class Reduce : public mx::UnaryPrimitive {
 public:
  // Reduces axes lo..hi (inclusive) and divides by `divisor` (mean; 1 otherwise).
  Reduce(mx::Stream s, ReduceOp op, int lo, int hi, bool keepdims, double divisor)
      : mx::UnaryPrimitive(s), op_(op), lo_(lo), hi_(hi), keepdims_(keepdims), divisor_(divisor) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    const mx::array& in = inputs[0];
    set_line_data(out);
    auto& enc = mx::cpu::get_command_encoder(stream());
    enc.set_input_array(in);
    enc.set_output_array(out);
    enc.dispatch([in = mx::array::unsafe_weak_copy(in), out = mx::array::unsafe_weak_copy(out), op = op_,
                  g = geometry(in.shape()), d = divisor_]() mutable {
      detail::with_type(out.dtype(), [&](auto tag) {
        using T = decltype(tag);
        std::vector<T> copy;
        compute(op, g, d, detail::row_major(in, copy), out.data<T>());
      });
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("FlReduce has no GPU kernel: on a GPU, fl::kernels reductions use MLX");
  }

  std::vector<mx::array> vjp(const std::vector<mx::array>& primals, const std::vector<mx::array>& cotangents,
                             const std::vector<int>&, const std::vector<mx::array>& outputs) override {
    const mx::array& x = primals[0];
    mx::Shape kept = reduced_shape(x.shape(), lo_, hi_, true);
    mx::array g = mx::reshape(cotangents[0], kept);
    if (op_ == ReduceOp::Sum) {
      if (divisor_ != 1) g = kernels::divide(g, mx::array(divisor_, g.dtype()));
      return {mx::broadcast_to(g, x.shape())};
    }
    // Ties share the gradient evenly (MLX's and PyTorch's amax rule).
    mx::array mask = mx::astype(mx::equal(x, mx::reshape(outputs[0], kept)), x.dtype());
    return {kernels::multiply(mask, kernels::divide(g, kernels::sum(mask, axes(), true)))};
  }
  std::vector<mx::array> jvp(const std::vector<mx::array>& primals, const std::vector<mx::array>& tangents,
                             const std::vector<int>&) override {
    const mx::array &x = primals[0], &t = tangents[0];
    if (op_ == ReduceOp::Sum)
      return {divisor_ != 1 ? kernels::mean(t, axes(), keepdims_) : kernels::sum(t, axes(), keepdims_)};
    mx::array y = make(x);
    mx::array mask = mx::astype(mx::equal(x, mx::reshape(y, reduced_shape(x.shape(), lo_, hi_, true))), x.dtype());
    return {kernels::divide(kernels::sum(kernels::multiply(mask, t), axes(), keepdims_),
                            kernels::sum(mask, axes(), keepdims_))};
  }
  std::pair<std::vector<mx::array>, std::vector<int>> vmap(const std::vector<mx::array>& inputs,
                                                           const std::vector<int>& ax) override {
    // Move the mapped axis first: the reduced axes shift by one and the output keeps it first.
    mx::array x = ax[0] >= 0 ? mx::moveaxis(inputs[0], ax[0], 0) : mx::expand_dims(inputs[0], 0);
    std::vector<int> shifted;
    for (int a : axes()) shifted.push_back(a + 1);
    mx::array r = op_ == ReduceOp::Sum
                      ? (divisor_ != 1 ? kernels::mean(x, shifted, keepdims_) : kernels::sum(x, shifted, keepdims_))
                  : op_ == ReduceOp::Max ? kernels::max(x, shifted, keepdims_)
                                         : kernels::min(x, shifted, keepdims_);
    return {{r}, {0}};
  }
  const char* name() const override { return "FlReduce"; }
  bool is_equivalent(const mx::Primitive& other) const override {
    auto& o = static_cast<const Reduce&>(other);
    return op_ == o.op_ && lo_ == o.lo_ && hi_ == o.hi_ && keepdims_ == o.keepdims_ && divisor_ == o.divisor_;
  }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override {
    return {reduced_shape(inputs[0].shape(), lo_, hi_, keepdims_)};
  }

  mx::array make(const mx::array& x) const {
    return mx::array(reduced_shape(x.shape(), lo_, hi_, keepdims_), x.dtype(),
                     std::make_shared<Reduce>(detail::cpu_stream(), op_, lo_, hi_, keepdims_, divisor_), {x});
  }
  mx::array eager(const mx::array& x) const {
    mx::array out = detail::fresh(reduced_shape(x.shape(), lo_, hi_, keepdims_), x.dtype());
    detail::with_type(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      compute(op_, geometry(x.shape()), divisor_, x.data<T>(), out.data<T>());
    });
    return out;
  }

 private:
  std::vector<int> axes() const {
    std::vector<int> a;
    for (int i = lo_; i <= hi_; ++i) a.push_back(i);
    return a;
  }
  Geometry geometry(const mx::Shape& s) const {
    Geometry g{1, 1, 1};
    for (int i = 0; i < static_cast<int>(s.size()); ++i) (i < lo_ ? g.outer : i <= hi_ ? g.reduced : g.inner) *= s[i];
    return g;
  }
  ReduceOp op_;
  int lo_, hi_;
  bool keepdims_;
  double divisor_;
};

mx::array reduce(ReduceOp op, const mx::array& x, const std::vector<int>& axes, bool keepdims, bool mean) {
  bool contiguous = !axes.empty();
  for (size_t i = 1; i < axes.size(); ++i) contiguous &= axes[i] == axes[i - 1] + 1;
  size_t count = 1;
  for (int a : axes) count *= x.shape(a);
  const size_t n = x.size();
  if (!contiguous || !detail::fast_dtype(x.dtype()) || n == 0 || count == 0)
    return fallback(op, x, axes, keepdims, mean);
  Reduce r(detail::cpu_stream(), op, axes.front(), axes.back(), keepdims, mean ? static_cast<double>(count) : 1.0);
  if (detail::ready(x) && detail::run_here(n, detail::kReduce)) return r.eager(x);
  return n >= detail::kReduce.lazy_from ? r.make(x) : fallback(op, x, axes, keepdims, mean);
}
}  // namespace

mx::array sum(const mx::array& x, const std::vector<int>& axes, bool keepdims) {
  return reduce(ReduceOp::Sum, x, axes, keepdims, false);
}
mx::array mean(const mx::array& x, const std::vector<int>& axes, bool keepdims) {
  return reduce(ReduceOp::Sum, x, axes, keepdims, true);
}
mx::array max(const mx::array& x, const std::vector<int>& axes, bool keepdims) {
  return reduce(ReduceOp::Max, x, axes, keepdims, false);
}
mx::array min(const mx::array& x, const std::vector<int>& axes, bool keepdims) {
  return reduce(ReduceOp::Min, x, axes, keepdims, false);
}

}  // namespace fl::kernels
