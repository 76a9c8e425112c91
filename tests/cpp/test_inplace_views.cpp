// Views and in-place ops, case by case: write through a view, then read every alias.
#include "test_util.h"

namespace fl::test {
namespace {

Tensor grid() { return arange(6, kFloat32).reshape({2, 3}); }  // [[0,1,2],[3,4,5]]

TEST(InplaceViews, SelectWriteReachesBaseAndOtherViews) {
  Tensor x = grid();
  Tensor row = x.select(0, 0);
  Tensor xt = x.t();
  int64_t v0 = x._version();
  row += 1;
  expect_values(x, {1, 2, 3, 3, 4, 5}, {2, 3});
  expect_values(xt, {1, 3, 2, 4, 3, 5}, {3, 2});
  expect_values(row, {1, 2, 3}, {3});
  EXPECT_EQ(x._version(), v0 + 1);
  EXPECT_EQ(row._version(), x._version());  // one counter per storage
}

TEST(InplaceViews, StepSliceTransposeAndNestedViews) {
  Tensor x = grid();
  x.slice(1, 0, std::nullopt, 2).mul_(10);  // columns 0 and 2
  expect_values(x, {0, 1, 20, 30, 4, 50});
  x.select(0, 1).select(0, 1).zero_();
  expect_values(x, {0, 1, 20, 30, 0, 50});
  x.t().add_(ones({3, 2}));
  expect_values(x, {1, 2, 21, 31, 1, 51});
  x.view({6}).narrow(0, 4, 2).fill_(-1);
  expect_values(x, {1, 2, 21, 31, -1, -1});
  x.unsqueeze(0).squeeze(0).select(1, 0).copy_(tensor({7.0, 8.0}));
  expect_values(x, {7, 2, 21, 8, -1, -1});
}

TEST(InplaceViews, DiagonalWrite) {
  Tensor m = zeros({3, 4});
  m.diagonal().fill_(7);
  expect_values(m, {7, 0, 0, 0, 0, 7, 0, 0, 0, 0, 7, 0});
  m.diagonal(1).copy_(tensor({1.0, 2.0, 3.0}));
  expect_values(m, {7, 1, 0, 0, 0, 7, 2, 0, 0, 0, 7, 3});
  Tensor b = zeros({2, 2, 2});
  b.diagonal(0, 1, 2).add_(tensor({1.0, 2.0}));  // batch of diagonals
  expect_values(b, {1, 0, 0, 2, 1, 0, 0, 2});
}

TEST(InplaceViews, ExpandedWriteIsAnError) {
  Tensor x = ones({3});
  Tensor e = x.expand({2, 3});
  EXPECT_THROW(e.add_(1), Error);
  try {
    e.zero_();
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("more than one element of the written-to tensor"), std::string::npos);
  }
}

TEST(InplaceViews, InplaceCastingRules) {
  Tensor i = tensor({1, 2, 3});
  EXPECT_THROW(i.add_(1.5), Error);  // result type Float can't be cast to Long
  try {
    i.mul_(tensor({0.5f}));
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "result type Float can't be cast to the desired output type Long");
  }
  Tensor f = tensor({1.0, 2.0});
  f.add_(tensor({1, 1}));  // int into float is fine
  expect_values(f, {2, 3});
  EXPECT_EQ(f.dtype(), kFloat32);
  Tensor s = zeros({2, 3});
  EXPECT_THROW(s.select(0, 0).add_(ones({2, 3})), Error);  // output shape [3] vs broadcast [2, 3]
  i.copy_(tensor({1.7, -2.2, 3.9}));                      // copy_ casts like PyTorch (truncation)
  expect_values(i, {1, -2, 3});
}

TEST(InplaceViews, DataAndDetachShareStorage) {
  Tensor w = ones({3}, TensorOptions().requires_grad());
  w.data().copy_(tensor({4.0, 5.0, 6.0}));
  expect_values(w, {4, 5, 6});
  EXPECT_TRUE(w.is_leaf());
  EXPECT_TRUE(w.requires_grad());
  Tensor d = w.detach();
  EXPECT_EQ(d.data_ptr(), w.data_ptr());
  EXPECT_FALSE(d.requires_grad());
  d.zero_();
  expect_values(w, {0, 0, 0});
}

TEST(InplaceViews, OptimizerStyleUpdateUnderNoGrad) {
  Tensor p = tensor({1.0, 2.0}).requires_grad_();
  Tensor loss = p * p;
  autograd::backward({loss}, {ones({2})});
  {
    NoGradGuard g;
    p.add_(p.grad(), -0.1);
  }
  expect_values(p, {0.8, 1.6});
  EXPECT_TRUE(p.is_leaf());
  EXPECT_TRUE(p.requires_grad());
  p.mutable_grad().zero_();
  expect_values(p.grad(), {0, 0});
}

TEST(InplaceViews, LeafInplaceErrors) {
  Tensor p = ones({3}, TensorOptions().requires_grad());
  EXPECT_THROW(p.add_(1), Error);
  try {
    p.mul_(2);
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "a leaf Variable that requires grad is being used in an in-place operation.");
  }
  try {
    p.select(0, 0).zero_();
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "a view of a leaf Variable that requires grad is being used in an in-place operation.");
  }
}

TEST(InplaceViews, LazyGraphStaysBounded) {
  Tensor x = zeros({4});
  for (int i = 0; i < 5000; ++i) x.add_(1);
  expect_values(x, {5000, 5000, 5000, 5000});
  Tensor y = ones({2});
  for (int i = 0; i < 5000; ++i) y = y * 1.0001;
  EXPECT_NEAR(y.tolist<double>()[0], std::pow(1.0001, 5000), 1e-2);
}

TEST(Metadata, StridesContiguityAndDataPtr) {
  Tensor x = zeros({2, 3, 4});
  EXPECT_EQ(x.strides(), (Shape{12, 4, 1}));
  EXPECT_TRUE(x.is_contiguous());
  Tensor t = x.transpose(0, 2);
  EXPECT_EQ(t.strides(), (Shape{1, 4, 12}));
  EXPECT_FALSE(t.is_contiguous());
  EXPECT_EQ(t.data_ptr(), x.data_ptr());
  Tensor s = x.select(1, 2);
  EXPECT_EQ(s.storage_offset(), 8);
  EXPECT_NE(s.data_ptr(), x.data_ptr());
  Tensor c = t.contiguous();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_NE(c.data_ptr(), x.data_ptr());
  EXPECT_EQ(x.contiguous().data_ptr(), x.data_ptr());
  EXPECT_THROW(t.view({24}), Error);
  EXPECT_EQ(t.reshape({24}).sizes(), (Shape{24}));
  Tensor e = ones({3, 1}).expand({3, 4});
  EXPECT_EQ(e.strides(), (Shape{1, 0}));
  EXPECT_THROW(x.view({5, -1}), Error);
  EXPECT_THROW(x.select(3, 0), IndexError);
  EXPECT_THROW(x.select(0, 2), IndexError);
}

TEST(TypePromotion, PyTorchRules) {
  Tensor i64 = tensor({1, 2});
  Tensor i32 = tensor({1, 2}, kInt32);
  Tensor u8 = tensor({1, 2}, kUInt8);
  Tensor i8 = tensor({1, 2}, kInt8);
  Tensor f16 = tensor({1.0, 2.0}, kFloat16);
  Tensor bf16 = tensor({1.0, 2.0}, kBFloat16);
  Tensor f64 = tensor({1.0, 2.0}, kFloat64);
  Tensor b = tensor({true, false});
  EXPECT_EQ((i64 * 2.5).dtype(), kFloat32);
  EXPECT_EQ((i32 + 5).dtype(), kInt32);
  EXPECT_EQ((i32 + i64).dtype(), kInt64);
  EXPECT_EQ((u8 + i8).dtype(), kInt16);
  EXPECT_EQ((f16 + bf16).dtype(), kFloat32);
  EXPECT_EQ((f16 * 2.5).dtype(), kFloat16);
  EXPECT_EQ((f16 + tensor(2.0, kFloat64)).dtype(), kFloat16);  // 0-d tensors do not raise a category
  EXPECT_EQ((i32 + tensor(2.0, kFloat64)).dtype(), kFloat64);  // ...unless they bring a higher one
  EXPECT_EQ((b + b).dtype(), kBool);
  EXPECT_EQ((b + 1).dtype(), kInt64);
  EXPECT_EQ((b * 1.5).dtype(), kFloat32);
  EXPECT_EQ((i64 / i64).dtype(), kFloat32);
  EXPECT_EQ((f64 + i64).dtype(), kFloat64);
  EXPECT_EQ((i64 < 1.5).dtype(), kBool);
  expect_values(i64 < 1.5, {1, 0});
  EXPECT_EQ(promote_types(kUInt8, kInt32), kInt32);
  EXPECT_EQ(promote_types(kBool, kFloat16), kFloat16);
  EXPECT_FALSE(can_cast(kFloat32, kInt64));
  EXPECT_FALSE(can_cast(kInt64, kBool));
  EXPECT_TRUE(can_cast(kInt64, kFloat16));
}

static ValueTested kValues({"copy_", "fill_", "zero_", "add_", "sub_", "mul_", "div_", "pow_", "clamp_", "neg_",
                            "exp_", "sqrt_", "relu_", "sigmoid_", "tanh_", "addcmul_", "addcdiv_", "lerp_",
                            "masked_fill_", "uniform_", "normal_"});

TEST(InplaceViews, EachInplaceMethodValue) {
  Tensor x = tensor({1.0, 4.0}, kFloat64);
  auto fresh = [&] { return x.clone(); };
  expect_values(fresh().sub_(tensor({1.0, 1.0}, kFloat64), 2), {-1, 2});
  expect_values(fresh().sub_(1), {0, 3});
  expect_values(fresh().div_(tensor({2.0, 8.0}, kFloat64)), {0.5, 0.5});
  expect_values(fresh().div_(2), {0.5, 2});
  expect_values(fresh().pow_(2), {1, 16});
  expect_values(fresh().clamp_(2, 3), {2, 3});
  expect_values(fresh().neg_(), {-1, -4});
  expect_values(fresh().exp_(), {std::exp(1.0), std::exp(4.0)}, 1e-12);
  expect_values(fresh().sqrt_(), {1, 2});
  expect_values(tensor({-1.0, 2.0}).relu_(), {0, 2});
  expect_values(fresh().sigmoid_(), {1 / (1 + std::exp(-1.0)), 1 / (1 + std::exp(-4.0))}, 1e-12);
  expect_values(fresh().tanh_(), {std::tanh(1.0), std::tanh(4.0)}, 1e-12);
  Tensor two = full({2}, 2.0, kFloat64);
  expect_values(fresh().addcmul_(two, two, 0.5), {3, 6});
  expect_values(fresh().addcdiv_(two, two, 3), {4, 7});
  expect_values(fresh().lerp_(tensor({3.0, 0.0}, kFloat64), 0.5), {2, 2});
  expect_values(fresh().masked_fill_(tensor({true, false}), 9), {9, 4});
  Tensor u = zeros({1000}, kFloat64);
  u.uniform_(2, 3);
  auto uv = u.tolist<double>();
  for (double v : uv) ASSERT_TRUE(v >= 2 && v < 3);
  Tensor n = zeros({2000}, kFloat64);
  n.normal_(5, 0.1);
  double mean = 0;
  for (double v : n.tolist<double>()) mean += v / 2000;
  EXPECT_NEAR(mean, 5, 0.02);
}

std::vector<GradCase> inplace_grads() {
  // Each in-place op on a non-leaf clone: gradients flow through the rewritten history.
  return {
      {"copy_", [](auto& x) { Tensor y = x[0].clone(); y.select(0, 1).copy_(x[1]); return y; }, {{3, 2}, {2}}},
      {"add_", [](auto& x) { Tensor y = x[0] * 1.0; y.add_(x[1], 2.0); return y; }, {{3}, {3}}},
      {"sub_", [](auto& x) { Tensor y = x[0] * 1.0; y.sub_(x[1]); return y; }, {{3}, {3}}},
      {"mul_", [](auto& x) { Tensor y = x[0] * 1.0; y.mul_(x[1]); return y; }, {{3}, {3}}},
      {"div_", [](auto& x) { Tensor y = x[0] * 1.0; y.div_(x[1]); return y; }, {{3}, {3}}, 0.5, 2.0},
      {"pow_", [](auto& x) { Tensor y = x[0] * 1.0; y.pow_(3); return y; }, {{3}}},
      {"clamp_", [](auto& x) { Tensor y = x[0] * 1.0; y.clamp_(-1.0, 1.0); return y; }, {{4}}, -0.9, 0.9},
      {"neg_", [](auto& x) { Tensor y = x[0] * 1.0; y.neg_(); return y; }, {{3}}},
      {"exp_", [](auto& x) { Tensor y = x[0] * 1.0; y.exp_(); return y; }, {{3}}},
      {"sqrt_", [](auto& x) { Tensor y = x[0] * 1.0; y.sqrt_(); return y; }, {{3}}, 0.5, 2.0},
      {"relu_", [](auto& x) { Tensor y = x[0] * 1.0; y.relu_(); return y; }, {{3}}, 0.1, 2.0},
      {"sigmoid_", [](auto& x) { Tensor y = x[0] * 1.0; y.sigmoid_(); return y; }, {{3}}},
      {"tanh_", [](auto& x) { Tensor y = x[0] * 1.0; y.tanh_(); return y; }, {{3}}},
      {"addcmul_", [](auto& x) { Tensor y = x[0] * 1.0; y.addcmul_(x[1], x[2], 0.5); return y; }, {{3}, {3}, {3}}},
      {"addcdiv_", [](auto& x) { Tensor y = x[0] * 1.0; y.addcdiv_(x[1], x[2], 0.5); return y; }, {{3}, {3}, {3}}, 0.5, 2.0},
      {"lerp_", [](auto& x) { Tensor y = x[0] * 1.0; y.lerp_(x[1], 0.3); return y; }, {{3}, {3}}},
      {"masked_fill_", [](auto& x) { Tensor y = x[0] * 1.0; y.masked_fill_(tensor({true, false, true}), 0.5); return y; }, {{3}}},
      // Writes through views of a non-leaf: CopySlices on the base.
      {"mul_", [](auto& x) { Tensor y = x[0] * 1.0; y.select(0, 1).mul_(x[1]); return y; }, {{3, 2}, {2}}},
      {"add_", [](auto& x) { Tensor y = x[0] * 1.0; y.t().slice(0, 0, std::nullopt, 2).add_(x[1]); return y; }, {{3, 4}, {2, 3}}},
  };
}
static GradCases kGrads(inplace_grads());

}  // namespace
}  // namespace fl::test
