// Activations of torch.nn.functional beyond the core unary set, as single MLX compositions.
#include "fl/nn/functional/activation.h"

#include "fl/ops/reduction.h"
#include "fl/ops/unary.h"
#include "kernels/precise_unary.h"
#include "ops/op_utils.h"

namespace fl::nn::functional {

Tensor threshold(const Tensor& x, double threshold, double value) {
  return apply1("ThresholdBackward0", fn1([threshold, value](const Arrays& in) {
    const mx::array& a = in[0];
    return mx::where(mx::greater(a, mx::array(threshold, a.dtype())), a, mx::array(value, a.dtype()));
  }), {x}, save_inputs({0}));
}

Tensor prelu(const Tensor& x, const Tensor& weight) {
  FL_CHECK(weight.dim() <= 1, "prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = ", weight.dim());
  int64_t channels = x.dim() >= 2 ? x.size(1) : 1;
  FL_CHECK(weight.numel() == 1 || weight.numel() == channels,
           "Mismatch of parameter numbers and input channel size. Found parameter numbers = ", weight.numel(),
           " and channel size = ", channels, ".");
  FL_CHECK_AS(NotImplementedError, x.is_floating_point(), "\"prelu_cpu\" not implemented for '",
              scalar_type_name(x.dtype()), "'");
  Dtype d = result_type(x, weight);
  int ndim = static_cast<int>(x.dim());
  return apply1("PreluKernelBackward0", fn1([d, ndim](const Arrays& in) {
    mx::array a = cast(in[0], d), w = cast(in[1], d);
    if (w.size() > 1) {  // one weight per channel: broadcast along dim 1
      mx::Shape s(ndim, 1);
      s[1] = static_cast<int>(w.size());
      w = mx::reshape(w, s);
    } else {
      w = mx::reshape(w, {});
    }
    return mx::where(mx::greater(a, mx::array(0.0, a.dtype())), a, mx::multiply(w, a));
  }), {x, weight}, save_inputs({0, 1}));
}

Tensor glu(const Tensor& x, int64_t dim) {
  FL_CHECK(x.dim() > 0, "glu does not support scalars because halving size must be even");
  int64_t d = wrap_dim(dim, x.dim());
  FL_CHECK(x.size(d) % 2 == 0, "Halving dimension must be even, but dimension ", d, " is size ", x.size(d));
  FL_CHECK_AS(NotImplementedError, x.is_floating_point(), "\"glu_cpu\" not implemented for '",
              scalar_type_name(x.dtype()), "'");
  int axis = static_cast<int>(d);
  return apply1("GluBackward0", fn1([axis](const Arrays& in) {
    auto halves = mx::split(in[0], 2, axis);
    return mx::multiply(halves[0], kernels::sigmoid(halves[1]));
  }), {x}, save_inputs({0}));
}

Tensor softmin(const Tensor& x, int64_t dim, std::optional<Dtype> dtype) {
  return softmax(neg(dtype ? x.to(*dtype) : x), dim);
}

static OpRegistrar kRegistrar({{"threshold", "nn.activation", true},
                               {"prelu", "nn.activation", true},
                               {"glu", "nn.activation", true},
                               {"softmin", "nn.activation", true}});

}  // namespace fl::nn::functional
