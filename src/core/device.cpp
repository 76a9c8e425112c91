#include "fl/device.h"

#include <mlx/device.h>
#include <mlx/stream.h>

#include <optional>

#include "core/thread_stream.h"
#include "fl/error.h"

namespace fl {
namespace mx = mlx::core;

namespace {
std::optional<Device> g_default;
}

void detail::adopt_shared_stream_slow() {
  static const mx::Stream shared = mx::new_thread_unsafe_stream(mx::Device::cpu);
  mx::set_default_stream(shared);
}

namespace {
// The thread that loads the library (usually the main thread) adopts the stream before any op is recorded.
const bool g_loader_adopted = (detail::adopt_shared_stream(), true);
}  // namespace

Device::Device(const std::string& spec) {
  std::string type = spec;
  index_ = -1;
  if (auto colon = spec.find(':'); colon != std::string::npos) {
    type = spec.substr(0, colon);
    std::string idx = spec.substr(colon + 1);
    FL_CHECK(!idx.empty() && idx.find_first_not_of("0123456789") == std::string::npos, "Invalid device string: '", spec,
             "'");
    index_ = std::stoi(idx);
  }
  if (type == "cpu")
    type_ = DeviceType::CPU;
  else if (type == "cuda")
    type_ = DeviceType::CUDA;
  else if (type == "mps")
    type_ = DeviceType::MPS;
  else if (type == "gpu")
    type_ = DeviceType::CUDA;  // MLX's GPU, whatever backs it
  else
    throw Error("Expected one of cpu, cuda, mps, gpu device type at start of device string: " + spec);
}

std::string Device::type_name() const {
  switch (type_) {
    case DeviceType::CPU:
      return "cpu";
    case DeviceType::CUDA:
      return "cuda";
    case DeviceType::MPS:
      return "mps";
  }
  return "cpu";
}

std::string Device::str() const { return index_ >= 0 ? type_name() + ":" + std::to_string(index_) : type_name(); }

bool gpu_available() { return mx::is_available(mx::Device::gpu); }

void Device::check_available() const {
  if (type_ == DeviceType::CPU) return;
  FL_CHECK(gpu_available(), "device '", str(),
           "' is not available: this build of MLX has no GPU on this machine (use 'cpu')");
  FL_CHECK(index_ <= 0, "device '", str(), "' is not available: MLX exposes one GPU here (device_count() == 1)");
}

mx::Device Device::to_mlx() const {
  detail::adopt_shared_stream();
  return type_ == DeviceType::CPU ? mx::Device::cpu : mx::Device::gpu;
}

Device default_device() {
  detail::adopt_shared_stream();
  if (g_default) return *g_default;
  return gpu_available() ? Device(DeviceType::CUDA, 0) : Device(DeviceType::CPU);
}

void set_default_device(const Device& d) {
  d.check_available();
  g_default = d;
}

}  // namespace fl
