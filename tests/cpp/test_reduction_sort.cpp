// Scans, softmax, sorting and selection against values computed with torch 2.13 (pasted as literals), over
// 0-d, empty, transposed and sliced inputs; tie and NaN order, dtypes, errors and gradients as PyTorch.
// (kValues and kGrads for the whole family live in test_reduction.cpp.)
#include <cmath>

#include "reduction_test_util.h"

namespace fl::test {
namespace {

using namespace reduction;

TEST(Reduction, Median) {
  Tensor z = tensor({3, 1, 2, 1, 0, 5, 5, 1}).view({2, 4});
  auto [v, i] = fl::median(z, 1);
  expect_values(v, {1, 1});
  expect_values(i, {3, 3});  // torch's tie-break
  EXPECT_EQ(v.dtype(), kInt64);
  expect_values(fl::median(z), {1}, {});
  expect_values(fl::median(tensor({1.0, 2.0, 3.0, 4.0})), {2});  // lower of the two middles
  Tensor w = T({1, nan, 3, 2, 4, 1, 4, 0}, {2, 4});
  auto [wv, wi] = fl::median(w, 1);
  expect_values(wv, {nan, 1});
  expect_values(wi, {1, 1});
  expect_values(fl::median(w), {nan});
  auto [tv, ti] = fl::median(w.t(), 0, true);
  expect_values(tv, {nan, 1}, {1, 2});
  expect_values(ti, {1, 1}, {1, 2});
  expect_values(fl::median(zeros({0})), {nan});
  expect_values(fl::median(zeros({2, 0})), {nan});
  auto [sv, si] = fl::median(tensor(3.0), 0);
  expect_values(sv, {3}, {});
  expect_values(si, {0}, {});
  // median() splits the gradient among elements equal to the median; median(dim) sends it to the index.
  expect_list(grad_of([](auto& t) { return fl::median(t); }, {3, 1, 3, 1}), {0, 0.5, 0, 0.5});
  expect_list(grad_of([](auto& t) { return std::get<0>(fl::median(t, 0)); }, {3, 1, 3, 1}), {0, 0, 0, 1});
  Tensor wr = w.clone().requires_grad_();
  EXPECT_EQ(fl::median(wr).grad_fn_name(), "MedianBackward0");
  EXPECT_EQ(std::get<0>(fl::median(wr, 1)).grad_fn_name(), "MedianBackward1");
  expect_error([] { fl::median(zeros({2, 0}), 1); }, "median(): Expected reduction dim 1 to have non-zero size.");
  EXPECT_THROW(fl::median(tensor({true})), NotImplementedError);
}

TEST(Reduction, Scans) {
  Tensor x = X();
  expect_values(fl::cumsum(x, 1), {1, 6, 9, 4, 6, 12}, {2, 3});
  expect_values(fl::cumsum(x.t(), 0), {1, 4, 6, 6, 9, 12}, {3, 2});
  expect_values(fl::cumprod(x, 0), {1, 5, 3, 4, 10, 18});
  expect_values(fl::logcumsumexp(x, 1), {1, 5.0181499279178094, 5.142931628499899, 4, 4.126928011042972, 6.142931628499899});
  expect_values(fl::logcumsumexp(tensor({-inf, -inf, 0.0}), 0), {-inf, -inf, 0});
  EXPECT_EQ(fl::cumsum(tensor({1, 2}), 0).dtype(), kInt64);
  EXPECT_EQ(fl::cumsum(tensor({1, 2}, kUInt8), 0).dtype(), kInt64);
  EXPECT_EQ(fl::cumprod(tensor({1, 2}, kInt8), 0).dtype(), kInt64);
  expect_values(fl::cumsum(tensor({true, true}), 0), {1, 2});
  expect_values(fl::cumprod(tensor({true, false, true}), 0), {1, 0, 0});
  Tensor f = fl::cumsum(tensor({1, 2}), 0, kFloat32);
  EXPECT_EQ(f.dtype(), kFloat32);
  expect_values(f, {1, 3});
  EXPECT_EQ(fl::cumsum(tensor({1.0, 2.0}), 0, kInt32).dtype(), kInt32);
  expect_values(fl::cumsum(tensor(2.0), 0), {2}, {});
  Tensor h = fl::cumsum(ones({3000}, kFloat16), 0);  // float32 accumulation, as torch (3000, not 2048)
  EXPECT_EQ(h.dtype(), kFloat16);
  EXPECT_EQ(h.select(0, 2999).item<double>(), 3000);
  EXPECT_NEAR(fl::cumprod(full({30}, 1.01, kFloat16), 0).select(0, 29).item<double>(), 1.3389, 1e-3);
  EXPECT_EQ(fl::cumsum(zeros({2, 0}), 1).sizes(), (Shape{2, 0}));
  EXPECT_EQ(x.cumsum(-1).sizes(), (Shape{2, 3}));
  // cumprod's gradient with zeros is exact (torch).
  expect_list(grad_of([](auto& t) { return fl::cumprod(t, 0); }, {2, 0, 3, 0, 4}), {1, 8, 0, 0, 0});
  expect_list(grad_of([](auto& t) { return fl::cumprod(t, 0); }, {0, 2, 3}), {9, 0, 0});

  Tensor w = T({1, nan, 3, 2, 4, 1, 4, 0}, {2, 4});
  auto [cv, ci] = fl::cummax(w, 1);
  expect_values(cv, {1, nan, nan, nan, 4, 4, 4, 4});
  expect_values(ci, {0, 1, 1, 1, 0, 0, 2, 2});
  EXPECT_EQ(ci.dtype(), kInt64);
  auto [nv, ni] = fl::cummin(w, 1);
  expect_values(nv, {1, nan, nan, nan, 4, 1, 1, 0});
  expect_values(ni, {0, 1, 1, 1, 0, 1, 1, 3});
  auto [mv, mi] = fl::cummin(T({1, 1, nan, 3, 2, nan, 1}, {7}), 0);
  expect_values(mi, {0, 1, 2, 2, 2, 5, 5});
  auto [iv, ii] = fl::cummax(tensor({1, 1, 2, 2, 1}), 0);
  expect_values(iv, {1, 1, 2, 2, 2});
  expect_values(ii, {0, 1, 2, 3, 3});
  auto [bv, bi] = fl::cummax(tensor({true, false}), 0);
  EXPECT_EQ(bv.dtype(), kBool);
  expect_values(bi, {0, 0});
  auto [tv, ti] = fl::cummax(w.t(), 0);
  expect_values(ti, {0, 0, 1, 0, 1, 2, 1, 2});
  auto [sv, si] = fl::cummin(tensor(3.0), 0);
  expect_values(si, {0}, {});
  expect_list(grad_of([](auto& t) { return std::get<0>(fl::cummax(t, 0)); }, {1, 3, 3, 2, 5}), {1, 1, 2, 0, 1});
  expect_list(grad_of([](auto& t) { return std::get<0>(fl::cummin(t, 0)); }, {3, 1, 1, 2, 0}), {1, 1, 2, 0, 1});

  Tensor xr = x.clone().requires_grad_();
  EXPECT_EQ(fl::cumsum(xr, 0).grad_fn_name(), "CumsumBackward0");
  EXPECT_EQ(fl::cumprod(xr, 0).grad_fn_name(), "CumprodBackward0");
  EXPECT_EQ(std::get<0>(fl::cummax(xr, 0)).grad_fn_name(), "CummaxBackward0");
  EXPECT_EQ(std::get<0>(fl::cummin(xr, 0)).grad_fn_name(), "CumminBackward0");
  EXPECT_EQ(fl::logcumsumexp(xr, 0).grad_fn_name(), "LogcumsumexpBackward0");
  expect_error([] { fl::logcumsumexp(tensor({1, 2}), 0); }, "\"logcumsumexp_out_cpu\" not implemented for 'Long'");
  EXPECT_THROW(fl::logcumsumexp(tensor({1, 2}), 0), NotImplementedError);
  expect_error([] { fl::cumsum(tensor({1.0}), 1); }, "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
}

TEST(Reduction, Softmax) {
  Tensor x = X();
  expect_values(fl::softmax(x, 1), {0.015876239976466762, 0.8668133321973347, 0.11731042782619835,
                                    0.11731042782619838, 0.015876239976466765, 0.8668133321973349});
  expect_values(fl::log_softmax(x, 0), {-3.048587351573742, -0.048587351573741965, -3.048587351573742,
                                        -0.048587351573741965, -3.048587351573742, -0.048587351573741965});
  expect_values(fl::softmax(x.t(), 0), {0.015876239976466762, 0.11731042782619838, 0.8668133321973347,
                                        0.015876239976466765, 0.11731042782619835, 0.8668133321973349});
  // -inf entries get 0, an all -inf row is nan (torch).
  Tensor m = T({-inf, 0, 1, -inf, -inf, -inf}, {2, 3});
  expect_values(fl::softmax(m, 1), {0, 0.2689414213699951, 0.7310585786300049, nan, nan, nan});
  expect_values(fl::log_softmax(m, 1), {-inf, -1.3132616875182228, -0.3132616875182228, nan, nan, nan});
  expect_values(fl::softmax(T({1000, 1000}, {2}), 0), {0.5, 0.5});
  expect_values(fl::softmax(tensor(3.0), 0), {1}, {});
  EXPECT_EQ(fl::softmax(zeros({2, 0}), 1).sizes(), (Shape{2, 0}));
  Tensor d = fl::softmax(tensor({1, 2}), 0, kFloat64);
  EXPECT_EQ(d.dtype(), kFloat64);
  expect_values(d, {0.2689414213699951, 0.7310585786300049});
  EXPECT_EQ(fl::softmax(tensor({1.0, 2.0}), 0, kFloat16).dtype(), kFloat16);
  EXPECT_EQ(fl::log_softmax(tensor({1.0, 2.0}, kFloat16), 0).dtype(), kFloat16);
  expect_values(fl::log_softmax(tensor({1.0, 2.0}, kFloat16), 0), {-1.3132616875182228, -0.3132616875182228}, 1e-3);
  expect_list(grad_of([](auto& t) { return fl::softmax(t, 0) * arange(3, kFloat64); }, {1, 2, -inf}),
              {-0.19661193324148188, 0.19661193324148185, 0});
  expect_list(grad_of([](auto& t) { return fl::log_softmax(t, 0) * arange(3, kFloat64); }, {1, 2, -inf}),
              {-0.8068242641099853, -1.1931757358900148, 2});
  Tensor xr = x.clone().requires_grad_();
  EXPECT_EQ(fl::softmax(xr, 0).grad_fn_name(), "SoftmaxBackward0");
  EXPECT_EQ(fl::log_softmax(xr, 0).grad_fn_name(), "LogSoftmaxBackward0");
  EXPECT_EQ(fl::softmax(xr, 0, kFloat32).grad_fn_name(), "SoftmaxBackward0");
  expect_error([] { fl::softmax(tensor({1, 2}), 0); }, "\"softmax_lastdim_kernel_impl\" not implemented for 'Long'");
  expect_error([] { fl::softmax(tensor({1, 2, 3, 4}).view({2, 2}), 0); },
               "\"softmax_kernel_impl\" not implemented for 'Long'");
  expect_error([] { fl::log_softmax(tensor({1, 2}), 0); },
               "\"log_softmax_lastdim_kernel_impl\" not implemented for 'Long'");
  EXPECT_THROW(fl::softmax(tensor({1.0}), 2), IndexError);
}

TEST(Reduction, SortArgsort) {
  Tensor y = T({3, nan, 1, 3, 2, 2, 0, nan}, {2, 4});
  auto [v, i] = fl::sort(y, 1);
  expect_values(v, {1, 3, 3, nan, 0, 2, 2, nan});
  expect_values(i, {2, 0, 3, 1, 2, 0, 1, 3});
  EXPECT_EQ(i.dtype(), kInt64);
  auto [dv, di] = fl::sort(y, 1, true);  // NaN is the largest; equal values keep their order
  expect_values(dv, {nan, 3, 3, 1, nan, 2, 2, 0});
  expect_values(di, {1, 0, 3, 2, 3, 0, 1, 2});
  expect_values(fl::argsort(y, 0, true), {0, 0, 0, 1, 1, 1, 1, 0});
  auto [zv, zi] = fl::sort(tensor({3, 1, 2, 1, 0, 5, 5, 1}).view({2, 4}), 0, true, true);
  expect_values(zv, {3, 5, 5, 1, 0, 1, 2, 1});
  expect_values(zi, {0, 1, 1, 0, 1, 0, 0, 1});
  auto [tv, ti] = fl::sort(y.t(), 0, false, true);  // transposed view
  expect_values(ti, {2, 2, 0, 0, 3, 1, 1, 3});
  auto [bv, bi] = fl::sort(tensor({true, false}));
  expect_values(bv, {0, 1});
  expect_values(bi, {1, 0});
  EXPECT_EQ(bv.dtype(), kBool);
  auto [sv, si] = fl::sort(tensor(3.0));
  expect_values(sv, {3}, {});
  expect_values(si, {0}, {});
  EXPECT_EQ(std::get<1>(fl::sort(zeros({2, 0}), 1)).sizes(), (Shape{2, 0}));
  EXPECT_EQ(fl::argsort(tensor(1.0)).dim(), 0);
  expect_list(grad_of([](auto& t) { return std::get<0>(fl::sort(t)) * arange(3, kFloat64); }, {5, 1, 3}), {2, 0, 1});
  EXPECT_EQ(std::get<0>(fl::sort(y.clone().requires_grad_())).grad_fn_name(), "SortBackward0");
  EXPECT_THROW(fl::sort(tensor({1.0}), 1), IndexError);
}

TEST(Reduction, TopkKthvalue) {
  // Tie order matches torch's CPU selection exactly.
  Tensor x = T({2, 1, 2, 1, 2, 1, 1}, {7});
  auto [v, i] = fl::topk(x, 3);
  expect_values(v, {2, 2, 2});
  expect_values(i, {2, 4, 0});
  auto [sv, si] = fl::topk(x, 3, -1, false);
  expect_values(sv, {1, 1, 1});
  expect_values(si, {3, 6, 5});
  expect_values(std::get<1>(fl::topk(x, 4, 0, true, false)), {2, 4, 0, 3});
  EXPECT_EQ(si.dtype(), kInt64);
  Tensor y = T({3, nan, 1, 3, 2, 2, 0, nan}, {2, 4});
  auto [yv, yi] = fl::topk(y, 2, 1);
  expect_values(yv, {nan, 3, nan, 2});
  expect_values(yi, {1, 3, 3, 1});
  auto [tv, ti] = fl::topk(y.t(), 1, 0);  // transposed view
  expect_values(tv, {nan, nan}, {1, 2});
  expect_values(ti, {1, 3}, {1, 2});
  auto [zv, zi] = fl::topk(tensor({1, 5, 3}), 2);
  EXPECT_EQ(zv.dtype(), kInt64);
  expect_values(zv, {5, 3});
  EXPECT_EQ(std::get<0>(fl::topk(zeros({2, 0}), 0)).sizes(), (Shape{2, 0}));
  auto [s0, s0i] = fl::topk(tensor(3.0), 1);
  expect_values(s0, {3}, {});
  expect_values(s0i, {0}, {});

  expect_values(std::get<1>(fl::kthvalue(x, 1)), {5}, {});
  expect_values(std::get<1>(fl::kthvalue(x, 3)), {6}, {});
  auto [kv, ki] = fl::kthvalue(x, 5);
  expect_values(kv, {2}, {});
  expect_values(ki, {2}, {});
  auto [nv, ni] = fl::kthvalue(T({1, nan, 3, 2}, {4}), 4);
  expect_values(nv, {nan});
  expect_values(ni, {1});
  auto [kk, kki] = fl::kthvalue(tensor({3, 1, 2, 1, 0, 5, 5, 1}).view({2, 4}), 2, 1, true);
  expect_values(kk, {1, 1}, {2, 1});
  expect_values(kki, {3, 3}, {2, 1});
  auto [k0, k0i] = fl::kthvalue(tensor(3.0), 1);
  expect_values(k0, {3}, {});
  // Gradients go to the selected elements (torch).
  expect_list(grad_of([](auto& t) { return std::get<0>(fl::topk(t, 2)); }, {2, 1, 2, 1, 2}), {0, 0, 1, 0, 1});
  expect_list(grad_of([](auto& t) { return std::get<0>(fl::kthvalue(t, 2)); }, {2, 1, 2, 1}), {0, 0, 0, 1});
  Tensor xr = x.clone().requires_grad_();
  EXPECT_EQ(std::get<0>(fl::topk(xr, 2)).grad_fn_name(), "TopkBackward0");
  EXPECT_EQ(std::get<0>(fl::kthvalue(xr, 2)).grad_fn_name(), "KthvalueBackward0");

  expect_error([] { fl::topk(tensor({1.0, 2.0}), 3); }, "selected index k out of range");
  expect_error([] { fl::topk(tensor({1.0, 2.0}), -1); }, "selected index k out of range");
  expect_error([] { fl::topk(tensor({true}), 1); }, "topk does not support bool dtypes on CPU");
  expect_error([] { fl::kthvalue(T({1, 2}, {1, 2}), 3, -1); },
               "kthvalue(): selected number k out of range for dimension 1");
  expect_error([] { fl::kthvalue(tensor({1.0}), 0); }, "kthvalue(): selected number k out of range for dimension 0");
  expect_error([] { fl::kthvalue(zeros({2, 0}), 1, 1); }, "kthvalue(): Expected reduction dim 1 to have non-zero size.");
  EXPECT_THROW(fl::kthvalue(zeros({2, 0}), 1, 1), IndexError);
  EXPECT_THROW(fl::topk(tensor({1.0}), 1, 2), IndexError);
}

TEST(Reduction, EmptyInputsAlongDims) {
  Tensor e = zeros({0, 3}), f = zeros({2, 0});
  EXPECT_EQ(std::get<1>(fl::cummax(f, 1)).sizes(), (Shape{2, 0}));
  EXPECT_EQ(std::get<0>(fl::cummin(e, 0)).sizes(), (Shape{0, 3}));
  EXPECT_EQ(fl::logcumsumexp(f, 1).sizes(), (Shape{2, 0}));
  EXPECT_EQ(fl::logcumsumexp(e.to(kFloat32), 0).sizes(), (Shape{0, 3}));
  EXPECT_EQ(fl::cumprod(zeros({0}), 0).sizes(), (Shape{0}));
  EXPECT_EQ(fl::log_softmax(f, 1).sizes(), (Shape{2, 0}));
  EXPECT_EQ(fl::softmax(e, 1).sizes(), (Shape{0, 3}));
  EXPECT_EQ(std::get<1>(fl::topk(e, 2, 1)).sizes(), (Shape{0, 2}));
  EXPECT_EQ(std::get<1>(fl::kthvalue(e, 1, 1)).sizes(), (Shape{0}));
  EXPECT_EQ(std::get<1>(fl::median(e, 1, true)).sizes(), (Shape{0, 1}));
  EXPECT_EQ(std::get<1>(fl::sort(e, 1, true)).sizes(), (Shape{0, 3}));
  EXPECT_EQ(fl::argsort(f, 1, true).sizes(), (Shape{2, 0}));
  EXPECT_EQ(std::get<1>(fl::min(e, 1)).sizes(), (Shape{0}));
  EXPECT_EQ(fl::argmin(e, 1, true).sizes(), (Shape{0, 1}));
}

}  // namespace
}  // namespace fl::test
