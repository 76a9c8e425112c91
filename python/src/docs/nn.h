// Docstrings of flashlight._C._nn (torch.nn.functional; the nn_*.cpp bindings). Names not found here fall back to
// the core functions of the same name (one_hot, pad, ...), see docs.cpp.
#pragma once
#include "docs/doc_table.h"

namespace flpy::docs {

// The reduction keywords every loss takes (size_average and reduce are torch's deprecated spellings).
#define FL_REDUCTION                                                               \
  "    size_average (bool, optional): deprecated; use reduction. Default: None.\n" \
  "    reduce (bool, optional): deprecated; use reduction. Default: None.\n"       \
  "    reduction (str): 'none' (one loss per element), 'mean' or 'sum' of the losses. Default: 'mean'.\n"
#define FL_REDUCTION_ONLY \
  "    reduction (str): 'none' (one loss per element), 'mean' or 'sum' of the losses. Default: 'mean'.\n"
#define FL_LOSS_RETURNS "\nReturns:\n    Tensor: a 0-d loss, or the per-element losses for reduction='none'.\n"
#define FL_INPUT_TARGET "    input (Tensor): the predictions.\n    target (Tensor): the targets, of input's shape.\n"
#define FL_LOSS_WEIGHT "    weight (Tensor, optional): a per-element weight, broadcast against input. Default: None.\n"
#define FL_DROPOUT(summary, training_default)                                                           \
  summary "\n\nArgs:\n" FL_DOC_INPUT                                                                    \
          "    p (float): the probability of an element being zeroed, in [0, 1]. "                      \
          "Default: 0.5.\n    training (bool): apply dropout; when False input is returned unchanged. " \
          "Default: " training_default                                                                  \
          ".\n    inplace (bool): write the result into input. Default: False.\n\n"                     \
          "Returns:\n    Tensor: a tensor of input's shape.\n"
#define FL_POOL_COMMON                                                                            \
  "    kernel_size (int or tuple): the window size.\n"                                            \
  "    stride (int or tuple, optional): the window step; kernel_size when None. Default: None.\n" \
  "    padding (int or tuple): implicit padding on both sides (at most half the kernel). Default: 0.\n"
#define FL_MAX_POOL(summary, layout)                                                                          \
  summary "\n\nArgs:\n    input (Tensor): a " layout " tensor.\n" FL_POOL_COMMON                              \
          "    dilation (int or tuple): the spacing between window elements. Default: 1.\n"                   \
          "    ceil_mode (bool): use ceil instead of floor for the output size. Default: False.\n"            \
          "    return_indices (bool): also return the flat index of each maximum (for max_unpool). Default: " \
          "False.\n\nReturns:\n    Tensor or tuple: the pooled tensor, or (output, indices).\n"
#define FL_ADAPTIVE(summary, layout, result)     \
  summary                                        \
      "\n\nArgs:\n    input (Tensor): a " layout \
      " tensor.\n"                               \
      "    output_size (int or tuple): the output's spatial size (None in a tuple keeps that input size).\n" result
#define FL_CONV(summary, layout, weight)              \
  summary "\n\nArgs:\n    input (Tensor): a " layout  \
          " tensor (or unbatched without N).\n"       \
          "    weight (Tensor): the filters, " weight \
          ".\n"                                       \
          "    bias (Tensor, optional): one value per output channel. Default: None.\n"
#define FL_CONV_TAIL                                                                                        \
  "    groups (int): split the channels into this many independent groups. Default: 1.\n"                   \
  "    dilation (int or tuple): the spacing between kernel elements. Default: 1.\n\nReturns:\n"             \
  "    Tensor: the output, (N, C_out, ...).\n\nNote:\n    float32 and float64 convolutions on the CPU run " \
  "through Flashlight's GEMM (Intel MKL when the build found it).\n"
#define FL_RNN_SEQ(summary)                                                                             \
  summary                                                                                               \
      "\n\nArgs:\n    input (Tensor): the sequence, (L, N, H_in) or (N, L, H_in) with batch_first.\n"   \
      "    hx (Tensor): the initial hidden state, (num_layers * directions, N, H_out).\n"               \
      "    params (sequence of Tensors): per layer and direction: w_ih, w_hh, then b_ih, b_hh when "    \
      "has_biases.\n    has_biases (bool): whether params holds biases.\n"                              \
      "    num_layers (int): the number of stacked layers.\n"                                           \
      "    dropout (float): dropout between layers (in training).\n"                                    \
      "    train (bool): training mode (dropout on).\n    bidirectional (bool): run both directions.\n" \
      "    batch_first (bool): input and output are (N, L, ...).\n\nReturns:\n"                         \
      "    tuple: (output, h_n), as torch's _VF op that nn.RNN/GRU call.\n"
#define FL_RNN_CELL(summary, result)                                                                  \
  summary                                                                                             \
      "\n\nArgs:\n    input (Tensor): the input, (N, H_in) or (H_in).\n"                              \
      "    hx (Tensor): the hidden state, (N, H_out) or (H_out).\n"                                   \
      "    w_ih (Tensor): the input-hidden weights.\n    w_hh (Tensor): the hidden-hidden weights.\n" \
      "    b_ih (Tensor, optional): the input-hidden bias. Default: None.\n"                          \
      "    b_hh (Tensor, optional): the hidden-hidden bias. Default: None.\n\nReturns:\n    " result "\n"
#define FL_UPSAMPLE_ARGS                                                                           \
  FL_DOC_INPUT                                                                                     \
  "    size (int or tuple, optional): the output's spatial size. Default: None.\n"                 \
  "    scale_factor (float or tuple, optional): the multiplier of the spatial size (give size or " \
  "scale_factor). Default: None.\n"

inline constexpr Doc kNn[] = {
    // linear and sparse
    {"linear", R"(Applies an affine map: input @ weight.T + bias.

Args:
    input (Tensor): (*, in_features).
    weight (Tensor): (out_features, in_features).
    bias (Tensor, optional): (out_features). Default: None.

Returns:
    Tensor: (*, out_features).)"},
    {"bilinear", R"(Applies a bilinear map: y_k = input1 @ weight[k] @ input2 + bias_k.

Args:
    input1 (Tensor): (*, in1_features).
    input2 (Tensor): (*, in2_features).
    weight (Tensor): (out_features, in1_features, in2_features).
    bias (Tensor, optional): (out_features). Default: None.

Returns:
    Tensor: (*, out_features).)"},
    {"embedding", R"(Looks up rows of an embedding matrix by index.

Args:
    input (Tensor): int64 indices.
    weight (Tensor): the (num_embeddings, embedding_dim) matrix.
    padding_idx (int, optional): this row gets no gradient. Default: None.
    max_norm (float, optional): rows looked up are renormalised in place to at most this norm. Default: None.
    norm_type (float): the p of the max_norm norm. Default: 2.0.
    scale_grad_by_freq (bool): scale gradients by the inverse frequency of the indices in the batch.
        Default: False.
    sparse (bool): sparse gradients; not supported (NotImplementedError when True). Default: False.

Returns:
    Tensor: input.shape + (embedding_dim,).)"},
    // convolutions
    {"conv1d",
     FL_CONV(
         "Applies a 1-D convolution (cross-correlation) over an (N, C_in, L) input.", "(N, C_in, L)",
         "(C_out, C_in / groups, kW)") "    stride (int or tuple): the step of the kernel. Default: 1.\n"
                                       "    padding (int, tuple or str): implicit zero padding on both sides, or "
                                       "'valid' / 'same'. Default: 0.\n"
                                       "    dilation (int or tuple): the spacing between kernel elements. Default: 1.\n"
                                       "    groups (int): split the channels into this many independent groups. "
                                       "Default: 1.\n\nReturns:\n"
                                       "    Tensor: (N, C_out, L_out).\n"},
    {"conv2d",
     FL_CONV("Applies a 2-D convolution (cross-correlation) over an (N, C_in, H, W) input.", "(N, C_in, H, W)",
             "(C_out, C_in / groups, kH, kW)") "    stride (int or tuple): the step of the kernel. Default: 1.\n"
                                               "    padding (int, tuple or str): implicit zero padding on both sides, "
                                               "or 'valid' / 'same'. Default: 0.\n"
                                               "    dilation (int or tuple): the spacing between kernel elements. "
                                               "Default: 1.\n"
                                               "    groups (int): split the channels into this many independent "
                                               "groups. Default: 1.\n\nReturns:\n"
                                               "    Tensor: (N, C_out, H_out, W_out).\n\nNote:\n    float32 and "
                                               "float64 convolutions on the CPU run through Flashlight's "
                                               "GEMM (Intel MKL when the build found it).\n"},
    {"conv_transpose1d",
     FL_CONV("Applies a 1-D transposed convolution (the gradient of conv1d), upsampling L.", "(N, C_in, L)",
             "(C_in, C_out / groups, kW)") "    stride (int or tuple): the upsampling step. Default: 1.\n"
                                           "    padding (int or tuple): dilation * (kW - 1) - padding zeros are added "
                                           "on both sides. "
                                           "Default: 0.\n    output_padding (int or tuple): extra size on one side of "
                                           "the output. "
                                           "Default: 0.\n" FL_CONV_TAIL},
    {"conv_transpose2d",
     FL_CONV("Applies a 2-D transposed convolution (the gradient of conv2d), upsampling H and W.", "(N, C_in, H, W)",
             "(C_in, C_out / groups, kH, kW)") "    stride (int or tuple): the upsampling step. Default: 1.\n"
                                               "    padding (int or tuple): dilation * (k - 1) - padding zeros are "
                                               "added on both sides. "
                                               "Default: 0.\n    output_padding (int or tuple): extra size on one side "
                                               "of the output. "
                                               "Default: 0.\n" FL_CONV_TAIL},
    // pooling
    {"max_pool1d", FL_MAX_POOL("Applies 1-D max pooling.", "(N, C, L) or (C, L)")},
    {"max_pool2d", FL_MAX_POOL("Applies 2-D max pooling.", "(N, C, H, W) or (C, H, W)")},
    {"max_pool1d_with_indices", FL_MAX_POOL("Applies 1-D max pooling and returns the indices too.", "(N, C, L)")},
    {"max_pool2d_with_indices", FL_MAX_POOL("Applies 2-D max pooling and returns the indices too.", "(N, C, H, W)")},
    {"avg_pool1d",
     "Applies 1-D average pooling.\n\nArgs:\n    input (Tensor): a (N, C, L) or (C, L) tensor.\n" FL_POOL_COMMON
     "    ceil_mode (bool): use ceil instead of floor for the output size. Default: "
     "False.\n    count_include_pad (bool): count the zero padding in the averages. Default: True.\n\n"
     "Returns:\n    Tensor: the pooled tensor.\n"},
    {"avg_pool2d",
     "Applies 2-D average pooling.\n\nArgs:\n    input (Tensor): a (N, C, H, W) or (C, H, W) tensor.\n" FL_POOL_COMMON
     "    ceil_mode (bool): use ceil instead of floor for the output size. Default: "
     "False.\n    count_include_pad (bool): count the zero padding in the averages. Default: True.\n"
     "    divisor_override (int, optional): divide every window sum by this instead. Default: None.\n\n"
     "Returns:\n    Tensor: the pooled tensor.\n"},
    {"adaptive_avg_pool1d", FL_ADAPTIVE("Applies 1-D average pooling with windows chosen to give output_size.",
                                        "(N, C, L) or (C, L)", "\nReturns:\n    Tensor: the pooled tensor.\n")},
    {"adaptive_avg_pool2d", FL_ADAPTIVE("Applies 2-D average pooling with windows chosen to give output_size.",
                                        "(N, C, H, W) or (C, H, W)", "\nReturns:\n    Tensor: the pooled tensor.\n")},
    {"adaptive_max_pool1d",
     FL_ADAPTIVE("Applies 1-D max pooling with windows chosen to give output_size.", "(N, C, L) or (C, L)",
                 "    return_indices (bool): also return the indices of the maxima. Default: False.\n\nReturns:\n"
                 "    Tensor or tuple: the pooled tensor, or (output, indices).\n")},
    {"adaptive_max_pool2d",
     FL_ADAPTIVE("Applies 2-D max pooling with windows chosen to give output_size.", "(N, C, H, W) or (C, H, W)",
                 "    return_indices (bool): also return the indices of the maxima. Default: False.\n\nReturns:\n"
                 "    Tensor or tuple: the pooled tensor, or (output, indices).\n")},
    {"adaptive_max_pool1d_with_indices",
     FL_ADAPTIVE("Applies 1-D adaptive max pooling and returns the indices too.", "(N, C, L)",
                 "    return_indices (bool): accepted for torch compatibility. Default: False.\n\nReturns:\n"
                 "    tuple: (output, indices).\n")},
    {"adaptive_max_pool2d_with_indices",
     FL_ADAPTIVE("Applies 2-D adaptive max pooling and returns the indices too.", "(N, C, H, W)",
                 "    return_indices (bool): accepted for torch compatibility. Default: False.\n\nReturns:\n"
                 "    tuple: (output, indices).\n")},
    // vision
    {"interpolate", R"(Resizes the spatial dimensions of input by interpolation.

Args:
    input (Tensor): (N, C, spatial...), e.g. (N, C, L) or (N, C, H, W).
    size (int or tuple, optional): the output's spatial size. Default: None.
    scale_factor (float or tuple, optional): the multiplier of the spatial size (give size or scale_factor).
        Default: None.
    mode (str): 'nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear' or 'area'. Default:
        'nearest'.
    align_corners (bool, optional): for the linear modes, align the corner pixels' centres instead of their
        edges. Default: None (False).
    recompute_scale_factor (bool, optional): compute the output size from scale_factor and use it for the
        scale too. Default: None.
    antialias (bool): anti-alias when downsampling ('bilinear' and 'bicubic'). Default: False.

Returns:
    Tensor: the resized tensor.)"},
    {"upsample",
     "Resizes input by interpolation (deprecated in torch; interpolate without its newer keywords).\n\n"
     "Args:\n" FL_UPSAMPLE_ARGS "    mode (str): the interpolation. Default: 'nearest'.\n"
     "    align_corners (bool, optional): as in interpolate. Default: None.\n\nReturns:\n"
     "    Tensor: the resized tensor.\n"},
    {"upsample_nearest",
     "Resizes input by nearest-neighbour interpolation (deprecated in torch).\n\nArgs:\n" FL_UPSAMPLE_ARGS
     "\nReturns:\n    Tensor: the resized tensor.\n"},
    {"upsample_bilinear",
     "Resizes a 4-D input bilinearly with align_corners=True (deprecated in torch).\n\nArgs:\n" FL_UPSAMPLE_ARGS
     "\nReturns:\n    Tensor: the resized tensor.\n"},
    {"unfold", R"(Extracts sliding local blocks of a batched image into columns (im2col).

Args:
    input (Tensor): (N, C, H, W).
    kernel_size (int or tuple): the block size.
    dilation (int or tuple): the spacing between block elements. Default: 1.
    padding (int or tuple): implicit zero padding on both sides. Default: 0.
    stride (int or tuple): the step between blocks. Default: 1.

Returns:
    Tensor: (N, C * prod(kernel_size), number of blocks).)"},
    {"fold", R"(Sums columns of sliding local blocks back into a batched image (col2im, the adjoint of unfold).

Args:
    input (Tensor): (N, C * prod(kernel_size), number of blocks).
    output_size (int or tuple): the image's spatial size (H, W).
    kernel_size (int or tuple): the block size.
    dilation (int or tuple): the spacing between block elements. Default: 1.
    padding (int or tuple): implicit zero padding on both sides. Default: 0.
    stride (int or tuple): the step between blocks. Default: 1.

Returns:
    Tensor: (N, C, H, W); overlapping blocks add up.)"},
    // normalization
    {"batch_norm", R"(Normalises each channel over the batch and spatial dimensions (batch normalisation).

Args:
    input (Tensor): (N, C, ...).
    running_mean (Tensor, optional): the running mean of each channel, updated in place in training.
    running_var (Tensor, optional): the running (unbiased) variance, updated in place in training.
    weight (Tensor, optional): the per-channel scale. Default: None.
    bias (Tensor, optional): the per-channel shift. Default: None.
    training (bool): use the batch statistics (and update the running ones) instead of the running ones.
        Default: False.
    momentum (float): the weight of the batch in the running statistics' update. Default: 0.1.
    eps (float): added to the variance for stability. Default: 1e-05.

Returns:
    Tensor: a tensor of input's shape.)"},
    {"instance_norm", R"(Normalises each channel of each sample over its spatial dimensions.

Args:
    input (Tensor): (N, C, ...).
    running_mean (Tensor, optional): running means, updated in place when use_input_stats. Default: None.
    running_var (Tensor, optional): running variances, updated in place when use_input_stats. Default: None.
    weight (Tensor, optional): the per-channel scale. Default: None.
    bias (Tensor, optional): the per-channel shift. Default: None.
    use_input_stats (bool): normalise with the sample's own statistics (else the running ones). Default: True.
    momentum (float): the weight of the new statistics in the running ones. Default: 0.1.
    eps (float): added to the variance for stability. Default: 1e-05.

Returns:
    Tensor: a tensor of input's shape.)"},
    {"layer_norm", R"(Normalises over the last dimensions (normalized_shape) of each sample.

Args:
    input (Tensor): (*, normalized_shape...).
    normalized_shape (int or tuple of ints): the trailing shape to normalise over.
    weight (Tensor, optional): the elementwise scale, of normalized_shape. Default: None.
    bias (Tensor, optional): the elementwise shift, of normalized_shape. Default: None.
    eps (float): added to the variance for stability. Default: 1e-05.

Returns:
    Tensor: a tensor of input's shape.)"},
    {"group_norm", R"(Normalises groups of channels of each sample (group normalisation).

Args:
    input (Tensor): (N, C, ...).
    num_groups (int): the number of groups; C must be divisible by it.
    weight (Tensor, optional): the per-channel scale. Default: None.
    bias (Tensor, optional): the per-channel shift. Default: None.
    eps (float): added to the variance for stability. Default: 1e-05.

Returns:
    Tensor: a tensor of input's shape.)"},
    {"rms_norm", R"(Divides by the root mean square over the last dimensions (RMS normalisation).

Args:
    input (Tensor): (*, normalized_shape...).
    normalized_shape (int or tuple of ints): the trailing shape to normalise over.
    weight (Tensor, optional): the elementwise scale. Default: None.
    eps (float, optional): added to the mean square; the dtype's machine epsilon when None. Default: None.

Returns:
    Tensor: a tensor of input's shape.)"},
    {"normalize", R"(Divides input by its p-norm along a dimension: x / max(||x||_p, eps).

Args:
    input (Tensor): the input tensor.
    p (float): the norm's exponent. Default: 2.0.
    dim (int): the dimension to normalise. Default: 1.
    eps (float): the smallest divisor. Default: 1e-12.
    out (Tensor, optional): a tensor to write the result into (and return). Default: None.

Returns:
    Tensor: a tensor of input's shape.)"},
    // dropout
    {"dropout", FL_DROPOUT("Zeroes elements at random with probability p and scales the rest by 1 / (1 - p).", "True")},
    {"dropout1d", FL_DROPOUT("Zeroes whole channels ((N, C, L) input) at random and scales the rest.", "True")},
    {"dropout2d", FL_DROPOUT("Zeroes whole channels ((N, C, H, W) input) at random and scales the rest.", "True")},
    {"dropout3d", FL_DROPOUT("Zeroes whole channels ((N, C, D, H, W) input) at random and scales the rest.", "True")},
    {"alpha_dropout", FL_DROPOUT("Dropout that keeps SELU's self-normalising mean and variance.", "False")},
    {"feature_alpha_dropout", FL_DROPOUT("Alpha dropout of whole channels.", "False")},
    // activations of torch.nn.functional that are not core ops
    {"glu", R"(Gated linear unit: splits input in two halves a, b along dim and returns a * sigmoid(b).

Args:
    input (Tensor): the input; its size along dim must be even.
    dim (int): the dimension to split. Default: -1.

Returns:
    Tensor: half of input's size along dim.)"},
    {"prelu", R"(Applies max(0, x) + weight * min(0, x), with a learned slope per channel (or one).

Args:
    input (Tensor): (N, C, ...).
    weight (Tensor): one slope, or one per channel (C).

Returns:
    Tensor: a tensor of input's shape.)"},
    {"softmin", R"(Applies softmax(-input) along dim.

Args:
    input (Tensor): the input tensor.
    dim (int, optional): the dimension; torch's legacy choice (0 for 0-, 1- and 3-d input, else 1) when None.
        Default: None.
    _stacklevel (int): accepted for torch compatibility. Default: 3.
    dtype (dtype, optional): input is cast to this dtype first. Default: None.

Returns:
    Tensor: a tensor of input's shape.)"},
    {"threshold", R"(Replaces the elements not greater than threshold by value.

Args:
    input (Tensor): the input tensor.
    threshold (float): the threshold.
    value (float): the replacement.
    inplace (bool): write the result into input. Default: False.

Returns:
    Tensor: a tensor of input's shape.)"},
    // losses
    {"mse_loss", "Mean squared error: (input - target)^2 per element, reduced.\n\nArgs:\n" FL_INPUT_TARGET FL_REDUCTION
                     FL_LOSS_WEIGHT FL_LOSS_RETURNS},
    {"l1_loss", "Mean absolute error: |input - target| per element, reduced.\n\nArgs:\n" FL_INPUT_TARGET FL_REDUCTION
                    FL_LOSS_WEIGHT FL_LOSS_RETURNS},
    {"smooth_l1_loss",
     "Smooth L1 loss: 0.5 d^2 / beta where |d| < beta, |d| - 0.5 beta elsewhere (d = input - "
     "target).\n\nArgs:\n" FL_INPUT_TARGET FL_REDUCTION
     "    beta (float): the switch point, >= 0 (0 gives l1_loss). Default: 1.0.\n" FL_LOSS_RETURNS},
    {"huber_loss",
     "Huber loss: 0.5 d^2 where |d| < delta, delta (|d| - 0.5 delta) elsewhere (d = input - target).\n\n"
     "Args:\n" FL_INPUT_TARGET FL_REDUCTION_ONLY "    delta (float): the switch point, > 0. Default: "
     "1.0.\n" FL_LOSS_WEIGHT FL_LOSS_RETURNS},
    {"cross_entropy", R"(Cross-entropy between logits and class indices (or class probabilities).

Args:
    input (Tensor): unnormalised logits, (N, C), (C) or (N, C, d1, ...).
    target (Tensor): int64 class indices of shape (N) / () / (N, d1, ...), or probabilities of input's shape.
    weight (Tensor, optional): a weight per class, (C). Default: None.
    size_average (bool, optional): deprecated; use reduction. Default: None.
    ignore_index (int): a target index that contributes no loss nor gradient. Default: -100.
    reduce (bool, optional): deprecated; use reduction. Default: None.
    reduction (str): 'none', 'mean' (weighted mean over the non-ignored targets) or 'sum'. Default: 'mean'.
    label_smoothing (float): mixes the targets with the uniform distribution by this amount, in [0, 1].
        Default: 0.0.

Returns:
    Tensor: a 0-d loss, or the per-sample losses for reduction='none'.)"},
    {"nll_loss", R"(Negative log-likelihood: -input[n, target[n]] for log-probabilities input.

Args:
    input (Tensor): log-probabilities, (N, C), (C) or (N, C, d1, ...).
    target (Tensor): int64 class indices, (N), () or (N, d1, ...).
    weight (Tensor, optional): a weight per class, (C). Default: None.
    size_average (bool, optional): deprecated; use reduction. Default: None.
    ignore_index (int): a target index that contributes no loss nor gradient. Default: -100.
    reduce (bool, optional): deprecated; use reduction. Default: None.
    reduction (str): 'none', 'mean' (weighted mean over the non-ignored targets) or 'sum'. Default: 'mean'.

Returns:
    Tensor: a 0-d loss, or the per-sample losses for reduction='none'.)"},
    {"binary_cross_entropy",
     "Binary cross-entropy between probabilities and targets: -(t log p + (1 - t) log(1 - "
     "p)), logs clamped at -100 as torch.\n\nArgs:\n    input (Tensor): probabilities in "
     "[0, 1].\n    target (Tensor): targets in [0, 1], of input's shape.\n"
     "    weight (Tensor, optional): a weight per element, broadcast. Default: None.\n" FL_REDUCTION FL_LOSS_RETURNS},
    {"binary_cross_entropy_with_logits",
     "Binary cross-entropy on logits (sigmoid and the loss in one stable step).\n\nArgs:\n    input (Tensor): logits.\n"
     "    target (Tensor): targets in [0, 1], of input's shape.\n"
     "    weight (Tensor, optional): a weight per element, broadcast. Default: None.\n" FL_REDUCTION
     "    pos_weight (Tensor, optional): a weight of the positive term per class, broadcast. Default: "
     "None.\n" FL_LOSS_RETURNS},
    {"kl_div",
     "Kullback-Leibler divergence target * (log target - input), for log-probabilities input.\n\nArgs:\n"
     "    input (Tensor): log-probabilities.\n    target (Tensor): probabilities (log-probabilities when "
     "log_target).\n    size_average (bool, optional): deprecated; use reduction. Default: None.\n"
     "    reduce (bool, optional): deprecated; use reduction. Default: None.\n"
     "    reduction (str): 'none', 'batchmean' (the true KL divergence: sum / batch size), 'sum' or 'mean'. "
     "Default: 'mean'.\n    log_target (bool): target holds log-probabilities. Default: False.\n" FL_LOSS_RETURNS},
    {"poisson_nll_loss",
     "Poisson negative log-likelihood.\n\nArgs:\n    input (Tensor): the expected counts (their "
     "logs when log_input).\n    target (Tensor): the observed counts.\n"
     "    log_input (bool): the loss is exp(input) - target * input when True, input - target * "
     "log(input + eps) otherwise. Default: True.\n    full (bool): add Stirling's approximation "
     "of log(target!). Default: False.\n"
     "    size_average (bool, optional): deprecated; use reduction. Default: None.\n"
     "    eps (float): keeps log away from 0 when not log_input. Default: 1e-08.\n"
     "    reduce (bool, optional): deprecated; use reduction. Default: None.\n" FL_REDUCTION_ONLY FL_LOSS_RETURNS},
    {"gaussian_nll_loss",
     "Gaussian negative log-likelihood of target under N(input, var).\n\nArgs:\n"
     "    input (Tensor): the means.\n    target (Tensor): the samples.\n"
     "    var (Tensor or float): the variances, broadcast (clamped below at eps).\n"
     "    full (bool): add the constant 0.5 log(2 pi). Default: False.\n"
     "    eps (float): the smallest variance. Default: 1e-06.\n" FL_REDUCTION_ONLY FL_LOSS_RETURNS},
    {"soft_margin_loss",
     "Two-class logistic loss log(1 + exp(-target * input)).\n\nArgs:\n    input (Tensor): the "
     "scores.\n    target (Tensor): 1 or -1 per element.\n" FL_REDUCTION FL_LOSS_RETURNS},
    {"hinge_embedding_loss",
     "Hinge embedding loss: x where target is 1, max(0, margin - x) where it is -1.\n\nArgs:\n"
     "    input (Tensor): the distances.\n    target (Tensor): 1 or -1 per element.\n"
     "    margin (float): the margin. Default: 1.0.\n" FL_REDUCTION FL_LOSS_RETURNS},
    {"margin_ranking_loss",
     "Ranking loss max(0, -target * (input1 - input2) + margin).\n\nArgs:\n"
     "    input1 (Tensor): the first scores.\n    input2 (Tensor): the second scores.\n"
     "    target (Tensor): 1 where input1 should rank higher, -1 where input2 should.\n"
     "    margin (float): the margin. Default: 0.0.\n" FL_REDUCTION FL_LOSS_RETURNS},
    {"cosine_embedding_loss",
     "Cosine embedding loss: 1 - cos(x1, x2) for target 1, max(0, cos(x1, x2) - margin) "
     "for -1.\n\nArgs:\n    input1 (Tensor): (N, D) or (D).\n    input2 (Tensor): of input1's "
     "shape.\n    target (Tensor): 1 or -1 per pair, (N) or ().\n"
     "    margin (float): in [-1, 1]. Default: 0.0.\n" FL_REDUCTION FL_LOSS_RETURNS},
    {"triplet_margin_loss",
     "Triplet loss max(d(a, p) - d(a, n) + margin, 0) with the pairwise p-distance d.\n\n"
     "Args:\n    anchor (Tensor): (N, D) or (D).\n    positive (Tensor): of anchor's shape.\n"
     "    negative (Tensor): of anchor's shape.\n    margin (float): the margin. Default: 1.0.\n"
     "    p (float): the norm's exponent. Default: 2.0.\n"
     "    eps (float): added to the differences for stability. Default: 1e-06.\n"
     "    swap (bool): use min(d(a, n), d(p, n)) as the negative distance. Default: False.\n" FL_REDUCTION
         FL_LOSS_RETURNS},
    // distances
    {"pairwise_distance", R"(Returns the p-norm distance between rows: ||x1 - x2 + eps||_p along the last dimension.

Args:
    x1 (Tensor): (N, D) or (D).
    x2 (Tensor): broadcast against x1.
    p (float): the norm's exponent. Default: 2.0.
    eps (float): added to the difference for stability. Default: 1e-06.
    keepdim (bool): keep the last dimension with size 1. Default: False.

Returns:
    Tensor: the distances.)"},
    {"cosine_similarity", R"(Returns the cosine of the angle between x1 and x2 along a dimension.

Args:
    x1 (Tensor): the first tensor.
    x2 (Tensor): the second tensor, broadcast against x1.
    dim (int): the dimension of the vectors. Default: 1.
    eps (float): the smallest norm, to avoid division by zero. Default: 1e-08.

Returns:
    Tensor: the similarities, in [-1, 1].)"},
    // attention
    {"scaled_dot_product_attention", R"(Computes softmax(query @ key.T * scale + mask) @ value, with optional dropout.

Args:
    query (Tensor): (..., L, E).
    key (Tensor): (..., S, E).
    value (Tensor): (..., S, Ev).
    attn_mask (Tensor, optional): a bool mask (True keeps) or an additive float mask, broadcast to (..., L, S).
        Default: None.
    dropout_p (float): the dropout probability on the attention weights. Default: 0.0.
    is_causal (bool): apply a lower-triangular causal mask (with no attn_mask). Default: False.
    scale (float, optional): the scale; 1 / sqrt(E) when None. Default: None.
    enable_gqa (bool): allow fewer key/value heads than query heads (grouped-query attention). Default: False.

Returns:
    Tensor: (..., L, Ev).)"},
    {"multi_head_attention_forward", R"(The forward pass of nn.MultiheadAttention, as torch's function of the same name.

Args:
    query (Tensor): (L, N, E) (or (L, E) unbatched).
    key (Tensor): (S, N, E_k).
    value (Tensor): (S, N, E_v).
    embed_dim_to_check (int): E, checked against query.
    num_heads (int): the number of heads; E must be divisible by it.
    in_proj_weight (Tensor, optional): the packed (3E, E) q/k/v projection.
    in_proj_bias (Tensor, optional): the packed (3E) projection bias.
    bias_k (Tensor, optional): a bias appended to the keys.
    bias_v (Tensor, optional): a bias appended to the values.
    add_zero_attn (bool): append a batch of zeros to keys and values.
    dropout_p (float): the dropout probability on the attention weights.
    out_proj_weight (Tensor): the (E, E) output projection.
    out_proj_bias (Tensor, optional): the output projection's bias.
    training (bool): apply dropout. Default: True.
    key_padding_mask (Tensor, optional): (N, S); True marks keys to ignore (a float mask is added). Default: None.
    need_weights (bool): also return the attention weights. Default: True.
    attn_mask (Tensor, optional): (L, S) or (N * num_heads, L, S). Default: None.
    use_separate_proj_weight (bool): use q/k/v_proj_weight instead of in_proj_weight. Default: False.
    q_proj_weight (Tensor, optional): the query projection. Default: None.
    k_proj_weight (Tensor, optional): the key projection. Default: None.
    v_proj_weight (Tensor, optional): the value projection. Default: None.
    static_k (Tensor, optional): precomputed keys, (N * num_heads, S, E / num_heads). Default: None.
    static_v (Tensor, optional): precomputed values. Default: None.
    average_attn_weights (bool): average the returned weights over the heads. Default: True.
    is_causal (bool): a hint that attn_mask is causal. Default: False.

Returns:
    tuple: (output (L, N, E), weights or None).)"},
    // recurrent (torch's _VF ops behind nn.RNN / LSTM / GRU)
    {"rnn_tanh", FL_RNN_SEQ("Runs a multi-layer Elman RNN with tanh over a sequence.")},
    {"rnn_relu", FL_RNN_SEQ("Runs a multi-layer Elman RNN with ReLU over a sequence.")},
    {"gru", FL_RNN_SEQ("Runs a multi-layer GRU over a sequence.")},
    {"lstm", R"(Runs a multi-layer LSTM over a sequence.

Args:
    input (Tensor): the sequence, (L, N, H_in) or (N, L, H_in) with batch_first.
    hx (sequence of Tensors): (h_0, c_0), each (num_layers * directions, N, H_out).
    params (sequence of Tensors): per layer and direction: w_ih, w_hh, then b_ih, b_hh when has_biases.
    has_biases (bool): whether params holds biases.
    num_layers (int): the number of stacked layers.
    dropout (float): dropout between layers (in training).
    train (bool): training mode (dropout on).
    bidirectional (bool): run both directions.
    batch_first (bool): input and output are (N, L, ...).

Returns:
    tuple: (output, h_n, c_n), as torch's _VF.lstm.)"},
    {"rnn_tanh_cell", FL_RNN_CELL("One step of an Elman RNN cell with tanh.", "Tensor: the next hidden state.")},
    {"rnn_relu_cell", FL_RNN_CELL("One step of an Elman RNN cell with ReLU.", "Tensor: the next hidden state.")},
    {"gru_cell", FL_RNN_CELL("One step of a GRU cell.", "Tensor: the next hidden state.")},
    {"lstm_cell", R"(One step of an LSTM cell.

Args:
    input (Tensor): the input, (N, H_in) or (H_in).
    hx (sequence of Tensors): (h, c), each (N, H_out) or (H_out).
    w_ih (Tensor): the input-hidden weights, (4 H_out, H_in).
    w_hh (Tensor): the hidden-hidden weights, (4 H_out, H_out).
    b_ih (Tensor, optional): the input-hidden bias. Default: None.
    b_hh (Tensor, optional): the hidden-hidden bias. Default: None.

Returns:
    tuple: (h', c').)"},
};

#undef FL_REDUCTION
#undef FL_REDUCTION_ONLY
#undef FL_LOSS_RETURNS
#undef FL_INPUT_TARGET
#undef FL_LOSS_WEIGHT
#undef FL_DROPOUT
#undef FL_POOL_COMMON
#undef FL_MAX_POOL
#undef FL_ADAPTIVE
#undef FL_CONV
#undef FL_CONV_TAIL
#undef FL_RNN_SEQ
#undef FL_RNN_CELL
#undef FL_UPSAMPLE_ARGS

}  // namespace flpy::docs
