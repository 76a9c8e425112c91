#pragma once
#include "docs/doc_table.h"
namespace flpy::docs {
inline constexpr Doc kNcps[] = {{"__placeholder_kNcps", "x"}};
inline constexpr Doc kWiring[] = {{"__placeholder_kWiring", "x"}};
}
