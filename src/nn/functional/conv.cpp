// Convolutions as im2col + GEMM: cols (N, C*kh*kw, L) from the im2col primitive, then weight (O, C*kh*kw) @ cols
// per sample on MKL, which lands directly in NCHW. MLX's own conv is far slower on the CPU (scalar kernels; on
// LeNet's layers, batch 64, one thread: forward 5.6 / 4.7 ms against PyTorch's 0.7 / 0.2 ms, this path 0.6 /
// 0.5 ms). Transposed convolutions are the adjoint: weight^T @ input gives the columns, col2im sums them into the
// image. 1-D ops run as 2-D with a unit height.
#include "fl/nn/functional/conv.h"

#include "kernels/gemm.h"
#include "nn/functional/common.h"
#include "nn/functional/patches.h"

namespace fl::nn::functional {
namespace {
using detail::add_batch;
using detail::drop_batch;
using detail::PatchGeometry;
namespace mx = mlx::core;

int to_int(int64_t v) { return static_cast<int>(v); }

// (N, C, ...) spatial params as the 2-D geometry: 1-D values get a leading unit dim (height 1, no stride/pad).
Shape lift(const Shape& s, int64_t unit) { return s.size() == 1 ? Shape{unit, s[0]} : s; }

struct Spec {
  bool unbatched;
  int64_t dims;
  PatchGeometry g;
  int64_t groups;
  bool has_bias;
};

void check_common(const char* op, const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
                  int64_t dims, int64_t groups) {
  FL_CHECK(input.dim() == dims + 1 || input.dim() == dims + 2, "Expected ", dims + 1, "D (unbatched) or ", dims + 2,
           "D (batched) input to ", op, ", but got input of size: ", shape_to_string(input.sizes()));
  FL_CHECK(weight.dim() == dims + 2, "Expected ", dims + 2, "-dimensional weight for ", op, ", but got ", weight.dim(),
           "-dimensional weight of size ", shape_to_string(weight.sizes()));
  FL_CHECK(groups > 0, "non-positive groups is not supported");
  FL_CHECK(input.dtype() == weight.dtype(), "Input type (", detail::tensor_type(input.dtype()), ") and weight type (",
           detail::tensor_type(weight.dtype()),
           ") should be the same or input should be a MKLDNN tensor and weight is a dense tensor");
  if (bias && bias->defined())
    FL_CHECK(bias->dtype() == input.dtype(), "Input type (", detail::cpp_type(input.dtype()), ") and bias type (",
             detail::cpp_type(bias->dtype()), ") should be the same");
  if (input.dtype() == kBool) detail::not_implemented_for("slow_conv2d_cpu", kBool);
}

void check_positive(const Shape& stride, const Shape& padding, const Shape& dilation) {
  for (int64_t s : stride) FL_CHECK(s > 0, "non-positive stride is not supported");
  for (int64_t p : padding) FL_CHECK(p >= 0, "negative padding is not supported");
  for (int64_t d : dilation) FL_CHECK(d > 0, "non-positive dilation is not supported");
}

// Channel and bias checks with PyTorch's messages; `out_channels` is C_out, `in_per_group` the weight's C_in
// (per group for conv, the whole C_in for transposed conv).
void check_channels(const Tensor& weight, const std::optional<Tensor>& bias, const Shape& batched, int64_t groups,
                    bool transposed) {
  const Shape& ws = weight.sizes();
  FL_CHECK(ws[0] >= groups, "Given groups=", groups, ", expected weight to be at least ", groups,
           " at dimension 0, but got weight of size ", shape_to_string(ws), " instead");
  FL_CHECK(ws[0] % groups == 0, "Given groups=", groups, ", expected weight to be divisible by ", groups,
           " at dimension 0, but got weight of size [", shape_to_string(ws), "] instead");
  int64_t expect_in = transposed ? ws[0] : ws[1] * groups;
  FL_CHECK(batched[1] == expect_in, "Given ", transposed ? "transposed=1" : "groups=" + std::to_string(groups),
           ", weight of size ", shape_to_string(ws), ", expected input", shape_to_string(batched), " to have ",
           expect_in, " channels, but got ", batched[1], " channels instead");
  int64_t out_channels = transposed ? ws[1] * groups : ws[0];
  if (bias && bias->defined())
    FL_CHECK(bias->dim() == 1 && bias->size(0) == out_channels, "Given ", transposed ? "transposed=1, " : "",
             "weight of size ", shape_to_string(ws), ", expected bias to be 1-dimensional with ", out_channels,
             " elements, but got bias of size ", shape_to_string(bias->sizes()), " instead");
}

Shape batched_shape(const Tensor& input, bool unbatched) {
  Shape s = input.sizes();
  if (unbatched) s.insert(s.begin(), 1);
  return s;
}

// The input, weight and bias as 4-D arrays (N, C, H, W) / (O, C, kh, kw), and the result back to the op's rank.
mx::array in4(const mx::array& x, const Spec& s) {
  mx::array b = add_batch(x, s.unbatched);
  return s.dims == 1 ? mx::expand_dims(b, 2) : b;
}
mx::array w4(const mx::array& w, const Spec& s) { return s.dims == 1 ? mx::expand_dims(w, 2) : w; }
mx::array out_rank(const mx::array& y, const Spec& s) {
  return drop_batch(s.dims == 1 ? mx::squeeze(y, 2) : y, s.unbatched);
}
mx::array add_bias(const mx::array& y, const Arrays& in, const Spec& s) {
  return s.has_bias ? mx::add(y, mx::reshape(in[2], {1, -1, 1, 1})) : y;
}

// cols = im2col(x): its own recorded op, so that backward reuses the columns (the weight's gradient needs them)
// instead of recomputing them.
Tensor conv_columns(const Tensor& input, const Spec& s) {
  // Saved as PyTorch saves the input: modifying it in place before backward is an error.
  return apply1("Im2ColBackward0", fn1([s](const Arrays& in) { return detail::im2col(in4(in[0], s), s.g); }), {input},
                save_inputs({0}));
}

// out (N, O, oh, ow) = weight (O, C/g * kh * kw) @ cols (N, C * kh * kw, L) per sample and group, which lands
// in NCHW directly. (One GEMM over the whole batch with (C * kh * kw, N, L) columns was measured slower on LeNet
// shapes: its (O, N, ...) result and gradients need transposing copies, and MLX's kernels are slow on strided views.)
mx::array conv_arrays(const Arrays& in, const Spec& s) {
  const mx::array& cols = in[0];
  mx::array w = w4(in[1], s);
  const PatchGeometry& g = s.g;
  int N = cols.shape(0), O = w.shape(0), G = to_int(s.groups), L = to_int(g.oh * g.ow);
  int ck = to_int(w.size() / std::max(O, 1));
  mx::array y = G == 1 ? kernels::matmul(mx::reshape(w, {O, ck}), cols)
                       : kernels::matmul(mx::reshape(w, {1, G, O / G, ck}), mx::reshape(cols, {N, G, ck, L}));
  y = mx::reshape(y, {N, O, to_int(g.oh), to_int(g.ow)});
  return out_rank(add_bias(y, in, s), s);
}

// The adjoint: cols (N, O*kh*kw, H*W) = weight^T @ x per group, summed into the (larger) image by col2im. Here
// the geometry's image is the output and its window grid the input.
mx::array conv_transpose_arrays(const Arrays& in, const Spec& s) {
  mx::array x = in4(in[0], s), w = w4(in[1], s);
  const PatchGeometry& g = s.g;
  int N = x.shape(0), C = x.shape(1), G = to_int(s.groups), L = to_int(g.oh * g.ow);
  int cg = C / G, ok = to_int(w.size() / std::max(C, 1));          // C_out/g * kh * kw
  mx::array wt = mx::swapaxes(mx::reshape(w, {G, cg, ok}), 1, 2);  // (G, ok, cg)
  mx::array cols = G == 1 ? kernels::matmul(mx::reshape(wt, {ok, cg}), mx::reshape(x, {N, cg, L}))
                          : kernels::matmul(mx::expand_dims(wt, 0), mx::reshape(x, {N, G, cg, L}));
  mx::array y = detail::col2im(mx::reshape(cols, {N, G * ok, L}), g);
  return out_rank(add_bias(y, in, s), s);
}

std::vector<Tensor> op_inputs(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias) {
  std::vector<Tensor> v{input, weight};
  if (bias && bias->defined()) v.push_back(*bias);
  return v;
}

Tensor conv_nd(const char* op, int64_t dims, const Tensor& input, const Tensor& weight,
               const std::optional<Tensor>& bias, const ExpandingArray& stride_arg, const ConvPadding& padding_arg,
               const ExpandingArray& dilation_arg, int64_t groups) {
  check_common(op, input, weight, bias, dims, groups);
  Shape stride = detail::expand_conv_param(stride_arg, dims, "stride");
  Shape dilation = detail::expand_conv_param(dilation_arg, dims, "dilation");
  Shape pad_begin(dims, 0), pad_total(dims, 0);
  const Shape& ks = weight.sizes();
  if (const auto& mode = padding_arg.mode()) {
    FL_CHECK(*mode == "valid" || *mode == "same", "Invalid padding string: '", *mode, "'");
    if (*mode == "same") {
      for (int64_t s : stride) FL_CHECK(s == 1, "padding='same' is not supported for strided convolutions");
      // An odd total pads one more at the end, as PyTorch's explicit F.pad does.
      for (int64_t i = 0; i < dims; ++i) {
        pad_total[i] = dilation[i] * (ks[2 + i] - 1);
        pad_begin[i] = pad_total[i] / 2;
      }
    }
  } else {
    pad_begin = detail::expand_conv_param(padding_arg.values(), dims, "padding");
    for (int64_t i = 0; i < dims; ++i) pad_total[i] = 2 * pad_begin[i];
  }
  check_positive(stride, pad_begin, dilation);
  bool unbatched = input.dim() == dims + 1;
  Shape batched = batched_shape(input, unbatched);
  check_channels(weight, bias, batched, groups, false);
  Shape in_sp(batched.begin() + 2, batched.end()), padded(dims), kernel(dims), out(dims);
  for (int64_t i = 0; i < dims; ++i) {
    padded[i] = in_sp[i] + pad_total[i];
    kernel[i] = dilation[i] * (ks[2 + i] - 1) + 1;
  }
  for (int64_t i = 0; i < dims; ++i)
    FL_CHECK(padded[i] >= kernel[i], "Calculated padded input size per channel: ", detail::paren_x(padded),
             ". Kernel size: ", detail::paren_x(kernel), ". Kernel size can't be greater than actual input size");
  for (int64_t i = 0; i < dims; ++i) out[i] = (padded[i] - kernel[i]) / stride[i] + 1;
  Shape in2 = lift(in_sp, 1), k2 = lift(Shape(ks.begin() + 2, ks.end()), 1), s2 = lift(stride, 1),
        p2 = lift(pad_begin, 0), d2 = lift(dilation, 1), o2 = lift(out, 1);
  Spec spec{unbatched,
            dims,
            {in2[0], in2[1], k2[0], k2[1], s2[0], s2[1], p2[0], p2[1], d2[0], d2[1], o2[0], o2[1]},
            groups,
            bias && bias->defined()};
  return apply1("ConvolutionBackward0", fn1([spec](const Arrays& in) { return conv_arrays(in, spec); }),
                op_inputs(conv_columns(input, spec), weight, bias), save_inputs({1}));
}

Tensor conv_transpose_nd(const char* op, int64_t dims, const Tensor& input, const Tensor& weight,
                         const std::optional<Tensor>& bias, const ExpandingArray& stride_arg,
                         const ExpandingArray& padding_arg, const ExpandingArray& output_padding_arg, int64_t groups,
                         const ExpandingArray& dilation_arg) {
  check_common(op, input, weight, bias, dims, groups);
  Shape stride = detail::expand_conv_param(stride_arg, dims, "stride");
  Shape padding = detail::expand_conv_param(padding_arg, dims, "padding");
  Shape output_padding = detail::expand_conv_param(output_padding_arg, dims, "output_padding");
  Shape dilation = detail::expand_conv_param(dilation_arg, dims, "dilation");
  check_positive(stride, padding, dilation);
  for (int64_t p : output_padding) FL_CHECK(p >= 0, "negative output_padding is not supported");
  bool unbatched = input.dim() == dims + 1;
  Shape batched = batched_shape(input, unbatched);
  check_channels(weight, bias, batched, groups, true);
  for (int64_t i = 0; i < dims; ++i) {
    if (output_padding[i] < stride[i] || output_padding[i] < dilation[i]) continue;
    std::string msg = "output padding must be smaller than either stride or dilation, but got";
    Shape op2 = lift(output_padding, 0), s2 = lift(stride, 1), d2 = lift(dilation, 1);
    FL_CHECK(false, msg, " output_padding_height: ", op2[0], " output_padding_width: ", op2[1],
             " stride_height: ", s2[0], " stride_width: ", s2[1], " dilation_height: ", d2[0],
             " dilation_width: ", d2[1]);
  }
  const Shape& ks = weight.sizes();
  Shape in_sp(batched.begin() + 2, batched.end()), out(dims);
  bool ok = true;
  for (int64_t i = 0; i < dims; ++i) {
    out[i] = (in_sp[i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (ks[2 + i] - 1) + output_padding[i] + 1;
    ok = ok && out[i] > 0;
  }
  FL_CHECK(ok, "Given input size per channel: ", detail::paren_x(in_sp),
           ". Calculated output size per channel: ", detail::paren_x(out), ". Output size is too small");
  Shape in2 = lift(in_sp, 1), k2 = lift(Shape(ks.begin() + 2, ks.end()), 1), s2 = lift(stride, 1),
        p2 = lift(padding, 0), d2 = lift(dilation, 1), o2 = lift(out, 1);
  // Image = the output, window grid = the input.
  Spec spec{unbatched,
            dims,
            {o2[0], o2[1], k2[0], k2[1], s2[0], s2[1], p2[0], p2[1], d2[0], d2[1], in2[0], in2[1]},
            groups,
            bias && bias->defined()};
  return apply1("ConvolutionBackward0", fn1([spec](const Arrays& in) { return conv_transpose_arrays(in, spec); }),
                op_inputs(input, weight, bias), save_inputs({0, 1}));
}

// --- unfold / fold ---------------------------------------------------------------------------------------------

struct FoldParams {
  Shape kernel, dilation, padding, stride;
};

FoldParams fold_params(const char* op, const ExpandingArray& k, const ExpandingArray& d, const ExpandingArray& p,
                       const ExpandingArray& s) {
  auto two = [op](const ExpandingArray& a, const char* name) {
    FL_CHECK(a.fits(2), op, "(): ", name, " must be an int or a tuple of two ints");
    return a.expand(2);
  };
  FoldParams r{two(k, "kernel_size"), two(d, "dilation"), two(p, "padding"), two(s, "stride")};
  FL_CHECK(r.kernel[0] > 0 && r.kernel[1] > 0,
           "kernel size should be greater than zero, but got kernel_height: ", r.kernel[0],
           " kernel_width: ", r.kernel[1]);
  FL_CHECK(r.dilation[0] > 0 && r.dilation[1] > 0,
           "dilation should be greater than zero, but got dilation_height: ", r.dilation[0],
           " dilation_width: ", r.dilation[1]);
  FL_CHECK(r.padding[0] >= 0 && r.padding[1] >= 0, "padding should be non-negative, but got pad_height: ", r.padding[0],
           " pad_width: ", r.padding[1]);
  FL_CHECK(r.stride[0] > 0 && r.stride[1] > 0,
           "stride should be greater than zero, but got stride_height: ", r.stride[0], " stride_width: ", r.stride[1]);
  return r;
}

// The number of window positions along each dim, with F.unfold's / F.fold's message when one is below 1.
Shape block_grid(const Shape& spatial, const FoldParams& f, bool for_fold, const Shape& output_size) {
  Shape n(2);
  for (int i = 0; i < 2; ++i)
    n[i] = (spatial[i] + 2 * f.padding[i] - (f.dilation[i] * (f.kernel[i] - 1) + 1)) / f.stride[i] + 1;
  bool ok = n[0] >= 1 && n[1] >= 1;
  if (for_fold)
    FL_CHECK(ok, "Given output_size=", detail::tuple_str(output_size), ", kernel_size=", detail::tuple_str(f.kernel),
             ", dilation=", detail::tuple_str(f.dilation), ", padding=", detail::tuple_str(f.padding),
             ", stride=", detail::tuple_str(f.stride), ", calculated shape of the array of sliding blocks as ",
             detail::tuple_str(n), ", which is too small (non-positive)");
  else
    FL_CHECK(ok, "Given input with spatial size ", detail::tuple_str(spatial),
             ", kernel_size=", detail::tuple_str(f.kernel), ", dilation=", detail::tuple_str(f.dilation),
             ", padding=", detail::tuple_str(f.padding), ", calculated shape of the array of sliding blocks as ",
             detail::tuple_str(n), ", but its components must be at least one.");
  return n;
}

PatchGeometry geometry(const Shape& image, const FoldParams& f, const Shape& grid) {
  return {image[0],     image[1],     f.kernel[0],   f.kernel[1],   f.stride[0], f.stride[1],
          f.padding[0], f.padding[1], f.dilation[0], f.dilation[1], grid[0],     grid[1]};
}

void check_float(const Tensor& x, const char* kernel) {
  if (!x.is_floating_point()) detail::not_implemented_for(kernel, x.dtype());
}

}  // namespace

Tensor conv1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
              const ExpandingArray& stride, const ConvPadding& padding, const ExpandingArray& dilation,
              int64_t groups) {
  return conv_nd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups);
}

Tensor conv2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
              const ExpandingArray& stride, const ConvPadding& padding, const ExpandingArray& dilation,
              int64_t groups) {
  return conv_nd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups);
}

Tensor conv_transpose1d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
                        const ExpandingArray& stride, const ExpandingArray& padding,
                        const ExpandingArray& output_padding, int64_t groups, const ExpandingArray& dilation) {
  return conv_transpose_nd("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups,
                           dilation);
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const std::optional<Tensor>& bias,
                        const ExpandingArray& stride, const ExpandingArray& padding,
                        const ExpandingArray& output_padding, int64_t groups, const ExpandingArray& dilation) {
  return conv_transpose_nd("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups,
                           dilation);
}

Tensor unfold(const Tensor& input, const ExpandingArray& kernel_size, const ExpandingArray& dilation,
              const ExpandingArray& padding, const ExpandingArray& stride) {
  FoldParams f = fold_params("unfold", kernel_size, dilation, padding, stride);
  const int64_t nd = input.dim();
  FL_CHECK((nd == 3 || nd == 4) && input.size(nd - 1) > 0 && input.size(nd - 2) > 0 && input.size(nd - 3) > 0,
           "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for "
           "input, but got: ",
           shape_to_string(input.sizes()));
  check_float(input, "im2col_out_cpu");
  Shape spatial{input.size(nd - 2), input.size(nd - 1)};
  PatchGeometry g = geometry(spatial, f, block_grid(spatial, f, false, {}));
  bool unbatched = nd == 3;
  return apply1("Im2ColBackward0", fn1([g, unbatched](const Arrays& in) {
                  return drop_batch(detail::im2col(add_batch(in[0], unbatched), g), unbatched);
                }),
                {input});
}

Tensor fold(const Tensor& input, const ExpandingArray& output_size, const ExpandingArray& kernel_size,
            const ExpandingArray& dilation, const ExpandingArray& padding, const ExpandingArray& stride) {
  FoldParams f = fold_params("fold", kernel_size, dilation, padding, stride);
  FL_CHECK(output_size.fits(2), "fold(): output_size must be an int or a tuple of two ints");
  Shape out = output_size.expand(2);
  FL_CHECK(out[0] > 0 && out[1] > 0,
           "Expected output spatial size to be positive, but got: output_size=", detail::tuple_str(out), ".");
  const int64_t nd = input.dim();
  FL_CHECK((nd == 2 || nd == 3) && input.size(nd - 1) > 0 && input.size(nd - 2) > 0,
           "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for "
           "input, but got: ",
           shape_to_string(input.sizes()));
  check_float(input, "col2im_out_cpu");
  int64_t kk = f.kernel[0] * f.kernel[1], rows = input.size(nd - 2), blocks = input.size(nd - 1);
  FL_CHECK(rows % kk == 0, "Expected size of input's dimension ", nd - 2,
           " to be divisible by the product of kernel_size, but got input.size(", nd - 2, ")=", rows,
           " and kernel_size=", detail::tuple_str(f.kernel), ".");
  Shape grid = block_grid(out, f, true, out);
  FL_CHECK(grid[0] * grid[1] == blocks, "Given output_size=", detail::tuple_str(out),
           ", kernel_size=", detail::tuple_str(f.kernel), ", dilation=", detail::tuple_str(f.dilation),
           ", padding=", detail::tuple_str(f.padding), ", stride=", detail::tuple_str(f.stride),
           ", expected size of input's dimension ", nd - 1, " to match the calculated number of sliding blocks ",
           grid[0], " * ", grid[1], " = ", grid[0] * grid[1], ", but got input.size(", nd - 1, ")=", blocks, ".");
  PatchGeometry g = geometry(out, f, grid);
  bool unbatched = nd == 2;
  return apply1("Col2ImBackward0", fn1([g, unbatched](const Arrays& in) {
                  return drop_batch(detail::col2im(add_batch(in[0], unbatched), g), unbatched);
                }),
                {input});
}

static OpRegistrar kRegistrar({
    {"conv1d", "nn.functional", true},
    {"conv2d", "nn.functional", true},
    {"conv_transpose1d", "nn.functional", true},
    {"conv_transpose2d", "nn.functional", true},
    {"unfold", "nn.functional", true},
    {"fold", "nn.functional", true},
});

}  // namespace fl::nn::functional
