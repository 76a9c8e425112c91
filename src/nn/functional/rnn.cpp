// The recurrent layers over whole sequences (torch's _VF.rnn_tanh / rnn_relu / lstm / gru): checks with the
// messages of torch's modules and kernels, then one op whose MLX composition loops over layers, directions and
// time steps. One op, not one per step: MLX's vjp of the whole loop is the backward, the tape holds one node, and
// nothing is evaluated until the caller asks. Each layer/direction's input projection is one GEMM for all steps.
#include "fl/nn/functional/rnn.h"

#include "fl/ops/creation.h"
#include "fl/ops/random.h"
#include "nn/functional/rnn_step.h"

namespace fl::nn::functional {
using namespace rnn_detail;

namespace {

// Where the op's inputs sit: [input, h0, (c0), params (per_layer per layer and direction), dropout masks].
struct Layout {
  CellKind kind;
  int64_t num_layers, dirs, per_layer;
  bool has_biases, has_proj, batched, batch_first;
  size_t num_states() const { return kind == CellKind::Lstm ? 2 : 1; }
  size_t param(int64_t layer, int64_t dir) const {
    return 1 + num_states() + static_cast<size_t>((layer * dirs + dir) * per_layer);
  }
  size_t mask(int64_t layer) const { return param(num_layers, 0) + static_cast<size_t>(layer); }
};

const char* module_name(CellKind kind) {
  return kind == CellKind::Lstm ? "LSTM" : kind == CellKind::Gru ? "GRU" : "RNN";
}
const char* op_name(CellKind kind) {
  constexpr const char* kNames[] = {"rnn_tanh", "rnn_relu", "lstm", "gru"};  // indexed by CellKind
  return kNames[static_cast<int>(kind)];
}

std::string tuple_string(const Shape& s) {
  std::string r = "(";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + ")";
}

// torch's parameter names, for shape errors.
std::string param_name(const char* kind, int64_t layer, int64_t dir) {
  return std::string(kind) + "_l" + std::to_string(layer) + (dir ? "_reverse" : "");
}

// torch checks the state's rank in the module and its size in check_hidden_size (after unsqueezing unbatched hx).
void check_states(CellKind kind, const std::vector<Tensor>& hx, bool batched) {
  const char* want = batched ? "3-D" : "2-D";
  int64_t rank = batched ? 3 : 2;
  std::string lead = batched ? "For batched 3-D input, hx" : "For unbatched 2-D input, hx";
  if (kind == CellKind::Lstm) {
    FL_CHECK(hx[0].dim() == rank && hx[1].dim() == rank, lead, " and cx should also be ", want, " but got (",
             hx[0].dim(), "-D, ", hx[1].dim(), "-D) tensors");
  } else {
    FL_CHECK(hx[0].dim() == rank, lead, " should also be ", want, " but got ", hx[0].dim(), "-D tensor");
  }
}

void check_state_size(const Tensor& h, const Shape& expected, bool batched, const char* what) {
  Shape got = h.sizes();
  if (!batched) got.insert(got.begin() + 1, 1);
  FL_CHECK(got == expected, "Expected ", what, " size ", tuple_string(expected), ", got ", shape_to_string(got));
}

Layout check_sequence(CellKind kind, const Tensor& input, const std::vector<Tensor>& hx,
                      const std::vector<Tensor>& params, bool has_biases, int64_t num_layers, double dropout,
                      bool train, bool bidirectional, bool batch_first) {
  const bool lstm = kind == CellKind::Lstm;
  if (lstm) FL_CHECK(hx.size() == 2, "lstm expects two hidden states");
  FL_CHECK_VALUE(input.dim() == 2 || input.dim() == 3, module_name(kind), ": Expected input to be 2D or 3D, got ",
                 input.dim(), lstm || kind == CellKind::Gru ? "D instead" : "D tensor instead");
  FL_CHECK_VALUE(num_layers > 0, "num_layers must be greater than zero");
  const bool batched = input.dim() == 3;
  check_states(kind, hx, batched);
  // torch tells projections from the states' sizes; the parameter count says the same once those are checked, and
  // lets a wrong state size be reported as such.
  const int64_t dirs = bidirectional ? 2 : 1, base = has_biases ? 4 : 2;
  const bool has_proj = lstm && params.size() == static_cast<size_t>(num_layers * dirs * (base + 1));
  const int64_t per_layer = base + (has_proj ? 1 : 0);
  const auto expected_params = static_cast<size_t>(num_layers * dirs * base);
  FL_CHECK(has_proj || params.size() == expected_params, "got an incorrect number of RNN parameters: expected ",
           expected_params, lstm ? " (or " + std::to_string(num_layers * dirs * (base + 1)) + " with projections)" : "",
           " for num_layers=", num_layers, ", bidirectional=", bidirectional ? "True" : "False",
           ", has_biases=", has_biases ? "True" : "False", ", got ", params.size());
  const Tensor &w_ih0 = params[0], &w_hh0 = params[1];
  FL_CHECK_VALUE(input.dtype() == w_ih0.dtype(), "RNN input dtype (torch.", dtype_name(input.dtype()),
                 ") does not match weight dtype (torch.", dtype_name(w_ih0.dtype()),
                 "). Convert input: input.to(torch.", dtype_name(w_ih0.dtype()), "), or convert model: model.to(torch.",
                 dtype_name(input.dtype()), ")");
  check_floating(input, op_name(kind));
  FL_CHECK(w_ih0.dim() == 2 && w_hh0.dim() == 2, "Expected weight_ih_l0 and weight_hh_l0 to be matrices, got ",
           w_ih0.dim(), "-D and ", w_hh0.dim(), "-D tensors");
  FL_CHECK(input.size(-1) == w_ih0.size(1), "input.size(-1) must be equal to input_size. Expected ", w_ih0.size(1),
           ", got ", input.size(-1));
  const int64_t gates = num_gates(kind);
  FL_CHECK(w_hh0.size(0) % gates == 0, "Expected weight_hh_l0's first dim to be a multiple of ", gates, ", got ",
           w_hh0.size(0));
  const int64_t hidden = w_hh0.size(0) / gates, out = w_hh0.size(1);
  for (int64_t layer = 0; layer < num_layers; ++layer) {
    for (int64_t dir = 0; dir < dirs; ++dir) {
      size_t at = static_cast<size_t>((layer * dirs + dir) * per_layer);
      int64_t in = layer == 0 ? input.size(-1) : out * dirs;
      std::vector<std::pair<const char*, Shape>> want = {{"weight_ih", {gates * hidden, in}},
                                                         {"weight_hh", {gates * hidden, out}}};
      if (has_biases) want.insert(want.end(), {{"bias_ih", {gates * hidden}}, {"bias_hh", {gates * hidden}}});
      if (has_proj) want.push_back({"weight_hr", {out, hidden}});
      for (size_t k = 0; k < want.size(); ++k) {
        check_same_dtype(input, params[at + k]);
        check_param_shape(params[at + k], want[k].second, param_name(want[k].first, layer, dir));
      }
    }
  }
  for (const Tensor& h : hx) check_same_dtype(h, w_hh0);
  const int64_t steps = batched && batch_first ? input.size(1) : input.size(0);
  FL_CHECK(steps > 0, "Expected sequence length to be larger than 0 in RNN");
  const int64_t batch = batched ? input.size(batch_first ? 0 : 1) : 1;
  check_state_size(hx[0], {num_layers * dirs, batch, out}, batched, lstm ? "hidden[0]" : "hidden");
  if (lstm) check_state_size(hx[1], {num_layers * dirs, batch, hidden}, batched, "hidden[1]");
  if (train && num_layers > 1)
    FL_CHECK(dropout >= 0 && dropout <= 1, "dropout probability has to be between 0 and 1, but got ", dropout);
  return {kind, num_layers, dirs, per_layer, has_biases, has_proj, batched, batch_first};
}

// The whole stack over the whole sequence, time-major inside: x (T, N, H_in).
Arrays run_sequence(const Layout& lay, const Arrays& in, bool has_masks) {
  const bool lstm = lay.kind == CellKind::Lstm;
  mx::array x = !lay.batched ? mx::expand_dims(in[0], 1) : lay.batch_first ? mx::swapaxes(in[0], 0, 1) : in[0];
  auto unbatch = [&](const mx::array& s) { return lay.batched ? s : mx::expand_dims(s, 1); };
  Arrays h0 = unstack_steps(unbatch(in[1]));
  Arrays c0 = lstm ? unstack_steps(unbatch(in[2])) : Arrays{};
  const int steps = x.shape(0), batch = x.shape(1);
  Arrays h_n, c_n;
  for (int64_t layer = 0; layer < lay.num_layers; ++layer) {
    Arrays dir_outputs;
    mx::array flat = mx::reshape(x, {steps * batch, x.shape(2)});
    for (int64_t dir = 0; dir < lay.dirs; ++dir) {
      size_t p = lay.param(layer, dir);
      size_t b = p + 2, r = p + (lay.has_biases ? 4 : 2);
      CellWeights w = make_weights(lay.kind, in[p], in[p + 1], opt(in, b, lay.has_biases),
                                   opt(in, b + 1, lay.has_biases), opt(in, r, lay.has_proj));
      // One tree of splits, not a slice per step (each a full-size pad in the backward).
      Arrays xg = unstack_steps(mx::reshape(input_gates(flat, w), {steps, batch, in[p].shape(0)}));
      int idx = static_cast<int>(layer * lay.dirs + dir);
      State s{h0[idx], lstm ? std::optional<mx::array>(c0[idx]) : std::nullopt};
      Arrays outputs;
      outputs.reserve(steps);
      for (int k = 0; k < steps; ++k) {
        int t = dir == 0 ? k : steps - 1 - k;
        s = step(lay.kind, xg[t], s, w);
        outputs.push_back(s.h);
      }
      if (dir == 1) std::reverse(outputs.begin(), outputs.end());
      dir_outputs.push_back(mx::stack(outputs, 0));
      h_n.push_back(s.h);
      if (lstm) c_n.push_back(*s.c);
    }
    x = lay.dirs == 2 ? mx::concatenate(dir_outputs, 2) : dir_outputs[0];
    if (has_masks && layer + 1 < lay.num_layers) x = mx::multiply(x, in[lay.mask(layer)]);
  }
  auto finish_state = [&](const Arrays& parts) {
    mx::array s = mx::stack(parts, 0);
    return lay.batched ? s : mx::squeeze(s, 1);
  };
  Arrays result{!lay.batched ? mx::squeeze(x, 1) : lay.batch_first ? mx::swapaxes(x, 0, 1) : x, finish_state(h_n)};
  if (lstm) result.push_back(finish_state(c_n));
  return result;
}

std::vector<Tensor> sequence(CellKind kind, const Tensor& input, const std::vector<Tensor>& hx,
                             const std::vector<Tensor>& params, bool has_biases, int64_t num_layers, double dropout,
                             bool train, bool bidirectional, bool batch_first) {
  Layout lay =
      check_sequence(kind, input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first);
  std::vector<Tensor> inputs{input};
  inputs.insert(inputs.end(), hx.begin(), hx.end());
  inputs.insert(inputs.end(), params.begin(), params.end());
  // Inverted dropout between layers: masks of 0 or 1 / (1 - p) drawn from the default generator, inputs of the op
  // that need no gradient.
  const bool has_masks = train && dropout > 0 && num_layers > 1;
  if (has_masks) {
    int64_t steps = lay.batched && batch_first ? input.size(1) : input.size(0);
    int64_t batch = lay.batched ? input.size(batch_first ? 0 : 1) : 1;
    Shape shape{steps, batch, lay.dirs * params[1].size(1)};
    double scale = dropout < 1 ? 1.0 / (1.0 - dropout) : 0.0;
    for (int64_t layer = 0; layer + 1 < num_layers; ++layer) {
      mx::array keep = bernoulli(empty(shape, input.dtype()), 1.0 - dropout).mlx();
      inputs.push_back(Tensor::from_mlx(mx::multiply(keep, mx::array(scale, keep.dtype()))));
    }
  }
  return apply_op(
      "StackBackward0", [lay, has_masks](const Arrays& in) { return run_sequence(lay, in, has_masks); }, inputs,
      kSaveAll);
}

}  // namespace

std::tuple<Tensor, Tensor> rnn_tanh(const Tensor& input, const Tensor& hx, const std::vector<Tensor>& params,
                                    bool has_biases, int64_t num_layers, double dropout, bool train, bool bidirectional,
                                    bool batch_first) {
  auto r =
      sequence(CellKind::Tanh, input, {hx}, params, has_biases, num_layers, dropout, train, bidirectional, batch_first);
  return {r[0], r[1]};
}

std::tuple<Tensor, Tensor> rnn_relu(const Tensor& input, const Tensor& hx, const std::vector<Tensor>& params,
                                    bool has_biases, int64_t num_layers, double dropout, bool train, bool bidirectional,
                                    bool batch_first) {
  auto r =
      sequence(CellKind::Relu, input, {hx}, params, has_biases, num_layers, dropout, train, bidirectional, batch_first);
  return {r[0], r[1]};
}

std::tuple<Tensor, Tensor> gru(const Tensor& input, const Tensor& hx, const std::vector<Tensor>& params,
                               bool has_biases, int64_t num_layers, double dropout, bool train, bool bidirectional,
                               bool batch_first) {
  auto r =
      sequence(CellKind::Gru, input, {hx}, params, has_biases, num_layers, dropout, train, bidirectional, batch_first);
  return {r[0], r[1]};
}

std::tuple<Tensor, Tensor, Tensor> lstm(const Tensor& input, const std::vector<Tensor>& hx,
                                        const std::vector<Tensor>& params, bool has_biases, int64_t num_layers,
                                        double dropout, bool train, bool bidirectional, bool batch_first) {
  auto r =
      sequence(CellKind::Lstm, input, hx, params, has_biases, num_layers, dropout, train, bidirectional, batch_first);
  return {r[0], r[1], r[2]};
}

static OpRegistrar kRegistrar(
    {{"rnn_tanh", "nn.rnn", true}, {"rnn_relu", "nn.rnn", true}, {"lstm", "nn.rnn", true}, {"gru", "nn.rnn", true}});

}  // namespace fl::nn::functional
