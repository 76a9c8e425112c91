#pragma once
#include "docs/doc_table.h"
namespace flpy::docs {
inline constexpr Doc kTensor[] = {{"__placeholder_kTensor", "x"}};
}
