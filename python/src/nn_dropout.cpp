// Bindings for this family (not yet bound).
#include "bind.h"

namespace flpy {
void init_nn_dropout(nb::module_& m) {}
}  // namespace flpy
