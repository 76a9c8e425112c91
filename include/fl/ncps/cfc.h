// CfC (closed-form continuous-time) networks from ncps.torch: the CfCCell, the WiredCfCCell (one cell per wiring
// layer) and the mixed-memory LSTM cell, run over a whole sequence as one fused op (a custom MLX primitive with a
// C++ CPU kernel and a backward through time), plus the same maths as a composition of fl ops, and a stepper for
// single-step inference in control loops.
//
// Numbers follow ncps.torch (tanh heads, gate sigmoid(time_a * t + time_b), LeCun tanh 1.7159 tanh(0.666 x),
// backbone dropout only after the second and later backbone layers). Elapsed times are per sample and step, shape
// (B, L), which is what ncps intends; its wrapper's `.squeeze()` breaks batches other than 1 (ncps issues #81, #83).
#pragma once
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "fl/ncps/lstm_memory.h"
#include "fl/tensor.h"

namespace fl::ncps {

/// ncps's CfC mode: "default" (gated), "pure" (the closed form alone) or "no_gate".
enum class CfCMode { Default, Pure, NoGate };
/// The backbone's activation, ncps's backbone_activation.
enum class CfCActivation { LeCunTanh, SiLU, ReLU, Tanh, GELU };

/// "default" | "pure" | "no_gate"; ValueError otherwise (as ncps).
CfCMode cfc_mode_from_string(const std::string& mode);
/// "lecun_tanh" | "silu" | "relu" | "tanh" | "gelu"; ValueError otherwise (as ncps).
CfCActivation cfc_activation_from_string(const std::string& activation);

/// The parameters of one ncps.torch CfCCell, named after its state_dict entries.
struct CfCCellWeights {
  /// backbone.0, backbone.2, ...: the backbone's Linear layers in order (empty without a backbone).
  std::vector<Tensor> backbone_weight, backbone_bias;
  Tensor ff1_weight, ff1_bias;
  /// Modes default and no_gate.
  Tensor ff2_weight, ff2_bias, time_a_weight, time_a_bias, time_b_weight, time_b_bias;
  /// Mode pure: (1, H) each.
  Tensor w_tau, A;
  /// Optional (H, in + H): multiplies ff1's and ff2's weights (ncps's WiredCfCCell layers); undefined if none.
  Tensor sparsity_mask;
};

/// The parameters of a whole CfC: its cells and optional mixed-memory LSTM.
struct CfCWeights {
  /// One cell for a CfC with int units; one per wiring layer for a wired CfC, in layer order.
  std::vector<CfCCellWeights> layers;
  /// Mixed memory: ncps's LSTMCell (lstm_memory.h), shared with the LTC.
  std::optional<LSTMMemoryWeights> lstm;

  /// From the state_dict of an ncps.torch CfC: `rnn_cell.backbone.0.weight`, `rnn_cell.ff1.bias`,
  /// `rnn_cell.layer_1.sparsity_mask`, `lstm.input_map.weight`, ... (the `rnn_cell.` prefix is optional; `fc.*`,
  /// the projection, is skipped). ValueError for any other name.
  static CfCWeights from_state_dict(const std::map<std::string, Tensor>& state_dict);

  /// Features of the input x (the first layer's input size).
  int64_t input_size() const;
  /// Units of all layers (the state size).
  int64_t state_size() const;
  /// Units of the last layer (for a wired CfC the motor neurons, which ncps returns as the output).
  int64_t output_size() const;
};

/// How the cells run: ncps's mode and backbone activation, backbone dropout and the training flag.
struct CfCConfig {
  CfCMode mode = CfCMode::Default;
  CfCActivation activation = CfCActivation::LeCunTanh;
  /// Dropout after backbone layers 2.. (ncps never puts one after the first). The fused op runs when it cannot
  /// apply (p = 0, not training, or fewer than two backbone layers); otherwise the composition runs.
  double backbone_dropout = 0.0;
  bool training = false;
};

/// A CfC sequence's outputs.
struct CfCOutputs {
  Tensor y;  ///< (B, L, output_size): the last layer's new state at every step
  Tensor h;  ///< (B, state_size): the final state
  Tensor c;  ///< (B, state_size): the final LSTM cell state (mixed memory only)
};

/// The whole sequence. x (B, L, input_size); h0, c0 (B, state_size), zeros when absent (c0 with mixed memory
/// only); timespans (B, L) or (B, L, 1), 1.0 when absent. Differentiable in every tensor argument (timespans
/// too); first-order gradients only on the fused path. The caller applies return_sequences and a projection.
/// Runs the fused primitive for float32/float64 on the CPU, the composition otherwise (other devices and dtypes,
/// backbone dropout in training).
CfCOutputs cfc_sequence_full(const Tensor& x, const std::optional<Tensor>& h0, const std::optional<Tensor>& c0,
                             const std::optional<Tensor>& timespans, const CfCWeights& weights,
                             const CfCConfig& config = {});
/// (y, h_T) without mixed memory.
std::pair<Tensor, Tensor> cfc_sequence(const Tensor& x, const std::optional<Tensor>& h0,
                                       const std::optional<Tensor>& timespans, const CfCWeights& weights,
                                       const CfCConfig& config = {});
/// (y, h_T, c_T) with mixed memory.
std::tuple<Tensor, Tensor, Tensor> cfc_sequence_mixed(const Tensor& x, const std::optional<Tensor>& h0,
                                                      const std::optional<Tensor>& c0,
                                                      const std::optional<Tensor>& timespans, const CfCWeights& weights,
                                                      const CfCConfig& config = {});

/// The same sequence as a composition of fl ops, one cell step at a time (the tests' oracle, and the path for
/// other devices and for dropout). Any dtype and device; any order of gradient.
CfCOutputs cfc_sequence_reference(const Tensor& x, const std::optional<Tensor>& h0, const std::optional<Tensor>& c0,
                                  const std::optional<Tensor>& timespans, const CfCWeights& weights,
                                  const CfCConfig& config = {});
/// One ncps CfCCell step as fl ops: the new state (B, H) from x_t (B, in), h (B, H) and ts ((B, 1); 1.0 if absent).
Tensor cfc_cell_step_reference(const Tensor& x_t, const Tensor& h, const std::optional<Tensor>& ts,
                               const CfCCellWeights& cell, const CfCConfig& config = {});

/// Single-step inference for control loops: the weights are copied and laid out once, then each raw-buffer step
/// runs without allocating and without building a graph. Batch 1 per raw call. Not thread-safe (it owns scratch
/// buffers); use one stepper per thread. Raw calls take the stepper's dtype (that of the weights) and ignore
/// autograd; use cfc_sequence_full to train.
class CfCStepper {
 public:
  explicit CfCStepper(const CfCWeights& weights, const CfCConfig& config = {});
  ~CfCStepper();
  CfCStepper(CfCStepper&&) noexcept;
  CfCStepper& operator=(CfCStepper&&) noexcept;

  /// The weights' dtype, which raw steps take.
  Dtype dtype() const;
  /// Features of each input x.
  int64_t input_size() const;
  /// Units of all layers.
  int64_t state_size() const;
  /// Units of the last layer.
  int64_t output_size() const;
  /// Whether the CfC has a mixed-memory LSTM.
  bool mixed_memory() const;
  /// Elements of the raw state buffer: h (state_size), then c (state_size) with mixed memory.
  int64_t state_buffer_size() const;
  /// The output (the last layer's units) is state[output_offset() .. state_size()).
  int64_t output_offset() const;

  /// state <- the state after input x (input_size values) and elapsed time dt. TypeError if the stepper's dtype
  /// is not this overload's.
  void step(const float* x, float* state, float dt = 1.0f);
  void step(const double* x, double* state, double dt = 1.0);

  /// Batched (B, input_size) or unbatched (input_size) step: {y, h', c'} (c only with mixed memory). No graph is
  /// recorded.
  CfCOutputs step(const Tensor& x_t, const Tensor& h, const std::optional<Tensor>& c = std::nullopt, double dt = 1.0);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fl::ncps
