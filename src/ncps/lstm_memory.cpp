// ncps's mixed-memory LSTM cell, written with core ops (its gradients come from autograd); the CfC and LTC
// references both step it, and both check its weights here.
#include "fl/ncps/lstm_memory.h"

#include <tuple>

#include "fl/error.h"
#include "fl/ops/binary.h"
#include "fl/ops/linalg.h"
#include "fl/ops/shape.h"
#include "fl/ops/unary.h"
#include "fl/registry.h"
#include "ops/op_utils.h"

namespace fl::ncps {

Tensor* LSTMMemoryWeights::find(const std::string& name) {
  if (name == "input_map.weight") return &input_map_weight;
  if (name == "input_map.bias") return &input_map_bias;
  if (name == "recurrent_map.weight") return &recurrent_map_weight;
  return nullptr;
}

std::vector<std::pair<std::string, Tensor>> LSTMMemoryWeights::named() const {
  return {{"input_map.weight", input_map_weight},
          {"input_map.bias", input_map_bias},
          {"recurrent_map.weight", recurrent_map_weight}};
}

void check_lstm_memory(const LSTMMemoryWeights& w, int64_t input_size, int64_t state_size, const char* op) {
  const int64_t G = 4 * state_size;
  for (auto& [t, name, shape] : {std::tuple{&w.input_map_weight, "input_map.weight", Shape{G, input_size}},
                                 std::tuple{&w.input_map_bias, "input_map.bias", Shape{G}},
                                 std::tuple{&w.recurrent_map_weight, "recurrent_map.weight", Shape{G, state_size}}}) {
    FL_CHECK(t->defined(), op, ": the weight ", name, " is missing");
    FL_CHECK(t->sizes() == shape, op, ": ", name, " must have shape ", shape_to_string(shape), ", got ",
             shape_to_string(t->sizes()));
    FL_CHECK_TYPE(t->is_floating_point(), op, ": ", name, " must be a floating-point tensor, got ",
                  scalar_type_name(t->dtype()));
  }
}

std::pair<Tensor, Tensor> lstm_memory_step(const Tensor& x, const Tensor& h, const Tensor& c,
                                           const LSTMMemoryWeights& w) {
  FL_CHECK(x.dim() == 2 && h.dim() == 2 && c.dim() == 2, "lstm_memory_step: expected 2-D input, h and c, got ",
           shape_to_string(x.sizes()), ", ", shape_to_string(h.sizes()), " and ", shape_to_string(c.sizes()));
  check_lstm_memory(w, x.size(1), h.size(1), "lstm_memory_step");
  FL_CHECK(c.sizes() == h.sizes() && x.size(0) == h.size(0), "lstm_memory_step: input ", shape_to_string(x.sizes()),
           ", h ", shape_to_string(h.sizes()), " and c ", shape_to_string(c.sizes()), " disagree in batch or units");
  // z = input_map(x) + recurrent_map(h), chunks (i, ig, fg, og) as in ncps.torch.lstm.LSTMCell.
  Tensor z = (matmul(x, w.input_map_weight.t()) + w.input_map_bias) + matmul(h, w.recurrent_map_weight.t());
  auto g = z.chunk(4, 1);
  Tensor c_next = c * sigmoid(g[2] + 1.0) + tanh(g[0]) * sigmoid(g[1]);
  Tensor h_next = tanh(c_next) * sigmoid(g[3]);
  return {h_next, c_next};
}

static OpRegistrar registrar({{"lstm_memory_step", "ncps", true}});

}  // namespace fl::ncps
