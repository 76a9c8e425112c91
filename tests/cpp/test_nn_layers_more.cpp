// The C++ normalisation, dropout, loss, attention and transformer modules against torch 2.13: state_dict keys and
// reprs printed by torch, forward values for fixed weights computed with torch (parameters filled by det() in
// named_parameters() order, identically in the torch script), BatchNorm running statistics, error messages, a
// state dict written by torch (safetensors bytes) loaded into the C++ module, and a classifier trained with
// CrossEntropyLoss.
#include <cmath>

#include "fl/nn/functional/attention.h"
#include "fl/nn/modules/activation.h"
#include "fl/nn/modules/attention.h"
#include "fl/nn/modules/container.h"
#include "fl/nn/modules/dropout.h"
#include "fl/nn/modules/linear.h"
#include "fl/nn/modules/loss.h"
#include "fl/nn/modules/normalization.h"
#include "fl/nn/modules/transformer.h"
#include "fl/serialize.h"
#include "test_util.h"

namespace fl::test {
namespace {

using namespace fl::nn;
using fl::nn::functional::AssertionError;

// ((k * 7 + i * 3) mod 11 - 5) / 10 for k < n: the values of parameter number i.
Tensor det(const Shape& shape, int64_t i) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) v[static_cast<size_t>(k)] = static_cast<double>((k * 7 + i * 3) % 11 - 5) / 10;
  return tensor(v, shape, kFloat32);
}

// Parameter number i (in named_parameters() order) = det(its shape, i).
void fill(Module& m) {
  NoGradGuard g;
  int64_t i = 0;
  for (auto& [name, p] : m.named_parameters()) {
    Tensor target = p;
    target.copy_(det(p.sizes(), i++));
  }
}

// ((k * 5 + s) mod 13 - 6) / 6: the inputs of the torch script.
Tensor inp(const Shape& shape, int64_t s = 0) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t k = 0; k < n; ++k) v[static_cast<size_t>(k)] = static_cast<double>((k * 5 + s) % 13 - 6) / 6;
  return tensor(v, shape, kFloat32);
}

std::vector<std::string> keys(const Module& m) { return m.state_dict().keys(); }

constexpr double kTol = 1e-5;

TEST(NnLayersMore, StateDictKeysMatchTorch) {
  using V = std::vector<std::string>;
  const V bn = {"weight", "bias", "running_mean", "running_var", "num_batches_tracked"};
  EXPECT_EQ(keys(BatchNorm1d(4)), bn);
  EXPECT_EQ(keys(BatchNorm2d(3, 1e-3, std::nullopt, false)), (V{"running_mean", "running_var", "num_batches_tracked"}));
  EXPECT_EQ(keys(BatchNorm1d(5, 1e-5, 0.1, true, false)), (V{"weight", "bias"}));
  EXPECT_EQ(BatchNorm1d(5, 1e-5, 0.1, true, false).buffers().size(), 0u);
  EXPECT_EQ(keys(LayerNorm(4)), (V{"weight", "bias"}));
  EXPECT_EQ(keys(LayerNorm(Shape{2, 3}, 1e-6, false)), V{});
  EXPECT_EQ(keys(LayerNorm(4, 1e-5, true, false)), V{"weight"});
  EXPECT_EQ(keys(GroupNorm(2, 4)), (V{"weight", "bias"}));
  EXPECT_EQ(keys(GroupNorm(1, 3, 1e-5, false)), V{});
  EXPECT_EQ(keys(Dropout()), V{});
  EXPECT_EQ(keys(CrossEntropyLoss(ones({3}))), V{"weight"});
  EXPECT_EQ(keys(CrossEntropyLoss()), V{});
  EXPECT_EQ(keys(BCEWithLogitsLoss(std::nullopt, "mean", ones({2}))), V{"pos_weight"});
  EXPECT_EQ(keys(BCEWithLogitsLoss(ones({2}), "mean", ones({2}))), (V{"weight", "pos_weight"}));
  EXPECT_EQ(keys(MultiheadAttention(4, 2)), (V{"in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"}));
  EXPECT_EQ(keys(MultiheadAttention(4, 2, 0.0, false, true, false, 3, 5)),
            (V{"q_proj_weight", "k_proj_weight", "v_proj_weight", "bias_k", "bias_v", "out_proj.weight"}));
  EXPECT_EQ(keys(TransformerEncoderLayer(8, 2, 16)),
            (V{"self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight",
               "self_attn.out_proj.bias", "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
               "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias"}));
  TransformerEncoderLayer nobias(8, 2, 16, 0.1, std::make_shared<GELU>(), 1e-5, false, true, false);
  EXPECT_EQ(keys(nobias), (V{"self_attn.in_proj_weight", "self_attn.out_proj.weight", "linear1.weight",
                             "linear2.weight", "norm1.weight", "norm2.weight"}));
}

TEST(NnLayersMore, ReprMatchesTorch) {
  std::vector<std::pair<std::shared_ptr<Module>, std::string>> cases = {
      {std::make_shared<BatchNorm1d>(4),
       "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"},
      {std::make_shared<BatchNorm2d>(3, 1e-3, std::nullopt, false),
       "BatchNorm2d(3, eps=0.001, momentum=None, affine=False, bias=False, track_running_stats=True)"},
      {std::make_shared<BatchNorm1d>(5, 1e-5, 0.1, true, false),
       "BatchNorm1d(5, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=False)"},
      {std::make_shared<LayerNorm>(4), "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)"},
      {std::make_shared<LayerNorm>(Shape{2, 3}, 1e-6, false),
       "LayerNorm((2, 3), eps=1e-06, elementwise_affine=False, bias=False)"},
      {std::make_shared<LayerNorm>(4, 1e-5, true, false),
       "LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=False)"},
      {std::make_shared<GroupNorm>(2, 4), "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"},
      {std::make_shared<GroupNorm>(1, 3, 1e-5, false), "GroupNorm(1, 3, eps=1e-05, affine=False, bias=False)"},
      {std::make_shared<Dropout>(), "Dropout(p=0.5, inplace=False)"},
      {std::make_shared<Dropout>(0.2, true), "Dropout(p=0.2, inplace=True)"},
      {std::make_shared<Dropout1d>(0.1), "Dropout1d(p=0.1, inplace=False)"},
      {std::make_shared<Dropout2d>(), "Dropout2d(p=0.5, inplace=False)"},
      {std::make_shared<Dropout3d>(), "Dropout3d(p=0.5, inplace=False)"},
      {std::make_shared<AlphaDropout>(0.25), "AlphaDropout(p=0.25, inplace=False)"},
      {std::make_shared<FeatureAlphaDropout>(), "FeatureAlphaDropout(p=0.5, inplace=False)"},
      {std::make_shared<MSELoss>(), "MSELoss()"},
      {std::make_shared<L1Loss>("sum"), "L1Loss()"},
      {std::make_shared<SmoothL1Loss>("mean", 0.5), "SmoothL1Loss()"},
      {std::make_shared<HuberLoss>(), "HuberLoss()"},
      {std::make_shared<CrossEntropyLoss>(ones({3})), "CrossEntropyLoss()"},
      {std::make_shared<NLLLoss>(), "NLLLoss()"},
      {std::make_shared<BCELoss>(), "BCELoss()"},
      {std::make_shared<BCEWithLogitsLoss>(std::nullopt, "mean", ones({2})), "BCEWithLogitsLoss()"},
      {std::make_shared<KLDivLoss>(), "KLDivLoss()"},
      {std::make_shared<CosineEmbeddingLoss>(), "CosineEmbeddingLoss()"},
      {std::make_shared<MultiheadAttention>(4, 2),
       "MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=4, out_features=4, "
       "bias=True)\n)"},
      {std::make_shared<MultiheadAttention>(4, 2, 0.0, false, true, false, 3, 5),
       "MultiheadAttention(\n  (out_proj): NonDynamicallyQuantizableLinear(in_features=4, out_features=4, "
       "bias=False)\n)"},
      {std::make_shared<TransformerEncoderLayer>(8, 2, 16),
       "TransformerEncoderLayer(\n  (self_attn): MultiheadAttention(\n    (out_proj): "
       "NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)\n  )\n  (linear1): "
       "Linear(in_features=8, out_features=16, bias=True)\n  (dropout): Dropout(p=0.1, inplace=False)\n  (linear2): "
       "Linear(in_features=16, out_features=8, bias=True)\n  (norm1): LayerNorm((8,), eps=1e-05, "
       "elementwise_affine=True, bias=True)\n  (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True, "
       "bias=True)\n  (dropout1): Dropout(p=0.1, inplace=False)\n  (dropout2): Dropout(p=0.1, inplace=False)\n)"},
      {std::make_shared<TransformerEncoderLayer>(8, 2, 16, 0.1, std::make_shared<GELU>(), 1e-5, false, true, false),
       "TransformerEncoderLayer(\n  (self_attn): MultiheadAttention(\n    (out_proj): "
       "NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=False)\n  )\n  (linear1): "
       "Linear(in_features=8, out_features=16, bias=False)\n  (dropout): Dropout(p=0.1, inplace=False)\n  (linear2): "
       "Linear(in_features=16, out_features=8, bias=False)\n  (norm1): LayerNorm((8,), eps=1e-05, "
       "elementwise_affine=True, bias=False)\n  (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True, "
       "bias=False)\n  (dropout1): Dropout(p=0.1, inplace=False)\n  (dropout2): Dropout(p=0.1, inplace=False)\n  "
       "(activation): GELU(approximate='none')\n)"},
  };
  for (auto& [m, want] : cases) EXPECT_EQ(m->repr(), want);
}

TEST(NnLayersMore, BatchNormDefaultsAndOptions) {
  BatchNorm1d bn(3);
  expect_values(bn.weight, {1, 1, 1});
  expect_values(bn.bias, {0, 0, 0});
  expect_values(bn.running_mean, {0, 0, 0});
  expect_values(bn.running_var, {1, 1, 1});
  EXPECT_EQ(bn.num_batches_tracked.dtype(), kInt64);
  EXPECT_EQ(bn.num_batches_tracked.dim(), 0);
  EXPECT_TRUE(bn.weight.requires_grad());
  EXPECT_FALSE(bn.running_mean.requires_grad());
  // Options: float64 parameters and buffers, the count stays int64; no bias.
  BatchNorm2d d(BatchNormOptions{.num_features = 2, .bias = false, .tensor_options = TensorOptions(kFloat64)});
  EXPECT_EQ(d.weight.dtype(), kFloat64);
  EXPECT_EQ(d.running_var.dtype(), kFloat64);
  EXPECT_EQ(d.num_batches_tracked.dtype(), kInt64);
  EXPECT_FALSE(d.bias.defined());
  // module.to() converts the float buffers only.
  bn.to(kFloat64);
  EXPECT_EQ(bn.running_mean.dtype(), kFloat64);
  EXPECT_EQ(bn.num_batches_tracked.dtype(), kInt64);
}

TEST(NnLayersMore, BatchNorm1dTrainingUpdatesRunningStats) {
  BatchNorm1d bn(3);
  fill(bn);
  Tensor x = inp({4, 3});
  expect_values(bn(x),
                {0.4707962, 0.2316815, -0.05185003, 0.02359878, 0.4105605, -0.1386215, -0.4235987, 0.5894395, 0.3386215,
                 -0.8707962, 0.7683185, 0.25185},
                {4, 3}, kTol);
  expect_values(bn.running_mean, {-0.05, 0.03333333, 0.008333337}, kTol);
  expect_values(bn.running_var, {0.9185185, 0.9185185, 0.9787037}, kTol);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 1);
  // The buffers are the registered tensors: state_dict sees the update.
  expect_values(bn.state_dict().at("running_mean"), {-0.05, 0.03333333, 0.008333337}, kTol);
  bn(inp({4, 3}, 3));
  expect_values(bn.running_mean, {-0.045, 0.05916667, -0.0425}, kTol);
  expect_values(bn.running_var, {0.8451851, 0.890324, 0.8993518}, kTol);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 2);
  // Evaluation uses the running statistics and leaves them alone.
  bn.eval();
  expect_values(bn(x),
                {0.3193915, 0.4521324, -0.04955851, 0.1381031, 0.5227857, -0.1198563, -0.04318545, 0.5934389, 0.2667814,
                 -0.224474, 0.6640922, 0.1964837},
                {4, 3}, kTol);
  EXPECT_EQ(bn.num_batches_tracked.item<int64_t>(), 2);
  expect_values(bn.running_mean, {-0.045, 0.05916667, -0.0425}, kTol);
  // momentum = None: the cumulative average over the batches seen.
  BatchNorm1d cumulative(3, 1e-5, std::nullopt, false);
  cumulative(x);
  cumulative(inp({4, 3}, 3));
  expect_values(cumulative.running_mean, {-0.25, 0.3125, -0.2083333}, kTol);
  expect_values(cumulative.running_var, {0.1851852, 0.4108796, 0.4861111}, kTol);
  // (N, C, L) input: statistics over N and L.
  BatchNorm1d bn3(3);
  bn3(inp({2, 3, 2}));
  expect_values(bn3.running_mean, {-0.025, -0.02083333, 0.0375}, kTol);
  expect_values(bn3.running_var, {0.9379629, 0.9469907, 0.9469907}, kTol);
  // Gradients reach weight and bias in training.
  BatchNorm1d g(3);
  (g(x) * inp({4, 3}, 1)).sum().backward();
  EXPECT_TRUE(g.weight.grad().defined());
  EXPECT_TRUE(g.bias.grad().defined());
  expect_values(g.bias.grad(), inp({4, 3}, 1).sum({0}).tolist<double>(), kTol);
}

TEST(NnLayersMore, BatchNorm2dTrainEvalAndUntracked) {
  BatchNorm2d bn(2, 1e-3, 0.5);
  fill(bn);
  Tensor x = inp({2, 2, 2, 2}, 1);
  expect_values(bn(x),
                {0.4242763, -0.2328566, -0.8899896, 0.1614231, 0.5919986, 0.1714335, 0.4342867, 0.6971399, 0.2928497,
                 -0.3642832, -1.021416, 0.02999653, 0.6445692, 0.2240041, 0.4868573, 0.7497105},
                {2, 2, 2, 2}, kTol);
  expect_values(bn.running_mean, {-0.02083334, 0.02083334}, kTol);
  expect_values(bn.running_var, {0.7291666, 0.7291666}, kTol);
  bn.eval();
  expect_values(bn(x),
                {0.2754254, -0.2121904, -0.6998062, 0.08037908, 0.5731423, 0.2610682, 0.4561146, 0.6511609, 0.1779023,
                 -0.3097136, -0.7973294, -0.01714407, 0.6121516, 0.3000775, 0.4951238, 0.6901702},
                kTol);
  // Without running statistics, evaluation normalises with the batch's.
  BatchNorm2d untracked(2, 1e-5, 0.1, true, false);
  untracked.eval();
  expect_values(untracked(x),
                {-1.250093, 0.06579436, 1.381681, -0.7237378, 0.4605604, -1.644859, -0.3289718, 0.9869152, -0.9869152,
                 0.3289718, 1.644859, -0.4605604, 0.7237378, -1.381681, -0.06579436, 1.250093},
                kTol);
}

TEST(NnLayersMore, BatchNormLoadsStateDictWithoutCount) {
  // torch's rule for an unversioned state dict: a missing num_batches_tracked keeps the current count.
  BatchNorm1d src(2), dst(2);
  src(inp({3, 2}));
  src(inp({3, 2}, 1));
  StateDict sd = src.state_dict();
  sd.pop("num_batches_tracked");
  auto result = dst.load_state_dict(sd);
  EXPECT_TRUE(result.missing_keys.empty());
  EXPECT_EQ(dst.num_batches_tracked.item<int64_t>(), 0);
  expect_values(dst.running_var, src.running_var.tolist<double>());
  // Other missing keys are still reported.
  sd.pop("running_var");
  expect_error_containing<Error>([&] { dst.load_state_dict(sd); }, "Missing key(s) in state_dict: \"running_var\".");
  // A count that is present is loaded.
  dst.load_state_dict(src.state_dict());
  EXPECT_EQ(dst.num_batches_tracked.item<int64_t>(), 2);
}

TEST(NnLayersMore, LayerNormAndGroupNormMatchTorch) {
  LayerNorm ln(Shape{2, 3});
  expect_values(ln.weight, {1, 1, 1, 1, 1, 1}, {2, 3});
  fill(ln);
  expect_values(ln(inp({2, 2, 3})),
                {0.513739, 0.4524174, -0.09033044, -0.775826, 0.4237913, -0.4282435, 0.04168047, 0.6933444, 0.3706821,
                 -0.2516639, 0.5546755, 0.2320133},
                {2, 2, 3}, kTol);
  LayerNorm ln2(3, 1e-3, true, false);
  fill(ln2);
  expect_values(ln2(inp({2, 3})), {0.6117121, 0, -0.2446849, 0.6117122, 0, -0.2446849}, kTol);
  LayerNorm opts(LayerNormOptions{.normalized_shape = {4}, .tensor_options = TensorOptions(kFloat64)});
  EXPECT_EQ(opts.bias.dtype(), kFloat64);
  GroupNorm gn(2, 4);
  expect_values(gn.bias, {0, 0, 0, 0});
  fill(gn);
  expect_values(gn(inp({2, 4, 2})),
                {0.3641576, -0.2995573, 0.8053089, 0.3805314, 0.168598, -0.174392, -0.9859799, -0.1285051, 0.3641576,
                 -0.2995572, 0.8053088, 0.3805313, -0.01946869, 0.4053089, -0.3995572, 0.2641577},
                {2, 4, 2}, kTol);
}

TEST(NnLayersMore, NormalizationErrors) {
  expect_error_containing<ValueError>(
      [] {
        BatchNorm1d(3)(inp({2, 3, 1, 1}));
      },
      "expected 2D or 3D input (got 4D input)");
  expect_error_containing<ValueError>([] { BatchNorm2d(3)(inp({2, 3})); }, "expected 4D input (got 2D input)");
  expect_error_containing<ValueError>(
      [] {
        BatchNorm1d(3)(inp({1, 3}));
      },
      "Expected more than 1 value per channel when training, got input size torch.Size([1, 3])");
  expect_error_containing<Error>([] { BatchNorm1d(3)(inp({2, 4})); }, "running_mean should contain 4 elements not 3");
  expect_error_containing<Error>(
      [] {
        LayerNorm(3)(inp({2, 4}));
      },
      "Given normalized_shape=[3], expected input with shape [*, 3], but got input of size[2, 4]");
  expect_error_containing<ValueError>([] { GroupNorm(2, 3); }, "num_channels (3) must be divisible by num_groups (2)");
  expect_error_containing<Error>(
      [] {
        GroupNorm(2, 4)(inp({2, 6}));
      },
      "Expected weight to be a vector of size equal to the number of channels in input, "
      "but got weight of shape [4] and input of shape [2, 6]");
}

TEST(NnLayersMore, DropoutModules) {
  manual_seed(0);
  Tensor x = ones({20, 50});
  Dropout d(0.3);
  Tensor y = d(x);
  // Kept elements are scaled by 1 / (1 - p); about p of them are dropped.
  double zeros = (y == 0.0).to(kFloat32).mean().item<double>();
  EXPECT_NEAR(zeros, 0.3, 0.06);
  EXPECT_TRUE(((y == 0.0) | ((y - 1.0 / 0.7).abs() < 1e-6)).all().item<bool>());
  d.eval();
  EXPECT_TRUE(d(x).equal(x));
  // Channel dropout zeroes whole channels.
  Dropout2d d2;
  Tensor y2 = d2(ones({4, 8, 3, 3}));
  Tensor per_channel = y2.amax({2, 3}), channel_min = y2.amin({2, 3});
  EXPECT_TRUE(per_channel.equal(channel_min));
  EXPECT_TRUE(((per_channel == 0.0) | (per_channel == 2.0)).all().item<bool>());
  Tensor y1 = Dropout1d()(ones({4, 8, 5}));
  EXPECT_TRUE(y1.amax({2}).equal(y1.amin({2})));
  // AlphaDropout (torch's formulation): kept x -> a x + a alpha p, dropped -> a alpha (p - 1), with SELU's
  // alpha * scale = 1.7580993408473766 and a = 1 / sqrt((alpha^2 p + 1)(1 - p)).
  const double p = 0.5, alpha = 1.7580993408473766, a = 1.0 / std::sqrt((alpha * alpha * p + 1) * (1 - p));
  AlphaDropout ad(p);
  Tensor ya = ad(ones({200}));
  EXPECT_TRUE(
      (((ya - a * (1 + alpha * p)).abs() < 1e-5) | ((ya - a * alpha * (p - 1)).abs() < 1e-5)).all().item<bool>());
  ad.eval();
  EXPECT_TRUE(ad(x).equal(x));
  // In place: the input is overwritten.
  Tensor z = ones({10, 10});
  Dropout(0.5, true)(z);
  EXPECT_GT((z == 0.0).sum().item<int64_t>(), 0);
  expect_error_containing<ValueError>([] { Dropout(1.5); },
                                      "dropout probability has to be between 0 and 1, but got 1.5");
  expect_error_containing<ValueError>([] { AlphaDropout(-0.1); },
                                      "dropout probability has to be between 0 and 1, but got -0.1");
  expect_error_containing<Error>([] { Dropout2d()(ones({2})); },
                                 "Feature dropout requires at least 2 dimensions in the input");
}

TEST(NnLayersMore, RegressionLossesMatchTorch) {
  Tensor a = inp({2, 3}), b = inp({2, 3}, 4);
  expect_values(MSELoss()(a, b), {1.046296}, kTol);
  expect_values(MSELoss("sum")(a, b), {6.277778}, kTol);
  expect_values(L1Loss()(a, b), {0.9444444}, kTol);
  expect_values(SmoothL1Loss("mean", 0.5)(a, b), {0.6944444}, kTol);
  expect_values(HuberLoss("sum", 0.5)(a, b), {2.083333}, kTol);
  expect_values(SmoothL1Loss("none")(a, b), {0.2222222, 0.2222222, 1, 0.2222222, 0.2222222, 1}, {2, 3}, kTol);
  Tensor lp = log_softmax(a, 1);
  expect_values(KLDivLoss("batchmean")(lp, softmax(b, 1)), {0.4520212}, kTol);
  expect_values(KLDivLoss("sum", true)(lp, log_softmax(b, 1)), {0.9040425}, kTol);
  expect_error_containing<ValueError>([&] { MSELoss("avg")(a, b); }, "avg is not a valid value for reduction");
}

TEST(NnLayersMore, ClassificationLossesMatchTorch) {
  Tensor logits = inp({4, 3}, 2), target = tensor(std::vector<int64_t>{0, 2, 1, 2});
  Tensor w = tensor({1.0f, 2.0f, 0.5f});
  expect_values(CrossEntropyLoss()(logits, target), {1.417427}, kTol);
  expect_values(CrossEntropyLoss(w, 2, "mean", 0.1)(logits, target), {1.056252}, kTol);
  expect_values(CrossEntropyLoss(std::nullopt, -100, "none")(logits, target), {2.151235, 1.862899, 0.5295661, 1.126007},
                {4}, kTol);
  expect_values(CrossEntropyLoss()(logits, softmax(inp({4, 3}, 5), 1)), {1.183829}, kTol);
  Tensor lp = log_softmax(logits, 1);
  expect_values(NLLLoss(w)(lp, target), {1.176205}, kTol);
  expect_values(NLLLoss(std::nullopt, 0, "sum")(lp, target), {3.518472}, kTol);
  Tensor a = inp({2, 3}), t01 = tensor({1.0f, 0.0f, 1.0f, 0.0f, 0.5f, 1.0f}).view({2, 3});
  expect_values(BCELoss()(sigmoid(a), t01), {0.6275268}, kTol);
  expect_values(BCELoss(tensor({1.0f, 2.0f, 3.0f}), "sum")(sigmoid(a), t01), {6.530323}, kTol);
  expect_values(BCEWithLogitsLoss(std::nullopt, "mean", tensor({2.0f, 1.0f, 0.5f}))(a, t01), {0.7857679}, kTol);
  expect_values(BCEWithLogitsLoss(tensor({1.0f, 2.0f, 3.0f}), "none")(a, t01),
                {1.313262, 1.226564, 1.24311, 0.4143701, 1.393231, 0.9397851}, {2, 3}, kTol);
  Tensor b = inp({2, 3}, 4), y = tensor({1.0f, -1.0f});
  expect_values(CosineEmbeddingLoss(0.1)(a, b, y), {0.6225556}, kTol);
  expect_values(CosineEmbeddingLoss(0.0, "none")(a, b, y), {1.245111, 0}, {2}, kTol);
  // The weight buffer follows module.to().
  CrossEntropyLoss ce(w);
  ce.to(kFloat64);
  EXPECT_EQ(ce.weight.dtype(), kFloat64);
  expect_values(ce(logits.to(kFloat64), target), CrossEntropyLoss(w)(logits, target).tolist<double>(), kTol);
}

TEST(NnLayersMore, LossForwardHooks) {
  MSELoss loss;
  std::vector<size_t> seen;
  loss.register_forward_hook([&](Module&, const std::vector<Tensor>& in, const std::vector<Tensor>& out) {
    seen = {in.size(), out.size()};
    return std::vector<Tensor>{out[0] * 2.0};
  });
  expect_values(loss(ones({2}), zeros({2})), {2.0});
  EXPECT_EQ(seen, (std::vector<size_t>{2, 1}));
  CosineEmbeddingLoss cos;
  cos.register_forward_pre_hook([&](Module&, const std::vector<Tensor>& in) {
    seen = {in.size()};
    return std::nullopt;
  });
  cos(ones({1, 2}), ones({1, 2}), ones({1}));
  EXPECT_EQ(seen, std::vector<size_t>{3});
}

TEST(NnLayersMore, MultiheadAttentionInit) {
  manual_seed(0);
  MultiheadAttention m(64, 4);
  // xavier_uniform_ of (3E, E): bound sqrt(6 / (E + 3E)); biases zero; out_proj.weight as a Linear's.
  double bound = std::sqrt(6.0 / (64 + 192));
  EXPECT_LE(m.in_proj_weight.abs().max().item<double>(), bound);
  EXPECT_NEAR(m.in_proj_weight.std().item<double>(), bound / std::sqrt(3.0), 0.03 * bound);
  expect_values(m.in_proj_bias.abs().sum(), {0.0});
  expect_values(m.out_proj->bias.abs().sum(), {0.0});
  EXPECT_LE(m.out_proj->weight.abs().max().item<double>(), 1.0 / 8);
  EXPECT_EQ(m.head_dim, 16);
  EXPECT_TRUE(m.qkv_same_embed_dim);
  EXPECT_FALSE(m.q_proj_weight.defined());
  // bias_k (1, 1, E): xavier_normal_ with fan_in = fan_out = E, so std sqrt(1 / E).
  MultiheadAttention kv(MultiheadAttentionOptions{.embed_dim = 400, .num_heads = 4, .add_bias_kv = true, .kdim = 3});
  EXPECT_FALSE(kv.qkv_same_embed_dim);
  EXPECT_EQ(kv.k_proj_weight.sizes(), (Shape{400, 3}));
  EXPECT_EQ(kv.v_proj_weight.sizes(), (Shape{400, 400}));
  EXPECT_EQ(kv.bias_k.sizes(), (Shape{1, 1, 400}));
  EXPECT_NEAR(kv.bias_k.std().item<double>(), std::sqrt(1.0 / 400), 0.15 * std::sqrt(1.0 / 400));
  EXPECT_EQ(kv.parameters().size(), 8u);
}

TEST(NnLayersMore, MultiheadAttentionMatchesTorch) {
  // Self-attention, batch first, with a key padding mask (True = ignore).
  MultiheadAttention m(4, 2, 0.0, true, false, false, std::nullopt, std::nullopt, true);
  fill(m);
  Tensor q = inp({2, 2, 4});
  Tensor kpm = tensor(std::vector<bool>{false, true, false, false}, Shape{2, 2});
  auto [out, weights] = m(q, q, q, kpm);
  expect_values(out,
                {1.093333, -0.5383334, 0.2133333, -0.3183333, 1.093333, -0.5383334, 0.2133333, -0.3183333, 0.7704601,
                 -0.1868971, -0.02901456, 0.1136283, 0.7675588, -0.1852791, -0.03200144, 0.1151608},
                {2, 2, 4}, kTol);
  ASSERT_TRUE(weights.has_value());
  expect_values(*weights, {1, 0, 1, 0, 0.4765153, 0.5234846, 0.342234, 0.6577659}, {2, 2, 2}, kTol);
  // Separate projections (kdim, vdim), bias_k / bias_v and a zero key; weights per head.
  MultiheadAttention sep(4, 2, 0.0, true, true, true, 3, 5);
  fill(sep);
  auto [o2, w2] = sep(inp({2, 1, 4}), inp({3, 1, 3}, 1), inp({3, 1, 5}, 2), std::nullopt, true, std::nullopt, false);
  expect_values(o2, {0.3766975, -0.4614827, 0.3426114, -0.1928684, 0.4353777, -0.4432693, 0.2816017, -0.1706489},
                {2, 1, 4}, kTol);
  expect_values(*w2, {0.2026988, 0.1989907, 0.2076964, 0.1887496, 0.2018645, 0.2263443, 0.2133922,
                      0.2285782, 0.1392014, 0.1924838, 0.2060856, 0.227397,  0.2147218, 0.1621407,
                      0.189655,  0.1914122, 0.1843642, 0.1873577, 0.2207496, 0.2161161},
                {1, 2, 2, 5}, kTol);
  // Unbatched input, a bool attention mask, no weights.
  MultiheadAttention one(4, 1, 0.0, false);
  fill(one);
  Tensor am = tensor(std::vector<bool>{false, true, false, true, false, false}, Shape{2, 3});
  auto [o3, w3] = one(inp({2, 4}), inp({3, 4}, 1), inp({3, 4}, 2), std::nullopt, false, am);
  expect_values(o3, {-0.2520747, 0.08861041, 0.1258597, 0.06444132, 0.00837093, 0.1148719, -0.1735687, 0.1302754},
                {2, 4}, kTol);
  EXPECT_FALSE(w3.has_value());
  // Gradients reach every parameter.
  auto [o4, w4] = sep(inp({2, 1, 4}), inp({3, 1, 3}, 1), inp({3, 1, 5}, 2));
  o4.sum().backward();
  for (auto& [name, p] : sep.named_parameters()) EXPECT_TRUE(p.grad().defined()) << name;
}

TEST(NnLayersMore, MultiheadAttentionHooksAndErrors) {
  MultiheadAttention m(4, 2);
  int calls = 0;
  m.register_forward_hook([&](Module&, const std::vector<Tensor>& in, const std::vector<Tensor>& out) {
    ++calls;
    EXPECT_EQ(in.size(), 3u);
    EXPECT_EQ(out.size(), 2u);
    EXPECT_FALSE(out[1].defined());
    return std::nullopt;
  });
  auto [out, w] = m(inp({2, 1, 4}), inp({3, 1, 4}), inp({3, 1, 4}), std::nullopt, false);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(out.sizes(), (Shape{2, 1, 4}));
  EXPECT_FALSE(w.has_value());
  expect_error_containing<ValueError>(
      [] { MultiheadAttention(0, 2); },
      "embed_dim and num_heads must be greater than 0, got embed_dim=0 and num_heads=2 instead");
  expect_error_containing<AssertionError>([] { MultiheadAttention(4, 3); }, "embed_dim must be divisible by num_heads");
  expect_error_containing<AssertionError>(
      [&] {
        m.forward(inp({2, 1, 4}), inp({3, 4}), inp({3, 4}));
      },
      "For batched (3-D) `query`, expected `key` and `value` to be 3-D but "
      "found 2-D and 2-D tensors respectively");
  expect_error_containing<AssertionError>(
      [&] {
        m.forward(inp({2, 1, 4, 1}), inp({3, 4}), inp({3, 4}));
      },
      "query should be unbatched 2D or batched 3D tensor but received 4-D query "
      "tensor");
}

TEST(NnLayersMore, TransformerEncoderLayerMatchesTorch) {
  // Post-norm with ReLU, no dropout, a key padding mask.
  TransformerEncoderLayer post(4, 2, 8, 0.0);
  fill(post);
  Tensor kpm = tensor(std::vector<bool>{false, false, true}, Shape{1, 3});
  expect_values(post(inp({3, 1, 4}), std::nullopt, kpm),
                {-0.2188202, 0.3267856, 0.1444378, 0.7038931, -0.133437, 0.3219913, 0.1572026, 0.6424883, -0.214648,
                 0.3259963, 0.1499838, 0.7017515},
                {3, 1, 4}, kTol);
  // Pre-norm with GELU, no biases, batch first, evaluation mode (dropout off), a causal mask.
  TransformerEncoderLayer pre(TransformerEncoderLayerOptions{.d_model = 4,
                                                             .nhead = 2,
                                                             .dim_feedforward = 8,
                                                             .activation = "gelu",
                                                             .batch_first = true,
                                                             .norm_first = true,
                                                             .bias = false});
  fill(pre);
  pre.eval();
  Tensor causal = triu(ones({3, 3}, kBool), 1);
  Tensor want = tensor(std::vector<double>{-0.7854943, -0.2185034, 0.356833, -0.7417685, 0.3292365, 0.985246,
                                           -0.4291452, 0.5532628, -0.6799789, -0.05651027, 0.5941261, -0.5958947});
  expect_values(pre(inp({1, 3, 4}), causal, std::nullopt, true), want.tolist<double>(), {1, 3, 4}, kTol);
  // The same with the float form of the mask, and with a function activation.
  Tensor float_causal = zeros({3, 3}).masked_fill(causal, -INFINITY);
  expect_values(pre.forward(inp({1, 3, 4}), float_causal), want.tolist<double>(), kTol);
  TransformerEncoderLayer fn_act(
      4, 2, 8, 0.0, [](const Tensor& x) { return gelu(x); }, 1e-5, true, true, false);
  fill(fn_act);
  expect_values(fn_act(inp({1, 3, 4}), causal), want.tolist<double>(), kTol);
  // Chains in Sequential (no masks); gradients reach every parameter.
  auto seq = std::make_shared<Sequential>(Linear(3, 4), std::make_shared<TransformerEncoderLayer>(4, 2, 8, 0.0));
  (*seq)(inp({5, 2, 3})).square().sum().backward();
  for (auto& [name, p] : seq->named_parameters()) EXPECT_TRUE(p.grad().defined()) << name;
}

TEST(NnLayersMore, TransformerEncoderLayerErrors) {
  expect_error_containing<Error>([] { TransformerEncoderLayer(4, 2, 8, 0.1, "tanh"); },
                                 "activation should be relu/gelu, not tanh");
  expect_error_containing<AssertionError>([] { TransformerEncoderLayer(4, 3); },
                                          "embed_dim must be divisible by num_heads");
  TransformerEncoderLayer layer(4, 2, 8);
  expect_error_containing<AssertionError>(
      [&] {
        layer(inp({3, 1, 4}), std::nullopt, zeros({1, 3}, kInt64));
      },
      "only bool and floating types of src_key_padding_mask are supported");
  expect_error_containing<Error>(
      [&] {
        layer(inp({3, 1, 4}), std::nullopt, std::nullopt, true);
      },
      "Need attn_mask if specifying the is_causal hint");
}

// A torch state dict, written with safetensors.torch.save in a throwaway script:
//   torch.manual_seed(0); net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
//   net(torch.randn(8, 3)); net(torch.randn(8, 3))   # training steps: running statistics, num_batches_tracked 2
//   save(net.state_dict())
const char* kTorchSequentialSafetensors =
    "50020000000000007b22312e6e756d5f626174636865735f747261636b6564223a7b226474797065223a22493634222c227368617065"
    "223a5b5d2c22646174615f6f666673657473223a5b302c385d7d2c22302e62696173223a7b226474797065223a22463332222c227368"
    "617065223a5b345d2c22646174615f6f666673657473223a5b382c32345d7d2c22302e776569676874223a7b226474797065223a2246"
    "3332222c227368617065223a5b342c335d2c22646174615f6f666673657473223a5b32342c37325d7d2c22312e62696173223a7b2264"
    "74797065223a22463332222c227368617065223a5b345d2c22646174615f6f666673657473223a5b37322c38385d7d2c22312e72756e"
    "6e696e675f6d65616e223a7b226474797065223a22463332222c227368617065223a5b345d2c22646174615f6f666673657473223a5b"
    "38382c3130345d7d2c22312e72756e6e696e675f766172223a7b226474797065223a22463332222c227368617065223a5b345d2c2264"
    "6174615f6f666673657473223a5b3130342c3132305d7d2c22312e776569676874223a7b226474797065223a22463332222c22736861"
    "7065223a5b345d2c22646174615f6f666673657473223a5b3132302c3133365d7d2c22332e62696173223a7b226474797065223a2246"
    "3332222c227368617065223a5b325d2c22646174615f6f666673657473223a5b3133362c3134345d7d2c22332e776569676874223a7b"
    "226474797065223a22463332222c227368617065223a5b322c345d2c22646174615f6f666673657473223a5b3134342c3137365d7d7d"
    "2020202020200200000000000000bd330dbfd6c5c3be84b573be0834af3ce8a38dbb13939e3e7e4bf3bec98bd9beb1b463be53891e3e"
    "406b3bbc7a61ea3e42dd51bdd2701c3e9eab32beea6be8bd00000000000000000000000000000000627d1cbea58eabbd279210bd5600"
    "0cbc3ff25e3ffdce623f61ac5a3f0b43543f0000803f0000803f0000803f0000803f400da5bd10b5583d60694a3e189b993e8c8dadbe"
    "fcf45ebe98f7393e4e94d43e48bdd2bd5c91bf3e";

std::string from_hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return out;
}

TEST(NnLayersMore, LoadsStateDictSavedByTorch) {
  TensorDict sd = load_bytes(from_hex(kTorchSequentialSafetensors), "torch_sequential").tensors;
  auto net = std::make_shared<Sequential>(Linear(3, 4), BatchNorm1d(4), ReLU(), Linear(4, 2));
  auto result = net->load_state_dict(sd);
  EXPECT_TRUE(result.missing_keys.empty());
  EXPECT_TRUE(result.unexpected_keys.empty());
  auto bn = net->at<BatchNorm1d>(1);
  EXPECT_EQ(bn->num_batches_tracked.item<int64_t>(), 2);
  expect_values(bn->running_var, {0.8708839, 0.8859709, 0.8541928, 0.829148}, kTol);
  // Evaluation output equals torch's net.eval()(x).
  net->eval();
  expect_values((*net)(inp({2, 3})), {0.004372485, 0.1704913, -0.0479466, 0.09808546}, {2, 2}, kTol);
  // And the C++ module writes the same keys back.
  std::vector<std::string> torch_keys;
  for (auto& [k, v] : sd) torch_keys.push_back(k);
  std::vector<std::string> ours = net->state_dict().keys();
  std::sort(ours.begin(), ours.end());
  EXPECT_EQ(ours, torch_keys);
}

TEST(NnLayersMore, ClassifierTrainingWithCrossEntropyLossFalls) {
  manual_seed(0);
  // Three Gaussian blobs in the plane.
  const int64_t n = 150;
  const double centers[3][2] = {{2.0, 0.0}, {-1.0, 1.7}, {-1.0, -1.7}};
  std::vector<int64_t> labels(n);
  std::vector<double> means(2 * n);
  for (int64_t i = 0; i < n; ++i) {
    labels[i] = i % 3;
    means[2 * i] = centers[i % 3][0];
    means[2 * i + 1] = centers[i % 3][1];
  }
  Tensor y = tensor(labels);
  Tensor x = tensor(means, Shape{n, 2}, kFloat32) + randn({n, 2}) * 0.6;
  auto model = std::make_shared<Sequential>(Linear(2, 16), BatchNorm1d(16), ReLU(), Dropout(0.1), Linear(16, 3));
  CrossEntropyLoss criterion(std::nullopt, -100, "mean", 0.05);
  auto params = model->parameters();
  double first = 0, last = 0;
  for (int step = 0; step < 60; ++step) {
    Tensor loss = criterion((*model)(x), y);
    model->zero_grad();
    loss.backward();
    {
      NoGradGuard g;
      for (auto& p : params) p.sub_(p.grad(), 0.2);
    }
    (step == 0 ? first : last) = loss.item<double>();
  }
  EXPECT_LT(last, 0.4 * first) << "first " << first << " last " << last;
  model->eval();
  double accuracy = ((*model)(x).argmax(1) == y).to(kFloat32).mean().item<double>();
  EXPECT_GT(accuracy, 0.9);
}

}  // namespace
}  // namespace fl::test
