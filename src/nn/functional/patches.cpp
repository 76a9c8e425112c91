// CPU kernels for im2col / col2im / window_argmax as MLX primitives (see patches.h for why they exist).
#include "nn/functional/patches.h"

#include <mlx/allocator.h>
#include <mlx/backend/cpu/encoder.h>
#include <mlx/ops.h>
#include <mlx/primitives.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include "kernels/elementwise_impl.h"

namespace fl::nn::detail {
namespace mx = mlx::core;

namespace {

// Calls f(T{}) with the C++ type of an MLX dtype (every real dtype; bool is not a patch dtype).
template <typename F>
void dispatch(mx::Dtype dt, F&& f) {
  switch (dt) {
    case mx::float32:
      f(float{});
      break;
    case mx::float64:
      f(double{});
      break;
    case mx::float16:
      f(mx::float16_t{});
      break;
    case mx::bfloat16:
      f(mx::bfloat16_t{});
      break;
    case mx::int64:
      f(int64_t{});
      break;
    case mx::int32:
      f(int32_t{});
      break;
    case mx::int16:
      f(int16_t{});
      break;
    case mx::int8:
      f(int8_t{});
      break;
    case mx::uint8:
      f(uint8_t{});
      break;
    default:
      throw std::invalid_argument("patch kernels: unsupported dtype");
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

// For each kernel tap along a dim, the output positions whose input index lies inside the image: [lo, hi).
struct TapRanges {
  std::vector<std::pair<int64_t, int64_t>> h, w;
  explicit TapRanges(const PatchGeometry& g) {
    for (int64_t k = 0; k < g.kh; ++k) h.push_back(valid_range(g.oh, g.sh, k * g.dh - g.ph, g.h));
    for (int64_t k = 0; k < g.kw; ++k) w.push_back(valid_range(g.ow, g.sw, k * g.dw - g.pw, g.w));
  }
};

// The loops below keep per-row work to a few instructions: the rows are short (the output width), and there are
// N * C * kh * kw * oh of them.
// f(lo, hi) over the N * C image planes, split between the kernels' OpenMP threads (kernels/elementwise_impl.h) in
// chunks of at least ~16K elements of `per_plane` each: every plane's output is its own block.
template <class F>
void for_planes(int64_t planes, int64_t per_plane, F&& f) {
  const size_t grain = static_cast<size_t>(std::max<int64_t>(1, (int64_t(1) << 14) / std::max<int64_t>(per_plane, 1)));
  kernels::detail::parallel_for(
      static_cast<size_t>(planes), grain,
      [&](size_t lo, size_t hi) { f(static_cast<int64_t>(lo), static_cast<int64_t>(hi)); }, 1);
}

template <typename T>
void im2col_kernel(const T* x, Strides4 s, T* out, const PatchGeometry& g, int64_t N, int64_t C) {
  const TapRanges r(g);
  const int64_t L = g.oh * g.ow, OW = g.ow, step = g.sw * s.w;
  for_planes(N * C, g.kh * g.kw * L, [&](int64_t lo, int64_t hi) {
    T* dst = out + lo * g.kh * g.kw * L;
    for (int64_t p = lo; p < hi; ++p) {
      const int64_t n = p / C, c = p % C;
      const T* plane = x + n * s.n + c * s.c;
      for (int64_t kh = 0; kh < g.kh; ++kh) {
        const auto [hlo, hhi] = r.h[kh];
        for (int64_t kw = 0; kw < g.kw; ++kw, dst += L) {
          const auto [wlo, whi] = r.w[kw];
          std::fill(dst, dst + hlo * OW, T(0));
          std::fill(dst + hhi * OW, dst + L, T(0));
          const T* src = plane + (hlo * g.sh - g.ph + kh * g.dh) * s.h + (wlo * g.sw + kw * g.dw - g.pw) * s.w;
          for (int64_t oh = hlo; oh < hhi; ++oh, src += g.sh * s.h) {
            T* d = dst + oh * OW;
            for (int64_t o = 0; o < wlo; ++o) d[o] = T(0);
            if (step == 1)
              for (int64_t o = wlo; o < whi; ++o) d[o] = src[o - wlo];
            else
              for (int64_t o = wlo; o < whi; ++o) d[o] = src[(o - wlo) * step];
            for (int64_t o = whi; o < OW; ++o) d[o] = T(0);
          }
        }
      }
    }
  });
}

template <typename T>
void col2im_kernel(const T* cols, int64_t s_n, int64_t s_r, int64_t s_l, T* out, const PatchGeometry& g, int64_t N,
                   int64_t C) {
  const TapRanges r(g);
  const int64_t OW = g.ow, W = g.w, KK = g.kh * g.kw;
  for_planes(N * C, KK * g.oh * OW, [&](int64_t lo, int64_t hi) {
    std::fill(out + lo * g.h * W, out + hi * g.h * W, T(0));
    for (int64_t p = lo; p < hi; ++p) {
      const int64_t n = p / C, c = p % C;
      T* plane = out + p * g.h * W;
      for (int64_t kh = 0; kh < g.kh; ++kh) {
        const auto [hlo, hhi] = r.h[kh];
        for (int64_t kw = 0; kw < g.kw; ++kw) {
          const auto [wlo, whi] = r.w[kw];
          const T* row = cols + n * s_n + (c * KK + kh * g.kw + kw) * s_r;
          T* dst = plane + (hlo * g.sh - g.ph + kh * g.dh) * W + wlo * g.sw + kw * g.dw - g.pw;
          for (int64_t oh = hlo; oh < hhi; ++oh, dst += g.sh * W) {
            const T* src = row + (oh * OW + wlo) * s_l;
            if (g.sw == 1 && s_l == 1)
              for (int64_t o = 0; o < whi - wlo; ++o) dst[o] += src[o];
            else
              for (int64_t o = 0; o < whi - wlo; ++o) dst[o * g.sw] += src[o * s_l];
          }
        }
      }
    }
  });
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
  bool is_equivalent(const mx::Primitive& other) const override { return static_cast<const Im2Col&>(other).g_ == g_; }
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
  bool is_equivalent(const mx::Primitive& other) const override { return static_cast<const Col2Im&>(other).g_ == g_; }
  std::vector<mx::Shape> output_shapes(const std::vector<mx::array>& inputs) override {
    const mx::array& c = inputs[0];
    return {
        {c.shape(0), static_cast<int>(c.shape(1) / (g_.kh * g_.kw)), static_cast<int>(g_.h), static_cast<int>(g_.w)}};
  }

 private:
  PatchGeometry g_;
};

// Per output column: the columns' first tap, tap count and the common tap step.
struct ColumnTaps {
  std::vector<int64_t> begin, count;
  int64_t step = 1, max_count = 0;
  explicit ColumnTaps(const std::vector<Window>& cols) {
    if (!cols.empty()) step = cols[0].step;
    for (const Window& w : cols) {
      begin.push_back(w.begin);
      count.push_back((w.end - w.begin + step - 1) / step);
      max_count = std::max(max_count, count.back());
    }
  }
  // Tap j of column o; windows shorter than the longest re-read their last tap (a no-op for the comparison).
  int64_t tap(int64_t o, int64_t j) const { return begin[o] + std::min(j, count[o] - 1) * step; }
};

// Scalar form for any dtype. PyTorch's rule: take v if v > max or v is NaN, visiting taps in row-major order.
template <typename T>
void argmax_columns(const T* plane, Strides4 s, int64_t W, const Window& r, const ColumnTaps& ct, int64_t o0,
                    int64_t o1, int64_t* best) {
  // Compared as float for the half types; integers start from their lowest value, floats from -inf.
  using A = std::conditional_t<std::is_floating_point_v<T> || std::is_integral_v<T>, T, float>;
  constexpr A lowest =
      std::numeric_limits<A>::has_infinity ? -std::numeric_limits<A>::infinity() : std::numeric_limits<A>::lowest();
  for (int64_t o = o0; o < o1; ++o) {
    A m = lowest;
    int64_t b = r.begin * W + ct.begin[o];
    for (int64_t ih = r.begin; ih < r.end; ih += r.step)
      for (int64_t j = 0; j < ct.count[o]; ++j) {
        const int64_t iw = ct.tap(o, j);
        const A v = static_cast<A>(plane[ih * s.h + iw * s.w]);
        bool take = v > m;
        if constexpr (!std::is_integral_v<A>) take = take || v != v;
        if (take) {
          m = v;
          b = ih * W + iw;
        }
      }
    best[o] = b;
  }
}

// float32 / float64: kLanes output columns at once with vector blends (compilers turn the scalar selects into
// branches, which random data mispredicts). Index lanes match the value lanes' width.
template <typename T>
void argmax_columns_simd(const T* plane, Strides4 s, int64_t W, const Window& r, const ColumnTaps& ct, int64_t OW,
                         int64_t* best) {
  using I = std::conditional_t<sizeof(T) == 4, int32_t, int64_t>;
  constexpr int kLanes = 16 / sizeof(T);
  typedef T V __attribute__((vector_size(16)));
  typedef I M __attribute__((vector_size(16)));
  int64_t o = 0;
  for (; o + kLanes <= OW; o += kLanes) {
    V m;
    M b;
    for (int l = 0; l < kLanes; ++l) {
      m[l] = -std::numeric_limits<T>::infinity();
      b[l] = static_cast<I>(r.begin * W + ct.begin[o + l]);
    }
    for (int64_t ih = r.begin; ih < r.end; ih += r.step) {
      const T* row = plane + ih * s.h;
      for (int64_t j = 0; j < ct.max_count; ++j) {
        V v;
        M idx;
        for (int l = 0; l < kLanes; ++l) {
          const int64_t iw = ct.tap(o + l, j);
          v[l] = row[iw * s.w];
          idx[l] = static_cast<I>(ih * W + iw);
        }
        const M take = (v > m) | (v != v);
        m = (V)(((M)v & take) | ((M)m & ~take));
        b = (idx & take) | (b & ~take);
      }
    }
    for (int l = 0; l < kLanes; ++l) best[o + l] = b[l];
  }
  argmax_columns(plane, s, W, r, ct, o, OW, best);
}

template <typename T>
void argmax_kernel(const T* x, Strides4 s, int64_t* out_all, int64_t N, int64_t C, int64_t H, int64_t W,
                   const std::vector<Window>& rows, const std::vector<Window>& cols) {
  const ColumnTaps ct(cols);
  const int64_t OW = static_cast<int64_t>(cols.size());
  constexpr bool simd_type = std::is_same_v<T, float> || std::is_same_v<T, double>;
  const bool simd = simd_type && H * W < std::numeric_limits<int32_t>::max();
  const int64_t per_plane = static_cast<int64_t>(rows.size()) * OW;
  for_planes(N * C, H * W, [&](int64_t lo, int64_t hi) {
    int64_t* out = out_all + lo * per_plane;
    for (int64_t p = lo; p < hi; ++p) {
      const int64_t n = p / C, c = p % C;
      const T* plane = x + n * s.n + c * s.c;
      for (const Window& r : rows) {
        if constexpr (simd_type) {
          if (simd)
            argmax_columns_simd(plane, s, W, r, ct, OW, out);
          else
            argmax_columns(plane, s, W, r, ct, 0, OW, out);
        } else {
          argmax_columns(plane, s, W, r, ct, 0, OW, out);
        }
        out += OW;
      }
    }
  });
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
    int64_t N = x.shape(0), C = x.shape(1), H = x.shape(2), W = x.shape(3);
    const void* px = x.data<void>();
    int64_t* po = out.data<int64_t>();
    enc.dispatch([rows = rows_, cols = cols_, s, N, C, H, W, px, po, dt = x.dtype()]() {
      dispatch(dt, [&](auto t) {
        using T = decltype(t);
        argmax_kernel(static_cast<const T*>(px), s, po, N, C, H, W, rows, cols);
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
