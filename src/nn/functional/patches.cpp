// CPU kernels for im2col / col2im / window_argmax as MLX primitives (see patches.h for why they exist).
#include "nn/functional/patches.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include <mlx/allocator.h>
#include <mlx/backend/cpu/encoder.h>
#include <mlx/ops.h>
#include <mlx/primitives.h>

namespace fl::nn::detail {
namespace mx = mlx::core;

namespace {

// Calls f(T{}) with the C++ type of an MLX dtype (every real dtype; bool is not a patch dtype).
template <typename F>
void dispatch(mx::Dtype dt, F&& f) {
  switch (dt) {
    case mx::float32: f(float{}); break;
    case mx::float64: f(double{}); break;
    case mx::float16: f(mx::float16_t{}); break;
    case mx::bfloat16: f(mx::bfloat16_t{}); break;
    case mx::int64: f(int64_t{}); break;
    case mx::int32: f(int32_t{}); break;
    case mx::int16: f(int16_t{}); break;
    case mx::int8: f(int8_t{}); break;
    case mx::uint8: f(uint8_t{}); break;
    default: throw std::invalid_argument("patch kernels: unsupported dtype");
  }
}

// The output positions o in [0, n) whose tap o * stride + offset lies in [0, size): [lo, hi).
std::pair<int64_t, int64_t> valid_range(int64_t n, int64_t stride, int64_t offset, int64_t size) {
  auto ceil_div = [](int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); };
  auto floor_div = [](int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
  int64_t lo = std::clamp<int64_t>(ceil_div(-offset, stride), 0, n);
  int64_t hi = std::clamp<int64_t>(floor_div(size - 1 - offset, stride) + 1, lo, n);
  return {lo, hi};
}

struct Strides4 {
  int64_t n, c, h, w;
};

// Walks every (image row/col, column row) pair of the unfold: f(col_row_ptr_offset, n, c, ih, lo, hi, iw0) for
// each window row of kernel tap (kh, kw): the column entries [lo, hi) of output row oh map to image row ih,
// columns iw0 + ow * sw. Entries outside [lo, hi), and rows with ih outside the image, touch padding.
template <typename RowFn, typename PadFn>
void for_each_tap(const PatchGeometry& g, int64_t N, int64_t C, RowFn&& row, PadFn&& pad) {
  const int64_t L = g.oh * g.ow;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t kh = 0; kh < g.kh; ++kh)
        for (int64_t kw = 0; kw < g.kw; ++kw) {
          const int64_t r = ((n * C + c) * g.kh + kh) * g.kw + kw;  // column row, in units of L
          const int64_t off_w = kw * g.dw - g.pw;
          auto [lo, hi] = valid_range(g.ow, g.sw, off_w, g.w);
          for (int64_t oh = 0; oh < g.oh; ++oh) {
            const int64_t ih = oh * g.sh - g.ph + kh * g.dh;
            const int64_t base = r * L + oh * g.ow;
            if (ih < 0 || ih >= g.h) {
              pad(base, 0, g.ow);
              continue;
            }
            pad(base, 0, lo);
            row(base, n, c, ih, lo, hi, lo * g.sw + off_w);
            pad(base, hi, g.ow);
          }
        }
}

template <typename T>
void im2col_kernel(const T* x, Strides4 s, T* out, const PatchGeometry& g, int64_t N, int64_t C) {
  for_each_tap(
      g, N, C,
      [&](int64_t base, int64_t n, int64_t c, int64_t ih, int64_t lo, int64_t hi, int64_t iw0) {
        const T* src = x + n * s.n + c * s.c + ih * s.h + iw0 * s.w;
        T* dst = out + base;
        const int64_t step = g.sw * s.w;
        if (step == 1) std::memcpy(dst + lo, src, sizeof(T) * (hi - lo));
        else
          for (int64_t o = lo; o < hi; ++o, src += step) dst[o] = *src;
      },
      [&](int64_t base, int64_t lo, int64_t hi) { std::fill(out + base + lo, out + base + hi, T(0)); });
}

template <typename T>
void col2im_kernel(const T* cols, int64_t s_n, int64_t s_r, int64_t s_l, T* out, const PatchGeometry& g,
                   int64_t N, int64_t C) {
  const int64_t L = g.oh * g.ow, rows = C * g.kh * g.kw;
  std::fill(out, out + N * C * g.h * g.w, T(0));
  for_each_tap(
      g, N, C,
      [&](int64_t base, int64_t n, int64_t c, int64_t ih, int64_t lo, int64_t hi, int64_t iw0) {
        // base = (n * rows + r) * L + oh * ow: recover r and oh to read a strided column matrix.
        const int64_t r = base / L - n * rows, l0 = base % L;
        const T* src = cols + n * s_n + r * s_r + l0 * s_l;
        T* dst = out + ((n * C + c) * g.h + ih) * g.w + iw0;
        for (int64_t o = lo; o < hi; ++o) dst[(o - lo) * g.sw] += src[o * s_l];
      },
      [](int64_t, int64_t, int64_t) {});
}

mx::Shape cols_shape(int64_t N, int64_t C, const PatchGeometry& g) {
  return {static_cast<int>(N), static_cast<int>(C * g.kh * g.kw), static_cast<int>(g.oh * g.ow)};
}

mx::Stream cpu_stream() { return mx::to_stream(mx::Device::cpu); }

class Im2Col : public mx::UnaryPrimitive {
 public:
  Im2Col(mx::Stream s, PatchGeometry g) : mx::UnaryPrimitive(s), g_(g) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    const mx::array& x = inputs[0];
    out.set_data(mx::allocator::malloc(out.nbytes()));
    auto& enc = mx::cpu::get_command_encoder(stream());
    enc.set_input_array(x);
    enc.set_output_array(out);
    if (out.size() == 0) return;
    Strides4 s{x.strides()[0], x.strides()[1], x.strides()[2], x.strides()[3]};
    int64_t N = x.shape(0), C = x.shape(1);
    const void* px = x.data<void>();
    void* po = out.data<void>();
    enc.dispatch([g = g_, s, N, C, px, po, dt = x.dtype()]() {
      dispatch(dt, [&](auto t) {
        using T = decltype(t);
        im2col_kernel(static_cast<const T*>(px), s, static_cast<T*>(po), g, N, C);
      });
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("Im2Col has no GPU kernel");
  }
  std::vector<mx::array> vjp(const std::vector<mx::array>&, const std::vector<mx::array>& cotangents,
                             const std::vector<int>&, const std::vector<mx::array>&) override {
    return {col2im(cotangents[0], g_)};
  }
  std::vector<mx::array> jvp(const std::vector<mx::array>&, const std::vector<mx::array>& tangents,
                             const std::vector<int>&) override {
    return {im2col(tangents[0], g_)};
  }
  const char* name() const override { return "FlIm2Col"; }
  bool is_equivalent(const mx::Primitive& other) const override {
    return static_cast<const Im2Col&>(other).g_ == g_;
  }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override {
    return {cols_shape(inputs[0].shape(0), inputs[0].shape(1), g_)};
  }

 private:
  PatchGeometry g_;
};

class Col2Im : public mx::UnaryPrimitive {
 public:
  Col2Im(mx::Stream s, PatchGeometry g) : mx::UnaryPrimitive(s), g_(g) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    const mx::array& cols = inputs[0];
    out.set_data(mx::allocator::malloc(out.nbytes()));
    auto& enc = mx::cpu::get_command_encoder(stream());
    enc.set_input_array(cols);
    enc.set_output_array(out);
    if (out.size() == 0) return;
    int64_t N = out.shape(0), C = out.shape(1);
    int64_t sn = cols.strides()[0], sr = cols.strides()[1], sl = cols.strides()[2];
    const void* pc = cols.data<void>();
    void* po = out.data<void>();
    enc.dispatch([g = g_, N, C, sn, sr, sl, pc, po, dt = cols.dtype()]() {
      dispatch(dt, [&](auto t) {
        using T = decltype(t);
        col2im_kernel(static_cast<const T*>(pc), sn, sr, sl, static_cast<T*>(po), g, N, C);
      });
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("Col2Im has no GPU kernel");
  }
  std::vector<mx::array> vjp(const std::vector<mx::array>&, const std::vector<mx::array>& cotangents,
                             const std::vector<int>&, const std::vector<mx::array>&) override {
    return {im2col(cotangents[0], g_)};
  }
  std::vector<mx::array> jvp(const std::vector<mx::array>&, const std::vector<mx::array>& tangents,
                             const std::vector<int>&) override {
    return {col2im(tangents[0], g_)};
  }
  const char* name() const override { return "FlCol2Im"; }
  bool is_equivalent(const mx::Primitive& other) const override {
    return static_cast<const Col2Im&>(other).g_ == g_;
  }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override {
    const mx::array& c = inputs[0];
    return {{c.shape(0), static_cast<int>(c.shape(1) / (g_.kh * g_.kw)), static_cast<int>(g_.h),
             static_cast<int>(g_.w)}};
  }

 private:
  PatchGeometry g_;
};

template <typename T>
void argmax_kernel(const T* x, Strides4 s, int64_t* out, int64_t N, int64_t C, int64_t W,
                   const std::vector<Window>& rows, const std::vector<Window>& cols) {
  // Compared as float for the half types; integers start from their lowest value, floats from -inf.
  using A = std::conditional_t<std::is_floating_point_v<T> || std::is_integral_v<T>, T, float>;
  constexpr A lowest = std::numeric_limits<A>::has_infinity ? -std::numeric_limits<A>::infinity()
                                                            : std::numeric_limits<A>::lowest();
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      const T* plane = x + n * s.n + c * s.c;
      for (const Window& r : rows)
        for (const Window& q : cols) {
          int64_t best = r.begin * W + q.begin;
          A maxval = lowest;
          for (int64_t ih = r.begin; ih < r.end; ih += r.step)
            for (int64_t iw = q.begin; iw < q.end; iw += q.step) {
              A v = static_cast<A>(plane[ih * s.h + iw * s.w]);
              bool nan = false;
              if constexpr (!std::is_integral_v<A>) nan = std::isnan(v);
              if (v > maxval || nan) {
                maxval = v;
                best = ih * W + iw;
              }
            }
          *out++ = best;
        }
    }
}

class WindowArgmax : public mx::UnaryPrimitive {
 public:
  WindowArgmax(mx::Stream s, std::vector<Window> rows, std::vector<Window> cols)
      : mx::UnaryPrimitive(s), rows_(std::move(rows)), cols_(std::move(cols)) {}

  void eval_cpu(const std::vector<mx::array>& inputs, mx::array& out) override {
    const mx::array& x = inputs[0];
    out.set_data(mx::allocator::malloc(out.nbytes()));
    auto& enc = mx::cpu::get_command_encoder(stream());
    enc.set_input_array(x);
    enc.set_output_array(out);
    if (out.size() == 0) return;
    Strides4 s{x.strides()[0], x.strides()[1], x.strides()[2], x.strides()[3]};
    int64_t N = x.shape(0), C = x.shape(1), W = x.shape(3);
    const void* px = x.data<void>();
    int64_t* po = out.data<int64_t>();
    enc.dispatch([rows = rows_, cols = cols_, s, N, C, W, px, po, dt = x.dtype()]() {
      dispatch(dt, [&](auto t) {
        using T = decltype(t);
        argmax_kernel(static_cast<const T*>(px), s, po, N, C, W, rows, cols);
      });
    });
  }
  void eval_gpu(const std::vector<mx::array>&, mx::array&) override {
    throw std::runtime_error("WindowArgmax has no GPU kernel");
  }
  const char* name() const override { return "FlWindowArgmax"; }
  bool is_equivalent(const mx::Primitive& other) const override {
    auto& o = static_cast<const WindowArgmax&>(other);
    return o.rows_ == rows_ && o.cols_ == cols_;
  }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override {
    return {{inputs[0].shape(0), inputs[0].shape(1), static_cast<int>(rows_.size()), static_cast<int>(cols_.size())}};
  }

 private:
  std::vector<Window> rows_, cols_;
};

}  // namespace

mx::array im2col(const mx::array& x, const PatchGeometry& g) {
  return mx::array(cols_shape(x.shape(0), x.shape(1), g), x.dtype(), std::make_shared<Im2Col>(cpu_stream(), g), {x});
}

mx::array col2im(const mx::array& cols, const PatchGeometry& g) {
  mx::Shape s{cols.shape(0), static_cast<int>(cols.shape(1) / (g.kh * g.kw)), static_cast<int>(g.h),
              static_cast<int>(g.w)};
  return mx::array(std::move(s), cols.dtype(), std::make_shared<Col2Im>(cpu_stream(), g), {cols});
}

mx::array window_argmax(const mx::array& x, const std::vector<Window>& rows, const std::vector<Window>& cols) {
  mx::Shape s{x.shape(0), x.shape(1), static_cast<int>(rows.size()), static_cast<int>(cols.size())};
  return mx::array(std::move(s), mx::int64, std::make_shared<WindowArgmax>(cpu_stream(), rows, cols), {x});
}

}  // namespace fl::nn::detail
