// The real Clock: wall time and libuv timers on the loop.
#pragma once

#include <uv.h>

#include <unordered_map>

#include "flyte/clock.h"

namespace flyte {

class UvClock : public Clock {
 public:
  explicit UvClock(uv_loop_t* loop) : loop_(loop) {}
  ~UvClock() override;

  int64_t Now() const override;
  TimerId After(int64_t delay_nanos, std::function<void()> fn) override;
  void Cancel(TimerId id) override;

 private:
  struct Timer;
  static void OnFire(uv_timer_t* handle);

  uv_loop_t* loop_;
  TimerId next_ = 1;
  std::unordered_map<TimerId, Timer*> timers_;
};

}  // namespace flyte
