// Bindings for this family (not yet bound).
#include "bind.h"

namespace flpy {
void init_nn_pooling(nb::module_& m) {}
}  // namespace flpy
