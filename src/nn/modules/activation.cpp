#include "fl/nn/modules/activation.h"

#include "core/autograd_impl.h"
#include "core/tensor_impl.h"
#include "fl/nn/repr.h"
#include "fl/ops/binary.h"
#include "fl/ops/creation.h"
#include "fl/ops/random.h"
#include "fl/ops/reduction.h"
#include "fl/ops/shape.h"
#include "fl/ops/unary.h"

namespace fl::nn {

Tensor Activation::forward(const Tensor& input) {
  Fn f = function();
  if (!inplace) return f(input);
  // One in-place op whose value is f of the old value, written through views like Tensor::relu_.
  Tensor self = input;
  ArrayFn fn = [f](const std::vector<mlx::core::array>& in) {
    NoGradGuard no_grad;
    return std::vector<mlx::core::array>{f(make_tensor(in[0])).mlx()};
  };
  return apply_inplace(inplace_grad_, self, std::move(fn), {}, kSaveOutput);
}

std::string Activation::extra_repr() const {
  std::string args = args_repr();
  if (inplace && print_inplace_) args += (args.empty() ? "" : ", ") + std::string("inplace=True");
  return args;
}

Activation::Fn ReLU::function() const { return fl::relu; }
Activation::Fn ReLU6::function() const { return fl::relu6; }
Activation::Fn SELU::function() const { return fl::selu; }
Activation::Fn SiLU::function() const { return fl::silu; }
Activation::Fn Mish::function() const { return fl::mish; }
Activation::Fn Hardsigmoid::function() const { return fl::hardsigmoid; }
Activation::Fn Hardswish::function() const { return fl::hardswish; }
Activation::Fn Tanh::function() const { return fl::tanh; }
Activation::Fn Sigmoid::function() const { return fl::sigmoid; }
Activation::Fn Softsign::function() const { return fl::softsign; }
Activation::Fn LogSigmoid::function() const { return fl::logsigmoid; }
Activation::Fn Tanhshrink::function() const { return fl::tanhshrink; }
Activation::Fn Softmax2d::function() const {
  return [](const Tensor& x) {
    FL_CHECK_VALUE(x.dim() == 3 || x.dim() == 4, "Softmax2d: expected input to be 3D or 4D, got ", x.dim(),
                   "D instead");
    return fl::softmax(x, -3);
  };
}

Activation::Fn LeakyReLU::function() const {
  return [s = negative_slope](const Tensor& x) { return fl::leaky_relu(x, s); };
}
std::string LeakyReLU::args_repr() const { return "negative_slope=" + py_float(negative_slope); }

Activation::Fn ELU::function() const {
  return [a = alpha](const Tensor& x) { return fl::elu(x, a); };
}
std::string ELU::args_repr() const { return "alpha=" + py_float(alpha); }

Activation::Fn CELU::function() const {
  return [a = alpha](const Tensor& x) { return fl::celu(x, a); };
}
std::string CELU::args_repr() const { return "alpha=" + py_float(alpha); }

Activation::Fn GELU::function() const {
  return [a = approximate](const Tensor& x) { return fl::gelu(x, a); };
}
std::string GELU::args_repr() const { return "approximate='" + approximate + "'"; }

Activation::Fn Softplus::function() const {
  return [b = beta, t = threshold](const Tensor& x) { return fl::softplus(x, b, t); };
}
std::string Softplus::args_repr() const { return "beta=" + py_float(beta) + ", threshold=" + py_float(threshold); }

Hardtanh::Hardtanh(double min_val, double max_val, bool inplace)
    : Activation(inplace, "HardtanhBackward0"), min_val(min_val), max_val(max_val) {
  FL_CHECK_VALUE(max_val > min_val, "Hardtanh: max_val (", max_val, ") must be greater than min_val (", min_val, ")");
}
Activation::Fn Hardtanh::function() const {
  return [lo = min_val, hi = max_val](const Tensor& x) { return fl::hardtanh(x, lo, hi); };
}
std::string Hardtanh::args_repr() const { return "min_val=" + py_float(min_val) + ", max_val=" + py_float(max_val); }

Activation::Fn Softshrink::function() const {
  return [l = lambd](const Tensor& x) { return fl::softshrink(x, l); };
}
std::string Softshrink::args_repr() const { return py_float(lambd); }

Activation::Fn Hardshrink::function() const {
  return [l = lambd](const Tensor& x) { return fl::hardshrink(x, l); };
}
std::string Hardshrink::args_repr() const { return py_float(lambd); }

Activation::Fn Threshold::function() const {
  return [t = threshold, v = value](const Tensor& x) { return fl::where(x > t, x, v); };
}
std::string Threshold::args_repr() const { return "threshold=" + py_float(threshold) + ", value=" + py_float(value); }

Activation::Fn RReLU::function() const {
  if (!is_training()) return [s = (lower + upper) / 2](const Tensor& x) { return fl::leaky_relu(x, s); };
  // One draw of slopes per forward, captured so an in-place backward reuses it.
  double lo = lower, hi = upper;
  return [lo, hi, slopes = std::make_shared<Tensor>()](const Tensor& x) {
    FL_CHECK_AS(NotImplementedError, x.is_floating_point(), "\"rrelu_with_noise_cpu\" not implemented for '",
                scalar_type_name(x.dtype()), "'");
    if (!slopes->defined()) *slopes = fl::uniform(x.sizes(), lo, hi, TensorOptions(x.dtype()).device(x.device()));
    return fl::where(x >= 0, x, x * *slopes);
  };
}
std::string RReLU::args_repr() const { return "lower=" + py_float(lower) + ", upper=" + py_float(upper); }

namespace {
// torch's _get_softmax_dim for a module built without dim.
int64_t softmax_dim(std::optional<int64_t> dim, int64_t ndim) {
  if (dim) return *dim;
  return ndim == 0 || ndim == 1 || ndim == 3 ? 0 : 1;
}
std::string dim_repr(std::optional<int64_t> dim) { return "dim=" + (dim ? std::to_string(*dim) : "None"); }
}  // namespace

Activation::Fn Softmax::function() const {
  return [d = dim](const Tensor& x) { return fl::softmax(x, softmax_dim(d, x.dim())); };
}
std::string Softmax::args_repr() const { return dim_repr(dim); }

Activation::Fn LogSoftmax::function() const {
  return [d = dim](const Tensor& x) { return fl::log_softmax(x, softmax_dim(d, x.dim())); };
}
std::string LogSoftmax::args_repr() const { return dim_repr(dim); }

Activation::Fn Softmin::function() const {
  return [d = dim](const Tensor& x) { return fl::softmax(-x, softmax_dim(d, x.dim())); };
}
std::string Softmin::args_repr() const { return dim_repr(dim); }

Activation::Fn GLU::function() const {
  return [dim = dim](const Tensor& x) {
    FL_CHECK(x.dim() > 0, "glu does not support scalars because halving size must be even");
    int64_t d = dim < 0 ? dim + x.dim() : dim;
    FL_CHECK_INDEX(d >= 0 && d < x.dim(), "Dimension out of range (expected to be in range of [", -x.dim(), ", ",
                   x.dim() - 1, "], but got ", dim, ")");
    FL_CHECK(x.size(d) % 2 == 0, "Halving dimension must be even, but dimension ", d, " is size ", x.size(d));
    auto halves = fl::chunk(x, 2, d);
    return halves[0] * fl::sigmoid(halves[1]);
  };
}
std::string GLU::args_repr() const { return "dim=" + std::to_string(dim); }

PReLU::PReLU(int64_t num_parameters, double init, TensorOptions tensor_options)
    : Activation(), num_parameters(num_parameters), init(init) {
  weight = register_parameter("weight", fl::empty({num_parameters}, tensor_options));
  reset_parameters();
}

void PReLU::reset_parameters() {
  NoGradGuard no_grad;
  weight.fill_(init);
}

Activation::Fn PReLU::function() const {
  return [weight = weight](const Tensor& x) {
    FL_CHECK(x.dtype() == weight.dtype(), "prelu: Type promoting not supported. Got ", scalar_type_name(x.dtype()),
             " and ", scalar_type_name(weight.dtype()));
    Tensor w = weight;
    if (weight.numel() != 1) {
      FL_CHECK(x.dim() > 0, "Not allow zero-dim input tensor.");
      int64_t channels = x.dim() > 1 ? x.size(1) : 1;
      FL_CHECK(channels == weight.numel(),
               "Mismatch of parameter numbers and input channel size. Found parameter "
               "numbers = ",
               weight.numel(), " and channel size = ", channels, ".");
    }
    // Broadcast the slopes over dim 1, as torch reshapes them.
    if (x.dim() != weight.dim()) {
      Shape s(static_cast<size_t>(x.dim()), 1);
      if (x.dim() > 1) s[1] = weight.numel();
      w = weight.reshape(s);
    }
    return fl::where(x > 0, x, w * x);
  };
}
std::string PReLU::args_repr() const { return "num_parameters=" + std::to_string(num_parameters); }

}  // namespace fl::nn
