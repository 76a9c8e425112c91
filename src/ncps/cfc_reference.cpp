// The CfC maths as a composition of fl ops, step by step as ncps.torch runs it: the oracle of the fused op's
// tests, and the path for other devices, dtypes and backbone dropout.
#include "fl/ops/binary.h"
#include "fl/ops/creation.h"
#include "fl/ops/linalg.h"
#include "fl/ops/random.h"
#include "fl/ops/shape.h"
#include "fl/ops/unary.h"
#include "ncps/cfc_internal.h"

namespace fl::ncps {
namespace {

Tensor linear(const Tensor& x, const Tensor& W, const Tensor& b) { return add(matmul(x, W.t()), b); }

Tensor activation(const Tensor& x, CfCActivation act) {
  switch (act) {
    case CfCActivation::LeCunTanh:
      return mul(tanh(mul(x, 0.666)), 1.7159);
    case CfCActivation::SiLU:
      return silu(x);
    case CfCActivation::ReLU:
      return relu(x);
    case CfCActivation::Tanh:
      return tanh(x);
    case CfCActivation::GELU:
      return gelu(x);
  }
  return x;
}

// torch.nn.Dropout in training: zero with probability p, scale the rest by 1 / (1 - p).
Tensor dropout(const Tensor& x, double p) {
  if (p >= 1) return mul(x, 0.0);
  return mul(mul(x, bernoulli(x, 1 - p)), 1.0 / (1 - p));
}

}  // namespace

Tensor cfc_cell_step_reference(const Tensor& x_t, const Tensor& h, const std::optional<Tensor>& ts,
                               const CfCCellWeights& c, const CfCConfig& cfg) {
  Tensor z = cat({x_t, h}, 1);
  for (size_t k = 0; k < c.backbone_weight.size(); ++k) {
    z = activation(linear(z, c.backbone_weight[k], c.backbone_bias[k]), cfg.activation);
    // ncps appends Dropout only to the second and later backbone layers.
    if (k > 0 && cfg.training && cfg.backbone_dropout > 0) z = dropout(z, cfg.backbone_dropout);
  }
  Tensor ff1 = linear(z, detail::masked(c.ff1_weight, c.sparsity_mask), c.ff1_bias);
  auto times = [&](const Tensor& v) { return ts ? mul(*ts, v) : v; };
  if (cfg.mode == CfCMode::Pure) {
    Tensor e = exp(neg(times(add(abs(c.w_tau), abs(ff1)))));
    return add(mul(mul(neg(c.A), e), ff1), c.A);
  }
  Tensor ff2 = tanh(linear(z, detail::masked(c.ff2_weight, c.sparsity_mask), c.ff2_bias));
  ff1 = tanh(ff1);
  Tensor t_a = linear(z, c.time_a_weight, c.time_a_bias);
  Tensor t_b = linear(z, c.time_b_weight, c.time_b_bias);
  Tensor gate = sigmoid(add(times(t_a), t_b));
  if (cfg.mode == CfCMode::NoGate) return add(ff1, mul(gate, ff2));
  return add(mul(ff1, rsub(gate, 1.0)), mul(gate, ff2));
}

namespace detail {

CfCOutputs reference_sequence(const SequenceArgs& a, const Tensor& x, const CfCWeights& w, const CfCConfig& cfg) {
  const auto& d = a.dims;
  Tensor h = a.h0, c = a.c0;
  std::vector<Tensor> ys;
  for (int64_t t = 0; t < d.L; ++t) {
    Tensor x_t = x.select(1, t);
    std::optional<Tensor> ts;
    if (d.has_ts) ts = a.ts.select(1, t).unsqueeze(1);
    if (w.lstm) std::tie(h, c) = lstm_memory_step(x_t, h, c, *w.lstm);
    // WiredCfCCell: each layer reads the previous layer's new state and its own slice of the old one.
    Tensor input = x_t;
    std::vector<Tensor> states;
    for (size_t l = 0; l < w.layers.size(); ++l) {
      Tensor h_l = w.layers.size() == 1 ? h : h.narrow(1, d.offset(static_cast<int>(l)), d.layers[l].hidden);
      input = cfc_cell_step_reference(input, h_l, ts, w.layers[l], cfg);
      states.push_back(input);
    }
    h = states.size() == 1 ? states[0] : cat(states, 1);
    ys.push_back(input);
  }
  return {stack(ys, 1), h, w.lstm ? c : Tensor()};
}

}  // namespace detail

CfCOutputs cfc_sequence_reference(const Tensor& x, const std::optional<Tensor>& h0, const std::optional<Tensor>& c0,
                                  const std::optional<Tensor>& timespans, const CfCWeights& w, const CfCConfig& cfg) {
  return detail::reference_sequence(detail::check_sequence(x, h0, c0, timespans, w, cfg), x, w, cfg);
}

}  // namespace fl::ncps
