// Bindings for fl/ops/shape.h (filled in by the binding work for this family).
#include "bind.h"

namespace flpy {

void init_shape(nb::module_& m) {}

}  // namespace flpy
