// All of Flashlight's C++ API in one include, as torch/torch.h is for libtorch: tensors and ops (fl/fl.h), nn,
// optim, ncps, data and checkpoints. Include the narrower headers to compile faster.
#pragma once
#include "fl/data.h"
#include "fl/fl.h"
#include "fl/ncps.h"
#include "fl/nn.h"
#include "fl/optim.h"
#include "fl/serialize.h"
