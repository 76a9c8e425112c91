// Bindings for this family (not yet bound).
#include "bind.h"

namespace flpy {
void init_ncps_ltc(nb::module_& m) {}
}  // namespace flpy
