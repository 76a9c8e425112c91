// Line-aligned buffers (src/kernels/line_array.h, line_buffer.h): outputs of Flashlight's primitives start on a
// 64-byte line, keep MLX's flags and contents, and the pad does not change what a Tensor reads.
#include <gtest/gtest.h>
#include <mlx/mlx.h>

#include <cstdint>
#include <numeric>

#include "fl/fl.h"
#include "fl/ncps/cfc.h"
#include "kernels/line_array.h"
#include "kernels/line_buffer.h"
#include "test_util.h"

namespace mx = mlx::core;

namespace {
bool on_line(const void* p) { return reinterpret_cast<uintptr_t>(p) % 64 == 0; }

TEST(LineArray, RowMajorOutputOnALine) {
  for (mx::Shape shape :
       {mx::Shape{1000}, mx::Shape{37, 29}, mx::Shape{1, 300}, mx::Shape{300, 1}, mx::Shape{4, 5, 7}}) {
    mx::array a = fl::kernels::line_array(shape, mx::float32);
    EXPECT_TRUE(on_line(a.data<float>()));
    EXPECT_TRUE(a.is_available());
    EXPECT_TRUE(a.flags().row_contiguous && a.flags().contiguous);
    int non_unit = 0;
    for (int v : shape) non_unit += v != 1;
    EXPECT_EQ(a.flags().col_contiguous, non_unit <= 1);
    EXPECT_EQ(a.data_size(), a.size());
    std::iota(a.data<float>(), a.data<float>() + a.size(), 0.0f);
    // MLX ops read it as a plain row-major array: a transposed copy and a sum see the written values.
    const double n = static_cast<double>(a.size());
    EXPECT_DOUBLE_EQ(mx::sum(a).item<float>(), static_cast<float>(n * (n - 1) / 2));
    if (shape.size() == 2) {
      mx::array t = mx::contiguous(mx::transpose(a));
      mx::eval(t);
      // t[0, 1] is a[1, 0] = C (t[1, 0] = a[0, 1] = 1 for a single row).
      EXPECT_EQ(t.data<float>()[1], static_cast<float>(shape[0] > 1 ? shape[1] : 1));
    }
  }
}

TEST(LineArray, PadOnlyForLargeOutputs) {
  mx::array small = fl::kernels::line_array({3}, mx::float64);
  EXPECT_EQ(small.offset(), 0);  // a few bytes: MLX's buffer as it comes
  small.data<double>()[2] = 4.5;
  EXPECT_EQ(mx::take(small, mx::array(2)).item<double>(), 4.5);
  mx::array large = fl::kernels::line_array({1000}, mx::float64);
  EXPECT_GE(large.offset(), 0);
  EXPECT_LT(large.offset(), 64);
  EXPECT_EQ(large.offset() % 8, 0);
}

TEST(LineBuffer, DataOnALine) {
  for (size_t n : {1u, 7u, 100u, 5000u}) {
    fl::kernels::LineBuffer<float> f(n);
    fl::kernels::LineBuffer<double> d(n);
    EXPECT_TRUE(on_line(f.data()));
    EXPECT_TRUE(on_line(d.data()));
  }
}

// The primitives' results as Flashlight hands them out: an elementwise result, a GEMM and an exp start on a line
// (the fused CfC's outputs: test_ncps_cfc.cpp).
TEST(LineArray, PrimitiveResultsOnALine) {
  fl::manual_seed(0);
  fl::Tensor a = fl::randn({64, 64}), b = fl::randn({64, 64});
  fl::Tensor s = a + b, m = fl::matmul(a, b), e = fl::exp(a);
  for (const fl::Tensor* t : {&s, &m, &e}) {
    mx::array v = t->mlx();
    mx::eval(v);
    EXPECT_TRUE(on_line(v.data<float>()));
  }
  EXPECT_TRUE(fl::allclose(s, a + b));
}
}  // namespace
