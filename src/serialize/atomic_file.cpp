// write_file_atomically: temp file + fsync + rename + directory fsync (atomic_file.h).
#include "serialize/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <utility>

#include "fl/error.h"

namespace fl::serialize_detail {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void io_error(const std::string& what, const std::string& path, int err) {
  throw Error(what + " '" + path + "': " + std::strerror(err));
}

/// A new, exclusively created file beside `target`, readable as a normal new file (0666 less the umask).
int create_temp(const fs::path& target, std::string& temp_path) {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string name = ".";
    name += target.filename().string();
    name += ".tmp" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + std::to_string(rd());
    temp_path = (target.parent_path() / name).string();
    int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return fd;
    if (errno != EEXIST) io_error("could not create a temporary file for", target.string(), errno);
  }
  throw Error("could not create a unique temporary file beside '" + target.string() + "'");
}

void write_all(int fd, const char* data, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t put = ::write(fd, data, n);
    if (put < 0 && errno == EINTR) continue;
    if (put < 0) io_error("could not write", path, errno);
    data += put, n -= static_cast<size_t>(put);
  }
}

/// Closes and deletes the temp file unless disarmed (after the rename).
struct TempGuard {
  int fd;
  std::string path;
  bool armed = true;
  ~TempGuard() {
    if (fd >= 0) ::close(fd);
    if (armed) ::unlink(path.c_str());
  }
};

}  // namespace

void write_file_atomically(const std::string& path, const std::function<void(const WriteBytes&)>& produce) {
  FL_CHECK(!path.empty(), "cannot save to an empty path");
  fs::path target(path);
  if (!target.has_filename()) throw Error("cannot save to '" + path + "': it names a directory, not a file");
  fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::error_code ec;
  FL_CHECK(fs::is_directory(dir, ec), "Parent directory ", dir.string(), " does not exist.");
  target = dir / target.filename();

  std::string temp;
  TempGuard guard{create_temp(target, temp), temp};
  produce([&](const void* data, size_t n) { write_all(guard.fd, static_cast<const char*>(data), n, temp); });
  if (::fsync(guard.fd) != 0) io_error("could not flush", temp, errno);
  int fd = std::exchange(guard.fd, -1);
  if (::close(fd) != 0) io_error("could not close", temp, errno);
  if (::rename(temp.c_str(), target.c_str()) != 0) io_error("could not replace", path, errno);
  guard.armed = false;
  // Make the rename itself durable. The new file is in place by now, so a failure here is not reported.
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

}  // namespace fl::serialize_detail
