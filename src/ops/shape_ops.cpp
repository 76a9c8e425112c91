// Shape ops that compute new values: repeat, flip, roll, rot90, tril/triu and pad. Each is one MLX
// composition, differentiated by MLX's vjp.
#include <algorithm>
#include <numeric>

#include "fl/ops/shape.h"
#include "core/layout.h"
#include "ops/op_utils.h"

namespace fl {

namespace {
// Strides of a result torch allocates with empty_like (flip): the input's when they are dense (core/layout.h).
Shape preserved_strides(const Tensor& x) { return copy_strides(x.sizes(), x.strides()); }

mx::array index_array(const std::vector<int32_t>& idx) {
  return mx::array(idx.begin(), mx::Shape{static_cast<int>(idx.size())}, mx::int32);
}

mx::array roll_axis(const mx::array& a, int64_t shift, int axis) {
  int n = a.shape(axis);
  if (n == 0) return a;
  int s = static_cast<int>(((shift % n) + n) % n);
  if (s == 0) return a;
  mx::Shape start(a.ndim(), 0), stop = a.shape();
  mx::Shape start2 = start, stop2 = stop;
  start[axis] = n - s;  // the last s elements come first
  stop2[axis] = n - s;
  return mx::concatenate({mx::slice(a, start, stop), mx::slice(a, start2, stop2)}, axis);
}
}  // namespace

// --- repeating ----------------------------------------------------------------------------------------

Tensor repeat(const Tensor& x, const Shape& repeats) {
  FL_CHECK(static_cast<int64_t>(repeats.size()) >= x.dim(),
           "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
  Shape padded(repeats.size() - x.dim(), 1);
  padded.insert(padded.end(), x.sizes().begin(), x.sizes().end());
  Shape target(repeats.size());
  for (size_t i = 0; i < repeats.size(); ++i) target[i] = padded[i] * repeats[i];
  for (auto t : target)
    FL_CHECK(t >= 0, "Trying to create tensor with negative dimension ", t, ": ", shape_to_string(target));
  return apply1("RepeatBackward0", fn1([padded, repeats, target](const Arrays& in) {
    // View each dim d as (1, d), broadcast to (r, d), and merge: a tile.
    mx::Shape split, bcast;
    for (size_t i = 0; i < padded.size(); ++i) {
      split.insert(split.end(), {1, static_cast<int>(padded[i])});
      bcast.insert(bcast.end(), {static_cast<int>(repeats[i]), static_cast<int>(padded[i])});
    }
    return mx::reshape(mx::broadcast_to(mx::reshape(in[0], split), bcast), to_mx_shape(target));
  }), {x});
}

Tensor tile(const Tensor& x, const Shape& reps) {
  Shape r = reps;
  if (static_cast<int64_t>(r.size()) < x.dim()) r.insert(r.begin(), x.dim() - r.size(), 1);
  return repeat(x, r);
}

Tensor repeat_interleave(const Tensor& x, int64_t repeats, std::optional<int64_t> dim) {
  // PyTorch's composition: each element gets a new dim, expanded and copied, then merged back.
  Tensor input = dim ? x : x.flatten();
  int64_t d = wrap_dim(dim.value_or(0), x.dim());
  FL_CHECK(repeats >= 0, "Repeats must be non-negative");
  input = input.unsqueeze(d + 1);
  Shape shape = input.sizes();
  shape[d + 1] = repeats;
  return input.expand(shape).clone(MemoryFormat::Contiguous).flatten(d, d + 1);
}

// --- flipping and rolling ----------------------------------------------------------------------------------

Tensor flip(const Tensor& x, const Shape& dims) {
  std::vector<int> axes = dims.empty() ? std::vector<int>{} : wrap_dims(dims, x.dim());
  Tensor r = apply1("FlipBackward0", fn1([axes](const Arrays& in) {
    mx::array a = in[0];
    for (int ax : axes) a = mx::flip(a, ax);
    return a;
  }), {x});
  r.impl()->strides = preserved_strides(x);
  return r;
}
Tensor fliplr(const Tensor& x) {
  FL_CHECK(x.dim() >= 2, "Input must be >= 2-d.");
  return flip(x, {1});
}
Tensor flipud(const Tensor& x) {
  FL_CHECK(x.dim() >= 1, "Input must be >= 1-d.");
  return flip(x, {0});
}

Tensor roll(const Tensor& x, const Shape& shifts, const Shape& dims) {
  FL_CHECK(!shifts.empty(), "`shifts` required");
  if (dims.empty() && shifts.size() == 1) {
    // Without dims, the flattened tensor rolls.
    int64_t shift = shifts[0];
    Shape shape = x.sizes();
    return apply1("RollBackward0", fn1([shift, shape](const Arrays& in) {
      return mx::reshape(roll_axis(mx::reshape(in[0], {-1}), shift, 0), to_mx_shape(shape));
    }), {x});
  }
  FL_CHECK(shifts.size() == dims.size(), "shifts and dimensions must align. shifts: ", shifts.size(),
           ", dims:", dims.size());
  if (x.numel() == 0) return x.clone();
  std::vector<int> axes;
  for (auto d : dims) {
    int64_t w = wrap_dim(d, x.dim());
    FL_CHECK_INDEX(x.dim() > 0, "Dimension specified as ", w, " but tensor has no dimensions");
    axes.push_back(static_cast<int>(w));
  }
  return apply1("RollBackward0", fn1([shifts, axes](const Arrays& in) {
    mx::array a = in[0];
    for (size_t i = 0; i < axes.size(); ++i) a = roll_axis(a, shifts[i], axes[i]);
    return a;
  }), {x});
}

Tensor rot90(const Tensor& x, int64_t k, const Shape& dims) {
  int64_t n = x.dim();
  FL_CHECK(dims.size() == 2, "expected total rotation dims == 2, but got dims = ", dims.size());
  FL_CHECK(n >= 2, "expected total dims >= 2, but got total dims = ", n);
  FL_CHECK(dims[0] != dims[1] && std::abs(dims[0] - dims[1]) != n, "expected rotation dims to be different, but got dim0 = ",
           dims[0], " and dim1 = ", dims[1]);
  int a = static_cast<int>(wrap_dim(dims[0], n)), b = static_cast<int>(wrap_dim(dims[1], n));
  k = ((k % 4) + 4) % 4;
  if (k == 0) return apply1("Rot90Backward0", fn1([](const Arrays& in) { return mx::copy(in[0]); }), {x});
  Tensor r = apply1("Rot90Backward0", fn1([k, a, b](const Arrays& in) {
    if (k == 2) return mx::flip(mx::flip(in[0], a), b);
    return mx::swapaxes(mx::flip(in[0], k == 1 ? b : a), a, b);
  }), {x});
  // PyTorch flips (keeping the input's layout) and then transposes in place: report those strides.
  Shape st = preserved_strides(x);
  if (k != 2) std::swap(st[a], st[b]);
  r.impl()->strides = st;
  return r;
}

namespace {
template <bool Lower>
Tensor triangle(const char* name, const char* op, const Tensor& x, int64_t diagonal) {
  FL_CHECK(x.dim() >= 2, op, ": input tensor must have at least 2 dimensions");
  // Clamp so that a huge diagonal fits in int without changing the mask.
  int k = static_cast<int>(std::clamp<int64_t>(diagonal, -(int64_t{1} << 30), int64_t{1} << 30));
  return apply1(name, fn1([k](const Arrays& in) {
    const mx::array& a = in[0];
    int rows = a.shape(-2), cols = a.shape(-1);
    mx::array mask = Lower ? mx::tri(rows, cols, k, mx::bool_) : mx::logical_not(mx::tri(rows, cols, k - 1, mx::bool_));
    return mx::where(mask, a, mx::zeros_like(a));
  }), {x});
}
}  // namespace
Tensor tril(const Tensor& x, int64_t diagonal) { return triangle<true>("TrilBackward0", "tril", x, diagonal); }
Tensor triu(const Tensor& x, int64_t diagonal) { return triangle<false>("TriuBackward0", "triu", x, diagonal); }

// --- padding -------------------------------------------------------------------------------------------------

namespace {
Tensor constant_pad(const Tensor& x, const Shape& p, double value) {
  int64_t k = static_cast<int64_t>(p.size()) / 2, nd = x.dim();
  std::vector<int> axes;
  mx::Shape lo, hi;
  for (int64_t i = 0; i < k; ++i) {
    int64_t d = nd - 1 - i, l = p[2 * i], r = p[2 * i + 1];
    // Negative pads crop first (PyTorch narrows, with narrow's error).
    FL_CHECK(x.size(d) + std::min<int64_t>(l, 0) + std::min<int64_t>(r, 0) >= 0, "narrow(): length must be non-negative.");
    axes.push_back(static_cast<int>(d));
    lo.push_back(static_cast<int>(l));
    hi.push_back(static_cast<int>(r));
  }
  return apply1("ConstantPadNdBackward0", fn1([axes, lo, hi, value](const Arrays& in) {
    mx::array a = in[0];
    mx::Shape start(a.ndim(), 0), stop = a.shape(), plo(axes.size()), phi(axes.size());
    for (size_t i = 0; i < axes.size(); ++i) {
      start[axes[i]] = std::max(-lo[i], 0);
      stop[axes[i]] -= std::max(-hi[i], 0);
      plo[i] = std::max(lo[i], 0);
      phi[i] = std::max(hi[i], 0);
    }
    a = mx::slice(a, start, stop);
    if (axes.empty()) return mx::copy(a);
    return mx::pad(a, axes, plo, phi, mx::astype(mx::array(value, mx::float64), a.dtype()));
  }), {x});
}

const char* pad_name(const std::string& mode, int64_t k) {
  static const char* reflect[] = {"ReflectionPad1DBackward0", "ReflectionPad2DBackward0", "ReflectionPad3DBackward0"};
  static const char* replicate[] = {"ReplicationPad1DBackward0", "ReplicationPad2DBackward0",
                                    "ReplicationPad3DBackward0"};
  if (mode == "reflect") return reflect[k - 1];
  if (mode == "replicate") return replicate[k - 1];
  return "CopySlices";  // PyTorch writes circular padding into slices of a new tensor
}

// reflect/replicate need every non-batch dim non-empty, and at least one output dim non-empty.
void check_reflect_replicate(const Tensor& x, const Shape& p, bool reflect) {
  int64_t k = static_cast<int64_t>(p.size()) / 2, nd = x.dim();
  bool ok = true;
  for (int64_t d = nd - k - 1 == 1 ? 1 : 0; d < nd; ++d) ok &= x.size(d) != 0;
  FL_CHECK(ok, "Expected ", k + 1, "D or ", k + 2, "D (batch mode) tensor with possibly 0 batch size and other "
           "non-zero dimensions for input, but got: ", shape_to_string(x.sizes()));
  Shape in(k), out(k);  // in W, H, D order
  for (int64_t i = 0; i < k; ++i) {
    int64_t d = nd - 1 - i, l = p[2 * i], r = p[2 * i + 1];
    FL_CHECK(!reflect || (l < x.size(d) && r < x.size(d)), "Argument #", 4 + 2 * i,
             ": Padding size should be less than the corresponding input dimension, but got: padding (", l, ", ", r,
             ") at dimension ", d, " of input ", shape_to_string(x.sizes()));
    in[i] = x.size(d);
    out[i] = in[i] + l + r;
  }
  bool any = std::any_of(out.begin(), out.end(), [](int64_t o) { return o >= 1; });
  if (k == 1) FL_CHECK(any, "input (W: ", in[0], ") is too small. Calculated output W: ", out[0]);
  if (k == 2)
    FL_CHECK(any, "input (H: ", in[1], ", W: ", in[0], reflect ? ")" : " )", " is too small. Calculated output H: ",
             out[1], " W: ", out[0]);
  if (k == 3)
    FL_CHECK(any, "input (D: ", in[2], " H: ", in[1], ", W: ", in[0], ") is too small. Calculated output D: ", out[2],
             " H: ", out[1], " W: ", out[0]);
  for (int64_t i = 0; i < k; ++i) {
    Shape s = x.sizes();
    for (int64_t j = 0; j < k; ++j) s[nd - 1 - j] = out[j];
    FL_CHECK(out[i] >= 0, "Trying to create tensor with negative dimension ", out[i], ": ", shape_to_string(s));
  }
}
}  // namespace

Tensor pad(const Tensor& x, const Shape& p, const std::string& mode, double value) {
  FL_CHECK_AS(NotImplementedError, mode == "constant" || mode == "reflect" || mode == "replicate" || mode == "circular",
              "Unrecognised padding mode ", mode);
  FL_CHECK(p.size() % 2 == 0, "Padding length must be divisible by 2");
  int64_t nd = x.dim(), k = static_cast<int64_t>(p.size()) / 2;
  FL_CHECK(static_cast<int64_t>(p.size()) <= nd * 2,
           "Padding length should be less than or equal to two times the input dimension but got padding length ",
           p.size(), " and input of dimension ", nd);
  if (mode == "constant") return constant_pad(x, p, value);
  FL_CHECK(value == 0, "Padding mode \"", mode, "\" doesn't take in value argument");
  FL_CHECK_AS(NotImplementedError, k >= 1 && k <= 3 && (nd == k + 1 || nd == k + 2), "Padding size ", p.size(),
              " is not supported for ", nd, "D input tensor.");
  if (mode == "circular") {
    for (int64_t i = 0; i < k; ++i) {
      int64_t n = x.size(nd - 1 - i), l = p[2 * i], r = p[2 * i + 1];
      FL_CHECK(l <= n && r <= n, "Padding value causes wrapping around more than once.");
      FL_CHECK(n + l + r >= 0, "Negative padding value is resulting in an empty dimension");
      // Cropping everything but padding something has nothing to wrap.
      FL_CHECK(n + l + r == 0 || n + std::min<int64_t>(l, 0) + std::min<int64_t>(r, 0) > 0,
               "Padding value causes wrapping around more than once.");
    }
  } else {
    check_reflect_replicate(x, p, mode == "reflect");
  }
  // Each padded dim is a gather along it: output position j reads input index idx[j].
  std::vector<int> axes;
  std::vector<std::vector<int32_t>> indices;
  for (int64_t i = 0; i < k; ++i) {
    int64_t d = nd - 1 - i, n = x.size(d), l = p[2 * i], r = p[2 * i + 1];
    std::vector<int32_t> idx;
    for (int64_t j = 0; j < n + l + r; ++j) {
      int64_t s = j - l;
      if (mode == "reflect") s = s < 0 ? -s : s >= n ? 2 * (n - 1) - s : s;
      else if (mode == "replicate") s = std::clamp<int64_t>(s, 0, n - 1);
      else {
        // PyTorch crops negative pads first, then wraps within what is left.
        int64_t c0 = std::max<int64_t>(-l, 0), m = n + std::min<int64_t>(l, 0) + std::min<int64_t>(r, 0);
        s = c0 + (((j - std::max<int64_t>(l, 0)) % m) + m) % m;
      }
      idx.push_back(static_cast<int32_t>(s));
    }
    axes.push_back(static_cast<int>(d));
    indices.push_back(std::move(idx));
  }
  return apply1(pad_name(mode, k), fn1([axes, indices](const Arrays& in) {
    mx::array a = in[0];
    for (size_t i = 0; i < axes.size(); ++i) a = mx::take(a, index_array(indices[i]), axes[i]);
    return a;
  }), {x});
}

}  // namespace fl
