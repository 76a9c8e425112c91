#pragma once
#include "docs/doc_table.h"
namespace flpy::docs {
inline constexpr Doc kUnary[] = {{"__placeholder_kUnary", "x"}};
}
