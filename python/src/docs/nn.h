#pragma once
#include "docs/doc_table.h"
namespace flpy::docs {
inline constexpr Doc kNn[] = {{"__placeholder_kNn", "x"}};
}
