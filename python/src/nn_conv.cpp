// Bindings for this family (not yet bound).
#include "bind.h"

namespace flpy {
void init_nn_conv(nb::module_& m) {}
}  // namespace flpy
