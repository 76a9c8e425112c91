// Strides of new results (issue #2), against the values torch 2.13 reports for the same calls (noted beside each
// check), and the consumers of those strides: views, view() errors, reshape, data_ptr offsets, gradients.
#include "fl/autograd.h"
#include "test_util.h"

namespace fl::test {
namespace {

Tensor base23() { return random_input({2, 3}, -2, 2, 1); }  // x.t(): (3, 2) with strides (1, 3)

TEST(Layout, CloneKeepsDenseStrides) {
  Tensor xt = base23().t();
  Tensor c = xt.clone();
  EXPECT_EQ(c.strides(), (Shape{1, 3}));  // torch: (1, 3)
  EXPECT_FALSE(c.is_contiguous());
  EXPECT_FALSE(c.is_view());
  EXPECT_TRUE(c.equal(xt));
  Tensor r = xt.clone(MemoryFormat::Contiguous);
  EXPECT_EQ(r.strides(), (Shape{2, 1}));
  EXPECT_TRUE(r.is_contiguous());
  EXPECT_EQ(xt.contiguous().strides(), (Shape{2, 1}));
  EXPECT_EQ(c.contiguous().strides(), (Shape{2, 1}));
  Tensor rc = r.contiguous();
  EXPECT_EQ(rc.data_ptr(), r.data_ptr());  // already contiguous: self
  // A 3-D permutation; a size-1 dim keeps its odd stride; non-dense inputs get dense strides in their order.
  Tensor p = random_input({2, 3, 4}).permute({2, 0, 1});
  EXPECT_EQ(p.clone().strides(), (Shape{1, 12, 4}));                                       // torch: (1, 12, 4)
  EXPECT_EQ(random_input({3, 1}).t().clone().strides(), (Shape{1, 1}));                    // torch: (1, 1)
  EXPECT_EQ(random_input({3, 8}).slice(1, 0, 8, 2).clone().strides(), (Shape{4, 1}));      // torch: (4, 1)
  EXPECT_EQ(random_input({8, 3}).slice(0, 0, 8, 2).t().clone().strides(), (Shape{1, 3}));  // torch: (1, 3)
  EXPECT_EQ(random_input({3, 1}).expand({3, 4}).clone().strides(), (Shape{4, 1}));         // torch: (4, 1)
}

TEST(Layout, ElementwiseResultsFollowTensorIterator) {
  Tensor x = base23(), xt = x.t(), y = random_input({3, 2}, -2, 2, 2);
  EXPECT_EQ(fl::exp(xt).strides(), (Shape{1, 3}));  // torch: (1, 3)
  expect_values(fl::exp(xt).contiguous(), fl::exp(x).t().contiguous().tolist<double>(), {3, 2}, 1e-12);
  EXPECT_EQ((xt + 1).strides(), (Shape{1, 3}));
  EXPECT_EQ((xt * xt).strides(), (Shape{1, 3}));
  EXPECT_EQ(gt(xt, 0.0).strides(), (Shape{1, 3}));
  EXPECT_EQ((xt + y).strides(), (Shape{1, 3}));  // the first input with a strict order decides
  EXPECT_EQ((y + xt).strides(), (Shape{2, 1}));
  EXPECT_EQ(where(gt(y, 0.0), xt, y).strides(), (Shape{2, 1}));  // the condition comes first
  // Broadcasting: a (3, 1) column and a row against the transposed input; an expanded input decides nothing.
  EXPECT_EQ((xt - random_input({3, 1})).strides(), (Shape{1, 3}));
  EXPECT_EQ((random_input({2}) - xt).strides(), (Shape{1, 3}));
  EXPECT_EQ((random_input({3, 1}).expand({3, 2}) + 1).strides(), (Shape{2, 1}));
  // A size-1 dim with an odd stride: contiguous inputs of one shape give contiguous strides, a scalar operand
  // sends the op to the general rule (torch: exp (3, 1), +1 (1, 1)).
  Tensor s = random_input({3, 1}).t();
  EXPECT_EQ(fl::exp(s).strides(), (Shape{3, 1}));
  EXPECT_EQ((s + 1).strides(), (Shape{1, 1}));
  // Row-major inputs: row-major results, whatever the op.
  EXPECT_EQ((x + x).strides(), (Shape{3, 1}));
  // Conversions keep the layout.
  EXPECT_EQ(xt.to(kFloat64).strides(), (Shape{1, 3}));
  EXPECT_EQ(xt.to(kInt32).strides(), (Shape{1, 3}));
}

TEST(Layout, ChannelsLast) {
  Tensor cl = random_input({2, 4, 5, 3}).permute({0, 3, 1, 2});
  EXPECT_TRUE(cl.is_contiguous(MemoryFormat::ChannelsLast));
  EXPECT_FALSE(cl.is_contiguous());
  Tensor x = random_input({2, 3, 4, 5});
  Tensor c = x.contiguous(MemoryFormat::ChannelsLast);
  EXPECT_EQ(c.strides(), (Shape{60, 1, 15, 3}));  // torch: (60, 1, 15, 3)
  EXPECT_TRUE(c.equal(x));
  EXPECT_EQ(random_input({2, 3, 4, 5, 6}).clone(MemoryFormat::ChannelsLast3d).strides(),
            (Shape{360, 1, 90, 18, 3}));  // torch: (360, 1, 90, 18, 3)
  expect_error_containing<Error>([&] { x.clone(MemoryFormat::ChannelsLast3d); },
                                 "required rank 5 tensor to use channels_last_3d format");
  expect_error_containing<Error>(
      [&] {
        random_input({2, 3}).clone(MemoryFormat::ChannelsLast);
      },
      "required rank 4 tensor to use channels_last format");
  expect_error_containing<Error>(
      [&] {
        random_input({2, 3}).t().contiguous(MemoryFormat::Preserve);
      },
      "preserve memory format is unsupported by the contiguous operator");
}

TEST(Layout, LikeCreationKeepsLayout) {
  Tensor xt = base23().t();
  EXPECT_EQ(zeros_like(xt).strides(), (Shape{1, 3}));
  EXPECT_EQ(ones_like(xt, kInt64).strides(), (Shape{1, 3}));
  EXPECT_EQ(empty_like(xt, TensorOptions().memory_format(MemoryFormat::Contiguous)).strides(), (Shape{2, 1}));
  EXPECT_EQ(rand_like(xt).strides(), (Shape{1, 3}));
  expect_values(full_like(xt, 2.5), std::vector<double>(6, 2.5), {3, 2});
}

TEST(Layout, ViewsAndViewOfPermutedResults) {
  Tensor x = base23();
  Tensor e = fl::exp(x.t());  // (3, 2), strides (1, 3)
  Tensor et = e.t();          // (2, 3), strides (3, 1): contiguous, so view(-1) reads row-major values
  EXPECT_TRUE(et.is_contiguous());
  expect_values(et.view({-1}), fl::exp(x).view({-1}).tolist<double>(), {6}, 1e-12);
  expect_error_containing<Error>([&] { e.view({-1}); },
                                 "view size is not compatible with input tensor's size and stride");
  // reshape copies where view cannot, into row-major strides; where it can, it is a view with computed strides.
  Tensor r = e.reshape({-1});
  EXPECT_EQ(r.strides(), (Shape{1}));
  // (exp's kernels for strided and dense inputs may differ by an ulp: compared with a tolerance.)
  expect_values(r, fl::exp(x).t().contiguous().view({-1}).tolist<double>(), {6}, 1e-12);
  Tensor p = fl::exp(random_input({2, 3, 4}).permute({2, 0, 1}));  // (4, 2, 3), strides (1, 12, 4)
  Tensor m = p.reshape({4, 6});
  EXPECT_TRUE(m.is_view());
  EXPECT_EQ(m.strides(), (Shape{1, 4}));  // torch: (1, 4)
  EXPECT_TRUE(m.equal(p.contiguous().view({4, 6})));
  // data_ptr offsets follow the strides, as torch's memory would.
  auto addr = [](const Tensor& t) { return reinterpret_cast<intptr_t>(t.data_ptr()); };
  EXPECT_EQ(addr(e.select(1, 1)) - addr(e), 3 * e.element_size());
  EXPECT_EQ(addr(e.select(0, 1)) - addr(e), 1 * e.element_size());
  // Writes through a view of a permuted result land in the right element.
  e.select(0, 2).fill_(7.0);
  Tensor want = fl::exp(x.t());
  want.select(0, 2).fill_(7.0);
  EXPECT_TRUE(e.equal(want));
}

TEST(Layout, LeafGradientsFollowTheLayoutContract) {
  // torch's AccumulateGrad gives .grad the strides of a dense leaf, and row-major strides to other leaves.
  Tensor w = base23().t().clone().requires_grad_(true);  // strides (1, 3)
  (w * w).sum().backward();
  EXPECT_EQ(w.grad().strides(), (Shape{1, 3}));
  expect_values(w.grad(), (w.detach() * 2).contiguous().tolist<double>(), {3, 2}, 1e-6);
  Tensor v = random_input({3, 8}).slice(1, 0, 8, 2).detach().requires_grad_(true);  // non-dense leaf
  (v * v).sum().backward();
  EXPECT_EQ(v.grad().strides(), (Shape{4, 1}));
  Tensor u = random_input({2, 3}).requires_grad_(true);  // row-major leaf, transposed gradient
  u.backward(ones({3, 2}).t());
  EXPECT_EQ(u.grad().strides(), (Shape{3, 1}));
  expect_values(u.grad(), std::vector<double>(6, 1.0), {2, 3});
}

}  // namespace
}  // namespace fl::test
