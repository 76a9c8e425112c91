// Bindings for fl/ops/indexing.h (filled in by the binding work for this family).
#include "bind.h"

namespace flpy {

void init_indexing(nb::module_& m) {}

}  // namespace flpy
