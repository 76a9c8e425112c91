// Indexing ops: gather/scatter family, masks, advanced indexing and index_put.
#include "fl/ops/indexing.h"

#include "fl/ops/binary.h"
#include "ops/op_utils.h"

namespace fl {

Tensor masked_fill(const Tensor& x, const Tensor& mask, const Scalar& value) {
  FL_CHECK(mask.dtype() == kBool, "masked_fill_ only supports boolean masks, but got mask with dtype ",
           dtype_name(mask.dtype()));
  FL_CHECK(!(is_integral(x.dtype(), true) && value.is_floating_point()),
           "value cannot be converted to type ", dtype_name(x.dtype()), " without overflow");
  broadcast_shapes(x.sizes(), mask.sizes());
  Dtype d = x.dtype();
  double v = value.to_double();
  return apply1("MaskedFillBackward0", fn1([d, v](const Arrays& in) {
    return mx::where(in[1], mx::astype(mx::array(v, mx::float64), to_mlx(d)), in[0]);
  }), {x, mask}, save_inputs({1}));
}

Tensor Tensor::masked_fill(const Tensor& mask, const Scalar& value) const { return fl::masked_fill(*this, mask, value); }

}  // namespace fl
