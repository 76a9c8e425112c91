// View metadata: sizes, strides, storage_offset, is_contiguous and data_ptr after sequences of view ops,
// exactly as torch 2.13 reports them (numbers computed with torch on the same sequences and pasted), and
// the grad_fn each view op records.
#include "test_util.h"

namespace fl::test {
namespace {
std::string shape_str(const Shape& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}
// v is a view of base (a non-view) with this PyTorch metadata; data_ptr is base's plus the offset in bytes,
// or null for an empty view (PyTorch's data_ptr of an empty tensor).
void expect_view(const Tensor& base, const Tensor& v, const Shape& sizes, const Shape& strides, int64_t offset,
                 bool contiguous) {
  SCOPED_TRACE(shape_str(sizes));
  EXPECT_EQ(v.sizes(), sizes);
  EXPECT_EQ(v.strides(), strides);
  EXPECT_EQ(v.storage_offset(), offset);
  EXPECT_EQ(v.is_contiguous(), contiguous);
  EXPECT_TRUE(v.is_view());
  EXPECT_EQ(v._base().impl(), base.impl());
  if (v.numel() == 0) {
    EXPECT_EQ(v.data_ptr(), nullptr);
  } else {
    auto diff = static_cast<const char*>(v.data_ptr()) - static_cast<const char*>(base.data_ptr());
    EXPECT_EQ(diff, offset * static_cast<int64_t>(v.element_size()));
  }
}
// v is a fresh copy (reshape of a non-viewable layout, contiguous()).
void expect_copy(const Tensor& base, const Tensor& v, const Shape& sizes, const Shape& strides) {
  SCOPED_TRACE(shape_str(sizes));
  EXPECT_EQ(v.sizes(), sizes);
  EXPECT_EQ(v.strides(), strides);
  EXPECT_EQ(v.storage_offset(), 0);
  EXPECT_TRUE(v.is_contiguous());
  EXPECT_FALSE(v.is_view());
  EXPECT_NE(v.data_ptr(), base.data_ptr());
}
}  // namespace

TEST(Views, MetadataMatchesPyTorch) {
  Tensor x = arange(24, kFloat32).reshape({2, 3, 4}).clone();
  Tensor xi = arange(24).reshape({4, 6}).clone();
  Tensor xb = zeros({3, 5}, kBool);
  expect_view(x, x.transpose(0, 2), {4, 3, 2}, {1, 4, 12}, 0, false);
  expect_view(x, x.permute({1, 2, 0}), {3, 4, 2}, {4, 1, 12}, 0, false);
  expect_view(x, x.permute({-1, 0, 1}).transpose(0, 2), {3, 2, 4}, {4, 12, 1}, 0, false);
  expect_view(x, x.slice(1, std::nullopt, std::nullopt, 2), {2, 2, 4}, {12, 8, 1}, 0, false);
  expect_view(x, x.slice(0, 1, std::nullopt).slice(1, 1, std::nullopt, 2).slice(2, std::nullopt, std::nullopt, 3), {1, 1, 2}, {12, 8, 3}, 16, false);
  expect_view(x, x.slice(2, -3, -1), {2, 3, 2}, {12, 4, 1}, 1, false);
  expect_view(x, x.slice(1, 5, 10), {2, 0, 4}, {12, 4, 1}, 12, true);
  expect_view(x, x.select(1, 2), {2, 4}, {12, 1}, 8, false);
  expect_view(x, x.select(-1, -1), {2, 3}, {12, 4}, 3, false);
  expect_view(x, x.select(0, 1).select(0, 2).select(0, 3), {}, {}, 23, true);
  expect_view(x, x.narrow(2, 1, 2), {2, 3, 2}, {12, 4, 1}, 1, false);
  expect_view(x, x.transpose(0, 2).narrow(0, 1, 2).select(2, 1), {2, 3}, {1, 4}, 13, false);
  expect_view(x, x.select(2, 0).unsqueeze(0).expand({3, 2, 3}), {3, 2, 3}, {0, 12, 4}, 0, false);
  expect_view(x, x.slice(1, 0, 1).expand({2, 5, 4}), {2, 5, 4}, {12, 0, 1}, 0, false);
  expect_view(x, x.slice(1, 0, 1).expand({2, 5, 4}).select(1, 3), {2, 4}, {12, 1}, 0, false);
  expect_view(x, x.expand({3, -1, -1, -1}).transpose(0, 3), {4, 2, 3, 3}, {1, 12, 4, 0}, 0, false);
  expect_view(x, x.unsqueeze(1), {2, 1, 3, 4}, {12, 12, 4, 1}, 0, true);
  expect_view(x, x.unsqueeze(-1), {2, 3, 4, 1}, {12, 4, 1, 1}, 0, true);
  expect_view(x, x.transpose(0, 1).unsqueeze(1), {3, 1, 2, 4}, {4, 24, 12, 1}, 0, false);
  expect_view(x, x.slice(2, std::nullopt, std::nullopt, 2).unsqueeze(2), {2, 3, 1, 2}, {12, 4, 4, 2}, 0, false);
  expect_view(x, x.select(0, 1).select(0, 2).select(0, 3).unsqueeze(0), {1}, {1}, 23, true);
  expect_view(x, x.unsqueeze(1).squeeze(1), {2, 3, 4}, {12, 4, 1}, 0, true);
  expect_view(x, x.slice(1, 0, 1).squeeze(), {2, 4}, {12, 1}, 0, false);
  expect_view(x, x.slice(1, 2, 3).transpose(0, 1).squeeze(0), {2, 4}, {12, 1}, 8, false);
  expect_view(x, x.squeeze(0), {2, 3, 4}, {12, 4, 1}, 0, true);
  expect_view(x, x.view({6, 4}), {6, 4}, {4, 1}, 0, true);
  expect_view(x, x.view({-1}), {24}, {1}, 0, true);
  expect_view(x, x.slice(2, std::nullopt, std::nullopt, 2).view({6, 2}), {6, 2}, {4, 2}, 0, false);
  expect_view(x, x.narrow(2, 1, 2).view({2, 3, 2, 1}), {2, 3, 2, 1}, {12, 4, 1, 1}, 1, false);
  expect_view(x, x.transpose(0, 2).view({2, 2, 3, 2}), {2, 2, 3, 2}, {2, 1, 4, 12}, 0, false);
  expect_view(x, x.slice(0, 1, std::nullopt).view({3, 4}), {3, 4}, {4, 1}, 12, true);
  expect_view(x, x.diagonal(0, 1, 2), {2, 3}, {12, 5}, 0, false);
  expect_view(x, x.diagonal(1, 1, 2), {2, 3}, {12, 5}, 1, false);
  expect_view(x, x.diagonal(-1, 1, 2), {2, 2}, {12, 5}, 4, false);
  expect_view(x, x.diagonal(2, 2, 0), {3, 0}, {4, 13}, 0, true);
  expect_view(x, x.diagonal(9, 1, 2), {2, 0}, {12, 5}, 0, true);
  expect_view(x, x.transpose(1, 2).diagonal(0, 0, 2), {4, 2}, {1, 16}, 0, false);
  expect_view(x, x.select(0, 1).t(), {4, 3}, {1, 4}, 12, false);
  expect_view(x, x.select(1, 1).t().t(), {2, 4}, {12, 1}, 4, false);
  expect_view(x, x.select(0, 0).select(0, 1).t(), {4}, {1}, 4, true);
  expect_view(x, x.flatten(1), {2, 12}, {12, 1}, 0, true);
  expect_view(x, x.flatten(0, 1), {6, 4}, {4, 1}, 0, true);
  expect_view(x, x.slice(2, 1, 3).flatten(0, 1), {6, 2}, {4, 1}, 1, false);
  expect_view(x, x.select(2, 0).flatten(), {6}, {4}, 0, false);
  EXPECT_EQ((x.flatten(2)).impl(), x.impl());
  expect_copy(x, x.transpose(0, 1).flatten(), {24}, {1});
  expect_view(x, x.slice(2, std::nullopt, std::nullopt, 2).reshape({-1}), {12}, {2}, 0, false);
  expect_copy(x, x.transpose(1, 2).reshape({2, 12}), {2, 12}, {12, 1});
  expect_copy(x, x.transpose(0, 2).reshape({4, 6}), {4, 6}, {6, 1});
  expect_copy(x, x.transpose(0, 1).contiguous(), {3, 2, 4}, {8, 4, 1});
  EXPECT_EQ((x.contiguous()).impl(), x.impl());
  expect_view(xi, xi.t().slice(0, 1, std::nullopt, 2), {3, 4}, {2, 6}, 1, false);
  expect_view(xi, xi.slice(1, 1, std::nullopt, 2).t().select(0, 2), {4}, {6}, 5, false);
  expect_view(xi, xi.view({2, 2, 6}).permute({2, 0, 1}).narrow(0, 2, 3), {3, 2, 2}, {1, 12, 6}, 2, false);
  expect_view(xi, xi.diagonal().unsqueeze(1).expand({4, 3}), {4, 3}, {7, 0}, 0, false);
  expect_view(xi, xi.slice(0, 1, 3).slice(1, 2, 5).diagonal(1), {2}, {7}, 9, false);
  expect_view(xb, xb.t().slice(1, 1, std::nullopt), {5, 2}, {1, 5}, 5, false);
  expect_view(xb, xb.select(1, 4).unsqueeze(0).t(), {3, 1}, {5, 15}, 4, false);
}

TEST(Views, SharedStorageAndOffsets) {
  Tensor x = arange(12, kFloat32).reshape({3, 4}).clone();
  // Views at the same offset share data_ptr; different offsets differ by offset * itemsize.
  EXPECT_EQ(x.t().data_ptr(), x.data_ptr());
  EXPECT_EQ(x.view({12}).data_ptr(), x.data_ptr());
  EXPECT_EQ(x.select(1, 0).data_ptr(), x.data_ptr());
  EXPECT_NE(x.select(0, 1).data_ptr(), x.data_ptr());
  EXPECT_EQ(x.select(0, 1).data_ptr(), x.narrow(0, 1, 2).data_ptr());
  EXPECT_EQ(x.select(0, 1).data_ptr(), x.view({-1}).select(0, 4).data_ptr());
  // A view of a view has the root as its base.
  Tensor v = x.t().slice(0, 1, std::nullopt).unsqueeze(0);
  EXPECT_EQ(v._base().impl(), x.impl());
  EXPECT_FALSE(x.is_view());
  EXPECT_FALSE(x._base().defined());
  // Writes through a view chain land in the base.
  x.t().select(0, 1).select(0, 2).fill_(-1);
  EXPECT_EQ(x.select(0, 2).select(0, 1).item<double>(), -1.0);
  // Empty tensors are contiguous whatever their strides; an empty view has a null data_ptr.
  Tensor e = zeros({0, 3}).t();
  EXPECT_EQ(e.strides(), (Shape{1, 3}));
  EXPECT_TRUE(e.is_contiguous());
  EXPECT_EQ(e.data_ptr(), nullptr);
}

TEST(Views, ViewErrors) {
  Tensor x = arange(24, kFloat32).reshape({2, 3, 4}).clone();
  EXPECT_THROW(x.transpose(1, 2).view({2, 12}), Error);
  EXPECT_THROW(x.view({5, -1}), Error);
  EXPECT_THROW(x.view({-1, -1}), Error);
  EXPECT_THROW(x.permute({0, 1}), Error);
  EXPECT_THROW(x.permute({0, 1, 1}), Error);
  EXPECT_THROW(x.select(1, 3), IndexError);
  EXPECT_THROW(x.select(3, 0), IndexError);
  EXPECT_THROW(x.narrow(2, 3, 2), Error);
  EXPECT_THROW(x.expand({2, 5, 4}), Error);
  EXPECT_THROW(x.diagonal(0, 1, -2), Error);
  EXPECT_THROW(x.t(), Error);
  EXPECT_THROW(x.flatten(2, 1), Error);
  EXPECT_THROW(x.slice(0, 0, 1, 0), ValueError);
}

TEST(Views, GradFnNames) {
  Tensor x = random_input({2, 3, 4}).requires_grad_();
  EXPECT_EQ(x.transpose(0, 1).grad_fn_name(), "TransposeBackward0");
  EXPECT_EQ(x.permute({2, 0, 1}).grad_fn_name(), "PermuteBackward0");
  EXPECT_EQ(x.slice(1, std::nullopt, std::nullopt, 2).grad_fn_name(), "SliceBackward0");
  EXPECT_EQ(x.select(1, 0).grad_fn_name(), "SelectBackward0");
  EXPECT_EQ(x.narrow(1, 0, 2).grad_fn_name(), "SliceBackward0");
  EXPECT_EQ(x.slice(1, 0, 1).expand({2, 5, 4}).grad_fn_name(), "ExpandBackward0");
  EXPECT_EQ(x.unsqueeze(0).grad_fn_name(), "UnsqueezeBackward0");
  EXPECT_EQ(x.slice(1, 0, 1).squeeze().grad_fn_name(), "SqueezeBackward0");
  EXPECT_EQ(x.slice(1, 0, 1).squeeze(1).grad_fn_name(), "SqueezeBackward1");
  EXPECT_EQ(x.squeeze(1).grad_fn_name(), "SqueezeBackward1");
  EXPECT_EQ(x.view({6, 4}).grad_fn_name(), "ViewBackward0");
  EXPECT_EQ(x.diagonal(0, 1, 2).grad_fn_name(), "DiagonalBackward0");
  EXPECT_EQ(x.select(0, 0).t().grad_fn_name(), "TBackward0");
  EXPECT_EQ(x.flatten().grad_fn_name(), "ViewBackward0");
  EXPECT_EQ(x.reshape({6, 4}).grad_fn_name(), "ViewBackward0");
  EXPECT_EQ(x.transpose(0, 1).reshape({-1}).grad_fn_name(), "UnsafeViewBackward0");
  EXPECT_EQ(x.transpose(0, 1).flatten().grad_fn_name(), "UnsafeViewBackward0");
  EXPECT_EQ(x.clone().grad_fn_name(), "CloneBackward0");
  EXPECT_EQ(x.transpose(0, 1).contiguous().grad_fn_name(), "CloneBackward0");
  EXPECT_EQ(x.expand({2, 2, 3, 4}).grad_fn_name(), "ExpandBackward0");
  EXPECT_EQ(x.flatten(2).impl(), x.impl());
}

}  // namespace fl::test

namespace fl::test {
namespace {
// item() and tolist() read an evaluated value in place (no evaluation round trip): the values of views at an
// offset, of non-contiguous views (copied), and of lazy results, before and after they are evaluated.
TEST(Views, ReadBackOfEvaluatedValues) {
  Tensor base = tensor(std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, Shape{3, 4});
  EXPECT_TRUE(base.mlx().is_available());  // host data: evaluated at creation
  Tensor one = base.select(0, 2).narrow(0, 1, 1);
  for (int pass = 0; pass < 2; ++pass) {  // the second pass reads the evaluated view cache
    EXPECT_EQ(one.item<double>(), 9.0);
    EXPECT_EQ(base.select(0, 1).tolist<double>(), (std::vector<double>{4, 5, 6, 7}));
    EXPECT_EQ(base.t().select(0, 1).tolist<double>(), (std::vector<double>{1, 5, 9}));
    EXPECT_EQ(base.t().tolist<int64_t>(), (std::vector<int64_t>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}));
  }
  Tensor lazy = mul(base, 2.0);
  EXPECT_EQ(lazy.select(1, 3).tolist<float>(), (std::vector<float>{6, 14, 22}));
  lazy.eval();
  EXPECT_EQ(lazy[2][3].item<double>(), 22.0);
  EXPECT_EQ(tensor(std::vector<double>{0.1}, std::nullopt, TensorOptions(kFloat32)).item<float>(), 0.1f);
}
}  // namespace
}  // namespace fl::test
