// Attention: one MLX composition (BLAS matmuls from kernels/gemm) for softmax(q k^T * scale + bias) @ v, and
// torch's multi_head_attention_forward built on it step by step.
#include "fl/nn/functional/attention.h"

#include <cmath>

#include "fl/ops/binary.h"
#include "fl/ops/creation.h"
#include "fl/ops/linalg.h"
#include "fl/ops/random.h"
#include "fl/ops/shape.h"
#include "kernels/gemm.h"
#include "kernels/precise_unary.h"
#include "nn/functional/nn_utils.h"

namespace fl::nn::functional {

using namespace detail;

namespace {

// Softmax over the last axis; float64 uses the precise exp (MLX's is float32-accurate).
mx::array softmax_last(const mx::array& a) {
  if (a.dtype() != mx::float64) return mx::softmax(a, {-1}, true);
  auto e = kernels::exp(mx::subtract(a, mx::stop_gradient(mx::max(a, -1, true))));
  return mx::divide(e, mx::sum(e, -1, true));
}

struct AttentionSpec {
  double scale;
  bool causal;
  bool safe;  // rows with nothing to attend give zeros (SDPA's _safe_softmax), else nan as a plain softmax
};

// (output, weights) of softmax(q k^T * scale + mask) (* dropout keep-mask) @ v. A bool mask is True = attend.
std::pair<Tensor, Tensor> attention(const Tensor& q, const Tensor& k, const Tensor& v,
                                    const std::optional<Tensor>& mask, double dropout_p, AttentionSpec spec) {
  const Dtype d = q.dtype();
  Inputs ins;
  ins.add(q);
  ins.add(k);
  ins.add(v);
  const int im = ins.add(mask);
  Shape wshape =
      broadcast_shapes(Shape(q.sizes().begin(), q.sizes().end() - 2), Shape(k.sizes().begin(), k.sizes().end() - 2));
  wshape.push_back(q.size(-2));
  wshape.push_back(k.size(-2));
  if (mask) wshape = broadcast_shapes(wshape, mask->sizes());
  int inoise = -1;
  if (dropout_p > 0) {
    Tensor keep = fl::bernoulli(fl::empty(wshape, TensorOptions(d)), 1 - dropout_p);
    inoise = ins.add(dropout_p < 1 ? keep / (1 - dropout_p) : keep);
  }
  const int L = static_cast<int>(q.size(-2)), S = static_cast<int>(k.size(-2));
  auto outs = apply_op(
      "ScaledDotProductAttentionBackward",
      [=](const Arrays& in) {
        auto scores = kernels::matmul(mx::multiply(in[0], c(spec.scale, in[0])), mx::swapaxes(in[1], -1, -2));
        auto neg_inf = c(-INFINITY, scores), zero = c(0.0, scores);
        if (spec.causal) scores = mx::add(scores, mx::where(mx::tri(L, S, 0, mx::bool_), zero, neg_inf));
        if (im >= 0) {
          auto m = in[im];
          scores = mx::add(scores, m.dtype() == mx::bool_ ? mx::where(m, zero, neg_inf) : cast(m, d));
        }
        mx::array w = scores;
        if (spec.safe) {
          auto empty_row = mx::all(mx::equal(scores, neg_inf), -1, true);
          w = mx::where(empty_row, zero, softmax_last(mx::where(empty_row, zero, scores)));
        } else {
          w = softmax_last(scores);
        }
        if (inoise >= 0) w = mx::multiply(w, in[inoise]);
        return Arrays{kernels::matmul(w, in[2]), w};
      },
      ins.tensors, kSaveAll);
  return {outs[0], outs[1]};
}

void check_dropout_p(double p) {
  FL_CHECK(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got ", p);
}

}  // namespace

Tensor scaled_dot_product_attention(const Tensor& query, const Tensor& key, const Tensor& value,
                                    const std::optional<Tensor>& attn_mask, double dropout_p, bool is_causal,
                                    std::optional<double> scale, bool enable_gqa) {
  FL_CHECK(!(is_causal && attn_mask),
           "_scaled_dot_product_attention: Explicit attn_mask should not be set when "
           "is_causal=True");
  FL_CHECK(query.dtype() == key.dtype() && query.dtype() == value.dtype(),
           "Expected query, key, and value to have the same dtype, but got query.dtype: ",
           scalar_type_name(query.dtype()), " key.dtype: ", scalar_type_name(key.dtype()),
           " and value.dtype: ", scalar_type_name(value.dtype()), " instead.");
  FL_CHECK(query.dim() >= 2 && key.dim() >= 2 && value.dim() >= 2,
           "scaled_dot_product_attention: expected query, key and value of at least 2 dimensions");
  FL_CHECK(query.is_floating_point(), "scaled_dot_product_attention: expected floating point inputs, got ",
           scalar_type_name(query.dtype()));
  FL_CHECK(!attn_mask || attn_mask->dtype() == kBool || attn_mask->is_floating_point(),
           "Expected attn_mask dtype to be bool or float or to match query dtype, but got attn_mask.dtype: ",
           scalar_type_name(attn_mask->dtype()), " and  query.dtype: ", scalar_type_name(query.dtype()), " instead.");
  check_dropout_p(dropout_p);
  Tensor k = key, v = value;
  if (enable_gqa && query.dim() >= 3 && key.dim() >= 3) {
    const int64_t hq = query.size(-3), hk = key.size(-3), hv = value.size(-3);
    FL_CHECK(hk > 0 && hv > 0 && hq % hk == 0 && hq % hv == 0,
             "scaled_dot_product_attention: the number of query heads (", hq,
             ") must be a multiple of the number of key / value heads (", hk, ", ", hv, ") with enable_gqa=True");
    if (hq != hk) k = fl::repeat_interleave(k, hq / hk, -3);
    if (hq != hv) v = fl::repeat_interleave(v, hq / hv, -3);
  }
  const double sc = scale.value_or(1.0 / std::sqrt(static_cast<double>(query.size(-1))));
  return attention(query, k, v, attn_mask, dropout_p, {sc, is_causal, true}).first;
}

namespace {

std::string size_str(const Tensor& t) { return torch_size(t.sizes()); }

Tensor linear(const Tensor& x, const Tensor& w, const std::optional<Tensor>& b) {
  Tensor y = fl::matmul(x, w.t());
  return b ? y + *b : y;
}

// torch's _mha_shape_check: whether the query is batched, with AssertionErrors for inconsistent dims.
bool mha_shape_check(const Tensor& query, const Tensor& key, const Tensor& value, const std::optional<Tensor>& kpm,
                     const std::optional<Tensor>& attn_mask, int64_t num_heads) {
  if (query.dim() == 3) {
    FL_CHECK_AS(AssertionError, key.dim() == 3 && value.dim() == 3,
                "For batched (3-D) `query`, expected `key` and "
                "`value` to be 3-D but found ",
                key.dim(), "-D and ", value.dim(), "-D tensors respectively");
    FL_CHECK_AS(AssertionError, !kpm || kpm->dim() == 2,
                "For batched (3-D) `query`, expected `key_padding_mask` to "
                "be `None` or 2-D but found ",
                kpm ? kpm->dim() : 0, "-D tensor instead");
    FL_CHECK_AS(AssertionError, !attn_mask || attn_mask->dim() == 2 || attn_mask->dim() == 3,
                "For batched (3-D) "
                "`query`, expected `attn_mask` to be `None`, 2-D or 3-D but found ",
                attn_mask ? attn_mask->dim() : 0, "-D tensor instead");
    return true;
  }
  FL_CHECK_AS(AssertionError, query.dim() == 2, "query should be unbatched 2D or batched 3D tensor but received ",
              query.dim(), "-D query tensor");
  FL_CHECK_AS(AssertionError, key.dim() == 2 && value.dim() == 2,
              "For unbatched (2-D) `query`, expected `key` and "
              "`value` to be 2-D but found ",
              key.dim(), "-D and ", value.dim(), "-D tensors respectively");
  FL_CHECK_AS(AssertionError, !kpm || kpm->dim() == 1,
              "For unbatched (2-D) `query`, expected `key_padding_mask` to "
              "be `None` or 1-D but found ",
              kpm ? kpm->dim() : 0, "-D tensor instead");
  if (attn_mask) {
    FL_CHECK_AS(AssertionError, attn_mask->dim() == 2 || attn_mask->dim() == 3,
                "For unbatched (2-D) `query`, "
                "expected `attn_mask` to be `None`, 2-D or 3-D but found ",
                attn_mask->dim(), "-D tensor instead");
    if (attn_mask->dim() == 3) {
      Shape expected{num_heads, query.size(0), key.size(0)};
      FL_CHECK_AS(AssertionError, attn_mask->sizes() == expected, "Expected `attn_mask` shape to be (", expected[0],
                  ", ", expected[1], ", ", expected[2], ") but got ", size_str(*attn_mask));
    }
  }
  return false;
}

// torch's _canonical_mask: a bool mask (True = ignore) becomes a float mask with -inf at the ignored positions.
std::optional<Tensor> canonical_mask(const std::optional<Tensor>& mask, const char* name, Dtype target) {
  if (!mask) return std::nullopt;
  FL_CHECK_AS(AssertionError, mask->dtype() == kBool || mask->is_floating_point(), "only bool and floating types of ",
              name, " are supported");
  if (mask->is_floating_point()) return mask;
  return fl::zeros(mask->sizes(), TensorOptions(target)).masked_fill(*mask, -INFINITY);
}

std::optional<Tensor> pad_last(const std::optional<Tensor>& mask) {
  if (!mask) return std::nullopt;
  return fl::pad(*mask, {0, 1});
}

struct Projected {
  Tensor q, k, v;
};

Projected in_projection_packed(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& w,
                               const std::optional<Tensor>& b) {
  if (q.impl() == k.impl() && k.impl() == v.impl()) {
    // Self-attention: one product with the packed weight.
    auto parts = fl::chunk(linear(q, w, b), 3, -1);
    return {parts[0], parts[1], parts[2]};
  }
  auto ws = fl::chunk(w, 3, 0);
  std::vector<std::optional<Tensor>> bs(3);
  if (b) {
    auto c3 = fl::chunk(*b, 3, 0);
    bs = {c3[0], c3[1], c3[2]};
  }
  return {linear(q, ws[0], bs[0]), linear(k, ws[1], bs[1]), linear(v, ws[2], bs[2])};
}

// Python's repr of the expected shape tuple: "(4, 4)" or "(4,)".
void check_proj_shape(const Tensor& t, const Shape& expected, const char* what) {
  FL_CHECK_AS(AssertionError, t.sizes() == expected, "expecting ", what, " shape of (", expected[0],
              expected.size() > 1 ? ", " : ",", expected.size() > 1 ? std::to_string(expected[1]) : std::string(),
              "), but got ", size_str(t));
}

}  // namespace

std::pair<Tensor, std::optional<Tensor>> multi_head_attention_forward(
    const Tensor& query_in, const Tensor& key_in, const Tensor& value_in, int64_t embed_dim_to_check, int64_t num_heads,
    const std::optional<Tensor>& in_proj_weight, const std::optional<Tensor>& in_proj_bias,
    const std::optional<Tensor>& bias_k, const std::optional<Tensor>& bias_v, bool add_zero_attn, double dropout_p,
    const Tensor& out_proj_weight, const std::optional<Tensor>& out_proj_bias, bool training,
    const std::optional<Tensor>& key_padding_mask_in, bool need_weights, const std::optional<Tensor>& attn_mask_in,
    bool use_separate_proj_weight, const std::optional<Tensor>& q_proj_weight,
    const std::optional<Tensor>& k_proj_weight, const std::optional<Tensor>& v_proj_weight,
    const std::optional<Tensor>& static_k, const std::optional<Tensor>& static_v, bool average_attn_weights,
    bool is_causal) {
  const bool is_batched = mha_shape_check(query_in, key_in, value_in, key_padding_mask_in, attn_mask_in, num_heads);
  Tensor query = query_in, key = key_in, value = value_in;
  std::optional<Tensor> kpm = key_padding_mask_in;
  if (!is_batched) {
    // Keep identity (self-attention) through the unsqueeze.
    query = query_in.unsqueeze(1);
    key = key_in.impl() == query_in.impl() ? query : key_in.unsqueeze(1);
    value = value_in.impl() == key_in.impl() ? key : value_in.unsqueeze(1);
    if (kpm) kpm = kpm->unsqueeze(0);
  }
  const int64_t tgt_len = query.size(0), bsz = query.size(1), embed_dim = query.size(2);
  const Dtype d = query.dtype();
  kpm = canonical_mask(kpm, "key_padding_mask", d);
  FL_CHECK(!(is_causal && !attn_mask_in),
           "Need attn_mask if specifying the is_causal hint. You may use the "
           "Transformer module method `generate_square_subsequent_mask` to create this mask.");
  std::optional<Tensor> attn_mask;
  if (!(is_causal && !kpm && !need_weights)) {
    attn_mask = canonical_mask(attn_mask_in, "attn_mask", d);
    if (kpm) is_causal = false;
  }
  FL_CHECK_AS(AssertionError, embed_dim == embed_dim_to_check, "was expecting embedding dimension of ",
              embed_dim_to_check, ", but got ", embed_dim);
  FL_CHECK_AS(AssertionError, num_heads > 0 && (embed_dim / num_heads) * num_heads == embed_dim, "embed_dim ",
              embed_dim, " not divisible by num_heads ", num_heads);
  const int64_t head_dim = embed_dim / num_heads;
  if (use_separate_proj_weight) {
    FL_CHECK_AS(AssertionError, key.size(0) == value.size(0) && key.size(1) == value.size(1),
                "key's sequence and batch dims ", torch_size({key.size(0), key.size(1)}), " do not match value's ",
                torch_size({value.size(0), value.size(1)}));
  } else {
    FL_CHECK_AS(AssertionError, key.sizes() == value.sizes(), "key shape ", size_str(key),
                " does not match value shape ", size_str(value));
  }

  Projected p;
  if (!use_separate_proj_weight) {
    FL_CHECK_AS(AssertionError, in_proj_weight.has_value(),
                "use_separate_proj_weight is False but in_proj_weight is None");
    p = in_projection_packed(query, key, value, *in_proj_weight, in_proj_bias);
  } else {
    for (auto [w, n] : {std::pair{&q_proj_weight, "q"}, {&k_proj_weight, "k"}, {&v_proj_weight, "v"}})
      FL_CHECK_AS(AssertionError, w->has_value(), "use_separate_proj_weight is True but ", n, "_proj_weight is None");
    std::vector<std::optional<Tensor>> bs(3);
    if (in_proj_bias) {
      auto c3 = fl::chunk(*in_proj_bias, 3, 0);
      bs = {c3[0], c3[1], c3[2]};
    }
    const int64_t Eq = query.size(-1), Ek = key.size(-1), Ev = value.size(-1);
    check_proj_shape(*q_proj_weight, {Eq, Eq}, "query weights");
    check_proj_shape(*k_proj_weight, {Eq, Ek}, "key weights");
    check_proj_shape(*v_proj_weight, {Eq, Ev}, "value weights");
    for (auto [b, n] : {std::pair{&bs[0], "query bias"}, {&bs[1], "key bias"}, {&bs[2], "value bias"}})
      if (*b) check_proj_shape(**b, {Eq}, n);
    p = {linear(query, *q_proj_weight, bs[0]), linear(key, *k_proj_weight, bs[1]),
         linear(value, *v_proj_weight, bs[2])};
  }

  int64_t src_len = key.size(0);
  if (attn_mask) {
    if (attn_mask->dim() == 2) {
      FL_CHECK(attn_mask->size(0) == tgt_len && attn_mask->size(1) == src_len, "The shape of the 2D attn_mask is ",
               size_str(*attn_mask), ", but should be (", tgt_len, ", ", src_len, ").");
      attn_mask = attn_mask->unsqueeze(0);
    } else if (attn_mask->dim() == 3) {
      FL_CHECK(attn_mask->sizes() == Shape({bsz * num_heads, tgt_len, src_len}), "The shape of the 3D attn_mask is ",
               size_str(*attn_mask), ", but should be (", bsz * num_heads, ", ", tgt_len, ", ", src_len, ").");
    } else {
      throw Error("attn_mask's dimension " + std::to_string(attn_mask->dim()) + " is not supported");
    }
  }

  Tensor q = p.q, k = p.k, v = p.v;
  if (bias_k && bias_v) {
    FL_CHECK_AS(AssertionError, !static_k, "bias cannot be added to static key.");
    FL_CHECK_AS(AssertionError, !static_v, "bias cannot be added to static value.");
    k = fl::cat({k, bias_k->repeat({1, bsz, 1})});
    v = fl::cat({v, bias_v->repeat({1, bsz, 1})});
    attn_mask = pad_last(attn_mask);
    kpm = pad_last(kpm);
  } else {
    FL_CHECK_AS(AssertionError, !bias_k, "bias_k is set but bias_v is None");
    FL_CHECK_AS(AssertionError, !bias_v, "bias_v is set but bias_k is None");
  }

  // (L, N, E) -> (N * H, L, head_dim)
  q = q.reshape({tgt_len, bsz * num_heads, head_dim}).transpose(0, 1);
  auto heads = [&](const Tensor& t, const std::optional<Tensor>& fixed, const char* name) {
    if (!fixed) return t.reshape({t.size(0), bsz * num_heads, head_dim}).transpose(0, 1);
    FL_CHECK_AS(AssertionError, fixed->size(0) == bsz * num_heads, "expecting ", name, ".size(0) of ", bsz * num_heads,
                ", but got ", fixed->size(0));
    FL_CHECK_AS(AssertionError, fixed->size(2) == head_dim, "expecting ", name, ".size(2) of ", head_dim, ", but got ",
                fixed->size(2));
    return *fixed;
  };
  k = heads(k, static_k, "static_k");
  v = heads(v, static_v, "static_v");
  if (add_zero_attn) {
    k = fl::cat({k, fl::zeros({bsz * num_heads, 1, head_dim}, TensorOptions(k.dtype()))}, 1);
    v = fl::cat({v, fl::zeros({bsz * num_heads, 1, head_dim}, TensorOptions(v.dtype()))}, 1);
    attn_mask = pad_last(attn_mask);
    kpm = pad_last(kpm);
  }
  src_len = k.size(1);
  if (kpm) {
    FL_CHECK_AS(AssertionError, kpm->size(0) == bsz, "Expected key_padded_mask.shape[0] to be ", bsz, ", but got ",
                kpm->size(0));
    FL_CHECK_AS(AssertionError, kpm->size(1) == src_len, "Expected key_padded_mask.shape[1] to be ", src_len,
                ", but got ", kpm->size(1));
    Tensor m =
        kpm->view({bsz, 1, 1, src_len}).expand({bsz, num_heads, 1, src_len}).reshape({bsz * num_heads, 1, src_len});
    attn_mask = attn_mask ? *attn_mask + m : m;
  }
  if (!training) dropout_p = 0.0;

  auto project_out = [&](const Tensor& heads_out) {  // (L * N, E) -> (L, N, E)
    Tensor o = linear(heads_out, out_proj_weight, out_proj_bias).view({tgt_len, bsz, embed_dim});
    return is_batched ? o : o.squeeze(1);
  };
  if (need_weights) {
    check_dropout_p(dropout_p);
    auto [o, w] =
        attention(q, k, v, attn_mask, dropout_p, {1.0 / std::sqrt(static_cast<double>(head_dim)), false, false});
    Tensor out = project_out(o.transpose(0, 1).reshape({tgt_len * bsz, embed_dim}));
    Tensor weights = w.view({bsz, num_heads, tgt_len, src_len});
    if (average_attn_weights) weights = weights.mean({1});
    if (!is_batched) weights = weights.squeeze(0);
    return {out, weights};
  }
  if (attn_mask) {
    if (attn_mask->size(0) == 1 && attn_mask->dim() == 3)
      attn_mask = attn_mask->unsqueeze(0);
    else
      attn_mask = attn_mask->view({bsz, num_heads, -1, src_len});
  }
  q = q.reshape({bsz, num_heads, tgt_len, head_dim});
  k = k.reshape({bsz, num_heads, src_len, head_dim});
  v = v.reshape({bsz, num_heads, src_len, head_dim});
  Tensor o = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal);
  return {project_out(o.permute({2, 0, 1, 3}).reshape({bsz * tgt_len, embed_dim})), std::nullopt};
}

static OpRegistrar registrar({
    {"scaled_dot_product_attention", "nn.attention", true},
    {"multi_head_attention_forward", "nn.attention", true},
});

}  // namespace fl::nn::functional
