#pragma once
#include "docs/doc_table.h"
namespace flpy::docs {
inline constexpr Doc kCreation[] = {{"__placeholder_kCreation", "x"}};
}
