#include "fl/nn/modules/rnn.h"

#include <cmath>

#include "fl/error.h"
#include "fl/nn/functional/rnn.h"
#include "fl/nn/init.h"
#include "fl/nn/repr.h"
#include "fl/ops/creation.h"

namespace fl::nn {
namespace F = functional;

namespace {

int64_t gate_count(const std::string& mode) { return mode == "LSTM" ? 4 : mode == "GRU" ? 3 : 1; }

// torch's init for every recurrent parameter.
void uniform_all(const std::vector<Tensor>& params, int64_t hidden_size) {
  double stdv = hidden_size > 0 ? 1.0 / std::sqrt(static_cast<double>(hidden_size)) : 0.0;
  for (const Tensor& p : params) init::uniform_(p, -stdv, stdv);
}

std::string rnn_mode(const std::string& nonlinearity) {
  FL_CHECK_VALUE(nonlinearity == "tanh" || nonlinearity == "relu", "Unknown nonlinearity '", nonlinearity,
                 "'. Select from 'tanh' or 'relu'.");
  return nonlinearity == "tanh" ? "RNN_TANH" : "RNN_RELU";
}

}  // namespace

// --- RNNBase ---------------------------------------------------------------------------------------------------

RNNBase::RNNBase(std::string mode_, const RNNOptionsBase& opts, int64_t proj_size)
    : options_base(opts), mode(std::move(mode_)), proj_size_(proj_size) {
  FL_CHECK_VALUE(opts.dropout >= 0 && opts.dropout <= 1,
                 "dropout should be a number in range [0, 1] representing the probability of an element being "
                 "zeroed");
  FL_CHECK_VALUE(opts.hidden_size > 0, "hidden_size must be greater than zero");
  FL_CHECK_VALUE(opts.num_layers > 0, "num_layers must be greater than zero");
  FL_CHECK_VALUE(proj_size >= 0, "proj_size should be a positive integer or zero to disable projections");
  FL_CHECK_VALUE(proj_size < opts.hidden_size, "proj_size has to be smaller than hidden_size");
  int64_t gate_size = gate_count(mode) * opts.hidden_size;
  int64_t dirs = opts.bidirectional ? 2 : 1;
  int64_t real_hidden = proj_size > 0 ? proj_size : opts.hidden_size;
  for (int64_t layer = 0; layer < opts.num_layers; ++layer) {
    for (int64_t dir = 0; dir < dirs; ++dir) {
      int64_t layer_input = layer == 0 ? opts.input_size : real_hidden * dirs;
      std::string suffix = "_l" + std::to_string(layer) + (dir == 1 ? "_reverse" : "");
      std::vector<std::pair<std::string, Shape>> shapes = {{"weight_ih", {gate_size, layer_input}},
                                                           {"weight_hh", {gate_size, real_hidden}}};
      if (opts.bias) {
        shapes.push_back({"bias_ih", {gate_size}});
        shapes.push_back({"bias_hh", {gate_size}});
      }
      if (proj_size > 0) shapes.push_back({"weight_hr", {proj_size, opts.hidden_size}});
      for (const auto& [kind, shape] : shapes) {
        register_parameter(kind + suffix, fl::empty(shape, opts.tensor_options));
        flat_weights_names_.push_back(kind + suffix);
      }
    }
  }
  reset_parameters();
}

std::vector<Tensor> RNNBase::flat_weights() const {
  std::vector<Tensor> out;
  for (const auto& name : flat_weights_names_) out.push_back(own_parameters()[name]);
  return out;
}

void RNNBase::reset_parameters() { uniform_all(parameters(), options_base.hidden_size); }

std::string RNNBase::extra_repr() const {
  const auto& o = options_base;
  std::string s = std::to_string(o.input_size) + ", " + std::to_string(o.hidden_size);
  if (proj_size_ != 0) s += ", proj_size=" + std::to_string(proj_size_);
  if (o.num_layers != 1) s += ", num_layers=" + std::to_string(o.num_layers);
  if (!o.bias) s += ", bias=False";
  if (o.batch_first) s += ", batch_first=True";
  if (o.dropout != 0) s += ", dropout=" + py_float(o.dropout);
  if (o.bidirectional) s += ", bidirectional=True";
  return s;
}

bool RNNBase::check_input(const Tensor& input) const {
  FL_CHECK_VALUE(input.dim() == 2 || input.dim() == 3, mode.substr(0, mode.find('_')),
                 ": Expected input to be 2D or 3D, got ", input.dim(), "D instead");
  FL_CHECK(input.size(-1) == options_base.input_size, "input.size(-1) must be equal to input_size. Expected ",
           options_base.input_size, ", got ", input.size(-1));
  return input.dim() == 3;
}

Tensor RNNBase::zero_state(const Tensor& input, bool batched, int64_t size) const {
  int64_t layers = options_base.num_layers * (options_base.bidirectional ? 2 : 1);
  Shape shape = batched ? Shape{layers, input.size(options_base.batch_first ? 0 : 1), size} : Shape{layers, size};
  return fl::zeros(shape, TensorOptions(input.dtype()).device(input.device()));
}

// --- RNN, LSTM, GRU ----------------------------------------------------------------------------------------------

RNN::RNN(const RNNOptions& opts) : RNNBase(rnn_mode(opts.nonlinearity), opts, 0), options(opts) {}
RNN::RNN(int64_t input_size, int64_t hidden_size, int64_t num_layers)
    : RNN([&] {
        RNNOptions o(input_size, hidden_size);
        o.num_layers = num_layers;
        return o;
      }()) {}

std::tuple<Tensor, Tensor> RNN::forward(const Tensor& input, const Tensor& hx) {
  bool batched = check_input(input);
  Tensor h0 = hx.defined() ? hx : zero_state(input, batched, options.hidden_size);
  auto fn = mode == "RNN_TANH" ? F::rnn_tanh : F::rnn_relu;
  return fn(input, h0, flat_weights(), options.bias, options.num_layers, options.dropout, is_training(),
            options.bidirectional, options.batch_first);
}

LSTM::LSTM(const LSTMOptions& opts) : RNNBase("LSTM", opts, opts.proj_size), options(opts) {}
LSTM::LSTM(int64_t input_size, int64_t hidden_size, int64_t num_layers)
    : LSTM([&] {
        LSTMOptions o(input_size, hidden_size);
        o.num_layers = num_layers;
        return o;
      }()) {}

std::tuple<Tensor, LSTMState> LSTM::forward(const Tensor& input, const std::optional<LSTMState>& hx) {
  bool batched = check_input(input);
  LSTMState state =
      hx ? *hx
         : LSTMState{zero_state(input, batched, options.proj_size > 0 ? options.proj_size : options.hidden_size),
                     zero_state(input, batched, options.hidden_size)};
  auto [out, h, c] =
      F::lstm(input, {std::get<0>(state), std::get<1>(state)}, flat_weights(), options.bias, options.num_layers,
              options.dropout, is_training(), options.bidirectional, options.batch_first);
  return {out, {h, c}};
}

GRU::GRU(const GRUOptions& opts) : RNNBase("GRU", opts, 0), options(opts) {}
GRU::GRU(int64_t input_size, int64_t hidden_size, int64_t num_layers)
    : GRU([&] {
        GRUOptions o(input_size, hidden_size);
        o.num_layers = num_layers;
        return o;
      }()) {}

std::tuple<Tensor, Tensor> GRU::forward(const Tensor& input, const Tensor& hx) {
  bool batched = check_input(input);
  Tensor h0 = hx.defined() ? hx : zero_state(input, batched, options.hidden_size);
  return F::gru(input, h0, flat_weights(), options.bias, options.num_layers, options.dropout, is_training(),
                options.bidirectional, options.batch_first);
}

// --- cells -------------------------------------------------------------------------------------------------------

RNNCellBase::RNNCellBase(const RNNCellOptions& opts, int64_t num_chunks) : options(opts) {
  // Only RNNCell takes a nonlinearity (torch's LSTMCell and GRUCell have no such argument).
  FL_CHECK_VALUE(num_chunks == 1 || opts.nonlinearity == "tanh", "nonlinearity is only supported by RNNCell");
  const auto& to = opts.tensor_options;
  weight_ih = register_parameter("weight_ih", fl::empty({num_chunks * opts.hidden_size, opts.input_size}, to));
  weight_hh = register_parameter("weight_hh", fl::empty({num_chunks * opts.hidden_size, opts.hidden_size}, to));
  bias_ih = register_parameter("bias_ih", opts.bias ? fl::empty({num_chunks * opts.hidden_size}, to) : Tensor());
  bias_hh = register_parameter("bias_hh", opts.bias ? fl::empty({num_chunks * opts.hidden_size}, to) : Tensor());
  reset_parameters();
}

void RNNCellBase::reset_parameters() { uniform_all(parameters(), options.hidden_size); }

std::string RNNCellBase::extra_repr() const {
  std::string s = std::to_string(options.input_size) + ", " + std::to_string(options.hidden_size);
  if (!options.bias) s += ", bias=False";
  if (options.nonlinearity != "tanh") s += ", nonlinearity=" + options.nonlinearity;
  return s;
}

void RNNCellBase::check_input(const Tensor& input) const {
  FL_CHECK_VALUE(input.dim() == 1 || input.dim() == 2, name(), ": Expected input to be 1D or 2D, got ", input.dim(),
                 "D instead");
}

Tensor RNNCellBase::zero_state(const Tensor& input) const {
  Shape shape = input.dim() == 2 ? Shape{input.size(0), options.hidden_size} : Shape{options.hidden_size};
  return fl::zeros(shape, TensorOptions(input.dtype()).device(input.device()));
}

RNNCell::RNNCell(const RNNCellOptions& opts) : RNNCellBase(opts, 1) {
  FL_CHECK_VALUE(opts.nonlinearity == "tanh" || opts.nonlinearity == "relu",
                 "Unknown nonlinearity: ", opts.nonlinearity);
}
RNNCell::RNNCell(int64_t input_size, int64_t hidden_size, bool bias, const std::string& nonlinearity)
    : RNNCell([&] {
        RNNCellOptions o(input_size, hidden_size);
        o.bias = bias;
        o.nonlinearity = nonlinearity;
        return o;
      }()) {}

Tensor RNNCell::forward(const Tensor& input, const Tensor& hx) {
  check_input(input);
  Tensor h = hx.defined() ? hx : zero_state(input);
  auto fn = options.nonlinearity == "tanh" ? F::rnn_tanh_cell : F::rnn_relu_cell;
  return fn(input, h, weight_ih, weight_hh, bias_ih, bias_hh);
}

LSTMCell::LSTMCell(const LSTMCellOptions& opts) : RNNCellBase(opts, 4) {}
LSTMCell::LSTMCell(int64_t input_size, int64_t hidden_size, bool bias)
    : LSTMCell([&] {
        LSTMCellOptions o(input_size, hidden_size);
        o.bias = bias;
        return o;
      }()) {}

LSTMState LSTMCell::forward(const Tensor& input, const std::optional<LSTMState>& hx) {
  check_input(input);
  LSTMState state = hx ? *hx : LSTMState{zero_state(input), zero_state(input)};
  return F::lstm_cell(input, {std::get<0>(state), std::get<1>(state)}, weight_ih, weight_hh, bias_ih, bias_hh);
}

GRUCell::GRUCell(const GRUCellOptions& opts) : RNNCellBase(opts, 3) {}
GRUCell::GRUCell(int64_t input_size, int64_t hidden_size, bool bias)
    : GRUCell([&] {
        GRUCellOptions o(input_size, hidden_size);
        o.bias = bias;
        return o;
      }()) {}

Tensor GRUCell::forward(const Tensor& input, const Tensor& hx) {
  check_input(input);
  Tensor h = hx.defined() ? hx : zero_state(input);
  return F::gru_cell(input, h, weight_ih, weight_hh, bias_ih, bias_hh);
}

}  // namespace fl::nn
