#pragma once
#include "docs/doc_table.h"
namespace flpy::docs {
inline constexpr Doc kRandom[] = {{"__placeholder_kRandom", "x"}};
inline constexpr Doc kGenerator[] = {{"__placeholder_kGenerator", "x"}};
}
