#include "runner/uv_clock.h"

#include <chrono>

namespace flyte {

struct UvClock::Timer {
  uv_timer_t handle;
  UvClock* clock;
  TimerId id;
  std::function<void()> fn;
};

UvClock::~UvClock() {
  for (auto& [id, t] : timers_) {
    uv_timer_stop(&t->handle);
    uv_close(reinterpret_cast<uv_handle_t*>(&t->handle),
             [](uv_handle_t* h) { delete static_cast<Timer*>(h->data); });
  }
}

int64_t UvClock::Now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Clock::TimerId UvClock::After(int64_t delay_nanos, std::function<void()> fn) {
  auto* t = new Timer{{}, this, next_++, std::move(fn)};
  uv_timer_init(loop_, &t->handle);
  t->handle.data = t;
  // libuv counts milliseconds; round up so a timer never fires early.
  uint64_t ms = delay_nanos <= 0 ? 0 : static_cast<uint64_t>((delay_nanos + 999'999) / 1'000'000);
  uv_timer_start(&t->handle, &UvClock::OnFire, ms, 0);
  timers_[t->id] = t;
  return t->id;
}

void UvClock::Cancel(TimerId id) {
  auto it = timers_.find(id);
  if (it == timers_.end()) return;
  Timer* t = it->second;
  timers_.erase(it);
  uv_timer_stop(&t->handle);
  uv_close(reinterpret_cast<uv_handle_t*>(&t->handle),
           [](uv_handle_t* h) { delete static_cast<Timer*>(h->data); });
}

void UvClock::OnFire(uv_timer_t* handle) {
  Timer* t = static_cast<Timer*>(handle->data);
  std::function<void()> fn = std::move(t->fn);
  t->clock->Cancel(t->id);  // closes and frees the handle; `fn` was moved out first
  fn();
}

}  // namespace flyte
