// Normalisation modules (torch.nn's batchnorm.py and normalization.py): BatchNorm1d, BatchNorm2d, LayerNorm and
// GroupNorm, with torch's parameter and buffer names, initialisation (weight 1, bias 0) and repr.
#pragma once
#include <optional>

#include "fl/nn/module.h"
#include "fl/options.h"

namespace fl::nn {

/// BatchNorm1d/BatchNorm2d's constructor arguments, as torch's (bias is torch's keyword-only argument).
struct BatchNormOptions {
  int64_t num_features = 0;
  double eps = 1e-5;
  /// Weight of the batch statistic in the running averages; nullopt gives the cumulative average
  /// (1 / num_batches_tracked).
  std::optional<double> momentum = 0.1;
  /// Learnable per-channel weight (and bias, unless bias is false).
  bool affine = true;
  /// Keeps running_mean / running_var / num_batches_tracked buffers; without them batch statistics are used in
  /// evaluation too.
  bool track_running_stats = true;
  bool bias = true;
  TensorOptions tensor_options = {};
};

/// torch's _BatchNorm: in training, normalises with batch statistics and updates the running ones (and
/// num_batches_tracked); in evaluation, normalises with the running statistics.
class BatchNormBase : public UnaryModule {
 public:
  /// Zeroes running_mean and num_batches_tracked, sets running_var to 1.
  void reset_running_stats();
  /// reset_running_stats(), then weight = 1 and bias = 0.
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

  BatchNormOptions options;
  Tensor weight, bias;                                    // undefined without affine (bias also without bias)
  Tensor running_mean, running_var, num_batches_tracked;  // undefined without track_running_stats

 protected:
  explicit BatchNormBase(const BatchNormOptions& options);
  /// ValueError for an input rank the subclass does not take.
  virtual void check_input_dim(const Tensor& input) const = 0;
  /// torch's fix-up for checkpoints without num_batches_tracked: the current count is kept, not reported missing.
  void load_from_state_dict(const StateDict& state_dict, const std::string& prefix, IncompatibleKeys& keys,
                            std::vector<std::string>& error_msgs) override;
};

/// Batch normalisation of (N, C) or (N, C, L) input.
class BatchNorm1d : public BatchNormBase {
 public:
  explicit BatchNorm1d(const BatchNormOptions& options) : BatchNormBase(options) {}
  explicit BatchNorm1d(int64_t num_features, double eps = 1e-5, std::optional<double> momentum = 0.1,
                       bool affine = true, bool track_running_stats = true)
      : BatchNormBase({num_features, eps, momentum, affine, track_running_stats}) {}

 protected:
  void check_input_dim(const Tensor& input) const override;
};

/// Batch normalisation of (N, C, H, W) input.
class BatchNorm2d : public BatchNormBase {
 public:
  explicit BatchNorm2d(const BatchNormOptions& options) : BatchNormBase(options) {}
  explicit BatchNorm2d(int64_t num_features, double eps = 1e-5, std::optional<double> momentum = 0.1,
                       bool affine = true, bool track_running_stats = true)
      : BatchNormBase({num_features, eps, momentum, affine, track_running_stats}) {}

 protected:
  void check_input_dim(const Tensor& input) const override;
};

/// LayerNorm's constructor arguments, as torch.nn.LayerNorm's.
struct LayerNormOptions {
  /// The trailing dims normalised over.
  Shape normalized_shape;
  double eps = 1e-5;
  /// Learnable weight (and bias, unless bias is false) of normalized_shape.
  bool elementwise_affine = true;
  bool bias = true;
  TensorOptions tensor_options = {};
};

/// Normalises over the trailing normalized_shape dims of each sample.
class LayerNorm : public UnaryModule {
 public:
  explicit LayerNorm(const LayerNormOptions& options);
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5, bool elementwise_affine = true, bool bias = true)
      : LayerNorm(LayerNormOptions{std::move(normalized_shape), eps, elementwise_affine, bias}) {}
  /// LayerNorm(n) is LayerNorm(Shape{n}), as torch takes an int (write Shape{2, 3} for several dims: a bare
  /// {2, 3} is ambiguous with this constructor).
  explicit LayerNorm(int64_t normalized_shape, double eps = 1e-5, bool elementwise_affine = true, bool bias = true)
      : LayerNorm(Shape{normalized_shape}, eps, elementwise_affine, bias) {}
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

  LayerNormOptions options;
  Tensor weight, bias;
};

/// GroupNorm's constructor arguments, as torch.nn.GroupNorm's.
struct GroupNormOptions {
  int64_t num_groups = 0;
  int64_t num_channels = 0;
  double eps = 1e-5;
  /// Learnable per-channel weight (and bias, unless bias is false).
  bool affine = true;
  bool bias = true;
  TensorOptions tensor_options = {};
};

/// Normalises (N, C, *) input over groups of C / num_groups channels. ValueError unless num_groups divides
/// num_channels.
class GroupNorm : public UnaryModule {
 public:
  explicit GroupNorm(const GroupNormOptions& options);
  GroupNorm(int64_t num_groups, int64_t num_channels, double eps = 1e-5, bool affine = true)
      : GroupNorm(GroupNormOptions{num_groups, num_channels, eps, affine}) {}
  void reset_parameters();
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;

  GroupNormOptions options;
  Tensor weight, bias;
};

}  // namespace fl::nn
