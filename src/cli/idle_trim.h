// Gives memory back to the system once a server goes idle. glibc keeps the heap that a burst
// of executions freed (measured: after 2,400 executions 37 MiB resident, of which 8 MiB in
// use; malloc_trim brings it to 23 MiB), so a server that has worked stays big while idle.
// Observes the engine: each execution that ends (re)arms a timer, and when it fires with
// nothing running, malloc_trim(0) returns the free pages. Never runs while executions run.
#pragma once

#include <uv.h>

#include <functional>

#include "flyte/engine.h"

namespace flyte::cli {

class IdleTrim : public EngineObserver {
 public:
  // `busy` tells whether anything still runs. Lives on `loop`; Close() before the loop ends.
  IdleTrim(uv_loop_t* loop, int64_t delay_ms, std::function<bool()> busy);
  ~IdleTrim() override;
  IdleTrim(const IdleTrim&) = delete;
  IdleTrim& operator=(const IdleTrim&) = delete;

  void OnExecution(const ExecutionState& e) override;
  void Close();
  int trims() const { return trims_; }

 private:
  static void OnTimer(uv_timer_t* t);

  uv_timer_t* timer_;  // freed in its close callback
  int64_t delay_ms_;
  std::function<bool()> busy_;
  int trims_ = 0;
};

}  // namespace flyte::cli
