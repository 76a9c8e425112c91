// Bindings for fl/ops/autograd.h (filled in by the binding work for this family).
#include "bind.h"

namespace flpy {

void init_autograd(nb::module_& m) {}

}  // namespace flpy
