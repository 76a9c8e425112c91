// Recurrent layers with torch's _VF signatures (torch.rnn_tanh, torch.lstm, ...): the whole loop over time steps,
// layers and directions runs here, and the cells (torch.lstm_cell, ...). Gate orders are torch's: LSTM i, f, g, o;
// GRU r, z, n with n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).
#pragma once
#include <tuple>
#include <vector>

#include "fl/tensor.h"

namespace fl::nn::functional {

// --- sequences ---------------------------------------------------------------------------------------------------
// input: (L, N, H_in), (N, L, H_in) when batch_first, or unbatched (L, H_in); hx: (num_layers * dirs, N, H_out), or
// (num_layers * dirs, H_out) for unbatched input. params: torch's _flat_weights, per layer then direction:
// w_ih, w_hh[, b_ih, b_hh][, w_hr (LSTM projections)]. Dropout (train and dropout > 0) applies to the output of
// every layer but the last, drawn from the default generator. Returns (output, h_n[, c_n]).

/// torch.rnn_tanh: an Elman RNN with h' = tanh(W_ih x + b_ih + W_hh h + b_hh); returns (output, h_n).
std::tuple<Tensor, Tensor> rnn_tanh(const Tensor& input, const Tensor& hx, const std::vector<Tensor>& params,
                                    bool has_biases, int64_t num_layers, double dropout, bool train, bool bidirectional,
                                    bool batch_first);
/// torch.rnn_relu: rnn_tanh with relu in place of tanh; returns (output, h_n).
std::tuple<Tensor, Tensor> rnn_relu(const Tensor& input, const Tensor& hx, const std::vector<Tensor>& params,
                                    bool has_biases, int64_t num_layers, double dropout, bool train, bool bidirectional,
                                    bool batch_first);
/// torch.gru: a GRU over the sequence; returns (output, h_n).
std::tuple<Tensor, Tensor> gru(const Tensor& input, const Tensor& hx, const std::vector<Tensor>& params,
                               bool has_biases, int64_t num_layers, double dropout, bool train, bool bidirectional,
                               bool batch_first);
/// torch.lstm: hx = {h0, c0}; returns (output, h_n, c_n). Projections (params with w_hr) when h0's last dim
/// differs from c0's, as torch decides.
std::tuple<Tensor, Tensor, Tensor> lstm(const Tensor& input, const std::vector<Tensor>& hx,
                                        const std::vector<Tensor>& params, bool has_biases, int64_t num_layers,
                                        double dropout, bool train, bool bidirectional, bool batch_first);

// --- cells: one step; input (N, H_in) or unbatched (H_in), hx (N, H) or (H); undefined biases mean none ------------

/// torch.rnn_tanh_cell: tanh(W_ih x + b_ih + W_hh h + b_hh), the next hidden state.
Tensor rnn_tanh_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                     const Tensor& b_ih = {}, const Tensor& b_hh = {});
/// torch.rnn_relu_cell: relu(W_ih x + b_ih + W_hh h + b_hh), the next hidden state.
Tensor rnn_relu_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh,
                     const Tensor& b_ih = {}, const Tensor& b_hh = {});
/// torch.gru_cell: one GRU step, the next hidden state.
Tensor gru_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih = {},
                const Tensor& b_hh = {});
/// torch.lstm_cell: one LSTM step; hx = {h, c}; returns (h', c').
std::tuple<Tensor, Tensor> lstm_cell(const Tensor& input, const std::vector<Tensor>& hx, const Tensor& w_ih,
                                     const Tensor& w_hh, const Tensor& b_ih = {}, const Tensor& b_hh = {});

}  // namespace fl::nn::functional
