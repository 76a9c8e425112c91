// Pooling. Max pools find each window's argmax with a small kernel (window_argmax: PyTorch's first-maximum and
// NaN rules, its flat indices) and gather the values there, so the gradient reaches exactly that element (MLX's
// max reduction would split it among ties, e.g. the zeros after a ReLU). Average pools sum im2col windows (zero
// padding) and divide by PyTorch's divisor; adaptive average pools gather their uneven windows. 1-D pools run
// as 2-D over a unit height.
#include "fl/nn/functional/pooling.h"

#include <algorithm>

#include "nn/functional/common.h"
#include "nn/functional/patches.h"

namespace fl::nn::functional {
namespace {
using detail::add_batch;
using detail::drop_batch;
using detail::Window;
namespace mx = mlx::core;

int to_int(int64_t v) { return static_cast<int>(v); }

// A 1-D argument lifted to the 2-D form (height first): kernel/stride/dilation get 1, padding 0.
Shape lift(const Shape& v, int64_t unit) { return v.size() == 1 ? Shape{unit, v[0]} : v; }

int64_t div_floor(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// PyTorch's pooling_output_shape: with ceil_mode the last window may overhang but must start inside the image
// or its left padding.
int64_t pool_out(int64_t in, int64_t k, int64_t pad, int64_t stride, int64_t dil, bool ceil_mode) {
  int64_t out = div_floor(in + 2 * pad - dil * (k - 1) - 1 + (ceil_mode ? stride - 1 : 0), stride) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad) --out;
  return out;
}

// A pooling problem in its 2-D form: batched (N, C, H, W) sizes and per-dim kernel, stride, padding, dilation.
struct Pool {
  bool unbatched;
  int64_t dims;
  Shape in;  // N, C, H, W
  Shape k, s, p, d;
  int64_t oh, ow;
};

Shape batched4(const Tensor& x, int64_t dims) {
  Shape s = x.sizes();
  if (x.dim() == dims + 1) s.insert(s.begin(), 1);
  if (dims == 1) s.insert(s.end() - 1, 1);
  return s;
}

// The checks of PyTorch's 2-D pools (max_pool2d, avg_pool2d and the 1-D pools that run through them), on the
// lifted 4-D shape and 2-D parameters.
void check_pool2d(const Shape& in, const Shape& k, const Shape& s, const Shape& p, const Shape& d, int64_t oh,
                  int64_t ow) {
  FL_CHECK(k[0] > 0 && k[1] > 0, "kernel size should be greater than zero, but got kH: ", k[0], " kW: ", k[1]);
  FL_CHECK(s[0] > 0 && s[1] > 0, "stride should be greater than zero, but got dH: ", s[0], " dW: ", s[1]);
  FL_CHECK(d[0] > 0 && d[1] > 0, "dilation should be greater than zero, but got dilationH: ", d[0],
           " dilationW: ", d[1]);
  FL_CHECK(
      in[1] != 0 && in[2] != 0 && in[3] != 0,
      "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:", shape_to_string(in));
  for (int i = 0; i < 2; ++i) {
    FL_CHECK(p[i] >= 0, "pad must be non-negative, but got pad: ", p[i]);
    FL_CHECK(p[i] <= ((k[i] - 1) * d[i] + 1) / 2,
             "pad should be at most half of effective kernel size, but got pad=", p[i], ", kernel_size=", k[i],
             " and dilation=", d[i]);
  }
  FL_CHECK(oh >= 1 && ow >= 1, "Given input size: (", in[1], "x", in[2], "x", in[3], "). Calculated output size: (",
           in[1], "x", oh, "x", ow, "). Output size is too small");
}

// Argument-count checks ("max_pool2d: kernel_size must either be a single int, ...").
void check_arg_counts(const char* op, int64_t dims, const ExpandingArray& k, const ExpandingArray& s,
                      const ExpandingArray& p, const ExpandingArray* d) {
  const char* n = dims == 1 ? "one int" : "two ints";
  FL_CHECK(k.fits(dims), op, ": kernel_size must either be a single int, or a tuple of ", n);
  FL_CHECK(s.values().empty() || s.fits(dims), op, ": stride must either be omitted, a single int, or a tuple of ", n);
  FL_CHECK(p.fits(dims), op, ": padding must either be a single int, or a tuple of ", n);
  if (d) FL_CHECK(d->fits(dims), op, ": dilation must be either a single int, or a tuple of ", n);
}

// Rank check of the 1-D pools that PyTorch runs through the 2-D ones.
void check_rank_1d(const Tensor& x, const char* op) {
  FL_CHECK(x.dim() == 2 || x.dim() == 3, "Expected 2 to 3 dimensions, but got ", x.dim(),
           "-dimensional tensor for argument #1 'self' (while checking arguments for ", op, ")");
}

Pool make_pool(int64_t dims, const Tensor& x, const ExpandingArray& kernel, const ExpandingArray& stride,
               const ExpandingArray& padding, const ExpandingArray& dilation, bool ceil_mode) {
  Shape k = kernel.expand(dims);
  Shape s = stride.values().empty() ? k : stride.expand(dims);
  Pool r{x.dim() == dims + 1,
         dims,
         batched4(x, dims),
         lift(k, 1),
         lift(s, 1),
         lift(padding.expand(dims), 0),
         lift(dilation.expand(dims), 1),
         0,
         0};
  if (r.s[0] > 0 && r.s[1] > 0) {
    r.oh = pool_out(r.in[2], r.k[0], r.p[0], r.s[0], r.d[0], ceil_mode);
    r.ow = pool_out(r.in[3], r.k[1], r.p[1], r.s[1], r.d[1], ceil_mode);
  }
  return r;
}

// max_pool1d without indices has its own checks and messages in PyTorch.
void check_max_pool1d_rank(const Tensor& x) {
  FL_CHECK((x.dim() == 2 || x.dim() == 3) && x.size(-1) != 0 && x.size(-2) != 0,
           "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:",
           shape_to_string(x.sizes()));
}
void check_max_pool1d(const Pool& q) {
  FL_CHECK(q.k[1] > 0, "max_pool1d() kernel_size must be greater than zero, but got ", q.k[1]);
  FL_CHECK(q.s[1] > 0, "max_pool1d() stride must be greater than zero, but got ", q.s[1]);
  FL_CHECK(q.p[1] >= 0, "max_pool1d() padding must be non-negative, but got ", q.p[1]);
  FL_CHECK(q.p[1] <= q.k[1] / 2, "max_pool1d() padding should be at most half of kernel size, but got padding=", q.p[1],
           " and kernel_size=", q.k[1]);
  FL_CHECK(q.d[1] > 0, "max_pool1d() dilation must be greater than zero, but got ", q.d[1]);
  FL_CHECK(q.ow >= 1, "max_pool1d() Invalid computed output size: ", q.ow);
}

// The in-range taps of each window along a dim: start o * s - p, then every d-th index, k taps.
std::vector<Window> pool_windows(int64_t out, int64_t in, int64_t k, int64_t s, int64_t p, int64_t d) {
  std::vector<Window> w;
  for (int64_t o = 0; o < out; ++o) {
    int64_t start = o * s - p, begin = start;
    while (begin < 0) begin += d;
    int64_t end = std::min(start + (k - 1) * d + 1, in);
    w.push_back({std::min(begin, in - 1), std::max(end, std::min(begin, in - 1) + 1), d});
  }
  return w;
}

// Adaptive windows: [floor(o * in / out), ceil((o + 1) * in / out)).
std::vector<Window> adaptive_windows(int64_t out, int64_t in) {
  std::vector<Window> w;
  for (int64_t o = 0; o < out; ++o) w.push_back({o * in / out, ((o + 1) * in + out - 1) / out, 1});
  return w;
}

// Max pooling in two steps: the indices (not differentiable) are computed once, outside the recorded op, so
// that backward reuses them instead of recomputing the argmax; the recorded op gathers x at them.
std::tuple<Tensor, Tensor> max_by_windows(const char* name, const Tensor& x, bool unbatched, int64_t dims,
                                          const std::vector<Window>& rows, const std::vector<Window>& cols) {
  mx::array x4 = add_batch(x.mlx(), unbatched);
  if (dims == 1) x4 = mx::expand_dims(x4, 2);
  int N = x4.shape(0), C = x4.shape(1), H = x4.shape(2), W = x4.shape(3);
  int oh = to_int(rows.size()), ow = to_int(cols.size());
  mx::Shape out{N, C, oh, ow};
  if (dims == 1) out.erase(out.begin() + 2);
  const bool empty = detail::is_empty(out);
  mx::array idx = empty ? mx::zeros(out, mx::int64) : mx::reshape(detail::window_argmax(x4, rows, cols), out);
  Tensor indices = make_tensor(drop_batch(idx, unbatched), x.device());
  Tensor values = apply1(name, fn1([=](const Arrays& in) {
                           if (empty) return drop_batch(mx::zeros(out, in[0].dtype()), unbatched);
                           mx::array planes = mx::reshape(add_batch(in[0], unbatched), {N, C, H * W});
                           mx::array at = mx::reshape(add_batch(in[1], unbatched), {N, C, oh * ow});
                           return drop_batch(mx::reshape(mx::take_along_axis(planes, at, 2), out), unbatched);
                         }),
                         {x, indices}, save_inputs({0}));
  return {values, indices};
}

std::tuple<Tensor, Tensor> max_pool_impl(const char* name, const Tensor& x, const Pool& q) {
  auto rows = pool_windows(q.oh, q.in[2], q.k[0], q.s[0], q.p[0], q.d[0]);
  auto cols = pool_windows(q.ow, q.in[3], q.k[1], q.s[1], q.p[1], q.d[1]);
  return max_by_windows(name, x, q.unbatched, q.dims, rows, cols);
}

void check_max_dtype(const Tensor& x, const char* kernel) {
  if (x.dtype() == kBool) detail::not_implemented_for(kernel, kBool);
}

std::tuple<Tensor, Tensor> max_pool_with_indices(const char* op, int64_t dims, const Tensor& x,
                                                 const ExpandingArray& kernel, const ExpandingArray& stride,
                                                 const ExpandingArray& padding, const ExpandingArray& dilation,
                                                 bool ceil_mode) {
  check_arg_counts(op, dims, kernel, stride, padding, &dilation);
  if (dims == 1) check_rank_1d(x, "max_pool1d");
  FL_CHECK(x.dim() == 3 || x.dim() == 4 || dims == 1, "non-empty 3D or 4D (batch mode) tensor expected for input");
  Pool q = make_pool(dims, x, kernel, stride, padding, dilation, ceil_mode);
  FL_CHECK(q.s[0] != 0 && q.s[1] != 0, "stride should not be zero");
  check_pool2d(q.in, q.k, q.s, q.p, q.d, q.oh, q.ow);
  check_max_dtype(x, "max_pool2d");
  return max_pool_impl(dims == 1 ? "SqueezeBackward1" : "MaxPool2DWithIndicesBackward0", x, q);
}

// --- average pooling -------------------------------------------------------------------------------------------

// PyTorch's divisor per output position along a dim: the window clipped to the padded input (count_include_pad)
// or to the input itself; 1 where nothing is left (the sum is 0 there, as PyTorch's output).
std::vector<int64_t> avg_divisors(int64_t out, int64_t in, int64_t k, int64_t s, int64_t p, bool include_pad) {
  std::vector<int64_t> r;
  for (int64_t o = 0; o < out; ++o) {
    int64_t start = o * s - p, end = std::min(start + k, in + p);
    int64_t n = include_pad ? end - start : std::min(end, in) - std::max<int64_t>(start, 0);
    r.push_back(n > 0 ? n : 1);
  }
  return r;
}

Tensor avg_pool_impl(const char* name, const Tensor& x, const Pool& q, bool count_include_pad,
                     std::optional<int64_t> divisor_override) {
  detail::PatchGeometry g{q.in[2], q.in[3], q.k[0], q.k[1], q.s[0], q.s[1], q.p[0], q.p[1], 1, 1, q.oh, q.ow};
  auto dh = avg_divisors(q.oh, q.in[2], q.k[0], q.s[0], q.p[0], count_include_pad);
  auto dw = avg_divisors(q.ow, q.in[3], q.k[1], q.s[1], q.p[1], count_include_pad);
  std::vector<double> div;
  for (int64_t a : dh)
    for (int64_t b : dw) div.push_back(static_cast<double>(divisor_override ? *divisor_override : a * b));
  bool unbatched = q.unbatched, integer = !x.is_floating_point();
  int64_t dims = q.dims;
  Dtype dtype = x.dtype();
  return apply1(name, fn1([=](const Arrays& in) {
                  mx::array x4 = add_batch(in[0], unbatched);
                  if (dims == 1) x4 = mx::expand_dims(x4, 2);
                  int N = x4.shape(0), C = x4.shape(1), L = to_int(g.oh * g.ow);
                  mx::array planes = mx::reshape(x4, {N * C, 1, to_int(g.h), to_int(g.w)});
                  mx::array sums = mx::sum(detail::im2col(planes, g), 1);  // (N*C, L)
                  mx::array d(div.begin(), {L}, integer ? mx::float64 : to_mlx(dtype));
                  // Integer pools divide with truncation, as C++ integer division in PyTorch's kernel.
                  mx::array avg = integer ? mx::astype(mx::divide(mx::astype(sums, mx::float64), d), to_mlx(dtype))
                                          : mx::divide(sums, d);
                  mx::Shape out{N, C, to_int(g.oh), to_int(g.ow)};
                  if (dims == 1) out.erase(out.begin() + 2);
                  return drop_batch(mx::reshape(avg, out), unbatched);
                }),
                {x});
}

// --- adaptive pools ----------------------------------------------------------------------------------------------

// Output sizes (None = the input's), batched 4-D input shape; the checks of each adaptive op.
struct Adaptive {
  Shape in;  // N, C, H, W
  int64_t oh, ow;
  bool unbatched;
};

Adaptive adaptive_setup(const char* op, int64_t dims, bool is_max, const Tensor& x, const OutputSize& size) {
  const auto& v = size.values();
  if (dims == 1) {
    check_rank_1d(x, op);
    FL_CHECK(v.size() == 1, op, "() argument 'output_size' should contain one int (got ", v.size(), ")");
  } else if (is_max) {
    FL_CHECK(x.dim() == 3 || x.dim() == 4,
             "adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: ", shape_to_string(x.sizes()));
    FL_CHECK(v.size() == 2 || v.size() == 1, "adaptive_max_pool2d(): internal error: output_size.size() must be 2");
  } else {
    FL_CHECK(x.dim() == 3 || x.dim() == 4, "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got ",
             shape_to_string(x.sizes()));
    FL_CHECK(v.size() == 2 || v.size() == 1, "adaptive_avg_pool2d: output_size must be 2");
  }
  Adaptive a{batched4(x, dims), 0, 0, x.dim() == dims + 1};
  std::vector<std::optional<int64_t>> full = v.size() == 1 ? std::vector(dims, v[0]) : v;
  Shape out(dims);
  for (int64_t i = 0; i < dims; ++i) out[i] = full[i].value_or(x.size(x.dim() - dims + i));
  Shape o2 = lift(out, 1);
  a.oh = o2[0];
  a.ow = o2[1];
  const char* name2d = is_max ? "adaptive_max_pool2d" : "adaptive_avg_pool2d";
  // PyTorch's 1-D adaptive average pool reports from the 2-D op, on the input with a unit height inserted.
  Shape seen = x.sizes();
  if (dims == 1 && !is_max) seen.insert(seen.end() - 1, 1);
  if (is_max) {
    Shape res = x.sizes();
    if (dims == 1) res.insert(res.end() - 1, 1);
    res[res.size() - 2] = a.oh;
    res.back() = a.ow;
    for (int64_t r : res)
      FL_CHECK(r >= 0, "Trying to create tensor with negative dimension ", r, ": ", shape_to_string(res));
  } else {
    FL_CHECK(a.oh >= 0 && a.ow >= 0,
             "adaptive_avg_pool2d: elements of output_size must be greater than or equal to "
             "0 but received {",
             a.oh, ", ", a.ow, "}");
  }
  const char* who = is_max && dims == 1 ? "adaptive_max_pool1d" : name2d;
  for (size_t i = 1; i < seen.size(); ++i)
    FL_CHECK(seen[i] != 0, who,
             "(): Expected input to have non-zero size for non-batch dimensions, but input has "
             "sizes ",
             shape_to_string(seen), " with dimension ", i, " being empty");
  if (!x.is_floating_point()) detail::not_implemented_for(name2d, x.dtype());
  return a;
}

// Mean over uneven windows: gather each window's taps (padded to the longest window with a zero appended to the
// plane), sum, divide by the window's size.
Tensor adaptive_avg_impl(const char* name, const Tensor& x, const Adaptive& a, int64_t dims) {
  auto rows = adaptive_windows(a.oh, a.in[2]), cols = adaptive_windows(a.ow, a.in[3]);
  int64_t kh = 0, kw = 0, H = a.in[2], W = a.in[3];
  for (auto& r : rows) kh = std::max(kh, r.end - r.begin);
  for (auto& c : cols) kw = std::max(kw, c.end - c.begin);
  std::vector<int32_t> idx;
  std::vector<double> count;
  for (auto& r : rows)
    for (auto& c : cols) {
      count.push_back(static_cast<double>((r.end - r.begin) * (c.end - c.begin)));
      for (int64_t i = 0; i < kh; ++i)
        for (int64_t j = 0; j < kw; ++j) {
          bool in = r.begin + i < r.end && c.begin + j < c.end;
          idx.push_back(static_cast<int32_t>(in ? (r.begin + i) * W + c.begin + j : H * W));
        }
    }
  bool unbatched = a.unbatched;
  int oh = to_int(a.oh), ow = to_int(a.ow), taps = to_int(kh * kw);
  return apply1(name, fn1([=](const Arrays& in) {
                  mx::array x4 = add_batch(in[0], unbatched);
                  if (dims == 1) x4 = mx::expand_dims(x4, 2);
                  int N = x4.shape(0), C = x4.shape(1);
                  mx::Shape out{N, C, oh, ow};
                  if (dims == 1) out.erase(out.begin() + 2);
                  if (detail::is_empty(out)) return drop_batch(mx::zeros(out, x4.dtype()), unbatched);
                  mx::array flat =
                      mx::pad(mx::reshape(x4, {N, C, to_int(H * W)}), std::vector<int>{2}, mx::Shape{0}, mx::Shape{1});
                  mx::array gathered = mx::take(flat, mx::array(idx.begin(), {to_int(idx.size())}, mx::int32), 2);
                  mx::array sums = mx::sum(mx::reshape(gathered, {N, C, oh * ow, taps}), 3);
                  mx::array mean = mx::divide(sums, mx::array(count.begin(), {oh * ow}, x4.dtype()));
                  return drop_batch(mx::reshape(mean, out), unbatched);
                }),
                {x});
}

std::tuple<Tensor, Tensor> adaptive_max_impl(const Tensor& x, const Adaptive& a, int64_t dims) {
  return max_by_windows(dims == 1 ? "SqueezeBackward1" : "AdaptiveMaxPool2DBackward0", x, a.unbatched, dims,
                        adaptive_windows(a.oh, a.in[2]), adaptive_windows(a.ow, a.in[3]));
}

}  // namespace

Tensor max_pool1d(const Tensor& input, const ExpandingArray& kernel_size, const ExpandingArray& stride,
                  const ExpandingArray& padding, const ExpandingArray& dilation, bool ceil_mode) {
  check_arg_counts("max_pool1d", 1, kernel_size, stride, padding, &dilation);
  check_max_pool1d_rank(input);
  Pool q = make_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode);
  check_max_pool1d(q);
  if (!input.is_floating_point()) detail::not_implemented_for("max_pool1d_impl", input.dtype());
  return std::get<0>(max_pool_impl("SqueezeBackward1", input, q));
}

Tensor max_pool2d(const Tensor& input, const ExpandingArray& kernel_size, const ExpandingArray& stride,
                  const ExpandingArray& padding, const ExpandingArray& dilation, bool ceil_mode) {
  return std::get<0>(max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode));
}

std::tuple<Tensor, Tensor> max_pool1d_with_indices(const Tensor& input, const ExpandingArray& kernel_size,
                                                   const ExpandingArray& stride, const ExpandingArray& padding,
                                                   const ExpandingArray& dilation, bool ceil_mode) {
  return max_pool_with_indices("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode);
}

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const ExpandingArray& kernel_size,
                                                   const ExpandingArray& stride, const ExpandingArray& padding,
                                                   const ExpandingArray& dilation, bool ceil_mode) {
  return max_pool_with_indices("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode);
}

Tensor avg_pool1d(const Tensor& input, const ExpandingArray& kernel_size, const ExpandingArray& stride,
                  const ExpandingArray& padding, bool ceil_mode, bool count_include_pad) {
  check_arg_counts("avg_pool1d", 1, kernel_size, stride, padding, nullptr);
  check_rank_1d(input, "avg_pool1d");
  Pool q = make_pool(1, input, kernel_size, stride, padding, 1, ceil_mode);
  FL_CHECK(q.s[1] != 0, "stride should not be zero");
  check_pool2d(q.in, q.k, q.s, q.p, q.d, q.oh, q.ow);
  return avg_pool_impl("SqueezeBackward1", input, q, count_include_pad, std::nullopt);
}

Tensor avg_pool2d(const Tensor& input, const ExpandingArray& kernel_size, const ExpandingArray& stride,
                  const ExpandingArray& padding, bool ceil_mode, bool count_include_pad,
                  std::optional<int64_t> divisor_override) {
  check_arg_counts("avg_pool2d", 2, kernel_size, stride, padding, nullptr);
  if (input.dim() < 3) wrap_dim(-3, input.dim());  // PyTorch's IndexError for 1-D and 2-D inputs
  FL_CHECK(input.dim() <= 4, "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:",
           shape_to_string(input.sizes()));
  Pool q = make_pool(2, input, kernel_size, stride, padding, 1, ceil_mode);
  FL_CHECK(q.s[0] != 0 && q.s[1] != 0, "stride should not be zero");
  FL_CHECK(!divisor_override || *divisor_override != 0, "divisor must be not zero");
  check_pool2d(q.in, q.k, q.s, q.p, q.d, q.oh, q.ow);
  if (input.dtype() == kBool) detail::not_implemented_for("avg_pool2d", kBool);
  return avg_pool_impl("AvgPool2DBackward0", input, q, count_include_pad, divisor_override);
}

Tensor adaptive_avg_pool1d(const Tensor& input, const OutputSize& output_size) {
  Adaptive a = adaptive_setup("adaptive_avg_pool1d", 1, false, input, output_size);
  return adaptive_avg_impl("SqueezeBackward1", input, a, 1);
}

Tensor adaptive_avg_pool2d(const Tensor& input, const OutputSize& output_size) {
  Adaptive a = adaptive_setup("adaptive_avg_pool2d", 2, false, input, output_size);
  return adaptive_avg_impl("AdaptiveAvgPool2DBackward0", input, a, 2);
}

Tensor adaptive_max_pool1d(const Tensor& input, const OutputSize& output_size) {
  return std::get<0>(adaptive_max_pool1d_with_indices(input, output_size));
}

Tensor adaptive_max_pool2d(const Tensor& input, const OutputSize& output_size) {
  return std::get<0>(adaptive_max_pool2d_with_indices(input, output_size));
}

std::tuple<Tensor, Tensor> adaptive_max_pool1d_with_indices(const Tensor& input, const OutputSize& output_size) {
  return adaptive_max_impl(input, adaptive_setup("adaptive_max_pool1d", 1, true, input, output_size), 1);
}

std::tuple<Tensor, Tensor> adaptive_max_pool2d_with_indices(const Tensor& input, const OutputSize& output_size) {
  return adaptive_max_impl(input, adaptive_setup("adaptive_max_pool2d", 2, true, input, output_size), 2);
}

static OpRegistrar kRegistrar({
    {"max_pool1d", "nn.functional", true},
    {"max_pool2d", "nn.functional", true},
    {"max_pool1d_with_indices", "nn.functional", true},
    {"max_pool2d_with_indices", "nn.functional", true},
    {"avg_pool1d", "nn.functional", true},
    {"avg_pool2d", "nn.functional", true},
    {"adaptive_avg_pool1d", "nn.functional", true},
    {"adaptive_avg_pool2d", "nn.functional", true},
    {"adaptive_max_pool1d", "nn.functional", true},
    {"adaptive_max_pool2d", "nn.functional", true},
    {"adaptive_max_pool1d_with_indices", "nn.functional", true},
    {"adaptive_max_pool2d_with_indices", "nn.functional", true},
});

}  // namespace fl::nn::functional
