#pragma once
#include "docs/doc_table.h"
namespace flpy::docs {
inline constexpr Doc kNnInit[] = {{"__placeholder_kNnInit", "x"}};
}
