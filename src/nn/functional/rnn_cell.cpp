// The recurrent cells (torch.rnn_tanh_cell, rnn_relu_cell, gru_cell, lstm_cell): one step as one op, with the
// checks and messages of torch's cell modules and kernels, batched (N, H_in) or unbatched (H_in) input.
#include "fl/nn/functional/rnn.h"
#include "nn/functional/rnn_step.h"

namespace fl::nn::functional {
using namespace rnn_detail;

namespace {

const char* cell_module(CellKind kind) {
  return kind == CellKind::Lstm ? "LSTMCell" : kind == CellKind::Gru ? "GRUCell" : "RNNCell";
}
// Indexed by CellKind: the op's name, and the grad_fn torch's composed cells end in.
constexpr const char* kCellOps[] = {"rnn_tanh_cell", "rnn_relu_cell", "lstm_cell", "gru_cell"};
constexpr const char* kCellGradNames[] = {"TanhBackward0", "ReluBackward0", "MulBackward0", "AddBackward0"};
const char* cell_op(CellKind kind) { return kCellOps[static_cast<int>(kind)]; }
const char* cell_grad_name(CellKind kind) { return kCellGradNames[static_cast<int>(kind)]; }

void check_cell(CellKind kind, const Tensor& input, const std::vector<Tensor>& hx, const Tensor& w_ih,
                const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh) {
  const bool lstm = kind == CellKind::Lstm;
  const char* mod = cell_module(kind);
  if (lstm) FL_CHECK(hx.size() == 2, "lstm_cell expects two hidden states");
  FL_CHECK_VALUE(input.dim() == 1 || input.dim() == 2, mod, ": Expected input to be 1D or 2D, got ", input.dim(),
                 "D instead");
  for (size_t i = 0; i < hx.size(); ++i) {
    std::string what = lstm ? "hx[" + std::to_string(i) + "]" : "hidden";
    FL_CHECK_VALUE(hx[i].dim() == 1 || hx[i].dim() == 2, mod, ": Expected ", what, " to be 1D or 2D, got ", hx[i].dim(),
                   "D instead");
  }
  check_floating(input, cell_op(kind));
  FL_CHECK(w_ih.dim() == 2 && w_hh.dim() == 2, "Expected weight_ih and weight_hh to be matrices, got ", w_ih.dim(),
           "-D and ", w_hh.dim(), "-D tensors");
  // torch's cell modules unsqueeze unbatched input and states, then its kernels check these sizes.
  const bool batched = input.dim() == 2;
  const int64_t batch = batched ? input.size(0) : 1, hidden = w_hh.size(1), gates = num_gates(kind);
  FL_CHECK(input.size(-1) == w_ih.size(1), "input has inconsistent input_size: got ", input.size(-1), " expected ",
           w_ih.size(1));
  for (size_t i = 0; i < hx.size(); ++i) {
    Shape s = hx[i].sizes();
    if (!batched) s.insert(s.begin(), 1);
    FL_CHECK(s[0] == batch, "Input batch size ", batch, " doesn't match hidden", i, " batch size ", s[0]);
    if (s.size() > 1)
      FL_CHECK(s[1] == hidden, "hidden", i, " has inconsistent hidden_size: got ", s[1], ", expected ", hidden);
    FL_CHECK(s.size() == 2,
             batched ? "For batched 2-D input, hx should also be 2-D but got "
                     : "For unbatched 1-D input, hx should also be 1-D but got ",
             hx[i].dim(), "-D tensor");
  }
  check_param_shape(w_ih, {gates * hidden, input.size(-1)}, "weight_ih");
  check_param_shape(w_hh, {gates * hidden, hidden}, "weight_hh");
  if (b_ih.defined()) check_param_shape(b_ih, {gates * hidden}, "bias_ih");
  if (b_hh.defined()) check_param_shape(b_hh, {gates * hidden}, "bias_hh");
  for (const Tensor* p : {&w_ih, &w_hh, &b_ih, &b_hh})
    if (p->defined()) check_same_dtype(input, *p);
  for (const Tensor& h : hx) check_same_dtype(h, w_hh);
}

std::vector<Tensor> cell(CellKind kind, const Tensor& input, const std::vector<Tensor>& hx, const Tensor& w_ih,
                         const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh) {
  check_cell(kind, input, hx, w_ih, w_hh, b_ih, b_hh);
  const bool lstm = kind == CellKind::Lstm, batched = input.dim() == 2;
  const bool has_bi = b_ih.defined(), has_bh = b_hh.defined();
  // Inputs: [input, h, (c), w_ih, w_hh, (b_ih), (b_hh)].
  std::vector<Tensor> inputs{input};
  inputs.insert(inputs.end(), hx.begin(), hx.end());
  for (const Tensor* p : {&w_ih, &w_hh, &b_ih, &b_hh})
    if (p->defined()) inputs.push_back(*p);
  return apply_op(
      cell_grad_name(kind),
      [kind, lstm, batched, has_bi, has_bh](const Arrays& in) {
        auto batch = [&](const mx::array& a) { return batched ? a : mx::expand_dims(a, 0); };
        auto unbatch = [&](const mx::array& a) { return batched ? a : mx::squeeze(a, 0); };
        size_t w = lstm ? 3 : 2;
        CellWeights weights =
            make_weights(kind, in[w], in[w + 1], opt(in, w + 2, has_bi), opt(in, w + 2 + (has_bi ? 1 : 0), has_bh));
        State prev{batch(in[1]), lstm ? std::optional<mx::array>(batch(in[2])) : std::nullopt};
        State next = step(kind, input_gates(batch(in[0]), weights), prev, weights);
        Arrays out{unbatch(next.h)};
        if (lstm) out.push_back(unbatch(*next.c));
        return out;
      },
      inputs, kSaveAll);
}

}  // namespace

Tensor rnn_tanh_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                     const Tensor& b_hh) {
  return cell(CellKind::Tanh, input, {hx}, w_ih, w_hh, b_ih, b_hh)[0];
}

Tensor rnn_relu_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                     const Tensor& b_hh) {
  return cell(CellKind::Relu, input, {hx}, w_ih, w_hh, b_ih, b_hh)[0];
}

Tensor gru_cell(const Tensor& input, const Tensor& hx, const Tensor& w_ih, const Tensor& w_hh, const Tensor& b_ih,
                const Tensor& b_hh) {
  return cell(CellKind::Gru, input, {hx}, w_ih, w_hh, b_ih, b_hh)[0];
}

std::tuple<Tensor, Tensor> lstm_cell(const Tensor& input, const std::vector<Tensor>& hx, const Tensor& w_ih,
                                     const Tensor& w_hh, const Tensor& b_ih, const Tensor& b_hh) {
  auto r = cell(CellKind::Lstm, input, hx, w_ih, w_hh, b_ih, b_hh);
  return {r[0], r[1]};
}

static OpRegistrar kRegistrar({{"rnn_tanh_cell", "nn.rnn", true},
                               {"rnn_relu_cell", "nn.rnn", true},
                               {"gru_cell", "nn.rnn", true},
                               {"lstm_cell", "nn.rnn", true}});

}  // namespace fl::nn::functional
