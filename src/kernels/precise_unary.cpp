#include "kernels/precise_unary.h"

#include <cmath>

#include <mlx/allocator.h>
#include <mlx/backend/cpu/encoder.h>
#include <mlx/ops.h>
#include <mlx/primitives.h>

#include "kernels/line_array.h"

namespace fl::kernels {
namespace mx = mlx::core;

namespace {
enum class Fn { Exp, Sin, Cos, Erf, Erfinv, Tan, Log2, Log10 };

// Inverse error function: Giles' single-precision-free initial guess refined by two Newton steps on libm erf.
double erfinv_scalar(double y) {
  if (y <= -1) return y == -1 ? -INFINITY : NAN;
  if (y >= 1) return y == 1 ? INFINITY : NAN;
  double w = -std::log((1.0 - y) * (1.0 + y)), x;
  if (w < 6.25) {
    w -= 3.125;
    x = -3.6444120640178196996e-21;
    for (double c : {-1.685059138182016589e-19, 1.2858480715256400167e-18, 1.115787767802518096e-17,
                     -1.333171662854620906e-16, 2.0972767875968561637e-17, 6.6376381343583238325e-15,
                     -4.0545662729752068639e-14, -8.1519341976054721522e-14, 2.6335093153082322977e-12,
                     -1.2975133253453532498e-11, -5.4154120542946279317e-11, 1.051212273321532285e-09,
                     -4.1126339803469836976e-09, -2.9070369957882005086e-08, 4.2347877827932403518e-07,
                     -1.3654692000834678645e-06, -1.3882523362786468719e-05, 0.0001867342080340571352,
                     -0.00074070253416626697512, -0.0060336708714301490533, 0.24015818242558961693,
                     1.6536545626831027356})
      x = c + x * w;
  } else if (w < 16.0) {
    w = std::sqrt(w) - 3.25;
    x = 2.2137376921775787049e-09;
    for (double c : {9.0756561938885390979e-08, -2.7517406297064545428e-07, 1.8239629214389227755e-08,
                     1.5027403968909827627e-06, -4.013867526981545969e-06, 2.9234449089955446044e-06,
                     1.2475304481671778723e-05, -4.7318229009055733981e-05, 6.8284851459573175448e-05,
                     2.4031110387097893999e-05, -0.0003550375203628474796, 0.00095328937973738049703,
                     -0.0016882755560235047313, 0.0024914420961078508066, -0.0037512085075692412107,
                     0.005370914553590063617, 1.0052589676941592334, 3.0838856104922207635})
      x = c + x * w;
  } else {
    w = std::sqrt(w) - 5.0;
    x = -2.7109920616438573243e-11;
    for (double c : {-2.5556418169965252055e-10, 1.5076572693500548083e-09, -3.7894654401267369937e-09,
                     7.6157012080783393804e-09, -1.4960026627149240478e-08, 2.9147953450901080826e-08,
                     -6.7711997758452339498e-08, 2.2900482228026654717e-07, -9.9298272942317002539e-07,
                     4.5260625972231537039e-06, -1.9681778105531670567e-05, 7.5995277030017761139e-05,
                     -0.00021503011930044477347, -0.00013871931833623122026, 1.0103004648645343977,
                     4.8499064014085844221})
      x = c + x * w;
  }
  x *= y;
  for (int i = 0; i < 2; ++i) x -= (std::erf(x) - y) / (M_2_SQRTPI * std::exp(-x * x));
  return x;
}

double apply(Fn f, double v) {
  switch (f) {
    case Fn::Exp: return std::exp(v);
    case Fn::Sin: return std::sin(v);
    case Fn::Cos: return std::cos(v);
    case Fn::Erf: return std::erf(v);
    case Fn::Erfinv: return erfinv_scalar(v);
    case Fn::Tan: return std::tan(v);
    case Fn::Log2: return std::log2(v);
    case Fn::Log10: return std::log10(v);
  }
  return v;
}

mx::array make(Fn f, const mx::array& x);

class PreciseUnary : public mx::UnaryPrimitive {
 public:
  PreciseUnary(mx::Stream s, Fn f) : mx::UnaryPrimitive(s), f_(f) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    const mx::array& in = inputs[0];  // row-contiguous: make() passes it through mx::contiguous
    set_line_data(out);
    auto& enc = mx::cpu::get_command_encoder(stream());
    enc.set_input_array(in);
    enc.set_output_array(out);
    enc.dispatch([src = in.data<double>(), dst = out.data<double>(), n = in.size(), f = f_]() {
      for (size_t i = 0; i < n; ++i) dst[i] = apply(f, src[i]);
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("PreciseUnary has no GPU kernel (float64 runs on the CPU)");
  }

  std::vector<mx::array> vjp(const std::vector<mx::array>& primals, const std::vector<mx::array>& cotangents,
                             const std::vector<int>&, const std::vector<mx::array>& outputs) override {
    return {mx::multiply(cotangents[0], derivative(primals[0], outputs[0]))};
  }
  std::vector<mx::array> jvp(const std::vector<mx::array>& primals, const std::vector<mx::array>& tangents,
                             const std::vector<int>&) override {
    return {mx::multiply(tangents[0], derivative(primals[0], make(f_, primals[0])))};
  }
  std::pair<std::vector<mx::array>, std::vector<int>> vmap(const std::vector<mx::array>& inputs,
                                                           const std::vector<int>& axes) override {
    return {{make(f_, inputs[0])}, axes};
  }
  const char* name() const override { return "PreciseUnary"; }
  bool is_equivalent(const mx::Primitive& other) const override {
    return f_ == static_cast<const PreciseUnary&>(other).f_;
  }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override { return {inputs[0].shape()}; }

 private:
  // d f / dx, written with the precise primitives so higher derivatives stay precise.
  mx::array derivative(const mx::array& x, const mx::array& y) {
    auto c = [&](double v) { return mx::array(v, x.dtype()); };
    switch (f_) {
      case Fn::Exp: return y;
      case Fn::Sin: return make(Fn::Cos, x);
      case Fn::Cos: return mx::negative(make(Fn::Sin, x));
      case Fn::Erf: return mx::multiply(c(M_2_SQRTPI), make(Fn::Exp, mx::negative(mx::multiply(x, x))));
      case Fn::Erfinv: return mx::multiply(c(std::sqrt(M_PI) / 2), make(Fn::Exp, mx::multiply(y, y)));
      // MLX's own vjps use float32 constants (log 2, log 10) or its float32-accurate cos.
      case Fn::Tan: return mx::add(c(1.0), mx::multiply(y, y));
      case Fn::Log2: return mx::reciprocal(mx::multiply(x, c(M_LN2)));
      case Fn::Log10: return mx::reciprocal(mx::multiply(x, c(M_LN10)));
    }
    return y;
  }
  Fn f_;
};

mx::array make(Fn f, const mx::array& x) {
  mx::array in = mx::contiguous(x);
  return mx::array(in.shape(), mx::float64, std::make_shared<PreciseUnary>(mx::to_stream(mx::Device::cpu), f), {in});
}

bool precise_path(const mx::array& x) {
  return x.dtype() == mx::float64 && mx::default_device() == mx::Device::cpu;
}
}  // namespace

mx::array exp(const mx::array& x) { return precise_path(x) ? make(Fn::Exp, x) : mx::exp(x); }
mx::array sin(const mx::array& x) { return precise_path(x) ? make(Fn::Sin, x) : mx::sin(x); }
mx::array cos(const mx::array& x) { return precise_path(x) ? make(Fn::Cos, x) : mx::cos(x); }
mx::array erf(const mx::array& x) { return precise_path(x) ? make(Fn::Erf, x) : mx::erf(x); }
mx::array erfinv(const mx::array& x) { return precise_path(x) ? make(Fn::Erfinv, x) : mx::erfinv(x); }
mx::array tan(const mx::array& x) { return precise_path(x) ? make(Fn::Tan, x) : mx::tan(x); }
mx::array log2(const mx::array& x) { return precise_path(x) ? make(Fn::Log2, x) : mx::log2(x); }
mx::array log10(const mx::array& x) { return precise_path(x) ? make(Fn::Log10, x) : mx::log10(x); }
mx::array sigmoid(const mx::array& x) {
  if (!precise_path(x)) return mx::sigmoid(x);
  auto one = mx::array(1.0, mx::float64);
  return mx::divide(one, mx::add(one, make(Fn::Exp, mx::negative(x))));
}

}  // namespace fl::kernels
