// Dropout modules (torch.nn's dropout.py): the functional dropouts in training mode, the identity in evaluation.
// p outside [0, 1] raises ValueError at construction, as torch's.
#pragma once
#include "fl/nn/module.h"

namespace fl::nn {

/// torch's _DropoutNd: p and inplace, printed as "p=0.5, inplace=False".
class DropoutBase : public UnaryModule {
 public:
  Tensor forward(const Tensor& input) override;
  std::string extra_repr() const override;
  double p;
  bool inplace;

 protected:
  /// The functional form: fn(input, p, training, inplace).
  using Fn = Tensor (*)(const Tensor&, double, bool, bool);
  DropoutBase(double p, bool inplace, Fn fn);

 private:
  Fn fn_;
};

#define FL_NN_DROPOUT(NAME)                              \
  class NAME : public DropoutBase {                      \
   public:                                               \
    explicit NAME(double p = 0.5, bool inplace = false); \
  };

/// Zeroes elements with probability p and scales the rest by 1 / (1 - p).
FL_NN_DROPOUT(Dropout)
/// Zeroes whole channels of (N, C, L) or (C, L) input.
FL_NN_DROPOUT(Dropout1d)
/// Zeroes whole channels of (N, C, H, W) or (C, H, W) input.
FL_NN_DROPOUT(Dropout2d)
/// Zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) input.
FL_NN_DROPOUT(Dropout3d)
/// Dropout that keeps SELU's self-normalising statistics.
FL_NN_DROPOUT(AlphaDropout)
/// AlphaDropout over whole channels.
FL_NN_DROPOUT(FeatureAlphaDropout)
#undef FL_NN_DROPOUT

}  // namespace fl::nn
