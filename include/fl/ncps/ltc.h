// Liquid time-constant (LTC) networks as in ncps.torch: the cell's parameters under ncps's names, the reference
// composition of one step, the fused whole-sequence op (one autograd node; a C++ CPU kernel with its own
// backward through time), and a single-step inference engine for control loops.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "fl/ncps/lstm_memory.h"
#include "fl/tensor.h"

namespace fl::ncps {

/// ncps's input_mapping / output_mapping: x ⊙ w + b ("affine"), x ⊙ w ("linear"), or the identity.
enum class LTCMapping { Affine, Linear, None };
/// "affine" and "linear" as named; anything else, None included, is the identity (as in ncps).
LTCMapping ltc_mapping_from_string(const std::optional<std::string>& name);

/// How the LTC runs: ncps's mappings, ODE unfolds and epsilon, the parameter constraints and the fused kernel.
struct LTCConfig {
  LTCMapping input_mapping = LTCMapping::Affine;
  LTCMapping output_mapping = LTCMapping::Affine;
  /// Semi-implicit Euler sub-steps per time step, each of elapsed_time / ode_unfolds.
  int64_t ode_unfolds = 6;
  /// Added to the denominator of each sub-step's update.
  double epsilon = 1e-8;
  /// softplus on gleak, cm, w and sensory_w (the LTC wrapper's default; the cell's is false). When false the
  /// raw values are used and the caller keeps them non-negative (ltc_apply_weight_constraints).
  bool implicit_param_constraints = true;
  /// Motor neurons M: the output is state[:, :M]. Default: output_w's length, or all units without output_w.
  std::optional<int64_t> motor_size;
  /// Use the fused kernel where it exists (CPU, float32/float64); false, or elsewhere: the reference composition.
  bool fused = true;
};

/// LTCCell's parameters and buffers, named as ncps.torch registers them (state-dict keys `rnn_cell.<name>`).
/// N = units, D = input features, M = motor neurons. input_w/input_b and output_w/output_b are undefined where
/// the mapping has none. The masks are buffers (ncps: requires_grad=False); no gradient flows into them.
struct LTCWeights {
  Tensor gleak, vleak, cm;                                    // (N)
  Tensor sigma, mu, w, erev;                                  // (N, N), row = presynaptic neuron
  Tensor sensory_sigma, sensory_mu, sensory_w, sensory_erev;  // (D, N)
  Tensor sparsity_mask, sensory_sparsity_mask;                // (N, N), (D, N): |adjacency|
  Tensor input_w, input_b;                                    // (D)
  Tensor output_w, output_b;                                  // (M)
  /// ncps's names of all entries, in its registration order.
  static const std::vector<std::string>& names();
  /// The entry of that name (nullptr for an unknown name).
  Tensor* find(const std::string& name);
  /// (name, tensor) pairs of the defined entries, in ncps's registration order.
  std::vector<std::pair<std::string, Tensor>> named() const;
  /// N, the number of neurons.
  int64_t units() const { return gleak.numel(); }
  /// D, the input features (0 when the sensory weights are undefined).
  int64_t input_size() const { return sensory_mu.defined() ? sensory_mu.size(0) : 0; }
};

/// ncps's LTCCell.apply_weight_constraints for implicit_param_constraints=False: clamps w, sensory_w, cm and
/// gleak to >= 0 in place, outside autograd (call it after each optimizer step).
void ltc_apply_weight_constraints(LTCWeights& weights);

/// One LTCCell.forward step with core ops (differentiable; the oracle of the fused op and its non-CPU path).
/// input (B, D), state (B, N); elapsed_time undefined (1.0), a scalar, (B) or (B, 1): per-sample step lengths.
/// Returns (output (B, M), next state (B, N)).
std::pair<Tensor, Tensor> ltc_cell_step(const Tensor& input, const Tensor& state, const LTCWeights& weights,
                                        const LTCConfig& config, const Tensor& elapsed_time = Tensor());

/// An LTC sequence's outputs.
struct LTCSequenceOutput {
  Tensor output;  // (B, L, M): the mapped motor output of every step
  Tensor h;       // (B, N): the final state
  Tensor c;       // (B, N): the final LSTM cell state (mixed memory only)
};

/// The LTC over a whole sequence, batch first: input (B, L, D); h0 (B, N) or undefined (zeros); timespans
/// (B, L), (B, L, 1) or anything that broadcasts to (B, L), undefined meaning 1.0 per step: the elapsed time of
/// each sample at each step (the fix of ncps issues #81-#83). On the CPU in float32/float64 this is one fused op.
LTCSequenceOutput ltc_sequence(const Tensor& input, const Tensor& h0, const Tensor& timespans,
                               const LTCWeights& weights, const LTCConfig& config = {});
/// The same with ncps's mixed memory: an LSTM (memory) runs before the cell at every step; c0 (B, N) or zeros.
LTCSequenceOutput ltc_sequence_mixed_memory(const Tensor& input, const Tensor& h0, const Tensor& c0,
                                            const Tensor& timespans, const LTCWeights& weights,
                                            const LSTMMemoryWeights& memory, const LTCConfig& config = {});

/// Single-step inference for control loops. It snapshots the weights (call refresh() after they change) into
/// prepared buffers; the raw-buffer step() then allocates nothing and records no graph. Buffers are row-major:
/// x (batch, D), state / h / c (batch, N) updated in place, y (batch, M) written when not null. The element type
/// must be the weights' dtype (float32 or float64).
class LTCStepper {
 public:
  LTCStepper(const LTCWeights& weights, const LTCConfig& config, int64_t batch = 1);
  LTCStepper(const LTCWeights& weights, const LSTMMemoryWeights& memory, const LTCConfig& config, int64_t batch = 1);
  ~LTCStepper();
  LTCStepper(LTCStepper&&) noexcept;
  LTCStepper& operator=(LTCStepper&&) noexcept;

  /// Re-reads the weights (same shapes) after training steps; two overloads, without and with the mixed-memory
  /// LSTM's weights (as the stepper was built).
  void refresh(const LTCWeights& weights);
  void refresh(const LTCWeights& weights, const LSTMMemoryWeights& memory);

  /// Advances state in place by dt (float32 and float64 overloads; without mixed memory).
  void step(const float* x, float* state, float dt = 1.0f, float* y = nullptr);
  void step(const double* x, double* state, double dt = 1.0, double* y = nullptr);
  /// Mixed memory: h and c both advance (float32 and float64 overloads).
  void step(const float* x, float* h, float* c, float dt = 1.0f, float* y = nullptr);
  void step(const double* x, double* h, double* c, double dt = 1.0, double* y = nullptr);

  /// Tensor-level steps (no graph): x (batch, D) or (D), state (batch, N) or (N); returns (y, next state).
  std::pair<Tensor, Tensor> step(const Tensor& x, const Tensor& state, double dt = 1.0);
  /// Mixed memory: returns (y, h, c).
  std::tuple<Tensor, Tensor, Tensor> step(const Tensor& x, const Tensor& h, const Tensor& c, double dt = 1.0);

  /// The batch size of the raw steps.
  int64_t batch() const;
  /// D, the input features.
  int64_t input_size() const;
  /// N, the number of neurons.
  int64_t state_size() const;
  /// M, the motor neurons (the output size).
  int64_t output_size() const;
  /// Whether it was built with the mixed-memory LSTM.
  bool mixed_memory() const;
  /// The weights' dtype, which raw steps take.
  Dtype dtype() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fl::ncps
