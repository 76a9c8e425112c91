// A trained CfC or LTC layer as a controller: one inference step on raw buffers, without tensors, graphs or
// allocation, for control loops. Obtained from a layer (LiquidRNN::policy() in C++, `model.policy()` in Python),
// or assembled from weights:
//
//   fl::ncps::Policy policy = model->policy();              // a snapshot of the weights
//   std::vector<float> state(policy.state_size(), 0.f), out(policy.output_size());
//   for (;;) policy.step(sensors, state.data(), dt, out.data());   // x: input_size values
//
// The state buffer holds every unit (layer) of the layer in order, each as h (its units) followed by c (the same
// count) with mixed memory; state_layout() gives the offsets, which match the layer's state list one to one. The
// output is the layer's last-step output (the motor neurons, through the projection when there is one).
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fl/ncps/cfc.h"
#include "fl/ncps/ltc.h"

namespace fl::ncps {

/// One cell's state: h, and the LSTM's c with mixed memory (undefined otherwise).
struct CellState {
  Tensor h, c;
};

/// A layer's result: the output, and one state per layer and direction (layer 0 forward, layer 0 reverse, ...).
struct RNNOutput {
  Tensor output;
  std::vector<CellState> state;
};

/// One unit (one layer's cell) of a Policy, as its weights. The tensors are read when the Policy is built.
struct PolicyUnit {
  /// Which cell the unit is.
  enum class Kind { CfC, LTC };
  Kind kind = Kind::CfC;
  /// CfC: a CfCCell or a WiredCfCCell (several layers), with mixed memory when cfc.lstm is set. The unit's output
  /// is the last layer's first output_size units.
  CfCWeights cfc;
  CfCConfig cfc_config;
  int64_t output_size = 0;
  /// LTC: the cell (its output is the mapped motor neurons), an optional LSTM, and an optional backbone of Linear
  /// layers (weight (out, in), bias) each followed by `activation`, in front of the sensory neurons.
  LTCWeights ltc;
  LTCConfig ltc_config;
  std::optional<LSTMMemoryWeights> memory;
  std::vector<Tensor> backbone_weight, backbone_bias;
  CfCActivation activation = CfCActivation::LeCunTanh;

  /// A CfC unit whose output is the first output_size units of its last layer.
  static PolicyUnit make_cfc(const CfCWeights& weights, const CfCConfig& config, int64_t output_size);
  /// An LTC unit, with optional mixed memory and backbone.
  static PolicyUnit make_ltc(const LTCWeights& weights, const LTCConfig& config,
                             const std::optional<LSTMMemoryWeights>& memory = std::nullopt,
                             const std::vector<Tensor>& backbone_weight = {},
                             const std::vector<Tensor>& backbone_bias = {},
                             CfCActivation activation = CfCActivation::LeCunTanh);
};

/// Where one unit's state lies in the raw state buffer.
struct StateSlot {
  int64_t h_offset = 0;
  int64_t c_offset = -1;  ///< -1 without mixed memory
  int64_t units = 0;
};

/// Stacked units and an optional projection (Linear: weight (P, O), bias (P) or undefined) as one raw step. The
/// weights are copied and laid out once, in the dtype of the first unit's weights (float32 or float64); steps then
/// only touch buffers sized at construction, so a Policy is not thread-safe (use one per thread). It records the
/// storage and version of every tensor it read: is_current() says whether they are all unchanged.
class Policy {
 public:
  Policy(std::vector<PolicyUnit> units, const Tensor& proj_weight = Tensor(), const Tensor& proj_bias = Tensor(),
         std::string name = "Policy");
  ~Policy();
  Policy(Policy&&) noexcept;
  Policy& operator=(Policy&&) noexcept;

  /// The layer's name, for messages ("CfC", "LTC").
  const std::string& name() const;
  /// The dtype the raw steps take (the first unit's weights').
  Dtype dtype() const;
  /// Features of each input x.
  int64_t input_size() const;
  /// Features of the output (after the projection, if any).
  int64_t output_size() const;
  /// Elements of the raw state buffer (all units).
  int64_t state_size() const;
  /// Each unit's slot in the raw state buffer, in unit order.
  const std::vector<StateSlot>& state_layout() const;
  /// The number of stacked units.
  size_t num_units() const;
  /// Whether the first unit has mixed memory (an LSTM c in its state slot).
  bool mixed_memory() const;

  /// state (state_size values) <- the state after input x (input_size values) and elapsed time dt; out
  /// (output_size values, may be null) <- the output. Batch 1, nothing allocated. TypeError if the buffers' type
  /// is not the policy's dtype. Sizes are the caller's responsibility. Float32 and float64 overloads.
  void step(const float* x, float* state, float dt, float* out);
  void step(const double* x, double* state, double dt, double* out);

  /// The layer-level step over tensors (what LiquidRNN::step runs): x_t (B, input_size) or (input_size);
  /// state empty (zeros) or one {h, c} per unit, (B, units) or (units) as x_t. Returns fresh, evaluated tensors
  /// (no graph); rows run one after another. Inputs already evaluated, dense and of the policy's dtype (such as
  /// the tensors a previous step returned) are read in place; others are converted and evaluated first.
  RNNOutput step(const Tensor& x_t, const std::vector<CellState>& state, double dt);

  /// Whether every tensor the policy was built from still has the storage and version it had then (an in-place
  /// update, optimizer step, load_state_dict or to() changes them).
  bool is_current() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fl::ncps
