// linear and bilinear as compositions of the GEMM-backed linalg ops, with PyTorch's dispatch (addmm for 2-D
// input with bias, one folded addmm for contiguous N-D input, matmul otherwise) and so its grad_fn names.
#include "fl/nn/functional/linear.h"

#include "fl/ops/binary.h"
#include "fl/ops/linalg.h"
#include "fl/ops/reduction.h"
#include "ops/op_utils.h"

namespace fl::nn::functional {

Tensor linear(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias) {
  FL_CHECK(input.dim() >= 1 && weight.dim() >= 1, "both arguments to linear need to be at least 1D, but they are ",
           input.dim(), "D and ", weight.dim(), "D");
  bool has_bias = bias && bias->defined();
  Tensor wt = weight.t();
  if (has_bias && input.dim() == 2) {
    FL_CHECK(weight.dim() == 2, "mat2 must be a matrix, got ", weight.dim(), "-D tensor");
    return addmm(*bias, input, wt);
  }
  if (has_bias && input.dim() == 3 && weight.dim() == 2 && input.is_contiguous()) {
    // PyTorch folds the batch of contiguous 3-D inputs into one addmm (ViewBackward0).
    Shape out = input.sizes();
    out.back() = weight.size(0);
    return addmm(*bias, input.reshape({-1, input.size(-1)}), wt).view(out);
  }
  Tensor y = matmul(input, wt);
  return has_bias ? add(y, *bias) : y;
}

Tensor bilinear(const Tensor& input1, const Tensor& input2, const Tensor& weight, const std::optional<Tensor>& bias) {
  FL_CHECK(input1.dim() == input2.dim(), "bilinear(): input dimensions do not match: got ", input1.dim(), " and ",
           input2.dim());
  for (int64_t i = 0; i + 1 < input1.dim(); ++i)
    FL_CHECK(input1.size(i) == input2.size(i), "bilinear(): input batch dimensions do not match: got ", input1.size(i),
             " and ", input2.size(i));
  FL_CHECK(input1.dim() >= 1, "bilinear(): input dimensions must be at least 1, but got 0");
  FL_CHECK(input1.size(-1) == weight.size(1), "bilinear(): input1 size does not match weight size: got ",
           input1.size(-1), " but expected ", weight.size(1));
  FL_CHECK(input2.size(-1) == weight.size(2), "bilinear(): input2 size does not match weight size: got ",
           input2.size(-1), " but expected ", weight.size(2));
  bool has_bias = bias && bias->defined();
  if (has_bias)
    FL_CHECK(bias->dim() >= 1 && bias->size(0) == weight.size(0),
             "bilinear(): bias size does not match weight size: got ", bias->dim() ? bias->size(0) : 0,
             " but expected ", weight.size(0));
  FL_CHECK(weight.dim() == 3, "bilinear(): weight must be 3-D, but got ", weight.dim(), "-D");
  const int64_t I = weight.size(1), J = weight.size(2), O = weight.size(0);
  Shape out(input1.sizes().begin(), input1.sizes().end() - 1);
  out.push_back(O);
  // t[b, o, j] = sum_i x1[b, i] W[o, i, j]; out[b, o] = sum_j t[b, o, j] x2[b, j]: two GEMMs.
  Tensor x1 = input1.reshape({-1, I}), x2 = input2.reshape({-1, J});
  Tensor t = matmul(x1, weight.permute({1, 0, 2}).reshape({I, O * J})).view({-1, O, J});
  Tensor y = matmul(t, x2.unsqueeze(-1)).squeeze(-1);
  if (has_bias) y = add(y, *bias);
  return y.reshape(out);
}

static OpRegistrar kRegistrar({
    {"linear", "nn.functional", true},
    {"bilinear", "nn.functional", true},
});

}  // namespace fl::nn::functional
