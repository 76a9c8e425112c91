#pragma once
#include "docs/doc_table.h"
namespace flpy::docs {
inline constexpr Doc kReduction[] = {{"__placeholder_kReduction", "x"}};
}
