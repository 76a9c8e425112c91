#pragma once
#include "docs/doc_table.h"
namespace flpy::docs {
inline constexpr Doc kNnUtils[] = {{"__placeholder_kNnUtils", "x"}};
}
