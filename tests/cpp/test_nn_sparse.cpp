// embedding (rows, padding_idx, scale_grad_by_freq, max_norm renormalisation in place, int32 indices, 0-d and
// empty indices) and the nn one_hot against hand-computed values; errors; float64 gradient rows.
#include "fl/nn/functional/sparse.h"
#include "nn_test_util.h"

namespace fl::test {
namespace F = fl::nn::functional;

static ValueTested kValues({"embedding"});

TEST(NnSparse, EmbeddingRows) {
  Tensor w = iota({4, 2});
  Tensor idx = tensor<int64_t>({3, 0, 3, 1}, Shape{2, 2});
  expect_values(F::embedding(idx, w), {7, 8, 1, 2, 7, 8, 3, 4}, {2, 2, 2}, 0);
  expect_values(F::embedding(idx.to(kInt32), w), {7, 8, 1, 2, 7, 8, 3, 4}, {2, 2, 2}, 0);
  expect_values(F::embedding(tensor(Scalar(int64_t{2})), w), {5, 6}, {2}, 0);
  EXPECT_EQ(F::embedding(tensor<int64_t>({}, Shape{0, 3}), w).sizes(), (Shape{0, 3, 2}));
  // The padding row's value is still returned.
  expect_values(F::embedding(idx, w, 3), {7, 8, 1, 2, 7, 8, 3, 4}, {2, 2, 2}, 0);
}

TEST(NnSparse, EmbeddingGradients) {
  Tensor idx = tensor<int64_t>({3, 0, 3, 1}, Shape{2, 2});
  Tensor g = iota({2, 2, 2});  // rows 1..2, 3..4, 5..6, 7..8
  auto grad = [&](std::optional<int64_t> pad, bool freq) {
    Tensor w = iota({4, 2}).requires_grad_();
    F::embedding(idx, w, pad, std::nullopt, 2.0, freq).backward(g);
    return w.grad();
  };
  // Row 3 is looked up twice: its gradients add.
  expect_values(grad(std::nullopt, false), {3, 4, 7, 8, 0, 0, 6, 8}, {4, 2}, 0);
  expect_values(grad(3, false), {3, 4, 7, 8, 0, 0, 0, 0}, {4, 2}, 0);
  expect_values(grad(-1, false), {3, 4, 7, 8, 0, 0, 0, 0}, {4, 2}, 0);
  // scale_grad_by_freq divides each row's gradient by its count in the batch.
  expect_values(grad(std::nullopt, true), {3, 4, 7, 8, 0, 0, 3, 4}, {4, 2}, 1e-12);
}

TEST(NnSparse, EmbeddingMaxNormRenormalisesInPlace) {
  Tensor w = f64({3, 4, 0.3, 0.4, 6, 8}, {3, 2}).requires_grad_();
  int64_t version = w._version();
  Tensor out = F::embedding(tensor<int64_t>({0, 1}), w, std::nullopt, 1.0);
  // Row 0 (norm 5) is scaled to norm 1 (up to PyTorch's 1e-7); row 1 is under the limit; row 2 is not referenced.
  double s = 1.0 / (5.0 + 1e-7);
  expect_values(w.detach(), {3 * s, 4 * s, 0.3, 0.4, 6, 8}, {3, 2}, 1e-12);
  expect_values(out, {3 * s, 4 * s, 0.3, 0.4}, {2, 2}, 1e-12);
  EXPECT_GT(w._version(), version);
  EXPECT_TRUE(w.is_leaf());
  // The 1-norm and the max-norm.
  Tensor w1 = f64({3, 4}, {1, 2});
  F::embedding(tensor<int64_t>({0}), w1, std::nullopt, 1.0, 1.0);
  expect_values(w1, {3 / (7 + 1e-7), 4 / (7 + 1e-7)}, {1, 2}, 1e-12);
  Tensor winf = f64({3, 4}, {1, 2});
  F::embedding(tensor<int64_t>({0}), winf, std::nullopt, 2.0, INFINITY);
  expect_values(winf, {6 / (4 + 1e-7), 8 / (4 + 1e-7)}, {1, 2}, 1e-12);
}

TEST(NnSparse, OneHot) {
  expect_values(F::one_hot(tensor<int64_t>({0, 2})), {1, 0, 0, 0, 0, 1}, {2, 3}, 0);
  EXPECT_EQ(F::one_hot(tensor<int64_t>({1}), 4).dtype(), kInt64);
}

TEST(NnSparse, Errors) {
  Tensor w = random_input({10, 3});
  expect_error_containing<Error>([&] { F::embedding(tensor({1.0}), w); },
                                 "Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                                 "Long, Int; but got torch.FloatTensor instead");
  expect_error_containing<IndexError>([&] { F::embedding(tensor<int64_t>({10}), w); }, "index out of range in self");
  expect_error_containing<IndexError>([&] { F::embedding(tensor<int64_t>({-1}), w); }, "index out of range in self");
  expect_error_containing<ValueError>([&] { F::embedding(tensor<int64_t>({1}), w, 10); },
                                      "Padding_idx must be within num_embeddings");
  expect_error_containing<Error>([&] { F::embedding(tensor<int64_t>({1}), random_input({10})); },
                                 "'weight' must be 2-D");
  expect_error_containing<NotImplementedError>(
      [&] { F::embedding(tensor<int64_t>({1}), w, std::nullopt, std::nullopt, 2.0, false, true); },
      "sparse=True is not supported");
  expect_error_containing<Error>(
      [&] {
        F::one_hot(tensor<int64_t>({0, 3}), 3);
      },
      "Class values must be smaller than num_classes.");
}

static GradCases kGrads({
    {"embedding",
     [](auto& x) {
       return F::embedding(tensor<int64_t>({3, 0, 3, 1, 2, 3}, Shape{2, 3}), x[0]);
     },
     {{4, 3}}},
    // padding_idx and scale_grad_by_freq change the gradient on purpose (not the derivative), so only plain
    // lookups are finite-difference rows; EmbeddingGradients checks those two by hand.
    {"embedding",
     [](auto& x) {
       return F::embedding(tensor<int32_t>({1, 4, 4}, Shape{3}, kInt32), x[0].t());
     },
     {{2, 5}}},
});

}  // namespace fl::test
