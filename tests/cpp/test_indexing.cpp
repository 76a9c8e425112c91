// Gather/scatter family, index_* ops, masked_fill, take, one_hot, bincount, unique and searchsorted against
// PyTorch (expected values computed with torch 2.13 and pasted as literals), with torch's error messages.
#include "test_util.h"

namespace fl::test {
namespace {

Tensor grid() { return arange(12, kFloat32).reshape({3, 4}); }  // [[0..3],[4..7],[8..11]]
Tensor i64(std::vector<int64_t> v, std::optional<Shape> s = std::nullopt) { return tensor<int64_t>(v, s); }
Tensor f32(std::vector<float> v, std::optional<Shape> s = std::nullopt) { return tensor<float>(v, s); }

TEST(Gather, ValuesShapesAndErrors) {
  Tensor x = grid();
  expect_values(gather(x, 1, i64({0, 1, 2, 3}, Shape{2, 2})), {0, 1, 6, 7}, {2, 2});
  expect_values(x.gather(0, i64({2, 1, 0, 0}, Shape{1, 4})), {8, 5, 2, 3}, {1, 4});
  expect_values(gather(x.t(), 1, i64({0, 2, 1, 1}, Shape{2, 2})), {0, 8, 5, 5}, {2, 2});
  Tensor gi = gather(arange(6).reshape({2, 3}), 1, tensor<int>({2, 0}, Shape{2, 1}, kInt32));
  expect_values(gi, {2, 3}, {2, 1});
  EXPECT_EQ(gi.dtype(), kInt64);
  expect_values(gather(tensor(5.0), 0, tensor(Scalar(int64_t{0}))), {5}, {});
  expect_values(gather(tensor(5.0), 0, i64({0})), {5}, {1});
  EXPECT_EQ(gather(x, 1, zeros({0, 2}, kInt64)).sizes(), (Shape{0, 2}));
  EXPECT_EQ(gather(x.to(kFloat64), -1, i64({3}, Shape{1, 1})).dtype(), kFloat64);
  EXPECT_EQ(error_of([&] {
              gather(x, 1, i64({0, 1}));
            }),
            "Index tensor must have the same number of dimensions as input tensor");
  EXPECT_EQ(error_of([&] {
              gather(x, 1, i64({0, 4}, Shape{1, 2}));
            }),
            "index 4 is out of bounds for dimension 1 with size 4");
  EXPECT_EQ(error_of([&] {
              gather(x, 1, i64({0, -1}, Shape{1, 2}));
            }),
            "index -1 is out of bounds for dimension 1 with size 4");
  EXPECT_EQ(error_of([&] {
              gather(x, 0, i64({0, 1, 2, 0, 1}, Shape{1, 5}));
            }),
            "Size does not match at dimension 1 expected index [1, 5] to be no larger than self [3, 4] apart from "
            "dimension 0");
  EXPECT_EQ(error_of([&] {
              gather(x, 1, tensor({0.0, 1.0}).reshape({1, 2}));
            }),
            "gather(): Expected dtype int32/int64 for index");
  EXPECT_THROW(gather(x, 2, i64({0}, Shape{1, 1})), IndexError);
}

TEST(Scatter, ReplaceAddValueAndReduce) {
  Tensor z = zeros({3, 4});
  Tensor src = f32({1, 2, 3, 4, 5, 6}, Shape{2, 3});  // larger than the index: only [:2, :2] is read
  expect_values(scatter(z, 1, i64({3, 1, 0, 2}, Shape{2, 2}), src), {0, 2, 0, 1, 4, 0, 5, 0, 0, 0, 0, 0}, {3, 4});
  expect_values(z.scatter(0, i64({2, 0, 1, 2}, Shape{1, 4}), f32({1, 2, 3, 4}, Shape{1, 4})),
                {0, 2, 0, 0, 0, 0, 3, 0, 1, 0, 0, 4});
  Tensor sv = scatter(zeros({3, 4}, kInt64), 1, i64({3, 1, 0, 2}, Shape{2, 2}), 7.9);
  expect_values(sv, {0, 7, 0, 7, 7, 0, 7, 0, 0, 0, 0, 0});
  EXPECT_EQ(sv.dtype(), kInt64);
  expect_values(scatter_add(z, 1, i64({0, 0, 2, 3}, Shape{2, 2}), f32({1, 2, 3, 4}, Shape{2, 2})),
                {3, 0, 0, 0, 0, 0, 3, 4, 0, 0, 0, 0});
  expect_values(z.scatter_add(0, i64({0, 1, 2, 0, 0, 1, 2, 0}, Shape{2, 4}), ones({2, 4})),
                {2, 0, 0, 2, 0, 2, 0, 0, 0, 0, 2, 0});
  expect_values(scatter(z + 2, 1, i64({0, 1, 0, 3}, Shape{2, 2}), ones({2, 2}) * 3, std::string("multiply")),
                {6, 6, 2, 2, 6, 2, 2, 6, 2, 2, 2, 2});
  expect_values(scatter(z + 2, 1, i64({0, 1, 0, 0}, Shape{2, 2}), ones({2, 2}) * 3, std::string("add")),
                {5, 5, 2, 2, 8, 2, 2, 2, 2, 2, 2, 2});
  expect_values(scatter(tensor(1.0), 0, tensor(Scalar(int64_t{0})), tensor(5.0)), {5}, {});
  expect_values(scatter(z.t(), 0, i64({1, 2}, Shape{2, 1}), ones({2, 1})), {0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0},
                {4, 3});
  EXPECT_EQ(error_of([&] {
              scatter(z, 1, i64({0, 1}, Shape{1, 2}), ones({1, 2}, kFloat64));
            }),
            "scatter(): Expected self.dtype to be equal to src.dtype");
  EXPECT_EQ(error_of([&] {
              scatter(z, 1, i64({0, 1, 2, 3}, Shape{2, 2}), ones({1, 2}));
            }),
            "Expected index [2, 2] to be no larger than self [3, 4] apart from dimension 1 and to be no larger size "
            "than src [1, 2]");
  EXPECT_EQ(error_of([&] {
              scatter(z, 1, i64({0, 9}, Shape{1, 2}), ones({1, 2}));
            }),
            "index 9 is out of bounds for dimension 1 with size 4");
  EXPECT_EQ(error_of([&] {
              scatter(z, 1, i64({0, 1}), ones({2}));
            }),
            "Index tensor must have the same number of dimensions as self tensor");
  EXPECT_EQ(error_of([&] {
              scatter(z, 1, tensor({0.0}).reshape({1, 1}), ones({1, 1}));
            }),
            "scatter(): Expected dtype int32/int64 for index");
  EXPECT_EQ(error_of([&] {
              scatter(z, 1, i64({0}, Shape{1, 1}), ones({1, 1}), std::string("max"));
            }),
            "reduce argument must be either add or multiply.");
}

TEST(Scatter, ScatterReduceAllReductions) {
  Tensor self = f32({1, 2, 3, 4, 5, 6, 7, 8}, Shape{2, 4});
  Tensor idx = i64({0, 0, 1, 2, 2, 2}, Shape{2, 3});
  Tensor src = f32({10, 20, 30, 1, 2, 3}, Shape{2, 3});
  struct Case {
    const char* reduce;
    bool include_self;
    std::vector<double> expected;
  };
  std::vector<Case> cases = {
      {"sum", true, {31, 32, 3, 4, 5, 6, 13, 8}},
      {"sum", false, {30, 30, 3, 4, 5, 6, 6, 8}},
      {"prod", true, {200, 60, 3, 4, 5, 6, 42, 8}},
      {"prod", false, {200, 30, 3, 4, 5, 6, 6, 8}},
      {"mean", true, {31.0 / 3, 16, 3, 4, 5, 6, 3.25, 8}},
      {"mean", false, {15, 30, 3, 4, 5, 6, 2, 8}},
      {"amax", true, {20, 30, 3, 4, 5, 6, 7, 8}},
      {"amax", false, {20, 30, 3, 4, 5, 6, 3, 8}},
      {"amin", true, {1, 2, 3, 4, 5, 6, 1, 8}},
      {"amin", false, {10, 30, 3, 4, 5, 6, 1, 8}},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(std::string(c.reduce) + (c.include_self ? " include_self" : ""));
    expect_values(scatter_reduce(self, 1, idx, src, c.reduce, c.include_self), c.expected, {2, 4});
  }
  // Integer mean floors, as PyTorch.
  expect_values(scatter_reduce(self.to(kInt64), 1, idx, src.to(kInt64), "mean"), {10, 16, 3, 4, 5, 6, 3, 8});
  expect_values(scatter_reduce(i64({-7, 3}), 0, i64({0, 0}), i64({2, 0}), "mean", false), {1, 3});
  expect_values(scatter_reduce(i64({-7, 3}), 0, i64({0}), i64({2}), "mean"), {-3, 3});
  expect_values(scatter_reduce(i64({1, 3}), 0, i64({0, 0}), i64({2, 5}), "amin", false), {2, 3});
  EXPECT_EQ(error_of([&] { scatter_reduce(self, 1, idx, src, "foo"); }),
            "reduce argument must be either sum, prod, mean, amax or amin, got foo");
}

TEST(Scatter, ScatterReduceGradientsMatchTorch) {
  // Ties share the gradient evenly; zeros in prod use the exclusive product (values from torch).
  struct Case {
    const char* reduce;
    bool include_self;
    std::vector<double> out, gself, gsrc;
  };
  std::vector<Case> cases = {
      {"amax", true, {1, 5, 3, 4, 2, 2}, {1, 2.0 / 3, 3, 0, 2.5, 6}, {2.0 / 3, 0, 2.0 / 3, 2.5, 0, 4}},
      {"amax", false, {0, 5, 3, 4, 2, 2}, {0, 0, 3, 0, 0, 6}, {2.0 / 3, 1, 2.0 / 3, 2.5, 0, 4}},
      {"prod", true, {0, 125, 3, 0, 0, 2}, {0, 50, 3, 16, 0, 6}, {50, 1, 50, 0, 20, 0}},
      {"prod", false, {0, 25, 3, 4, 0, 2}, {0, 0, 3, 0, 0, 6}, {10, 1, 10, 0, 10, 4}},
  };
  for (auto& c : cases) {
    SCOPED_TRACE(std::string(c.reduce) + (c.include_self ? " include_self" : ""));
    Tensor self = tensor<double>({1, 5, 3, 0, 2, 2}, Shape{2, 3}).requires_grad_();
    Tensor src = tensor<double>({5, 0, 5, 2, 0, 4}, Shape{2, 3}).requires_grad_();
    Tensor r = scatter_reduce(self, 1, i64({1, 0, 1, 1, 1, 0}, Shape{2, 3}), src, c.reduce, c.include_self);
    EXPECT_EQ(r.grad_fn_name(), "ScatterReduceBackward0");
    expect_values(r, c.out);
    r.backward(arange(1, 7, 1, kFloat64).reshape({2, 3}));
    expect_values(self.grad(), c.gself);
    expect_values(src.grad(), c.gsrc);
  }
}

TEST(IndexOps, SelectAddCopyFill) {
  Tensor x = grid();
  expect_values(index_select(x, 1, i64({3, 0, 3})), {3, 0, 3, 7, 4, 7, 11, 8, 11}, {3, 3});
  expect_values(x.index_select(0, tensor<int>({2}, std::nullopt, kInt32)), {8, 9, 10, 11}, {1, 4});
  expect_values(index_select(x.t(), 0, i64({1, 3})), {1, 5, 9, 3, 7, 11}, {2, 3});
  expect_values(index_select(x, 1, tensor(Scalar(int64_t{2}))), {2, 6, 10}, {3, 1});
  expect_values(index_select(tensor(5.0), 0, i64({0})), {5}, {});
  EXPECT_EQ(index_select(x, 0, i64({})).sizes(), (Shape{0, 4}));
  EXPECT_EQ(error_of([&] { index_select(x, 0, i64({0, -1})); }), "index out of range in self");
  EXPECT_THROW(index_select(x, 0, i64({3})), IndexError);
  EXPECT_EQ(error_of([&] {
              index_select(x, 1, i64({0}, Shape{1, 1}));
            }),
            "index_select(): Index is supposed to be a vector");
  EXPECT_EQ(error_of([&] { index_select(x, 1, tensor({0.0})); }),
            "index_select(): Expected dtype int32 or int64 for index");
  EXPECT_EQ(error_of([&] {
              index_select(tensor(5.0), 0, i64({0, 0}));
            }),
            "index_select(): Index to scalar can have only 1 value, got 2 value(s)");

  Tensor s = f32({1, 2, 3, 4, 5, 6}, Shape{3, 2});
  expect_values(index_add(x, 1, i64({0, 0}), s, 2), {6, 1, 2, 3, 18, 5, 6, 7, 30, 9, 10, 11}, {3, 4});
  expect_values(index_add(arange(12).reshape({3, 4}), 0, i64({2, 2}), ones({2, 4}, kInt64)),
                {0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13});
  expect_values(index_add(tensor(1.0), 0, i64({0}), tensor(2.0)), {3}, {});
  EXPECT_EQ(error_of([&] { index_add(x, 1, i64({0, 4}), s); }), "index 4 is out of bounds for dimension 1 with size 4");
  EXPECT_EQ(error_of([&] {
              index_add(x, 1, i64({0, 1, 2}), s);
            }),
            "index_add_(): Number of indices (3) should be equal to source.size(dim): (2), for dim: 1");
  EXPECT_EQ(error_of([&] {
              index_add(x, 1, i64({0, 1}), s.to(kFloat64));
            }),
            "index_add_(): self (Float) and source (Double) must have the same scalar type");
  EXPECT_EQ(error_of([&] {
              index_add(x, 1, i64({0, 1}), ones({2, 2}));
            }),
            "source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = "
            "[3, 4] source.shape = [2, 2]");
  EXPECT_THROW(index_add(x, 1, i64({0, 1}, Shape{1, 2}), s), IndexError);

  expect_values(index_copy(x, 1, i64({3, 0}), s), {2, 1, 2, 1, 4, 5, 6, 3, 6, 9, 10, 5});
  EXPECT_EQ(error_of([&] {
              index_copy(x, 1, i64({0, 4}), s);
            }),
            "index_copy_(): index 4 is out of bounds for dimension 1 with size 4");
  EXPECT_EQ(error_of([&] {
              index_copy(x, 1, tensor<int>({0, 1}, std::nullopt, kInt32), s);
            }),
            "index_copy_(): Expected a long tensor for index, but got Int");
  EXPECT_EQ(error_of([&] {
              index_copy(zeros({2, 3, 4}), 1, i64({0, 1}), ones({2, 2, 5}));
            }),
            "index_copy_(): Source/destination tensor must have same slice shapes. Destination slice shape: 2 4 at "
            "dimension 1 and source slice shape: 2 5 at dimension 0.");

  expect_values(index_fill(x, 1, i64({0, -1}), -1.5), {-1.5, 1, 2, -1.5, -1.5, 5, 6, -1.5, -1.5, 9, 10, -1.5});
  expect_values(index_fill(arange(12).reshape({3, 4}), 0, i64({1}), -2.5), {0, 1, 2, 3, -2, -2, -2, -2, 8, 9, 10, 11});
  EXPECT_EQ(error_of([&] {
              index_fill(x, 1, i64({0, 4}), 1.0);
            }),
            "index 4 is out of bounds for dimension 1 with size 4");
  EXPECT_EQ(error_of([&] { index_fill(x, 1, tensor<int>({0}, std::nullopt, kInt32), 1.0); }),
            "index_fill_(): Expected dtype int64 for index.");
  EXPECT_EQ(error_of([&] { index_fill(x, 1, i64({0}, Shape{1, 1}), 1.0); }), "Index has to be a vector/scalar");
}

TEST(IndexOps, MaskedFillTakeAndTakeAlongDim) {
  Tensor x = grid();
  Tensor m =
      tensor<bool>({true, false, true, false, false, false, false, false, true, true, false, false}, Shape{3, 4});
  expect_values(masked_fill(x, m, -1.0), {-1, 1, -1, 3, 4, 5, 6, 7, -1, -1, 10, 11});
  expect_values(masked_fill(x, m.select(0, 0), tensor(7.5)), {7.5, 1, 7.5, 3, 7.5, 5, 7.5, 7, 7.5, 9, 7.5, 11});
  expect_values(masked_fill(arange(3), tensor({true, false, true}), 7.5), {7, 1, 7});  // truncates
  expect_values(masked_fill(arange(3), tensor({true, false, true}), tensor(7.5)), {7, 1, 7});
  expect_values(masked_fill(tensor({1, 2}, kUInt8), tensor({true, false}), -1), {255, 2});  // wraps, as c10
  EXPECT_EQ(error_of([&] {
              masked_fill(tensor({1, 2}, kUInt8), tensor({true, true}), 300);
            }),
            "value cannot be converted to type uint8_t without overflow");
  EXPECT_EQ(error_of([&] {
              masked_fill(tensor({1, 2}, kInt8), tensor({true, true}), 127.9);
            }),
            "value cannot be converted to type int8_t without overflow");
  EXPECT_EQ(error_of([&] {
              masked_fill(tensor({1, 2}, kInt32), tensor({true, true}), NAN);
            }),
            "value cannot be converted to type int without overflow");
  EXPECT_EQ(error_of([&] {
              masked_fill(tensor({1.0, 2.0}, kFloat16), tensor({true, true}), 1e10);
            }),
            "value cannot be converted to type c10::Half without overflow");
  expect_values(masked_fill(tensor({1.0}), tensor({true}), INFINITY), {INFINITY});
  EXPECT_EQ(error_of([&] { masked_fill(x, m.to(kInt64), 1.0); }),
            "masked_fill_ only supports boolean masks, but got mask with dtype long int");
  EXPECT_EQ(error_of([&] { masked_fill(x, m, tensor({7.0})); }),
            "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with 1 dimension(s).");
  EXPECT_EQ(masked_fill(x.requires_grad_(false), m, tensor(1.0).requires_grad_()).grad_fn_name(),
            "MaskedFillBackward1");

  expect_values(take(x, i64({0, 11, -1, 5}, Shape{2, 2})), {0, 11, 11, 5}, {2, 2});
  expect_values(take(x.t(), i64({1})), {4});  // row-major order of the transposed view
  expect_values(take(x, tensor(Scalar(int64_t{1}))), {1}, {});
  EXPECT_EQ(error_of([&] { take(x, i64({12})); }),
            "out of range: tried to access index 12 on a tensor of 12 elements.");
  EXPECT_THROW(take(x, i64({-13})), IndexError);
  EXPECT_EQ(error_of([&] { take(zeros({0}), i64({0})); }), "take(): tried to take from an empty tensor");
  EXPECT_EQ(error_of([&] { take(x, tensor<int>({1}, std::nullopt, kInt32)); }),
            "take(): Expected a long tensor for index, but got Int");

  expect_values(take_along_dim(x, i64({0, 3, 1}, Shape{3, 1}), 1), {0, 7, 9}, {3, 1});
  expect_values(take_along_dim(x, i64({0, 3}, Shape{1, 2}), 1), {0, 3, 4, 7, 8, 11}, {3, 2});  // broadcast
  expect_values(take_along_dim(x, i64({5, 0, 11})), {5, 0, 11}, {3});
  expect_values(take_along_dim(x, i64({-1}, Shape{1, 1}), 0), {8, 9, 10, 11}, {1, 4});
  expect_values(take_along_dim(x, tensor<int>({1, 2}, std::nullopt, kInt32)), {1, 2});
  EXPECT_THROW(take_along_dim(x.t(), i64({1, 2})), Error);  // flattening needs a view
  EXPECT_EQ(error_of([&] {
              take_along_dim(x, i64({0, 1}), 1);
            }),
            "torch.take_along_dim(): input and indices should have the same number of dimensions, but got 2 "
            "dimensions for input, and 1 dimensions for indices");
  EXPECT_EQ(error_of([&] {
              take_along_dim(x, tensor<int>({0}, Shape{1, 1}, kInt32), 1);
            }),
            "torch.take_along_dim(): dtype of indices should be Long but got Int");
}

TEST(IndexOps, OneHotBincountUnique) {
  Tensor oh = one_hot(i64({0, 2, 1}));
  expect_values(oh, {1, 0, 0, 0, 0, 1, 0, 1, 0}, {3, 3});
  EXPECT_EQ(oh.dtype(), kInt64);
  expect_values(one_hot(i64({0, 2}, Shape{2, 1}), 4), {1, 0, 0, 0, 0, 0, 1, 0}, {2, 1, 4});
  expect_values(one_hot(tensor(Scalar(int64_t{2})), 3), {0, 0, 1}, {3});
  EXPECT_EQ(one_hot(i64({}), 3).sizes(), (Shape{0, 3}));
  EXPECT_EQ(error_of([&] { one_hot(i64({0, 3}), 3); }), "Class values must be smaller than num_classes.");
  EXPECT_EQ(error_of([&] { one_hot(i64({0, -1}), 3); }), "Class values must be non-negative.");
  EXPECT_EQ(error_of([&] { one_hot(tensor<int>({0}, std::nullopt, kInt32)); }),
            "one_hot is only applicable to index tensor of type LongTensor.");
  EXPECT_EQ(error_of([&] { one_hot(i64({})); }), "Can not infer total number of classes from empty tensor.");

  expect_values(bincount(i64({0, 1, 1, 3})), {1, 2, 0, 1}, {4});
  expect_values(bincount(i64({0, 1, 1, 3}), std::nullopt, 6), {1, 2, 0, 1, 0, 0}, {6});
  Tensor bw = bincount(i64({0, 1, 1, 3}), f32({0.5, 1, 1, 2}));
  expect_values(bw, {0.5, 2, 0, 2});
  EXPECT_EQ(bw.dtype(), kFloat32);
  EXPECT_EQ(bincount(i64({0, 1}), i64({1, 1})).dtype(), kFloat64);
  EXPECT_EQ(bincount(tensor({0, 2}, kUInt8)).dtype(), kInt64);
  expect_values(bincount(i64({}), std::nullopt, 2), {0, 0}, {2});
  EXPECT_THROW(bincount(tensor({true})), NotImplementedError);
  EXPECT_EQ(error_of([&] { bincount(i64({0, -1})); }), "bincount only supports 1-d non-negative integral inputs.");
  EXPECT_EQ(error_of([&] {
              bincount(i64({0, 1}, Shape{1, 2}));
            }),
            "bincount only supports 1-d non-negative integral inputs.");
  EXPECT_EQ(error_of([&] { bincount(i64({0, 1}), std::nullopt, -1); }), "minlength should be >= 0");
  EXPECT_EQ(error_of([&] {
              bincount(i64({0, 1}), f32({1}));
            }),
            "weights should be 1-d and have the same length as input");

  expect_values(unique(i64({3, 1, 2, 3, 1})), {1, 2, 3}, {3});
  expect_values(unique(i64({3, 1, 2, 3, 1}), false), {1, 2, 3});
  expect_values(unique(tensor<double>({3, 1, NAN, NAN}, Shape{2, 2})), {1, 3, NAN, NAN}, {4});
  Tensor ub = unique(tensor({true, false, true}));
  EXPECT_EQ(ub.dtype(), kBool);
  expect_values(ub, {0, 1});
  expect_values(unique(tensor(5.0)), {5}, {1});
}

TEST(IndexOps, SearchsortedAndBucketize) {
  Tensor b = f32({1, 3, 5, 7});
  Tensor v = f32({0, 1, 3, 4, 8});
  expect_values(searchsorted(b, v), {0, 0, 1, 2, 4});
  expect_values(searchsorted(b, v, true), {0, 1, 2, 2, 4});
  EXPECT_EQ(searchsorted(b, v).dtype(), kInt64);
  expect_values(searchsorted(b, v.reshape({1, 5}).expand({2, 5})), {0, 0, 1, 2, 4, 0, 0, 1, 2, 4}, {2, 5});
  expect_values(searchsorted(f32({1, 3, 2, 4}, Shape{2, 2}), f32({2, 3}, Shape{2, 1})), {1, 1}, {2, 1});
  expect_values(searchsorted(f32({1, 3, 2, 4}, Shape{2, 2}), f32({2, 3, 3, 9}, Shape{2, 2}), true), {1, 2, 1, 2});
  expect_values(searchsorted(b, f32({NAN, INFINITY})), {4, 4});
  expect_values(searchsorted(b, tensor(4.0)), {2}, {});
  expect_values(searchsorted(i64({1, 3, 5}), f32({2.5, 3})), {1, 1});  // promoted to a common dtype
  expect_values(searchsorted(b.to(kFloat64), i64({2, 3})), {1, 1});
  expect_values(searchsorted(i64({1, 3, 5}), i64({3, 4}), true), {2, 2});
  EXPECT_EQ(searchsorted(b, zeros({0})).sizes(), (Shape{0}));
  expect_values(searchsorted(zeros({0}), f32({1})), {0});
  EXPECT_EQ(error_of([&] {
              searchsorted(f32({1, 3, 2, 4}, Shape{2, 2}), f32({2, 3}));
            }),
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries "
            "tensor and input value tensor must match, but we got boundaries tensor [2, 2] and input value tensor [2]");
  EXPECT_EQ(error_of([&] { searchsorted(tensor(4.0), tensor(4.0)); }),
            "torch.searchsorted(): input value can be a scalar only when boundaries tensor dimension is 1, but we got "
            "boundaries tensor dim(0) and input value's dim(0) numel(1)");
  EXPECT_THROW(searchsorted(tensor({true, false}), tensor({true})), NotImplementedError);
  expect_values(bucketize(v, b), {0, 0, 1, 2, 4});
  expect_values(bucketize(v, b, true), {0, 1, 2, 2, 4});
  expect_values(bucketize(tensor(3.0), b), {1}, {});
  expect_values(bucketize(i64({2, 4}), b), {1, 2});
  EXPECT_EQ(error_of([&] {
              bucketize(v, f32({1, 2}, Shape{1, 2}));
            }),
            "boundaries tensor must be 1 dimension, but got dim(2)");
}

}  // namespace

static ValueTested kValues({"index_select", "gather", "scatter", "scatter_add", "scatter_reduce", "index_add",
                            "index_copy", "index_fill", "masked_fill", "take", "take_along_dim", "one_hot", "bincount",
                            "unique", "searchsorted", "bucketize"});

static GradCases kGrads({
    {"index_select",
     [](auto& x) {
       return index_select(x[0], 1, i64({2, 0, 2}));
     },
     {{2, 3}}},
    {"index_select", [](auto& x) { return index_select(x[0].t(), 0, i64({1})); }, {{2, 3}}},
    {"gather",
     [](auto& x) {
       return gather(x[0], 1, i64({0, 2, 2, 1}, Shape{2, 2}));
     },
     {{3, 3}}},
    {"gather",
     [](auto& x) {
       return gather(x[0], 0, i64({1, 1, 0}, Shape{1, 3}));
     },
     {{2, 3}}},
    {"scatter",
     [](auto& x) {
       return scatter(x[0], 1, i64({2, 0, 1, 2}, Shape{2, 2}), x[1]);
     },
     {{3, 3}, {2, 3}}},
    {"scatter",
     [](auto& x) {
       return scatter(x[0], 0, i64({1, 0}, Shape{1, 2}), 2.5);
     },
     {{2, 3}}},
    {"scatter_add",
     [](auto& x) {
       return scatter_add(x[0], 1, i64({0, 0, 2, 1}, Shape{2, 2}), x[1]);
     },
     {{2, 3}, {2, 2}}},
    {"scatter_reduce",
     [](auto& x) {
       return scatter_reduce(x[0], 1, i64({0, 0, 2, 1}, Shape{2, 2}), x[1], "sum", false);
     },
     {{2, 3}, {2, 2}}},
    {"scatter_reduce",
     [](auto& x) {
       return scatter_reduce(x[0], 1, i64({0, 0, 2, 1}, Shape{2, 2}), x[1], "mean");
     },
     {{2, 3}, {2, 2}}},
    {"scatter_reduce",
     [](auto& x) {
       return scatter_reduce(x[0], 1, i64({0, 0, 2, 1}, Shape{2, 2}), x[1], "prod");
     },
     {{2, 3}, {2, 2}}},
    {"scatter_reduce",
     [](auto& x) {
       return scatter_reduce(x[0], 1, i64({0, 0, 2, 1}, Shape{2, 2}), x[1], "amax", false);
     },
     {{2, 3}, {2, 2}}},
    {"scatter_reduce",
     [](auto& x) {
       return scatter_reduce(x[0], 0, i64({1, 0, 1}, Shape{1, 3}), x[1], "amin");
     },
     {{2, 3}, {1, 3}}},
    {"index_add",
     [](auto& x) {
       return index_add(x[0], 0, i64({1, 1, 0}), x[1], 0.5);
     },
     {{2, 3}, {3, 3}}},
    {"index_copy",
     [](auto& x) {
       return index_copy(x[0], 1, i64({2, 0}), x[1]);
     },
     {{2, 3}, {2, 2}}},
    {"index_fill", [](auto& x) { return index_fill(x[0], 1, i64({-1}), 3.0); }, {{2, 3}}},
    {"masked_fill",
     [](auto& x) {
       return masked_fill(x[0], tensor<bool>({true, false, true}, Shape{3}), 1.5);
     },
     {{2, 3}}},
    {"masked_fill",
     [](auto& x) {
       return masked_fill(x[0], tensor<bool>({false, true, true}, Shape{3}), x[1]);
     },
     {{2, 3}, {}}},
    {"take",
     [](auto& x) {
       return take(x[0], i64({5, 0, -1, 2}, Shape{2, 2}));
     },
     {{2, 3}}},
    {"take_along_dim",
     [](auto& x) {
       return take_along_dim(x[0], i64({2, 0}, Shape{1, 2}), 1);
     },
     {{3, 3}}},
    {"take_along_dim",
     [](auto& x) {
       return take_along_dim(x[0], i64({4, 4}));
     },
     {{2, 3}}},
});

}  // namespace fl::test
