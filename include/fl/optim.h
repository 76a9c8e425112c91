// fl::optim: every optimizer and learning-rate scheduler (torch::optim).
#pragma once
#include "fl/optim/adadelta.h"
#include "fl/optim/adagrad.h"
#include "fl/optim/adam.h"
#include "fl/optim/adamax.h"
#include "fl/optim/lbfgs.h"
#include "fl/optim/lr_scheduler.h"
#include "fl/optim/nadam.h"
#include "fl/optim/optimizer.h"
#include "fl/optim/radam.h"
#include "fl/optim/rmsprop.h"
#include "fl/optim/sgd.h"
#include "fl/optim/value.h"
