#pragma once
#include "docs/doc_table.h"
namespace flpy::docs {
inline constexpr Doc kIndexing[] = {{"__placeholder_kIndexing", "x"}};
}
