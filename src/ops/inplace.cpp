// In-place methods: each is its out-of-place op, written back through views by apply_inplace.
#include "fl/ops/binary.h"
#include "fl/ops/random.h"
#include "fl/ops/unary.h"
#include "ops/op_utils.h"

namespace fl {

namespace {
using TensorsFn = std::function<Tensor(const std::vector<Tensor>&)>;

// Lifts a tensor-level op to arrays, so in-place history records the same maths the op uses.
Tensor& inplace(const char* name, Tensor& self, const std::vector<Tensor>& others, TensorsFn f,
                SaveMask saves = kSaveNone) {
  ArrayFn fn = [f](const Arrays& in) {
    NoGradGuard guard;
    std::vector<Tensor> ts;
    ts.reserve(in.size());
    for (auto& a : in) ts.push_back(make_tensor(a));
    return Arrays{f(ts).mlx()};
  };
  return apply_inplace(name, self, std::move(fn), others, saves);
}
}  // namespace

Tensor& Tensor::copy_(const Tensor& src) {
  Dtype d = dtype();
  Shape target = sizes();
  broadcast_shapes(target, src.sizes());
  // copy_ casts silently (no can_cast check): convert before the shared in-place path.
  return inplace("CopySlices", *this, {src}, [d, target](const std::vector<Tensor>& t) {
    return make_tensor(mx::broadcast_to(cast(t[1].mlx(), d), to_mx_shape(target)));
  });
}
Tensor& Tensor::fill_(const Scalar& v) {
  Dtype d = dtype();
  Shape target = sizes();
  Tensor value = scalar_tensor(v, d);
  return inplace("FillBackward0", *this, {value}, [target](const std::vector<Tensor>& t) {
    return make_tensor(mx::broadcast_to(t[1].mlx(), to_mx_shape(target)));
  });
}
Tensor& Tensor::zero_() { return fill_(0); }

Tensor& Tensor::add_(const Tensor& o, const Scalar& alpha) {
  return inplace("AddBackward0", *this, {o}, [alpha](const std::vector<Tensor>& t) { return fl::add(t[0], t[1], alpha); });
}
Tensor& Tensor::add_(const Scalar& o, const Scalar& alpha) {
  return inplace("AddBackward0", *this, {}, [o, alpha](const std::vector<Tensor>& t) { return fl::add(t[0], o, alpha); });
}
Tensor& Tensor::sub_(const Tensor& o, const Scalar& alpha) {
  return inplace("SubBackward0", *this, {o}, [alpha](const std::vector<Tensor>& t) { return fl::sub(t[0], t[1], alpha); });
}
Tensor& Tensor::sub_(const Scalar& o, const Scalar& alpha) {
  return inplace("SubBackward0", *this, {}, [o, alpha](const std::vector<Tensor>& t) { return fl::sub(t[0], o, alpha); });
}
Tensor& Tensor::mul_(const Tensor& o) {
  return inplace("MulBackward0", *this, {o}, [](const std::vector<Tensor>& t) { return fl::mul(t[0], t[1]); },
                 save_inputs({0, 1}));
}
Tensor& Tensor::mul_(const Scalar& o) {
  return inplace("MulBackward0", *this, {}, [o](const std::vector<Tensor>& t) { return fl::mul(t[0], o); });
}
Tensor& Tensor::div_(const Tensor& o) {
  return inplace("DivBackward0", *this, {o}, [](const std::vector<Tensor>& t) { return fl::div(t[0], t[1]); },
                 save_inputs({0, 1}));
}
Tensor& Tensor::div_(const Scalar& o) {
  return inplace("DivBackward0", *this, {}, [o](const std::vector<Tensor>& t) { return fl::div(t[0], o); });
}
Tensor& Tensor::pow_(const Scalar& e) {
  return inplace("PowBackward0", *this, {}, [e](const std::vector<Tensor>& t) { return fl::pow(t[0], e); },
                 save_inputs({0}));
}
Tensor& Tensor::clamp_(std::optional<Scalar> lo, std::optional<Scalar> hi) {
  return inplace("ClampBackward1", *this, {}, [lo, hi](const std::vector<Tensor>& t) { return fl::clamp(t[0], lo, hi); },
                 save_inputs({0}));
}
Tensor& Tensor::neg_() {
  return inplace("NegBackward0", *this, {}, [](const std::vector<Tensor>& t) { return fl::neg(t[0]); });
}
Tensor& Tensor::exp_() {
  return inplace("ExpBackward0", *this, {}, [](const std::vector<Tensor>& t) { return fl::exp(t[0]); }, kSaveOutput);
}
Tensor& Tensor::sqrt_() {
  return inplace("SqrtBackward0", *this, {}, [](const std::vector<Tensor>& t) { return fl::sqrt(t[0]); }, kSaveOutput);
}
Tensor& Tensor::relu_() {
  return inplace("ReluBackward0", *this, {}, [](const std::vector<Tensor>& t) { return fl::relu(t[0]); }, kSaveOutput);
}
Tensor& Tensor::sigmoid_() {
  return inplace("SigmoidBackward0", *this, {}, [](const std::vector<Tensor>& t) { return fl::sigmoid(t[0]); },
                 kSaveOutput);
}
Tensor& Tensor::tanh_() {
  return inplace("TanhBackward0", *this, {}, [](const std::vector<Tensor>& t) { return fl::tanh(t[0]); }, kSaveOutput);
}
Tensor& Tensor::addcmul_(const Tensor& t1, const Tensor& t2, const Scalar& v) {
  return inplace("AddcmulBackward0", *this, {t1, t2},
                 [v](const std::vector<Tensor>& t) { return fl::addcmul(t[0], t[1], t[2], v); }, save_inputs({1, 2}));
}
Tensor& Tensor::addcdiv_(const Tensor& t1, const Tensor& t2, const Scalar& v) {
  return inplace("AddcdivBackward0", *this, {t1, t2},
                 [v](const std::vector<Tensor>& t) { return fl::addcdiv(t[0], t[1], t[2], v); }, save_inputs({1, 2}));
}
Tensor& Tensor::lerp_(const Tensor& end, const Scalar& w) {
  return inplace("LerpBackward0", *this, {end}, [w](const std::vector<Tensor>& t) { return fl::lerp(t[0], t[1], w); });
}
Tensor& Tensor::masked_fill_(const Tensor& mask, const Scalar& v) {
  return inplace("MaskedFillBackward0", *this, {mask},
                 [v](const std::vector<Tensor>& t) { return t[0].masked_fill(t[1], v); });
}
Tensor& Tensor::uniform_(double from, double to) {
  Tensor r = rand(sizes(), dtype()) * (to - from) + from;
  return copy_(r);
}
Tensor& Tensor::normal_(double mean, double std) {
  Tensor r = randn(sizes(), dtype()) * std + mean;
  return copy_(r);
}

}  // namespace fl

namespace fl {
static OpRegistrar kRegistrar({
    {"copy_", "inplace", true},  {"fill_", "inplace", false},   {"zero_", "inplace", false},
    {"add_", "inplace", true},   {"sub_", "inplace", true},     {"mul_", "inplace", true},
    {"div_", "inplace", true},   {"pow_", "inplace", true},     {"clamp_", "inplace", true},
    {"neg_", "inplace", true},   {"exp_", "inplace", true},     {"sqrt_", "inplace", true},
    {"relu_", "inplace", true},  {"sigmoid_", "inplace", true}, {"tanh_", "inplace", true},
    {"addcmul_", "inplace", true}, {"addcdiv_", "inplace", true}, {"lerp_", "inplace", true},
    {"masked_fill_", "inplace", true}, {"uniform_", "inplace", false}, {"normal_", "inplace", false},
});
}  // namespace fl
