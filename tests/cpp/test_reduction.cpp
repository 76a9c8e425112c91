// Reductions, scans, softmax and sorting against values computed with torch 2.13 (pasted as literals), over
// 0-d, empty, transposed and sliced inputs and several dtypes; PyTorch's dtypes, errors and gradients.
#include <cmath>

#include "reduction_test_util.h"

namespace fl::test {
namespace {

using namespace reduction;

TEST(Reduction, SumMeanProd) {
  Tensor x = X();
  expect_values(fl::sum(x), {21}, {});
  expect_values(fl::sum(x, {1}), {9, 12}, {2});
  expect_values(fl::sum(x, {0, -1}, true), {21}, {1, 1});
  expect_values(fl::sum(x.t(), {0}), {9, 12}, {2});               // transposed view
  expect_values(fl::sum(x.slice(1, 1, 3), {0}), {7, 9}, {2});     // sliced view
  expect_values(fl::sum(x, {1}, false, kFloat32), {9, 12});
  EXPECT_EQ(fl::sum(x, {}, false, kFloat32).dtype(), kFloat32);
  EXPECT_EQ(fl::sum(tensor({1, 2})).dtype(), kInt64);
  EXPECT_EQ(fl::sum(tensor({1, 2}, kUInt8)).dtype(), kInt64);
  Tensor b = tensor({true, true, false});
  EXPECT_EQ(fl::sum(b).dtype(), kInt64);
  EXPECT_EQ(fl::sum(b).item<int64_t>(), 2);
  expect_values(fl::sum(tensor({1.0, 2.5}), {}, false, kInt64), {3});  // dtype casts the input first
  expect_values(fl::sum(tensor(3.0), {0}), {3}, {});              // 0-d with a dim
  expect_values(fl::sum(zeros({0})), {0}, {});
  expect_values(fl::sum(zeros({2, 0}), {1}), {0, 0}, {2});
  expect_values(fl::sum(tensor({60000.0, 60000.0, -60000.0}, kFloat16)), {60000});
  EXPECT_EQ(fl::sum(x).grad_fn_name(), "");
  Tensor xr = X().requires_grad_();
  EXPECT_EQ(fl::sum(xr).grad_fn_name(), "SumBackward0");
  EXPECT_EQ(fl::sum(xr, {1}).grad_fn_name(), "SumBackward1");
  EXPECT_EQ(fl::mean(xr).grad_fn_name(), "MeanBackward0");
  EXPECT_EQ(fl::mean(xr, {0}).grad_fn_name(), "MeanBackward1");
  EXPECT_EQ(fl::prod(xr).grad_fn_name(), "ProdBackward0");
  EXPECT_EQ(fl::prod(xr, 1).grad_fn_name(), "ProdBackward1");

  expect_values(fl::mean(x), {3.5}, {});
  expect_values(fl::mean(x, {0}, true), {2.5, 3.5, 4.5}, {1, 3});
  expect_values(fl::mean(x.t(), {1}), {2.5, 3.5, 4.5});
  expect_values(fl::mean(tensor({1, 2}), {}, false, kFloat32), {1.5});
  expect_values(fl::mean(zeros({0})), {nan});
  expect_values(fl::mean(zeros({2, 0}), {1}), {nan, nan});
  EXPECT_EQ(fl::mean(tensor({1.0, 2.0}, kFloat16)).dtype(), kFloat16);

  expect_values(fl::prod(x), {720}, {});
  expect_values(fl::prod(x, 1), {15, 48}, {2});
  expect_values(fl::prod(x, -2, true), {4, 10, 18}, {1, 3});
  EXPECT_EQ(fl::prod(tensor({1, 2}, kInt32)).dtype(), kInt64);
  EXPECT_EQ(fl::prod(tensor({true, false})).dtype(), kInt64);
  expect_values(fl::prod(tensor({2.5, 2.0}), std::nullopt, false, kInt64), {4});
  expect_values(fl::prod(zeros({0})), {1});
  expect_values(fl::prod(zeros({2, 0}), 1), {1, 1});
  expect_values(fl::prod(tensor(3.0), 0), {3}, {});
  // Gradients with zeros (torch: [0, 6, 0], [0, 0, 0], rows [0, 6, 0] and [6, 3, 2]).
  expect_list(grad_of([](auto& t) { return fl::prod(t); }, {2, 0, 3}), {0, 6, 0});
  expect_list(grad_of([](auto& t) { return fl::prod(t); }, {2, 0, 0}), {0, 0, 0});
  expect_list(grad_of([](auto& t) { return fl::prod(t, 1); }, {2, 0, 3, 1, 2, 3}, {2, 3}), {0, 6, 0, 6, 3, 2});
  expect_list(grad_of([](auto& t) { return fl::mean(t, {1}); }, {1, 2, 3, 4}, {2, 2}), {0.5, 0.5, 0.5, 0.5});
}

TEST(Reduction, NanSumNanMean) {
  Tensor x = T({1, nan, 3, nan, nan, nan}, {2, 3});
  expect_values(fl::nansum(x), {4});
  expect_values(fl::nansum(x, {1}), {4, 0});
  expect_values(fl::nanmean(x, {1}), {2, nan});
  expect_values(fl::nanmean(x.t(), {0}, true), {2, nan}, {1, 2});
  expect_values(fl::nanmean(zeros({0})), {nan});
  EXPECT_EQ(fl::nansum(tensor({1, 2}, kInt8)).dtype(), kInt64);
  expect_values(fl::nansum(tensor({1, 2})), {3});
  expect_list(grad_of([](auto& t) { return fl::nansum(t); }, {2, nan, 3}), {1, 0, 1});
  expect_list(grad_of([](auto& t) { return fl::nanmean(t); }, {2, nan, 3}), {0.5, 0, 0.5});
  Tensor xr = x.clone().requires_grad_();
  EXPECT_EQ(fl::nansum(xr).grad_fn_name(), "NansumBackward0");
  EXPECT_EQ(fl::nanmean(xr).grad_fn_name(), "DivBackward0");
}

TEST(Reduction, MaxMinAmaxAmin) {
  Tensor y = T({1, 5, 5, 7, 7, 2}, {2, 3});
  expect_values(fl::max(y), {7}, {});
  expect_values(fl::min(y), {1}, {});
  auto [v, i] = fl::max(y, 1);
  expect_values(v, {5, 7}, {2});
  expect_values(i, {1, 0}, {2});  // ties: first occurrence
  EXPECT_EQ(i.dtype(), kInt64);
  auto [v0, i0] = fl::min(y, 0, true);
  expect_values(v0, {1, 5, 2}, {1, 3});
  expect_values(i0, {0, 0, 1}, {1, 3});
  auto [vt, it] = fl::max(y.t(), 0);  // transposed view
  expect_values(vt, {5, 7});
  expect_values(it, {1, 0});
  auto [vs, is] = fl::max(tensor(3.0), 0, true);  // 0-d stays 0-d
  expect_values(vs, {3}, {});
  expect_values(is, {0}, {});
  expect_values(fl::amax(y, {1}), {5, 7});
  expect_values(fl::amin(y, {0, 1}, true), {1}, {1, 1});
  expect_values(fl::amax(zeros({0, 3}), {1}), {}, {0});
  // NaN propagates; its index is reported.
  Tensor w = T({1, nan, 3, 2, 4, 1, 4, 0}, {2, 4});
  auto [wv, wi] = fl::max(w, 1);
  expect_values(wv, {nan, 4});
  expect_values(wi, {1, 0});
  auto [mv, mi] = fl::min(w, 1);
  expect_values(mv, {nan, 0});
  expect_values(mi, {1, 3});
  expect_values(fl::amax(w, {1}), {nan, 4});
  expect_values(fl::max(w), {nan});
  // Integer and bool keep their dtype.
  EXPECT_EQ(fl::max(tensor({1, 3})).dtype(), kInt64);
  EXPECT_EQ(fl::max(tensor({true, false})).item<bool>(), true);
  // Gradients (torch): max()/amax split evenly among ties, max(dim) goes to the first occurrence.
  std::vector<double> tie = {1, 3, 3, 2, 2, 2};
  expect_list(grad_of([](auto& t) { return fl::amax(t, {1}); }, tie, {2, 3}), {0, 0.5, 0.5, 1. / 3, 1. / 3, 1. / 3});
  expect_list(grad_of([](auto& t) { return fl::max(t); }, {1, 3, 3, 2, 2, 3}, {2, 3}), {0, 1. / 3, 1. / 3, 0, 0, 1. / 3});
  expect_list(grad_of([](auto& t) { return std::get<0>(fl::max(t, 1)); }, tie, {2, 3}), {0, 1, 0, 1, 0, 0});
  expect_list(grad_of([](auto& t) { return std::get<0>(fl::min(t, 1)); }, tie, {2, 3}), {1, 0, 0, 1, 0, 0});
  Tensor leaf = X().requires_grad_();  // through a transposed view
  std::get<0>(fl::max(leaf.t(), 0)).sum().backward();
  expect_values(leaf.grad(), {0, 1, 0, 0, 0, 1}, {2, 3});
  Tensor yr = y.clone().requires_grad_();
  EXPECT_EQ(fl::max(yr).grad_fn_name(), "MaxBackward1");
  EXPECT_EQ(fl::min(yr).grad_fn_name(), "MinBackward1");
  EXPECT_EQ(std::get<0>(fl::max(yr, 0)).grad_fn_name(), "MaxBackward0");
  EXPECT_EQ(std::get<1>(fl::max(yr, 0)).grad_fn_name(), "");
  EXPECT_EQ(std::get<0>(fl::min(yr, 0)).grad_fn_name(), "MinBackward0");
  EXPECT_EQ(fl::amax(yr).grad_fn_name(), "AmaxBackward0");
  EXPECT_EQ(fl::amin(yr).grad_fn_name(), "AminBackward0");

  expect_error([] { fl::max(zeros({0})); },
               "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with "
               "the 'dim' argument.");
  expect_error([] { fl::min(zeros({0})); },
               "min(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with "
               "the 'dim' argument.");
  EXPECT_THROW(fl::max(zeros({0, 3}), 0), IndexError);
  expect_error([] { fl::max(zeros({2, 0}), 1); }, "max(): Expected reduction dim 1 to have non-zero size.");
  auto [ev, ei] = fl::max(zeros({0, 3}), 1);
  EXPECT_EQ(ev.sizes(), (Shape{0}));
  EXPECT_EQ(ei.sizes(), (Shape{0}));
  expect_error([] { fl::amax(zeros({2, 0}), {1}); }, "amax(): Expected reduction dim 1 to have non-zero size.");
  EXPECT_THROW(fl::amin(zeros({2, 0}), {1}), IndexError);
  EXPECT_THROW(fl::amax(zeros({0})), Error);
  EXPECT_THROW(fl::max(X(), 2), IndexError);
}

TEST(Reduction, ArgmaxArgminAminmax) {
  Tensor y = T({1, 5, 5, 7, 7, 2}, {2, 3});
  Tensor a = fl::argmax(y);
  EXPECT_EQ(a.dtype(), kInt64);
  expect_values(a, {3}, {});
  expect_values(fl::argmax(y, std::nullopt, true), {3}, {1, 1});
  expect_values(fl::argmin(y.t(), 0), {0, 2});
  expect_values(fl::argmax(y, 1, true), {1, 0}, {2, 1});
  expect_values(fl::argmax(tensor(2.0), 0), {0}, {});
  expect_values(fl::argmax(tensor(2.0), std::nullopt, true), {0}, {});
  expect_values(fl::argmax(T({1, nan, 3, nan}, {4})), {1});
  expect_values(fl::argmin(T({1, nan, 3, nan}, {4})), {1});
  expect_values(fl::argmax(tensor({1, 9, 9}, kInt32)), {1});
  expect_values(fl::argmax(zeros({0, 3}), 1), {}, {0});
  expect_error([] { fl::argmax(zeros({0})); }, "argmax(): Expected reduction dim to be specified for input.numel() == 0.");
  EXPECT_THROW(fl::argmax(zeros({0})), IndexError);
  EXPECT_THROW(fl::argmin(zeros({0, 3}), 0), IndexError);
  expect_error([] { fl::argmax(tensor({true})); }, "argmax(): does not support bool input");

  auto [lo, hi] = fl::aminmax(y, 0);
  expect_values(lo, {1, 5, 2}, {3});
  expect_values(hi, {7, 7, 5}, {3});
  auto [an, ax] = fl::aminmax(tensor({1, 2}), std::nullopt, true);
  expect_values(an, {1}, {1});
  expect_values(ax, {2}, {1});
  EXPECT_EQ(an.dtype(), kInt64);
  // Gradient splits evenly among ties for both outputs (torch: [[.5,.5,.5],[.5,0,0]]).
  expect_list(grad_of([](auto& t) { auto [lo, hi] = fl::aminmax(t); return lo + hi; }, {1, 3, 3, 1, 2, 2}, {2, 3}),
              {0.5, 0.5, 0.5, 0.5, 0, 0});
  EXPECT_EQ(std::get<0>(fl::aminmax(y.clone().requires_grad_())).grad_fn_name(), "AminmaxBackward0");
  expect_error([] { fl::aminmax(zeros({0})); },
               "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.");
  expect_error([] { fl::aminmax(zeros({0, 3}), 0); }, "aminmax: Expected reduction dim 0 to have non-zero size.");
  EXPECT_EQ(std::get<0>(fl::aminmax(zeros({0, 3}), 1)).sizes(), (Shape{0}));
}

TEST(Reduction, VarStd) {
  Tensor x = X();
  expect_values(fl::var(x), {3.5}, {});
  expect_values(fl::var(x, {1}), {4, 4});
  expect_values(fl::var(x, {0}, 0), {2.25, 2.25, 2.25});
  expect_values(fl::std(x, {0, 1}, 1, true), {1.8708286933869707}, {1, 1});
  expect_values(fl::std(x, {1}, 2), {2.8284271247461903, 2.8284271247461903});
  expect_values(fl::var(x.t(), {0}), {4, 4});
  expect_values(fl::var(tensor({1.0, 2.0, 3.0}), {}, 0.5), {0.8});
  expect_values(fl::var(tensor({1.0, 2.0}), {}, -1), {1.0 / 6});
  // correction >= N divides by zero: inf, or nan for a zero numerator (torch).
  expect_values(fl::var(tensor({1.0, 2.0}), {}, 2), {inf});
  expect_values(fl::var(tensor({1.0, 2.0}), {}, 3), {inf});
  expect_values(fl::var(tensor({1.0, 1.0}), {}, 2), {nan});
  expect_values(fl::std(tensor({1.0})), {nan});
  expect_values(fl::var(zeros({0})), {nan});
  expect_values(fl::var(zeros({2, 0}), {1}), {nan, nan});
  expect_values(fl::var(tensor(3.0), {0}, 0), {0}, {});
  Tensor h = fl::var(tensor({1.0, 2.0, 4.0}, kFloat16));
  EXPECT_EQ(h.dtype(), kFloat16);
  expect_values(h, {2.333984375}, 1e-3);
  auto [v, m] = fl::var_mean(x, {1});
  expect_values(v, {4, 4});
  expect_values(m, {3, 4});
  auto [s, sm] = fl::std_mean(x, {0}, 0);
  expect_values(s, {1.5, 1.5, 1.5});
  expect_values(sm, {2.5, 3.5, 4.5});
  auto [sk, smk] = fl::std_mean(x, {1}, 1, true);
  EXPECT_EQ(sk.sizes(), (Shape{2, 1}));
  EXPECT_EQ(smk.sizes(), (Shape{2, 1}));
  // std's gradient at zero spread is 0, not nan (torch).
  expect_list(grad_of([](auto& t) { return fl::std(t); }, {2, 2}), {0, 0});
  expect_list(grad_of([](auto& t) { return fl::var(t); }, {1, 1}), {0, 0});
  Tensor xr = x.clone().requires_grad_();
  EXPECT_EQ(fl::var(xr).grad_fn_name(), "VarBackward0");
  EXPECT_EQ(fl::std(xr, {1}).grad_fn_name(), "StdBackward0");
  EXPECT_EQ(std::get<0>(fl::var_mean(xr)).grad_fn_name(), "VarMeanBackward0");
  EXPECT_EQ(std::get<1>(fl::var_mean(xr)).grad_fn_name(), "VarMeanBackward0");
  EXPECT_EQ(std::get<0>(fl::std_mean(xr)).grad_fn_name(), "StdMeanBackward0");
  expect_error([] { fl::var(tensor({1, 2})); }, "std and var only support floating point and complex dtypes");
  expect_error([] { fl::var(X(), {0, 0}); }, "dim 0 appears multiple times in the list of dims");
  // Second derivative (create_graph): the Hessian of var is 2 / (n - 1) * (I - 1/n), through the mean.
  Tensor xs = tensor({1.0, 2.0, 4.0}, kFloat64).requires_grad_();
  Tensor g = fl::autograd::grad({fl::var(xs)}, {xs}, {}, std::nullopt, true)[0];
  expect_values(g, {-4.0 / 3, -1.0 / 3, 5.0 / 3}, 1e-12);
  (g * tensor({1.0, 0.0, 0.0}, kFloat64)).sum().backward();
  expect_values(xs.grad(), {2.0 / 3, -1.0 / 3, -1.0 / 3}, 1e-12);
}

TEST(Reduction, Norm) {
  Tensor x = X();
  const std::vector<std::pair<double, double>> cases = {
      {2, 9.539392014169456}, {1, 21}, {inf, 6}, {-inf, 1}, {0, 6}, {0.5, 117.32836979428498},
      {3, 7.611662611020244}, {-1, 0.4081632653061225}};
  for (auto [p, want] : cases) {
    SCOPED_TRACE(p);
    expect_values(fl::norm(x, p), {want}, {}, 1e-12);
    expect_values(fl::norm(x.t(), p), {want}, {}, 1e-12);
  }
  expect_values(fl::norm(x, 2, {1}), {5.916079783099616, 7.483314773547883});
  expect_values(fl::norm(x, 3, {0}, true), {4.020725758589058, 5.104468722001463, 6.240251469155711}, {1, 3});
  expect_values(fl::norm(tensor({0.0, 0.0}), 0.5), {0});
  expect_values(fl::norm(tensor({0.0, -3.0, 4.0}), -1), {0});
  expect_values(fl::norm(tensor({0.0, -3.0, 4.0}), -inf), {0});
  expect_values(fl::norm(zeros({0}), 0), {0});
  expect_values(fl::norm(zeros({2, 0}), 2, {1}), {0, 0});
  expect_values(fl::norm(tensor(-3.0)), {3}, {});
  Tensor h = fl::norm(tensor({300.0, 400.0}, kFloat16));  // accumulates in float32: no overflow
  EXPECT_EQ(h.dtype(), kFloat16);
  expect_values(h, {500});
  EXPECT_EQ(x.norm(1).item<double>(), 21);
  // Gradients at zero follow torch: 0, never nan.
  expect_list(grad_of([](auto& t) { return fl::norm(t); }, {0, 0}), {0, 0});
  expect_list(grad_of([](auto& t) { return fl::norm(t, 3); }, {0, 0}), {0, 0});
  expect_list(grad_of([](auto& t) { return fl::norm(t, 1); }, {0, 3, -4}), {0, 1, -1});
  expect_list(grad_of([](auto& t) { return fl::norm(t, 0.5); }, {0, 3, -4}), {0, 2.154700538379252, -1.8660254037844386});
  expect_list(grad_of([](auto& t) { return fl::norm(t, -1); }, {0, 3, -4}), {0, 0, 0});
  expect_list(grad_of([](auto& t) { return fl::norm(t, inf); }, {3, -3, 1}), {0.5, -0.5, 0});
  expect_list(grad_of([](auto& t) { return fl::norm(t, 0); }, {3, -3, 1}), {0, 0, 0});
  EXPECT_EQ(fl::norm(x.clone().requires_grad_()).grad_fn_name(), "LinalgVectorNormBackward0");
  expect_error([] { fl::norm(tensor({1, 2})); },
               "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long");
  expect_error([] { fl::norm(zeros({0}), inf); },
               "linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation does not have "
               "an identity");
  expect_error([] { fl::norm(zeros({0}), -1); },
               "linalg.vector_norm cannot compute the -1 norm on an empty tensor because the operation does not have "
               "an identity");
  EXPECT_EQ(fl::norm(zeros({0, 3}), inf, {1}).sizes(), (Shape{0}));
}

TEST(Reduction, Logsumexp) {
  Tensor x = X();
  expect_values(fl::logsumexp(x, {1}), {5.1429316284999, 6.142931628499899});
  expect_values(fl::logsumexp(x.t(), {0}, true), {5.1429316284999, 6.142931628499899}, {1, 2});
  expect_values(fl::logsumexp(T({1000, 1000, -inf, 0, -inf, -inf}, {3, 2}), {1}), {1000.6931471805599, 0, -inf});
  expect_values(fl::logsumexp(tensor({inf, 1.0}), {0}), {inf});
  Tensor i = fl::logsumexp(tensor({1, 2, 3, 4}).view({2, 2}), {0});
  EXPECT_EQ(i.dtype(), kFloat32);
  expect_values(i, {3.1269280910491943, 4.126927852630615}, 1e-6);
  expect_values(fl::logsumexp(tensor(3.0), {0}), {3}, {});
  expect_values(fl::logsumexp(zeros({0}), {0}), {-inf});
  expect_values(fl::logsumexp(zeros({2, 0}), {1}), {-inf, -inf});
  expect_list(grad_of([](auto& t) { return fl::logsumexp(t, {0}); }, {1, 2, -inf}),
              {0.26894142136999505, 0.7310585786300048, 0});
  EXPECT_EQ(fl::logsumexp(x.clone().requires_grad_(), {0}).grad_fn_name(), "LogsumexpBackward0");
}

TEST(Reduction, AllAnyCountNonzero) {
  Tensor b = tensor({1.0, 0.0, 2.0, 3.0}).view({2, 2});
  Tensor a = fl::all(b);
  EXPECT_EQ(a.dtype(), kBool);
  EXPECT_FALSE(a.item<bool>());
  EXPECT_TRUE(fl::any(b).item<bool>());
  expect_values(fl::all(b, 1), {0, 1}, {2});
  expect_values(fl::any(b.t(), 0, true), {1, 1}, {1, 2});
  expect_values(fl::all(tensor({nan})), {1});
  Tensor u = fl::all(tensor({1, 2}, kUInt8));
  EXPECT_EQ(u.dtype(), kUInt8);
  EXPECT_EQ(u.item<int64_t>(), 1);
  EXPECT_EQ(fl::any(tensor({0, 2}, kUInt8), 0, true).dtype(), kUInt8);
  expect_values(fl::all(zeros({2, 0}), 1), {1, 1});
  expect_values(fl::any(zeros({2, 0}), 1), {0, 0});
  expect_values(fl::all(tensor(3)), {1}, {});
  Tensor c = fl::count_nonzero(tensor({1, 0, 2, 3}).view({2, 2}), {0});
  EXPECT_EQ(c.dtype(), kInt64);
  expect_values(c, {2, 1});
  expect_values(fl::count_nonzero(b), {3}, {});
  expect_values(fl::count_nonzero(tensor(3.0), {0}), {1}, {});
  expect_values(fl::count_nonzero(zeros({2, 0}), {1}), {0, 0});
  expect_error([] { fl::count_nonzero(zeros({2, 2}), {0, 0}); }, "dim 0 appears multiple times in the list of dims");
  EXPECT_THROW(fl::all(b, 2), IndexError);
  EXPECT_TRUE(b.all().item<bool>() == false && b.any().item<bool>());
}

TEST(Reduction, ErrorsAndMethods) {
  expect_error([] { fl::mean(tensor({1, 2})); },
               "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
               "Got: Long");
  expect_error([] { fl::mean(tensor({true})); },
               "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
               "Got: Bool");
  expect_error([] { fl::mean(tensor({1.0}), {}, false, kInt64); },
               "mean(): could not infer output dtype. Optional dtype must be either a floating point or complex "
               "dtype. Got: Long");
  expect_error([] { fl::nanmean(tensor({1, 2})); },
               "nanmean(): expected input to have floating point or complex dtype but got Long");
  expect_error([] { fl::sum(tensor({1.0, 2.0}), {1}); },
               "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
  EXPECT_THROW(fl::sum(tensor({1.0, 2.0}), {1}), IndexError);
  expect_error([] { fl::sum(tensor({1.0, 2.0}), {0, 0}); }, "dim 0 appears multiple times in the list of dims");
  expect_error([] { fl::sum(tensor(3.0), {0, -1}); }, "dim 0 appears multiple times in the list of dims");

  Tensor x = X();
  EXPECT_EQ(x.sum().item<double>(), 21);
  expect_values(x.sum({1}, true), {9, 12}, {2, 1});
  expect_values(x.mean({0}), {2.5, 3.5, 4.5});
  EXPECT_EQ(x.prod().item<double>(), 720);
  EXPECT_EQ(x.max().item<double>(), 6);
  EXPECT_EQ(x.min().item<double>(), 1);
  expect_values(x.amax({0}), {4, 5, 6});
  expect_values(x.amin({1}, true), {1, 2}, {2, 1});
  EXPECT_EQ(x.argmax().item<int64_t>(), 5);
  expect_values(x.argmin(1), {0, 1});
  EXPECT_EQ(x.var().item<double>(), 3.5);
  expect_values(x.std({1}, 0), {1.632993161855452, 1.632993161855452});
  EXPECT_NEAR(x.norm().item<double>(), 9.539392014169456, 1e-12);
  expect_values(x.logsumexp({1}), {5.1429316284999, 6.142931628499899});
  EXPECT_TRUE(x.all().item<bool>());
  EXPECT_TRUE(x.any().item<bool>());
  expect_values(x.cumsum(0), {1, 5, 3, 5, 7, 9});
  expect_values(x.softmax(0).sum({0}), {1, 1, 1});
  expect_values(x.log_softmax(1).exp().sum({1}), {1, 1});
}

TEST(Reduction, SavedTensorsCheckedForInplace) {
  Tensor x = X().requires_grad_();
  Tensor y = x * 1.0;
  Tensor s = fl::softmax(y, 1);
  s.mul_(2.0);  // softmax saves its output
  EXPECT_THROW(s.sum().backward(), Error);
}

static ValueTested kValues({"sum", "mean", "nansum", "nanmean", "prod", "max", "min", "amax", "amin", "aminmax", "argmax",
                            "argmin", "var", "std", "var_mean", "std_mean", "norm", "logsumexp", "all", "any",
                            "count_nonzero", "median", "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp",
                            "softmax", "log_softmax", "sort", "argsort", "topk", "kthvalue"});

static GradCases kGrads({
    {"sum", [](auto& x) { return fl::sum(x[0], {1}) + fl::sum(x[0]); }, {{3, 4}}},
    {"mean", [](auto& x) { return fl::mean(x[0], {0}, true); }, {{3, 4}}},
    {"nansum", [](auto& x) { return fl::nansum(x[0], {1}); }, {{3, 4}}},
    {"nanmean", [](auto& x) { return fl::nanmean(x[0], {1}); }, {{3, 4}}},
    {"prod", [](auto& x) { return fl::prod(x[0], 1) + fl::prod(x[0].slice(0, 0, 1)); }, {{3, 4}}},
    {"max", [](auto& x) { return std::get<0>(fl::max(x[0], 1)) + fl::max(x[0]); }, {{3, 4}}},
    {"min", [](auto& x) { return std::get<0>(fl::min(x[0], 0, true)).sum() + fl::min(x[0]); }, {{3, 4}}},
    {"amax", [](auto& x) { return fl::amax(x[0], {0, 1}, true); }, {{3, 4}}},
    {"amin", [](auto& x) { return fl::amin(x[0], {1}); }, {{3, 4}}},
    {"aminmax", [](auto& x) { auto [a, b] = fl::aminmax(x[0], 1); return a * 2.0 + b; }, {{3, 4}}},
    {"var", [](auto& x) { return fl::var(x[0], {1}); }, {{3, 4}}},
    {"std", [](auto& x) { return fl::std(x[0], {0}, 0); }, {{3, 4}}},
    {"var_mean", [](auto& x) { auto [v, m] = fl::var_mean(x[0], {1}); return v + m * 3.0; }, {{3, 4}}},
    {"std_mean", [](auto& x) { auto [s, m] = fl::std_mean(x[0]); return s + m * 3.0; }, {{3, 4}}},
    {"norm", [](auto& x) { return fl::norm(x[0], 2, {1}) + fl::norm(x[0], 3) + fl::norm(x[0], 1.5, {0}).sum() +
                                  fl::norm(x[0], 1); }, {{3, 4}}},
    {"logsumexp", [](auto& x) { return fl::logsumexp(x[0], {1}); }, {{3, 4}}},
    {"median", [](auto& x) { return std::get<0>(fl::median(x[0], 1)) + fl::median(x[0]); }, {{3, 5}}},
    {"cumsum", [](auto& x) { return fl::cumsum(x[0], 1); }, {{3, 4}}},
    {"cumprod", [](auto& x) { return fl::cumprod(x[0], 0); }, {{3, 4}}},
    {"cummax", [](auto& x) { return std::get<0>(fl::cummax(x[0], 1)); }, {{3, 4}}},
    {"cummin", [](auto& x) { return std::get<0>(fl::cummin(x[0], 0)); }, {{3, 4}}},
    {"logcumsumexp", [](auto& x) { return fl::logcumsumexp(x[0], 1); }, {{3, 4}}},
    {"softmax", [](auto& x) { return fl::softmax(x[0], 1); }, {{3, 4}}},
    {"log_softmax", [](auto& x) { return fl::log_softmax(x[0], 0); }, {{3, 4}}},
    {"sort", [](auto& x) { return std::get<0>(fl::sort(x[0], 1, true)); }, {{3, 4}}},
    {"topk", [](auto& x) { return std::get<0>(fl::topk(x[0], 2, 1)); }, {{3, 4}}},
    {"kthvalue", [](auto& x) { return std::get<0>(fl::kthvalue(x[0], 2, 0)); }, {{3, 4}}},
});

}  // namespace
}  // namespace fl::test
