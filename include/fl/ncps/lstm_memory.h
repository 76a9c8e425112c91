// The mixed-memory LSTM cell of ncps's sequence wrappers (ncps.torch.lstm.LSTMCell): it runs before the RNN cell
// at every step and uses the cell's state as its recurrent "output" state. One implementation shared by the CfC
// and the LTC: these weights, their checks and the reference step here, and the fused kernels' elementwise cell
// (kernels/cfc_elementwise.h: lstm_forward / lstm_backward).
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "fl/tensor.h"

namespace fl::ncps {

/// The LSTM's parameters under ncps's state-dict names (prefix `lstm.`): `input_map.weight` (4H, I),
/// `input_map.bias` (4H) and `recurrent_map.weight` (4H, H), gates stacked in the order i, ig, fg, og.
struct LSTMMemoryWeights {
  Tensor input_map_weight;
  Tensor input_map_bias;
  Tensor recurrent_map_weight;
  /// The entry of a state-dict name (nullptr for an unknown name).
  Tensor* find(const std::string& name);
  /// (state-dict name, tensor) pairs in ncps's registration order.
  std::vector<std::pair<std::string, Tensor>> named() const;
};

/// Checks that all three weights are present, floating point and shaped for input_size inputs and state_size
/// units; messages start with `op` (the calling op's name).
void check_lstm_memory(const LSTMMemoryWeights& weights, int64_t input_size, int64_t state_size, const char* op);

/// One LSTM step, written with core ops (differentiable): z = x W_i^T + b_i + h W_r^T split into (i, ig, fg, og);
/// c' = c σ(fg + 1) + tanh(i) σ(ig); h' = tanh(c') σ(og). x (B, I), h and c (B, H); returns (h', c').
std::pair<Tensor, Tensor> lstm_memory_step(const Tensor& x, const Tensor& h, const Tensor& c,
                                           const LSTMMemoryWeights& weights);

}  // namespace fl::ncps
