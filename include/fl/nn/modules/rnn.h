// Recurrent layers (torch.nn's rnn.py): RNN, LSTM and GRU over sequences and the one-step cells RNNCell, LSTMCell
// and GRUCell, with torch's parameter names and order, initialisation U(-1/√hidden, 1/√hidden) and repr. The loops
// run in fl::nn::functional (rnn_tanh, rnn_relu, lstm, gru and the *_cell ops).
#pragma once
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "fl/nn/module.h"
#include "fl/options.h"

namespace fl::nn {

/// The options RNN, LSTM and GRU share (torch's RNNBase arguments).
struct RNNOptionsBase {
  RNNOptionsBase(int64_t input_size, int64_t hidden_size) : input_size(input_size), hidden_size(hidden_size) {}
  int64_t input_size;
  int64_t hidden_size;
  int64_t num_layers = 1;
  /// bias_ih / bias_hh parameters.
  bool bias = true;
  /// Input and output as (N, L, H) instead of (L, N, H); the states stay (layers * directions, N, H).
  bool batch_first = false;
  /// Dropout on the output of every layer but the last, in training.
  double dropout = 0.0;
  /// A second, reversed direction per layer; the output concatenates both directions' features.
  bool bidirectional = false;
  /// dtype and device of the parameters (default dtype and device when unset).
  TensorOptions tensor_options = {};
};

/// RNN's options: RNNOptionsBase's plus the nonlinearity.
struct RNNOptions : RNNOptionsBase {
  using RNNOptionsBase::RNNOptionsBase;
  /// "tanh" or "relu".
  std::string nonlinearity = "tanh";
};

/// LSTM's options: RNNOptionsBase's plus proj_size.
struct LSTMOptions : RNNOptionsBase {
  using RNNOptionsBase::RNNOptionsBase;
  /// Projects each layer's hidden state to this size (weight_hr_l{k}); 0 disables projections.
  int64_t proj_size = 0;
};

/// GRU's options: RNNOptionsBase's.
struct GRUOptions : RNNOptionsBase {
  using RNNOptionsBase::RNNOptionsBase;
};

/// torch's RNNBase: builds and owns the flat weights, per layer then direction: weight_ih_l{k}{_reverse},
/// weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} (with bias), weight_hr_l{k} (LSTM with proj_size).
class RNNBase : public Module {
 public:
  /// Re-draws every parameter from U(-1/√hidden_size, 1/√hidden_size).
  void reset_parameters();
  /// torch's _flat_weights: the parameters in the order the functional ops take them.
  std::vector<Tensor> flat_weights() const;
  /// torch's _flat_weights_names: the parameter names in flat_weights() order.
  const std::vector<std::string>& flat_weights_names() const { return flat_weights_names_; }
  std::string extra_repr() const override;

  RNNOptionsBase options_base;
  /// "RNN_TANH", "RNN_RELU", "LSTM" or "GRU".
  std::string mode;

 protected:
  RNNBase(std::string mode, const RNNOptionsBase& options, int64_t proj_size);
  /// ValueError unless the input is (L, H_in) or 3-D, RuntimeError for the wrong feature size; true when batched.
  bool check_input(const Tensor& input) const;
  /// Zero initial state of last dimension size for input.
  Tensor zero_state(const Tensor& input, bool batched, int64_t size) const;
  int64_t proj_size_;

 private:
  std::vector<std::string> flat_weights_names_;
};

/// Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) (or relu).
class RNN : public RNNBase {
 public:
  explicit RNN(const RNNOptions& options);
  RNN(int64_t input_size, int64_t hidden_size, int64_t num_layers = 1);
  /// Returns (output, h_n); hx (layers * directions, N, hidden) defaults to zeros.
  std::tuple<Tensor, Tensor> forward(const Tensor& input, const Tensor& hx = {});

  RNNOptions options;
};

/// (h_n, c_n): the LSTM state.
using LSTMState = std::tuple<Tensor, Tensor>;

/// torch.nn.LSTM: gates i, f, g, o; c_t = f * c_{t-1} + i * g, h_t = o * tanh(c_t) (projected with proj_size).
class LSTM : public RNNBase {
 public:
  explicit LSTM(const LSTMOptions& options);
  LSTM(int64_t input_size, int64_t hidden_size, int64_t num_layers = 1);
  /// Returns (output, (h_n, c_n)); hx = (h_0, c_0) defaults to zeros (h of proj_size when projecting).
  std::tuple<Tensor, LSTMState> forward(const Tensor& input, const std::optional<LSTMState>& hx = std::nullopt);

  LSTMOptions options;
};

/// torch.nn.GRU: gates r, z, n with n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h_t = (1 - z) * n + z * h_{t-1}.
class GRU : public RNNBase {
 public:
  explicit GRU(const GRUOptions& options);
  GRU(int64_t input_size, int64_t hidden_size, int64_t num_layers = 1);
  /// Returns (output, h_n); hx defaults to zeros.
  std::tuple<Tensor, Tensor> forward(const Tensor& input, const Tensor& hx = {});

  GRUOptions options;
};

// --- cells ---------------------------------------------------------------------------------------------------------

/// RNNCell/LSTMCell/GRUCell's constructor arguments, as torch's.
struct RNNCellOptions {
  RNNCellOptions(int64_t input_size, int64_t hidden_size) : input_size(input_size), hidden_size(hidden_size) {}
  int64_t input_size;
  int64_t hidden_size;
  bool bias = true;
  /// RNNCell only: "tanh" or "relu".
  std::string nonlinearity = "tanh";
  TensorOptions tensor_options = {};
};
using LSTMCellOptions = RNNCellOptions;
using GRUCellOptions = RNNCellOptions;

/// torch's RNNCellBase: weight_ih (gates * hidden, input), weight_hh (gates * hidden, hidden), bias_ih, bias_hh
/// (undefined without bias), all U(-1/√hidden, 1/√hidden).
class RNNCellBase : public Module {
 public:
  void reset_parameters();
  std::string extra_repr() const override;

  RNNCellOptions options;
  Tensor weight_ih, weight_hh, bias_ih, bias_hh;

 protected:
  RNNCellBase(const RNNCellOptions& options, int64_t num_chunks);
  /// ValueError unless the input is 1-D or 2-D.
  void check_input(const Tensor& input) const;
  Tensor zero_state(const Tensor& input) const;
};

/// torch.nn.RNNCell: h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (or relu).
class RNNCell : public RNNCellBase {
 public:
  explicit RNNCell(const RNNCellOptions& options);
  RNNCell(int64_t input_size, int64_t hidden_size, bool bias = true, const std::string& nonlinearity = "tanh");
  /// h' for input (N, H_in) or (H_in); hx defaults to zeros.
  Tensor forward(const Tensor& input, const Tensor& hx = {});
};

/// torch.nn.LSTMCell: one LSTM step (gates i, f, g, o).
class LSTMCell : public RNNCellBase {
 public:
  explicit LSTMCell(const LSTMCellOptions& options);
  LSTMCell(int64_t input_size, int64_t hidden_size, bool bias = true);
  /// (h', c'); hx = (h, c) defaults to zeros.
  LSTMState forward(const Tensor& input, const std::optional<LSTMState>& hx = std::nullopt);
};

/// torch.nn.GRUCell: one GRU step (gates r, z, n).
class GRUCell : public RNNCellBase {
 public:
  explicit GRUCell(const GRUCellOptions& options);
  GRUCell(int64_t input_size, int64_t hidden_size, bool bias = true);
  /// h' for input (N, H_in) or (H_in); hx defaults to zeros.
  Tensor forward(const Tensor& input, const Tensor& hx = {});
};

}  // namespace fl::nn
