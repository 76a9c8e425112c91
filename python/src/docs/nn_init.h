// Docstrings of flashlight._C._nn_init (torch.nn.init; nn_init.cpp). Each initialiser fills its tensor in place
// under no grad and returns the same object.
#pragma once
#include "docs/doc_table.h"

namespace flpy::docs {

#define FL_TENSOR "    tensor (Tensor): the tensor to fill (a Parameter stays a Parameter).\n"
#define FL_GEN \
  "    generator (Generator, optional): the generator to draw from; the default one when None. Default: None.\n"
#define FL_RET "\nReturns:\n    Tensor: the tensor argument itself.\n"
#define FL_FANS \
  "The fans are computed as torch does: fan_in = size(1) * receptive field, fan_out = size(0) * receptive field."
#define FL_KAIMING(summary, bound)                                                                                 \
  summary "\n\nArgs:\n" FL_TENSOR                                                                                  \
          "    a (float): the negative slope of the rectifier that follows (for leaky_relu). Default: 0.0.\n"      \
          "    mode (str): 'fan_in' keeps the variance of the forward pass, 'fan_out' of the backward pass. "      \
          "Default: 'fan_in'.\n    nonlinearity (str): the activation that follows, for calculate_gain. Default: " \
          "'leaky_relu'.\n" FL_GEN FL_RET "\nNote:\n    " bound " " FL_FANS "\n"

inline constexpr Doc kNnInit[] = {
    {"calculate_gain", R"(Returns the recommended gain (scale of the standard deviation) for an activation.

Args:
    nonlinearity (str): 'linear', 'conv1d', ..., 'sigmoid', 'tanh', 'relu', 'leaky_relu' or 'selu'.
    param (float, optional): leaky_relu's negative slope. Default: None (0.01).

Returns:
    int or float: 1 for the linear family and sigmoid, 5/3 for tanh, sqrt(2) for relu,
    sqrt(2 / (1 + slope^2)) for leaky_relu, 3/4 for selu.)"},
    {"uniform_",
     "Fills tensor with draws from U(a, b).\n\nArgs:\n" FL_TENSOR
     "    a (float): the lower bound. Default: 0.0.\n    b (float): the upper bound. Default: 1.0.\n" FL_GEN FL_RET},
    {"normal_",
     "Fills tensor with draws from N(mean, std^2).\n\nArgs:\n" FL_TENSOR
     "    mean (float): the mean. Default: 0.0.\n    std (float): the standard deviation. Default: 1.0.\n" FL_GEN
         FL_RET},
    {"trunc_normal_", "Fills tensor with draws from N(mean, std^2) truncated to [a, b].\n\nArgs:\n" FL_TENSOR
                      "    mean (float): the mean. Default: 0.0.\n    std (float): the standard deviation. Default: "
                      "1.0.\n    a (float): the lower cut-off. Default: -2.0.\n    b (float): the upper cut-off. "
                      "Default: 2.0.\n" FL_GEN FL_RET},
    {"constant_", "Fills tensor with one value.\n\nArgs:\n" FL_TENSOR "    val (Number): the value.\n" FL_RET},
    {"zeros_", "Fills tensor with zeros.\n\nArgs:\n" FL_TENSOR FL_RET},
    {"ones_", "Fills tensor with ones.\n\nArgs:\n" FL_TENSOR FL_RET},
    {"eye_", "Fills a 2-D tensor with the identity matrix (ones on the main diagonal).\n\nArgs:\n" FL_TENSOR FL_RET},
    {"dirac_",
     "Fills a 3-, 4- or 5-D convolution weight with the Dirac delta, so the convolution keeps its input "
     "channels.\n\nArgs:\n" FL_TENSOR "    groups (int): the number of groups of the convolution. Default: "
     "1.\n" FL_RET},
    {"xavier_uniform_",
     "Fills tensor with Glorot/Xavier uniform draws: U(-b, b), b = gain * sqrt(6 / (fan_in + "
     "fan_out)).\n\nArgs:\n" FL_TENSOR "    gain (float): the scale. Default: 1.0.\n" FL_GEN FL_RET},
    {"xavier_normal_",
     "Fills tensor with Glorot/Xavier normal draws: N(0, std^2), std = gain * sqrt(2 / (fan_in + "
     "fan_out)).\n\nArgs:\n" FL_TENSOR "    gain (float): the scale. Default: 1.0.\n" FL_GEN FL_RET},
    {"kaiming_uniform_", FL_KAIMING("Fills tensor with He/Kaiming uniform draws: U(-b, b), b = gain * sqrt(3 / fan).",
                                    "gain = calculate_gain(nonlinearity, a); fan is fan_in or fan_out by mode.")},
    {"kaiming_normal_", FL_KAIMING("Fills tensor with He/Kaiming normal draws: N(0, std^2), std = gain / sqrt(fan).",
                                   "gain = calculate_gain(nonlinearity, a); fan is fan_in or fan_out by mode.")},
    {"orthogonal_",
     "Fills tensor with a (semi-)orthogonal matrix (from the QR decomposition of normal draws), its "
     "trailing dimensions flattened.\n\nArgs:\n" FL_TENSOR
     "    gain (float): the scale. Default: 1.0.\n" FL_GEN FL_RET},
    {"sparse_",
     "Fills a 2-D tensor as a sparse matrix: N(0, std^2) draws with a fraction of each column set to "
     "zero.\n\nArgs:\n" FL_TENSOR "    sparsity (float): the fraction of zeros per column.\n"
     "    std (float): the standard deviation of the non-zeros. Default: 0.01.\n" FL_GEN FL_RET},
};

#undef FL_TENSOR
#undef FL_GEN
#undef FL_RET
#undef FL_FANS
#undef FL_KAIMING

}  // namespace flpy::docs
