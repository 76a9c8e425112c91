// einsum, tensordot, kron, trace, diag, diag_embed and cross: torch 2.13 literals on A(shape) = arange - 2,
// identities against matmul for larger random inputs, views, dtypes, PyTorch's errors and gradient rows.
#include "test_util.h"

namespace fl::test {
namespace {

Tensor A(Shape s, Dtype d = kFloat32) {
  int64_t n = 1;
  for (auto x : s) n *= x;
  return (arange(n).reshape(s) - 2).to(d);
}

void expect_same(const Tensor& got, const Tensor& want, double tol = 1e-12) {
  expect_values(got, want.to(kFloat64).tolist<double>(), want.sizes(), tol);
}
}  // namespace

static ValueTested kValues({"einsum", "tensordot", "kron", "trace", "diag", "diag_embed", "cross"});

TEST(LinalgEinsum, TorchLiterals) {
  expect_values(einsum("ij,jk->ik", {A({2, 3}), A({3, 4})}), {2, -1, -4, -7, 20, 26, 32, 38}, {2, 4});
  expect_values(einsum("bn,anm,bm->ba", {A({2, 3}), A({4, 3, 5}) * 0.1, A({2, 5})}),
                {-3, -3, -3, -3, 106, 331, 556, 781}, {2, 4}, 1e-5);
  expect_values(einsum("...ij,...jk", {A({2, 1, 2, 3}), A({3, 3, 4}) * 0.5}),
                {1,   -0.5, -2,  -3.5, 10,  13,  16,  19,  -17, -18.5, -20, -21.5, 46,  49,  52,  55,
                 -35, -36.5, -38, -39.5, 82,  85,  88,  91,  19,  26.5,  34,  41.5,  28,  40,  52,  64,
                 109, 116.5, 124, 131.5, 172, 184, 196, 208, 199, 206.5, 214, 221.5, 316, 328, 340, 352},
                {2, 3, 2, 4});
  expect_values(einsum("ii->i", {A({3, 3})}), {-2, 2, 6}, Shape{3});
  expect_values(einsum("ii", {A({3, 3})}), {6}, Shape{});
  expect_values(einsum("iJ", {A({2, 3})}), {-2, 1, -1, 2, 0, 3}, {3, 2});  // implicit: 'J' sorts before 'i'
  expect_values(einsum("ij,jk", {A({2, 3}), A({1, 4})}), {6, 3, 0, -3, -12, -6, 0, 6}, {2, 4});  // j broadcasts
  expect_values(einsum("i,j", {A({3}), A({2})}), {4, 2, 2, 1, 0, 0}, {3, 2});
  expect_values(einsum("b...a->...", {A({2, 3, 4})}), {44, 76, 108}, Shape{3});
  expect_values(einsum("iij->j", {A({2, 2, 3})}), {5, 7, 9}, Shape{3});
  expect_values(einsum("ij,ij->", {A({2, 3}), A({2, 3})}), {19}, Shape{});
  expect_values(einsum(" i j , j k -> i k ", {A({2, 3}), A({3, 4})}), {2, -1, -4, -7, 20, 26, 32, 38}, {2, 4});
  expect_values(einsum("ij...->ij", {A({2, 3, 2})}), {-3, 1, 5, 9, 13, 17}, {2, 3});
  expect_values(einsum("i,->i", {A({3}), tensor(2.0f)}), {-4, -2, 0}, Shape{3});
  expect_values(einsum("->", {tensor(3.0f)}), {3}, Shape{});
  expect_values(einsum("i,i", {zeros({0}), zeros({0})}), {0}, Shape{});
}

TEST(LinalgEinsum, IdentitiesDtypesAndViews) {
  Tensor x = random_input({3, 5, 4}, -1, 1, 1), y = random_input({3, 4, 6}, -1, 1, 2), m = random_input({4, 4}, -1, 1, 3);
  expect_same(einsum("bij,bjk->bik", {x, y}), matmul(x, y));
  expect_same(einsum("bij,bjk->bki", {x, y}), matmul(x, y).transpose(1, 2));
  expect_same(einsum("bij,jk->bik", {x, m}), matmul(x, m));
  expect_same(einsum("bij,bkj->bik", {x, x}), matmul(x, x.transpose(1, 2)));
  expect_same(einsum("ij,ij->i", {m, m}), (m * m).sum({1}));
  expect_same(einsum("ii->", {m}), trace(m));
  expect_same(einsum("ij->ji", {m}), m.t());
  expect_same(einsum("...ij->...ji", {x}), x.transpose(1, 2));
  expect_same(einsum("...ii->...i", {random_input({2, 3, 3})}), random_input({2, 3, 3}).diagonal(0, 1, 2));
  expect_same(einsum("i,j,k->ijk", {m[0], m[1], m[2]}), m[0].reshape({4, 1, 1}) * m[1].reshape({4, 1}) * m[2]);
  // Views: transposed and sliced operands.
  expect_same(einsum("ij,jk->ik", {m.t(), m.slice(1, 0, std::nullopt, 2)}), matmul(m.t(), m.slice(1, 0, std::nullopt, 2)));
  // Dtypes: float32, int64 (exact), bool products without sums, bool sums count as int64.
  expect_values(einsum("ij,jk->ik", {A({2, 3}, kInt64), A({3, 4}, kInt64)}), {2, -1, -4, -7, 20, 26, 32, 38}, {2, 4});
  EXPECT_EQ(einsum("ij,jk->ik", {A({2, 3}, kInt64), A({3, 4}, kInt64)}).dtype(), kInt64);
  Tensor b = tensor({true, false, true});
  expect_values(einsum("i,j", {b, b}), {1, 0, 1, 0, 0, 0, 1, 0, 1}, {3, 3});
  EXPECT_EQ(einsum("i,j", {b, b}).dtype(), kBool);
  Tensor bm = ones({3, 3}, kBool);
  EXPECT_EQ(einsum("ii", {bm}).dtype(), kInt64);
  expect_values(einsum("ii", {bm}), {3}, Shape{});
  expect_values(einsum("ij,jk->ik", {x[0].to(kFloat32), y[0].to(kFloat32)}), matmul(x[0], y[0]).tolist<double>(), 1e-5);
}

TEST(LinalgEinsum, Errors) {
  auto F = [](Shape s) { return zeros(s); };
  expect_error_containing<Error>([&] { einsum("ij,jk->ik", {F({2, 3}), F({4, 4})}); },
                      "einsum(): subscript j has size 4 for operand 1 which does not broadcast with previously seen size 3");
  expect_error_containing<Error>([&] { einsum("ij", {F({2, 3, 4})}); },
                      "einsum(): the number of subscripts in the equation (2) does not match the number of dimensions (3) "
                      "for operand 0 and no ellipsis was given");
  expect_error_containing<Error>([&] { einsum("ij->ij", {F({2, 3}), F({3, 4})}); },
                      "einsum(): more operands were provided than specified in the equation");
  expect_error_containing<Error>([&] { einsum("ij,jk->ik", {F({2, 3})}); },
                      "einsum(): fewer operands were provided than specified in the equation");
  expect_error_containing<Error>([&] { einsum("ij->k", {F({2, 3})}); },
                      "einsum(): output subscript k does not appear in the equation for any input operand");
  expect_error_containing<Error>([&] { einsum("ij->jj", {F({3, 3})}); }, "einsum(): output subscript j appears more than once in the output");
  expect_error_containing<Error>([&] { einsum("ii", {F({3, 4})}); },
                      "einsum(): subscript i is repeated for operand 0 but the sizes don't match, 4 != 3");
  expect_error_containing<Error>([&] { einsum("i-j", {F({3, 3})}); },
                      "einsum(): invalid subscript given at index 1 in the equation string, subscripts must be in [a-zA-Z]");
  expect_error_containing<Error>([&] { einsum("ij->i->j", {F({3, 3})}); },
                      "einsum(): invalid subscript given at index 5 in the equation string, subscripts must be in [a-zA-Z]");
  expect_error_containing<Error>([&] { einsum("...i...", {F({3, 3})}); },
                      "einsum(): found '.' for operand 0 for which an ellipsis was already found");
  expect_error_containing<Error>([&] { einsum("i.j", {F({3, 3})}); }, "einsum(): found '.' for operand 0 that is not part of any ellipsis");
  expect_error_containing<Error>([&] { einsum("ij,jk", {F({2, 3}), zeros({3, 4}, kFloat64)}); },
                      "expected scalar type Float but found Double");
  expect_error_containing<NotImplementedError>([&] { einsum("ij,jk", {ones({2, 3}, kBool), ones({3, 4}, kBool)}); },
                                    "\"bmm\" not implemented for 'Bool'");
  expect_error_containing<Error>([&] { einsum("ij", {}); }, "einsum(): must provide at least one operand");
}

TEST(LinalgStructure, TensordotKronTrace) {
  expect_values(tensordot(A({3, 4, 5}), A({4, 5, 2}), 2), {3880, 4030, 10680, 11230, 17480, 18430}, {3, 2});
  expect_values(tensordot(A({3, 4, 5}) * 0.1, A({5, 4, 2}), {1, 2}, {1, 0}), {312, 327, 992, 1047, 1672, 1767}, {3, 2},
                1e-5);
  expect_values(tensordot(A({2, 1}), A({3, 2}), {1}, Shape{0}), {0, -6, 0, -3}, {2, 2});  // size-1 dim broadcasts
  Tensor x = random_input({3, 4}), y = random_input({4, 5}, -1, 1, 1);
  expect_same(tensordot(x, y, 1), matmul(x, y));
  expect_same(tensordot(x, y, 0), x.reshape({3, 4, 1, 1}) * y);
  expect_same(tensordot(x.t(), y, {0}, {0}), matmul(x.t().t(), y).t().t());
  expect_values(tensordot(A({2, 3}, kInt64), A({3, 2}, kInt64), 1), {4, 1, 4, 10}, {2, 2});
  expect_values(kron(A({2, 2}), A({2, 3})),
                {4, 2, 0, 2, 1, 0, -2, -4, -6, -1, -2, -3, 0, 0, 0, -2, -1, 0, 0, 0, 0, 1, 2, 3}, {4, 6});
  expect_values(kron(A({2}), A({2, 2})), {4, 2, 2, 1, 0, -2, 0, -1}, {2, 4});
  EXPECT_EQ(kron(A({2}, kInt64), tensor({true, false})).dtype(), kInt64);
  EXPECT_EQ(kron(A({2, 2}), A({3, 3, 3})).sizes(), (Shape{3, 6, 6}));
  EXPECT_EQ(kron(tensor(2.0), A({2})).sizes(), (Shape{2}));
  expect_values(trace(A({3, 4})), {9}, Shape{});
  expect_values(trace(A({4, 3}).t()), {6}, Shape{});
  EXPECT_EQ(trace(A({3, 3}, kInt32)).dtype(), kInt64);
  expect_values(trace(zeros({0, 0})), {0}, Shape{});
  EXPECT_EQ(trace(A({3, 3}, kFloat16)).dtype(), kFloat16);
}

TEST(LinalgStructure, DiagDiagEmbedCross) {
  expect_values(diag(A({3}), 1), {0, -2, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {4, 4});
  expect_values(diag(A({3, 4}), -1), {2, 7}, Shape{2});
  expect_values(diag(A({3, 4})), {-2, 3, 8}, Shape{3});
  expect_values(diag(A({3, 4}), 5), std::vector<double>{}, Shape{0});
  expect_values(diag(A({3}), -2), {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -2, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0}, {5, 5});
  expect_values(diag(A({4, 3}).t(), 1), {1, 5, 9}, Shape{3});
  EXPECT_EQ(diag(tensor({true, false})).dtype(), kBool);
  expect_values(diag_embed(A({2, 2}), 1, 0, 2), {0, -2, 0, 0, 0, 0, 0, 0, -1, 0, 0, 1, 0, 0, 0, 0, 0, 0}, {3, 2, 3});
  expect_values(diag_embed(A({3})), {-2, 0, 0, 0, -1, 0, 0, 0, 0}, {3, 3});
  expect_values(diag_embed(A({2}), -1), {0, 0, 0, -2, 0, 0, 0, -1, 0}, {3, 3});
  Tensor v = random_input({4, 3});
  expect_same(diag_embed(v).diagonal(0, -2, -1), v);
  expect_same(diag_embed(v, 0, -1, -2), diag_embed(v).transpose(1, 2));
  expect_values(cross(A({2, 3}), A({2, 3}).pow(2), 1), {0, 0, 2, 6, -6, 2}, {2, 3});
  expect_values(cross(A({3, 2}), A({3, 2}) * 0.5 + 1, 0), {-2, -2, 4, 4, -2, -2}, {3, 2});
  Tensor p = random_input({1, 3}), q = random_input({4, 3}, -1, 1, 1);
  Tensor c = cross(p, q);
  EXPECT_EQ(c.sizes(), (Shape{4, 3}));
  expect_values((c * p).sum({1}), {0, 0, 0, 0}, 1e-12);  // orthogonal to both inputs
  expect_values((c * q).sum({1}), {0, 0, 0, 0}, 1e-12);
  expect_values(cross(tensor({1, 0, 0}, kInt32), tensor({0, 1, 0}, kInt32)), {0, 0, 1}, Shape{3});
  EXPECT_EQ(cross(tensor({1, 0, 0}, kInt32), tensor({0, 1, 0}, kInt32)).dtype(), kInt32);
  expect_same(cross(v.t(), v.t().flip({1}), 0), cross(v, v.flip({0}), 1).t());
}

TEST(LinalgStructure, Errors) {
  auto F = [](Shape s) { return zeros(s); };
  expect_error_containing<Error>([&] { tensordot(F({3, 4, 5}), F({4, 5, 6}), 1); },
                      "contracted dimensions need to match, but first has size 5 in dim -1 and second has size 4 in dim 0");
  expect_error_containing<Error>([&] { tensordot(F({3, 4}), F({4, 6}), -1); }, "tensordot expects dims >= 0, but got dims=-1");
  expect_error_containing<Error>([&] { tensordot(F({3, 4}), F({4, 6}), 3); }, "tensordot expects dims < ndim_a or ndim_b, but got dims=3");
  expect_error_containing<Error>([&] { tensordot(F({3, 4, 5}), F({5, 4, 6}), {1, 2}, {1}); }, "both dimension lists should have same length");
  expect_error_containing<IndexError>([&] { tensordot(F({3, 4}), F({4, 6}), {3}, {0}); },
                           "Dimension out of range (expected to be in range of [-2, 1], but got 3)");
  expect_error_containing<Error>([&] { tensordot(F({3, 4}), F({4, 6}), {1, 1}, {0, 0}); }, "dim 1 appears multiple times in the list of dims");
  expect_error_containing<Error>([&] { tensordot(F({3, 4}), zeros({4, 6}, kFloat64), 1); }, "both inputs should have same dtype");
  expect_error_containing<NotImplementedError>([&] { tensordot(ones({2, 3}, kBool), ones({3, 2}, kBool), 1); },
                                    "\"addmm_impl_cpu_\" not implemented for 'Bool'");
  expect_error_containing<Error>([&] { trace(F({3})); }, "trace: expected a matrix, but got tensor with dim 1");
  expect_error_containing<NotImplementedError>([&] { trace(ones({3, 3}, kBool)); }, "\"trace\" not implemented for 'Bool'");
  expect_error_containing<Error>([&] { diag(F({2, 3, 4})); }, "diag(): Supports 1D or 2D tensors. Got 3D");
  expect_error_containing<Error>([&] { diag(tensor(1.0)); }, "diag(): Supports 1D or 2D tensors. Got 0D");
  expect_error_containing<Error>([&] { diag_embed(F({2, 3}), 0, 1, 1); }, "diagonal dimensions cannot be identical 1, 1");
  expect_error_containing<IndexError>([&] { diag_embed(F({2, 3}), 0, 1, 5); },
                           "Dimension out of range (expected to be in range of [-3, 2], but got 5)");
  expect_error_containing<IndexError>([&] { diag_embed(tensor(1.0)); },
                           "Dimension out of range (expected to be in range of [-1, 0], but got -2)");
  expect_error_containing<Error>([&] { cross(F({2, 3}), F({3})); }, "linalg.cross: inputs must have the same number of dimensions.");
  expect_error_containing<Error>([&] { cross(F({2, 3}), F({2, 3}), 0); }, "linalg.cross: inputs dimension 0 must have length 3. Got 2 and 2");
  expect_error_containing<Error>([&] { cross(F({2, 3}), zeros({2, 3}, kFloat64)); }, "expected scalar type Float but found Double");
  expect_error_containing<NotImplementedError>([&] { cross(ones({3}, kBool), ones({3}, kBool)); }, "\"cross\" not implemented for 'Bool'");
  expect_error_containing<IndexError>([&] { cross(F({2, 3}), F({2, 3}), 5); },
                           "Dimension out of range (expected to be in range of [-2, 1], but got 5)");
}

TEST(LinalgStructure, GradFnNames) {
  auto f = [](Shape s) { return random_input(s).requires_grad_(); };
  EXPECT_EQ(einsum("ij,jk->ik", {f({2, 3}), f({3, 4})}).grad_fn_name(), "ViewBackward0");
  EXPECT_EQ(einsum("ij,ij->ij", {f({2, 3}), f({2, 3})}).grad_fn_name(), "MulBackward0");
  EXPECT_EQ(einsum("ii", {f({3, 3})}).grad_fn_name(), "SumBackward1");
  EXPECT_EQ(einsum("ij->ji", {f({3, 3})}).grad_fn_name(), "PermuteBackward0");
  EXPECT_EQ(tensordot(f({2, 3}), f({3, 2}), 1).grad_fn_name(), "ViewBackward0");
  EXPECT_EQ(kron(f({2}), f({2})).grad_fn_name(), "UnsafeViewBackward0");
  EXPECT_EQ(trace(f({2, 2})).grad_fn_name(), "TraceBackward0");
  EXPECT_EQ(diag(f({2})).grad_fn_name(), "DiagEmbedBackward0");
  EXPECT_EQ(diag(f({2, 2})).grad_fn_name(), "DiagonalBackward0_copy");
  EXPECT_EQ(diag_embed(f({2})).grad_fn_name(), "DiagEmbedBackward0");
  EXPECT_EQ(cross(f({3}), f({3})).grad_fn_name(), "LinalgCrossBackward0");
}

static GradCases kGrads({
    {"einsum", [](auto& x) { return einsum("ij,jk->ik", {x[0], x[1]}); }, {{2, 3}, {3, 2}}},
    {"einsum", [](auto& x) { return einsum("bn,anm,bm->ba", {x[0], x[1], x[2]}); }, {{2, 3}, {2, 3, 2}, {2, 2}}},
    {"einsum", [](auto& x) { return einsum("ii->i", {x[0]}); }, {{3, 3}}},
    {"einsum", [](auto& x) { return einsum("...ij,...jk", {x[0], x[1]}); }, {{2, 1, 2, 3}, {3, 3, 2}}},
    {"einsum", [](auto& x) { return einsum("ij,jk", {x[0], x[1]}); }, {{2, 3}, {1, 2}}},
    {"tensordot", [](auto& x) { return tensordot(x[0], x[1], {1, 2}, {1, 0}); }, {{2, 3, 2}, {2, 3, 2}}},
    {"kron", [](auto& x) { return kron(x[0], x[1]); }, {{2, 2}, {2, 3}}},
    {"trace", [](auto& x) { return trace(x[0]); }, {{3, 4}}},
    {"diag", [](auto& x) { return diag(x[0], 1); }, {{3}}},
    {"diag", [](auto& x) { return diag(x[0], -1); }, {{3, 4}}},
    {"diag_embed", [](auto& x) { return diag_embed(x[0], 1, 0, 2); }, {{2, 2}}},
    {"cross", [](auto& x) { return cross(x[0], x[1]); }, {{2, 3}, {1, 3}}},
});

}  // namespace fl::test
