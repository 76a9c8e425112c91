// Neural Circuit Policies as fl::nn modules: ncps.torch's CfCCell, WiredCfCCell, LTCCell and LSTMCell, and the
// sequence layers CfC and LTC, with the parameter names of ncps (and of Python's flashlight.ncps), so a state dict
// written by Python's fl.save (or taken from ncps) loads one to one. docs/NCPS.md defines every option.
//
//   auto model = std::make_shared<fl::ncps::CfC>(2, std::make_shared<fl::ncps::AutoNCP>(16, 1));
//   model->load_state_dict(fl::load("cfc.safetensors"));
//   auto [y, state] = model->forward(x);                  // x (B, L, 2): y (B, L, 1), state[0].h (B, 16)
//   auto out = model->step(x_t, out.state, /*dt=*/0.1);   // one step for control loops (no autograd graph)
//   fl::ncps::Policy policy = model->policy();             // raw buffers, no allocation (fl/ncps/policy.h)
//
// Each cell of each layer and direction runs a whole sequence as one fused op (cfc.h, ltc.h). Differences from
// ncps (all deliberate, see docs/NCPS.md): timespans are per sample for any batch; a wired cell's output is
// limited to the wiring's output_dim neurons; unbatched time-major outputs with return_sequences=false drop the
// batch dim; the C++ modules are built eagerly (an input size or a built wiring is required).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fl/ncps/cfc.h"
#include "fl/ncps/ltc.h"
#include "fl/ncps/policy.h"
#include "fl/ncps/wirings.h"
#include "fl/nn/module.h"
#include "fl/nn/modules/container.h"
#include "fl/nn/modules/linear.h"

namespace fl::ncps {

/// ncps's LeCun tanh, 1.7159 tanh(0.666 x).
class LeCun : public nn::UnaryModule {
 public:
  LeCun();
  Tensor forward(const Tensor& input) override;
  std::shared_ptr<nn::UnaryModule> tanh;
};

/// A cell's result over a sequence (y (B, L, output)) or a step (y (B, output)), with its final state.
struct CellRun {
  Tensor y, h, c;
};

/// ncps.torch's LSTMCell, the mixed memory: input_map Linear(I, 4H) (xavier weight, U(-0.1, 0.1) bias) and
/// recurrent_map Linear(H, 4H, no bias) (orthogonal weight).
class LSTMCell : public nn::Module {
 public:
  LSTMCell(int64_t input_size, int64_t hidden_size);
  /// Re-draws the parameters as the constructor does (xavier_uniform_, U(-0.1, 0.1), orthogonal_).
  void init_weights();
  /// (h', c') from x (B, I), h and c (B, H).
  std::pair<Tensor, Tensor> forward(const Tensor& x, const Tensor& h, const Tensor& c) const;
  /// Handles of its parameters, as the fused ops take them.
  LSTMMemoryWeights weights() const;
  int64_t input_size, hidden_size;
  std::shared_ptr<nn::Linear> input_map, recurrent_map;
};

/// What a CfC or LTC layer drives: CfCCell, WiredCfCCell, LTCCell.
class LiquidCell : public nn::Module {
 public:
  using nn::Module::Module;
  /// The raw input features.
  virtual int64_t input_size() const = 0;
  /// Units of the state h.
  virtual int64_t state_size() const = 0;
  /// Units of the output (the motor neurons of a wiring).
  virtual int64_t output_size() const = 0;
  /// The features a mixed-memory LSTM reads (the input, or an LTC backbone's output).
  virtual int64_t lstm_input_size() const { return input_size(); }
  /// x (B, L, input_size) batch first, h0/c0 (B, state) or undefined (zeros), ts (B, L) or undefined (1.0):
  /// y (B, L, output_size) and the final state, through one fused op.
  virtual CellRun sequence(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& ts,
                           const LSTMCell* lstm) = 0;
  /// A fresh cell of the same configuration reading input_size features (a stacked layer, a reverse direction).
  virtual std::shared_ptr<LiquidCell> spawn(int64_t input_size) const = 0;
  /// The cell (with its LSTM) as a Policy unit: its weights, read when the Policy is built.
  virtual PolicyUnit policy_unit(const LSTMCell* lstm) const = 0;
  /// Whether a forward in the current mode drops out (backbone dropout while training).
  virtual bool applies_dropout() const { return false; }
  /// ncps's single cell step: x (B, input_size), hx (B, state) (zeros if undefined), ts a 0-d, (B) or (B, 1)
  /// tensor or undefined (1.0) -> (output, new state).
  std::pair<Tensor, Tensor> forward(const Tensor& x, const Tensor& hx = Tensor(), const Tensor& ts = Tensor());
};

/// CfCCell's constructor arguments (ncps's, with the backbone as a list of widths).
struct CfCCellOptions {
  int64_t input_size = 0;
  /// Units (ignored with a wiring: its units).
  int64_t hidden_size = 0;
  std::string mode = "default";  ///< "default" | "pure" | "no_gate"
  /// The backbone's activation: "lecun_tanh" | "silu" | "relu" | "tanh" | "gelu".
  std::string activation = "lecun_tanh";
  /// Widths of the backbone's Linear layers (ncps: backbone_layers copies of backbone_units); empty for none.
  std::vector<int64_t> backbone = {128};
  /// Dropout after the second and later backbone layers (ncps never puts one after the first).
  double backbone_dropout = 0.0;
  /// ncps's sparsity_mask, (input + hidden, hidden), any dtype (its absolute value is used); needs no backbone.
  Tensor sparsity_mask;
  /// The MLX seeds' CfCCell(wiring=...): units and output (motor neurons, state[:, :output_dim]) from the wiring;
  /// without a backbone all its synapses mask ff1 and ff2 (sensory rows first). Built here with input_size.
  std::shared_ptr<Wiring> wiring;
};

/// ncps.torch's CfCCell: [backbone], ff1, and w_tau, A (pure) or ff2, time_a, time_b; xavier_uniform_ on every
/// trainable 2-D parameter.
class CfCCell : public LiquidCell {
 public:
  explicit CfCCell(const CfCCellOptions& options);
  /// ncps's CfCCell(input_size, hidden_size) with its defaults.
  CfCCell(int64_t input_size, int64_t hidden_size);
  /// xavier_uniform_ on every trainable 2-D parameter, as the constructor does.
  void init_weights();
  /// options.input_size.
  int64_t input_size() const override { return options.input_size; }
  /// options.hidden_size.
  int64_t state_size() const override { return options.hidden_size; }
  /// The wiring's output_dim, else hidden_size.
  int64_t output_size() const override;
  /// The sequence through cfc_sequence_full.
  CellRun sequence(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& ts,
                   const LSTMCell* lstm) override;
  /// The same options for input_size features (a fresh copy of the wiring, built for them); ValueError with a
  /// sparsity_mask and another input size.
  std::shared_ptr<LiquidCell> spawn(int64_t input_size) const override;
  /// A CfC unit of this cell's weights and config.
  PolicyUnit policy_unit(const LSTMCell* lstm) const override;
  /// Training with backbone_dropout > 0 and at least two backbone layers.
  bool applies_dropout() const override;
  /// The fused op's weights (without the LSTM).
  CfCCellWeights weights() const;
  /// The fused op's config: mode, activation, backbone_dropout and the training flag.
  CfCConfig config() const;

  CfCCellOptions options;
  Tensor sparsity_mask, w_tau, A;
  std::shared_ptr<nn::Sequential> backbone;
  std::shared_ptr<nn::Linear> ff1, ff2, time_a, time_b;
};

/// ncps.torch's WiredCfCCell: one sparse CfCCell per wiring layer (layer_0, layer_1, ...), the state ordered by
/// layer, the output the last layer's first output_dim neurons.
class WiredCfCCell : public LiquidCell {
 public:
  /// Builds the wiring with input_size (0: it must be built already).
  WiredCfCCell(int64_t input_size, std::shared_ptr<Wiring> wiring, const std::string& mode = "default");
  /// The wiring's input_dim.
  int64_t input_size() const override { return *wiring->input_dim(); }
  /// The wiring's units.
  int64_t state_size() const override { return wiring->units(); }
  /// The wiring's output_dim (at most the last layer's size), else the last layer's size.
  int64_t output_size() const override;
  /// Units of each layer, in order.
  std::vector<int64_t> layer_sizes() const;
  /// The sequence through cfc_sequence_full.
  CellRun sequence(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& ts,
                   const LSTMCell* lstm) override;
  /// A new WiredCfCCell over a fresh copy of the wiring built for input_size.
  std::shared_ptr<LiquidCell> spawn(int64_t input_size) const override;
  /// A CfC unit of these layers' weights.
  PolicyUnit policy_unit(const LSTMCell* lstm) const override;
  /// Every layer's weights, with lstm's when given.
  CfCWeights weights(const LSTMCell* lstm = nullptr) const;

  std::shared_ptr<Wiring> wiring;
  std::string mode;
  std::vector<std::shared_ptr<CfCCell>> layers;
};

/// LTCCell's constructor arguments (ncps's, plus the MLX seeds' backbone).
struct LTCCellOptions {
  std::shared_ptr<Wiring> wiring;
  /// Raw input features; 0: the wiring's input_dim (it must be built then), or required with a backbone.
  int64_t in_features = 0;
  std::optional<std::string> input_mapping = "affine", output_mapping = "affine";
  int64_t ode_unfolds = 6;
  double epsilon = 1e-8;
  bool implicit_param_constraints = false;
  /// The MLX seeds' backbone in front of the sensory neurons (the wiring is built for its output width).
  std::string activation = "lecun_tanh";
  std::vector<int64_t> backbone = {};
  double backbone_dropout = 0.0;
};

/// ncps.torch's LTCCell: gleak, vleak, cm, sigma, mu, w, erev, sensory_*, the masks (not trainable) and the
/// mappings, initialised as ncps.
class LTCCell : public LiquidCell {
 public:
  explicit LTCCell(const LTCCellOptions& options);
  /// ncps's LTCCell(wiring, in_features) with its defaults.
  LTCCell(std::shared_ptr<Wiring> wiring, int64_t in_features);
  /// options.in_features.
  int64_t input_size() const override { return options.in_features; }
  /// The wiring's units.
  int64_t state_size() const override { return options.wiring->units(); }
  /// The wiring's output_dim, else its units.
  int64_t output_size() const override;
  /// The backbone's last width, else in_features.
  int64_t lstm_input_size() const override;
  /// The sequence through ltc_sequence (or ltc_sequence_mixed_memory with lstm).
  CellRun sequence(const Tensor& x, const Tensor& h0, const Tensor& c0, const Tensor& ts,
                   const LSTMCell* lstm) override;
  /// The same options for input_size features (a fresh copy of the wiring, built for them).
  std::shared_ptr<LiquidCell> spawn(int64_t input_size) const override;
  /// An LTC unit of this cell's weights, config, backbone and lstm.
  PolicyUnit policy_unit(const LSTMCell* lstm) const override;
  /// Training with backbone_dropout > 0 and at least two backbone layers.
  bool applies_dropout() const override;
  /// ncps: with implicit_param_constraints=false, clamps w, sensory_w, cm, gleak to >= 0 in place.
  void apply_weight_constraints();
  /// Handles of the registered parameters and buffers.
  LTCWeights weights() const;
  /// The fused op's config from the options.
  LTCConfig config() const;
  /// The backbone's features (x itself without a backbone).
  Tensor features(const Tensor& x) const;

  LTCCellOptions options;
  LTCWeights params;  // handles of the registered parameters
  std::shared_ptr<nn::Sequential> backbone;
};

/// The options CfC and LTC layers share (ncps's, plus the MLX seeds' layers and directions).
struct LiquidRNNOptions {
  bool return_sequences = true;
  bool batch_first = true;
  bool mixed_memory = false;
  /// A Linear projection of the output (CfC's proj_size).
  std::optional<int64_t> proj_size;
  /// The MLX seeds' stacking and directions: units rnn_cell[_l<k>][_reverse] (and lstm likewise).
  int64_t num_layers = 1;
  bool bidirectional = false;
  std::string merge_mode = "concat";  ///< "concat" | "sum" | "mul" | "ave"
};

/// The sequence wrapper shared by CfC and LTC (batch first or time major, unbatched inputs, states, timespans,
/// layers and directions, projection, single steps).
class LiquidRNN : public nn::Module {
 public:
  /// input (B, L, F) batch first or (L, B, F), or unbatched (L, F); hx: empty (zeros) or one state per unit,
  /// batched (B, N) or unbatched (N); timespans: undefined (1.0), 0-d, (L), (B, L) or (B, L, 1) ((L, B) or
  /// (L, B, 1) time major; (L) or (L, 1) unbatched).
  RNNOutput forward(const Tensor& input, const std::vector<CellState>& hx = {}, const Tensor& timespans = Tensor());
  /// One step for inference (no graph): x_t (B, F) or (F); dt the elapsed time for every sample (through a
  /// cached Policy, rebuilt only when a parameter changes; evaluated inputs are read in place and the results are
  /// fresh evaluated tensors) or per sample, (B) or (B, 1) (one fused step, as is any step of a layer whose
  /// backbone drops out in training mode or whose fc is neither Identity nor Linear). Unidirectional only. Not
  /// thread-safe: the cached Policy owns scratch buffers (give each thread its own policy()).
  /// Two overloads: dt a number or a tensor.
  RNNOutput step(const Tensor& x_t, const std::vector<CellState>& state = {}, double dt = 1.0);
  RNNOutput step(const Tensor& x_t, const std::vector<CellState>& state, const Tensor& dt);
  /// The same step on raw buffers (never with dropout), batch 1, nothing allocated: x (input features), state
  /// (policy().state_size() values laid out as policy().state_layout(), updated in place), out (the output, may be
  /// null). Runs the cached Policy (checked against the parameters' versions at each call). TypeError if the
  /// buffers' type is not the weights' dtype. Float32 and float64 overloads.
  void step_into(const float* x, float* state, float dt, float* out);
  void step_into(const double* x, double* state, double dt, double* out);
  /// A snapshot of the layer as a Policy (no dropout; fc must be Identity or Linear; unidirectional only).
  Policy policy() const;

  /// Cells in all: num_layers, times 2 when bidirectional.
  size_t num_units() const { return units_.size(); }
  /// The cell of a unit (layer-major, forward before reverse); std::out_of_range past the end.
  std::shared_ptr<LiquidCell> cell(size_t unit) const { return units_.at(unit).cell; }
  /// The LSTM of a unit (null without mixed memory); std::out_of_range past the end.
  std::shared_ptr<LSTMCell> lstm_of(size_t unit) const { return units_.at(unit).lstm; }

  LiquidRNNOptions options;
  std::shared_ptr<LiquidCell> rnn_cell;  ///< layer 0, forward
  std::shared_ptr<LSTMCell> lstm;        ///< its LSTM (mixed memory)
  std::shared_ptr<nn::UnaryModule> fc;   ///< Identity or the projection

 protected:
  LiquidRNN(std::shared_ptr<LiquidCell> cell, const LiquidRNNOptions& options);

 private:
  struct Unit {
    std::shared_ptr<LiquidCell> cell;
    std::shared_ptr<LSTMCell> lstm;
  };
  std::vector<CellState> initial_states(const std::vector<CellState>& hx, bool batched) const;
  std::tuple<Tensor, Tensor, std::vector<CellState>> run(const Tensor& x, const std::vector<CellState>& states,
                                                         const Tensor& ts, bool need_sequence);
  RNNOutput finish(Tensor out, std::vector<CellState> finals, bool batched) const;
  /// The cached Policy behind step() and step_into(), rebuilt when a parameter or fc changed.
  Policy& step_policy();
  /// A step as a one-step fused sequence: ts (B, 1).
  RNNOutput fused_step(const Tensor& x_t, const std::vector<CellState>& state, const Tensor& ts);
  void check_steppable(const Tensor& x_t) const;
  std::vector<Unit> units_;
  std::unique_ptr<Policy> step_policy_;
  std::shared_ptr<nn::UnaryModule> step_fc_;  // the fc it was built with (held: no other fc takes its address)
};

/// CfC's options: LiquidRNNOptions' plus ncps's CfC cell arguments.
struct CfCOptions : LiquidRNNOptions {
  std::string mode = "default";
  std::string activation = "lecun_tanh";
  /// ncps's defaults 128, 1, 0.0; ValueError with a wiring.
  std::optional<int64_t> backbone_units, backbone_layers;
  std::optional<double> backbone_dropout;
};

/// ncps.torch's CfC: int units (a CfCCell) or a wiring (a WiredCfCCell), or any CfC cell (the MLX seeds' form).
class CfC : public LiquidRNN {
 public:
  CfC(int64_t input_size, int64_t units, const CfCOptions& options = {});
  CfC(int64_t input_size, std::shared_ptr<Wiring> wiring, const CfCOptions& options = {});
  explicit CfC(std::shared_ptr<LiquidCell> cell, const LiquidRNNOptions& options = {});
  /// The first cell's state size.
  int64_t state_size() const { return rnn_cell->state_size(); }
  /// The first cell's output size (before any projection).
  int64_t output_size() const { return rnn_cell->output_size(); }
};

/// LTC's options: LiquidRNNOptions' plus ncps's LTC cell arguments.
struct LTCOptions : LiquidRNNOptions {
  std::optional<std::string> input_mapping = "affine", output_mapping = "affine";
  int64_t ode_unfolds = 6;
  double epsilon = 1e-8;
  /// The layer's default is true (the cell's false), as in ncps.
  bool implicit_param_constraints = true;
};

/// ncps.torch's LTC: int units (FullyConnected(units)) or a wiring, or an LTCCell (the MLX seeds' form).
class LTC : public LiquidRNN {
 public:
  LTC(int64_t input_size, int64_t units, const LTCOptions& options = {});
  LTC(int64_t input_size, std::shared_ptr<Wiring> wiring, const LTCOptions& options = {});
  explicit LTC(std::shared_ptr<LTCCell> cell, const LiquidRNNOptions& options = {});
  /// The first cell's state size.
  int64_t state_size() const { return rnn_cell->state_size(); }
  /// The first cell's output size (before any projection).
  int64_t output_size() const { return rnn_cell->output_size(); }
  /// LTCCell::apply_weight_constraints on every cell.
  void apply_weight_constraints();
};

/// Elapsed times as (B, L) batch first (undefined stays undefined), from any of the forms LiquidRNN::forward
/// takes; ValueError otherwise. Shared with Python's flashlight.ncps.
Tensor sequence_timespans(const Tensor& timespans, int64_t batch, int64_t length, bool batch_first, bool batched,
                          Dtype dtype);

}  // namespace fl::ncps
