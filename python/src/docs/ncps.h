// Docstrings of flashlight._C._ncps (ncps_*.cpp): the fused CfC/LTC sequence ops behind flashlight.ncps' layers,
// and the methods of the wiring classes (flashlight.ncps.wirings).
#pragma once
#include "docs/doc_table.h"

namespace flpy::docs {

#define FL_CFC_ARGS                                                                                               \
  "Args:\n    input (Tensor): (B, L, I), batch first.\n"                                                          \
  "    weights (dict): ncps.torch.CfC state_dict names (without the 'rnn_cell.' prefix) to Tensors; an 'lstm.*' " \
  "entry means mixed memory, 'layer_<l>.*' entries a wired CfC.\n"                                                \
  "    hx (Tensor, optional): the initial state (B, N); zeros when None. Default: None.\n"                        \
  "    cx (Tensor, optional): the initial LSTM cell state (B, N) with mixed memory. Default: None.\n"             \
  "    timespans (Tensor, optional): elapsed times (B, L); 1.0 when None. Default: None.\n"                       \
  "    mode (str): 'default', 'pure' or 'no_gate', as ncps. Default: 'default'.\n"                                \
  "    activation (str): the backbone's activation ('lecun_tanh', 'silu', 'relu', 'tanh', 'gelu'). Default: "     \
  "'lecun_tanh'.\n    backbone_dropout (float): dropout in the backbone (in training). Default: 0.0.\n"           \
  "    training (bool): training mode (backbone dropout on). Default: False.\n\nReturns:\n"                       \
  "    tuple: (y, h), or (y, h, c) with mixed memory; y (B, L, output units) is every step's cell output, "       \
  "before any projection.\n"
#define FL_LTC_CONFIG                                                                                             \
  "    input_mapping (str, optional): 'affine', 'linear' or None for the input map. Default: 'affine'.\n"         \
  "    output_mapping (str, optional): 'affine', 'linear' or None for the output map. Default: 'affine'.\n"       \
  "    ode_unfolds (int): semi-implicit Euler steps per time step. Default: 6.\n"                                 \
  "    epsilon (float): added to the ODE's denominator. Default: 1e-08.\n"                                        \
  "    implicit_param_constraints (bool): keep w, sensory_w, cm and gleak positive through softplus (else clamp " \
  "them with ltc_apply_weight_constraints). Default: True.\n"                                                     \
  "    motor_size (int, optional): the number of output neurons; all when None. Default: None.\n"                 \
  "    fused (bool): run the fused kernel (first-order gradients) instead of the op composition. Default: True.\n"
#define FL_LTC_WEIGHTS "    weights (dict): LTCCell state_dict names ('gleak', ..., 'input_map.weight') to Tensors.\n"
#define FL_MEMORY "    memory (dict): the mixed-memory LSTMCell's weights by state_dict name.\n"

inline constexpr Doc kNcps[] = {
    {"cfc_sequence", "Runs a whole CfC sequence, forward and backward through time, as one fused op.\n\n" FL_CFC_ARGS},
    {"cfc_sequence_reference",
     "Runs a CfC sequence as a step-by-step composition of ops (the same numbers as "
     "cfc_sequence, for any device, dtype and gradient order).\n\n" FL_CFC_ARGS},
    {"ltc_sequence",
     "Runs an LTC over a sequence (batch first) as one op.\n\nArgs:\n    input (Tensor): (B, L, I).\n" FL_LTC_WEIGHTS
     "    h0 (Tensor, optional): the initial state (B, N); zeros when None. Default: "
     "None.\n    timespans (Tensor, optional): elapsed times (B, L); 1.0 when None. Default: None.\n" FL_LTC_CONFIG
     "\nReturns:\n    tuple: (outputs (B, L, M), final state (B, N)).\n"},
    {"ltc_sequence_mixed_memory",
     "Runs an LTC with ncps's mixed memory (an LSTM before each step) over a "
     "sequence.\n\nArgs:\n    input (Tensor): (B, L, I).\n" FL_LTC_WEIGHTS FL_MEMORY
     "    h0 (Tensor, optional): the initial state (B, N). Default: None.\n"
     "    c0 (Tensor, optional): the initial LSTM cell state (B, N). Default: None.\n"
     "    timespans (Tensor, optional): elapsed times (B, L). Default: None.\n" FL_LTC_CONFIG
     "\nReturns:\n    tuple: (outputs, final h, final c).\n"},
    {"ltc_cell_step",
     "One LTCCell.forward step, as a composition of ops.\n\nArgs:\n    input (Tensor): (B, I).\n"
     "    state (Tensor): (B, N).\n" FL_LTC_WEIGHTS
     "    elapsed_time (Tensor, optional): the step's elapsed time; 1.0 when None. Default: None.\n" FL_LTC_CONFIG
     "\nReturns:\n    tuple: (output (B, M), next state (B, N)).\n"},
    {"lstm_memory_step",
     "One step of ncps's mixed-memory LSTMCell.\n\nArgs:\n    input (Tensor): (B, I).\n"
     "    h (Tensor): the hidden state (B, N).\n    c (Tensor): the cell state (B, N).\n" FL_MEMORY
     "\nReturns:\n    tuple: (h', c').\n"},
    {"ltc_apply_weight_constraints",
     "Clamps w, sensory_w, cm and gleak to >= 0 in place (for "
     "implicit_param_constraints=False, as ncps's apply_weight_constraints).\n\n"
     "Args:\n" FL_LTC_WEIGHTS "\nReturns:\n    None.\n"},
    {"sequence_timespans", R"(Brings elapsed times to (B, L), batch first, as the layers accept them.

Args:
    timespans (Tensor): a 0-d, (L), (B, L) or (B, L, 1) tensor ((L, B) or (L, B, 1) time major; (L) or (L, 1)
        unbatched).
    batch (int): B.
    length (int): L.
    batch_first (bool): whether the layer's input is batch first.
    batched (bool): whether the layer's input has a batch dimension.
    dtype (dtype): the result's dtype.

Returns:
    Tensor: (B, L); a ValueError for other shapes.)"},
};

// Methods of Wiring and its subclasses (shared: each subclass binds its own overrides of the virtuals).
inline constexpr Doc kWiring[] = {
    {"build", R"(Sets input_dim and draws the sensory synapses (called by the layer on its first input).

Args:
    input_dim (int): the number of input features (a ValueError if it differs from an earlier one).

Returns:
    None.

Note:
    A subclass overriding build in Python calls super().build(input_dim) first, as with ncps.)"},
    {"get_neurons_of_layer", R"(Returns the neuron ids of one layer (motor neurons are the last layer).

Args:
    layer_id (int): the layer, from 0.

Returns:
    list of int: the neuron ids.)"},
    {"get_type_of_neuron", R"(Returns the type of a neuron: 'motor', 'command', 'inter' (NCP) or 'inter'.

Args:
    neuron_id (int): the neuron id.

Returns:
    str: the type.)"},
    {"is_built", "Tells whether build(input_dim) has run (input_dim is known).\n\nReturns:\n    bool: the answer.\n"},
    {"set_input_dim", R"(Sets input_dim and allocates an empty sensory adjacency matrix.

Args:
    input_dim (int): the number of input features.

Returns:
    None.)"},
    {"set_output_dim", R"(Sets the number of output (motor) neurons.

Args:
    output_dim (int): the number of outputs.

Returns:
    None.)"},
    {"add_synapse", R"(Adds a synapse between two neurons.

Args:
    src (int): the source neuron id.
    dest (int): the destination neuron id.
    polarity (int): 1 (excitatory) or -1 (inhibitory).

Returns:
    None.)"},
    {"add_sensory_synapse", R"(Adds a synapse from an input feature to a neuron (after build or set_input_dim).

Args:
    src (int): the input feature.
    dest (int): the destination neuron id.
    polarity (int): 1 (excitatory) or -1 (inhibitory).

Returns:
    None.)"},
    {"get_config",
     "Returns the wiring's configuration as ncps's get_config does (matrices as nested lists).\n\n"
     "Returns:\n    dict: units, adjacency_matrix, sensory_adjacency_matrix, input_dim, output_dim "
     "and the subclass's own arguments.\n"},
    {"from_config", R"(Builds a plain Wiring from a get_config() dict (as ncps's Wiring.from_config).

Args:
    config (dict): the configuration.

Returns:
    Wiring: a Wiring with the config's matrices and dims.)"},
};

#undef FL_CFC_ARGS
#undef FL_LTC_CONFIG
#undef FL_LTC_WEIGHTS
#undef FL_MEMORY

}  // namespace flpy::docs
