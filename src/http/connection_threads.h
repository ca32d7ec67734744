// The threads that serve `flyte serve`'s connections: one per open connection, up to a
// limit, instead of cpp-httplib's fixed pool. With a fixed pool, every event stream, log
// follow, idle keep-alive connection or client sending its headers slowly holds one of a few
// threads, and a few dozen of them stop /healthcheck and every route. A thread per connection
// costs a stack (mostly untouched) and keeps each slow client to itself; threads left idle
// wait a while for the next connection, then end. Thread-safe.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>

namespace flyte::http {

class ConnectionThreads : public httplib::TaskQueue {
 public:
  // At most `max_threads` connections are served at once; more wait in order.
  explicit ConnectionThreads(size_t max_threads);
  ~ConnectionThreads() override;

  void enqueue(std::function<void()> fn) override;
  // Lets queued and running connections finish, then returns once every thread has ended.
  void shutdown() override;

  size_t threads() const;

 private:
  void Work();

  const size_t max_;
  mutable std::mutex mu_;
  std::condition_variable work_;  // a job was queued, or shutting down
  std::condition_variable ended_;
  std::deque<std::function<void()>> jobs_;
  size_t threads_ = 0, idle_ = 0;
  bool shutdown_ = false;
};

}  // namespace flyte::http
