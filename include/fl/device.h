// Devices: "cpu", and "cuda"/"mps"/"gpu" mapped to MLX's GPU where it has one.
#pragma once
#include <string>

#include <mlx/device.h>

namespace fl {

/// torch.device's type: CUDA and MPS both stand for MLX's GPU.
enum class DeviceType : uint8_t { CPU, CUDA, MPS };

/// torch.device: a type and an optional index (-1 for none).
class Device {
 public:
  Device(DeviceType type = DeviceType::CPU, int index = -1) : type_(type), index_(index) {}
  /// Parses as torch.device: "cpu", "cuda", "cuda:0", "mps", "gpu" (an alias for this machine's GPU).
  Device(const std::string& spec);
  Device(const char* spec) : Device(std::string(spec)) {}
  /// The device type.
  DeviceType type() const { return type_; }
  /// The index, -1 when none was given.
  int index() const { return index_; }
  /// Whether this is the CPU.
  bool is_cpu() const { return type_ == DeviceType::CPU; }
  /// As str(torch.device): "cpu", "cuda:0".
  std::string str() const;
  /// "cpu", "cuda" or "mps".
  std::string type_name() const;
  /// Same type, and the same index unless either has none ("cuda" == "cuda:0").
  bool operator==(const Device& o) const { return type_ == o.type_ && (index_ == o.index_ || index_ < 0 || o.index_ < 0); }
  /// Throws a clear Error if the device is not present on this machine.
  void check_available() const;
  /// MLX's device: cpu for CPU, gpu for CUDA and MPS.
  mlx::core::Device to_mlx() const;

 private:
  DeviceType type_;
  int index_;
};

/// Whether MLX has a GPU here (Metal on Apple Silicon, CUDA where MLX was built with it).
bool gpu_available();
/// The GPU when MLX has one, else the CPU: no explicit device needed.
Device default_device();
/// Sets the device creation functions use by default (process-wide); throws if it is not available.
void set_default_device(const Device& d);

}  // namespace fl
