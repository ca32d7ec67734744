// Phase changes for the API's server-sent event stream (`GET /api/v1/events`). The hub observes
// the engine on the loop thread and keeps the last N events in a ring; HTTP threads wait on it
// for events after the last one they saw. Observer calls: loop thread; Wait/Close: any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "flyte/engine.h"

namespace flyte::http {

class EventHub : public EngineObserver {
 public:
  struct Event {
    uint64_t seq = 0;
    std::string execution;  // "project/domain/name"
    std::string data;       // one JSON object
  };
  explicit EventHub(size_t capacity = 10'000) : capacity_(capacity) {}

  void OnExecution(const ExecutionState& e) override;
  void OnNode(const ExecutionState& e, const NodeState& n) override;

  // Appends to `out` the events after `after` (of `execution`, or all when empty), waiting up
  // to `wait` when there are none yet. Returns the sequence number to continue from. Events
  // that fell out of the ring are gone: a slow reader skips ahead.
  uint64_t Wait(uint64_t after, const std::string& execution, std::chrono::milliseconds wait,
                std::vector<Event>& out);
  uint64_t last() const;
  // Wakes every waiter for good (shutdown).
  void Close();
  bool closed() const;

 private:
  void Publish(const ExecutionKey& key, std::string data);

  const size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Event> ring_;
  uint64_t seq_ = 0;
  bool closed_ = false;
};

}  // namespace flyte::http
