// interpolate as separable taps: along each spatial dim (the last first, as PyTorch's kernels nest them) every
// output position reads a few input positions (1 for nearest, 2 for linear, 4 for cubic) with weights, so the
// result is sum_t take(x, idx_t, axis) * w_t, in PyTorch's order of operations, and the gradient is the gathers'
// scatter-add. Indices and weights are computed on the host with PyTorch's formulas and precision (float for
// float32/half inputs, double for float64).
#include "fl/nn/functional/vision.h"

#include <cmath>
#include <sstream>
#include <tuple>

#include "fl/nn/functional/pooling.h"
#include "nn/functional/common.h"

namespace fl::nn::functional {
namespace {
namespace mx = mlx::core;

enum class Kind { Nearest, NearestExact, Linear, Cubic };

// Each output position's taps along one dim: idx and weights, (out, count) row-major (no weights for nearest).
struct Taps {
  bool identity = false;  // the dim is left as is (antialiased resizes skip same-size dims, as PyTorch)
  int count = 1;
  std::vector<int32_t> idx;
  std::vector<double> w;
};

// PyTorch's compute_scales_value / area_pixel_compute_scale, in the kernel's math type T.
template <typename T>
T scale_value(std::optional<double> scale, int64_t in, int64_t out) {
  return scale && *scale > 0 ? static_cast<T>(1.0 / *scale) : static_cast<T>(in) / static_cast<T>(out);
}
template <typename T>
T area_scale(int64_t in, int64_t out, bool align_corners, std::optional<double> scale) {
  if (align_corners) return out > 1 ? static_cast<T>(in - 1) / static_cast<T>(out - 1) : T(0);
  return scale_value<T>(scale, in, out);
}
template <typename T>
T source_index(T scale, int64_t o, bool align_corners, bool cubic) {
  if (align_corners) return scale * static_cast<T>(o);
  T src = scale * (static_cast<T>(o) + T(0.5)) - T(0.5);
  return !cubic && src < T(0) ? T(0) : src;
}
// guard_index_and_lambda: floor through float, as PyTorch's floorf; the fraction clamped to [0, 1].
template <typename T>
std::pair<int64_t, T> index_and_lambda(T real, int64_t in) {
  int64_t i = std::min(static_cast<int64_t>(std::floor(static_cast<float>(real))), in - 1);
  return {i, std::min(std::max(real - static_cast<T>(i), T(0)), T(1))};
}

int32_t nearest_index(int64_t o, int64_t in, int64_t out, std::optional<double> scale, bool exact) {
  if (!exact && out == in) return static_cast<int32_t>(o);
  if (!exact && out == 2 * in) return static_cast<int32_t>(o >> 1);
  float s = scale_value<float>(scale, in, out);
  float v = exact ? static_cast<float>((static_cast<double>(o) + 0.5) * s) : static_cast<float>(o) * s;
  return static_cast<int32_t>(std::min(static_cast<int64_t>(std::floor(v)), in - 1));
}

template <typename T>
void cubic_coefficients(T t, T c[4]) {
  const T A = T(-0.75);
  auto conv1 = [A](T x) { return ((A + 2) * x - (A + 3)) * x * x + 1; };
  auto conv2 = [A](T x) { return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; };
  c[0] = conv2(t + T(1));
  c[1] = conv1(t);
  c[2] = conv1(T(1) - t);
  c[3] = conv2(T(2) - t);
}

template <typename T>
Taps make_taps(Kind kind, int64_t in, int64_t out, bool align_corners, std::optional<double> scale) {
  Taps taps;
  if (kind == Kind::Nearest || kind == Kind::NearestExact) {
    for (int64_t o = 0; o < out; ++o) taps.idx.push_back(nearest_index(o, in, out, scale, kind == Kind::NearestExact));
    return taps;
  }
  T ratio = area_scale<T>(in, out, align_corners, scale);
  if (kind == Kind::Linear) {
    taps.count = 2;
    for (int64_t o = 0; o < out; ++o) {
      int64_t i0 = o, i1 = o;
      T l0 = 1, l1 = 0;
      if (out != in) {
        std::tie(i0, l1) = index_and_lambda(source_index(ratio, o, align_corners, false), in);
        i1 = i0 + (i0 < in - 1 ? 1 : 0);
        l0 = T(1) - l1;
      }
      taps.idx.insert(taps.idx.end(), {static_cast<int32_t>(i0), static_cast<int32_t>(i1)});
      taps.w.insert(taps.w.end(), {static_cast<double>(l0), static_cast<double>(l1)});
    }
    return taps;
  }
  taps.count = 4;
  for (int64_t o = 0; o < out; ++o) {
    auto [i, t] = index_and_lambda(source_index(ratio, o, align_corners, true), in);
    T c[4];
    cubic_coefficients(t, c);
    for (int j = 0; j < 4; ++j) {
      taps.idx.push_back(static_cast<int32_t>(std::clamp<int64_t>(i - 1 + j, 0, in - 1)));
      taps.w.push_back(static_cast<double>(c[j]));
    }
  }
  return taps;
}

// Antialiased linear / cubic weights (PyTorch's _compute_indices_min_size_weights_aa, PIL's resampling): the
// filter (triangle, or Keys cubic with a = -0.5) is widened by the scale when downsampling, each output reads the
// input pixels under it, and the weights are normalised. Padded taps repeat the first one with weight 0.
template <typename T>
Taps antialias_taps(Kind kind, int64_t in, int64_t out, bool align_corners, std::optional<double> scale) {
  Taps taps;
  if (in == out) {
    taps.identity = true;
    return taps;
  }
  const int interp = kind == Kind::Cubic ? 4 : 2;
  const T s = area_scale<T>(in, out, align_corners, scale);
  const T support = s >= 1.0 ? static_cast<T>(interp * 0.5 * s) : static_cast<T>(interp * 0.5);
  const int64_t max_taps = static_cast<int64_t>(std::ceil(support)) * 2 + 1;
  const T invscale = s >= 1.0 ? static_cast<T>(1.0 / s) : T(1);
  auto filter = [kind](T x) -> T {
    x = std::abs(x);
    if (kind == Kind::Linear) return x < T(1) ? T(1) - x : T(0);
    const T a = T(-0.5);
    if (x < T(1)) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < T(2)) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
    return T(0);
  };
  taps.count = static_cast<int>(max_taps);
  for (int64_t i = 0; i < out; ++i) {
    const T center = static_cast<T>(s * (static_cast<double>(i) + 0.5));
    const int64_t xmin = std::max<int64_t>(static_cast<int64_t>(center - support + 0.5), 0);
    const int64_t xsize =
        std::clamp<int64_t>(std::min<int64_t>(static_cast<int64_t>(center + support + 0.5), in) - xmin, 0, max_taps);
    std::vector<T> w(max_taps, T(0));
    T total = 0;
    for (int64_t j = 0; j < xsize; ++j) {
      w[j] = filter(static_cast<T>((static_cast<T>(j + xmin) - center + 0.5) * invscale));
      total += w[j];
    }
    for (int64_t j = 0; j < max_taps; ++j) {
      taps.idx.push_back(static_cast<int32_t>(j < xsize ? xmin + j : std::min(xmin, in - 1)));
      taps.w.push_back(static_cast<double>(total != T(0) && j < xsize ? w[j] / total : T(0)));
    }
  }
  return taps;
}

const char* grad_name(Kind kind, int64_t dims) {
  static const char* names[4][3] = {
      {"UpsampleNearest1DBackward0", "UpsampleNearest2DBackward0", "UpsampleNearest3DBackward0"},
      {"UpsampleNearestExact1DBackward0", "UpsampleNearestExact2DBackward0", "UpsampleNearestExact3DBackward0"},
      {"UpsampleLinear1DBackward0", "UpsampleBilinear2DBackward0", "UpsampleTrilinear3DBackward0"},
      {"", "UpsampleBicubic2DBackward0", ""}};
  return names[static_cast<int>(kind)][dims - 1];
}

const char* kernel_name(Kind kind, int64_t dims) {
  static const char* names[4][3] = {
      {"upsample_nearest1d", "upsample_nearest2d", "upsample_nearest3d"},
      {"_upsample_nearest_exact1d", "_upsample_nearest_exact2d", "_upsample_nearest_exact3d"},
      {"upsample_linear1d", "upsample_bilinear2d", "upsample_trilinear3d"},
      {"", "upsample_bicubic2d", ""}};
  return names[static_cast<int>(kind)][dims - 1];
}

// "input (H: 4, W: 5) output (H: 0, W: 0)": PyTorch's upsample size check.
void check_sizes(const Shape& in, const Shape& out) {
  static const char* letters[3][3] = {{"W"}, {"H", "W"}, {"D", "H", "W"}};
  bool ok = true;
  for (size_t i = 0; i < in.size(); ++i) ok = ok && in[i] > 0 && out[i] > 0;
  if (ok) return;
  auto list = [&](const Shape& s) {
    std::string r = "(";
    for (size_t i = 0; i < s.size(); ++i)
      r += std::string(i ? ", " : "") + letters[s.size() - 1][i] + ": " + std::to_string(s[i]);
    return r + ")";
  };
  FL_CHECK(false, "Input and output sizes should be greater than 0, but got input ", list(in),
           in.size() == 1 ? " and output " : " output ", list(out));
}

std::string sizes_list(const Shape& s) { return shape_to_string(s); }

std::string py_tuple(const std::vector<double>& v, bool ints) {
  std::string r = "(";
  for (size_t i = 0; i < v.size(); ++i) {
    std::ostringstream ss;
    if (ints)
      ss << static_cast<int64_t>(v[i]);
    else
      ss << v[i];
    r += (i ? ", " : "") + ss.str();
  }
  return r + (v.size() == 1 ? ",)" : ")");
}

}  // namespace

Tensor interpolate(const Tensor& input, const ExpandingArray& size, const ScaleFactors& scale_factor,
                   const std::string& mode, std::optional<bool> align_corners,
                   std::optional<bool> recompute_scale_factor, bool antialias) {
  const bool interpolating = mode == "linear" || mode == "bilinear" || mode == "bicubic" || mode == "trilinear";
  if (!interpolating && (mode == "nearest" || mode == "area" || mode == "nearest-exact"))
    FL_CHECK_VALUE(!align_corners,
                   "align_corners option can only be set with the interpolating modes: linear | "
                   "bilinear | bicubic | trilinear");
  const bool align = align_corners.value_or(false);
  const int64_t nd = input.dim(), dims = nd - 2;
  const bool has_size = !size.values().empty(), has_scale = !scale_factor.values().empty();
  FL_CHECK_VALUE(!(has_size && has_scale), "only one of size or scale_factor should be defined");
  FL_CHECK_VALUE(has_size || has_scale, "either size or scale_factor should be defined");
  Shape in_sp(input.sizes().begin() + std::min<int64_t>(2, nd), input.sizes().end());
  if (has_size)
    FL_CHECK_VALUE(size.values().size() == 1 || static_cast<int64_t>(size.values().size()) == dims,
                   "Input and output must have the same number of spatial dimensions, but got input with spatial "
                   "dimensions of ",
                   sizes_list(in_sp), " and output size of ",
                   py_tuple(std::vector<double>(size.values().begin(), size.values().end()), true),
                   ". Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, "
                   "...,oK) format.");
  if (has_scale)
    FL_CHECK_VALUE(scale_factor.values().size() == 1 || static_cast<int64_t>(scale_factor.values().size()) == dims,
                   "Input and scale_factor must have the same number of spatial dimensions, but got input with "
                   "spatial dimensions of ",
                   sizes_list(in_sp), " and scale_factor of shape ", py_tuple(scale_factor.values(), false),
                   ". Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, "
                   "...,sK) format.");
  FL_CHECK_VALUE(!(recompute_scale_factor.value_or(false) && has_size),
                 "recompute_scale_factor is not meaningful with an explicit size.");
  FL_CHECK_VALUE(!antialias || ((mode == "bilinear" || mode == "bicubic") && nd == 4),
                 "Anti-alias option is restricted to bilinear and bicubic modes and requires a 4-D tensor as input");

  // Output sizes, and the scales the kernels use (the given factors unless recomputed from the sizes).
  Shape out(std::max<int64_t>(dims, 0));
  std::vector<std::optional<double>> scales(out.size());
  bool recompute = recompute_scale_factor.value_or(false) || (mode == "area" && !has_size);
  for (int64_t i = 0; i < dims; ++i) {
    if (has_size) {
      out[i] = size.values().size() == 1 ? size.values()[0] : size.values()[i];
      continue;
    }
    double s = scale_factor.values().size() == 1 ? scale_factor.values()[0] : scale_factor.values()[i];
    out[i] = recompute ? static_cast<int64_t>(std::floor(static_cast<double>(in_sp[i]) * s))
                       : static_cast<int64_t>(static_cast<double>(in_sp[i]) * s);
    if (!recompute) scales[i] = s;
  }

  Kind kind;
  if (mode == "nearest")
    kind = Kind::Nearest;
  else if (mode == "nearest-exact")
    kind = Kind::NearestExact;
  else if (mode == "area") {
    FL_CHECK_AS(NotImplementedError, nd == 3 || nd == 4, "interpolate(): mode 'area' supports 3-D and 4-D inputs (got ",
                nd, "D)");
    std::vector<std::optional<int64_t>> o(out.begin(), out.end());
    return nd == 3 ? adaptive_avg_pool1d(input, o) : adaptive_avg_pool2d(input, o);
  } else {
    const int64_t want = mode == "linear" ? 3 : mode == "trilinear" ? 5 : 4;
    const bool known = interpolating;
    if (known && nd >= 3 && nd <= 5 && nd != want)
      FL_CHECK_AS(NotImplementedError, false, "Got ", nd, "D input, but ", mode, " mode needs ", want, "D input");
    kind = mode == "bicubic" ? Kind::Cubic : Kind::Linear;
    FL_CHECK_AS(NotImplementedError, known, "Input Error: Only 3D, 4D and 5D input Tensors supported (got ", nd,
                "D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ",
                mode, ")");
  }
  FL_CHECK_AS(NotImplementedError, nd >= 3 && nd <= 5, "Input Error: Only 3D, 4D and 5D input Tensors supported (got ",
              nd, "D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got ",
              mode, ")");
  check_sizes(in_sp, out);
  const bool nearest = kind == Kind::Nearest || kind == Kind::NearestExact;
  if (!(input.is_floating_point() || (nearest && input.dtype() == kUInt8)))
    detail::not_implemented_for(kernel_name(kind, dims), input.dtype());

  std::vector<Taps> taps;
  const bool f64 = input.dtype() == kFloat64;
  for (int64_t i = 0; i < dims; ++i) {
    if (antialias)
      taps.push_back(f64 ? antialias_taps<double>(kind, in_sp[i], out[i], align, scales[i])
                         : antialias_taps<float>(kind, in_sp[i], out[i], align, scales[i]));
    else
      taps.push_back(f64 ? make_taps<double>(kind, in_sp[i], out[i], align, scales[i])
                         : make_taps<float>(kind, in_sp[i], out[i], align, scales[i]));
  }
  const char* name = !antialias            ? grad_name(kind, dims)
                     : kind == Kind::Cubic ? "UpsampleBicubic2DAaBackward0"
                                           : "UpsampleBilinear2DAaBackward0";
  return apply1(name, fn1([taps, out, dims](const Arrays& in) {
                  mx::array a = in[0];
                  mx::Shape shape = a.shape();
                  for (int64_t d = 0; d < dims; ++d) shape[2 + d] = static_cast<int>(out[d]);
                  if (detail::is_empty(shape)) return mx::zeros(shape, a.dtype());
                  for (int64_t d = dims - 1; d >= 0; --d) {
                    const Taps& t = taps[d];
                    if (t.identity) continue;
                    const int axis = static_cast<int>(2 + d), n = static_cast<int>(out[d]);
                    mx::Shape wshape(a.ndim(), 1);
                    wshape[axis] = n;
                    std::optional<mx::array> acc;
                    for (int k = 0; k < t.count; ++k) {
                      std::vector<int32_t> idx(n);
                      std::vector<double> w(t.w.empty() ? 0 : n);
                      for (int o = 0; o < n; ++o) {
                        idx[o] = t.idx[o * t.count + k];
                        if (!t.w.empty()) w[o] = t.w[o * t.count + k];
                      }
                      mx::array g = mx::take(a, mx::array(idx.begin(), {n}, mx::int32), axis);
                      if (!w.empty()) g = mx::multiply(g, mx::array(w.begin(), wshape, a.dtype()));
                      acc = acc ? mx::add(*acc, g) : g;
                    }
                    a = *acc;
                  }
                  return a;
                }),
                {input});
}

static OpRegistrar kRegistrar({
    {"interpolate", "nn.functional", true},
});

}  // namespace fl::nn::functional
