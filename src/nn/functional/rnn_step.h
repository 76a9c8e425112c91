// The MLX maths of one recurrent step, shared by the sequence functions (rnn.cpp) and the cells (rnn_cell.cpp).
// Everything here runs inside an op's ArrayFn, so MLX's vjp of the composition is the backward.
#pragma once
#include <optional>
#include <string>

#include "ops/op_utils.h"

namespace fl::nn::functional::rnn_detail {

enum class CellKind { Tanh, Relu, Lstm, Gru };

/// Gate blocks stacked in w_ih / w_hh: LSTM i, f, g, o; GRU r, z, n; one for the plain RNNs.
int num_gates(CellKind kind);

/// One layer and direction's weights, ready for the step: transposed matrices (BLAS reads them without copies)
/// and the biases split into what can be added before the recurrence and what cannot (GRU's b_hh).
struct CellWeights {
  mx::array w_ih_t, w_hh_t;
  std::optional<mx::array> input_bias, hidden_bias, w_hr_t;
};
CellWeights make_weights(CellKind kind, const mx::array& w_ih, const mx::array& w_hh,
                         const std::optional<mx::array>& b_ih, const std::optional<mx::array>& b_hh,
                         const std::optional<mx::array>& w_hr = std::nullopt);

/// The T steps of x (T, ...) as T arrays (...). A tree of splits of at most 16 parts whose vjps are one concatenate
/// each: MLX's Split vjp pads every output's cotangent to the input's size, and its graph walks cost the square of
/// the number of outputs, so one flat split over time made the backward quadratic in T.
Arrays unstack_steps(const mx::array& x);

/// in[i] when present (an optional bias or projection among an op's inputs).
inline std::optional<mx::array> opt(const Arrays& in, size_t i, bool present) {
  return present ? std::optional<mx::array>(in[i]) : std::nullopt;
}

/// x W_ih^T + input_bias for x of shape (rows, H_in): the input's share of the gates, for all steps at once.
mx::array input_gates(const mx::array& x, const CellWeights& w);

/// The recurrent state: h, and c for LSTM.
struct State {
  mx::array h;
  std::optional<mx::array> c;
};
/// One step from the input's gates xg (N, gates * H) and the previous state.
State step(CellKind kind, const mx::array& xg, const State& prev, const CellWeights& w);

// --- checks shared by the sequences and the cells -----------------------------------------------------------------

/// RuntimeError "mat1 and mat2 must have the same dtype, but got Double and Float", as torch's products raise.
void check_same_dtype(const Tensor& a, const Tensor& b);
/// RuntimeError "Expected weight_hh_l0 to have shape [16, 4], got [16, 5]" (torch fails later with a vaguer one).
void check_param_shape(const Tensor& p, const Shape& expected, const std::string& name);
/// NotImplementedError for non-floating input, naming the op as torch's kernels do.
void check_floating(const Tensor& input, const char* op);

}  // namespace fl::nn::functional::rnn_detail
