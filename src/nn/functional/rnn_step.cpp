// One recurrent step in MLX ops, with torch's gate orders and formulas (aten/src/ATen/native/RNN.cpp).
#include "nn/functional/rnn_step.h"

#include <mlx/transforms.h>

#include "kernels/gemm.h"
#include "kernels/precise_unary.h"

namespace fl::nn::functional::rnn_detail {

int num_gates(CellKind kind) { return kind == CellKind::Lstm ? 4 : kind == CellKind::Gru ? 3 : 1; }

CellWeights make_weights(CellKind kind, const mx::array& w_ih, const mx::array& w_hh,
                         const std::optional<mx::array>& b_ih, const std::optional<mx::array>& b_hh,
                         const std::optional<mx::array>& w_hr) {
  CellWeights w{mx::transpose(w_ih), mx::transpose(w_hh), std::nullopt, std::nullopt, std::nullopt};
  // GRU's b_hn sits inside r * (W_hn h + b_hn), so b_hh stays with the hidden product; the other cells add both
  // biases to the input's gates once for the whole sequence.
  if (kind == CellKind::Gru) {
    w.input_bias = b_ih;
    w.hidden_bias = b_hh;
  } else if (b_ih && b_hh) {
    w.input_bias = mx::add(*b_ih, *b_hh);
  } else {
    w.input_bias = b_ih ? b_ih : b_hh;
  }
  if (w_hr) w.w_hr_t = mx::transpose(*w_hr);
  return w;
}

namespace {
constexpr int kFan = 16;

// mx::split whose vjp is one concatenate of the parts' cotangents (MLX's pads each part to the input's size).
Arrays split_with_concat_vjp(const mx::array& a, const mx::Shape& indices, int axis) {
  auto split = mx::custom_vjp([indices, axis](const Arrays& in) { return mx::split(in[0], indices, axis); },
                              [axis](const Arrays&, const Arrays& cotangents, const Arrays&) {
                                return Arrays{mx::concatenate(cotangents, axis)};
                              });
  return split({a});
}

// The gate blocks of the last axis.
Arrays split_gates(const mx::array& a, int n) {
  const int size = a.shape(-1) / n;
  mx::Shape indices;
  for (int k = 1; k < n; ++k) indices.push_back(k * size);
  return split_with_concat_vjp(a, indices, -1);
}

void unstack_into(const mx::array& a, Arrays& out) {
  const int n = a.shape(0);
  if (n == 1) {
    out.push_back(mx::squeeze(a, 0));
    return;
  }
  const int part = (n + kFan - 1) / kFan;
  mx::Shape indices;
  for (int at = part; at < n; at += part) indices.push_back(at);
  for (const mx::array& p : split_with_concat_vjp(a, indices, 0)) unstack_into(p, out);
}
}  // namespace

Arrays unstack_steps(const mx::array& x) {
  Arrays out;
  out.reserve(x.shape(0));
  unstack_into(x, out);
  return out;
}

mx::array input_gates(const mx::array& x, const CellWeights& w) {
  mx::array g = kernels::matmul(x, w.w_ih_t);
  return w.input_bias ? mx::add(g, *w.input_bias) : g;
}

State step(CellKind kind, const mx::array& xg, const State& prev, const CellWeights& w) {
  mx::array hg = kernels::matmul(prev.h, w.w_hh_t);
  if (w.hidden_bias) hg = mx::add(hg, *w.hidden_bias);
  switch (kind) {
    case CellKind::Tanh:
      return {mx::tanh(mx::add(xg, hg)), std::nullopt};
    case CellKind::Relu:
      return {mx::maximum(mx::add(xg, hg), mx::array(0, xg.dtype())), std::nullopt};
    case CellKind::Lstm: {
      auto gates = split_gates(mx::add(xg, hg), 4);
      mx::array i = kernels::sigmoid(gates[0]), f = kernels::sigmoid(gates[1]);
      mx::array g = mx::tanh(gates[2]), o = kernels::sigmoid(gates[3]);
      mx::array c = mx::add(mx::multiply(f, *prev.c), mx::multiply(i, g));
      mx::array h = mx::multiply(o, mx::tanh(c));
      if (w.w_hr_t) h = kernels::matmul(h, *w.w_hr_t);
      return {h, c};
    }
    case CellKind::Gru: {
      auto x3 = split_gates(xg, 3), h3 = split_gates(hg, 3);
      mx::array r = kernels::sigmoid(mx::add(x3[0], h3[0])), z = kernels::sigmoid(mx::add(x3[1], h3[1]));
      mx::array n = mx::tanh(mx::add(x3[2], mx::multiply(r, h3[2])));
      // (h - n) * z + n, torch's form of (1 - z) * n + z * h.
      return {mx::add(mx::multiply(mx::subtract(prev.h, n), z), n), std::nullopt};
    }
  }
  return {prev.h, std::nullopt};
}

void check_same_dtype(const Tensor& a, const Tensor& b) {
  FL_CHECK(a.dtype() == b.dtype(), "mat1 and mat2 must have the same dtype, but got ", scalar_type_name(a.dtype()),
           " and ", scalar_type_name(b.dtype()));
}

void check_param_shape(const Tensor& p, const Shape& expected, const std::string& name) {
  FL_CHECK(p.sizes() == expected, "Expected ", name, " to have shape ", shape_to_string(expected), ", got ",
           shape_to_string(p.sizes()));
}

void check_floating(const Tensor& input, const char* op) {
  FL_CHECK_AS(NotImplementedError, input.is_floating_point(), "\"", op, "\" not implemented for '",
              scalar_type_name(input.dtype()), "'");
}

}  // namespace fl::nn::functional::rnn_detail
