// The binary elementwise primitive (add, sub, mul, div, maximum, minimum) with the common broadcasts: see
// elementwise.h. One operand ("big") has the output's shape; the other ("small") is the same shape, a scalar, or
// spans a contiguous run of the output's dims, so output element i pairs with small[(i / inner) % period].
#include <mlx/backend/common/utils.h>
#include <mlx/backend/cpu/encoder.h>
#include <mlx/ops.h>
#include <mlx/primitives.h>

#include <optional>

#include "kernels/elementwise.h"
#include "kernels/elementwise_impl.h"

namespace fl::kernels {
namespace mx = mlx::core;

namespace {
mx::array c(double v, const mx::array& like) { return mx::array(v, like.dtype()); }

mx::array fallback(BinaryOp op, const mx::array& a, const mx::array& b) {
  switch (op) {
    case BinaryOp::Add:
      return mx::add(a, b);
    case BinaryOp::Sub:
      return mx::subtract(a, b);
    case BinaryOp::Mul:
      return mx::multiply(a, b);
    case BinaryOp::Div:
      return mx::divide(a, b);
    case BinaryOp::Maximum:
      return mx::maximum(a, b);
    case BinaryOp::Minimum:
      return mx::minimum(a, b);
  }
  throw std::logic_error("fl::kernels::binary: unknown op");
}

struct Pattern {
  bool small_first;  // a is the small operand
  int64_t period;    // elements of the small operand
  int64_t inner;     // output elements per small element (1: the small operand runs along the big one)
};

// The pattern for operands a, b with broadcast shape `out`, if the kernels handle it.
std::optional<Pattern> classify(const mx::Shape& a, const mx::Shape& b, const mx::Shape& out) {
  bool small_first = a != out;
  if (small_first && b != out) return std::nullopt;  // both broadcast ([n, 1] + [1, m]): MLX
  const mx::Shape& s = small_first ? a : b;
  const int pad = static_cast<int>(out.size() - s.size());
  int first = -1, last = -1;
  for (int i = 0; i < static_cast<int>(s.size()); ++i) {
    if (s[i] == 1) continue;
    if (first < 0) first = i + pad;
    last = i + pad;
  }
  int64_t period = 1, inner = 1;
  for (int i = first; first >= 0 && i <= last; ++i) {
    if (s[i - pad] != out[i]) return std::nullopt;  // a size-1 gap inside the run (e.g. [c, 1, w] against [c, h, w])
    period *= out[i];
  }
  for (int i = (first >= 0 ? last + 1 : 0); i < static_cast<int>(out.size()); ++i) inner *= out[i];
  return Pattern{small_first, period, inner};
}

// Output elements [lo, hi): runs where the small operand is a vector (inner == 1) or one repeated value.
template <class T>
void run_range(const simd::Isa& k, BinaryOp op, const Pattern& p, const T* big, const T* small, T* y, size_t lo,
               size_t hi) {
  const size_t period = p.period, inner = p.inner;
  for (size_t i = lo; i < hi;) {
    if (inner == 1) {
      size_t j = i % period, len = std::min(hi - i, period - j);
      if (p.small_first)
        simd::binary(k, op, simd::Operands::VecVec, small + j, big + i, y + i, len);
      else
        simd::binary(k, op, simd::Operands::VecVec, big + i, small + j, y + i, len);
      i += len;
    } else {
      size_t m = (i / inner) % period, len = std::min(hi - i, inner - i % inner);
      if (p.small_first)
        simd::binary(k, op, simd::Operands::ScalarVec, small + m, big + i, y + i, len);
      else
        simd::binary(k, op, simd::Operands::VecScalar, big + i, small + m, y + i, len);
      i += len;
    }
  }
}

// Fewer elements than a vector: a plain loop (the same IEEE operations as the vector kernels, so the same values).
template <class T>
void compute_small(BinaryOp op, const Pattern& p, const T* big, const T* small, T* y, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    T u = big[i], v = small[(i / p.inner) % p.period];
    T a = p.small_first ? v : u, b = p.small_first ? u : v;
    switch (op) {
      case BinaryOp::Add:
        y[i] = a + b;
        break;
      case BinaryOp::Sub:
        y[i] = a - b;
        break;
      case BinaryOp::Mul:
        y[i] = a * b;
        break;
      case BinaryOp::Div:
        y[i] = a / b;
        break;
      case BinaryOp::Maximum:
        y[i] = a > b || a != a ? a : b;
        break;
      case BinaryOp::Minimum:
        y[i] = a < b || a != a ? a : b;
        break;
    }
  }
}

template <class T>
void compute(BinaryOp op, const Pattern& p, const T* big, const T* small, T* y, size_t n) {
  if (n < 16) return compute_small(op, p, big, small, y, n);
  const simd::Isa& k = simd::isa();
  detail::parallel_for(n, detail::kCheap.grain,
                       [&](size_t lo, size_t hi) { run_range(k, op, p, big, small, y, lo, hi); });
}

// The gradient of an operand of shape `shape` from one of the output's shape: sums over broadcast dims.
mx::array unbroadcast(const mx::array& g, const mx::Shape& shape) {
  if (g.shape() == shape) return g;
  const int pad = static_cast<int>(g.ndim() - shape.size());
  std::vector<int> axes;
  for (int i = 0; i < static_cast<int>(g.ndim()); ++i)
    if (i < pad || (shape[i - pad] == 1 && g.shape(i) != 1)) axes.push_back(i);
  return mx::reshape(kernels::sum(g, axes, true), shape);
}

mx::array make(BinaryOp op, const mx::array& a, const mx::array& b, const Pattern& p, const mx::Shape& out);

class Binary : public mx::UnaryPrimitive {
 public:
  Binary(mx::Stream s, BinaryOp op, Pattern p) : mx::UnaryPrimitive(s), op_(op), p_(p) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    Pattern p = p_;
    // An operand of the output's shape whose buffer holds one value (a broadcast scalar: the gradient of a sum or
    // mean on its way back through an elementwise op) is read as the scalar it is, not copied out element by
    // element. The other operand then runs along the output.
    const size_t n = out.size();
    if (n > 1 && p.period == static_cast<int64_t>(n))
      for (int i = 0; i < 2; ++i)
        if (inputs[i].data_size() == 1 && inputs[1 - i].data_size() != 1) {
          p = Pattern{i == 0, 1, static_cast<int64_t>(n)};
          break;
        }
    const mx::array& big = inputs[p.small_first ? 1 : 0];
    const mx::array& small = inputs[p.small_first ? 0 : 1];
    // Computing in place over the big operand's buffer is safe: output element i only reads big[i].
    detail::donate_or_allocate(big, out);
    auto& enc = mx::cpu::get_command_encoder(stream());
    enc.set_input_array(big);
    enc.set_input_array(small);
    enc.set_output_array(out);
    enc.dispatch([big = mx::array::unsafe_weak_copy(big), small = mx::array::unsafe_weak_copy(small),
                  out = mx::array::unsafe_weak_copy(out), op = op_, p]() mutable {
      detail::with_type(out.dtype(), [&](auto tag) {
        using T = decltype(tag);
        std::vector<T> big_copy, small_copy;
        // (period 1 reads one value, wherever the operand's strides put the rest)
        const T* small_data = p.period == 1 ? small.data<T>() : detail::row_major(small, small_copy);
        compute(op, p, detail::row_major(big, big_copy), small_data, out.data<T>(), out.size());
      });
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("FlBinary has no GPU kernel: on a GPU, fl::kernels::binary uses MLX");
  }

  std::vector<mx::array> vjp(const std::vector<mx::array>& primals, const std::vector<mx::array>& cotangents,
                             const std::vector<int>& argnums, const std::vector<mx::array>& outputs) override {
    const mx::array &a = primals[0], &b = primals[1], &g = cotangents[0];
    std::vector<mx::array> grads;
    for (int arg : argnums) {
      const mx::array& self = arg == 0 ? a : b;
      grads.push_back(unbroadcast(grad(arg, a, b, g, outputs[0]), self.shape()));
    }
    return grads;
  }
  std::vector<mx::array> jvp(const std::vector<mx::array>& primals, const std::vector<mx::array>& tangents,
                             const std::vector<int>& argnums) override {
    const mx::array &a = primals[0], &b = primals[1];
    mx::array out = kernels::binary(op_, a, b);
    std::optional<mx::array> r;
    for (size_t i = 0; i < argnums.size(); ++i) {
      mx::array t = mx::broadcast_to(tangents[i], out.shape());
      mx::array d = grad(argnums[i], a, b, t, out);  // linear in the tangent, so the vjp formula serves
      r = r ? kernels::add(*r, d) : d;
    }
    return {*r};
  }
  std::pair<std::vector<mx::array>, std::vector<int>> vmap(const std::vector<mx::array>& inputs,
                                                           const std::vector<int>& axes) override {
    // The mapped axis goes first in both operands (size 1 where absent), ranks padded to match.
    int rank = 0;
    for (int i = 0; i < 2; ++i) rank = std::max(rank, static_cast<int>(inputs[i].ndim()) - (axes[i] >= 0 ? 1 : 0));
    std::vector<mx::array> in;
    for (int i = 0; i < 2; ++i) {
      mx::array x = axes[i] >= 0 ? mx::moveaxis(inputs[i], axes[i], 0) : mx::expand_dims(inputs[i], 0);
      mx::Shape s = x.shape();
      s.insert(s.begin() + 1, rank + 1 - static_cast<int>(s.size()), 1);
      in.push_back(mx::reshape(x, s));
    }
    return {{kernels::binary(op_, in[0], in[1])}, {0}};
  }
  const char* name() const override { return "FlBinary"; }
  bool is_equivalent(const mx::Primitive& other) const override {
    auto& o = static_cast<const Binary&>(other);
    return op_ == o.op_ && p_.small_first == o.p_.small_first && p_.period == o.p_.period && p_.inner == o.p_.inner;
  }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override {
    return {mx::broadcast_shapes(inputs[0].shape(), inputs[1].shape())};
  }

 private:
  // g times d out / d operand `arg`, in the output's shape. maximum/minimum follow PyTorch: ties split the
  // gradient in half, the loser gets none, nan on either side passes it to both.
  mx::array grad(int arg, const mx::array& a, const mx::array& b, const mx::array& g, const mx::array& out) const {
    switch (op_) {
      case BinaryOp::Add:
        return g;
      case BinaryOp::Sub:
        return arg == 0 ? g : kernels::unary(UnaryOp::Neg, g);
      case BinaryOp::Mul:
        return kernels::multiply(g, arg == 0 ? b : a);
      case BinaryOp::Div: {
        mx::array ga = kernels::divide(g, b);
        return arg == 0 ? ga
                        : kernels::unary(UnaryOp::Neg, kernels::multiply(ga, out));  // -g a / b^2 = -(g / b)(a / b)
      }
      case BinaryOp::Maximum:
      case BinaryOp::Minimum: {
        bool is_max = op_ == BinaryOp::Maximum;
        mx::array self_loses = (arg == 0) == is_max ? mx::less(a, b) : mx::greater(a, b);
        mx::array shared = mx::where(mx::equal(a, b), kernels::multiply(g, c(0.5, g)), g);
        return mx::where(self_loses, mx::zeros_like(shared), shared);
      }
    }
    throw std::logic_error("FlBinary: no gradient");
  }
  BinaryOp op_;
  Pattern p_;
};

mx::array make(BinaryOp op, const mx::array& a, const mx::array& b, const Pattern& p, const mx::Shape& out) {
  return mx::array(out, a.dtype(), std::make_shared<Binary>(detail::cpu_stream(), op, p), {a, b});
}

mx::array eager(BinaryOp op, const mx::array& a, const mx::array& b, const Pattern& p, const mx::Shape& shape) {
  mx::array out = detail::fresh(shape, a.dtype());
  const mx::array &big = p.small_first ? b : a, &small = p.small_first ? a : b;
  detail::with_type(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    compute(op, p, big.data<T>(), small.data<T>(), out.data<T>(), out.size());
  });
  return out;
}
}  // namespace

mx::array binary(BinaryOp op, const mx::array& a, const mx::array& b) {
  if (a.dtype() != b.dtype() || !detail::fast_dtype(a.dtype())) return fallback(op, a, b);
  const bool now = detail::ready(a) && detail::ready(b);
  if (!now && std::max(a.size(), b.size()) < detail::kCheap.lazy_from) return fallback(op, a, b);
  mx::Shape out = a.shape() == b.shape() ? a.shape() : mx::broadcast_shapes(a.shape(), b.shape());
  auto p = classify(a.shape(), b.shape(), out);
  size_t n = 1;
  for (int d : out) n *= static_cast<size_t>(d);
  if (!p || n == 0) return fallback(op, a, b);
  if (now && detail::run_here(n, detail::kCheap)) return eager(op, a, b, *p, out);
  return n >= detail::kCheap.lazy_from ? make(op, a, b, *p, out) : fallback(op, a, b);
}

}  // namespace fl::kernels
