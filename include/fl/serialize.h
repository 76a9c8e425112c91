// Checkpoints in the safetensors format (https://github.com/huggingface/safetensors): fl::save and fl::load.
// Python's fl.save / fl.load (python/flashlight/serialization.py) store nested structures on top of these.
#pragma once
#include <map>
#include <string>
#include <string_view>

#include "fl/tensor.h"

namespace fl {

/// Named tensors, as a safetensors file holds them.
using TensorDict = std::map<std::string, Tensor>;
/// A safetensors file's "__metadata__": string keys to string values.
using Metadata = std::map<std::string, std::string>;

/// The tensors of a safetensors file and its "__metadata__" string map.
struct Checkpoint {
  TensorDict tensors;
  Metadata metadata;
};

/// Writes `tensors` (by value: views and non-contiguous tensors are materialised) and `metadata` to `path` as a
/// safetensors file, atomically: the bytes go to a temp file in the same directory, which is fsynced and renamed
/// over `path`. On any failure `path` keeps its previous contents and the temp file is removed.
void save(const std::string& path, const TensorDict& tensors, const Metadata& metadata = {});
/// One tensor, stored under the name "tensor" (load_tensor reads it back).
void save(const std::string& path, const Tensor& tensor);
/// Any ordered dict of named tensors with items(), such as a module's state_dict().
template <typename Dict>
  requires requires(const Dict& d) { d.items().begin()->second; }
void save(const std::string& path, const Dict& dict, const Metadata& metadata = {}) {
  TensorDict tensors;
  for (const auto& [name, t] : dict.items()) tensors.emplace(name, t);
  save(path, tensors, metadata);
}

/// The tensors of a safetensors file. A malformed file raises fl::Error naming the file and the problem.
TensorDict load(const std::string& path);
/// The tensors of a safetensors file and its metadata.
Checkpoint load_with_metadata(const std::string& path);
/// The only tensor of a file that holds exactly one (as written by save(path, tensor)).
Tensor load_tensor(const std::string& path);

/// The bytes of a safetensors file holding `tensors` and `metadata` (for in-memory buffers).
std::string save_bytes(const TensorDict& tensors, const Metadata& metadata = {});
/// Reads safetensors bytes; `name` stands for the file in error messages.
Checkpoint load_bytes(std::string_view bytes, const std::string& name = "<bytes>");

}  // namespace fl
