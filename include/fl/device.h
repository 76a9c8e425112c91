// Devices: "cpu", and "cuda"/"mps"/"gpu" mapped to MLX's GPU where it has one.
#pragma once
#include <string>

#include <mlx/device.h>

namespace fl {

enum class DeviceType : uint8_t { CPU, CUDA, MPS };

class Device {
 public:
  Device(DeviceType type = DeviceType::CPU, int index = -1) : type_(type), index_(index) {}
  /// Parses as torch.device: "cpu", "cuda", "cuda:0", "mps", "gpu" (an alias for this machine's GPU).
  Device(const std::string& spec);
  Device(const char* spec) : Device(std::string(spec)) {}
  DeviceType type() const { return type_; }
  int index() const { return index_; }
  bool is_cpu() const { return type_ == DeviceType::CPU; }
  std::string str() const;
  /// "cpu", "cuda" or "mps".
  std::string type_name() const;
  bool operator==(const Device& o) const { return type_ == o.type_ && (index_ == o.index_ || index_ < 0 || o.index_ < 0); }
  /// Throws a clear Error if the device is not present on this machine.
  void check_available() const;
  mlx::core::Device to_mlx() const;

 private:
  DeviceType type_;
  int index_;
};

/// Whether MLX has a GPU here (Metal on Apple Silicon, CUDA where MLX was built with it).
bool gpu_available();
/// The GPU when MLX has one, else the CPU: no explicit device needed.
Device default_device();
void set_default_device(const Device& d);

}  // namespace fl
