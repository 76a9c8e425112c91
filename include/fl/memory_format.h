// PyTorch's memory formats: which strides clone(), contiguous() and the *_like creation functions give.
#pragma once
#include <cstdint>

namespace fl {

/// torch.contiguous_format, torch.preserve_format, torch.channels_last (4-D), torch.channels_last_3d (5-D).
enum class MemoryFormat : uint8_t { Contiguous, Preserve, ChannelsLast, ChannelsLast3d };

}  // namespace fl
