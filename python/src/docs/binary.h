#pragma once
#include "docs/doc_table.h"
namespace flpy::docs {
inline constexpr Doc kBinary[] = {{"__placeholder_kBinary", "x"}};
}
