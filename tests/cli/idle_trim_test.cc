// The idle trim of flyte serve: memory goes back to the system only once nothing runs, a
// while after the last execution ended, and never while executions run.
#include "cli/idle_trim.h"

#include <catch2/catch.hpp>

#include "support/manual_clock.h"

namespace flyte::cli {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

TEST_CASE("memory is trimmed once the last execution has ended and nothing runs") {
  testing::ManualClock clock;
  bool busy = false;
  int trimmed = 0;
  IdleTrim trim(
      clock, 2 * kSecond, [&] { return busy; }, [&] { ++trimmed; });
  ExecutionState e;
  e.phase = ExecutionPhase::kRunning;
  trim.OnExecution(e);  // not an end: arms nothing
  clock.Advance(10 * kSecond);
  CHECK(trimmed == 0);

  e.phase = ExecutionPhase::kSucceeded;
  busy = true;  // another one still runs
  trim.OnExecution(e);
  clock.Advance(10 * kSecond);
  CHECK(trimmed == 0);

  busy = false;
  trim.OnExecution(e);
  clock.Advance(1 * kSecond);
  trim.OnExecution(e);  // several ends in a burst: one trim, 2 s after the last
  clock.Advance(2 * kSecond - 1);
  CHECK(trimmed == 0);
  clock.Advance(1);
  CHECK(trimmed == 1);
  CHECK(trim.trims() == 1);

  // Closed at shutdown: a pending trim is cancelled and nothing arms it again.
  trim.OnExecution(e);
  trim.Close();
  trim.OnExecution(e);
  CHECK(clock.pending() == 0);
}

}  // namespace
}  // namespace flyte::cli
