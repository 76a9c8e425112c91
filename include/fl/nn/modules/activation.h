// Activation modules (torch.nn's activation.py) over the core's activations in fl/ops/unary.h and reduction.h.
// Each prints as torch's does; `inplace` ones overwrite their input (recorded as one in-place op for autograd).
#pragma once
#include <functional>
#include <optional>
#include <string>

#include "fl/nn/module.h"
#include "fl/options.h"

namespace fl::nn {

/// Shared by the activations: forward applies function(), in place when `inplace`; extra_repr prints
/// args_repr() then ", inplace=True".
class Activation : public UnaryModule {
 public:
  using Fn = std::function<Tensor(const Tensor&)>;
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  bool inplace = false;

 protected:
  /// inplace_grad: the grad_fn name torch gives the in-place form; print_inplace: whether torch prints it.
  explicit Activation(bool inplace = false, const char* inplace_grad = "", bool print_inplace = true)
      : inplace(inplace), inplace_grad_(inplace_grad), print_inplace_(print_inplace) {}
  /// The activation as a function of its input alone. It captures what it needs by value: an in-place call
  /// records it for the backward pass, which may outlive the module.
  virtual Fn function() const = 0;
  /// torch's extra_repr before the inplace flag.
  virtual std::string args_repr() const { return ""; }

 private:
  const char* inplace_grad_;
  bool print_inplace_;
};

// Parameter-free activations (function() is one line in activation.cpp).
#define FL_NN_ACTIVATION(NAME)     \
  class NAME : public Activation { \
   public:                         \
    NAME() = default;              \
                                   \
   protected:                      \
    Fn function() const override;  \
  };
// The same with torch's `inplace` flag.
#define FL_NN_ACTIVATION_INPLACE(NAME, GRAD, PRINT_INPLACE)                           \
  class NAME : public Activation {                                                    \
   public:                                                                            \
    explicit NAME(bool inplace = false) : Activation(inplace, GRAD, PRINT_INPLACE) {} \
                                                                                      \
   protected:                                                                         \
    Fn function() const override;                                                     \
  };

/// torch.nn.ReLU: max(0, x).
FL_NN_ACTIVATION_INPLACE(ReLU, "ReluBackward0", true)
/// torch.nn.ReLU6: min(max(0, x), 6).
FL_NN_ACTIVATION_INPLACE(ReLU6, "HardtanhBackward0", true)
/// torch.nn.SELU: scale * elu(x, alpha) with torch's self-normalising constants.
FL_NN_ACTIVATION_INPLACE(SELU, "EluBackward1", true)
/// torch.nn.SiLU: x * sigmoid(x).
FL_NN_ACTIVATION_INPLACE(SiLU, "SiluBackward0", true)
/// torch.nn.Mish: x * tanh(softplus(x)).
FL_NN_ACTIVATION_INPLACE(Mish, "MishBackward0", true)
/// torch.nn.Hardsigmoid: min(max(x / 6 + 1 / 2, 0), 1).
FL_NN_ACTIVATION_INPLACE(Hardsigmoid, "HardsigmoidBackward0", false)
/// torch.nn.Hardswish: x * hardsigmoid(x).
FL_NN_ACTIVATION_INPLACE(Hardswish, "HardswishBackward0", false)
/// torch.nn.Tanh.
FL_NN_ACTIVATION(Tanh)
/// torch.nn.Sigmoid.
FL_NN_ACTIVATION(Sigmoid)
/// torch.nn.Softsign: x / (1 + |x|).
FL_NN_ACTIVATION(Softsign)
/// torch.nn.LogSigmoid: log(sigmoid(x)).
FL_NN_ACTIVATION(LogSigmoid)
/// torch.nn.Tanhshrink: x - tanh(x).
FL_NN_ACTIVATION(Tanhshrink)
/// Softmax over the channel dim (-3) of a (C, H, W) or (N, C, H, W) input.
FL_NN_ACTIVATION(Softmax2d)
#undef FL_NN_ACTIVATION
#undef FL_NN_ACTIVATION_INPLACE

/// torch.nn.LeakyReLU: x if x >= 0 else negative_slope * x.
class LeakyReLU : public Activation {
 public:
  explicit LeakyReLU(double negative_slope = 0.01, bool inplace = false)
      : Activation(inplace, "LeakyReluBackward1"), negative_slope(negative_slope) {}
  double negative_slope;

 protected:
  Fn function() const override;
  std::string args_repr() const override;
};

/// torch.nn.ELU: x if x > 0 else alpha * (exp(x) - 1).
class ELU : public Activation {
 public:
  explicit ELU(double alpha = 1.0, bool inplace = false) : Activation(inplace, "EluBackward1"), alpha(alpha) {}
  double alpha;

 protected:
  Fn function() const override;
  std::string args_repr() const override;
};

/// torch.nn.CELU: max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).
class CELU : public Activation {
 public:
  explicit CELU(double alpha = 1.0, bool inplace = false) : Activation(inplace, "CeluBackward1"), alpha(alpha) {}
  double alpha;

 protected:
  Fn function() const override;
  std::string args_repr() const override;
};

/// torch.nn.GELU; approximate: "none" (erf) or "tanh".
class GELU : public Activation {
 public:
  explicit GELU(std::string approximate = "none") : Activation(), approximate(std::move(approximate)) {}
  std::string approximate;

 protected:
  Fn function() const override;
  std::string args_repr() const override;
};

/// torch.nn.Softplus: log(1 + exp(beta * x)) / beta, x itself where beta * x > threshold.
class Softplus : public Activation {
 public:
  explicit Softplus(double beta = 1.0, double threshold = 20.0) : Activation(), beta(beta), threshold(threshold) {}
  double beta, threshold;

 protected:
  Fn function() const override;
  std::string args_repr() const override;
};

/// torch.nn.Hardtanh: x clamped to [min_val, max_val].
class Hardtanh : public Activation {
 public:
  /// ValueError unless max_val > min_val.
  explicit Hardtanh(double min_val = -1.0, double max_val = 1.0, bool inplace = false);
  double min_val, max_val;

 protected:
  Fn function() const override;
  std::string args_repr() const override;
};

/// torch.nn.Softshrink: x - lambd if x > lambd, x + lambd if x < -lambd, else 0; prints only lambd, as torch.
class Softshrink : public Activation {
 public:
  explicit Softshrink(double lambd = 0.5) : Activation(), lambd(lambd) {}
  double lambd;

 protected:
  Fn function() const override;
  std::string args_repr() const override;
};

/// torch.nn.Hardshrink: x where |x| > lambd, else 0; prints only lambd, as torch.
class Hardshrink : public Activation {
 public:
  explicit Hardshrink(double lambd = 0.5) : Activation(), lambd(lambd) {}
  double lambd;

 protected:
  Fn function() const override;
  std::string args_repr() const override;
};

/// y = x if x > threshold else value.
class Threshold : public Activation {
 public:
  Threshold(double threshold, double value, bool inplace = false)
      : Activation(inplace, "ThresholdBackward1"), threshold(threshold), value(value) {}
  double threshold, value;

 protected:
  Fn function() const override;
  std::string args_repr() const override;
};

/// Randomized leaky ReLU: negative slopes ~ U(lower, upper) per element in training, (lower + upper) / 2 in eval.
class RReLU : public Activation {
 public:
  explicit RReLU(double lower = 1.0 / 8, double upper = 1.0 / 3, bool inplace = false)
      : Activation(inplace, "RreluWithNoiseBackward1"), lower(lower), upper(upper) {}
  double lower, upper;

 protected:
  Fn function() const override;
  std::string args_repr() const override;
};

/// Softmax, LogSoftmax and Softmin along dim; with no dim, torch's legacy choice (0 for 0-, 1- and 3-d inputs,
/// else 1).
class Softmax : public Activation {
 public:
  explicit Softmax(std::optional<int64_t> dim = std::nullopt) : Activation(), dim(dim) {}
  std::optional<int64_t> dim;

 protected:
  Fn function() const override;
  std::string args_repr() const override;
};

/// torch.nn.LogSoftmax: log(softmax(x)) along dim, with Softmax's choice of dim when none is given.
class LogSoftmax : public Activation {
 public:
  explicit LogSoftmax(std::optional<int64_t> dim = std::nullopt) : Activation(), dim(dim) {}
  std::optional<int64_t> dim;

 protected:
  Fn function() const override;
  std::string args_repr() const override;
};

/// torch.nn.Softmin: softmax(-x) along dim, with Softmax's choice of dim when none is given.
class Softmin : public Activation {
 public:
  explicit Softmin(std::optional<int64_t> dim = std::nullopt) : Activation(), dim(dim) {}
  std::optional<int64_t> dim;

 protected:
  Fn function() const override;
  std::string args_repr() const override;
};

/// Gated linear unit: the first half of dim times the sigmoid of the second half.
class GLU : public Activation {
 public:
  explicit GLU(int64_t dim = -1) : Activation(), dim(dim) {}
  int64_t dim;

 protected:
  Fn function() const override;
  std::string args_repr() const override;
};

/// max(0, x) + weight * min(0, x), with one learnable slope or one per channel (dim 1), initialised to `init`.
class PReLU : public Activation {
 public:
  explicit PReLU(int64_t num_parameters = 1, double init = 0.25, TensorOptions tensor_options = {});
  void reset_parameters();
  int64_t num_parameters;
  double init;
  Tensor weight;

 protected:
  Fn function() const override;
  std::string args_repr() const override;
};

}  // namespace fl::nn
