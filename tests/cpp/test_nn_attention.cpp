// Attention against closed forms: uniform attention averages the values, causal and bool masks select keys, float
// masks add; multi-head attention with identity projections reduces to per-head SDPA. Float64 gradients and
// torch's errors (AssertionError for multi-head attention's argument checks).
#include <cmath>

#include "fl/nn/functional/attention.h"
#include "test_util.h"

namespace fl::test {
namespace {
namespace F = fl::nn::functional;

static ValueTested kValues({"scaled_dot_product_attention", "multi_head_attention_forward"});

Tensor t64(std::vector<double> v, const Shape& shape) { return fl::tensor(v, shape, TensorOptions(kFloat64)); }

TEST(NnAttention, SdpaClosedForms) {
  // Zero queries: uniform weights, the output is the mean of the values.
  Tensor q = fl::zeros({2, 2}, kFloat64), k = t64({1, 2, 3, 4, 5, 6}, {3, 2});
  Tensor v = t64({1, 10, 2, 20, 6, 60}, {3, 2});
  expect_values(F::scaled_dot_product_attention(q, k, v), {3, 30, 3, 30}, {2, 2}, 1e-12);
  // Causal with L = S = 3: row i averages values 0..i.
  Tensor q3 = fl::zeros({3, 2}, kFloat64);
  expect_values(F::scaled_dot_product_attention(q3, k, v, std::nullopt, 0.0, true), {1, 10, 1.5, 15, 3, 30}, {3, 2},
                1e-12);
  // Bool mask (True = attend), with a fully masked row giving zeros.
  Tensor mask = fl::tensor(std::vector<bool>{true, false, true, false, false, false}, Shape{2, 3});
  expect_values(F::scaled_dot_product_attention(q, k, v, mask), {3.5, 35, 0, 0}, {2, 2}, 1e-12);
  // Float mask adds to the scores: log 3 on key 2 weights it 3 to 1 to 1.
  Tensor fm = t64({0, 0, std::log(3.0)}, {3});
  expect_values(F::scaled_dot_product_attention(q, k, v, fm),
                {(1 + 2 + 18) / 5.0, (10 + 20 + 180) / 5.0, (1 + 2 + 18) / 5.0, (10 + 20 + 180) / 5.0}, {2, 2}, 1e-12);
  // The scale multiplies q k^T: one query, keys e1 and e2, scale log 2 gives weights 2:1.
  Tensor one = t64({1, 0}, {1, 2}), keys = t64({1, 0, 0, 0}, {2, 2}), vals = t64({3, 0}, {2, 1});
  expect_values(F::scaled_dot_product_attention(one, keys, vals, std::nullopt, 0.0, false, std::log(2.0)), {2}, {1, 1},
                1e-12);
  // Grouped-query attention repeats the key/value heads.
  Tensor qg = fl::zeros({4, 1, 2}, kFloat64), kg = fl::zeros({2, 2, 2}, kFloat64);
  Tensor vg = t64({1, 3, 10, 30}, {2, 2, 1});
  expect_values(F::scaled_dot_product_attention(qg, kg, vg, std::nullopt, 0.0, false, std::nullopt, true),
                {2, 2, 20, 20}, {4, 1, 1}, 1e-12);
}

TEST(NnAttention, MultiHeadIdentityProjectionsMatchPerHeadSdpa) {
  const int64_t L = 3, N = 2, E = 4, H = 2;
  manual_seed(0);
  Tensor x = fl::randn({L, N, E}, kFloat64);
  Tensor eye = fl::eye(E, std::nullopt, kFloat64);
  Tensor in_w = fl::cat({eye, eye, eye}), out_w = eye;
  auto [out, weights] = F::multi_head_attention_forward(x, x, x, E, H, in_w, std::nullopt, std::nullopt, std::nullopt,
                                                        false, 0.0, out_w, std::nullopt);
  // Reference: heads split the embedding; (N, H, L, E/H) SDPA, scale 1/sqrt(E/H).
  Tensor heads = x.reshape({L, N, H, E / H}).permute({1, 2, 0, 3});
  Tensor ref = F::scaled_dot_product_attention(heads, heads, heads).permute({2, 0, 1, 3}).reshape({L, N, E});
  EXPECT_TRUE(out.allclose(ref, 1e-12, 1e-12));
  ASSERT_TRUE(weights.has_value());
  EXPECT_EQ(weights->sizes(), Shape({N, L, L}));
  expect_values(weights->sum({-1}), std::vector<double>(N * L, 1.0), {N, L}, 1e-12);
  // need_weights = false gives no weights and the same output; a key_padding_mask hides keys.
  auto [out2, none] = F::multi_head_attention_forward(x, x, x, E, H, in_w, std::nullopt, std::nullopt, std::nullopt,
                                                      false, 0.0, out_w, std::nullopt, true, std::nullopt, false);
  EXPECT_FALSE(none.has_value());
  EXPECT_TRUE(out2.allclose(ref, 1e-12, 1e-12));
  Tensor kpm = fl::tensor(std::vector<bool>{false, true, true, false, false, true}, Shape{N, L});
  auto [out3, w3] = F::multi_head_attention_forward(x, x, x, E, H, in_w, std::nullopt, std::nullopt, std::nullopt,
                                                    false, 0.0, out_w, std::nullopt, true, kpm);
  // Batch 0 attends only key 0: every query outputs x[0, 0].
  for (int64_t l = 0; l < L; ++l) EXPECT_TRUE(out3.select(0, l).select(0, 0).allclose(x.select(0, 0).select(0, 0)));
  expect_values(w3->select(0, 0).select(0, 0), {1, 0, 0}, {3}, 1e-12);
}

TEST(NnAttention, Errors) {
  Tensor q = fl::randn({2, 3, 4});
  Tensor bmask = fl::ones({3, 3}, kBool);
  expect_error_containing<Error>([&] { F::scaled_dot_product_attention(q, q, q, bmask, 0.0, true); },
                                 "Explicit attn_mask should not be set when is_causal=True");
  expect_error_containing<Error>(
      [&] {
        F::scaled_dot_product_attention(q, q, q, fl::ones({3, 3}, kInt64));
      },
      "Expected attn_mask dtype to be bool or float");
  expect_error_containing<Error>([&] { F::scaled_dot_product_attention(q, q, q, std::nullopt, 1.5); },
                                 "dropout probability has to be between 0 and 1, but got 1.5");
  Tensor w = fl::randn({12, 4}), ow = fl::randn({4, 4});
  auto mha = [&](const Tensor& x, int64_t E, int64_t H) {
    return F::multi_head_attention_forward(x, x, x, E, H, w, std::nullopt, std::nullopt, std::nullopt, false, 0.0, ow,
                                           std::nullopt);
  };
  expect_error_containing<F::AssertionError>([&] { mha(q, 5, 2); },
                                             "was expecting embedding dimension of 5, but got 4");
  expect_error_containing<F::AssertionError>([&] { mha(q, 4, 3); }, "embed_dim 4 not divisible by num_heads 3");
  expect_error_containing<F::AssertionError>(
      [&] {
        mha(fl::randn({1, 2, 3, 4}), 4, 2);
      },
      "query should be unbatched 2D or batched 3D tensor but received 4-D");
  expect_error_containing<Error>(
      [&] {
        F::multi_head_attention_forward(q, q, q, 4, 2, w, std::nullopt, std::nullopt, std::nullopt, false, 0.0, ow,
                                        std::nullopt, true, std::nullopt, true, fl::zeros({2, 4}));
      },
      "The shape of the 2D attn_mask is torch.Size([2, 4]), but should be (2, 2).");
}

static GradCases kGrads({
    {"scaled_dot_product_attention",
     [](auto& x) { return F::scaled_dot_product_attention(x[0], x[1], x[2]); },
     {{2, 3, 4}, {2, 5, 4}, {2, 5, 3}}},
    {"scaled_dot_product_attention",
     [](auto& x) { return F::scaled_dot_product_attention(x[0], x[1], x[2], x[3], 0.0, false, 0.7); },
     {{2, 3, 4}, {2, 5, 4}, {2, 5, 3}, {3, 5}}},
    {"scaled_dot_product_attention",
     [](auto& x) { return F::scaled_dot_product_attention(x[0], x[1], x[2], std::nullopt, 0.0, true); },
     {{1, 2, 4, 3}, {1, 2, 4, 3}, {1, 2, 4, 3}}},
    {"multi_head_attention_forward",
     [](auto& x) {
       Tensor kpm = fl::tensor(std::vector<bool>{false, false, true, false, true, false}, Shape{2, 3});
       return F::multi_head_attention_forward(x[0], x[1], x[1], 4, 2, x[2], x[3], x[4], x[5], true, 0.0, x[6], x[7],
                                              true, kpm)
           .first;
     },
     {{2, 2, 4}, {3, 2, 4}, {12, 4}, {12}, {1, 1, 4}, {1, 1, 4}, {4, 4}, {4}}},
    {"multi_head_attention_forward",
     [](auto& x) {
       return *F::multi_head_attention_forward(x[0], x[1], x[2], 4, 1, std::nullopt, std::nullopt, std::nullopt,
                                               std::nullopt, false, 0.0, x[3], std::nullopt, true, std::nullopt, true,
                                               std::nullopt, true, x[4], x[5], x[6])
                   .second;
     },
     {{3, 4}, {2, 3}, {2, 5}, {4, 4}, {4, 4}, {4, 3}, {4, 5}}},
});

}  // namespace
}  // namespace fl::test
