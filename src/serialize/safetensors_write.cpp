// Writing safetensors files laid out as the reference writer lays them out (same tensor order, offsets and header
// padding), so its readers and ours agree byte for byte. Tensors are evaluated one at a time while writing.
#include <mlx/ops.h>
#include <mlx/transforms.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "fl/serialize.h"
#include "serialize/atomic_file.h"
#include "serialize/safetensors_format.h"

namespace fl {
namespace {

namespace mx = mlx::core;
using ordered_json = nlohmann::ordered_json;
using serialize_detail::WriteBytes;
using namespace safetensors;

struct Planned {
  const std::string* name;
  const Tensor* tensor;
  uint64_t begin, end;
};

/// Tensors in the reference writer's order: larger item sizes first (which keeps every offset aligned), then by name.
std::vector<Planned> plan(const TensorDict& tensors) {
  std::vector<Planned> out;
  for (const auto& [name, t] : tensors) {
    FL_CHECK_VALUE(name != kMetadataKey, "cannot save a tensor named '", kMetadataKey, "': the name is reserved");
    FL_CHECK_VALUE(t.defined(), "cannot save tensor '", name, "': it is undefined");
    out.push_back({&name, &t, 0, 0});
  }
  std::stable_sort(out.begin(), out.end(), [](const Planned& a, const Planned& b) {
    return code_of(a.tensor->dtype()).layout_rank > code_of(b.tensor->dtype()).layout_rank;
  });
  uint64_t offset = 0;
  for (Planned& p : out) {
    p.begin = offset;
    offset += static_cast<uint64_t>(p.tensor->numel()) * p.tensor->element_size();
    p.end = offset;
  }
  return out;
}

/// The 8-byte length and the JSON header, padded with spaces to a multiple of 8 bytes.
std::string header_bytes(const std::vector<Planned>& planned, const Metadata& metadata) {
  ordered_json header = ordered_json::object();
  if (!metadata.empty()) header[std::string(kMetadataKey)] = metadata;
  for (const Planned& p : planned) {
    header[*p.name] = {
        {"dtype", code_of(p.tensor->dtype()).code}, {"shape", p.tensor->sizes()}, {"data_offsets", {p.begin, p.end}}};
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::exception& e) {
    throw ValueError(std::string("cannot save: a tensor name or metadata string is not valid UTF-8 (") + e.what() +
                     ")");
  }
  text.append((8 - text.size() % 8) % 8, ' ');
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((text.size() >> (8 * i)) & 0xff);
  return out + text;
}

void write_safetensors(const TensorDict& tensors, const Metadata& metadata, const WriteBytes& write) {
  std::vector<Planned> planned = plan(tensors);
  std::string header = header_bytes(planned, metadata);
  write(header.data(), header.size());
  for (const Planned& p : planned) {
    if (p.end == p.begin) continue;
    // The value in row-major order, whatever view or layout the tensor has.
    mx::array a = mx::contiguous(p.tensor->mlx());
    mx::eval(a);
    FL_CHECK(a.flags().row_contiguous && a.nbytes() == p.end - p.begin, "internal error: tensor '", *p.name,
             "' did not materialise as a row-major array");
    write(a.data<char>(), a.nbytes());
  }
}

}  // namespace

void save(const std::string& path, const TensorDict& tensors, const Metadata& metadata) {
  serialize_detail::write_file_atomically(
      path, [&](const WriteBytes& write) { write_safetensors(tensors, metadata, write); });
}

void save(const std::string& path, const Tensor& tensor) { save(path, TensorDict{{"tensor", tensor}}); }

std::string save_bytes(const TensorDict& tensors, const Metadata& metadata) {
  std::string out;
  write_safetensors(tensors, metadata,
                    [&](const void* data, size_t n) { out.append(static_cast<const char*>(data), n); });
  return out;
}

}  // namespace fl
