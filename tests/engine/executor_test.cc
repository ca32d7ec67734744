#include <catch2/catch.hpp>

#include "support/engine_fixture.h"

namespace flyte::testing {
namespace {

const char* kChain = R"(
tasks:
  inc:
    inputs: {x: int}
    outputs: {y: int}
    command: [inc]
workflows:
  chain:
    inputs: {start: {type: int, default: 1}}
    outputs: {result: "{{ c.y }}"}
    nodes:
      a: {task: inc, inputs: {x: "{{ inputs.start }}"}}
      b: {task: inc, inputs: {x: "{{ a.y }}"}}
      c: {task: inc, inputs: {x: "{{ b.y }}"}}
)";

TEST_CASE("a chain runs one node at a time and passes outputs downstream") {
  EngineFixture f;
  const ExecutionState& e = f.Start(kChain, "chain");
  REQUIRE(f.runner.running_ids().size() == 1);
  uint64_t a = f.Running("a");
  CHECK(f.runner.launch(a).inputs == std::vector<Value>{Value::Int(1)});
  f.runner.Succeed(a, {Value::Int(2)});
  uint64_t b = f.Running("b");
  CHECK(f.runner.launch(b).inputs == std::vector<Value>{Value::Int(2)});
  f.runner.Succeed(b, {Value::Int(3)});
  f.runner.Succeed(f.Running("c"), {Value::Int(4)});
  CHECK(e.phase == ExecutionPhase::kSucceeded);
  CHECK(e.outputs == std::vector<Value>{Value::Int(4)});
  CHECK(f.log.events.front() == "execution QUEUED");
  CHECK(f.log.events.back() == "execution SUCCEEDED");
}

TEST_CASE("a failed task is retried with backoff within its user budget") {
  EngineFixture f;
  const ExecutionState& e = f.Start(R"(
tasks:
  flaky:
    outputs: {y: int}
    command: [flaky]
    retries: 2
    retry_backoff: {initial: 2s, max: 3s, factor: 2}
workflows:
  w:
    nodes: {n: {task: flaky}}
)",
                                    "w");
  f.runner.FailUser(f.Running("n"));
  CHECK(f.runner.running_ids().empty());  // waiting out the backoff
  CHECK(f.Node(e, "n").phase == NodePhase::kRunning);
  f.clock.Advance(2 * kSecond - 1);
  CHECK(f.runner.running_ids().empty());
  f.clock.Advance(1);
  f.runner.FailUser(f.Running("n"));
  f.clock.Advance(3 * kSecond);  // 2s * 2 = 4s, capped at 3s
  uint64_t third = f.Running("n");
  CHECK(f.runner.launch(third).env[2] == std::pair<std::string, std::string>{"FLYTE_ATTEMPT", "2"});
  f.runner.FailUser(third, "exit code 3", 3);
  CHECK(e.phase == ExecutionPhase::kFailed);
  const NodeState& n = f.Node(e, "n");
  CHECK(n.phase == NodePhase::kFailed);
  CHECK(n.attempts.size() == 3);
  CHECK(n.attempts[0].phase == TaskPhase::kRetryableFailed);
  CHECK(n.attempts[2].phase == TaskPhase::kFailed);
  REQUIRE(e.error);
  CHECK(e.error->message == "exit code 3 (after 3 attempts)");
  CHECK(e.error->node == "n");
}

TEST_CASE("system errors have their own budget of three attempts") {
  EngineFixture f;
  const ExecutionState& e = f.Start(R"(
tasks:
  t: {command: [t], retries: 0, retry_backoff: {initial: 0s}}
workflows:
  w: {nodes: {n: {task: t}}}
)",
                                    "w");
  f.runner.FailSystem(f.Running("n"));
  f.clock.Advance(0);
  f.runner.FailSystem(f.Running("n"));
  f.clock.Advance(0);
  CHECK(e.phase == ExecutionPhase::kRunning);
  f.runner.FailSystem(f.Running("n"));
  CHECK(e.phase == ExecutionPhase::kFailed);
  CHECK(f.Node(e, "n").attempts.size() == 3);
  CHECK(e.error->kind == ErrorKind::kSystem);
}

TEST_CASE("an attempt that outlives its timeout is stopped and counts as a failure") {
  EngineFixture f;
  const ExecutionState& e = f.Start(R"(
tasks:
  slow: {command: [slow], timeout: 30s, retries: 1, retry_backoff: {initial: 0s}}
workflows:
  w: {nodes: {n: {task: slow}}}
)",
                                    "w");
  uint64_t first = f.Running("n");
  f.clock.Advance(30 * kSecond - 1);
  CHECK(f.runner.aborted.empty());
  f.clock.Advance(1);
  CHECK(f.runner.aborted == std::vector<uint64_t>{first});
  f.runner.CompleteAborts();
  f.clock.Advance(0);
  uint64_t second = f.Running("n");
  CHECK(second != first);
  f.clock.Advance(30 * kSecond);
  f.runner.CompleteAborts();
  CHECK(e.phase == ExecutionPhase::kFailed);
  const NodeState& n = f.Node(e, "n");
  CHECK(n.phase == NodePhase::kTimedOut);
  CHECK(n.error->code.text() == "TimeoutExpired");
  CHECK(n.error->message == "timed out after 30s (after 2 attempts)");
}

TEST_CASE("max parallelism caps running tasks and cpu requests take several slots") {
  EngineFixture f;
  ExecutionOptions o;
  o.max_parallelism = 2;
  const ExecutionState& e = f.Start(R"(
tasks:
  t: {command: [t]}
  big: {command: [big], resources: {cpu: 2}}
workflows:
  w:
    nodes:
      a: {task: t}
      b: {task: t}
      c: {task: big}
      d: {task: t}
)",
                                    "w", {}, o);
  // First come first served among equals: a and b fill both slots.
  CHECK(f.runner.running_ids().size() == 2);
  f.runner.Succeed(f.Running("a"));
  CHECK(f.runner.running_ids().size() == 1);  // c needs two slots; only one is free
  f.runner.Succeed(f.Running("b"));
  CHECK(f.runner.running_ids() == std::vector<uint64_t>{f.Running("c")});
  f.runner.Succeed(f.Running("c"));
  f.runner.Succeed(f.Running("d"));
  CHECK(e.phase == ExecutionPhase::kSucceeded);
}

TEST_CASE("ready nodes on the longest path start first") {
  EngineFixture f;
  ExecutionOptions o;
  o.max_parallelism = 1;
  f.Start(R"(
tasks:
  t: {outputs: {y: int}, command: [t]}
  s: {inputs: {x: int}, outputs: {y: int}, command: [s]}
workflows:
  w:
    nodes:
      short: {task: t}
      long1: {task: t}
      long2: {task: s, inputs: {x: "{{ long1.y }}"}}
      long3: {task: s, inputs: {x: "{{ long2.y }}"}}
)",
          "w", {}, o);
  CHECK(f.runner.NodeOf(f.runner.started.at(0)) == "long1");
}

TEST_CASE("fail_immediately aborts running nodes; the other policy lets them finish") {
  const char* yaml = R"(
tasks:
  t: {command: [t]}
workflows:
  w:
    failure_policy: %s
    nodes:
      a: {task: t}
      b: {task: t}
      c: {task: t, after: [a]}
)";
  SECTION("fail_immediately") {
    EngineFixture f;
    char buf[512];
    std::snprintf(buf, sizeof buf, yaml, "fail_immediately");
    const ExecutionState& e = f.Start(buf, "w");
    f.runner.FailUser(f.Running("a"));
    CHECK(e.phase == ExecutionPhase::kFailing);
    CHECK(f.runner.aborted.size() == 1);
    f.runner.CompleteAborts();
    CHECK(e.phase == ExecutionPhase::kFailed);
    CHECK(f.Node(e, "b").phase == NodePhase::kAborted);
    CHECK_FALSE(f.Node(e, "c").started);
  }
  SECTION("fail_after_executable_nodes_complete") {
    EngineFixture f;
    char buf[512];
    std::snprintf(buf, sizeof buf, yaml, "fail_after_executable_nodes_complete");
    const ExecutionState& e = f.Start(buf, "w");
    f.runner.FailUser(f.Running("a"));
    CHECK(e.phase == ExecutionPhase::kFailing);
    CHECK(f.runner.aborted.empty());
    f.runner.Succeed(f.Running("b"));
    CHECK(e.phase == ExecutionPhase::kFailed);
    CHECK(f.Node(e, "b").phase == NodePhase::kSucceeded);
    CHECK_FALSE(f.Node(e, "c").started);
  }
}

TEST_CASE("aborting an execution stops every running task and ends ABORTED") {
  EngineFixture f;
  const ExecutionState& e = f.Start(R"(
tasks:
  t: {command: [t]}
workflows:
  w: {nodes: {a: {task: t}, b: {task: t}}}
)",
                                    "w");
  REQUIRE(f.engine.Abort(e.key, "user asked").ok());
  CHECK(e.phase == ExecutionPhase::kAborting);
  CHECK(f.runner.aborted.size() == 2);
  f.runner.CompleteAborts();
  CHECK(e.phase == ExecutionPhase::kAborted);
  CHECK(e.error->message == "user asked");
  CHECK(f.engine.Abort(e.key, "again").code() == StatusCode::kFailedPrecondition);
}

TEST_CASE("a cached task runs once; the second run is a hit that spawns nothing") {
  EngineFixture f;
  const char* yaml = R"(
tasks:
  t: {inputs: {x: int}, outputs: {y: int}, command: [t], cache: true}
workflows:
  w:
    inputs: {x: int}
    outputs: {y: "{{ n.y }}"}
    nodes: {n: {task: t, inputs: {x: "{{ inputs.x }}"}}}
)";
  const ExecutionState& first = f.Start(yaml, "w", {Value::Int(7)});
  f.runner.Succeed(f.Running("n"), {Value::Int(49)});
  CHECK(f.Node(first, "n").cache == CacheStatus::kPopulated);
  size_t spawned = f.runner.started.size();
  const ExecutionState& second = f.Start(yaml, "w", {Value::Int(7)});
  CHECK(f.runner.started.size() == spawned);
  CHECK(second.phase == ExecutionPhase::kSucceeded);
  CHECK(f.Node(second, "n").cache == CacheStatus::kHit);
  CHECK(second.outputs == std::vector<Value>{Value::Int(49)});
  const ExecutionState& third = f.Start(yaml, "w", {Value::Int(8)});
  CHECK(f.Node(third, "n").cache == CacheStatus::kMiss);
}

TEST_CASE("identical serialized calls run once and the others take its result") {
  EngineFixture f;
  const char* yaml = R"(
tasks:
  t: {inputs: {x: int}, outputs: {y: int}, command: [t], cache: {serialize: true}}
workflows:
  w:
    nodes:
      a: {task: t, inputs: {x: 1}}
      b: {task: t, inputs: {x: 1}}
      c: {task: t, inputs: {x: 2}}
)";
  const ExecutionState& e = f.Start(yaml, "w");
  CHECK(f.runner.running_ids().size() == 2);  // a and c; b waits for a
  f.runner.Succeed(f.Running("a"), {Value::Int(10)});
  CHECK(f.Node(e, "b").phase == NodePhase::kSucceeded);
  CHECK(f.Node(e, "b").cache == CacheStatus::kHit);
  CHECK(f.Node(e, "b").outputs == std::vector<Value>{Value::Int(10)});
  f.runner.Succeed(f.Running("c"), {Value::Int(20)});
  CHECK(e.phase == ExecutionPhase::kSucceeded);
}

}  // namespace
}  // namespace flyte::testing
