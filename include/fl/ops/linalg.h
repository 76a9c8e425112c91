// Linear algebra: matmul with PyTorch's broadcasting rules, and the named products.
#pragma once
#include <string>
#include <vector>

#include "fl/tensor.h"

namespace fl {

/// torch.matmul: dot for 1-D x 1-D, mv/vm for 1-D operands, batched and broadcast for >= 3-D.
Tensor matmul(const Tensor& a, const Tensor& b);
/// torch.mm: the product of two matrices of one dtype.
Tensor mm(const Tensor& a, const Tensor& b);
/// torch.bmm: batched products of (B, n, m) and (B, m, p), no broadcasting.
Tensor bmm(const Tensor& a, const Tensor& b);
/// torch.mv: matrix (n, m) times vector (m).
Tensor mv(const Tensor& a, const Tensor& v);
/// torch.dot: the inner product of two 1-D tensors of one size and dtype.
Tensor dot(const Tensor& a, const Tensor& b);
/// torch.vdot: dot (real dtypes only, so no conjugation).
Tensor vdot(const Tensor& a, const Tensor& b);
/// torch.inner: sums over the last dims of both (a * b for a 0-d operand).
Tensor inner(const Tensor& a, const Tensor& b);
/// torch.outer: a[i] * b[j] for 1-D a and b.
Tensor outer(const Tensor& a, const Tensor& b);
/// torch.addmm:
/// beta * input + alpha * (a @ b)
Tensor addmm(const Tensor& input, const Tensor& a, const Tensor& b, const Scalar& beta = 1, const Scalar& alpha = 1);
/// torch.addmv: beta * input + alpha * (a @ v).
Tensor addmv(const Tensor& input, const Tensor& a, const Tensor& v, const Scalar& beta = 1, const Scalar& alpha = 1);
/// torch.baddbmm: beta * input + alpha * bmm(a, b), input broadcast to the result.
Tensor baddbmm(const Tensor& input, const Tensor& a, const Tensor& b, const Scalar& beta = 1, const Scalar& alpha = 1);
/// torch.addbmm: beta * input + alpha * (the sum over the batch of bmm(a, b)).
Tensor addbmm(const Tensor& input, const Tensor& a, const Tensor& b, const Scalar& beta = 1, const Scalar& alpha = 1);
/// torch.einsum: Einstein summation over the operands ("ij,jk->ik", with "..." broadcasting).
Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands);
/// torch.tensordot: contracts a's last `dims` dims with b's first, or the listed dims pairs (two overloads).
Tensor tensordot(const Tensor& a, const Tensor& b, int64_t dims = 2);
Tensor tensordot(const Tensor& a, const Tensor& b, const Shape& dims_a, const Shape& dims_b);
/// torch.kron: the Kronecker product (the lower-rank operand gets leading 1s).
Tensor kron(const Tensor& a, const Tensor& b);
/// torch.trace: the diagonal sum of a matrix (int64 for integral inputs).
Tensor trace(const Tensor& x);
/// torch.diag: a 1-D input makes a diagonal matrix; a 2-D input gives its diagonal.
Tensor diag(const Tensor& x, int64_t diagonal = 0);
/// torch.diag_embed: the last dim placed on the `offset` diagonal of new dims dim1 and dim2.
Tensor diag_embed(const Tensor& x, int64_t offset = 0, int64_t dim1 = -2, int64_t dim2 = -1);
/// torch.linalg.cross: the 3-D cross product along dim (of size 3), broadcast.
Tensor cross(const Tensor& a, const Tensor& b, int64_t dim = -1);

/// Threads one matrix product may use (torch.get_num_threads / torch.set_num_threads; BLAS's own threads).
int get_num_threads();
/// torch.set_num_threads: sets the threads of matrix products (n > 0).
void set_num_threads(int n);

}  // namespace fl
