// Runs work on the libuv loop thread on behalf of other threads: the only way an HTTP request
// reaches the admin service and the engine, which belong to the loop thread. Post and Call are
// thread-safe; the bridge itself is created and closed on the loop thread.
//
// The loop is woken through an eventfd of the bridge's own, written only when the queue was
// empty. Not uv_async_send: its receiver spins, then calls sched_yield, until the sender has
// finished sending, and a sender preempted by the wake-up it caused (two cores, many threads)
// made nearly every wake cost a yield and two more context switches (docs/benchmarks.md,
// run 12). Without an eventfd (none left to open), it falls back to uv_async_send.
#pragma once

#include <uv.h>

#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <vector>

#include "flyte/status.h"

namespace flyte {

class LoopBridge {
 public:
  explicit LoopBridge(uv_loop_t* loop);
  ~LoopBridge();
  LoopBridge(const LoopBridge&) = delete;
  LoopBridge& operator=(const LoopBridge&) = delete;

  // Queues `fn` to run on the loop thread; `fn(false)` runs instead (on the closing thread)
  // when the bridge closes first. False when already closed.
  bool Post(std::function<void(bool run)> fn);

  // Runs `fn` on the loop thread and waits for its result; Unavailable once closing.
  template <typename T>
  Result<T> Call(std::function<Result<T>()> fn) {
    auto done = std::make_shared<std::promise<Result<T>>>();
    std::future<Result<T>> result = done->get_future();
    bool queued = Post([done, fn = std::move(fn)](bool run) {
      done->set_value(run ? fn() : Result<T>(Unavailable("the server is shutting down")));
    });
    if (!queued) return Unavailable("the server is shutting down");
    return result.get();
  }
  Status CallStatus(std::function<Status()> fn);

  // Loop thread. Refuses new work and cancels what is queued.
  void Close();

 private:
  struct Waker;  // the eventfd and its poll handle, freed when libuv has closed the handle
  static void OnAsync(uv_async_t* async);
  static void OnReadable(uv_poll_t* poll, int status, int events);
  void Wake();
  void Drain(bool run);

  Waker* waker_ = nullptr;  // null: async_ is used instead
  uv_async_t async_;
  std::mutex mu_;
  std::vector<std::function<void(bool)>> queue_;
  bool closed_ = false;
  bool handle_closed_ = false;
};

}  // namespace flyte
