// matmul and the named products against a naive double-precision reference (numpy/torch broadcasting), over
// shapes (1-D, batched, broadcast, empty), dtypes and views; the BLAS primitive against mx::matmul on both of its
// paths; PyTorch's errors; the add* family with beta/alpha (literals from torch 2.13).
#include <mlx/ops.h>
#include <mlx/transforms.h>

#include "test_util.h"

namespace fl::test {
namespace {

// a @ b with torch.matmul's rules, in double: the reference for every product below.
std::vector<double> ref_matmul(const Tensor& a, const Tensor& b, Shape& out) {
  Shape sa = a.sizes(), sb = b.sizes();
  if (sa.size() == 1) sa.insert(sa.begin(), 1);
  if (sb.size() == 1) sb.push_back(1);
  int64_t M = sa[sa.size() - 2], K = sa.back(), N = sb.back();
  Shape ba(sa.begin(), sa.end() - 2), bb(sb.begin(), sb.end() - 2);
  size_t nd = std::max(ba.size(), bb.size());
  ba.insert(ba.begin(), nd - ba.size(), 1);
  bb.insert(bb.begin(), nd - bb.size(), 1);
  Shape batch(nd);
  for (size_t i = 0; i < nd; ++i) batch[i] = ba[i] == 1 ? bb[i] : ba[i];
  auto va = a.to(kFloat64).tolist<double>(), vb = b.to(kFloat64).tolist<double>();
  int64_t nb = 1;
  for (auto d : batch) nb *= d;
  std::vector<double> r(nb * M * N, 0.0);
  for (int64_t bi = 0; bi < nb; ++bi) {
    int64_t oa = 0, ob = 0, rem = bi, ma = 1, mb = 1;
    for (int64_t d = static_cast<int64_t>(nd) - 1; d >= 0; --d) {
      int64_t idx = rem % batch[d];
      rem /= batch[d];
      oa += (ba[d] == 1 ? 0 : idx) * ma;
      ob += (bb[d] == 1 ? 0 : idx) * mb;
      ma *= ba[d];
      mb *= bb[d];
    }
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j)
        for (int64_t k = 0; k < K; ++k)
          r[(bi * M + i) * N + j] += va[(oa * M + i) * K + k] * vb[(ob * K + k) * N + j];
  }
  out = batch;
  if (a.dim() > 1) out.push_back(M);
  if (b.dim() > 1) out.push_back(N);
  return r;
}

void expect_matmul(const Tensor& a, const Tensor& b, double tol) {
  Tensor lazy = matmul(a, b);  // operands not yet computed: the Gemm primitive in MLX's graph
  Shape shape;
  auto want = ref_matmul(a, b, shape);  // computes a and b
  Tensor computed = matmul(a, b);       // computed operands: the eager path with one BLAS thread
  for (const Tensor& got : {lazy, computed}) {
    EXPECT_EQ(got.dtype(), a.dtype());
    expect_values(got, want, shape, tol);
  }
}

std::string str(const Shape& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

// Runs body with single-threaded BLAS (eager path for computed operands) and with two threads (always the
// lazy Gemm primitive), restoring the thread count.
template <typename F>
void on_both_paths(F body) {
  int saved = get_num_threads();
  for (int t : {1, 2}) {
    SCOPED_TRACE("BLAS threads " + std::to_string(t));
    set_num_threads(t);
    body();
  }
  set_num_threads(saved);
}

const std::vector<std::pair<Shape, Shape>>& matmul_shapes() {
  static const std::vector<std::pair<Shape, Shape>> s = {
      {{3}, {3}},          {{3}, {3, 4}},       {{2, 3}, {3}},          {{2, 3}, {3, 4}},
      {{5, 2, 3}, {3, 4}}, {{5, 2, 3}, {3}},    {{3}, {5, 3, 4}},       {{2, 3}, {5, 3, 4}},
      {{5, 2, 3}, {5, 3, 4}}, {{1, 5, 2, 3}, {6, 1, 3, 4}}, {{2, 1, 2, 3}, {5, 3, 4}}, {{0, 3}, {3, 4}},
      {{2, 0}, {0, 4}},    {{5, 0, 3}, {3, 4}}, {{0}, {0}},             {{2, 3, 0}, {0, 4}},
      {{1, 1}, {1, 1}},    {{4, 1}, {1, 5}},    {{3, 7, 33}, {33, 65}}, {{2, 65, 40}, {2, 40, 17}},
  };
  return s;
}
}  // namespace

static ValueTested kValues({"matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "addmm", "addmv",
                            "baddbmm", "addbmm"});

TEST(Linalg, MatmulShapesAndDtypesMatchReference) {
  on_both_paths([] {
    for (auto& [sa, sb] : matmul_shapes()) {
      SCOPED_TRACE(str(sa) + " @ " + str(sb));
      Tensor a = random_input(sa, -2, 2, 1), b = random_input(sb, -2, 2, 2);
      expect_matmul(a, b, 1e-12);
      expect_matmul(a.to(kFloat32), b.to(kFloat32), 2e-5);
      // Integers: exact, through the loop kernel.
      expect_matmul((a * 3).to(kInt64), (b * 3).to(kInt64), 0);
      expect_matmul((a * 3).to(kInt32), (b * 3).to(kInt32), 0);
    }
  });
}

TEST(Linalg, MatmulOfViews) {
  on_both_paths([] {
    Tensor base = random_input({6, 8}, -1, 1, 3), other = random_input({8, 6}, -1, 1, 4);
    // Transposed, step-sliced, expanded (stride 0) and permuted-batch operands.
    expect_matmul(base.t(), base, 1e-12);
    expect_matmul(base, base.t(), 1e-12);
    expect_matmul(other.t().t(), base.t().t(), 1e-12);
    expect_matmul(base.slice(1, 0, std::nullopt, 2), other.slice(0, 1, std::nullopt, 2), 1e-12);
    expect_matmul(base.slice(0, 1, 5).slice(1, 2, 7), other.slice(0, 3, 8), 1e-12);
    expect_matmul(random_input({1, 4}).expand({3, 4}), random_input({4, 1}).expand({4, 5}), 1e-12);
    Tensor batched = random_input({3, 4, 5}, -1, 1, 5);
    expect_matmul(batched.permute({1, 0, 2}), random_input({5, 2}), 1e-12);
    expect_matmul(batched.permute({2, 1, 0}), batched.permute({2, 0, 1}), 1e-12);
    expect_matmul(batched.transpose(1, 2), random_input({4, 2}), 1e-12);
    expect_matmul(random_input({4}).expand({2, 3, 4}).transpose(0, 1), random_input({4, 2}), 1e-12);
    expect_matmul(batched.select(2, 1), random_input({4}), 1e-12);
    expect_matmul(batched.to(kFloat32).transpose(0, 2), batched.to(kFloat32).permute({2, 0, 1}), 1e-5);
  });
}

TEST(Linalg, PrimitiveMatchesMlxMatmul) {
  // The BLAS primitive against MLX's own matmul on the same MLX arrays: strided, sliced, transposed and
  // broadcast-batch operands, lazily built (primitive) and computed (eager path), float32 and float64.
  namespace mx = mlx::core;
  on_both_paths([] {
    for (Dtype d : {kFloat32, kFloat64}) {
      auto R = [d](Shape s, uint64_t seed) { return random_input(s, -1, 1, seed).to(d).mlx(); };
      mx::array a = R({4, 9, 7}, 11), at = R({4, 7, 9}, 12), a2 = R({4, 9, 14}, 13);
      mx::array b = R({4, 7, 6}, 14), bt = R({4, 6, 7}, 15), b2 = R({4, 14, 6}, 16);
      std::vector<std::pair<mx::array, mx::array>> cases = {
          {a, b},
          {mx::swapaxes(at, 1, 2), mx::swapaxes(bt, 1, 2)},                                  // column-major
          {mx::slice(a2, {0, 0, 0}, {4, 9, 14}, {1, 1, 2}), mx::slice(b2, {0, 0, 0}, {4, 14, 6}, {1, 2, 1})},
          {mx::slice(a, {0, 0, 0}, {1, 9, 7}), b},                                           // broadcast batch
          {mx::reshape(mx::slice(a, {0, 0, 0}, {1, 9, 7}), {9, 7}), mx::transpose(bt, {0, 2, 1})},
          {mx::expand_dims(a, 1), mx::expand_dims(b, 0)},                                    // [4,1] x [1,4]
          {mx::multiply(a, mx::array(2.0, a.dtype())), mx::swapaxes(bt, 1, 2)},              // lazy operand
          {mx::reshape(mx::slice(a, {0, 0, 0}, {1, 1, 7}), {7}), b},                         // 1-D @ batch
          {mx::transpose(a, {1, 0, 2}), mx::reshape(mx::slice(b, {0, 0, 0}, {1, 7, 1}), {7})},  // batch @ 1-D
          {mx::broadcast_to(mx::slice(a, {0, 0, 0}, {4, 9, 1}), {4, 9, 7}), mx::slice(b, {0, 0, 0}, {1, 7, 6})},
      };
      for (auto& [x, y] : cases) {
        mx::array want = mx::matmul(x, y);
        for (bool computed : {false, true}) {
          if (computed) mx::eval({x, y});
          Tensor got = matmul(Tensor::from_mlx(x), Tensor::from_mlx(y));
          expect_values(got, Tensor::from_mlx(want).tolist<double>(), Shape(want.shape().begin(), want.shape().end()),
                        d == kFloat32 ? 1e-5 : 1e-12);
        }
      }
    }
  });
}

TEST(Linalg, BackwardRunsOnThePrimitive) {
  // dA = G @ B^T and dB = A^T @ G for a batched, broadcast product, against the reference.
  on_both_paths([] {
    Tensor a = random_input({3, 4, 5}, -1, 1, 21).requires_grad_(), b = random_input({5, 2}, -1, 1, 22).requires_grad_();
    Tensor g = random_input({3, 4, 2}, -1, 1, 23);
    matmul(a, b).backward(g);
    Shape s;
    expect_values(a.grad(), ref_matmul(g, b.detach().t(), s), {3, 4, 5}, 1e-12);
    expect_values(b.grad(), ref_matmul(a.detach().reshape({12, 5}).t(), g.reshape({12, 2}), s), {5, 2}, 1e-12);
  });
}

TEST(Linalg, PrimitiveJvpAndVmap) {
  // MLX's forward-mode and vectorizing transforms through fl::matmul (the Gemm primitive's jvp and vmap).
  namespace mx = mlx::core;
  NoGradGuard no_grad;
  auto f = [](const std::vector<mx::array>& xs) {
    return std::vector<mx::array>{matmul(Tensor::from_mlx(xs[0]), Tensor::from_mlx(xs[1])).mlx()};
  };
  mx::array a = random_input({3, 4}, -1, 1, 31).mlx(), b = random_input({4, 2}, -1, 1, 32).mlx();
  mx::array ta = random_input({3, 4}, -1, 1, 33).mlx(), tb = random_input({4, 2}, -1, 1, 34).mlx();
  auto [out, tan] = mx::jvp(f, {a, b}, {ta, tb});
  mx::array want = mx::add(mx::matmul(ta, b), mx::matmul(a, tb));
  expect_values(Tensor::from_mlx(tan[0]), Tensor::from_mlx(want).tolist<double>(), {3, 2}, 1e-12);
  // Map over a's leading axis, b shared; then over b's last axis, a shared.
  mx::array as = random_input({5, 3, 4}, -1, 1, 35).mlx(), bs = random_input({4, 2, 6}, -1, 1, 36).mlx();
  auto v1 = mx::vmap(f, {0, -1}, {0})({as, b});
  expect_values(Tensor::from_mlx(v1[0]), Tensor::from_mlx(mx::matmul(as, b)).tolist<double>(), {5, 3, 2}, 1e-12);
  auto v2 = mx::vmap(f, {-1, 2}, {0})({a, bs});
  expect_values(Tensor::from_mlx(v2[0]), Tensor::from_mlx(mx::matmul(a, mx::moveaxis(bs, 2, 0))).tolist<double>(),
                {6, 3, 2}, 1e-12);
}

TEST(Linalg, IntegerMatmulWrapsAsTorch) {
  // torch: uint8 [[16]] @ [[16]] = [[0]]; int64 [[2**40, 3]] @ [[2**30], [5]] = [[15]] (2**70 wraps to 0).
  Tensor u = full({1, 1}, 16, kUInt8);
  expect_values(matmul(u, u), {0}, {1, 1});
  EXPECT_EQ(matmul(u, u).dtype(), kUInt8);
  Tensor big = tensor(std::vector<int64_t>{int64_t{1} << 40, 3}, Shape{1, 2});
  EXPECT_EQ(matmul(big, tensor(std::vector<int64_t>{int64_t{1} << 30, 5}, Shape{2, 1})).item<int64_t>(), 15);
  EXPECT_EQ(mm(tensor({1, 2}, kInt16).reshape({1, 2}), tensor({3, 4}, kInt16).reshape({2, 1})).dtype(), kInt16);
  // torch: int16 300 * 300 = 24464; int32 [[65536, 3]] @ [[65536], [-7]] = -21; int8 -100 * 3 = -44.
  EXPECT_EQ(matmul(full({1, 1}, 300, kInt16), full({1, 1}, 300, kInt16)).item<int64_t>(), 24464);
  EXPECT_EQ(matmul(tensor({65536, 3}, kInt32).reshape({1, 2}), tensor({65536, -7}, kInt32).reshape({2, 1})).item<int64_t>(),
            -21);
  EXPECT_EQ(matmul(full({1, 1}, -100, kInt8), full({1, 1}, 3, kInt8)).item<int64_t>(), -44);
  EXPECT_EQ(dot(tensor({1, 2, 3}), tensor({4, 5, 6})).item<int64_t>(), 32);
}

TEST(Linalg, NamedProducts) {
  Tensor a = random_input({2, 3}), b = random_input({3, 4}, -2, 2, 1), v = random_input({3}, -2, 2, 2);
  Shape s;
  expect_values(mm(a, b), ref_matmul(a, b, s), {2, 4}, 1e-12);
  expect_values(a.mm(b), ref_matmul(a, b, s), {2, 4}, 1e-12);
  expect_values(mv(a, v), ref_matmul(a, v, s), {2}, 1e-12);
  expect_values(a.mv(v), ref_matmul(a, v, s), {2}, 1e-12);
  expect_values(dot(v, v * 2), ref_matmul(v, v * 2, s), Shape{}, 1e-12);
  expect_values(v.dot(v), ref_matmul(v, v, s), Shape{}, 1e-12);
  expect_values(vdot(v, v), ref_matmul(v, v, s), Shape{}, 1e-12);
  expect_values(a.matmul(b), ref_matmul(a, b, s), {2, 4}, 1e-12);
  Tensor x = random_input({4, 2, 3}, -1, 1, 5), y = random_input({4, 3, 5}, -1, 1, 6);
  expect_values(bmm(x, y), ref_matmul(x, y, s), {4, 2, 5}, 1e-12);
  expect_values(x.bmm(y), ref_matmul(x, y, s), {4, 2, 5}, 1e-12);
  expect_values(bmm(x.to(kFloat32), y.to(kFloat32)), ref_matmul(x, y, s), {4, 2, 5}, 1e-5);
  expect_values(dot(tensor({1.0, 2.0}, kFloat16), tensor({3.0, 4.0}, kFloat16)), {11}, Shape{}, 1e-3);
  expect_values(mm(tensor({1.0, 2.0}, kBFloat16).reshape({1, 2}), tensor({3.0, 4.0}, kBFloat16).reshape({2, 1})), {11},
                {1, 1}, 1e-2);
  // Empty: a 0-length dot is 0.
  expect_values(dot(zeros({0}), zeros({0})), {0}, Shape{});
  // inner / outer (torch literals, A(s) = arange - 2).
  auto A = [](Shape s) {
    int64_t n = 1;
    for (auto d : s) n *= d;
    return arange(n).to(kFloat32).reshape(s) - 2.0;
  };
  expect_values(inner(A({2, 3}), A({4, 3})), {5, -4, -13, -22, -4, 14, 32, 50}, {2, 4});
  expect_values(inner(A({3}), A({3})), {5}, Shape{});
  expect_values(inner(tensor(2.0), A({2})), {-4, -2}, Shape{2});
  EXPECT_EQ(inner(tensor(2.0, kFloat32), A({2}).to(kFloat64)).dtype(), kFloat64);
  expect_values(outer(A({2}), A({3})), {4, 2, 0, 2, 1, 0}, {2, 3});
  EXPECT_EQ(outer(tensor({1, 2}), tensor({0.5})).dtype(), kFloat32);
  EXPECT_EQ(outer(zeros({0}), zeros({3})).sizes(), (Shape{0, 3}));
}

TEST(Linalg, AddFamilyWithBetaAlpha) {
  auto A = [](Shape s) {
    int64_t n = 1;
    for (auto d : s) n *= d;
    return arange(n).to(kFloat32).reshape(s) - 2.0;
  };
  // torch 2.13 literals.
  expect_values(addmm(A({2, 4}), A({2, 3}), A({3, 4}), 0.5, 2), {3, -2.5, -8, -13.5, 41, 53.5, 66, 78.5}, {2, 4});
  expect_values(addmv(A({2}), A({2, 3}), A({3}), -1, 0.5), {4.5, -1}, Shape{2});
  expect_values(baddbmm(A({2, 1, 2}), A({2, 2, 3}), A({2, 3, 2}), 2, -1), {-8, -3, -8, -12, -94, -107, -148, -170},
                {2, 2, 2});
  expect_values(addbmm(A({2}), A({3, 2, 3}), A({3, 3, 2}), 1, 0.25), {122.5, 134.75, 163, 182}, {2, 2});
  // Broadcast inputs: a row, a scalar.
  Tensor a = random_input({2, 3}), b = random_input({3, 4}, -1, 1, 1), row = random_input({4}, -1, 1, 2);
  Shape s;
  auto p = ref_matmul(a, b, s);
  auto r = row.tolist<double>();
  std::vector<double> want(8);
  for (int i = 0; i < 8; ++i) want[i] = 3 * r[i % 4] + p[i];
  expect_values(addmm(row, a, b, 3), want, {2, 4}, 1e-12);
  expect_values(addmv(tensor(1.5, kFloat64), a, b.select(1, 0)), {1.5 + p[0], 1.5 + p[4]}, Shape{2}, 1e-12);
  // beta = 0 ignores NaN in input; alpha = 0 does not (inf * 0).
  const double nan = NAN, inf = INFINITY;
  expect_values(addmm(tensor({nan}).reshape({1, 1}), tensor({1.0}).reshape({1, 1}), tensor({2.0}).reshape({1, 1}), 0),
                {2}, {1, 1});
  expect_values(addmm(tensor({nan}).reshape({1, 1}), tensor({inf}).reshape({1, 1}), tensor({2.0}).reshape({1, 1}), 1, 0),
                {nan}, {1, 1});
  expect_values(addmv(tensor({nan}), tensor({1.0}).reshape({1, 1}), tensor({2.0}), 0), {2}, Shape{1});
  expect_values(baddbmm(tensor({nan}).reshape({1, 1, 1}), ones({1, 1, 1}), full({1, 1, 1}, 2.0), 0), {2}, {1, 1, 1});
  expect_values(addbmm(tensor({nan}).reshape({1, 1}), ones({1, 1, 1}), full({1, 1, 1}, 2.0), 0), {2}, {1, 1});
  // Integers: alpha and beta truncate (torch: addmm(ones, [[1,2],[3,4]], I, beta=0.5, alpha=2.5) = 2 * m).
  Tensor m = tensor({1, 2, 3, 4}).reshape({2, 2});
  expect_values(addmm(ones({2, 2}, kInt64), m, eye(2, std::nullopt, kInt64), 0.5, 2.5), {2, 4, 6, 8}, {2, 2});
  EXPECT_EQ(addmm(ones({2, 2}, kInt64), m, m).dtype(), kInt64);
}

TEST(Linalg, GradFnNames) {
  auto f = [](Shape s) { return random_input(s).requires_grad_(); };
  auto c = [](Shape s) { return random_input(s); };
  EXPECT_EQ(matmul(f({3}), f({3})).grad_fn_name(), "DotBackward0");
  EXPECT_EQ(matmul(f({3}), f({3, 4})).grad_fn_name(), "SqueezeBackward4");
  EXPECT_EQ(matmul(f({2, 3}), f({3})).grad_fn_name(), "MvBackward0");
  EXPECT_EQ(matmul(f({2, 3}), f({3, 4})).grad_fn_name(), "MmBackward0");
  EXPECT_EQ(matmul(f({5, 2, 3}), f({3, 4})).grad_fn_name(), "UnsafeViewBackward0");
  EXPECT_EQ(matmul(f({5, 2, 3}), f({5, 3, 4})).grad_fn_name(), "UnsafeViewBackward0");
  EXPECT_EQ(matmul(f({2, 3}), f({5, 3, 4})).grad_fn_name(), "CloneBackward0");
  EXPECT_EQ(matmul(c({2, 3}), f({5, 3, 4})).grad_fn_name(), "UnsafeViewBackward0");
  EXPECT_EQ(bmm(f({2, 2, 3}), f({2, 3, 4})).grad_fn_name(), "BmmBackward0");
  EXPECT_EQ(vdot(f({3}), f({3})).grad_fn_name(), "VdotBackward0");
  EXPECT_EQ(inner(f({2, 3}), f({4, 3})).grad_fn_name(), "ViewBackward0");
  EXPECT_EQ(outer(f({2}), f({3})).grad_fn_name(), "MulBackward0");
  EXPECT_EQ(addmm(f({2, 4}), f({2, 3}), f({3, 4})).grad_fn_name(), "AddmmBackward0");
  EXPECT_EQ(addmv(f({2}), f({2, 3}), f({3})).grad_fn_name(), "AddmvBackward0");
  EXPECT_EQ(baddbmm(f({2, 2, 4}), f({2, 2, 3}), f({2, 3, 4})).grad_fn_name(), "BaddbmmBackward0");
  EXPECT_EQ(addbmm(f({2, 4}), f({2, 2, 3}), f({2, 3, 4})).grad_fn_name(), "AddbmmBackward0");
  EXPECT_EQ(matmul(c({2, 3}), c({3, 4})).grad_fn_name(), "");
  // beta = 0: input still gets a (zero) gradient, as in torch.
  Tensor in = f({2, 4});
  addmm(in, c({2, 3}), c({3, 4}), 0).sum().backward();
  expect_values(in.grad(), std::vector<double>(8, 0.0), {2, 4});
}

TEST(Linalg, Errors) {
  auto F = [](Shape s) { return zeros(s); };
  auto D = [](Shape s) { return zeros(s, kFloat64); };
  auto I = [](Shape s) { return zeros(s, kInt64); };
  auto B = [](Shape s) { return zeros(s, kBool); };
  expect_error_containing<Error>([&] { matmul(tensor(1.0), F({3})); },
                      "both arguments to matmul need to be at least 1D, but they are 0D and 1D");
  expect_error_containing<Error>([&] { matmul(F({3}), F({4})); },
                      "inconsistent tensor size, expected tensor [3] and src [4] to have the same number of elements, "
                      "but got 3 and 4 elements respectively");
  expect_error_containing<Error>([&] { matmul(F({2, 3}), F({4, 5})); }, "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
  expect_error_containing<Error>([&] { matmul(F({3}), F({4, 5})); }, "mat1 and mat2 shapes cannot be multiplied (1x3 and 4x5)");
  expect_error_containing<Error>([&] { matmul(F({2, 3}), F({4})); }, "size mismatch, got input (2), mat (2x3), vec (4)");
  expect_error_containing<Error>([&] { matmul(F({5, 2, 3}), F({4})); }, "size mismatch, got input (10), mat (10x3), vec (4)");
  expect_error_containing<Error>([&] { matmul(F({5, 2, 3}), F({4, 5})); },
                      "mat1 and mat2 shapes cannot be multiplied (10x3 and 4x5)");
  expect_error_containing<Error>([&] { matmul(F({2, 3}), F({5, 4, 5})); },
                      "mat1 and mat2 shapes cannot be multiplied (25x4 and 3x2)");
  expect_error_containing<Error>([&] { matmul(F({3}), F({5, 4, 5})); }, "size mismatch, got input (25), mat (25x4), vec (3)");
  expect_error_containing<Error>([&] { matmul(F({5, 2, 3}), F({5, 4, 5})); },
                      "Expected size for first two dimensions of batch2 tensor to be: [5, 3] but got: [5, 4].");
  expect_error_containing<Error>([&] { matmul(F({5, 2, 3}), F({4, 3, 5})); },
                      "The size of tensor a (5) must match the size of tensor b (4) at non-singleton dimension 0");
  expect_error_containing<Error>([&] { matmul(F({2, 3}), D({3, 4})); },
                      "expected m1 and m2 to have the same dtype, but got: float != double");
  expect_error_containing<Error>([&] { matmul(I({2, 3}), F({3, 4})); },
                      "expected m1 and m2 to have the same dtype, but got: long int != float");
  expect_error_containing<Error>([&] { matmul(F({3}), D({3})); },
                      "dot : expected both vectors to have same dtype, but found Float and Double");
  expect_error_containing<Error>([&] { matmul(F({2, 3}), D({3})); },
                      "addmv input tensors must have the same dtype, but got Double, Float, and Double");
  expect_error_containing<Error>([&] { matmul(F({5, 2, 3}), D({5, 3, 4})); }, "expected scalar type Float but found Double");
  expect_error_containing<Error>([&] { matmul(F({2, 3}), D({5, 3, 4})); },
                      "expected m1 and m2 to have the same dtype, but got: double != float");
  expect_error_containing<NotImplementedError>([&] { matmul(B({2, 3}), B({3, 4})); },
                                    "\"addmm_impl_cpu_\" not implemented for 'Bool'");
  expect_error_containing<NotImplementedError>([&] { matmul(B({3}), B({3})); }, "\"dot\" not implemented for 'Bool'");
  expect_error_containing<NotImplementedError>([&] { matmul(B({2, 2, 3}), B({2, 3, 4})); }, "\"bmm\" not implemented for 'Bool'");
  expect_error_containing<NotImplementedError>([&] { mv(B({2, 3}), B({3})); }, "\"addmv_impl_cpu\" not implemented for 'Bool'");
  expect_error_containing<Error>([&] { mm(F({2, 3}), F({3})); }, "mat2 must be a matrix");
  expect_error_containing<Error>([&] { mm(F({3}), F({3, 4})); }, "self must be a matrix");
  expect_error_containing<Error>([&] { mm(F({2, 3}), F({4, 5})); }, "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
  expect_error_containing<Error>([&] { mm(F({2, 3}), D({3, 4})); },
                      "expected m1 and m2 to have the same dtype, but got: float != double");
  expect_error_containing<Error>([&] { bmm(F({2, 3}), F({2, 3})); }, "batch1 must be a 3D tensor");
  expect_error_containing<Error>([&] { bmm(F({4, 2, 3}), F({4, 3})); }, "batch2 must be a 3D tensor");
  expect_error_containing<Error>([&] { bmm(F({4, 2, 3}), F({4, 5, 6})); },
                      "Expected size for first two dimensions of batch2 tensor to be: [4, 3] but got: [4, 5].");
  expect_error_containing<Error>([&] { bmm(F({4, 2, 3}), D({4, 3, 6})); }, "expected scalar type Float but found Double");
  expect_error_containing<Error>([&] { mv(F({2, 3}), F({3, 1})); }, "vector + matrix @ vector expected, got 1, 2, 2");
  expect_error_containing<Error>([&] { mv(F({2, 3}), F({4})); }, "size mismatch, got input (2), mat (2x3), vec (4)");
  expect_error_containing<Error>([&] { mv(I({2, 3}), F({3})); },
                      "addmv input tensors must have the same dtype, but got Float, Long, and Float");
  expect_error_containing<Error>([&] { dot(F({3, 1}), F({3})); }, "1D tensors expected, but got 2D and 1D tensors");
  expect_error_containing<Error>([&] { vdot(F({3}), D({3})); },
                      "dot : expected both vectors to have same dtype, but found Float and Double");
  expect_error_containing<Error>([&] { dot(I({3}), F({4})); },
                      "dot : expected both vectors to have same dtype, but found Long and Float");
  expect_error_containing<Error>([&] { inner(F({2, 3}), F({4, 4})); },
                      "inner() the last dimension must match on both input tensors but got shapes [2, 3] and [4, 4]");
  expect_error_containing<Error>([&] { inner(I({3}), F({3})); }, "both inputs should have same dtype");
  expect_error_containing<Error>([&] { outer(F({2, 1}), F({3})); }, "outer: Expected 1-D argument self, but got 2-D");
  expect_error_containing<Error>([&] { outer(F({2}), F({3, 1})); }, "outer: Expected 1-D argument vec2, but got 2-D");
  expect_error_containing<Error>([&] { addmm(F({3, 4}), F({2, 3}), F({3, 4})); },
                      "The expanded size of the tensor (2) must match the existing size (3) at non-singleton dimension "
                      "0.  Target sizes: [2, 4].  Tensor sizes: [3, 4]");
  expect_error_containing<Error>([&] { addmm(F({2, 4}), F({2, 3}), F({4, 5})); },
                      "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)");
  expect_error_containing<Error>([&] { addmm(F({2, 4}), F({2, 3, 1}), F({3, 4})); }, "mat1 must be a matrix, got 3-D tensor");
  expect_error_containing<Error>([&] { addmm(D({2, 4}), F({2, 3}), F({3, 4})); },
                      "self and mat2 must have the same dtype, but got Double and Float");
  expect_error_containing<Error>([&] { addmm(F({2, 4}), D({2, 3}), F({3, 4})); },
                      "mat1 and mat2 must have the same dtype, but got Double and Float");
  expect_error_containing<Error>([&] { addmv(F({3}), F({2, 3}), F({3})); }, "size mismatch, got input (3), mat (2x3), vec (3)");
  expect_error_containing<Error>([&] { addmv(F({2}), F({2, 3, 1}), F({3})); }, "vector + matrix @ vector expected, got 1, 3, 1");
  expect_error_containing<Error>([&] { addmv(D({2}), F({2, 3}), F({3})); },
                      "addmv input tensors must have the same dtype, but got Double, Float, and Float");
  expect_error_containing<Error>([&] { baddbmm(F({3, 2, 5}), F({4, 2, 3}), F({4, 3, 5})); },
                      "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 0");
  expect_error_containing<Error>([&] { baddbmm(D({4, 2, 5}), F({4, 2, 3}), F({4, 3, 5})); },
                      "Input dtypes must be the same, got: input double, batch1: float, batch2: float");
  expect_error_containing<Error>([&] { baddbmm(F({4, 2, 5}), F({4, 2, 3}), D({4, 3, 5})); },
                      "expected scalar type Float but found Double");
  expect_error_containing<NotImplementedError>([&] { baddbmm(B({2, 2, 4}), B({2, 2, 3}), B({2, 3, 4})); },
                                    "\"baddbmm\" not implemented for 'Bool'");
  expect_error_containing<Error>([&] { addbmm(F({2, 5}), F({4, 2, 3}), F({3, 3, 5})); },
                      "batch1 and batch2 must have same number of batches, got 4 and 3");
  expect_error_containing<Error>([&] { addbmm(F({2, 5}), F({4, 2, 3}), F({4, 4, 5})); },
                      "Incompatible matrix sizes for bmm (2x3 and 4x5)");
  expect_error_containing<IndexError>([&] { addbmm(F({1}), F({4, 2, 3}), F({4, 3})); },
                           "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
}

// Every differentiable op in this file gets float64 finite-difference rows (first order).
static GradCases kGrads({
    {"matmul", [](auto& x) { return matmul(x[0], x[1]); }, {{3}, {3}}},
    {"matmul", [](auto& x) { return matmul(x[0], x[1]); }, {{3}, {3, 2}}},
    {"matmul", [](auto& x) { return matmul(x[0], x[1]); }, {{2, 3}, {3}}},
    {"matmul", [](auto& x) { return matmul(x[0], x[1]); }, {{2, 3}, {3, 2}}},
    {"matmul", [](auto& x) { return matmul(x[0], x[1]); }, {{2, 2, 3}, {3, 2}}},
    {"matmul", [](auto& x) { return matmul(x[0], x[1]); }, {{3}, {2, 3, 2}}},
    {"matmul", [](auto& x) { return matmul(x[0], x[1]); }, {{1, 2, 3}, {2, 1, 3, 2}}},
    {"matmul", [](auto& x) { return matmul(x[0].transpose(0, 1), x[1]); }, {{3, 2}, {3, 2}}},
    {"mm", [](auto& x) { return mm(x[0], x[1].t()); }, {{2, 3}, {2, 3}}},
    {"bmm", [](auto& x) { return bmm(x[0], x[1]); }, {{2, 2, 3}, {2, 3, 2}}},
    {"mv", [](auto& x) { return mv(x[0], x[1]); }, {{2, 3}, {3}}},
    {"dot", [](auto& x) { return dot(x[0], x[1]); }, {{4}, {4}}},
    {"vdot", [](auto& x) { return vdot(x[0], x[1]); }, {{4}, {4}}},
    {"inner", [](auto& x) { return inner(x[0], x[1]); }, {{2, 3}, {2, 2, 3}}},
    {"outer", [](auto& x) { return outer(x[0], x[1]); }, {{2}, {3}}},
    {"addmm", [](auto& x) { return addmm(x[0], x[1], x[2], 0.5, 2); }, {{3}, {2, 3}, {3, 3}}},
    {"addmv", [](auto& x) { return addmv(x[0], x[1], x[2], 2, -1); }, {{2}, {2, 3}, {3}}},
    {"baddbmm", [](auto& x) { return baddbmm(x[0], x[1], x[2], 1.5, 0.5); }, {{2, 1, 2}, {2, 2, 3}, {2, 3, 2}}},
    {"addbmm", [](auto& x) { return addbmm(x[0], x[1], x[2], -1, 2); }, {{2, 2}, {3, 2, 3}, {3, 3, 2}}},
});

}  // namespace fl::test
