// Docstrings of fl/ops/random.h's bindings (ops_random.cpp): seeding, random creation, sampling, fl.Generator.
#pragma once
#include "docs/doc_table.h"

namespace flpy::docs {

#define FL_GENERATOR \
  "    generator (Generator, optional): the generator to draw from; the default one when None. Default: None.\n"
#define FL_RANDOM_KW                                                                                               \
  FL_GENERATOR                                                                                                     \
  "    dtype (dtype, optional): the result's dtype; the default float dtype when None. Default: None.\n"           \
  "    layout (optional): accepted for torch compatibility. Default: None.\n"                                      \
  "    device (device or str, optional): the result's device; fl.get_default_device() when None. Default: None.\n" \
  "    requires_grad (bool): whether autograd records operations on the result. Default: False.\n"                 \
  "    pin_memory (bool): accepted for torch compatibility (no effect). Default: False.\n"
#define FL_LIKE_RANDOM_KW                                                                                  \
  FL_GENERATOR                                                                                             \
  "    dtype (dtype, optional): the result's dtype; input's when None. Default: None.\n"                   \
  "    layout (optional): accepted for torch compatibility. Default: None.\n"                              \
  "    device (device or str, optional): the result's device; input's when None. Default: None.\n"         \
  "    requires_grad (bool): whether autograd records operations on the result. Default: False.\n"         \
  "    pin_memory (bool): accepted for torch compatibility (no effect). Default: False.\n"                 \
  "    memory_format (memory_format, optional): the strides of the result, as torch reports them: "        \
  "fl.preserve_format (None) keeps a dense input's strides (else their order), fl.contiguous_format "      \
  "is row-major, fl.channels_last / fl.channels_last_3d for 4-D / 5-D input. Values are the same in all. " \
  "Default: None.\n"
#define FL_SIZE                                                             \
  "    *size (int...): the shape, as ints or one tuple, list or fl.Size.\n" \
  "    size (tuple of ints, optional): the shape as a keyword instead. Default: None.\n"
// Where Flashlight's random numbers differ from torch's.
#define FL_STREAM                                                                                                   \
  "\nNote:\n    Draws come from MLX's counter-based PRNG: a seed gives a reproducible stream, but not the numbers " \
  "torch gives for the same seed.\n"

inline constexpr Doc kRandom[] = {
    {"manual_seed",
     "Seeds the default generator, so later draws repeat.\n\nArgs:\n"
     "    seed (int): the seed.\n\n"
     "Returns:\n    Generator: fl.default_generator.\n" FL_STREAM},
    {"seed", R"(Seeds the default generator with a fresh non-deterministic seed.

Returns:
    int: the seed used.)"},
    {"initial_seed", R"(Returns the seed the default generator was last seeded with.

Returns:
    int: the seed.)"},
    {"rand", "Returns numbers drawn uniformly from [0, 1).\n\nArgs:\n" FL_SIZE FL_RANDOM_KW
             "\nReturns:\n    Tensor: a new tensor.\n" FL_STREAM},
    {"randn", "Returns numbers drawn from the standard normal distribution.\n\nArgs:\n" FL_SIZE FL_RANDOM_KW
              "\nReturns:\n    Tensor: a new tensor.\n" FL_STREAM},
    {"randint",
     "Returns integers drawn uniformly from [low, high): randint(high, size) or randint(low, high, "
     "size).\n\nArgs:\n    *args: high, size; or low, high, size.\n"
     "    low (int, optional): the lowest value. Default: 0.\n"
     "    high (int, optional): one above the highest value.\n"
     "    size (tuple of ints, optional): the shape.\n" FL_GENERATOR
     "    dtype (dtype, optional): the result's dtype. Default: int64.\n"
     "    layout (optional): accepted for torch compatibility. Default: None.\n"
     "    device (device or str, optional): the result's device. Default: None.\n"
     "    requires_grad (bool): whether autograd records operations on the result. Default: False.\n"
     "    pin_memory (bool): accepted for torch compatibility (no effect). Default: False.\n"
     "\nReturns:\n    Tensor: a new tensor.\n" FL_STREAM},
    {"randperm", "Returns a random permutation of 0, ..., n - 1.\n\nArgs:\n    n (int): the length.\n" FL_GENERATOR
                 "    dtype (dtype, optional): the result's dtype. Default: int64.\n"
                 "    layout (optional): accepted for torch compatibility. Default: None.\n"
                 "    device (device or str, optional): the result's device. Default: None.\n"
                 "    requires_grad (bool): whether autograd records operations on the result. Default: False.\n"
                 "    pin_memory (bool): accepted for torch compatibility (no effect). Default: False.\n"
                 "\nReturns:\n    Tensor: a 1-D tensor.\n" FL_STREAM},
    {"rand_like",
     "Returns numbers drawn uniformly from [0, 1), of input's shape.\n\nArgs:\n" FL_DOC_INPUT FL_LIKE_RANDOM_KW
     "\nReturns:\n    Tensor: a new tensor.\n"},
    {"randn_like", "Returns standard normal draws of input's shape.\n\nArgs:\n" FL_DOC_INPUT FL_LIKE_RANDOM_KW
                   "\nReturns:\n    Tensor: a new tensor.\n"},
    {"randint_like",
     "Returns integers drawn uniformly from [low, high), of input's shape: randint_like(input, high) "
     "or randint_like(input, low, high).\n\nArgs:\n" FL_DOC_INPUT
     "    *args: high; or low, high.\n    low (int, optional): the lowest value. Default: 0.\n"
     "    high (int, optional): one above the highest value.\n" FL_LIKE_RANDOM_KW
     "\nReturns:\n    Tensor: a new tensor.\n"},
    {"normal",
     "Returns normal draws: elementwise from tensors mean and std, or of a given size from numbers.\n\n"
     "Args:\n    mean (Tensor or float): the means.\n"
     "    std (Tensor or float): the standard deviations, >= 0. Default: 1.0.\n"
     "    size (tuple of ints, optional): the shape, required when mean and std are numbers. Default: "
     "None.\n" FL_RANDOM_KW
     "\nReturns:\n    Tensor: a new tensor (gradients to tensor mean and std are zero, as in torch).\n" FL_STREAM},
    {"bernoulli", R"(Draws 0 or 1 for each element, with the element itself (or p) as the probability of 1.

Args:
    input (Tensor): probabilities in [0, 1] (or, with p, only the shape and dtype).
    p (float, optional): one probability for every element instead of input's values. Default: None.
    generator (Generator, optional): the generator to draw from; the default one when None. Default: None.

Returns:
    Tensor: a tensor of input's shape and dtype.)"},
    {"multinomial", R"(Samples category indices from each row of non-negative weights.

Args:
    input (Tensor): a 1-D or 2-D tensor of weights (need not sum to 1).
    num_samples (int): the number of samples per row.
    replacement (bool): draw with replacement; without it num_samples must not exceed the categories.
        Default: False.
    generator (Generator, optional): the generator to draw from; the default one when None. Default: None.

Returns:
    Tensor: int64 indices of shape (num_samples,) or (rows, num_samples).)"},
};

// The in-place random fills of fl.Tensor.
inline constexpr Doc kRandomMethods[] = {
    {"normal_",
     "Fills self with normal draws.\n\nArgs:\n    mean (float): the mean. Default: 0.0.\n"
     "    std (float): the standard deviation. Default: 1.0.\n" FL_GENERATOR "\nReturns:\n    Tensor: self.\n"},
    {"uniform_",
     "Fills self with numbers drawn uniformly from [from_, to).\n\nArgs:\n"
     "    from_ (float): the lower bound. Default: 0.0.\n    to (float): the upper bound. Default: 1.0.\n" FL_GENERATOR
     "\nReturns:\n    Tensor: self.\n"},
    {"exponential_",
     "Fills self with exponential draws of rate lambd (density lambd * exp(-lambd * x)).\n\nArgs:\n"
     "    lambd (float): the rate. Default: 1.0.\n" FL_GENERATOR "\nReturns:\n    Tensor: self.\n"},
    {"cauchy_",
     "Fills self with Cauchy draws: median + sigma * tan(pi * (u - 1/2)), u uniform in [0, 1).\n\nArgs:\n"
     "    median (float): the location. Default: 0.0.\n    sigma (float): the scale. Default: 1.0.\n" FL_GENERATOR
     "\nReturns:\n    Tensor: self.\n"},
    {"log_normal_",
     "Fills self with log-normal draws exp(N(mean, std^2)).\n\nArgs:\n"
     "    mean (float): the mean of the underlying normal. Default: 1.0.\n"
     "    std (float): the standard deviation of the underlying normal. Default: 2.0.\n" FL_GENERATOR
     "\nReturns:\n    Tensor: self.\n"},
    {"geometric_",
     "Fills self with geometric draws: the number of Bernoulli(p) trials up to and including the first "
     "success (1, 2, ...).\n\nArgs:\n    p (float): the success probability, in (0, 1].\n" FL_GENERATOR
     "\nReturns:\n    Tensor: self.\n"},
    {"bernoulli_",
     "Fills self with 0/1 draws with probability p of 1.\n\nArgs:\n"
     "    p (float or Tensor): the probability, or one per element (broadcast). Default: 0.5.\n" FL_GENERATOR
     "\nReturns:\n    Tensor: self.\n"},
    {"random_",
     "Fills self with integers drawn uniformly from [from_, to): random_(), random_(to) or random_(from_, "
     "to).\n\nArgs:\n    from_ (int, optional): the lowest value, or the upper bound when to is None. "
     "Default: None.\n    to (int, optional): one above the highest value; when both are None, up to the "
     "largest integer self's dtype represents exactly. Default: None.\n" FL_GENERATOR
     "\nReturns:\n    Tensor: self.\n"},
};

// fl.Generator's methods.
inline constexpr Doc kGenerator[] = {
    {"manual_seed",
     "Seeds this generator, so its later draws repeat.\n\nArgs:\n    seed (int): the seed.\n\n"
     "Returns:\n    Generator: self.\n"},
    {"initial_seed", R"(Returns the seed this generator was last seeded with.

Returns:
    int: the seed.)"},
    {"seed", R"(Seeds this generator with a fresh non-deterministic seed.

Returns:
    int: the seed used.)"},
};

#undef FL_GENERATOR
#undef FL_RANDOM_KW
#undef FL_LIKE_RANDOM_KW
#undef FL_SIZE
#undef FL_STREAM

}  // namespace flpy::docs
