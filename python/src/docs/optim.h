#pragma once
#include "docs/doc_table.h"
namespace flpy::docs {
inline constexpr Doc kOptim[] = {{"__placeholder_kOptim", "x"}};
}
