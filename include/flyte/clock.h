// Time for the engine: the current time and one-shot timers. The real clock runs on the libuv
// loop (src/runner/uv_clock.cc); tests use a manual clock that only moves when told to, so no
// test waits for time. Single-threaded: call only from the loop thread.
#pragma once

#include <cstdint>
#include <functional>

namespace flyte {

class Clock {
 public:
  using TimerId = uint64_t;
  virtual ~Clock() = default;
  // Nanoseconds since the Unix epoch.
  virtual int64_t Now() const = 0;
  // Calls `fn` once, `delay_nanos` from now, from the loop. Never calls it synchronously.
  virtual TimerId After(int64_t delay_nanos, std::function<void()> fn) = 0;
  // Cancelling a timer that has fired or was cancelled is a no-op.
  virtual void Cancel(TimerId id) = 0;
};

}  // namespace flyte
