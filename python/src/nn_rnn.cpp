// Bindings for include/fl/nn/functional/rnn.h: torch's _VF.rnn_tanh / rnn_relu / lstm / gru and the cells, which
// flashlight.nn.RNN, LSTM, GRU and the *Cell modules call.
#include "bind.h"
#include "fl/nn/functional/rnn.h"

namespace flpy {
void init_nn_rnn(Module& m) {
  namespace F = fl::nn::functional;
  auto seq = [&](const char* name, auto fn) {
    m.def(name, fn, "input"_a, "hx"_a, "params"_a, "has_biases"_a, "num_layers"_a, "dropout"_a, "train"_a,
          "bidirectional"_a, "batch_first"_a);
  };
  seq("rnn_tanh", &F::rnn_tanh);
  seq("rnn_relu", &F::rnn_relu);
  seq("gru", &F::gru);
  seq("lstm", &F::lstm);
  // Optional biases: None (or omitted) means none.
  auto cell = [&](const char* name, auto fn) {
    m.def(
        name,
        [fn](const fl::Tensor& input, const fl::Tensor& hx, const fl::Tensor& w_ih, const fl::Tensor& w_hh,
             std::optional<fl::Tensor> b_ih, std::optional<fl::Tensor> b_hh) {
          return fn(input, hx, w_ih, w_hh, b_ih.value_or(fl::Tensor()), b_hh.value_or(fl::Tensor()));
        },
        "input"_a, "hx"_a, "w_ih"_a, "w_hh"_a, "b_ih"_a = nb::none(), "b_hh"_a = nb::none());
  };
  cell("rnn_tanh_cell", &F::rnn_tanh_cell);
  cell("rnn_relu_cell", &F::rnn_relu_cell);
  cell("gru_cell", &F::gru_cell);
  m.def(
      "lstm_cell",
      [](const fl::Tensor& input, const std::vector<fl::Tensor>& hx, const fl::Tensor& w_ih, const fl::Tensor& w_hh,
         std::optional<fl::Tensor> b_ih, std::optional<fl::Tensor> b_hh) {
        return F::lstm_cell(input, hx, w_ih, w_hh, b_ih.value_or(fl::Tensor()), b_hh.value_or(fl::Tensor()));
      },
      "input"_a, "hx"_a, "w_ih"_a, "w_hh"_a, "b_ih"_a = nb::none(), "b_hh"_a = nb::none());
}
}  // namespace flpy
