#include "fl/nn/modules/dropout.h"

#include "fl/nn/functional/dropout.h"
#include "fl/nn/repr.h"

namespace fl::nn {

namespace F = functional;

DropoutBase::DropoutBase(double p, bool inplace, Fn fn) : p(p), inplace(inplace), fn_(fn) {
  FL_CHECK_VALUE(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got ", py_float(p));
}

Tensor DropoutBase::forward(const Tensor& input) { return fn_(input, p, is_training(), inplace); }

std::string DropoutBase::extra_repr() const { return "p=" + py_float(p) + ", inplace=" + py_bool(inplace); }

Dropout::Dropout(double p, bool inplace) : DropoutBase(p, inplace, F::dropout) {}
Dropout1d::Dropout1d(double p, bool inplace) : DropoutBase(p, inplace, F::dropout1d) {}
Dropout2d::Dropout2d(double p, bool inplace) : DropoutBase(p, inplace, F::dropout2d) {}
Dropout3d::Dropout3d(double p, bool inplace) : DropoutBase(p, inplace, F::dropout3d) {}
AlphaDropout::AlphaDropout(double p, bool inplace) : DropoutBase(p, inplace, F::alpha_dropout) {}
FeatureAlphaDropout::FeatureAlphaDropout(double p, bool inplace) : DropoutBase(p, inplace, F::feature_alpha_dropout) {}

}  // namespace fl::nn
