// fl::ncps CfC sequences: argument checks shared by the fused op and the composition, the state_dict mapping, and
// the fused op itself (one MLX primitive over the whole sequence, recorded as one autograd node).
#include "fl/ncps/cfc.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "fl/autograd.h"
#include "fl/ops/binary.h"
#include "fl/ops/creation.h"
#include "kernels/cfc_primitive.h"
#include "ncps/cfc_internal.h"
#include "ncps/host_array.h"
#include "ops/op_utils.h"

namespace fl::ncps {
namespace kc = kernels::cfc;

namespace {
OpRegistrar registrar({{"cfc_sequence", "ncps", true}});

std::string cell_name(size_t layer, size_t num_layers, bool wired) {
  return wired || num_layers > 1 ? "rnn_cell.layer_" + std::to_string(layer) + "." : "rnn_cell.";
}

void expect_shape(const Tensor& t, const Shape& shape, const std::string& name) {
  FL_CHECK(t.defined(), "cfc_sequence: missing weight ", name);
  FL_CHECK(t.sizes() == shape, "cfc_sequence: expected ", name, " of shape ", shape_to_string(shape), ", got ",
           shape_to_string(t.sizes()));
}

// PyTorch's F.linear message for an input whose features do not match the weight.
void expect_linear_input(int64_t rows, int64_t features, const Tensor& weight) {
  FL_CHECK(weight.dim() == 2 && weight.size(1) == features, "mat1 and mat2 shapes cannot be multiplied (", rows, "x",
           features, " and ", weight.dim() == 2 ? weight.size(1) : weight.numel(), "x",
           weight.dim() == 2 ? weight.size(0) : 1, ")");
}
}  // namespace

CfCMode cfc_mode_from_string(const std::string& mode) {
  if (mode == "default") return CfCMode::Default;
  if (mode == "pure") return CfCMode::Pure;
  if (mode == "no_gate") return CfCMode::NoGate;
  throw ValueError("Unknown mode '" + mode + "', valid options are ['default', 'pure', 'no_gate']");
}

CfCActivation cfc_activation_from_string(const std::string& activation) {
  if (activation == "lecun_tanh") return CfCActivation::LeCunTanh;
  if (activation == "silu") return CfCActivation::SiLU;
  if (activation == "relu") return CfCActivation::ReLU;
  if (activation == "tanh") return CfCActivation::Tanh;
  if (activation == "gelu") return CfCActivation::GELU;
  throw ValueError("Unknown activation " + activation);
}

namespace {
// "<digits>." at the front of s: the number, and s advanced past the dot; -1 and s unchanged otherwise.
int take_index(std::string_view& s) {
  size_t n = 0;
  int v = 0;
  while (n < s.size() && n < 9 && s[n] >= '0' && s[n] <= '9') v = 10 * v + (s[n++] - '0');
  if (n == 0 || n >= s.size() || s[n] != '.') return -1;
  s.remove_prefix(n + 1);
  return v;
}
}  // namespace

CfCWeights CfCWeights::from_state_dict(const std::map<std::string, Tensor>& state_dict) {
  CfCWeights w;
  std::map<int, std::map<int, std::pair<Tensor, Tensor>>> backbone;  // layer -> Sequential index -> (W, b)
  auto cell = [&](int l) -> CfCCellWeights& {
    if (static_cast<int>(w.layers.size()) <= l) w.layers.resize(l + 1);
    return w.layers[l];
  };
  for (auto& [name, t] : state_dict) {
    if (name.rfind("fc.", 0) == 0) continue;
    if (name.rfind("lstm.", 0) == 0) {
      if (!w.lstm) w.lstm.emplace();
      Tensor* slot = w.lstm->find(name.substr(5));
      if (!slot) throw ValueError("CfC state_dict: unexpected key '" + name + "'");
      *slot = t;
      continue;
    }
    // [rnn_cell.][layer_<l>.]<key>, with backbone keys backbone.<index>.weight / .bias (a module calls this
    // every forward: plain parsing, not std::regex, which took ~40 us a call).
    std::string_view key = name;
    if (key.starts_with("rnn_cell.")) key.remove_prefix(9);
    int l = 0;
    if (std::string_view rest = key; rest.starts_with("layer_")) {
      rest.remove_prefix(6);
      if (int v = take_index(rest); v >= 0) {
        l = v;
        key = rest;
      }
    }
    if (std::string_view rest = key; rest.starts_with("backbone.")) {
      rest.remove_prefix(9);
      const int idx = take_index(rest);
      if (idx >= 0 && (rest == "weight" || rest == "bias")) {
        auto& slot = backbone[l][idx];
        (rest == "weight" ? slot.first : slot.second) = t;
        cell(l);
        continue;
      }
    }
    CfCCellWeights& c = cell(l);
    static const std::map<std::string, Tensor CfCCellWeights::*> fields{
        {"ff1.weight", &CfCCellWeights::ff1_weight},
        {"ff1.bias", &CfCCellWeights::ff1_bias},
        {"ff2.weight", &CfCCellWeights::ff2_weight},
        {"ff2.bias", &CfCCellWeights::ff2_bias},
        {"time_a.weight", &CfCCellWeights::time_a_weight},
        {"time_a.bias", &CfCCellWeights::time_a_bias},
        {"time_b.weight", &CfCCellWeights::time_b_weight},
        {"time_b.bias", &CfCCellWeights::time_b_bias},
        {"w_tau", &CfCCellWeights::w_tau},
        {"A", &CfCCellWeights::A},
        {"sparsity_mask", &CfCCellWeights::sparsity_mask}};
    auto it = fields.find(std::string(key));
    if (it == fields.end()) throw ValueError("CfC state_dict: unexpected key '" + name + "'");
    c.*(it->second) = t;
  }
  for (auto& [l, layers] : backbone)
    for (auto& [idx, wb] : layers) {
      FL_CHECK_VALUE(wb.first.defined() && wb.second.defined(), "CfC state_dict: backbone.", idx,
                     " needs both weight and bias");
      cell(l).backbone_weight.push_back(wb.first);
      cell(l).backbone_bias.push_back(wb.second);
    }
  return w;
}

int64_t CfCWeights::input_size() const {
  FL_CHECK(!layers.empty(), "CfCWeights: no cell");
  const auto& c = layers[0];
  const Tensor& first = c.backbone_weight.empty() ? c.ff1_weight : c.backbone_weight[0];
  return first.size(1) - c.ff1_weight.size(0);
}
int64_t CfCWeights::state_size() const {
  int64_t n = 0;
  for (auto& c : layers) n += c.ff1_weight.size(0);
  return n;
}
int64_t CfCWeights::output_size() const {
  FL_CHECK(!layers.empty(), "CfCWeights: no cell");
  return layers.back().ff1_weight.size(0);
}

namespace detail {

kc::Dims check_weights(const CfCWeights& w, const CfCConfig& cfg, int64_t batch, int64_t input_size, Dtype dtype,
                       const Device& device) {
  FL_CHECK(!w.layers.empty(), "cfc_sequence: the weights have no cell");
  kc::Dims d;
  d.mode = static_cast<kc::Mode>(cfg.mode);
  d.act = static_cast<kc::Act>(cfg.activation);
  d.mixed = w.lstm.has_value();
  d.I = static_cast<int>(input_size);
  const bool wired =
      std::any_of(w.layers.begin(), w.layers.end(), [](const CfCCellWeights& c) { return c.sparsity_mask.defined(); });
  auto check_tensor = [&](const Tensor& t) {
    FL_CHECK(t.dtype() == dtype, "mat1 and mat2 must have the same dtype, but got ", scalar_type_name(dtype), " and ",
             scalar_type_name(t.dtype()));
    FL_CHECK(t.device() == device, "Expected all tensors to be on the same device, but found at least two devices, ",
             device.str(), " and ", t.device().str(), "!");
  };
  int64_t in = input_size;
  for (size_t l = 0; l < w.layers.size(); ++l) {
    const CfCCellWeights& c = w.layers[l];
    const std::string p = cell_name(l, w.layers.size(), wired);
    FL_CHECK(c.ff1_weight.defined() && c.ff1_weight.dim() == 2, "cfc_sequence: ", p, "ff1.weight must be 2-D");
    const int64_t H = c.ff1_weight.size(0), C = in + H;
    const int nbb = static_cast<int>(c.backbone_weight.size());
    FL_CHECK(static_cast<int>(c.backbone_bias.size()) == nbb, "cfc_sequence: ", p,
             "backbone needs one bias per weight");
    int64_t F = C;
    for (int k = 0; k < nbb; ++k) {
      const Tensor& W = c.backbone_weight[k];
      const std::string name = p + "backbone." + std::to_string(2 * k);
      if (k == 0) expect_linear_input(batch, C, W);
      FL_CHECK(W.dim() == 2, "cfc_sequence: ", name, ".weight must be 2-D");
      const int64_t U = W.size(0);
      expect_shape(W, {U, F}, name + ".weight");
      expect_shape(c.backbone_bias[k], {U}, name + ".bias");
      F = U;
      check_tensor(W);
      check_tensor(c.backbone_bias[k]);
    }
    if (nbb == 0) expect_linear_input(batch, C, c.ff1_weight);
    auto head = [&](const Tensor& W, const Tensor& b, const char* name) {
      expect_shape(W, {H, F}, p + name + ".weight");
      expect_shape(b, {H}, p + name + ".bias");
      check_tensor(W);
      check_tensor(b);
    };
    head(c.ff1_weight, c.ff1_bias, "ff1");
    if (cfg.mode == CfCMode::Pure) {
      expect_shape(c.w_tau, {1, H}, p + "w_tau");
      expect_shape(c.A, {1, H}, p + "A");
      check_tensor(c.w_tau);
      check_tensor(c.A);
    } else {
      head(c.ff2_weight, c.ff2_bias, "ff2");
      head(c.time_a_weight, c.time_a_bias, "time_a");
      head(c.time_b_weight, c.time_b_bias, "time_b");
    }
    if (c.sparsity_mask.defined()) {
      FL_CHECK(nbb == 0, "cfc_sequence: ", p, "sparsity_mask needs a cell without backbone (as WiredCfCCell)");
      expect_shape(c.sparsity_mask, {H, C}, p + "sparsity_mask");
      FL_CHECK(c.sparsity_mask.device() == device, "Expected all tensors to be on the same device");
    }
    kc::LayerDims ld;
    ld.in = static_cast<int>(in);
    ld.hidden = static_cast<int>(H);
    ld.backbone_layers = nbb;
    for (const Tensor& W : c.backbone_weight) ld.widths.push_back(static_cast<int>(W.size(0)));
    d.layers.push_back(ld);
    in = H;
  }
  if (d.mixed) {
    const int64_t N = d.state();
    const auto& m = *w.lstm;
    if (m.input_map_weight.defined()) expect_linear_input(batch, input_size, m.input_map_weight);
    check_lstm_memory(m, input_size, N, "cfc_sequence: lstm");
    for (auto& [name, t] : m.named()) check_tensor(t);
  }
  return d;
}

SequenceArgs check_sequence(const Tensor& x, const std::optional<Tensor>& h0, const std::optional<Tensor>& c0,
                            const std::optional<Tensor>& timespans, const CfCWeights& w, const CfCConfig& cfg) {
  FL_CHECK(x.defined() && x.dim() == 3, "cfc_sequence: expected input of shape (batch, length, features), got ",
           x.defined() ? shape_to_string(x.sizes()) : "an undefined tensor");
  FL_CHECK(x.is_floating_point(), "cfc_sequence: expected a floating-point input, got ", scalar_type_name(x.dtype()));
  FL_CHECK(x.size(1) > 0, "cfc_sequence: expected a sequence of at least one step");
  const int64_t B = x.size(0), L = x.size(1);
  SequenceArgs a;
  a.dims = check_weights(w, cfg, B, x.size(2), x.dtype(), x.device());
  a.dims.B = static_cast<int>(B);
  a.dims.L = static_cast<int>(L);
  const int64_t N = a.dims.state();
  auto state = [&](const std::optional<Tensor>& s, const char* name) {
    if (!s || !s->defined()) {
      // On the CPU a computed zero state: the fused op runs at once on computed inputs, and a lazy one would cost
      // an evaluation (a hand-off to MLX's stream thread and back) every call.
      if (!x.device().is_cpu()) return zeros({B, N}, TensorOptions(x.dtype()).device(x.device()));
      mx::array z = host_output({B, N}, x.dtype());
      std::memset(z.data<void>(), 0, z.nbytes());
      return Tensor::from_mlx(z);
    }
    FL_CHECK(s->sizes() == Shape({B, N}), "cfc_sequence: expected ", name, " of shape ", shape_to_string({B, N}),
             ", got ", shape_to_string(s->sizes()));
    FL_CHECK(s->dtype() == x.dtype(), "mat1 and mat2 must have the same dtype, but got ", scalar_type_name(x.dtype()),
             " and ", scalar_type_name(s->dtype()));
    return *s;
  };
  a.h0 = state(h0, "hx");
  FL_CHECK(!(c0 && c0->defined()) || a.dims.mixed, "cfc_sequence: an initial cell state needs mixed memory");
  if (a.dims.mixed) a.c0 = state(c0, "cx");
  if (timespans && timespans->defined()) {
    const Tensor& ts = *timespans;
    FL_CHECK(ts.sizes() == Shape({B, L}) || ts.sizes() == Shape({B, L, 1}),
             "cfc_sequence: expected timespans of shape ", shape_to_string({B, L}), " or ", shape_to_string({B, L, 1}),
             ", got ", shape_to_string(ts.sizes()));
    FL_CHECK(ts.dtype() == x.dtype(), "mat1 and mat2 must have the same dtype, but got ", scalar_type_name(x.dtype()),
             " and ", scalar_type_name(ts.dtype()));
    a.ts = ts.dim() == 3 ? ts.reshape({B, L}) : ts;
    a.dims.has_ts = true;
  }
  a.dims.shares = kc::threads_for(a.dims);
  return a;
}

Tensor masked(const Tensor& W, const Tensor& mask) { return mask.defined() ? mul(W, mask.to(W.dtype())) : W; }

}  // namespace detail

CfCOutputs cfc_sequence_full(const Tensor& x, const std::optional<Tensor>& h0, const std::optional<Tensor>& c0,
                             const std::optional<Tensor>& timespans, const CfCWeights& w, const CfCConfig& cfg) {
  detail::SequenceArgs a = detail::check_sequence(x, h0, c0, timespans, w, cfg);
  const kc::Dims& d = a.dims;
  const bool dropout = cfg.training && cfg.backbone_dropout > 0 &&
                       std::any_of(d.layers.begin(), d.layers.end(), [](auto& l) { return l.backbone_layers > 1; });
  const bool fused = x.device().is_cpu() && (x.dtype() == kFloat32 || x.dtype() == kFloat64) && !dropout;
  if (!fused) return detail::reference_sequence(a, x, w, cfg);

  // The op's inputs in kernels::cfc::InputIndex order; masks are applied here so autograd carries them.
  std::vector<Tensor> in{x, a.h0};
  if (d.mixed) in.push_back(a.c0);
  if (d.has_ts) in.push_back(a.ts);
  for (const CfCCellWeights& c : w.layers) {
    for (size_t k = 0; k < c.backbone_weight.size(); ++k) {
      in.push_back(c.backbone_weight[k]);
      in.push_back(c.backbone_bias[k]);
    }
    in.push_back(detail::masked(c.ff1_weight, c.sparsity_mask));
    in.push_back(c.ff1_bias);
    if (cfg.mode == CfCMode::Pure) {
      in.insert(in.end(), {c.w_tau, c.A});
    } else {
      in.push_back(detail::masked(c.ff2_weight, c.sparsity_mask));
      in.insert(in.end(), {c.ff2_bias, c.time_a_weight, c.time_a_bias, c.time_b_weight, c.time_b_bias});
    }
  }
  if (d.mixed) in.insert(in.end(), {w.lstm->input_map_weight, w.lstm->input_map_bias, w.lstm->recurrent_map_weight});

  const bool needs_grad =
      is_recording_grad() && std::any_of(in.begin(), in.end(), [](const Tensor& t) { return t.requires_grad(); });
  auto saved = needs_grad ? kc::make_saved_forward() : nullptr;
  // Every input is saved for the backward (as PyTorch's autograd saves them for the composition), so writing to
  // one in place before backward raises PyTorch's error.
  auto outs = apply_op(
      "CfCSequenceBackward0", [d, saved](const Arrays& arrays) { return kc::sequence(arrays, d, saved); }, in,
      kSaveAll);
  return {outs[0], outs[1], d.mixed ? outs[2] : Tensor()};
}

std::pair<Tensor, Tensor> cfc_sequence(const Tensor& x, const std::optional<Tensor>& h0,
                                       const std::optional<Tensor>& timespans, const CfCWeights& w,
                                       const CfCConfig& cfg) {
  FL_CHECK(!w.lstm, "cfc_sequence: these weights have mixed memory; use cfc_sequence_mixed");
  auto r = cfc_sequence_full(x, h0, std::nullopt, timespans, w, cfg);
  return {r.y, r.h};
}

std::tuple<Tensor, Tensor, Tensor> cfc_sequence_mixed(const Tensor& x, const std::optional<Tensor>& h0,
                                                      const std::optional<Tensor>& c0,
                                                      const std::optional<Tensor>& timespans, const CfCWeights& w,
                                                      const CfCConfig& cfg) {
  FL_CHECK(w.lstm.has_value(), "cfc_sequence_mixed: these weights have no LSTM (mixed memory) cell");
  auto r = cfc_sequence_full(x, h0, c0, timespans, w, cfg);
  return {r.y, r.h, r.c};
}

}  // namespace fl::ncps
