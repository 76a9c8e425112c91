// Bindings for fl/ops/reduction.h (filled in by the binding work for this family).
#include "bind.h"

namespace flpy {

void init_reduction(nb::module_& m) {}

}  // namespace flpy
