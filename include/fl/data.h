// fl::data: datasets and the DataLoader.
#pragma once
#include "fl/data/dataloader.h"
