// Reading safetensors files. Every size in the header is checked against the file's size before anything is
// allocated, so a malformed or lying file raises fl::Error (naming the file and the problem) and never reads out of
// bounds or allocates more than the file holds. Tensor bytes are read once, straight into MLX buffers.
#include <fcntl.h>
#include <mlx/allocator.h>
#include <mlx/ops.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "fl/serialize.h"
#include "serialize/safetensors_format.h"

namespace fl {
namespace {

namespace mx = mlx::core;
using json = nlohmann::json;
using namespace safetensors;

/// A header nests at most three levels (file object, entry object, shape array); deeper input is junk.
constexpr int kMaxJsonDepth = 16;

/// The length of the well-formed UTF-8 sequence at s[i], or 0 if there is none (an overlong form, a surrogate, a
/// code point past U+10FFFF, or a cut sequence). The reference reader demands UTF-8 of the whole header.
size_t utf8_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  // The second byte's range depends on the first: this excludes overlongs, surrogates and code points > U+10FFFF.
  unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80, hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < n; ++k)
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  return n;
}

bool is_utf8(std::string_view s) {
  for (size_t i = 0, n; i < s.size(); i += n)
    if ((n = utf8_length(s, i)) == 0) return false;
  return true;
}

/// Text from the file as it may appear in a message: valid UTF-8 (Python decodes exception messages as UTF-8),
/// with control characters and ill-formed bytes written as \xNN, at most `max` bytes of s.
std::string printable(std::string_view s, size_t max = std::string_view::npos) {
  std::string out;
  size_t end = std::min(s.size(), max);
  for (size_t i = 0, n; i < end; i += n) {
    n = utf8_length(s, i);
    if (n > 1 && i + n <= end) {
      out.append(s.substr(i, n));
      continue;
    }
    auto c = static_cast<unsigned char>(s[i]);
    n = 1;
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      const char* hex = "0123456789abcdef";
      out += {'\\', 'x', hex[c >> 4], hex[c & 15]};
    }
  }
  if (end < s.size()) out += "...";
  return out;
}

/// Names from a malformed file may be huge or binary: error messages show a bounded, quoted prefix.
std::string shown(std::string_view s) {
  std::string out = printable(s, 64);
  out.insert(out.begin(), '\'');
  out += '\'';
  return out;
}

[[noreturn]] void malformed(const std::string& file, const std::string& problem) {
  throw Error("invalid safetensors file '" + file + "': " + printable(problem));
}

/// Where the bytes come from: a file read with pread, or a buffer in memory.
class Source {
 public:
  explicit Source(std::string name) : name_(std::move(name)) {}
  virtual ~Source() = default;
  const std::string& name() const { return name_; }
  virtual uint64_t size() const = 0;
  /// Reads [offset, offset + n), which the caller has checked lies within size().
  virtual void read(uint64_t offset, void* dst, size_t n) const = 0;

 private:
  std::string name_;
};

class MemorySource final : public Source {
 public:
  MemorySource(std::string_view bytes, std::string name) : Source(std::move(name)), bytes_(bytes) {}
  uint64_t size() const override { return bytes_.size(); }
  void read(uint64_t offset, void* dst, size_t n) const override {
    if (n) std::memcpy(dst, bytes_.data() + offset, n);
  }

 private:
  std::string_view bytes_;
};

class FileSource final : public Source {
 public:
  explicit FileSource(const std::string& path) : Source(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    FL_CHECK(fd_ >= 0, "could not open '", path, "' for reading: ", std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd_);
      throw Error("could not read '" + path + "': not a regular file");
    }
    size_ = static_cast<uint64_t>(st.st_size);
  }
  ~FileSource() override { ::close(fd_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  uint64_t size() const override { return size_; }
  void read(uint64_t offset, void* dst, size_t n) const override {
    auto* out = static_cast<char*>(dst);
    while (n > 0) {
      ssize_t got = ::pread(fd_, out, n, static_cast<off_t>(offset));
      if (got < 0 && errno == EINTR) continue;
      FL_CHECK(got >= 0, "error reading '", name(), "': ", std::strerror(errno));
      if (got == 0) malformed(name(), "the file ended early (was it truncated while being read?)");
      out += got, offset += static_cast<uint64_t>(got), n -= static_cast<size_t>(got);
    }
  }

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
};

/// One validated header entry.
struct Entry {
  std::string name;
  Dtype dtype;
  Shape shape;
  uint64_t begin, end;
};

json parse_header(const Source& src, std::string_view text) {
  std::set<std::string> names;
  json::parser_callback_t check = [&](int depth, json::parse_event_t event, json& parsed) {
    bool opens = event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
    if (opens && depth > kMaxJsonDepth) malformed(src.name(), "the header nests deeper than any safetensors header");
    if (event == json::parse_event_t::key && depth == 1 && !names.insert(parsed.get<std::string>()).second)
      malformed(src.name(), "the header names " + shown(parsed.get<std::string>()) + " twice");
    return true;
  };
  if (!is_utf8(text)) malformed(src.name(), "the header is not valid JSON (it is not valid UTF-8)");
  // nlohmann-json stops at a NUL byte as if the input ended there; JSON allows none outside escapes.
  if (text.find('\0') != std::string_view::npos)
    malformed(src.name(), "the header is not valid JSON (it contains a NUL byte)");
  try {
    return json::parse(text.begin(), text.end(), check);
  } catch (const json::exception& e) {
    malformed(src.name(), std::string("the header is not valid JSON (") + e.what() + ")");
  }
}

/// A non-negative JSON integer; `what` names it in the error.
uint64_t non_negative(const Source& src, const json& v, const std::string& what) {
  if (v.is_number_unsigned()) return v.get<uint64_t>();
  if (v.is_number_integer()) {
    if (v.get<int64_t>() >= 0) return static_cast<uint64_t>(v.get<int64_t>());
    malformed(src.name(), what + " is negative (" + v.dump() + ")");
  }
  malformed(src.name(), what + " is not an integer");
}

const json& field(const Source& src, const json& entry, const char* key, const std::string& tensor) {
  auto it = entry.find(key);
  if (it == entry.end()) malformed(src.name(), "tensor " + tensor + " has no \"" + key + "\"");
  return *it;
}

Entry parse_entry(const Source& src, const std::string& name, const json& info, uint64_t data_size) {
  const std::string who = shown(name);
  if (!info.is_object()) malformed(src.name(), "the entry of tensor " + who + " is not a JSON object");

  const json& dtype = field(src, info, "dtype", who);
  if (!dtype.is_string()) malformed(src.name(), "the dtype of tensor " + who + " is not a string");
  std::optional<Dtype> d = dtype_of_code(dtype.get_ref<const std::string&>());
  if (!d) {
    std::string supported;
    for (const auto& c : kDtypeCodes) supported += (supported.empty() ? "" : ", ") + std::string(c.code);
    malformed(src.name(), "tensor " + who + " has unsupported dtype " + shown(dtype.get_ref<const std::string&>()) +
                              " (supported: " + supported + ")");
  }

  const json& shape = field(src, info, "shape", who);
  if (!shape.is_array()) malformed(src.name(), "the shape of tensor " + who + " is not an array");
  if (shape.size() > kMaxDims)
    malformed(src.name(), "tensor " + who + " has " + std::to_string(shape.size()) + " dimensions (at most " +
                              std::to_string(kMaxDims) + " are supported)");
  Entry e{name, *d, {}, 0, 0};
  // The byte count, with overflow checked: it must equal the span of the offsets, which is at most the file size.
  uint64_t nbytes = itemsize(*d);
  bool overflow = false;
  for (size_t i = 0; i < shape.size(); ++i) {
    uint64_t n = non_negative(src, shape[i], "dimension " + std::to_string(i) + " of tensor " + who);
    if (n > static_cast<uint64_t>(std::numeric_limits<mx::ShapeElem>::max()))
      malformed(src.name(),
                "dimension " + std::to_string(i) + " of tensor " + who + " is too large (" + std::to_string(n) + ")");
    overflow = overflow || __builtin_mul_overflow(nbytes, n, &nbytes);
    e.shape.push_back(static_cast<int64_t>(n));
  }
  // An empty tensor needs no bytes, whatever the other dimensions multiply to.
  if (std::find(e.shape.begin(), e.shape.end(), 0) != e.shape.end()) nbytes = 0, overflow = false;

  const json& offsets = field(src, info, "data_offsets", who);
  if (!offsets.is_array() || offsets.size() != 2)
    malformed(src.name(), "the data_offsets of tensor " + who + " are not a [begin, end] pair");
  e.begin = non_negative(src, offsets[0], "the begin offset of tensor " + who);
  e.end = non_negative(src, offsets[1], "the end offset of tensor " + who);
  std::string span = "[" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "]";
  if (e.begin > e.end) malformed(src.name(), "tensor " + who + " has data_offsets " + span + " with begin > end");
  if (e.end > data_size)
    malformed(src.name(), "tensor " + who + " has data_offsets " + span + " past the end of the " +
                              std::to_string(data_size) + "-byte data section (is the file truncated?)");
  if (overflow || nbytes != e.end - e.begin)
    malformed(src.name(),
              "tensor " + who + " has shape " + shape.dump() + " of dtype " + std::string(code_of(*d).code) + " (" +
                  (overflow ? std::string("more bytes than fit in 64 bits") : std::to_string(nbytes) + " bytes") +
                  ") but data_offsets " + span + " span " + std::to_string(e.end - e.begin) + " bytes");
  return e;
}

Metadata parse_metadata(const Source& src, const json& m) {
  if (m.is_null()) return {};  // the reference writer's "no metadata"
  if (!m.is_object()) malformed(src.name(), "__metadata__ is not a JSON object");
  Metadata out;
  for (const auto& [k, v] : m.items()) {
    if (!v.is_string()) malformed(src.name(), "__metadata__ value of " + shown(k) + " is not a string");
    out.emplace(k, v.get<std::string>());
  }
  return out;
}

/// The tensors must tile the data section exactly, as the reference reader demands: no overlaps, no gaps.
void check_layout(const Source& src, std::vector<Entry>& entries, uint64_t data_size) {
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return std::tie(a.begin, a.end) < std::tie(b.begin, b.end); });
  uint64_t covered = 0;
  const Entry* last = nullptr;
  for (const Entry& e : entries) {
    if (e.begin < covered)
      malformed(src.name(), "the data of tensors " + shown(last->name) + " and " + shown(e.name) + " overlap");
    if (e.begin > covered)
      malformed(src.name(), "bytes [" + std::to_string(covered) + ", " + std::to_string(e.begin) +
                                ") of the data section belong to no tensor");
    if (e.end > e.begin) covered = e.end, last = &e;
  }
  if (covered != data_size)
    malformed(src.name(), "bytes [" + std::to_string(covered) + ", " + std::to_string(data_size) +
                              ") of the data section belong to no tensor");
}

Tensor read_tensor(const Source& src, const Entry& e, uint64_t data_start) {
  mx::Shape shape(e.shape.begin(), e.shape.end());
  mx::Dtype dtype = to_mlx(e.dtype);
  size_t nbytes = e.end - e.begin;
  if (nbytes == 0) return Tensor::from_mlx(mx::zeros(shape, dtype));
  mx::array a(mx::allocator::malloc(nbytes), shape, dtype);
  src.read(data_start + e.begin, a.data<char>(), nbytes);
  // Any non-zero byte is true; storing it as is would give a C++ bool an invalid value.
  if (e.dtype == kBool)
    for (auto *p = a.data<uint8_t>(), *end = p + nbytes; p != end; ++p) *p = *p != 0;
  return Tensor::from_mlx(a);
}

Checkpoint read_safetensors(const Source& src) {
  uint64_t size = src.size();
  if (size < 8)
    malformed(src.name(), "the file has " + std::to_string(size) + " bytes, fewer than the 8-byte header length");
  unsigned char len_bytes[8];
  src.read(0, len_bytes, 8);
  uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | len_bytes[i];
  if (header_len > kMaxHeaderSize)
    malformed(src.name(), "the header length " + std::to_string(header_len) + " exceeds the limit of " +
                              std::to_string(kMaxHeaderSize) + " bytes");
  if (header_len > size - 8)
    malformed(src.name(), "the header length " + std::to_string(header_len) + " exceeds the " +
                              std::to_string(size - 8) + " bytes that follow it (is the file truncated?)");
  std::string text(header_len, '\0');
  src.read(8, text.data(), header_len);
  json header = parse_header(src, text);
  if (!header.is_object()) malformed(src.name(), "the header is not a JSON object");

  uint64_t data_start = 8 + header_len, data_size = size - data_start;
  Checkpoint out;
  std::vector<Entry> entries;
  for (const auto& [name, info] : header.items()) {
    if (name == kMetadataKey)
      out.metadata = parse_metadata(src, info);
    else
      entries.push_back(parse_entry(src, name, info, data_size));
  }
  check_layout(src, entries, data_size);
  for (const Entry& e : entries) out.tensors.emplace(e.name, read_tensor(src, e, data_start));
  return out;
}

}  // namespace

Checkpoint load_with_metadata(const std::string& path) { return read_safetensors(FileSource(path)); }

TensorDict load(const std::string& path) { return load_with_metadata(path).tensors; }

Tensor load_tensor(const std::string& path) {
  TensorDict tensors = load(path);
  FL_CHECK(tensors.size() == 1, "fl::load_tensor: '", path, "' holds ", tensors.size(), " tensors, not one");
  return tensors.begin()->second;
}

Checkpoint load_bytes(std::string_view bytes, const std::string& name) {
  return read_safetensors(MemorySource(bytes, name));
}

}  // namespace fl
