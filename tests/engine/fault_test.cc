// Fault injection at the runner seam: attempts whose processes are lost are retried within
// the system budget, and every execution still ends in a true state.
#include <catch2/catch.hpp>

#include "support/engine_fixture.h"
#include "support/losing_runner.h"

namespace flyte::testing {
namespace {

const char* kTwo = R"(
tasks:
  t: {command: [t], retry_backoff: {initial: 1s}}
workflows:
  w:
    nodes:
      a: {task: t}
      b: {task: t, inputs: {}}
)";

struct LossFixture {
  explicit LossFixture(std::set<int> lose) : losing(inner, std::move(lose)) {}

  const ExecutionState& Start(const std::string& yaml) {
    CompileOutput out = CompileText("test.yaml", yaml);
    INFO(out.diagnostics.FormatAll());
    REQUIRE(out.ok());
    file = out.file;
    ExecutionRequest req;
    req.key = {"flytesnacks", "development", "lossy"};
    req.file = file;
    req.workflow = file->FindWorkflow("w");
    req.options.run_dir = "/tmp/flyte-engine-test";
    return engine.Start(std::move(req));
  }

  FakeRunner inner;
  LosingRunner losing;
  ManualClock clock;
  MemoryCache cache;
  Engine engine{losing, clock, &cache};
  std::shared_ptr<const CompiledFile> file;
};

const NodeState& NodeOf(const ExecutionState& e, const std::string& id) {
  for (const NodeState& n : e.nodes) {
    if (n.id == id) return n;
  }
  FAIL("no node " << id);
  return e.nodes.front();
}

}  // namespace

TEST_CASE("a lost attempt is retried within the system budget and the execution succeeds") {
  LossFixture f({1});
  const ExecutionState& e = f.Start(kTwo);
  f.losing.LosePending();
  CHECK(e.phase == ExecutionPhase::kRunning);
  // The late result of the lost process changes nothing.
  f.inner.CompleteAborts();
  f.clock.Advance(kSecond);
  for (const char* node : {"a", "b"}) {
    uint64_t id = f.inner.RunningFor(node);
    REQUIRE(id != 0);
    f.inner.Succeed(id);
  }
  CHECK(e.phase == ExecutionPhase::kSucceeded);
  const NodeState& a = NodeOf(e, "a");
  REQUIRE(a.attempts.size() == 2);
  CHECK(a.attempts[0].phase == TaskPhase::kRetryableFailed);
  CHECK(a.attempts[0].reason == "the task's process was lost");
  CHECK(a.system_failures == 1);
  CHECK(a.user_failures == 0);
}

TEST_CASE(
    "an attempt lost on every try fails its execution with a system error, and nothing runs on") {
  std::set<int> all;
  for (int i = 1; i <= 50; ++i) all.insert(i);
  LossFixture f(all);
  const ExecutionState& e = f.Start(kTwo);
  for (int turn = 0; turn < 10 && !IsTerminal(e.phase); ++turn) {
    f.losing.LosePending();
    f.inner.CompleteAborts();
    f.clock.Advance(60 * kSecond);
  }
  REQUIRE(IsTerminal(e.phase));
  CHECK(e.phase == ExecutionPhase::kFailed);
  REQUIRE(e.error.has_value());
  CHECK(e.error->kind == ErrorKind::kSystem);
  CHECK(e.error->code.text() == "Lost");
  CHECK(e.running_nodes == 0);
  CHECK(f.inner.running_ids().empty());
  CHECK(NodeOf(e, "a").attempts.size() == 3);
  for (const NodeState& n : e.nodes) {
    INFO(n.id);
    CHECK(IsTerminal(n.phase));
  }
}

}  // namespace flyte::testing
