// Bindings for fl/ops/creation.h (filled in by the binding work for this family).
#include "bind.h"

namespace flpy {

void init_creation(nb::module_& m) {}

}  // namespace flpy
