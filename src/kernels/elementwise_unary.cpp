// The unary elementwise primitive (exp, log, tanh, sigmoid, relu, neg, abs, sqrt, square, silu, gelu): see
// elementwise.h. Its vjp and jvp are written with the same primitives and MLX ops.
#include <mlx/backend/common/utils.h>
#include <mlx/backend/cpu/encoder.h>
#include <mlx/ops.h>
#include <mlx/primitives.h>

#include <cmath>

#include "kernels/elementwise.h"
#include "kernels/elementwise_impl.h"
#include "kernels/line_array.h"
#include "kernels/precise_unary.h"
#include "kernels/relu_grad.h"

namespace fl::kernels {
namespace mx = mlx::core;

namespace {
mx::array c(double v, const mx::array& like) { return mx::array(v, like.dtype()); }

// The MLX composition each op is for small arrays, other dtypes and other devices.
mx::array fallback(UnaryOp op, const mx::array& a) {
  switch (op) {
    case UnaryOp::Exp:
      return kernels::exp(a);
    case UnaryOp::Log:
      return mx::log(a);
    case UnaryOp::Tanh:
      return mx::tanh(a);
    case UnaryOp::Sigmoid:
      return kernels::sigmoid(a);
    case UnaryOp::Relu:
      return mx::maximum(a, mx::zeros_like(a));
    case UnaryOp::Neg:
      return mx::negative(a);
    case UnaryOp::Abs:
      return mx::abs(a);
    case UnaryOp::Sqrt:
      return mx::sqrt(a);
    case UnaryOp::Square:
      return mx::multiply(a, a);
    case UnaryOp::Silu:
      return mx::multiply(a, kernels::sigmoid(a));
    case UnaryOp::Gelu:
      return mx::multiply(mx::multiply(c(0.5, a), a),
                          mx::add(c(1.0, a), kernels::erf(mx::multiply(a, c(M_SQRT1_2, a)))));
    case UnaryOp::GeluTanh: {
      auto cube = mx::multiply(a, mx::multiply(a, a));
      auto inner = mx::multiply(c(std::sqrt(2.0 / M_PI), a), mx::add(a, mx::multiply(c(0.044715, a), cube)));
      return mx::multiply(mx::multiply(c(0.5, a), a), mx::add(c(1.0, a), mx::tanh(inner)));
    }
  }
  throw std::logic_error("fl::kernels::unary: unknown op");
}

const detail::Cost& cost(UnaryOp op) {
  bool costly = op == UnaryOp::Exp || op == UnaryOp::Log || op == UnaryOp::Tanh || op == UnaryOp::Sigmoid ||
                op == UnaryOp::Silu || op == UnaryOp::Gelu || op == UnaryOp::GeluTanh;
  return costly ? detail::kCostly : detail::kCheap;
}

template <class T>
void compute(UnaryOp op, const T* x, T* y, size_t n) {
  const simd::Isa& k = simd::isa();
  detail::parallel_for(n, cost(op).grain, [&](size_t lo, size_t hi) { simd::unary(k, op, x + lo, y + lo, hi - lo); });
}

mx::array make(UnaryOp op, const mx::array& x);

class Unary : public mx::UnaryPrimitive {
 public:
  Unary(mx::Stream s, UnaryOp op) : mx::UnaryPrimitive(s), op_(op) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    const mx::array& in = inputs[0];
    // A dense input in any layout (transposed, broadcast rows) is processed as its flat buffer, and the output
    // takes its strides, as MLX's own unary ops do; other strided inputs are read into a row-major output.
    const bool flat = in.flags().contiguous;
    if (flat && mx::is_donatable(in, out))
      out.copy_shared_buffer(in);
    else if (flat)
      set_line_data(out, in.data_size(), in.strides(), in.flags());
    else
      set_line_data(out);
    auto& enc = mx::cpu::get_command_encoder(stream());
    enc.set_input_array(in);
    enc.set_output_array(out);
    enc.dispatch(
        [in = mx::array::unsafe_weak_copy(in), out = mx::array::unsafe_weak_copy(out), flat, op = op_]() mutable {
          detail::with_type(out.dtype(), [&](auto tag) {
            using T = decltype(tag);
            T* y = out.data<T>();
            if (flat) return compute(op, in.data<T>(), y, in.data_size());
            detail::copy_row_major(in.data<T>(), in.shape(), in.strides(), y);
            compute(op, static_cast<const T*>(y), y, out.size());
          });
        });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("FlUnary has no GPU kernel: on a GPU, fl::kernels::unary uses MLX");
  }

  std::vector<mx::array> vjp(const std::vector<mx::array>& primals, const std::vector<mx::array>& cotangents,
                             const std::vector<int>&, const std::vector<mx::array>& outputs) override {
    const mx::array& g = cotangents[0];
    if (op_ == UnaryOp::Neg) return {kernels::unary(UnaryOp::Neg, g)};
    // PyTorch's threshold_backward: the gradient passes where the result is not <= 0 (nan included).
    if (op_ == UnaryOp::Relu) return {relu_grad(g, outputs[0])};
    return {kernels::multiply(g, derivative(primals[0], outputs[0]))};
  }
  std::vector<mx::array> jvp(const std::vector<mx::array>& primals, const std::vector<mx::array>& tangents,
                             const std::vector<int>&) override {
    mx::array y = make(op_, primals[0]);
    if (op_ == UnaryOp::Neg) return {kernels::unary(UnaryOp::Neg, tangents[0])};
    if (op_ == UnaryOp::Relu) return {relu_grad(tangents[0], y)};
    return {kernels::multiply(tangents[0], derivative(primals[0], y))};
  }
  std::pair<std::vector<mx::array>, std::vector<int>> vmap(const std::vector<mx::array>& inputs,
                                                           const std::vector<int>& axes) override {
    return {{kernels::unary(op_, inputs[0])}, axes};
  }
  const char* name() const override { return "FlUnary"; }
  bool is_equivalent(const mx::Primitive& other) const override { return op_ == static_cast<const Unary&>(other).op_; }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override { return {inputs[0].shape()}; }

 private:
  // dy/dx at x (y = op(x)), in differentiable primitives.
  mx::array derivative(const mx::array& x, const mx::array& y) const {
    auto k = [&](double v) { return c(v, x); };
    switch (op_) {
      case UnaryOp::Exp:
        return y;
      case UnaryOp::Log:
        return kernels::divide(k(1.0), x);
      case UnaryOp::Tanh:
        return kernels::subtract(k(1.0), kernels::unary(UnaryOp::Square, y));
      case UnaryOp::Sigmoid:
        return kernels::multiply(y, kernels::subtract(k(1.0), y));
      case UnaryOp::Abs:
        return mx::sign(x);
      case UnaryOp::Sqrt:
        return kernels::divide(k(0.5), y);
      case UnaryOp::Square:
        return kernels::multiply(k(2.0), x);
      case UnaryOp::Silu: {  // s (1 + x (1 - s))
        mx::array s = kernels::unary(UnaryOp::Sigmoid, x);
        return kernels::multiply(s, kernels::add(k(1.0), kernels::multiply(x, kernels::subtract(k(1.0), s))));
      }
      case UnaryOp::Gelu: {  // Phi(x) + x phi(x)
        mx::array cdf =
            kernels::multiply(k(0.5), kernels::add(k(1.0), kernels::erf(kernels::multiply(x, k(M_SQRT1_2)))));
        mx::array pdf = kernels::multiply(
            k(0.5 * M_2_SQRTPI * M_SQRT1_2),
            kernels::unary(UnaryOp::Exp, kernels::multiply(k(-0.5), kernels::unary(UnaryOp::Square, x))));
        return kernels::add(cdf, kernels::multiply(x, pdf));
      }
      case UnaryOp::GeluTanh: {  // PyTorch's GeluBackward (tanh): 0.5 (1 + t) + 0.5 x (1 - t^2) beta (1 + 3 kappa x^2)
        const double beta = std::sqrt(2.0 / M_PI), kappa = 0.044715;
        mx::array x2 = kernels::unary(UnaryOp::Square, x);
        mx::array t = kernels::unary(
            UnaryOp::Tanh,
            kernels::multiply(k(beta), kernels::add(x, kernels::multiply(k(kappa), kernels::multiply(x2, x)))));
        mx::array left = kernels::multiply(k(0.5), kernels::add(k(1.0), t));
        mx::array right =
            kernels::multiply(kernels::multiply(kernels::multiply(k(0.5), x),
                                                kernels::subtract(k(1.0), kernels::unary(UnaryOp::Square, t))),
                              kernels::multiply(k(beta), kernels::add(k(1.0), kernels::multiply(k(3 * kappa), x2))));
        return kernels::add(left, right);
      }
      case UnaryOp::Neg:
      case UnaryOp::Relu:
        break;  // vjp/jvp handle these without a multiply
    }
    throw std::logic_error("FlUnary: no derivative");
  }
  UnaryOp op_;
};

mx::array make(UnaryOp op, const mx::array& x) {
  return mx::array(x.shape(), x.dtype(), std::make_shared<Unary>(detail::cpu_stream(), op), {x});
}

mx::array eager(UnaryOp op, const mx::array& x) {
  mx::array out = detail::fresh(x.shape(), x.dtype());
  detail::with_type(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    compute(op, x.data<T>(), out.data<T>(), x.size());
  });
  return out;
}
}  // namespace

mx::array unary(UnaryOp op, const mx::array& x) {
  const size_t n = x.size();
  if (n == 0 || !detail::fast_dtype(x.dtype())) return fallback(op, x);
  if (detail::ready(x) && detail::run_here(n, cost(op))) return eager(op, x);
  return n >= cost(op).lazy_from ? make(op, x) : fallback(op, x);
}

const char* simd_name() { return simd::isa().name; }

}  // namespace fl::kernels
