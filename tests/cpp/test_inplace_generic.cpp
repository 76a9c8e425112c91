// The generic in-place forms (fl/ops/inplace_list.h and kin): values against the out-of-place op and closed forms,
// write-through to bases, PyTorch's in-place rules, float64 finite-difference gradients, in-place view ops,
// inference mode, views made under no_grad or by multi-output ops, and empty-input backward of indexing ops.
#include <cmath>

#include "test_util.h"

namespace fl::test {
namespace {

// Per op name: the input domain for values and gradient checks (defaults to [-2, 2]).
std::pair<double, double> domain_of(const std::string& fn) {
  if (fn == "acos" || fn == "asin" || fn == "atanh" || fn == "erfinv" || fn == "tan") return {-0.9, 0.9};
  if (fn == "acosh") return {1.2, 3};
  if (fn == "log" || fn == "log10" || fn == "log2" || fn == "log1p" || fn == "rsqrt" || fn == "reciprocal" ||
      fn == "xlogy")
    return {0.5, 3};
  return {-2, 2};
}

#define FL_NAME(method, fn) #method "_",
static ValueTested kValues({FL_INPLACE_UNARY_OPS(FL_NAME) FL_INPLACE_BINARY_OPS(FL_NAME)
                                FL_INPLACE_BINARY_TENSOR_OPS(FL_NAME) "round_", "logit_",
                            "nan_to_num_", "clamp_min_", "clamp_max_", "clip_", "float_power_", "fill_diagonal_",
                            "exponential_", "cauchy_", "log_normal_", "geometric_", "squeeze_", "unsqueeze_", "t_",
                            "transpose_", "swapaxes_", "swapdims_"});
#undef FL_NAME

// x.method_() == fn(x) cast to x's dtype, on a non-view and through a view into a larger base.
TEST(InplaceGeneric, UnaryFormsMatchTheirOp) {
  bool integer_only;
#define FL_CHECK_UNARY(method, fn)                                                                        \
  {                                                                                                       \
    integer_only = std::string(#fn) == "bitwise_not";                                                     \
    auto [lo, hi] = domain_of(#fn);                                                                       \
    Tensor x = integer_only ? tensor({3, -5, 0, 7}, kInt64) : random_input({4}, lo, hi, 1) * 1.0;          \
    Tensor want = fl::fn(x).to(x.dtype());                                                                \
    Tensor y = x.clone();                                                                                 \
    EXPECT_EQ(&y.method##_(), &y) << #method;                                                             \
    EXPECT_TRUE(y.equal(want)) << #method;                                                                \
    Tensor base = fl::stack({x, x});                                                                      \
    base[1].method##_();                                                                                  \
    EXPECT_TRUE(base[0].equal(x) && base[1].equal(want)) << #method << " through a view";                \
    EXPECT_EQ(base._version(), 1) << #method;                                                             \
  }
  FL_INPLACE_UNARY_OPS(FL_CHECK_UNARY)
#undef FL_CHECK_UNARY
}

TEST(InplaceGeneric, BinaryFormsMatchTheirOp) {
  bool integer_only;
  // Tensor-only forms (atan2_, hypot_, logical_*_): as torch, no Scalar overload.
#define FL_CHECK_TENSOR(method, fn)                                                                            \
  {                                                                                                            \
    auto [lo, hi] = domain_of(#fn);                                                                            \
    Tensor x = random_input({4}, lo, hi, 2) * 1.0, o = random_input({4}, 0.5, 2, 3) * 1.0;                      \
    Tensor y = x.clone();                                                                                      \
    y.method##_(o);                                                                                            \
    EXPECT_TRUE(y.equal(fl::fn(x, o).to(x.dtype()))) << #method;                                               \
    static_assert(![]<typename T = Tensor>() { return requires(T& t) { t.method##_(Scalar(2)); }; }());     \
  }
  FL_INPLACE_BINARY_TENSOR_OPS(FL_CHECK_TENSOR)
#undef FL_CHECK_TENSOR
#define FL_CHECK_BINARY(method, fn)                                                                            \
  {                                                                                                            \
    std::string name = #fn;                                                                                    \
    integer_only = name.rfind("bitwise", 0) == 0;                                                              \
    auto [lo, hi] = domain_of(name);                                                                           \
    Tensor x = integer_only ? tensor({3, -5, 6, 7}, kInt64) : random_input({4}, lo, hi, 2) * 1.0;               \
    Tensor o = integer_only ? tensor({1, 2, 3, -4}, kInt64) : random_input({4}, 0.5, 2, 3) * 1.0;               \
    Tensor want = fl::fn(x, o).to(x.dtype());                                                                  \
    Tensor y = x.clone();                                                                                      \
    y.method##_(o);                                                                                            \
    EXPECT_TRUE(y.equal(want)) << #method;                                                                     \
    Tensor z = x.clone();                                                                                      \
    z.method##_(Scalar(2));                                                                                    \
    EXPECT_TRUE(z.equal(fl::fn(x, full({4}, 2, x.dtype())).to(x.dtype()))) << #method << " scalar";             \
  }
  FL_INPLACE_BINARY_OPS(FL_CHECK_BINARY)
#undef FL_CHECK_BINARY
}

TEST(InplaceGeneric, ClosedFormValues) {
  Tensor x = tensor({0.25, -1.5, 2.0}, kFloat64);
  expect_values(x.clone().sin_(), {std::sin(0.25), std::sin(-1.5), std::sin(2.0)}, 1e-12);
  expect_values(x.clone().atan2_(tensor({1.0, 1.0, -1.0}, kFloat64)),
                {std::atan2(0.25, 1.0), std::atan2(-1.5, 1.0), std::atan2(2.0, -1.0)}, 1e-12);
  expect_values(x.clone().round_(), {0, -2, 2});
  expect_values(tensor({0.25, 0.5}, kFloat64).logit_(), {std::log(0.25 / 0.75), 0}, 1e-12);
  expect_values(tensor({double(NAN), double(INFINITY), 1.0}, kFloat64).nan_to_num_(1.5, 9.0), {1.5, 9, 1});
  expect_values(x.clone().clamp_min_(0), {0.25, 0, 2});
  expect_values(x.clone().clamp_max_(0), {0, -1.5, 0});
  expect_values(x.clone().clip_(-1, 1), {0.25, -1, 1});
  expect_values(tensor({2.0, 3.0}, kFloat64).float_power_(2), {4, 9});
  // A float self takes a comparison's bool result as 0/1; an integer self cannot take a float result.
  expect_values(x.clone().gt_(0.0), {1, 0, 1});
  expect_error_containing<Error>([] { tensor({1, 2}, kInt64).sin_(); },
                                 "result type Float can't be cast to the desired output type Long");
  expect_error_containing<Error>([] { tensor({1.0, 2.0}).float_power_(2); },
                                 "the base given to float_power_ has dtype Float but the operation's result requires "
                                 "dtype Double");
  expect_error_containing<Error>([] { zeros({3}).atan2_(zeros({2, 3})); },
                                 "output with shape [3] doesn't match the broadcast shape [2, 3]");
  expect_error_containing<Error>([] { ones({2}, TensorOptions().requires_grad(true)).sin_(); },
                                 "a leaf Variable that requires grad is being used in an in-place operation.");
}

TEST(InplaceGeneric, FillDiagonalAndRandomFills) {
  expect_values(zeros({3, 2}).fill_diagonal_(5), {5, 0, 0, 5, 0, 0}, {3, 2});
  // Tall with wrap: the diagonal restarts every width + 1 rows, as PyTorch's strided fill.
  expect_values(zeros({5, 2}).fill_diagonal_(1, true), {1, 0, 0, 1, 0, 0, 1, 0, 0, 1}, {5, 2});
  expect_values(zeros({2, 2, 2}).fill_diagonal_(1), {1, 0, 0, 0, 0, 0, 0, 1}, {2, 2, 2});
  expect_error_containing<Error>([] { zeros({2, 3, 2}).fill_diagonal_(1); }, "all dimensions of input must be of equal length");
  Generator g(7);
  auto mean_of = [](const Tensor& t) { return t.mean().item<double>(); };
  EXPECT_NEAR(mean_of(zeros({20000}, kFloat64).exponential_(4, &g)), 0.25, 0.01);
  EXPECT_NEAR(mean_of(zeros({20000}, kFloat64).log_normal_(0, 0.5, &g)), std::exp(0.125), 0.02);
  EXPECT_NEAR(mean_of(zeros({20000}, kFloat64).geometric_(0.25, &g)), 4.0, 0.1);
  Tensor c = zeros({20001}, kFloat64).cauchy_(1, 2, &g);
  EXPECT_NEAR(fl::median(c).item<double>(), 1, 0.1);
  Tensor geo = zeros({1000}, kInt64).geometric_(0.5, &g);
  EXPECT_GE(geo.min().item<int64_t>(), 1);
  expect_error_containing<Error>([] { zeros({2}).exponential_(0); }, "exponential_ expects lambda > 0.0");
}

TEST(InplaceGeneric, ViewOpsChangeOwnMetadata) {
  Tensor leaf = random_input({2, 1, 3}, -2, 2, 4).requires_grad_(true);
  Tensor x = leaf * 1.0;
  x.squeeze_();
  EXPECT_EQ(x.sizes(), (Shape{2, 3}));
  EXPECT_EQ(x.grad_fn_name(), "SqueezeBackward3");
  x.t_();
  EXPECT_EQ(x.sizes(), (Shape{3, 2}));
  EXPECT_EQ(x.strides(), (Shape{1, 3}));
  EXPECT_FALSE(x.is_contiguous());
  EXPECT_FALSE(x.is_view());
  EXPECT_EQ(x.grad_fn_name(), "TBackward1");
  x.unsqueeze_(0);
  EXPECT_EQ(x.strides(), (Shape{3, 1, 3}));  // PyTorch: size(0) * stride(0)
  (x * tensor({1.0, 2.0}, kFloat64)).sum().backward();
  expect_values(leaf.grad(), {1, 1, 1, 2, 2, 2}, {2, 1, 3});
  // A view stays a view of its base.
  Tensor b = zeros({2, 3});
  Tensor v = b.slice(1, 1, std::nullopt);
  v.transpose_(0, 1);
  EXPECT_EQ(v.sizes(), (Shape{2, 2}));
  EXPECT_EQ(v.storage_offset(), 1);
  v.fill_(1);
  expect_values(b, {0, 1, 1, 0, 1, 1}, {2, 3});
  expect_error_containing<Error>([&] { leaf.unsqueeze_(0); }, "a leaf Variable that requires grad");
}

std::vector<GradCase> generic_grads() {
  std::vector<GradCase> cases;
#define FL_UNARY_GRAD(method, fn)                                                                         \
  if (differentiable(#method "_")) {                                                                      \
    auto [lo, hi] = domain_of(#fn);                                                                       \
    cases.push_back({#method "_", [](auto& x) { Tensor y = x[0] * 1.0; y.method##_(); return y; }, {{4}}, lo, hi}); \
  }
#define FL_BINARY_GRAD(method, fn)                                                                             \
  if (differentiable(#method "_")) {                                                                           \
    auto [lo, hi] = domain_of(#fn);                                                                            \
    cases.push_back({#method "_", [](auto& x) {                                                                \
      Tensor y = x[0] * 1.0;                                                                                   \
      y.select(0, 1).method##_(x[1] + 2.5); /* through a view; the operand kept away from 0 */               \
      return y;                                                                                                \
    }, {{3, 2}, {2}}, lo, hi});                                                                                \
  }
  auto differentiable = [](const std::string& name) {
    for (auto& op : op_registry())
      if (op.name == name) return op.differentiable;
    return false;
  };
  FL_INPLACE_UNARY_OPS(FL_UNARY_GRAD)
  FL_INPLACE_BINARY_OPS(FL_BINARY_GRAD)
  FL_INPLACE_BINARY_TENSOR_OPS(FL_BINARY_GRAD)
#undef FL_UNARY_GRAD
#undef FL_BINARY_GRAD
  auto one = [](const char* name, std::function<void(Tensor&)> f, double lo = -2, double hi = 2) {
    return GradCase{name, [f](auto& x) { Tensor y = x[0] * 1.0; f(y); return y; }, {{2, 3}}, lo, hi};
  };
  cases.push_back(one("round_", [](Tensor& y) { y.round_(1); }));
  cases.push_back(one("logit_", [](Tensor& y) { y.logit_(0.1); }, 0.2, 0.8));
  cases.push_back(one("nan_to_num_", [](Tensor& y) { y.nan_to_num_(); }));
  cases.push_back(one("clamp_min_", [](Tensor& y) { y.clamp_min_(0.3); }));
  cases.push_back(one("clamp_max_", [](Tensor& y) { y.clamp_max_(0.3); }));
  cases.push_back(one("clip_", [](Tensor& y) { y.clip_(-0.5, 0.5); }));
  cases.push_back(one("float_power_", [](Tensor& y) { y.float_power_(1.5); }, 0.5, 2));
  cases.push_back(one("fill_diagonal_", [](Tensor& y) { y.fill_diagonal_(0.5); }));
  cases.push_back(one("squeeze_", [](Tensor& y) { y.unsqueeze_(1).squeeze_(1); y.mul_(y); }));
  cases.push_back(one("unsqueeze_", [](Tensor& y) { y.unsqueeze_(0); y.mul_(y); }));
  cases.push_back(one("t_", [](Tensor& y) { y.t_(); y.select(0, 1).mul_(2); }));
  cases.push_back(one("transpose_", [](Tensor& y) { y.transpose_(0, 1); y.select(0, 2).exp_(); }));
  cases.push_back(one("swapaxes_", [](Tensor& y) { y.swapaxes_(0, 1); y.select(0, 0).sin_(); }));
  cases.push_back(one("swapdims_", [](Tensor& y) { y.swapdims_(1, 0); y.select(1, 1).cos_(); }));
  return cases;
}
static GradCases kGrads(generic_grads());

TEST(InplaceGeneric, InferenceMode) {
  Tensor x = ones({2}, TensorOptions().requires_grad(true));
  Tensor t;
  {
    InferenceModeGuard guard;
    EnableGradGuard enable;  // grad mode on, but nothing records in inference mode
    Tensor y = x * 2;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_TRUE(y.is_inference());
    t = full({2}, 3.0);
  }
  EXPECT_FALSE(is_inference_mode_enabled());
  EXPECT_TRUE(t.is_inference());
  EXPECT_FALSE(x.is_inference());
  expect_error_containing<Error>([&] { (void)(x * t); }, "Inference tensors cannot be saved for backward");
  expect_error_containing<Error>([&] { t.add_(1); }, "Inplace update to inference tensor outside InferenceMode");
  (x + t).sum().backward();  // add saves neither input
  expect_values(x.grad(), {1, 1});
}

TEST(InplaceGeneric, ViewsMadeUnderNoGrad) {
  Tensor x = ones({2, 3}, TensorOptions().requires_grad(true));
  Tensor b = x * 1.0;
  Tensor v;
  {
    NoGradGuard guard;
    v = b[1];
  }
  EXPECT_TRUE(v.requires_grad());
  EXPECT_EQ(v.grad_fn(), nullptr);
  Tensor y = v * 2;
  EXPECT_TRUE(y.requires_grad());
  y.sum().backward();
  EXPECT_FALSE(x.grad().defined());  // no gradient flows through a view made under no_grad
  expect_error_containing<Error>([&] { v.mul_(2); }, "A view was created in no_grad mode and is being modified inplace");
  {
    NoGradGuard guard;
    v.mul_(2);
  }
  expect_values(b, {1, 1, 1, 2, 2, 2}, {2, 3});
}

TEST(InplaceGeneric, MultiOutputViewsRejectInplace) {
  Tensor x = random_input({4, 3}, -2, 2, 5).requires_grad_(true);
  const std::string tail = " is a view and is being modified inplace. This view is the output of a function that "
                           "returns multiple views. Such functions do not allow the output views to be modified inplace.";
  Tensor b = x * 1.0;
  auto parts = b.split(2);
  expect_error_containing<Error>([&] { parts[0].mul_(2); }, "Output 0 of Split" + tail);
  expect_error_containing<Error>([&] { b.chunk(2)[1].sin_(); }, "Output 1 of Split" + tail);
  expect_error_containing<Error>([&] { b.unbind()[2].add_(1); }, "Output 2 of Unbind" + tail);
  expect_error_containing<Error>([&] { fl::split(b, Shape{1, 3})[1].zero_(); }, "Output 1 of SplitWithSizes" + tail);
  b.mul_(2);  // the base itself may be written; its split outputs then cannot be used in recorded ops
  expect_error_containing<Error>([&] { (void)(parts[1] * 2); },
                                 "Output 1 of Split is a view and its base or another view of its base has been "
                                 "modified inplace.");
  // Without grad, split outputs are ordinary views.
  Tensor plain = zeros({4});
  plain.split(2)[1].fill_(1);
  expect_values(plain, {0, 0, 1, 1});
}

// MLX's scatter-based gradients of take/gather fail or crash on empty arrays: empty inputs or outputs give zeros.
TEST(InplaceGeneric, EmptyIndexingBackward) {
  Tensor empty_idx = zeros({0}, kInt64);
  Tensor e = zeros({0, 3}, TensorOptions().requires_grad(true));
  e.index_select(0, empty_idx).sum().backward();
  EXPECT_EQ(e.grad().sizes(), (Shape{0, 3}));
  Tensor x = ones({4, 3}, TensorOptions().requires_grad(true));
  x.index_select(0, empty_idx).sum().backward();
  expect_values(x.grad(), std::vector<double>(12, 0.0), {4, 3});
  auto zero_grad_of = [](const std::function<Tensor(const Tensor&)>& f, const Shape& shape) {
    Tensor a = ones(shape, TensorOptions().requires_grad(true));
    f(a).sum().backward();
    EXPECT_EQ(a.grad().sizes(), shape);
    EXPECT_EQ(a.grad().abs().sum().item<double>(), 0.0);
  };
  zero_grad_of([&](const Tensor& a) { return a.gather(0, zeros({0, 3}, kInt64)); }, {4, 3});
  zero_grad_of([&](const Tensor& a) { return a.gather(1, zeros({0, 3}, kInt64)); }, {0, 3});
  zero_grad_of([&](const Tensor& a) { return a.index({empty_idx}); }, {4, 3});
  zero_grad_of([&](const Tensor& a) { return a.scatter(0, zeros({0, 3}, kInt64), zeros({0, 3})); }, {0, 3});
  zero_grad_of([&](const Tensor& a) { return a.scatter_add(0, zeros({0, 3}, kInt64), zeros({0, 3})); }, {0, 3});
  zero_grad_of([&](const Tensor& a) { return a.masked_select(zeros({0, 3}, kBool)); }, {0, 3});
  zero_grad_of([&](const Tensor& a) { return a.masked_fill(zeros({0, 3}, kBool), 1.0); }, {0, 3});
  zero_grad_of([&](const Tensor& a) { return fl::index_add(a, 0, empty_idx, zeros({0, 3})); }, {0, 3});
  zero_grad_of([&](const Tensor& a) { return fl::index_add(a, 0, empty_idx, zeros({0, 3})) * 0.0; }, {4, 3});
  Tensor w = ones({4, 3}, TensorOptions().requires_grad(true));
  Tensor s = zeros({0, 3}, TensorOptions().requires_grad(true));
  fl::scatter_add(w, 0, zeros({0, 3}, kInt64), s).sum().backward();
  expect_values(w.grad(), std::vector<double>(12, 1.0), {4, 3});
  EXPECT_EQ(s.grad().sizes(), (Shape{0, 3}));
}

}  // namespace
}  // namespace fl::test
