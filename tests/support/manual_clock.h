// A Clock that only moves when a test says so: Advance() fires due timers in time order.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <utility>

#include "flyte/clock.h"

namespace flyte::testing {

class ManualClock : public Clock {
 public:
  explicit ManualClock(int64_t start = 1'700'000'000'000'000'000) : now_(start) {}

  int64_t Now() const override { return now_; }
  TimerId After(int64_t delay, std::function<void()> fn) override {
    TimerId id = next_++;
    timers_.emplace(std::make_pair(now_ + std::max<int64_t>(delay, 0), id), std::move(fn));
    return id;
  }
  void Cancel(TimerId id) override {
    for (auto it = timers_.begin(); it != timers_.end(); ++it) {
      if (it->first.second == id) {
        timers_.erase(it);
        return;
      }
    }
  }
  // Moves time forward by `delta`, firing every timer that falls due, earliest first.
  void Advance(int64_t delta) {
    int64_t target = now_ + delta;
    while (!timers_.empty() && timers_.begin()->first.first <= target) {
      auto it = timers_.begin();
      now_ = std::max(now_, it->first.first);
      auto fn = std::move(it->second);
      timers_.erase(it);
      fn();
    }
    now_ = target;
  }
  size_t pending() const { return timers_.size(); }
  // When the next timer is due, or -1.
  int64_t NextDue() const { return timers_.empty() ? -1 : timers_.begin()->first.first; }

 private:
  int64_t now_;
  TimerId next_ = 1;
  std::map<std::pair<int64_t, TimerId>, std::function<void()>> timers_;
};

}  // namespace flyte::testing
