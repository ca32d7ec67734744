// The idle trim of flyte serve: memory goes back to the system only once nothing runs, a
// while after the last execution ended, and never while executions run.
#include "cli/idle_trim.h"

#include <catch2/catch.hpp>

namespace flyte::cli {
namespace {

struct Loop {
  Loop() { uv_loop_init(&loop); }
  ~Loop() {
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
  }
  // Runs the loop for about `ms` (the trim timer does not keep it alive by itself).
  void RunFor(int ms) {
    uv_timer_t t;
    uv_timer_init(&loop, &t);
    uv_timer_start(&t, [](uv_timer_t* h) { uv_close(reinterpret_cast<uv_handle_t*>(h), nullptr); }, ms, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  uv_loop_t loop;
};

TEST_CASE("memory is trimmed once the last execution has ended and nothing runs") {
  Loop l;
  bool busy = false;
  IdleTrim trim(&l.loop, 20, [&] { return busy; });
  ExecutionState e;
  e.phase = ExecutionPhase::kRunning;
  trim.OnExecution(e);  // not an end: arms nothing
  l.RunFor(60);
  CHECK(trim.trims() == 0);

  e.phase = ExecutionPhase::kSucceeded;
  busy = true;  // another one still runs
  trim.OnExecution(e);
  l.RunFor(60);
  CHECK(trim.trims() == 0);

  busy = false;
  trim.OnExecution(e);
  trim.OnExecution(e);  // several ends in a burst: one trim after the last
  l.RunFor(60);
  CHECK(trim.trims() == 1);
  trim.Close();
}

}  // namespace
}  // namespace flyte::cli
