// Identity, Linear and Bilinear (torch.nn's linear.py), with torch's default initialisation.
#pragma once
#include <optional>

#include "fl/nn/module.h"
#include "fl/options.h"

namespace fl::nn {

/// Returns its input (torch.nn.Identity ignores constructor arguments; here there are none).
class Identity : public UnaryModule {
 public:
  Identity() = default;
  Tensor forward(const Tensor& input) override { return input; }
};

/// Linear's constructor arguments, as torch.nn.Linear's.
struct LinearOptions {
  int64_t in_features = 0;
  int64_t out_features = 0;
  bool bias = true;
  /// dtype and device of the parameters (default dtype and device when unset).
  TensorOptions tensor_options = {};
};

/// y = x Wᵀ + b, with W [out_features, in_features] ~ kaiming_uniform_(a=√5) and b ~ U(-1/√in, 1/√in).
class Linear : public UnaryModule {
 public:
  explicit Linear(const LinearOptions& options);
  Linear(int64_t in_features, int64_t out_features, bool bias = true)
      : Linear(LinearOptions{in_features, out_features, bias}) {}
  /// Re-draws the parameters as the constructor does.
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

  LinearOptions options;
  Tensor weight;
  Tensor bias;  // undefined without bias
};

/// Bilinear's constructor arguments, as torch.nn.Bilinear's.
struct BilinearOptions {
  int64_t in1_features = 0;
  int64_t in2_features = 0;
  int64_t out_features = 0;
  bool bias = true;
  /// dtype and device of the parameters (default dtype and device when unset).
  TensorOptions tensor_options = {};
};

/// y = x1ᵀ A x2 + b, with A [out, in1, in2] and b ~ U(-1/√in1, 1/√in1).
class Bilinear : public Module {
 public:
  explicit Bilinear(const BilinearOptions& options);
  Bilinear(int64_t in1_features, int64_t in2_features, int64_t out_features, bool bias = true)
      : Bilinear(BilinearOptions{in1_features, in2_features, out_features, bias}) {}
  void reset_parameters();
  Tensor forward(const Tensor& input1, const Tensor& input2);
  /// forward() with the forward hooks around it.
  Tensor operator()(const Tensor& input1, const Tensor& input2);
  std::string extra_repr() const override;

  BilinearOptions options;
  Tensor weight;
  Tensor bias;
};

}  // namespace fl::nn
