// Bindings for this family (not yet bound).
#include "bind.h"

namespace flpy {
void init_nn_linear(nb::module_& m) {}
}  // namespace flpy
