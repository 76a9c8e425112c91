// fl.memory_format objects (fl.contiguous_format, fl.preserve_format, fl.channels_last, fl.channels_last_3d) and
// the parsing of `memory_format=` arguments.
#pragma once
#include <optional>

#include "bind.h"
#include "fl/memory_format.h"

namespace flpy {

void init_memory_format(Module& m);
/// None -> nullopt; an fl.memory_format -> its value; anything else: torch's TypeError.
std::optional<fl::MemoryFormat> memory_format_arg(nb::handle h, const char* fn);
/// TensorOptions with the *_like memory format from a `memory_format=` argument.
fl::TensorOptions with_memory_format(fl::TensorOptions o, nb::handle h, const char* fn);

}  // namespace flpy
