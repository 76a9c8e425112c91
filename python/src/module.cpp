// flashlight._C: the extension module. Each init_* binds one header of include/fl (see bind.h).
#include "bind.h"

NB_MODULE(_C, c) {
  flpy::Module m(c, "torch");  // each Module looks up its functions' docstrings in python/src/docs/
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
  flpy::init_inplace(m);
  flpy::init_serialize(m);
  flpy::Module nn(m.def_submodule("_nn", "torch.nn.functional's ops (flashlight.nn.functional re-exports them)"), "nn");
  flpy::init_nn_activation(nn);
  flpy::init_nn_linear(nn);
  flpy::init_nn_conv(nn);
  flpy::init_nn_pooling(nn);
  flpy::init_nn_sparse(nn);
  flpy::init_nn_vision(nn);
  flpy::init_nn_normalization(nn);
  flpy::init_nn_dropout(nn);
  flpy::init_nn_loss(nn);
  flpy::init_nn_attention(nn);
  flpy::init_nn_distance(nn);
  flpy::init_nn_rnn(nn);
  flpy::Module nn_init(m.def_submodule("_nn_init", "torch.nn.init (flashlight.nn.init re-exports it)"), "nn_init");
  flpy::init_nn_init(nn_init);
  flpy::Module nn_utils(m.def_submodule("_nn_utils", "torch.nn.utils' clipping and vector ops (flashlight.nn.utils)"),
                        "nn_utils");
  flpy::init_nn_utils(nn_utils);
  flpy::Module ncps(m.def_submodule("_ncps", "Neural Circuit Policies (flashlight.ncps)"), "ncps");
  flpy::init_ncps_wirings(ncps);
  flpy::init_ncps_cfc(ncps);
  flpy::init_ncps_ltc(ncps);
  flpy::init_ncps_modules(ncps);
  flpy::Module optim(m.def_submodule("_optim", "fused optimizer updates and schedulers (flashlight.optim)"), "optim");
  flpy::init_optim(optim);
}
