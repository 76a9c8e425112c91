// flashlight._C: the extension module. Each init_* binds one header of include/fl (see bind.h).
#include "bind.h"

NB_MODULE(_C, m) {
  // mlx.core registers mlx::core::array in the shared "mlx" nanobind domain; Tensor.mlx()/from_mlx need it.
  nb::module_::import_("mlx.core");
  flpy::init_errors(m);
  flpy::init_dtype(m);
  flpy::init_device(m);
  flpy::init_tensor(m);
  flpy::init_autograd(m);
  flpy::init_creation(m);
  flpy::init_random(m);
  flpy::init_unary(m);
  flpy::init_binary(m);
  flpy::init_reduction(m);
  flpy::init_linalg(m);
  flpy::init_shape(m);
  flpy::init_indexing(m);
}
