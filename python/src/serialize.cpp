// Bindings for fl/serialize.h: the safetensors reader and writer under private names. fl.save / fl.load
// (python/flashlight/serialization.py) build PyTorch's interface and nested structures on top of them.
#include "fl/serialize.h"

#include <nanobind/stl/map.h>

#include "bind.h"

namespace flpy {

namespace {
nb::tuple as_tuple(const fl::Checkpoint& c) { return nb::make_tuple(c.tensors, c.metadata); }
}  // namespace

void init_serialize(Module& m) {
  m.def(
      "_safetensors_save",
      [](const std::string& path, const fl::TensorDict& tensors, const fl::Metadata& metadata) {
        fl::save(path, tensors, metadata);
      },
      "path"_a, "tensors"_a, "metadata"_a,
      "Writes a safetensors file atomically (temp file, fsync, rename over path, fsync of the directory).");
  m.def(
      "_safetensors_dumps",
      [](const fl::TensorDict& tensors, const fl::Metadata& metadata) {
        std::string bytes = fl::save_bytes(tensors, metadata);
        return nb::bytes(bytes.data(), bytes.size());
      },
      "tensors"_a, "metadata"_a, "The bytes of a safetensors file.");
  m.def(
      "_safetensors_load", [](const std::string& path) { return as_tuple(fl::load_with_metadata(path)); }, "path"_a,
      "(tensors, metadata) of a safetensors file; RuntimeError naming the problem if it is malformed.");
  m.def(
      "_safetensors_loads",
      [](nb::bytes data, const std::string& name) {
        return as_tuple(fl::load_bytes(std::string_view(data.c_str(), data.size()), name));
      },
      "data"_a, "name"_a, "(tensors, metadata) of safetensors bytes; `name` stands for the file in errors.");
}

}  // namespace flpy
