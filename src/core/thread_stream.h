// One CPU stream for every thread that uses Flashlight.
//
// MLX gives each thread its own default stream, and a lazy array can only be evaluated on a thread that knows the
// stream it was recorded on ("There is no Stream(cpu, 0) in current thread"). PyTorch tensors move freely between
// threads, so each thread that touches Flashlight adopts one process-wide CPU stream as its default, made with
// MLX's new_thread_unsafe_stream (usable from any thread; the CPU scheduler serialises its tasks). GPU streams stay
// MLX's per-thread ones: Metal's command encoders are per stream and not shared across threads.
#pragma once

namespace fl::detail {

void adopt_shared_stream_slow();

/// Cheap after the first call on a thread: called where ops read their inputs or pick a device.
inline void adopt_shared_stream() {
  thread_local bool adopted = false;
  if (!adopted) [[unlikely]] {
    adopted = true;
    adopt_shared_stream_slow();
  }
}

}  // namespace fl::detail
