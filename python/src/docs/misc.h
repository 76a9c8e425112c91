#pragma once
#include "docs/doc_table.h"
namespace flpy::docs {
inline constexpr Doc kMisc[] = {{"__placeholder_kMisc", "x"}};
}
