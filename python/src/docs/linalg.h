// Docstrings of fl/ops/linalg.h's bindings (ops_linalg.cpp): products, einsum, diagonals, threads.
#pragma once
#include "docs/doc_table.h"

namespace flpy::docs {

#define FL_BETA_ALPHA                                                  \
  "    beta (Number): the multiplier of input. Default: 1.\n"          \
  "    alpha (Number): the multiplier of the product. Default: 1.\n\n" \
  "Returns:\n    Tensor: a new tensor (input is broadcast to the product's shape).\n"

inline constexpr Doc kLinalg[] = {
    {"matmul", R"(Matrix product with NumPy/PyTorch broadcasting: dot for 1-D, mm for 2-D, batched for more dims.

Args:
    input (Tensor): the first operand.
    other (Tensor): the second operand.

Returns:
    Tensor: the product; a 1-D operand is treated as a row (first) or a column (second) and that dimension removed.

Note:
    Also the @ operator. float32 and float64 products on the CPU run through Flashlight's GEMM (Intel MKL when
    the build found it, as the pinned venv provides).)"},
    {"mm", R"(Matrix product of two 2-D tensors (no broadcasting).

Args:
    input (Tensor): an (n, m) matrix.
    mat2 (Tensor): an (m, p) matrix.

Returns:
    Tensor: the (n, p) product.)"},
    {"bmm", R"(Batched matrix product of two 3-D tensors (no broadcasting).

Args:
    input (Tensor): a (b, n, m) batch of matrices.
    mat2 (Tensor): a (b, m, p) batch of matrices.

Returns:
    Tensor: the (b, n, p) products.)"},
    {"mv", R"(Matrix-vector product.

Args:
    input (Tensor): an (n, m) matrix.
    vec (Tensor): a vector of length m.

Returns:
    Tensor: the product, a vector of length n.)"},
    {"dot", R"(Dot product of two 1-D tensors of the same length and dtype.

Args:
    input (Tensor): the first vector.
    tensor (Tensor): the second vector.

Returns:
    Tensor: a 0-d tensor.)"},
    {"vdot", R"(Dot product of two 1-D tensors (the first is conjugated; Flashlight has no complex dtypes, so as dot).

Args:
    input (Tensor): the first vector.
    other (Tensor): the second vector.

Returns:
    Tensor: a 0-d tensor.)"},
    {"inner", R"(Inner product over the last dimension of both tensors (a product for 0-d operands).

Args:
    input (Tensor): the first tensor.
    other (Tensor): the second tensor; its last dimension matches input's.

Returns:
    Tensor: a tensor of shape input.shape[:-1] + other.shape[:-1].)"},
    {"outer", R"(Outer product of two vectors. Alias: ger.

Args:
    input (Tensor): a vector of length n.
    vec2 (Tensor): a vector of length m.

Returns:
    Tensor: the (n, m) matrix input[i] * vec2[j].)"},
    {"ger", R"(Outer product of two vectors; an alias of outer.

Args:
    input (Tensor): a vector of length n.
    vec2 (Tensor): a vector of length m.

Returns:
    Tensor: the (n, m) matrix input[i] * vec2[j].)"},
    {"kron", R"(Kronecker product: every element of input scales a copy of other.

Args:
    input (Tensor): the first tensor.
    other (Tensor): the second tensor.

Returns:
    Tensor: a tensor whose sizes are the products of the operands' sizes.)"},
    {"trace", R"(Returns the sum of the main diagonal of a 2-D tensor.

Args:
    input (Tensor): a matrix.

Returns:
    Tensor: a 0-d tensor; integer inputs sum to int64.)"},
    {"diag", R"(From a vector, a matrix with it on a diagonal; from a matrix, that diagonal as a vector.

Args:
    input (Tensor): a 1-D or 2-D tensor.
    diagonal (int): which diagonal: 0 the main one, > 0 above, < 0 below. Default: 0.

Returns:
    Tensor: a new 2-D or 1-D tensor.)"},
    {"diag_embed", R"(Puts the last dimension of input on diagonals of new 2-D planes (dims dim1 and dim2).

Args:
    input (Tensor): the values; the last dimension becomes the diagonal.
    offset (int): which diagonal: 0 the main one, > 0 above, < 0 below. Default: 0.
    dim1 (int): the first dimension of the planes in the result. Default: -2.
    dim2 (int): the second dimension of the planes in the result. Default: -1.

Returns:
    Tensor: a new tensor with one more dimension than input.)"},
    {"cross", R"(Cross product of 3-vectors along a dimension of size 3.

Args:
    input (Tensor): the first tensor.
    other (Tensor): the second tensor, broadcast against input.
    dim (int, optional): the dimension of size 3; the first one of size 3 when None (deprecated in torch).
        Default: None.

Returns:
    Tensor: the cross products.)"},
    {"addmm",
     "Returns beta * input + alpha * (mat1 @ mat2).\n\nArgs:\n    input (Tensor): the matrix to add, "
     "broadcast to (n, p).\n    mat1 (Tensor): an (n, m) matrix.\n    mat2 (Tensor): an (m, p) "
     "matrix.\n" FL_BETA_ALPHA},
    {"addmv",
     "Returns beta * input + alpha * (mat @ vec).\n\nArgs:\n    input (Tensor): the vector to add, "
     "broadcast to (n,).\n    mat (Tensor): an (n, m) matrix.\n    vec (Tensor): a vector of length "
     "m.\n" FL_BETA_ALPHA},
    {"baddbmm",
     "Returns beta * input + alpha * bmm(batch1, batch2).\n\nArgs:\n    input (Tensor): the tensor to add, "
     "broadcast to (b, n, p).\n    batch1 (Tensor): a (b, n, m) batch.\n    batch2 (Tensor): a (b, m, p) "
     "batch.\n" FL_BETA_ALPHA},
    {"addbmm",
     "Returns beta * input + alpha * the sum over the batch of batch1[i] @ batch2[i].\n\nArgs:\n"
     "    input (Tensor): the matrix to add, broadcast to (n, p).\n    batch1 (Tensor): a (b, n, m) batch.\n"
     "    batch2 (Tensor): a (b, m, p) batch.\n" FL_BETA_ALPHA},
    {"einsum", R"(Sums products of the operands' elements over the indices of an Einstein-summation equation.

Args:
    equation (str): the subscripts, e.g. 'ij,jk->ik' ('...' for broadcast dimensions).
    *operands (Tensor): the tensors, one per comma-separated term (or one list of them).

Returns:
    Tensor: the result, with the output subscripts' dimensions.)"},
    {"tensordot", R"(Contracts a and b over the given dimensions (a generalised matrix product).

Args:
    a (Tensor): the first tensor.
    b (Tensor): the second tensor.
    dims (int or pair of lists): an int n contracts the last n dims of a with the first n of b; a pair
        ([dims of a], [dims of b]) names them. Default: 2.

Returns:
    Tensor: the uncontracted dims of a followed by those of b.)"},
    {"get_num_threads", R"(Returns the number of threads Flashlight's CPU kernels (GEMM, convolutions) use.

Returns:
    int: the thread count.)"},
    {"set_num_threads", R"(Sets the number of threads of Flashlight's CPU kernels (torch.set_num_threads).

Args:
    num (int): the thread count, >= 1.

Returns:
    None.)"},
};

#undef FL_BETA_ALPHA

}  // namespace flpy::docs
