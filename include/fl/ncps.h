// fl::ncps: wirings, CfC/LTC cells and layers, and control-loop policies.
#pragma once
#include "fl/ncps/cfc.h"
#include "fl/ncps/lstm_memory.h"
#include "fl/ncps/ltc.h"
#include "fl/ncps/modules.h"
#include "fl/ncps/numpy_random.h"
#include "fl/ncps/policy.h"
#include "fl/ncps/wirings.h"
