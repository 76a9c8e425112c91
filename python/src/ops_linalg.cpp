// Bindings for fl/ops/linalg.h (filled in by the binding work for this family).
#include "bind.h"

namespace flpy {

void init_linalg(nb::module_& m) {}

}  // namespace flpy
