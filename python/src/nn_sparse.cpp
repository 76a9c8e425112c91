// Bindings for this family (not yet bound).
#include "bind.h"

namespace flpy {
void init_nn_sparse(nb::module_& m) {}
}  // namespace flpy
