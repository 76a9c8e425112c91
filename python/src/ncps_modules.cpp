// Bindings for the parts of fl/ncps/modules.h that Python's flashlight.ncps layers share with the C++ modules.
#include "bind.h"
#include "fl/ncps/modules.h"

namespace flpy {

void init_ncps_modules(nb::module_& m) {
  m.def(
      "sequence_timespans",
      [](const fl::Tensor& ts, int64_t batch, int64_t length, bool batch_first, bool batched, fl::Dtype dtype) {
        return fl::ncps::sequence_timespans(ts, batch, length, batch_first, batched, dtype);
      },
      "timespans"_a, "batch"_a, "length"_a, "batch_first"_a, "batched"_a, "dtype"_a,
      "Elapsed times as (B, L) batch first from a 0-d, (L), (B, L) or (B, L, 1) tensor ((L, B) or (L, B, 1) time "
      "major; (L) or (L, 1) unbatched); ValueError for other shapes.");
}

}  // namespace flpy
