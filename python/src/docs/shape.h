#pragma once
#include "docs/doc_table.h"
namespace flpy::docs {
inline constexpr Doc kShape[] = {{"__placeholder_kShape", "x"}};
}
