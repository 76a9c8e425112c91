#pragma once
#include "docs/doc_table.h"
namespace flpy::docs {
inline constexpr Doc kLinalg[] = {{"__placeholder_kLinalg", "x"}};
}
