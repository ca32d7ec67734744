// What the admin needs of the event loop that runs it, without knowing which loop it is: a
// call after every turn (to commit the turn's changes in one transaction), one retry timer
// (while the store refuses writes), one deferred call, the interrupt signals, and turns run on
// demand (`flyte run` runs the loop until its execution ends). uv_loop_hooks.h is the libuv one;
// the caller that owns the loop makes it and hands it to LocalAdmin::Assemble. Loop thread only.
#pragma once

#include <cstdint>
#include <functional>

namespace flyte {

class LoopHooks {
 public:
  virtual ~LoopHooks() = default;
  // `fn` runs after every turn of the loop (and before it sleeps); it does not keep the loop
  // alive. Set once.
  virtual void OnTurn(std::function<void()> fn) = 0;
  // `fn` runs once, `ms` from now, replacing a pending retry; it does not keep the loop alive
  // unless KeepAliveForRetry(true).
  virtual void RetryIn(uint64_t ms, std::function<void()> fn) = 0;
  virtual void CancelRetry() = 0;
  virtual void KeepAliveForRetry(bool on) = 0;
  // `fn` runs once, `ms` from now, unless a call is already pending (that one stands); it does
  // not keep the loop alive. The admin's deferred commit (LocalAdmin::Options::commit_every_ms).
  virtual void Later(uint64_t ms, std::function<void()> fn) = 0;
  virtual void CancelLater() = 0;
  // SIGINT and SIGTERM call `fn` with the signal number instead of ending the process; they do
  // not keep the loop alive.
  virtual void OnInterrupt(std::function<void(int signum)> fn) = 0;
  // Runs one turn, waiting for an event; false when nothing is left to wait on.
  virtual bool RunOnce() = 0;
  // Runs what is ready without waiting (handle closes, after the parts are torn down).
  virtual void RunReady() = 0;
  // The loop's time, in milliseconds (updated by each turn).
  virtual uint64_t NowMillis() = 0;
};

}  // namespace flyte
