// Shape and view ops: values against PyTorch (generated with torch 2.13 from the same expressions and pasted),
// over 0-d, empty, transposed and sliced inputs and several dtypes. Errors, grad_fn names and gradient rows
// are in test_shape_more.cpp.
#include <limits>

#include "test_util.h"

namespace fl::test {
namespace {
constexpr double INF = std::numeric_limits<double>::infinity();
// torch.arange(n).reshape(shape).to(dtype)
Tensor A(const Shape& shape, Dtype d = kFloat32) {
  int64_t n = 1;
  for (auto s : shape) n *= s;
  return arange(n).reshape(shape).to(d);
}
void check(const Tensor& t, const std::vector<double>& values, const Shape& shape, Dtype dtype) {
  EXPECT_EQ(t.dtype(), dtype);
  expect_values(t, values, shape);
}
}  // namespace

static ValueTested kValues({"reshape", "flatten", "squeeze", "unsqueeze", "permute", "transpose", "t", "select",
                            "narrow", "diagonal", "clone", "expand", "unflatten", "movedim", "swapaxes",
                            "broadcast_to", "broadcast_tensors", "atleast_1d", "atleast_2d", "cat", "concat", "stack",
                            "hstack", "vstack", "dstack", "split", "chunk", "unbind", "tensor_split", "repeat", "tile",
                            "repeat_interleave", "flip", "fliplr", "flipud", "roll", "rot90", "tril", "triu", "pad"});

TEST(ShapeValues, Reshape) {
  check(fl::reshape(A({3, 4}), {2, -1, 3}), {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {2, 2, 3}, kFloat32);
  check(fl::reshape(A({3, 4}).t(), {12}), {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, {12}, kFloat32);
  check(fl::reshape(A({}), {1, 1}), {0}, {1, 1}, kFloat32);
  check(fl::reshape(A({0, 3}), {3, 0}), {}, {3, 0}, kFloat32);
  check(fl::reshape(A({2, 3}, kInt64).t(), {-1}), {0, 3, 1, 4, 2, 5}, {6}, kInt64);
  check(fl::reshape(A({4}, kBool), {2, 2}), {0, 1, 1, 1}, {2, 2}, kBool);
}
TEST(ShapeValues, Flatten) {
  check(fl::flatten(A({2, 3, 4}), 1), {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}, {2, 12}, kFloat32);
  check(fl::flatten(A({2, 3, 4}).transpose(0, 2)), {0, 12, 4, 16, 8, 20, 1, 13, 5, 17, 9, 21, 2, 14, 6, 18, 10, 22, 3, 15, 7, 19, 11, 23}, {24}, kFloat32);
  check(fl::flatten(A({})), {0}, {1}, kFloat32);
  check(fl::flatten(A({2, 3, 4}, kInt64), 0, 1), {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}, {6, 4}, kInt64);
  check(fl::flatten(A({2, 0, 3})), {}, {0}, kFloat32);
}
TEST(ShapeValues, Squeeze) {
  check(fl::squeeze(A({1, 3, 1})), {0, 1, 2}, {3}, kFloat32);
  check(fl::squeeze(A({1, 3, 1}), -1), {0, 1, 2}, {1, 3}, kFloat32);
  check(fl::squeeze(A({1, 3, 1}), 1), {0, 1, 2}, {1, 3, 1}, kFloat32);
  check(fl::squeeze(A({})), {0}, {}, kFloat32);
  check(fl::squeeze(A({1, 2, 1}, kInt32).transpose(0, 2), 0), {0, 1}, {2, 1}, kInt32);
}
TEST(ShapeValues, Unsqueeze) {
  check(fl::unsqueeze(A({2, 3}), 1), {0, 1, 2, 3, 4, 5}, {2, 1, 3}, kFloat32);
  check(fl::unsqueeze(A({}), 0), {0}, {1}, kFloat32);
  check(fl::unsqueeze(A({2, 3}).t(), -1), {0, 3, 1, 4, 2, 5}, {3, 2, 1}, kFloat32);
  check(fl::unsqueeze(A({0, 2}, kInt64), 0), {}, {1, 0, 2}, kInt64);
}
TEST(ShapeValues, Permute) {
  check(fl::permute(A({2, 3, 4}), {2, 0, 1}), {0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23}, {4, 2, 3}, kFloat32);
  check(fl::permute(A({2, 3}, kBool), {-1, 0}), {0, 1, 1, 1, 1, 1}, {3, 2}, kBool);
  check(fl::permute(A({}), {}), {0}, {}, kFloat32);
  check(fl::permute(A({2, 3, 2}).transpose(0, 1), {1, 2, 0}), {0, 2, 4, 1, 3, 5, 6, 8, 10, 7, 9, 11}, {2, 2, 3}, kFloat32);
}
TEST(ShapeValues, Transpose) {
  check(fl::transpose(A({2, 3, 4}), 0, 2), {0, 12, 4, 16, 8, 20, 1, 13, 5, 17, 9, 21, 2, 14, 6, 18, 10, 22, 3, 15, 7, 19, 11, 23}, {4, 3, 2}, kFloat32);
  check(fl::transpose(A({3}), 0, 0), {0, 1, 2}, {3}, kFloat32);
  check(fl::transpose(A({2, 3}, kInt64), -1, -2), {0, 3, 1, 4, 2, 5}, {3, 2}, kInt64);
}
TEST(ShapeValues, T) {
  check(fl::t(A({2, 3})), {0, 3, 1, 4, 2, 5}, {3, 2}, kFloat32);
  check(fl::t(A({3})), {0, 1, 2}, {3}, kFloat32);
  check(fl::t(A({})), {0}, {}, kFloat32);
  check(fl::t(A({2, 2}, kInt64).t()), {0, 1, 2, 3}, {2, 2}, kInt64);
}
TEST(ShapeValues, Select) {
  check(fl::select(A({2, 3, 4}), 1, -1), {8, 9, 10, 11, 20, 21, 22, 23}, {2, 4}, kFloat32);
  check(fl::select(A({3, 4}).t(), 0, 2), {2, 6, 10}, {3}, kFloat32);
  check(fl::select(A({3}, kInt64), 0, 1), {1}, {}, kInt64);
}
TEST(ShapeValues, Narrow) {
  check(fl::narrow(A({3, 4}), 1, 1, 2), {1, 2, 5, 6, 9, 10}, {3, 2}, kFloat32);
  check(fl::narrow(A({3, 4}), 0, -2, 2), {4, 5, 6, 7, 8, 9, 10, 11}, {2, 4}, kFloat32);
  check(fl::narrow(A({3, 4}, kInt64).t(), 1, 0, 0), {}, {4, 0}, kInt64);
}
TEST(ShapeValues, Diagonal) {
  check(fl::diagonal(A({3, 4})), {0, 5, 10}, {3}, kFloat32);
  check(fl::diagonal(A({3, 4}), 1), {1, 6, 11}, {3}, kFloat32);
  check(fl::diagonal(A({3, 4}), -1), {4, 9}, {2}, kFloat32);
  check(fl::diagonal(A({2, 3, 4}), 0, 1, 2), {0, 5, 10, 12, 17, 22}, {2, 3}, kFloat32);
  check(fl::diagonal(A({2, 3, 4}), 1, -1, 0), {12, 16, 20}, {3, 1}, kFloat32);
  check(fl::diagonal(A({3, 4}), 5), {}, {0}, kFloat32);
  check(fl::diagonal(A({3, 3}, kInt64).t()), {0, 4, 8}, {3}, kInt64);
}
TEST(ShapeValues, Clone) {
  check(fl::clone(A({2, 3}).t()), {0, 3, 1, 4, 2, 5}, {3, 2}, kFloat32);
  check(fl::clone(A({}, kInt64)), {0}, {}, kInt64);
  check(fl::clone(A({2, 2}, kBool)), {0, 1, 1, 1}, {2, 2}, kBool);
}
TEST(ShapeValues, Expand) {
  check(A({3, 1}).expand({2, 3, 4}), {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}, {2, 3, 4}, kFloat32);
  check(A({}).expand({2}), {0, 0}, {2}, kFloat32);
  check(A({3, 1}, kInt64).expand({-1, 2}), {0, 0, 1, 1, 2, 2}, {3, 2}, kInt64);
  check(A({1}).expand({0}), {}, {0}, kFloat32);
}
TEST(ShapeValues, Unflatten) {
  check(fl::unflatten(A({2, 12}), 1, {3, -1}), {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23}, {2, 3, 4}, kFloat32);
  check(fl::unflatten(A({6}, kInt64), 0, {2, 3}), {0, 1, 2, 3, 4, 5}, {2, 3}, kInt64);
  check(fl::unflatten(A({2, 0}), 1, {0, 5}), {}, {2, 0, 5}, kFloat32);
}
TEST(ShapeValues, Movedim) {
  check(fl::movedim(A({2, 3, 4}), 0, 2), {0, 12, 1, 13, 2, 14, 3, 15, 4, 16, 5, 17, 6, 18, 7, 19, 8, 20, 9, 21, 10, 22, 11, 23}, {3, 4, 2}, kFloat32);
  check(fl::movedim(A({2, 3, 4}), {0, 1}, {2, 0}), {0, 12, 1, 13, 2, 14, 3, 15, 4, 16, 5, 17, 6, 18, 7, 19, 8, 20, 9, 21, 10, 22, 11, 23}, {3, 4, 2}, kFloat32);
  check(fl::movedim(A({2, 3, 4}), {-1}, {0}), {0, 4, 8, 12, 16, 20, 1, 5, 9, 13, 17, 21, 2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23}, {4, 2, 3}, kFloat32);
}
TEST(ShapeValues, Swapaxes) {
  check(fl::swapaxes(A({2, 3}), 0, 1), {0, 3, 1, 4, 2, 5}, {3, 2}, kFloat32);
  check(fl::swapaxes(A({2, 1, 3}, kInt64), 0, -1), {0, 3, 1, 4, 2, 5}, {3, 1, 2}, kInt64);
}
TEST(ShapeValues, BroadcastTo) {
  check(fl::broadcast_to(A({3}), {2, 3}), {0, 1, 2, 0, 1, 2}, {2, 3}, kFloat32);
  check(fl::broadcast_to(A({}), {2, 2}), {0, 0, 0, 0}, {2, 2}, kFloat32);
  check(fl::broadcast_to(A({3, 1}, kBool), {3, -1}), {0, 1, 1}, {3, 1}, kBool);
}
TEST(ShapeValues, BroadcastTensors) {
  {
    auto r = fl::broadcast_tensors({A({3, 1}), A({4}, kInt64)});
    ASSERT_EQ(r.size(), 2u);
    check(r[0], {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}, {3, 4}, kFloat32);
    check(r[1], {0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3}, {3, 4}, kInt64);
  }
  {
    auto r = fl::broadcast_tensors({A({}), A({2, 1}), A({1, 2})});
    ASSERT_EQ(r.size(), 3u);
    check(r[0], {0, 0, 0, 0}, {2, 2}, kFloat32);
    check(r[1], {0, 0, 1, 1}, {2, 2}, kFloat32);
    check(r[2], {0, 1, 0, 1}, {2, 2}, kFloat32);
  }
}
TEST(ShapeValues, Atleast) {
  check(fl::atleast_1d(A({})), {0}, {1}, kFloat32);
  check(fl::atleast_1d(A({2})), {0, 1}, {2}, kFloat32);
  check(fl::atleast_2d(A({})), {0}, {1, 1}, kFloat32);
  check(fl::atleast_2d(A({3}, kInt64)), {0, 1, 2}, {1, 3}, kInt64);
  check(fl::atleast_2d(A({2, 2, 1})), {0, 1, 2, 3}, {2, 2, 1}, kFloat32);
}
TEST(ShapeValues, Cat) {
  check(fl::cat({A({2, 3}), A({1, 3})}), {0, 1, 2, 3, 4, 5, 0, 1, 2}, {3, 3}, kFloat32);
  check(fl::cat({A({2, 2}), A({2, 3}, kInt64)}, 1), {0, 1, 0, 1, 2, 2, 3, 3, 4, 5}, {2, 5}, kFloat32);
  check(fl::cat({A({2}, kInt32), A({2}, kBool)}), {0, 1, 0, 1}, {4}, kInt32);
  check(fl::cat({A({0}), A({2, 3}), A({0})}, 1), {0, 1, 2, 3, 4, 5}, {2, 3}, kFloat32);
  check(fl::cat({A({2, 3}).t(), A({3, 1})}, -1), {0, 3, 0, 1, 4, 1, 2, 5, 2}, {3, 3}, kFloat32);
  check(fl::cat({A({0}, kInt64), A({0})}), {}, {0}, kFloat32);
  check(fl::cat({A({0, 3}), A({2, 3})}), {0, 1, 2, 3, 4, 5}, {2, 3}, kFloat32);
  check(fl::cat({A({2}, kUInt8), A({1}, kInt8)}), {0, 1, 0}, {3}, kInt16);
  check(fl::cat({A({3})}), {0, 1, 2}, {3}, kFloat32);
  check(fl::concat({A({2}), A({3})}), {0, 1, 0, 1, 2}, {5}, kFloat32);
}
TEST(ShapeValues, Stack) {
  check(fl::stack({A({2, 3}), A({3, 2}).t()}, 1), {0, 1, 2, 0, 2, 4, 3, 4, 5, 1, 3, 5}, {2, 2, 3}, kFloat32);
  check(fl::stack({A({}), A({}, kInt64)}), {0, 0}, {2}, kFloat32);
  check(fl::stack({A({2}), A({2})}, -1), {0, 0, 1, 1}, {2, 2}, kFloat32);
  check(fl::stack({A({0, 2}), A({0, 2})}), {}, {2, 0, 2}, kFloat32);
}
TEST(ShapeValues, HVDStack) {
  check(fl::hstack({A({2}), A({3})}), {0, 1, 0, 1, 2}, {5}, kFloat32);
  check(fl::hstack({A({2, 1}), A({2, 2})}), {0, 0, 1, 1, 2, 3}, {2, 3}, kFloat32);
  check(fl::hstack({A({}), A({}, kInt64)}), {0, 0}, {2}, kFloat32);
  check(fl::vstack({A({3}), A({2, 3})}), {0, 1, 2, 0, 1, 2, 3, 4, 5}, {3, 3}, kFloat32);
  check(fl::vstack({A({}), A({})}), {0, 0}, {2, 1}, kFloat32);
  check(fl::dstack({A({2}), A({2})}), {0, 0, 1, 1}, {1, 2, 2}, kFloat32);
  check(fl::dstack({A({2, 2}), A({2, 2, 1})}), {0, 0, 1, 1, 2, 2, 3, 3}, {2, 2, 2}, kFloat32);
  check(fl::dstack({A({}), A({})}), {0, 0}, {1, 1, 2}, kFloat32);
}
TEST(ShapeValues, Split) {
  {
    auto r = fl::split(A({5, 2}), 2);
    ASSERT_EQ(r.size(), 3u);
    check(r[0], {0, 1, 2, 3}, {2, 2}, kFloat32);
    check(r[1], {4, 5, 6, 7}, {2, 2}, kFloat32);
    check(r[2], {8, 9}, {1, 2}, kFloat32);
  }
  {
    auto r = fl::split(A({5, 2}), {1, 4});
    ASSERT_EQ(r.size(), 2u);
    check(r[0], {0, 1}, {1, 2}, kFloat32);
    check(r[1], {2, 3, 4, 5, 6, 7, 8, 9}, {4, 2}, kFloat32);
  }
  {
    auto r = fl::split(A({2, 5}), 3, -1);
    ASSERT_EQ(r.size(), 2u);
    check(r[0], {0, 1, 2, 5, 6, 7}, {2, 3}, kFloat32);
    check(r[1], {3, 4, 8, 9}, {2, 2}, kFloat32);
  }
  {
    auto r = fl::split(A({0, 3}), 0);
    ASSERT_EQ(r.size(), 1u);
    check(r[0], {}, {0, 3}, kFloat32);
  }
  {
    auto r = fl::split(A({3}, kInt64), 5);
    ASSERT_EQ(r.size(), 1u);
    check(r[0], {0, 1, 2}, {3}, kInt64);
  }
  {
    auto r = fl::split(A({3, 2}).t(), {0, 2, 1}, 1);
    ASSERT_EQ(r.size(), 3u);
    check(r[0], {}, {2, 0}, kFloat32);
    check(r[1], {0, 2, 1, 3}, {2, 2}, kFloat32);
    check(r[2], {4, 5}, {2, 1}, kFloat32);
  }
}
TEST(ShapeValues, Chunk) {
  {
    auto r = fl::chunk(A({5}), 3);
    ASSERT_EQ(r.size(), 3u);
    check(r[0], {0, 1}, {2}, kFloat32);
    check(r[1], {2, 3}, {2}, kFloat32);
    check(r[2], {4}, {1}, kFloat32);
  }
  {
    auto r = fl::chunk(A({6}), 4);
    ASSERT_EQ(r.size(), 3u);
    check(r[0], {0, 1}, {2}, kFloat32);
    check(r[1], {2, 3}, {2}, kFloat32);
    check(r[2], {4, 5}, {2}, kFloat32);
  }
  {
    auto r = fl::chunk(A({0}), 3);
    ASSERT_EQ(r.size(), 3u);
    check(r[0], {}, {0}, kFloat32);
    check(r[1], {}, {0}, kFloat32);
    check(r[2], {}, {0}, kFloat32);
  }
  {
    auto r = fl::chunk(A({2, 4}, kInt64), 2, 1);
    ASSERT_EQ(r.size(), 2u);
    check(r[0], {0, 1, 4, 5}, {2, 2}, kInt64);
    check(r[1], {2, 3, 6, 7}, {2, 2}, kInt64);
  }
}
TEST(ShapeValues, Unbind) {
  {
    auto r = fl::unbind(A({2, 3}), 1);
    ASSERT_EQ(r.size(), 3u);
    check(r[0], {0, 3}, {2}, kFloat32);
    check(r[1], {1, 4}, {2}, kFloat32);
    check(r[2], {2, 5}, {2}, kFloat32);
  }
  {
    auto r = fl::unbind(A({2, 3}, kBool));
    ASSERT_EQ(r.size(), 2u);
    check(r[0], {0, 1, 1}, {3}, kBool);
    check(r[1], {1, 1, 1}, {3}, kBool);
  }
  {
    auto r = fl::unbind(A({0, 3}));
    ASSERT_EQ(r.size(), 0u);
  }
}
TEST(ShapeValues, TensorSplit) {
  {
    auto r = fl::tensor_split(A({7}), 3);
    ASSERT_EQ(r.size(), 3u);
    check(r[0], {0, 1, 2}, {3}, kFloat32);
    check(r[1], {3, 4}, {2}, kFloat32);
    check(r[2], {5, 6}, {2}, kFloat32);
  }
  {
    auto r = fl::tensor_split(A({2, 5}), 3, 1);
    ASSERT_EQ(r.size(), 3u);
    check(r[0], {0, 1, 5, 6}, {2, 2}, kFloat32);
    check(r[1], {2, 3, 7, 8}, {2, 2}, kFloat32);
    check(r[2], {4, 9}, {2, 1}, kFloat32);
  }
  {
    auto r = fl::tensor_split(A({2}, kInt64), 4);
    ASSERT_EQ(r.size(), 4u);
    check(r[0], {0}, {1}, kInt64);
    check(r[1], {1}, {1}, kInt64);
    check(r[2], {}, {0}, kInt64);
    check(r[3], {}, {0}, kInt64);
  }
}
TEST(ShapeValues, Repeat) {
  check(fl::repeat(A({2, 3}), {2, 1, 2}), {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5, 0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}, {2, 2, 6}, kFloat32);
  check(fl::repeat(A({}), {3}), {0, 0, 0}, {3}, kFloat32);
  check(fl::repeat(A({2}, kBool), {2}), {0, 1, 0, 1}, {4}, kBool);
  check(fl::repeat(A({2, 3}), {0, 1}), {}, {0, 3}, kFloat32);
  check(fl::repeat(A({}), {}), {0}, {}, kFloat32);
  check(fl::repeat(A({3, 2}, kInt64).t(), {2, 1}), {0, 2, 4, 1, 3, 5, 0, 2, 4, 1, 3, 5}, {4, 3}, kInt64);
}
TEST(ShapeValues, Tile) {
  check(fl::tile(A({2, 2}), {2}), {0, 1, 0, 1, 2, 3, 2, 3}, {2, 4}, kFloat32);
  check(fl::tile(A({3}), {2, 2}), {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2}, {2, 6}, kFloat32);
  check(fl::tile(A({2}, kInt64), {}), {0, 1}, {2}, kInt64);
}
TEST(ShapeValues, RepeatInterleave) {
  check(fl::repeat_interleave(A({2, 2}), 2), {0, 0, 1, 1, 2, 2, 3, 3}, {8}, kFloat32);
  check(fl::repeat_interleave(A({2, 3}), 2, 1), {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5}, {2, 6}, kFloat32);
  check(fl::repeat_interleave(A({2, 3}), 0, 0), {}, {0, 3}, kFloat32);
  check(fl::repeat_interleave(A({}), 3), {0, 0, 0}, {3}, kFloat32);
  check(fl::repeat_interleave(A({2, 3}, kInt64).t(), 2, -1), {0, 0, 3, 3, 1, 1, 4, 4, 2, 2, 5, 5}, {3, 4}, kInt64);
}
TEST(ShapeValues, Flip) {
  check(fl::flip(A({2, 3, 2}), {0, 2}), {7, 6, 9, 8, 11, 10, 1, 0, 3, 2, 5, 4}, {2, 3, 2}, kFloat32);
  check(fl::flip(A({3, 4}).t(), {0}), {3, 7, 11, 2, 6, 10, 1, 5, 9, 0, 4, 8}, {4, 3}, kFloat32);
  check(fl::flip(A({3}, kInt64), {-1}), {2, 1, 0}, {3}, kInt64);
  check(fl::flip(A({}), {0}), {0}, {}, kFloat32);
  check(fl::flip(A({2, 3}), {}), {0, 1, 2, 3, 4, 5}, {2, 3}, kFloat32);
  check(fl::flip(A({2, 0}), {1}), {}, {2, 0}, kFloat32);
  check(fl::fliplr(A({2, 3})), {2, 1, 0, 5, 4, 3}, {2, 3}, kFloat32);
  check(fl::fliplr(A({2, 2, 2}, kBool)), {1, 1, 0, 1, 1, 1, 1, 1}, {2, 2, 2}, kBool);
  check(fl::flipud(A({3})), {2, 1, 0}, {3}, kFloat32);
  check(fl::flipud(A({3, 2}, kInt64)), {4, 5, 2, 3, 0, 1}, {3, 2}, kInt64);
}
TEST(ShapeValues, Roll) {
  check(fl::roll(A({3, 4}), {1}), {11, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {3, 4}, kFloat32);
  check(fl::roll(A({3, 4}), {-1}, {0}), {4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3}, {3, 4}, kFloat32);
  check(fl::roll(A({3, 4}), {1, 5}, {0, 1}), {11, 8, 9, 10, 3, 0, 1, 2, 7, 4, 5, 6}, {3, 4}, kFloat32);
  check(fl::roll(A({3, 4}).t(), {2}), {7, 11, 0, 4, 8, 1, 5, 9, 2, 6, 10, 3}, {4, 3}, kFloat32);
  check(fl::roll(A({}), {3}), {0}, {}, kFloat32);
  check(fl::roll(A({4}, kInt64), {-6}, {0}), {2, 3, 0, 1}, {4}, kInt64);
  check(fl::roll(A({2, 3}), {1, 1}, {1, 1}), {1, 2, 0, 4, 5, 3}, {2, 3}, kFloat32);
  check(fl::roll(A({0, 3}), {1}, {1}), {}, {0, 3}, kFloat32);
}
TEST(ShapeValues, Rot90) {
  check(fl::rot90(A({2, 3})), {2, 5, 1, 4, 0, 3}, {3, 2}, kFloat32);
  check(fl::rot90(A({2, 3}), 2), {5, 4, 3, 2, 1, 0}, {2, 3}, kFloat32);
  check(fl::rot90(A({2, 3}), -1), {3, 0, 4, 1, 5, 2}, {3, 2}, kFloat32);
  check(fl::rot90(A({2, 3, 2}), 1, {2, 0}), {6, 0, 8, 2, 10, 4, 7, 1, 9, 3, 11, 5}, {2, 3, 2}, kFloat32);
  check(fl::rot90(A({2, 3}), 4), {0, 1, 2, 3, 4, 5}, {2, 3}, kFloat32);
  check(fl::rot90(A({2, 3}, kInt64), 3, {1, 0}), {2, 5, 1, 4, 0, 3}, {3, 2}, kInt64);
}
TEST(ShapeValues, TrilTriu) {
  check(fl::tril(A({3, 4}) + 1), {1, 0, 0, 0, 5, 6, 0, 0, 9, 10, 11, 0}, {3, 4}, kFloat32);
  check(fl::tril(A({2, 3, 3}), -1), {0, 0, 0, 3, 0, 0, 6, 7, 0, 0, 0, 0, 12, 0, 0, 15, 16, 0}, {2, 3, 3}, kFloat32);
  check(fl::tril(A({3, 4}, kBool), 1), {0, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1}, {3, 4}, kBool);
  check(fl::tril(A({2, 3}), 100), {0, 1, 2, 3, 4, 5}, {2, 3}, kFloat32);
  check(fl::triu(A({3, 4}), 1), {0, 1, 2, 3, 0, 0, 6, 7, 0, 0, 0, 11}, {3, 4}, kFloat32);
  check(fl::triu(A({2, 2, 3}), -1), {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {2, 2, 3}, kFloat32);
  check(fl::triu(A({3, 3}, kInt64).t()), {0, 3, 6, 0, 4, 7, 0, 0, 8}, {3, 3}, kInt64);
  check(fl::triu(A({2, 3}), -100), {0, 1, 2, 3, 4, 5}, {2, 3}, kFloat32);
  check(fl::tril(A({0, 3})), {}, {0, 3}, kFloat32);
}
TEST(ShapeValues, PadConstant) {
  check(fl::pad(A({2, 3}), {1, 2}), {0, 0, 1, 2, 0, 0, 0, 3, 4, 5, 0, 0}, {2, 6}, kFloat32);
  check(fl::pad(A({2, 3}), {1, 0, -1, 1}, "constant", 2.5), {2.5, 3, 4, 5, 2.5, 2.5, 2.5, 2.5}, {2, 4}, kFloat32);
  check(fl::pad(A({3}, kInt64), {1, 1}, "constant", -1.7), {-1, 0, 1, 2, -1}, {5}, kInt64);
  check(fl::pad(A({2, 3}).t(), {0, 0, 1, 0}), {0, 0, 0, 3, 1, 4, 2, 5}, {4, 2}, kFloat32);
  check(fl::pad(A({3}), {-1, -2}), {}, {0}, kFloat32);
  check(fl::pad(A({}), {}), {0}, {}, kFloat32);
  check(fl::pad(A({2}, kBool), {1, 0}, "constant", 0.5), {1, 0, 1}, {3}, kBool);
}
TEST(ShapeValues, PadReflect) {
  check(fl::pad(A({1, 2, 4}), {2, 1}, "reflect"), {2, 1, 0, 1, 2, 3, 2, 6, 5, 4, 5, 6, 7, 6}, {1, 2, 7}, kFloat32);
  check(fl::pad(A({1, 3, 3}), {1, 1, 2, 0}, "reflect"), {7, 6, 7, 8, 7, 4, 3, 4, 5, 4, 1, 0, 1, 2, 1, 4, 3, 4, 5, 4, 7, 6, 7, 8, 7}, {1, 5, 5}, kFloat32);
  check(fl::pad(A({1, 2, 3, 3}), {1, 1, 1, 1, 1, 1}, "reflect"), {13, 12, 13, 14, 13, 10, 9, 10, 11, 10, 13, 12, 13, 14, 13, 16, 15, 16, 17, 16, 13, 12, 13, 14, 13, 4, 3, 4, 5, 4, 1, 0, 1, 2, 1, 4, 3, 4, 5, 4, 7, 6, 7, 8, 7, 4, 3, 4, 5, 4, 13, 12, 13, 14, 13, 10, 9, 10, 11, 10, 13, 12, 13, 14, 13, 16, 15, 16, 17, 16, 13, 12, 13, 14, 13, 4, 3, 4, 5, 4, 1, 0, 1, 2, 1, 4, 3, 4, 5, 4, 7, 6, 7, 8, 7, 4, 3, 4, 5, 4}, {1, 4, 5, 5}, kFloat32);
  check(fl::pad(A({3, 2}).t(), {1, 1}, "reflect"), {2, 0, 2, 4, 2, 3, 1, 3, 5, 3}, {2, 5}, kFloat32);
  check(fl::pad(A({1, 1, 4}), {-3, 2}, "reflect"), {3, 2, 1}, {1, 1, 3}, kFloat32);
  check(fl::pad(A({0, 2, 3}), {1, 1}, "reflect"), {}, {0, 2, 5}, kFloat32);
  check(fl::pad(A({2, 3}, kInt64), {2, 0}, "reflect"), {2, 1, 0, 1, 2, 5, 4, 3, 4, 5}, {2, 5}, kInt64);
}
TEST(ShapeValues, PadReplicate) {
  check(fl::pad(A({2, 3}), {2, 1}, "replicate"), {0, 0, 0, 1, 2, 2, 3, 3, 3, 4, 5, 5}, {2, 6}, kFloat32);
  check(fl::pad(A({1, 2, 3}), {1, -1, 1, 2}, "replicate"), {0, 0, 1, 0, 0, 1, 3, 3, 4, 3, 3, 4, 3, 3, 4}, {1, 5, 3}, kFloat32);
  check(fl::pad(A({1, 1, 2, 2, 2}), {1, 0, 0, 1, 1, 0}, "replicate"), {0, 0, 1, 2, 2, 3, 2, 2, 3, 0, 0, 1, 2, 2, 3, 2, 2, 3, 4, 4, 5, 6, 6, 7, 6, 6, 7}, {1, 1, 3, 3, 3}, kFloat32);
  check(fl::pad(A({1, 1, 4}), {-3, 2}, "replicate"), {3, 3, 3}, {1, 1, 3}, kFloat32);
}
TEST(ShapeValues, PadCircular) {
  check(fl::pad(A({1, 1, 5}), {-1, 2}, "circular"), {1, 2, 3, 4, 1, 2}, {1, 1, 6}, kFloat32);
  check(fl::pad(A({1, 2, 3}), {1, 2, 2, 1}, "circular"), {2, 0, 1, 2, 0, 1, 5, 3, 4, 5, 3, 4, 2, 0, 1, 2, 0, 1, 5, 3, 4, 5, 3, 4, 2, 0, 1, 2, 0, 1}, {1, 5, 6}, kFloat32);
  check(fl::pad(A({2, 3}), {3, 3}, "circular"), {0, 1, 2, 0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5, 3, 4, 5}, {2, 9}, kFloat32);
  check(fl::pad(A({1, 1, 5}), {2, -1}, "circular"), {2, 3, 0, 1, 2, 3}, {1, 1, 6}, kFloat32);
  check(fl::pad(A({1, 1, 2, 2, 2}, kInt64), {1, 1, 0, 1, 1, 0}, "circular"), {5, 4, 5, 4, 7, 6, 7, 6, 5, 4, 5, 4, 1, 0, 1, 0, 3, 2, 3, 2, 1, 0, 1, 0, 5, 4, 5, 4, 7, 6, 7, 6, 5, 4, 5, 4}, {1, 1, 3, 3, 4}, kInt64);
}

TEST(ShapeValues, TensorMethods) {
  Tensor x = A({3, 4});
  check(x.repeat({1, 2}), {0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7, 8, 9, 10, 11, 8, 9, 10, 11}, {3, 8}, kFloat32);
  check(x.flip({1}), {3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8}, {3, 4}, kFloat32);
  check(x.roll({1}, {1}), {3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10}, {3, 4}, kFloat32);
  check(x.tril(), {0, 0, 0, 0, 4, 5, 0, 0, 8, 9, 10, 0}, {3, 4}, kFloat32);
  check(x.triu(), {0, 1, 2, 3, 0, 5, 6, 7, 0, 0, 10, 11}, {3, 4}, kFloat32);
  auto s = x.split(2);
  ASSERT_EQ(s.size(), 2u);
  check(s[1], {8, 9, 10, 11}, {1, 4}, kFloat32);
  auto c = x.chunk(2, 1);
  ASSERT_EQ(c.size(), 2u);
  check(c[1], {2, 3, 6, 7, 10, 11}, {3, 2}, kFloat32);
  auto u = x.unbind(1);
  ASSERT_EQ(u.size(), 4u);
  check(u[3], {3, 7, 11}, {3}, kFloat32);
}

TEST(ShapeValues, PadKeepsNonFiniteValues) {
  Tensor x = tensor(std::vector<double>{INF, -INF, 1.0}, Shape{1, 1, 3});
  expect_values(fl::pad(x, {1, 1}, "reflect"), {-INF, INF, -INF, 1, -INF}, {1, 1, 5});
  expect_values(fl::pad(x, {1, 0}, "constant", -INF), {-INF, INF, -INF, 1}, {1, 1, 4});
}

}  // namespace fl::test
