// Shape ops beyond values: PyTorch's errors (class and message), grad_fn names, view semantics of the
// splits, output strides, and the float64 gradient rows for every differentiable shape/view op.
#include <typeinfo>

#include "test_util.h"

namespace fl::test {
namespace {
Tensor A(const Shape& shape, Dtype d = kFloat32) {
  int64_t n = 1;
  for (auto s : shape) n *= s;
  return arange(n).reshape(shape).to(d);
}
// The exact exception class (not a subclass) and message, as PyTorch raises them.
template <typename E, typename F>
void expect_error(F f, const std::string& msg) {
  try {
    f();
    ADD_FAILURE() << "expected an exception: " << msg;
  } catch (const Error& e) {
    EXPECT_EQ(typeid(e).name(), typeid(E).name()) << e.what();
    EXPECT_EQ(std::string(e.what()), msg);
  }
}
}  // namespace

TEST(ShapeErrors, ViewLike) {
  Tensor x = A({3, 4});
  expect_error<Error>([&] { fl::unflatten(x, 1, {}); }, "unflatten: sizes must be non-empty");
  expect_error<Error>([&] { fl::unflatten(x, 1, {3, 3}); },
                      "unflatten: Provided sizes [3, 3] don't multiply up to the size of dim 1 (4) in the input tensor");
  expect_error<Error>([&] { fl::unflatten(x, -1, {-1, 3}); },
                      "unflatten: Provided sizes [-1, 3] don't multiply up to the size of dim 1 (4) in the input tensor");
  expect_error<IndexError>([&] { fl::unflatten(x, 2, {2, 2}); },
                           "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  expect_error<Error>([&] { fl::movedim(x, {0, 1}, {0}); },
                      "movedim: Invalid source or destination dims: source ([0, 1] dims) should contain the same number "
                      "of dims as destination ([0] dims)");
  expect_error<Error>([&] { fl::movedim(x, {0, 0}, {0, 1}); }, "movedim: repeated dim in `source` ([0, 0])");
  expect_error<Error>([&] { fl::movedim(x, {0, 1}, {1, -1}); }, "movedim: repeated dim in `destination` ([1, -1])");
  expect_error<IndexError>([&] { fl::movedim(x, 2, 0); },
                           "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  expect_error<Error>([&] { fl::broadcast_to(x, {2}); },
                      "expand(torch.FloatTensor{[3, 4]}, size=[2]): the number of sizes provided (1) must be greater "
                      "or equal to the number of dimensions in the tensor (2)");
  expect_error<Error>([&] { fl::broadcast_to(x, {3, 5}); },
                      "The expanded size of the tensor (5) must match the existing size (4) at non-singleton dimension "
                      "1.  Target sizes: [3, 5].  Tensor sizes: [3, 4]");
  expect_error<Error>([&] { fl::broadcast_tensors({x, A({5})}); },
                      "The size of tensor a (4) must match the size of tensor b (5) at non-singleton dimension 1");
}

TEST(ShapeErrors, Joining) {
  expect_error<ValueError>([] { fl::cat({}); }, "torch.cat(): expected a non-empty list of Tensors");
  expect_error<Error>([] { fl::cat({A({2}), A({})}); }, "zero-dimensional tensor (at position 1) cannot be concatenated");
  expect_error<Error>([] { fl::cat({A({2, 2}), A({3, 2})}, 1); },
                      "Sizes of tensors must match except in dimension 1. Expected size 2 but got size 3 for tensor "
                      "number 1 in the list.");
  expect_error<Error>([] { fl::cat({A({0, 3}), A({3, 4})}); },
                      "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4 for tensor "
                      "number 1 in the list.");
  expect_error<Error>([] { fl::cat({A({2, 2}), A({2})}); }, "Tensors must have same number of dimensions: got 2 and 1");
  expect_error<IndexError>([] { fl::cat({A({3, 4}), A({3, 4})}, 2); },
                           "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  // All inputs legacy-empty: no dim check at all, as in PyTorch.
  EXPECT_EQ(fl::cat({A({0}), A({0})}, 5).sizes(), Shape{0});
  expect_error<Error>([] { fl::stack({}); }, "stack expects a non-empty TensorList");
  expect_error<Error>([] { fl::stack({A({2}), A({3})}); },
                      "stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1");
  expect_error<IndexError>([] { fl::stack({A({2}), A({2})}, 3); },
                           "Dimension out of range (expected to be in range of [-2, 1], but got 3)");
  expect_error<Error>([] { fl::hstack({}); }, "hstack expects a non-empty TensorList");
  expect_error<Error>([] { fl::vstack({}); }, "vstack expects a non-empty TensorList");
  expect_error<Error>([] { fl::dstack({}); }, "dstack expects a non-empty TensorList");
}

TEST(ShapeErrors, Splitting) {
  Tensor x = A({3, 4});
  expect_error<Error>([&] { fl::split(x, -1); }, "split expects split_size be non-negative, but got split_size=-1");
  expect_error<Error>([&] { fl::split(x, 0); }, "split_size can only be 0 if dimension size is 0, but got dimension size of 3");
  expect_error<Error>([] { fl::split(A({}), 1); }, "split expects at least a 1-dimensional tensor");
  expect_error<Error>([&] { fl::split(x, Shape{1, 1}, -2); },
                      "split_with_sizes expects split_sizes to sum exactly to 3 (input tensor's size at dimension -2), "
                      "but got split_sizes=[1, 1]");
  expect_error<Error>([&] { fl::split(x, Shape{-1, 4}); },
                      "split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes=[-1, 4]");
  expect_error<Error>([&] { fl::chunk(x, 0); }, "chunk expects `chunks` to be greater than 0, got: 0");
  expect_error<Error>([] { fl::chunk(A({}), 1); }, "chunk expects at least a 1-dimensional tensor");
  expect_error<IndexError>([] { fl::unbind(A({}), -1); }, "Dimension specified as 0 but tensor has no dimensions");
  expect_error<IndexError>([&] { fl::unbind(x, 2); }, "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  expect_error<Error>([&] { fl::tensor_split(x, 0); }, "number of sections must be larger than 0, got 0");
  expect_error<Error>([] { fl::tensor_split(A({}), 1); },
                      "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims");
}

TEST(ShapeErrors, RepeatFlipRoll) {
  Tensor x = A({3, 4});
  expect_error<Error>([&] { fl::repeat(x, {2}); },
                      "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  expect_error<Error>([&] { fl::repeat(x, {-1, 2}); }, "Trying to create tensor with negative dimension -3: [-3, 8]");
  expect_error<Error>([&] { fl::tile(x, {-1}); }, "Trying to create tensor with negative dimension -4: [3, -4]");
  expect_error<Error>([&] { fl::repeat_interleave(x, -1); }, "Repeats must be non-negative");
  expect_error<IndexError>([&] { fl::repeat_interleave(x, 2, 2); },
                           "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  expect_error<Error>([&] { fl::flip(x, {0, -2}); }, "dim 0 appears multiple times in the list of dims");
  expect_error<IndexError>([&] { fl::flip(x, {2}); }, "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  expect_error<Error>([] { fl::fliplr(A({3})); }, "Input must be >= 2-d.");
  expect_error<Error>([] { fl::flipud(A({})); }, "Input must be >= 1-d.");
  expect_error<Error>([&] { fl::roll(x, {}); }, "`shifts` required");
  expect_error<Error>([&] { fl::roll(x, {1, 2}); }, "shifts and dimensions must align. shifts: 2, dims:0");
  expect_error<Error>([&] { fl::roll(x, {1, 2}, {0}); }, "shifts and dimensions must align. shifts: 2, dims:1");
  expect_error<IndexError>([&] { fl::roll(x, {1}, {2}); }, "Dimension out of range (expected to be in range of [-2, 1], but got 2)");
  expect_error<IndexError>([] { fl::roll(A({}), {1}, {0}); }, "Dimension specified as 0 but tensor has no dimensions");
  expect_error<Error>([&] { fl::rot90(x, 1, {0}); }, "expected total rotation dims == 2, but got dims = 1");
  expect_error<Error>([] { fl::rot90(A({3})); }, "expected total dims >= 2, but got total dims = 1");
  expect_error<Error>([&] { fl::rot90(x, 1, {0, -2}); }, "expected rotation dims to be different, but got dim0 = 0 and dim1 = -2");
  expect_error<IndexError>([&] { fl::rot90(x, 1, {-3, 1}); },
                           "Dimension out of range (expected to be in range of [-2, 1], but got -3)");
  expect_error<Error>([] { fl::tril(A({3})); }, "tril: input tensor must have at least 2 dimensions");
  expect_error<Error>([] { fl::triu(A({})); }, "triu: input tensor must have at least 2 dimensions");
}

TEST(ShapeErrors, Pad) {
  Tensor x = A({3, 4});
  expect_error<NotImplementedError>([&] { fl::pad(x, {1, 1}, "foo"); }, "Unrecognised padding mode foo");
  expect_error<Error>([&] { fl::pad(x, {1}); }, "Padding length must be divisible by 2");
  expect_error<Error>([&] { fl::pad(x, {1, 1, 1, 1, 1, 1}); },
                      "Padding length should be less than or equal to two times the input dimension but got padding "
                      "length 6 and input of dimension 2");
  expect_error<Error>([] { fl::pad(A({3}), {-4, 2}); }, "narrow(): length must be non-negative.");
  expect_error<Error>([] { fl::pad(A({1, 2, 5}), {1, 1}, "reflect", 1.0); },
                      "Padding mode \"reflect\" doesn't take in value argument");
  expect_error<NotImplementedError>([] { fl::pad(A({5}), {1, 1}, "reflect"); },
                                    "Padding size 2 is not supported for 1D input tensor.");
  expect_error<NotImplementedError>([] { fl::pad(A({1, 3, 4, 5}), {1, 1}, "circular"); },
                                    "Padding size 2 is not supported for 4D input tensor.");
  expect_error<Error>([] { fl::pad(A({1, 2, 3}), {3, 1}, "reflect"); },
                      "Argument #4: Padding size should be less than the corresponding input dimension, but got: "
                      "padding (3, 1) at dimension 2 of input [1, 2, 3]");
  expect_error<Error>([] { fl::pad(A({1, 3, 5}), {1, 1, 3, 1}, "reflect"); },
                      "Argument #6: Padding size should be less than the corresponding input dimension, but got: "
                      "padding (3, 1) at dimension 1 of input [1, 3, 5]");
  expect_error<Error>([] { fl::pad(A({1, 3, 4, 5}), {1, 1, 1, 1, 3, 1}, "reflect"); },
                      "Argument #8: Padding size should be less than the corresponding input dimension, but got: "
                      "padding (3, 1) at dimension 1 of input [1, 3, 4, 5]");
  expect_error<Error>([] { fl::pad(A({1, 2, 3}), {-2, -1}, "reflect"); }, "input (W: 3) is too small. Calculated output W: 0");
  expect_error<Error>([] { fl::pad(A({1, 3, 3}), {-2, -1, -2, -1}, "reflect"); },
                      "input (H: 3, W: 3) is too small. Calculated output H: 0 W: 0");
  expect_error<Error>([] { fl::pad(A({1, 3, 3}), {-2, -1, -2, -1}, "replicate"); },
                      "input (H: 3, W: 3 ) is too small. Calculated output H: 0 W: 0");
  expect_error<Error>([] { fl::pad(A({1, 3, 3, 3}), {-2, -1, -2, -1, -2, -1}, "replicate"); },
                      "input (D: 3 H: 3, W: 3) is too small. Calculated output D: 0 H: 0 W: 0");
  expect_error<Error>([] { fl::pad(A({1, 2, 0}), {1, 1}, "replicate"); },
                      "Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions "
                      "for input, but got: [1, 2, 0]");
  expect_error<Error>([] { fl::pad(A({0, 3}), {1, 1}, "reflect"); },
                      "Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions "
                      "for input, but got: [0, 3]");
  expect_error<Error>([] { fl::pad(A({1, 2, 0, 5}), {1, 1, 1, 1}, "reflect"); },
                      "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions "
                      "for input, but got: [1, 2, 0, 5]");
  expect_error<Error>([] { fl::pad(A({1, 2, 3}), {4, 1}, "circular"); }, "Padding value causes wrapping around more than once.");
  expect_error<Error>([] { fl::pad(A({1, 2, 3}), {-3, -1}, "circular"); },
                      "Negative padding value is resulting in an empty dimension");
  // Accepted edge cases: a 0 batch, cropping to nothing along one of two dims.
  EXPECT_EQ(fl::pad(A({0, 2, 3}), {1, 1}, "replicate").sizes(), (Shape{0, 2, 5}));
  EXPECT_EQ(fl::pad(A({1, 3, 3}), {-2, -1, 0, 0}, "reflect").sizes(), (Shape{1, 3, 0}));
  EXPECT_EQ(fl::pad(A({1, 2, 3}), {-2, -1}, "circular").sizes(), (Shape{1, 2, 0}));
}

// --- grad_fn names, views and strides ---------------------------------------------------------------------

TEST(ShapeAutograd, GradFnNames) {
  Tensor x = random_input({3, 4}).requires_grad_();
  Tensor y = random_input({2, 3, 4}).requires_grad_();
  EXPECT_EQ(fl::unflatten(x, 1, {2, 2}).grad_fn_name(), "ViewBackward0");
  EXPECT_EQ(fl::movedim(y, 0, 2).grad_fn_name(), "PermuteBackward0");
  EXPECT_EQ(fl::swapaxes(y, 0, 2).grad_fn_name(), "TransposeBackward0");
  EXPECT_EQ(fl::broadcast_to(x, {2, 3, 4}).grad_fn_name(), "ExpandBackward0");
  auto bt = fl::broadcast_tensors({x, y});
  EXPECT_EQ(bt[0].grad_fn_name(), "ExpandBackward0");
  EXPECT_EQ(bt[1].impl(), y.impl());  // already of the broadcast shape: returned as is
  EXPECT_EQ(fl::atleast_1d(x).impl(), x.impl());
  EXPECT_EQ(fl::atleast_1d(x.select(0, 0).select(0, 0)).grad_fn_name(), "ViewBackward0");
  EXPECT_EQ(fl::atleast_2d(x[0]).grad_fn_name(), "UnsqueezeBackward0");
  EXPECT_EQ(fl::cat({x, x}).grad_fn_name(), "CatBackward0");
  EXPECT_EQ(fl::stack({x, x}).grad_fn_name(), "StackBackward0");
  EXPECT_EQ(fl::hstack({x, x}).grad_fn_name(), "CatBackward0");
  EXPECT_EQ(fl::dstack({x, x}).grad_fn_name(), "CatBackward0");
  for (auto& p : x.split(2)) EXPECT_EQ(p.grad_fn_name(), "SplitBackward0");
  for (auto& p : fl::split(x, Shape{1, 2})) EXPECT_EQ(p.grad_fn_name(), "SplitWithSizesBackward0");
  for (auto& p : x.chunk(3)) EXPECT_EQ(p.grad_fn_name(), "SplitBackward0");
  for (auto& p : x.unbind()) EXPECT_EQ(p.grad_fn_name(), "UnbindBackward0");
  for (auto& p : fl::tensor_split(x, 2)) EXPECT_EQ(p.grad_fn_name(), "SliceBackward0");
  EXPECT_EQ(x.repeat({2, 1}).grad_fn_name(), "RepeatBackward0");
  EXPECT_EQ(fl::tile(x, {2}).grad_fn_name(), "RepeatBackward0");
  EXPECT_EQ(fl::repeat_interleave(x, 2).grad_fn_name(), "ViewBackward0");
  EXPECT_EQ(fl::repeat_interleave(x, 2, 1).grad_fn_name(), "ViewBackward0");
  EXPECT_EQ(fl::fliplr(x).grad_fn_name(), "FlipBackward0");
  EXPECT_EQ(x.roll({1}).grad_fn_name(), "RollBackward0");
  EXPECT_EQ(x.roll({1}, {0}).grad_fn_name(), "RollBackward0");
  for (int k = -1; k < 5; ++k) EXPECT_EQ(fl::rot90(x, k).grad_fn_name(), "Rot90Backward0");
  EXPECT_EQ(x.tril().grad_fn_name(), "TrilBackward0");
  EXPECT_EQ(x.triu().grad_fn_name(), "TriuBackward0");
  Tensor z = random_input({1, 2, 5}).requires_grad_();
  Tensor z4 = random_input({1, 2, 5, 5}).requires_grad_();
  EXPECT_EQ(fl::pad(x, {1, 1}).grad_fn_name(), "ConstantPadNdBackward0");
  EXPECT_EQ(fl::pad(z, {1, 1}, "reflect").grad_fn_name(), "ReflectionPad1DBackward0");
  EXPECT_EQ(fl::pad(z, {1, 1}, "replicate").grad_fn_name(), "ReplicationPad1DBackward0");
  EXPECT_EQ(fl::pad(z, {1, 1}, "circular").grad_fn_name(), "CopySlices");
  EXPECT_EQ(fl::pad(z4, {1, 1, 1, 1}, "reflect").grad_fn_name(), "ReflectionPad2DBackward0");
  EXPECT_EQ(fl::pad(z4, {1, 1, 1, 1}, "replicate").grad_fn_name(), "ReplicationPad2DBackward0");
}

TEST(ShapeAutograd, SplitsAreViewsOfTheirInput) {
  Tensor x = A({6});
  auto parts = x.split(4);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_TRUE(parts[1].is_view());
  EXPECT_EQ(parts[1]._base().impl(), x.impl());
  EXPECT_EQ(parts[1].storage_offset(), 4);
  parts[1].add_(10);
  expect_values(x, {0, 1, 2, 3, 14, 15});
  auto rows = A({2, 3}).unbind(1);
  EXPECT_EQ(rows[2].strides(), Shape{3});
  EXPECT_EQ(rows[2].storage_offset(), 2);
  auto chunks = fl::chunk(x, 3);
  chunks[0].zero_();
  expect_values(x, {0, 0, 2, 3, 14, 15});
  // cat and stack copy.
  Tensor c = fl::cat({x, x});
  EXPECT_FALSE(c.is_view());
  x.zero_();
  expect_values(c, {0, 0, 2, 3, 14, 15, 0, 0, 2, 3, 14, 15});
}

TEST(ShapeAutograd, OutputStridesAsPyTorch) {
  Tensor x = A({3, 4});
  // rot90 flips, then transposes in place.
  Tensor r = fl::rot90(x);
  EXPECT_EQ(r.strides(), (Shape{1, 4}));
  EXPECT_FALSE(r.is_contiguous());
  EXPECT_EQ(fl::rot90(x, 2).strides(), (Shape{4, 1}));
  EXPECT_EQ(fl::rot90(x.t()).strides(), (Shape{4, 1}));
  EXPECT_EQ(fl::rot90(A({2, 3, 4}).permute({2, 0, 1}), 1, {0, 1}).strides(), (Shape{12, 1, 4}));
  EXPECT_EQ(fl::rot90(A({4, 6}).slice(1, 0, std::nullopt, 2)).strides(), (Shape{1, 3}));
  // flip keeps a dense input's layout.
  EXPECT_EQ(x.t().flip({0}).strides(), (Shape{1, 4}));
  EXPECT_EQ(A({4, 6}).slice(1, 0, std::nullopt, 2).flip({0}).strides(), (Shape{3, 1}));
  EXPECT_EQ(fl::roll(x.t(), {1}, {0}).strides(), (Shape{3, 1}));
  EXPECT_EQ(fl::cat({x.t(), x.t()}).strides(), (Shape{3, 1}));
  EXPECT_EQ(fl::pad(x.t(), {1, 1}).strides(), (Shape{5, 1}));
  Tensor ri = fl::repeat_interleave(x, 2, 0);
  EXPECT_TRUE(ri.is_view());
  EXPECT_EQ(ri.strides(), (Shape{4, 1}));
}

TEST(ShapeAutograd, CatGradReachesSkippedEmptyInputs) {
  Tensor a = random_input({2, 3}).requires_grad_();
  Tensor e = random_input({0}).requires_grad_();
  Tensor i = A({2, 3}, kInt64);
  Tensor out = fl::cat({e, a, i}, 1);
  EXPECT_EQ(out.dtype(), kFloat64);
  out.sum().backward();
  expect_values(a.grad(), std::vector<double>(6, 1.0), {2, 3});
  ASSERT_TRUE(e.grad().defined());
  EXPECT_EQ(e.grad().sizes(), Shape{0});
}

// --- gradient rows ----------------------------------------------------------------------------------------

static GradCases kGrads({
    {"reshape", [](auto& x) { return fl::reshape(x[0].t(), {12}); }, {{3, 4}}},
    {"reshape", [](auto& x) { return fl::reshape(x[0], {2, -1}); }, {{3, 4}}},
    {"flatten", [](auto& x) { return fl::flatten(x[0].transpose(0, 2), 1); }, {{2, 3, 4}}},
    {"squeeze", [](auto& x) { return fl::squeeze(x[0]); }, {{2, 1, 3}}},
    {"squeeze", [](auto& x) { return fl::squeeze(x[0], 1); }, {{2, 1, 3}}},
    {"unsqueeze", [](auto& x) { return fl::unsqueeze(x[0].t(), 1); }, {{2, 3}}},
    {"permute", [](auto& x) { return fl::permute(x[0], {2, 0, 1}); }, {{2, 3, 4}}},
    {"transpose", [](auto& x) { return fl::transpose(x[0], 0, 2); }, {{2, 3, 4}}},
    {"t", [](auto& x) { return fl::t(x[0]); }, {{2, 3}}},
    {"select", [](auto& x) { return fl::select(x[0], 1, -1); }, {{2, 3, 4}}},
    {"narrow", [](auto& x) { return fl::narrow(x[0], 1, 1, 2); }, {{3, 4}}},
    {"diagonal", [](auto& x) { return fl::diagonal(x[0], 1); }, {{3, 4}}},
    {"diagonal", [](auto& x) { return fl::diagonal(x[0], -1, 2, 0); }, {{3, 2, 4}}},
    {"clone", [](auto& x) { return fl::clone(x[0].t()); }, {{2, 3}}},
    {"expand", [](auto& x) { return x[0].expand({2, 3, 4}); }, {{3, 1}}},
    {"unflatten", [](auto& x) { return fl::unflatten(x[0], 1, {3, -1}); }, {{2, 6}}},
    {"movedim", [](auto& x) { return fl::movedim(x[0], {0, 1}, {2, 0}); }, {{2, 3, 4}}},
    {"swapaxes", [](auto& x) { return fl::swapaxes(x[0], 0, -1); }, {{2, 3, 4}}},
    {"broadcast_to", [](auto& x) { return fl::broadcast_to(x[0], {2, 3, 4}); }, {{3, 1}}},
    {"broadcast_tensors", [](auto& x) {
       auto r = fl::broadcast_tensors({x[0], x[1]});
       return r[0] * r[1];
     }, {{3, 1}, {4}}},
    {"atleast_1d", [](auto& x) { return fl::atleast_1d(x[0]); }, {{}}},
    {"atleast_2d", [](auto& x) { return fl::atleast_2d(x[0]); }, {{3}}},
    {"cat", [](auto& x) { return fl::cat({x[0], x[1], x[2]}, 1); }, {{2, 1}, {2, 3}, {0}}},
    {"cat", [](auto& x) { return fl::cat({x[0].t(), x[1]}); }, {{3, 2}, {1, 3}}},
    {"concat", [](auto& x) { return fl::concat({x[0], x[1]}); }, {{2}, {3}}},
    {"stack", [](auto& x) { return fl::stack({x[0], x[1]}, 1); }, {{2, 3}, {2, 3}}},
    {"hstack", [](auto& x) { return fl::hstack({x[0], x[1]}); }, {{2}, {3}}},
    {"vstack", [](auto& x) { return fl::vstack({x[0], x[1]}); }, {{3}, {2, 3}}},
    {"dstack", [](auto& x) { return fl::dstack({x[0], x[1]}); }, {{2, 2}, {2, 2, 1}}},
    {"split", [](auto& x) {
       auto p = fl::split(x[0], 2);
       return fl::cat({p[2], p[0] * 2.0, p[1]});
     }, {{5, 2}}},
    {"split", [](auto& x) {
       auto p = fl::split(x[0], Shape{1, 3}, 1);
       return p[1] * p[0];
     }, {{2, 4}}},
    {"chunk", [](auto& x) {
       auto p = fl::chunk(x[0], 2, 1);
       return p[0] * p[1];
     }, {{2, 4}}},
    {"unbind", [](auto& x) {
       auto p = fl::unbind(x[0], 1);
       return p[0] * p[1] + p[2];
     }, {{2, 3}}},
    {"tensor_split", [](auto& x) {
       auto p = fl::tensor_split(x[0], 3);
       return fl::cat({p[1], p[0] * 3.0, p[2]});
     }, {{7}}},
    {"repeat", [](auto& x) { return fl::repeat(x[0], {2, 1, 2}); }, {{2, 3}}},
    {"tile", [](auto& x) { return fl::tile(x[0], {2, 2}); }, {{3}}},
    {"repeat_interleave", [](auto& x) { return fl::repeat_interleave(x[0], 2, 1); }, {{2, 3}}},
    {"repeat_interleave", [](auto& x) { return fl::repeat_interleave(x[0].t(), 3); }, {{2, 2}}},
    {"flip", [](auto& x) { return fl::flip(x[0], {0, 2}); }, {{2, 3, 2}}},
    {"fliplr", [](auto& x) { return fl::fliplr(x[0]); }, {{2, 3}}},
    {"flipud", [](auto& x) { return fl::flipud(x[0]); }, {{3, 2}}},
    {"roll", [](auto& x) { return fl::roll(x[0], {1, -2}, {0, 1}); }, {{3, 4}}},
    {"roll", [](auto& x) { return fl::roll(x[0].t(), {5}); }, {{3, 4}}},
    {"rot90", [](auto& x) { return fl::rot90(x[0]); }, {{2, 3}}},
    {"rot90", [](auto& x) { return fl::rot90(x[0], 2, {2, 0}); }, {{2, 3, 2}}},
    {"tril", [](auto& x) { return fl::tril(x[0], -1); }, {{2, 3, 3}}},
    {"triu", [](auto& x) { return fl::triu(x[0], 1); }, {{3, 4}}},
    {"pad", [](auto& x) { return fl::pad(x[0], {1, -1, 2, 0}, "constant", 1.5); }, {{2, 3}}},
    {"pad", [](auto& x) { return fl::pad(x[0], {2, 1, 1, 2}, "reflect"); }, {{1, 3, 4}}},
    {"pad", [](auto& x) { return fl::pad(x[0], {2, -1}, "replicate"); }, {{2, 3}}},
    {"pad", [](auto& x) { return fl::pad(x[0], {1, 2, 0, 1, 1, 0}, "circular"); }, {{1, 2, 2, 3}}},
});

}  // namespace fl::test
