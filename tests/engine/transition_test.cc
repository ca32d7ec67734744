// The engine's transition functions follow the table of flyte/phase.h: a change the table
// refuses does not happen, and observers hear of nothing.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "support/engine_fixture.h"

namespace flyte::testing {
namespace {

const char* kOne = R"(
tasks:
  t: {command: [t]}
workflows:
  w:
    nodes: {n: {task: t}}
)";

TEST_CASE("an attempt that runs does not go back to waiting when its runner says so") {
  EngineFixture f;
  const ExecutionState& e = f.Start(kOne, "w");
  const uint64_t id = f.Running("n");
  REQUIRE(f.Node(e, "n").attempts.back().phase == TaskPhase::kRunning);
  const size_t heard = f.log.events.size();
  f.runner.Report(id, TaskPhase::kQueued, "requeued");
  CHECK(f.Node(e, "n").attempts.back().phase == TaskPhase::kRunning);
  CHECK(f.Node(e, "n").attempts.back().reason.empty());
  CHECK(f.log.events.size() == heard);
  // Where it runs is news without a change of phase.
  f.runner.Report(id, TaskPhase::kRunning, "", "pod default/n-0");
  CHECK(f.Node(e, "n").attempts.back().where == "pod default/n-0");
  CHECK(f.log.events.size() == heard + 1);
  // The same report twice tells observers nothing new.
  f.runner.Report(id, TaskPhase::kRunning, "", "pod default/n-0");
  CHECK(f.log.events.size() == heard + 1);
  f.runner.Succeed(id);
  CHECK(f.Node(e, "n").attempts.back().phase == TaskPhase::kSucceeded);
  CHECK(e.phase == ExecutionPhase::kSucceeded);
}

TEST_CASE("an ended attempt ignores late progress reports") {
  EngineFixture f;
  const ExecutionState& e = f.Start(R"(
tasks:
  t: {command: [t], retries: 1, retry_backoff: {initial: 5s}}
workflows:
  w:
    nodes: {n: {task: t}}
)",
                                    "w");
  const uint64_t id = f.Running("n");
  f.runner.FailUser(id);
  REQUIRE(f.Node(e, "n").attempts.back().phase == TaskPhase::kRetryableFailed);
  const size_t heard = f.log.events.size();
  f.runner.Report(id, TaskPhase::kRunning);  // the runner no longer follows it: no change
  CHECK(f.Node(e, "n").attempts.back().phase == TaskPhase::kRetryableFailed);
  CHECK(f.log.events.size() == heard);
}

TEST_CASE("every phase change the engine makes in a run is one the table allows") {
  // The observers' record of a run with a retry, a failure and an abort, checked pair by pair.
  EngineFixture f;
  const ExecutionState& e = f.Start(R"(
tasks:
  t: {command: [t], retries: 1, retry_backoff: {initial: 0s}}
workflows:
  w:
    nodes:
      a: {task: t}
      b: {task: t}
)",
                                    "w");
  f.runner.FailUser(f.Running("a"));
  f.clock.Advance(0);
  f.runner.FailUser(f.Running("a"));
  f.runner.CompleteAborts();
  REQUIRE(IsTerminal(e.phase));
  std::map<std::string, std::string> last;  // subject -> phase
  for (const std::string& ev : f.log.events) {
    const size_t space = ev.rfind(' ');
    const std::string who = ev.substr(0, space), phase = ev.substr(space + 1);
    auto it = last.find(who);
    if (it != last.end() && it->second != phase) {
      INFO(who << ": " << it->second << " -> " << phase);
      if (who == "execution") {
        CHECK(CanTransition(*ParseExecutionPhase(it->second), *ParseExecutionPhase(phase)));
      } else if (who.find('#') != std::string::npos) {
        CHECK(CanTransition(*ParseTaskPhase(it->second), *ParseTaskPhase(phase)));
      } else {
        CHECK(CanTransition(*ParseNodePhase(it->second), *ParseNodePhase(phase)));
      }
    }
    last[who] = phase;
  }
  CHECK(last["execution"] == "FAILED");
  CHECK(last["b"] == "ABORTED");
}

}  // namespace
}  // namespace flyte::testing
