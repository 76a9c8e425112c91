// Linear algebra: matmul with PyTorch's broadcasting rules, and the named products.
#pragma once
#include <string>
#include <vector>

#include "fl/tensor.h"

namespace fl {

/// torch.matmul: dot for 1-D x 1-D, mv/vm for 1-D operands, batched and broadcast for >= 3-D.
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor mm(const Tensor& a, const Tensor& b);
Tensor bmm(const Tensor& a, const Tensor& b);
Tensor mv(const Tensor& a, const Tensor& v);
Tensor dot(const Tensor& a, const Tensor& b);
Tensor vdot(const Tensor& a, const Tensor& b);
Tensor inner(const Tensor& a, const Tensor& b);
Tensor outer(const Tensor& a, const Tensor& b);
/// beta * input + alpha * (a @ b)
Tensor addmm(const Tensor& input, const Tensor& a, const Tensor& b, const Scalar& beta = 1, const Scalar& alpha = 1);
Tensor addmv(const Tensor& input, const Tensor& a, const Tensor& v, const Scalar& beta = 1, const Scalar& alpha = 1);
Tensor baddbmm(const Tensor& input, const Tensor& a, const Tensor& b, const Scalar& beta = 1, const Scalar& alpha = 1);
Tensor addbmm(const Tensor& input, const Tensor& a, const Tensor& b, const Scalar& beta = 1, const Scalar& alpha = 1);
Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands);
Tensor tensordot(const Tensor& a, const Tensor& b, int64_t dims = 2);
Tensor tensordot(const Tensor& a, const Tensor& b, const Shape& dims_a, const Shape& dims_b);
Tensor kron(const Tensor& a, const Tensor& b);
Tensor trace(const Tensor& x);
/// torch.diag: a 1-D input makes a diagonal matrix; a 2-D input gives its diagonal.
Tensor diag(const Tensor& x, int64_t diagonal = 0);
Tensor diag_embed(const Tensor& x, int64_t offset = 0, int64_t dim1 = -2, int64_t dim2 = -1);
Tensor cross(const Tensor& a, const Tensor& b, int64_t dim = -1);

/// Threads one matrix product may use (torch.get_num_threads / torch.set_num_threads; BLAS's own threads).
int get_num_threads();
void set_num_threads(int n);

}  // namespace fl
