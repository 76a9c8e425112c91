// Crash-safe file replacement: the new contents become visible under their name only once complete and durable.
#pragma once
#include <cstddef>
#include <functional>
#include <string>

namespace fl::serialize_detail {

using WriteBytes = std::function<void(const void* data, size_t n)>;

/// Calls `produce` with a function that appends bytes to a temp file in `path`'s directory, then fsyncs the temp
/// file, renames it over `path` and fsyncs the directory. If anything throws or fails, `path` is left as it was,
/// the temp file is removed and the error (fl::Error for I/O failures) propagates.
void write_file_atomically(const std::string& path, const std::function<void(const WriteBytes&)>& produce);

}  // namespace fl::serialize_detail
