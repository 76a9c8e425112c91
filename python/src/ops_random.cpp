// Bindings for fl/ops/random.h (filled in by the binding work for this family).
#include "bind.h"

namespace flpy {

void init_random(nb::module_& m) {}

}  // namespace flpy
