// x[...] and x[...] = v against PyTorch (expected values computed with torch 2.13, pasted as literals):
// basic indices are views, tensor indices follow numpy's placement rules, errors carry torch's messages.
#include <set>

#include "test_util.h"

namespace fl::test {
namespace {

Tensor cube() { return arange(24, kFloat32).reshape({2, 3, 4}); }
Tensor i64(std::vector<int64_t> v) { return tensor<int64_t>(v); }
Tensor bools(std::vector<bool> v, Shape s) { return tensor<bool>(v, s); }

TEST(IndexingBasic, IntsSlicesNoneEllipsisAreViews) {
  Tensor x = cube();
  Tensor a = x.index({0});
  expect_values(a, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {3, 4});
  EXPECT_TRUE(a.is_view());
  Tensor b = x.index({1, Slice(), Slice{std::nullopt, std::nullopt, 2}});  // x[1, :, ::2]
  expect_values(b, {12, 14, 16, 18, 20, 22}, {3, 2});
  EXPECT_EQ(b.strides(), (Shape{4, 2}));
  expect_values(x.index({Slice(), Slice{1, 3}, 0}), {4, 8, 16, 20}, {2, 2});
  EXPECT_EQ(x.index({None}).sizes(), (Shape{1, 2, 3, 4}));
  EXPECT_EQ(x.index({Ellipsis, None}).sizes(), (Shape{2, 3, 4, 1}));
  EXPECT_EQ(x.index({None, Ellipsis, 1}).sizes(), (Shape{1, 2, 3}));
  EXPECT_EQ(x.index({0, 0, 0, None}).sizes(), (Shape{1}));
  EXPECT_EQ(x.index({Slice{-10, 1}}).sizes(), (Shape{1, 3, 4}));
  EXPECT_EQ(x.index({Slice{5, 10}}).sizes(), (Shape{0, 3, 4}));
  expect_values(x.index({-1, -1, -1}), {23}, {});
  // A 0-d int tensor selects (a view), a 0-d bool adds a dim.
  Tensor s = x.index({Slice(), tensor(Scalar(int64_t{2}))});
  expect_values(s, {8, 9, 10, 11, 20, 21, 22, 23}, {2, 4});
  EXPECT_TRUE(s.is_view());
  EXPECT_EQ(x.index({tensor(true)}).sizes(), (Shape{1, 2, 3, 4}));
  EXPECT_EQ(x.index({true}).sizes(), (Shape{1, 2, 3, 4}));
  EXPECT_EQ(x.index({false}).sizes(), (Shape{0, 2, 3, 4}));
  Tensor z = tensor(5.0);
  EXPECT_EQ(z.index({None}).sizes(), (Shape{1}));
  EXPECT_EQ(z.index({Ellipsis}).sizes(), (Shape{}));
}

TEST(IndexingBasic, GradFnNamesAndWritesThroughViews) {
  Tensor x = cube().to(kFloat64).requires_grad_();
  EXPECT_EQ(x.index({0}).grad_fn_name(), "SelectBackward0");
  EXPECT_EQ(x.index({Slice()}).grad_fn_name(), "SliceBackward0");           // x[:] (one index)
  EXPECT_EQ(x.index({Slice(), Slice()}).grad_fn_name(), "AliasBackward0");  // x[:, :]
  EXPECT_EQ(x.index({Ellipsis}).grad_fn_name(), "AliasBackward0");
  EXPECT_EQ(x.index({None}).grad_fn_name(), "UnsqueezeBackward0");
  EXPECT_EQ(x.index({i64({0, 1})}).grad_fn_name(), "IndexBackward0");
  // Views taken by index() share storage: writes reach the base.
  Tensor y = cube();
  y.index({Slice(), 1}).fill_(-1);
  expect_values(y.index({0, Slice(), 0}), {0, -1, 8});
  y.index({1, Slice{std::nullopt, std::nullopt, 2}}).mul_(0);  // rows 0 and 2 of y[1]
  expect_values(y.select(0, 1), {0, 0, 0, 0, -1, -1, -1, -1, 0, 0, 0, 0});
}

TEST(IndexingAdvanced, PlacementOfIndexDims) {
  Tensor x = cube();
  Tensor i = i64({0, 1});
  // Non-adjacent advanced indices go first; adjacent ones stay in place.
  expect_values(x.index({i, Slice(), i}), {0, 4, 8, 13, 17, 21}, {2, 3});
  expect_values(x.index({Slice(), i, i}), {0, 5, 12, 17}, {2, 2});
  EXPECT_EQ(x.index({Slice(), i, None, i}).sizes(), (Shape{2, 2, 1}));
  EXPECT_EQ(x.index({i, Slice{1, 2}, i}).sizes(), (Shape{2, 1}));
  EXPECT_EQ(x.index({i, None, i}).sizes(), (Shape{2, 1, 4}));
  EXPECT_EQ(x.index({Slice(), i, 0}).sizes(), (Shape{2, 2}));
  // Broadcast index tensors.
  expect_values(x.index({i64({1, 0}).reshape({2, 1}), i64({0, 2})}),
                {12, 13, 14, 15, 20, 21, 22, 23, 0, 1, 2, 3, 8, 9, 10, 11}, {2, 2, 4});
  expect_values(x.index({Slice(), i64({0, 2, 1, 1}).reshape({2, 2}), i64({3, 0})}), {3, 8, 7, 4, 15, 20, 19, 16},
                {2, 2, 2});
  EXPECT_EQ(x.index({Slice(), i.unsqueeze(1), i}).sizes(), (Shape{2, 2, 2}));
}

TEST(IndexingAdvanced, NegativeInt32MasksViewsAndEmpty) {
  Tensor x = cube();
  expect_values(x.index({i64({-1, 0}), 0, 0}), {12, 0});
  expect_values(x.index({Slice(), tensor<int>({2, -3}, std::nullopt, kInt32)}),
                {8, 9, 10, 11, 0, 1, 2, 3, 20, 21, 22, 23, 12, 13, 14, 15}, {2, 2, 4});
  Tensor m = bools({true, false, true, false, true, true}, {2, 3});
  expect_values(x.index({m}), {0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23}, {4, 4});
  expect_values(x.index({Slice(), bools({true, false, true}, {3}), i64({1, 2})}), {1, 10, 13, 22}, {2, 2});
  EXPECT_EQ(x.index({bools({true, false, true}, {3}).unsqueeze(0).expand({2, 3})}).sizes(), (Shape{4, 4}));
  expect_values(tensor<float>({1, 2, 3, 4}, Shape{2, 2}).index({bools({true, false, true, true}, {2, 2}).t()}),
                {1, 2, 4});
  // Transposed input.
  expect_values(x.transpose(0, 2).index({i64({3, 0}), 1}), {7, 19, 4, 16}, {2, 2});
  EXPECT_EQ(x.index({i64({})}).sizes(), (Shape{0, 3, 4}));
  EXPECT_EQ(x.index({bools({false, false}, {2})}).sizes(), (Shape{0, 3, 4}));
  expect_values(tensor(5.0).index({None}).index({i64({0, 0})}), {5, 5}, {2});
  EXPECT_THROW(tensor(5.0).index({None, i64({0, 0})}), IndexError);  // too many indices
  // Integer and float64 data.
  expect_values(arange(6).index({i64({5, 0})}), {5, 0}, {2});
  EXPECT_EQ(arange(6).index({i64({5, 0})}).dtype(), kInt64);
  expect_values(fl::index(cube().to(kFloat64), {std::nullopt, i64({2})}), {8, 9, 10, 11, 20, 21, 22, 23}, {2, 1, 4});
}

TEST(IndexingAdvanced, Errors) {
  Tensor x = arange(12, kFloat32).reshape({3, 4});
  EXPECT_THROW(x.index({5}), IndexError);
  EXPECT_EQ(error_of([&] { x.index({5}); }), "index 5 is out of bounds for dimension 0 with size 3");
  EXPECT_EQ(error_of([&] { x.index({Slice(), 7}); }), "index 7 is out of bounds for dimension 1 with size 4");
  EXPECT_EQ(error_of([&] { cube().index({Ellipsis, 9}); }), "index 9 is out of bounds for dimension 1 with size 4");
  EXPECT_EQ(error_of([&] { x.index({0, 0, 0}); }), "too many indices for tensor of dimension 2");
  EXPECT_THROW(tensor(3.0).index({0}), IndexError);
  EXPECT_THROW(x.index({Slice{0, 2, -1}}), ValueError);
  EXPECT_THROW(x.index({i64({0, 5})}), IndexError);
  EXPECT_EQ(error_of([&] { x.index({i64({0, 5})}); }), "index 5 is out of bounds for dimension 0 with size 3");
  EXPECT_EQ(error_of([&] {
              x.index({Slice(), i64({0, -5})});
            }),
            "index -5 is out of bounds for dimension 0 with size 4");
  EXPECT_EQ(error_of([&] {
              cube().index({i64({0, 1}), i64({0, 9})});
            }),
            "index 9 is out of bounds for dimension 1 with size 3");
  EXPECT_EQ(error_of([&] {
              x.index({i64({0, 1}).reshape({1, 2}), i64({1, 2, 3})});
            }),
            "shape mismatch: indexing tensors could not be broadcast together with shapes [1, 2], [3]");
  EXPECT_THROW(x.index({i64({0, 1}).reshape({1, 2}), i64({1, 2, 3})}), IndexError);
  EXPECT_EQ(error_of([&] { x.index({tensor({0.0})}); }),
            "tensors used as indices must be long, int, byte or bool tensors");
  EXPECT_EQ(error_of([&] {
              x.index({tensor({0, 1}, kInt16)});
            }),
            "tensors used as indices must be long, int, byte or bool tensors");
  EXPECT_EQ(error_of([&] {
              x.index({bools({true, false}, {2})});
            }),
            "The shape of the mask [2] at index 0 does not match the shape of the indexed tensor [3, 4] at index 0");
}

TEST(IndexPut, BasicIndicesWriteThroughViews) {
  Tensor x = zeros({3, 4});
  x.index_put_({Slice(), 0}, tensor({1.0, 2.0, 3.0}));
  x.index_put_({1}, 5.0);
  x.index_put_({2, Slice{2, std::nullopt}}, tensor({7, 8}));  // int value casts, as copy_
  x.index_put_({Ellipsis, 3}, ones({1, 1, 3}) * 9);           // leading 1s are stripped
  expect_values(x, {1, 0, 0, 9, 5, 5, 5, 9, 3, 0, 7, 9}, {3, 4});
  Tensor y = zeros({2, 3});
  y.index_put_({None}, tensor({1.0, 2.0, 3.0}));
  expect_values(y, {1, 2, 3, 1, 2, 3});
  y.index_put_({false}, 7.0);
  expect_values(y, {1, 2, 3, 1, 2, 3});
  Tensor v = zeros({2, 3}).t();  // writes into a transposed view reach its base
  v.index_put_({Slice(), 1}, tensor({4.0, 5.0, 6.0}));
  expect_values(v._base(), {0, 0, 0, 4, 5, 6});
  EXPECT_EQ(error_of([&] { x.index_put_({0}, ones({3})); }),
            "The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 0.  "
            "Target sizes: [4].  Tensor sizes: [3]");
  EXPECT_EQ(error_of([&] { x.index_put_({0}, 1e300); }), "value cannot be converted to type float without overflow");
}

TEST(IndexPut, AdvancedIndicesAndAccumulate) {
  Tensor x = cube();
  Tensor i = i64({0, 1});
  x.index_put_({i, Slice(), i}, tensor<float>({100, 200, 300}));
  expect_values(x.index({0, Slice(), 0}), {100, 200, 300});
  expect_values(x.index({1, Slice(), 1}), {100, 200, 300});
  expect_values(x.index({1, Slice(), 0}), {12, 16, 20});
  Tensor m = zeros({3, 4});
  m.index_put_({bools({true, false, false, true, false, false, false, false, true, true, true, true}, {3, 4})}, 7);
  expect_values(m, {7, 0, 0, 7, 0, 0, 0, 0, 7, 7, 7, 7});
  Tensor c = zeros({3, 4});
  c.index_put_({Slice(), i64({1, 3})}, tensor({1.0, 2.0, 3.0}).reshape({3, 1}).to(kFloat32));
  expect_values(c, {0, 1, 0, 1, 0, 2, 0, 2, 0, 3, 0, 3});
  Tensor s = zeros({3, 4});
  s.index_put_({Slice{1, std::nullopt}, i64({0})}, tensor({5.0f}));  // a view with a tensor index
  expect_values(s, {0, 0, 0, 0, 5, 0, 0, 0, 5, 0, 0, 0});
  Tensor r = zeros({3, 4});
  r.index_put_({i64({2, 0}), Slice{1, 3}}, tensor<float>({1, 2, 3, 4}).reshape({2, 2}));
  expect_values(r, {0, 3, 4, 0, 0, 0, 0, 0, 0, 1, 2, 0});
  // accumulate adds duplicates (and wraps negatives).
  Tensor acc = fl::index_put(zeros({5}), {i64({0, 0, 4, -1})}, tensor<float>({1, 2, 3, 4}), true);
  expect_values(acc, {3, 0, 0, 0, 7});
  Tensor out = fl::index_put(zeros({2, 2}), {i64({1}), i64({0})}, tensor(9.0f));
  expect_values(out, {0, 0, 9, 0});
  EXPECT_EQ(error_of([&] {
              cube().index_put_({i64({0, 1})}, tensor({1, 2, 3, 4}));
            }),
            "Index put requires the source and destination dtypes match, got Float for the destination and Long for "
            "the source.");
  EXPECT_EQ(error_of([&] {
              cube().index_put_({i64({0, 1})}, ones({3}));
            }),
            "shape mismatch: value tensor of shape [3] cannot be broadcast to indexing result of shape [2, 3, 4]");
  EXPECT_THROW(cube().index_put_({i64({0, 2})}, 1.0), IndexError);
}

TEST(IndexPut, AutogradRecordsTheWrite) {
  Tensor w = ones({3, 4}, TensorOptions(kFloat64).requires_grad());
  Tensor v = tensor({2.0, 3.0}, kFloat64).requires_grad_();
  Tensor y = w * 1.0;
  y.index_put_({Slice(), i64({0, 2})}, v);
  EXPECT_EQ(y.grad_fn_name(), "IndexPutBackward0");
  Tensor z = w * 1.0;
  z.index_put_({Slice{1, std::nullopt}, i64({0})}, tensor(4.0, kFloat64));
  EXPECT_EQ(z.grad_fn_name(), "CopySlices");
  (y * arange(12, kFloat64).reshape({3, 4})).sum().backward();
  expect_values(w.grad(), {0, 1, 0, 3, 0, 5, 0, 7, 0, 9, 0, 11});
  expect_values(v.grad(), {12, 18});  // column sums of 0,4,8 and 2,6,10
  Tensor leaf = ones({2}, TensorOptions(kFloat64).requires_grad());
  EXPECT_THROW(leaf.index_put_({i64({0})}, tensor({1.0})), Error);
}

TEST(Masks, MaskedSelectScatterAndNonzero) {
  Tensor x = arange(6, kFloat32).reshape({2, 3});
  Tensor m = bools({true, false, true, false, false, true}, {2, 3});
  expect_values(masked_select(x, m), {0, 2, 5}, {3});
  expect_values(x.masked_select(bools({true, false, true}, {3})), {0, 2, 3, 5}, {4});
  expect_values(masked_select(x.select(0, 0), m), {0, 2, 2}, {3});  // broadcast self
  expect_values(masked_select(x.t(), m.t()), {0, 2, 5});
  expect_values(masked_select(tensor(3.0), tensor(true)), {3}, {1});
  EXPECT_EQ(masked_select(x, zeros_like(m)).sizes(), (Shape{0}));
  EXPECT_EQ(error_of([&] { masked_select(x, tensor({1, 0, 1})); }), "masked_select: expected BoolTensor for mask");
  expect_values(masked_scatter(x, m, arange(10, 20, 1, kFloat32)), {10, 1, 11, 3, 4, 12}, {2, 3});
  expect_values(masked_scatter(x, bools({true, false, true}, {3}), arange(10, 20, 1, kFloat32).reshape({2, 5})),
                {10, 1, 11, 12, 4, 13});
  expect_values(masked_scatter(x.select(0, 0), m, arange(10, 20, 1, kFloat32)), {10, 1, 11, 0, 1, 12}, {2, 3});
  EXPECT_EQ(error_of([&] { masked_scatter(x, m, arange(10, 12, 1, kFloat32)); }),
            "Number of elements of source < number of ones in mask");
  EXPECT_EQ(error_of([&] { masked_scatter(x, m, arange(10, 20)); }),
            "masked_scatter: expected self and source to have same dtypes but gotFloat and Long");
  EXPECT_EQ(error_of([&] {
              masked_scatter(x, tensor({1, 0, 1}), arange(10, 20, 1, kFloat32));
            }),
            "masked_scatter_ only supports boolean masks, but got mask with dtype Long");
  Tensor nz = nonzero(tensor<double>({0.0, 1.0, NAN, 0.0}).reshape({2, 2}));
  expect_values(nz, {0, 1, 1, 0}, {2, 2});
  EXPECT_EQ(nz.dtype(), kInt64);
  EXPECT_EQ(nonzero(tensor(3.0)).sizes(), (Shape{1, 0}));
  EXPECT_EQ(nonzero(tensor(0.0)).sizes(), (Shape{0, 0}));
  EXPECT_EQ(nonzero(zeros({2, 0})).sizes(), (Shape{0, 2}));
  expect_values(arange(4).reshape({2, 2}).nonzero(), {0, 1, 1, 0, 1, 1}, {3, 2});
  auto cols = nonzero_tuple(tensor({0, 1, 2, 0}).reshape({2, 2}));
  ASSERT_EQ(cols.size(), 2u);
  expect_values(cols[0], {0, 1});
  expect_values(cols[1], {1, 0});
  auto w = fl::where(tensor(3.0));
  ASSERT_EQ(w.size(), 1u);
  expect_values(w[0], {0}, {1});
}

}  // namespace

static ValueTested kValues({"index", "index_put", "index_put_", "masked_select", "masked_scatter", "nonzero",
                            "nonzero_tuple"});

static GradCases kGrads({
    {"index",
     [](auto& x) {
       return x[0].index({Slice(), i64({2, 0, 2}), Slice{1, std::nullopt}});
     },
     {{2, 3, 4}}},
    {"index",
     [](auto& x) {
       return x[0].index({i64({1, 0}), Slice(), i64({3, -1})});
     },
     {{2, 3, 4}}},
    {"index",
     [](auto& x) {
       return x[0].index({tensor<bool>({true, false, true}, Shape{3}), 1});
     },
     {{3, 2, 2}}},
    {"index_put",
     [](auto& x) {
       return fl::index_put(x[0], {i64({0, 2}), std::nullopt}, x[1]);
     },
     {{3, 4}, {2, 4}}},
    {"index_put",
     [](auto& x) {
       return fl::index_put(x[0], {i64({1, 1, 0})}, x[1], true);
     },
     {{3, 2}, {3, 2}}},
    {"index_put_",
     [](auto& x) {
       Tensor y = x[0] * 1.0;
       y.index_put_({Slice(), i64({3, 0})}, x[1]);
       return y;
     },
     {{2, 4}, {2, 2}}},
    {"index_put_",
     [](auto& x) {
       Tensor y = x[0] * 1.0;
       y.index_put_({Slice{1, std::nullopt}, 1}, x[1]);  // basic: copy_ into a view
       return y;
     },
     {{3, 4}, {2}}},
    {"masked_select",
     [](auto& x) {
       return masked_select(x[0], tensor<bool>({true, false, true, true, false, true}, Shape{2, 3}));
     },
     {{2, 3}}},
    {"masked_select",
     [](auto& x) {
       return masked_select(x[0], tensor<bool>({false, true, true}, Shape{3}));
     },
     {{2, 3}}},
    {"masked_scatter",
     [](auto& x) {
       return masked_scatter(x[0], tensor<bool>({true, false, true, false, false, true}, Shape{2, 3}), x[1]);
     },
     {{2, 3}, {5}}},
});

}  // namespace fl::test

namespace fl::test {
// This family's rows of the gradient table, run on their own so a failure names the op.
TEST(IndexingGrad, FamilyRows) {
  std::set<std::string> mine;
  for (auto& op : op_registry())
    if (std::string(op.family) == "indexing") mine.insert(op.name);
  for (auto& c : grad_cases()) {
    if (!mine.count(c.op)) continue;
    SCOPED_TRACE("op: " + c.op);
    std::vector<Tensor> inputs;
    for (size_t i = 0; i < c.shapes.size(); ++i) inputs.push_back(random_input(c.shapes[i], c.lo, c.hi, i));
    EXPECT_NO_THROW(expect_gradcheck(c.fn, inputs));
  }
}
}  // namespace fl::test
