#include "fl/ops/random.h"

#include <mlx/random.h>

#include "fl/ops/binary.h"
#include "core/layout.h"
#include "ops/op_utils.h"

namespace fl {
namespace mxr = mlx::core::random;

Generator::Generator(uint64_t seed) : seed_(seed), key_(std::make_shared<mx::array>(mxr::key(seed))) {}

Generator& Generator::manual_seed(uint64_t seed) {
  seed_ = seed;
  *key_ = mxr::key(seed);
  return *this;
}

mx::array Generator::next_key() {
  auto [next, sub] = mxr::split(*key_);
  *key_ = next;
  return sub;
}

Generator& default_generator() {
  static Generator g;
  return g;
}
void manual_seed(uint64_t seed) { default_generator().manual_seed(seed); }

namespace {
mx::array key_of(Generator* gen) {
  detail::adopt_shared_stream();  // the draw is recorded on this thread's stream: make it the shared one first
  return (gen ? *gen : default_generator()).next_key();
}

Dtype float_dtype(const TensorOptions& opts, const char* op) {
  Dtype d = opts.dtype_or_default();
  FL_CHECK_AS(NotImplementedError, is_floating_point(d), "\"", op, "\" not implemented for '", scalar_type_name(d), "'");
  return d;
}

// Uniform [0, 1) in dtype d; float64 takes 53 random bits (MLX's uniform stops at float32).
mx::array uniform01(const mx::Shape& shape, Dtype d, const mx::array& key) {
  if (d != kFloat64) return mx::astype(mxr::uniform(shape, mx::float32, key), to_mlx(d));
  // Two 32-bit words per element viewed as one 64-bit word (MLX draws at most 32 bits at a time).
  mx::Shape pairs = shape;
  pairs.push_back(2);
  mx::array bits = mx::reshape(mx::view(mxr::bits(pairs, 4, key), mx::uint64), shape);
  mx::array top = mx::astype(mx::right_shift(bits, mx::array(uint64_t{11}, mx::uint64)), mx::float64);
  return mx::multiply(top, mx::array(1.0 / 9007199254740992.0, mx::float64));
}
}  // namespace

Tensor rand(const Shape& size, TensorOptions opts, Generator* gen) {
  Dtype d = float_dtype(opts, "check_uniform_bounds");
  return finish_creation(uniform01(to_mx_shape(size), d, key_of(gen)), opts.dtype(d));
}

Tensor randn(const Shape& size, TensorOptions opts, Generator* gen) {
  Dtype d = float_dtype(opts, "normal_kernel_cpu");
  mx::Dtype md = d == kFloat64 ? mx::float64 : mx::float32;
  return finish_creation(cast(mxr::normal(to_mx_shape(size), md, std::nullopt, std::nullopt, key_of(gen)), d), opts.dtype(d));
}

Tensor randint(int64_t low, int64_t high, const Shape& size, TensorOptions opts, Generator* gen) {
  FL_CHECK(low < high, "random_ expects 'from' to be less than 'to', but got from=", low, " >= to=", high);
  Dtype d = opts.dtype_opt().value_or(kInt64);
  mx::array r = mxr::randint(mx::array(low, mx::int64), mx::array(high, mx::int64), to_mx_shape(size), mx::int64, key_of(gen));
  return finish_creation(cast(r, d), opts.dtype(d));
}
Tensor randint(int64_t high, const Shape& size, TensorOptions opts, Generator* gen) {
  return randint(0, high, size, opts, gen);
}

Tensor randperm(int64_t n, TensorOptions opts, Generator* gen) {
  FL_CHECK(n >= 0, "n must be non-negative, got", n);
  Dtype d = opts.dtype_opt().value_or(kInt64);
  if (n == 0) return finish_creation(mx::zeros({0}, to_mlx(d)), opts.dtype(d));
  return finish_creation(cast(mxr::permutation(static_cast<int>(n), key_of(gen)), d), opts.dtype(d));
}

Tensor rand_like(const Tensor& t, TensorOptions opts, Generator* gen) {
  return with_copy_strides(rand(t.sizes(), opts.dtype_opt() ? opts : opts.dtype(t.dtype()), gen), t,
                           opts.memory_format_or_preserve());
}
Tensor randn_like(const Tensor& t, TensorOptions opts, Generator* gen) {
  return with_copy_strides(randn(t.sizes(), opts.dtype_opt() ? opts : opts.dtype(t.dtype()), gen), t,
                           opts.memory_format_or_preserve());
}

Tensor normal(double mean, double std, const Shape& size, TensorOptions opts, Generator* gen) {
  FL_CHECK(std >= 0.0, "normal expects std >= 0.0, but found std ", std);
  Tensor z = randn(size, opts.requires_grad(false), gen);
  Tensor r = make_tensor(mx::add(mx::multiply(z.mlx(), mx::array(std, z.mlx().dtype())), mx::array(mean, z.mlx().dtype())),
                         z.device());
  if (opts.requires_grad_flag()) r.requires_grad_(true);
  return r;
}

Tensor normal(const Tensor& mean, const Tensor& std, Generator* gen) {
  Shape shape = broadcast_shapes(mean.sizes(), std.sizes());
  Dtype d = result_type(mean, std);
  Tensor z = randn(shape, TensorOptions(d), gen);
  return mean + std * z;
}

Tensor uniform(const Shape& size, double low, double high, TensorOptions opts, Generator* gen) {
  FL_CHECK(low <= high, "uniform_ expects to return a [from, to) range, but found from=", low, " > to=", high);
  Tensor u = rand(size, opts.requires_grad(false), gen);
  mx::array a = u.mlx();
  Tensor r = make_tensor(mx::add(mx::multiply(a, mx::array(high - low, a.dtype())), mx::array(low, a.dtype())), u.device());
  if (opts.requires_grad_flag()) r.requires_grad_(true);
  return r;
}

Tensor bernoulli(const Tensor& p, Generator* gen) {
  FL_CHECK(p.is_floating_point(), "bernoulli_ expects p to be a floating point tensor");
  mx::array pv = p.mlx();
  FL_CHECK(mx::all(mx::logical_and(mx::greater_equal(pv, mx::array(0.0, pv.dtype())),
                                   mx::less_equal(pv, mx::array(1.0, pv.dtype())))).item<bool>(),
           "Expected p_in >= 0 && p_in <= 1 to be true, but got false.");
  mx::array u = uniform01(pv.shape(), p.dtype(), key_of(gen));
  return make_tensor(mx::astype(mx::less(u, pv), pv.dtype()), p.device());
}

Tensor bernoulli(const Tensor& like, double p, Generator* gen) {
  FL_CHECK(p >= 0 && p <= 1, "bernoulli_ expects p to be in [0, 1], but got p=", p);
  Dtype d = like.is_floating_point() ? like.dtype() : get_default_dtype();
  mx::array u = uniform01(to_mx_shape(like.sizes()), d, key_of(gen));
  return make_tensor(mx::astype(mx::less(u, mx::array(p, u.dtype())), to_mlx(like.dtype())), like.device());
}

Tensor multinomial(const Tensor& probs, int64_t num_samples, bool replacement, Generator* gen) {
  FL_CHECK(probs.dim() == 1 || probs.dim() == 2, "prob_dist must be 1 or 2 dim");
  FL_CHECK(num_samples > 0, "cannot sample n_sample <= 0 samples");
  int64_t n_cat = probs.size(-1);
  FL_CHECK(replacement || num_samples <= n_cat, "cannot sample n_sample > prob_dist.size(-1) samples without replacement");
  mx::array p = mx::astype(probs.mlx(), mx::float32);
  FL_CHECK(mx::all(mx::greater_equal(p, mx::array(0.0f))).item<bool>(), "probability tensor contains either `inf`, `nan` or element < 0");
  mx::array logits = mx::log(p);
  mx::array out = mx::array(0);
  if (replacement) {
    // Gumbel-max, num_samples independent draws per row: shape (..., num_samples). (mx::random::categorical
    // with num_samples fails to broadcast 2-D logits.)
    mx::Shape gs = p.shape();
    gs.insert(gs.end() - 1, static_cast<int>(num_samples));
    mx::array g = mxr::gumbel(gs, mx::float32, key_of(gen));
    out = mx::argmax(mx::add(mx::expand_dims(logits, -2), g), -1);
  } else {
    // Gumbel top-k: without replacement, the k largest perturbed logits.
    mx::array g = mxr::gumbel(p.shape(), mx::float32, key_of(gen));
    mx::array scores = mx::add(logits, g);
    out = mx::slice(mx::argsort(mx::negative(scores), -1), mx::Shape(p.ndim(), 0),
                    [&] { auto s = p.shape(); s.back() = static_cast<int>(num_samples); return s; }());
  }
  return make_tensor(mx::astype(out, mx::int64), probs.device());
}

}  // namespace fl

namespace fl {
static OpRegistrar kRegistrar({
    {"rand", "random", false},      {"randn", "random", false},      {"randint", "random", false},
    {"randperm", "random", false},  {"rand_like", "random", false},  {"randn_like", "random", false},
    {"normal", "random", false},    {"uniform", "random", false},    {"bernoulli", "random", false},
    {"multinomial", "random", false},
});
}  // namespace fl
