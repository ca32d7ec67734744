// Resuming an execution after a restart and recovering an ended one (PriorRun), with the fake
// runner: what is restored runs nothing, what was running is adopted, the rest starts.
#include <catch2/catch.hpp>

#include <algorithm>

#include "support/engine_fixture.h"

namespace flyte::testing {
namespace {

const char* kChain = R"(
tasks:
  inc:
    inputs: {x: int}
    outputs: {y: int}
    command: [inc]
    retries: 1
  fan:
    inputs: {x: int}
    outputs: {y: int}
    command: [fan]
workflows:
  chain:
    inputs: {start: {type: int, default: 1}}
    outputs: {result: "{{ c.y }}"}
    nodes:
      a: {task: inc, inputs: {x: "{{ inputs.start }}"}}
      b: {task: inc, inputs: {x: "{{ a.y }}"}}
      c: {task: inc, inputs: {x: "{{ b.y }}"}}
  mapped:
    outputs: {ys: "{{ m.y }}"}
    nodes:
      m: {map: fan, inputs: {x: [10, 20, 30]}}
)";

PriorNode Done(const std::string& outputs_json, NodePhase phase = NodePhase::kSucceeded) {
  PriorNode p;
  p.phase = phase;
  p.outputs_json = outputs_json;
  p.queued_at = 5;
  p.started_at = 6;
  p.ended_at = 7;
  AttemptState a;
  a.phase = TaskPhase::kSucceeded;
  p.attempts.push_back(a);
  return p;
}

PriorNode Running(std::vector<TaskPhase> attempts) {
  PriorNode p;
  p.phase = NodePhase::kRunning;
  for (size_t i = 0; i < attempts.size(); ++i) {
    AttemptState a;
    a.index = static_cast<uint32_t>(i);
    a.phase = attempts[i];
    a.started_at = 100 + static_cast<int64_t>(i);
    p.attempts.push_back(a);
  }
  return p;
}

bool Has(const std::vector<std::string>& events, const std::string& e) {
  return std::find(events.begin(), events.end(), e) != events.end();
}

TEST_CASE("resuming keeps succeeded nodes, adopts the running attempt and runs the rest") {
  EngineFixture f;
  auto prior = std::make_shared<PriorRun>();
  prior->mode = PriorRun::Mode::kResume;
  prior->created_at = 1;
  prior->started_at = 2;
  prior->nodes["a"] = Done(R"({"y":2})");
  prior->nodes["b"] = Running({TaskPhase::kRunning});
  f.prior = prior;
  const ExecutionState& e = f.Start(kChain, "chain");
  CHECK(e.created_at == 1);
  CHECK(e.started_at == 2);
  CHECK_FALSE(Has(f.log.events, "execution QUEUED"));  // it had been queued long ago
  CHECK_FALSE(Has(f.log.events, "a QUEUED"));
  CHECK(Has(f.log.events, "a SUCCEEDED"));
  const NodeState& a = f.Node(e, "a");
  CHECK(a.outputs == std::vector<Value>{Value::Int(2)});
  CHECK(a.started_at == 6);
  CHECK(a.ended_at == 7);
  // b's attempt 0 is adopted, not started again, with its inputs rebuilt from a's outputs.
  CHECK(f.runner.started.empty());
  REQUIRE(f.runner.adopted.size() == 1);
  uint64_t b = f.runner.adopted[0];
  CHECK(f.runner.launch(b).inputs == std::vector<Value>{Value::Int(2)});
  CHECK(f.runner.launch(b).attempt_dir == "/tmp/flyte-engine-test/b/0");
  CHECK(f.Node(e, "b").attempts.size() == 1);
  CHECK(f.Node(e, "b").attempts[0].started_at == 100);
  f.runner.Succeed(b, {Value::Int(3)});
  // c never ran before: it might have started in the moment before the crash, so the runner
  // is asked to adopt it too (and starts it when it finds no trace).
  REQUIRE(f.runner.adopted.size() == 2);
  f.runner.Succeed(f.runner.adopted[1], {Value::Int(4)});
  CHECK(e.phase == ExecutionPhase::kSucceeded);
  CHECK(e.outputs == std::vector<Value>{Value::Int(4)});
}

TEST_CASE(
    "resuming after a failed attempt continues with the next one and keeps the budget spent") {
  EngineFixture f;
  auto prior = std::make_shared<PriorRun>();
  prior->nodes["a"] = Running({TaskPhase::kRetryableFailed});
  f.prior = prior;
  const ExecutionState& e = f.Start(kChain, "chain");
  REQUIRE(f.runner.adopted.size() == 1);
  uint64_t a = f.runner.adopted[0];
  CHECK(f.runner.launch(a).attempt_dir == "/tmp/flyte-engine-test/a/1");
  // retries: 1 gives two attempts; the first failed before the restart, so this one is the last.
  f.runner.FailUser(a);
  CHECK(f.Node(e, "a").phase == NodePhase::kFailed);
  CHECK(f.Node(e, "a").attempts.size() == 2);
  CHECK(e.phase == ExecutionPhase::kFailed);
}

TEST_CASE("resuming a map restores its finished items and adopts the others") {
  EngineFixture f;
  auto prior = std::make_shared<PriorRun>();
  prior->nodes["m"] = Running({});
  prior->nodes["m[0]"] = Done(R"({"y":11})");
  prior->nodes["m[1]"] = Running({TaskPhase::kRunning});
  f.prior = prior;
  const ExecutionState& e = f.Start(kChain, "mapped");
  CHECK(f.Node(e, "m[0]").phase == NodePhase::kSucceeded);
  CHECK(f.runner.started.empty());
  REQUIRE(f.runner.adopted.size() == 2);  // m[1] and the unrecorded m[2]
  for (uint64_t id : std::vector<uint64_t>(f.runner.adopted))
    f.runner.Succeed(id, {Value::Int(99)});
  CHECK(e.phase == ExecutionPhase::kSucceeded);
  CHECK(e.outputs ==
        std::vector<Value>{Value::FromList({Value::Int(11), Value::Int(99), Value::Int(99)})});
}

TEST_CASE("recovering marks succeeded nodes RECOVERED and runs the failed ones afresh") {
  EngineFixture f;
  auto prior = std::make_shared<PriorRun>();
  prior->mode = PriorRun::Mode::kRecover;
  prior->nodes["a"] = Done(R"({"y":2})");
  PriorNode failed = Running({TaskPhase::kFailed});
  failed.phase = NodePhase::kFailed;
  failed.error = ExecError{ExecErrorCode::kNonZeroExit, "exit code 1", ErrorKind::kUser, "b"};
  prior->nodes["b"] = failed;
  f.prior = prior;
  const ExecutionState& e = f.Start(kChain, "chain");
  CHECK(Has(f.log.events, "execution QUEUED"));  // a new execution
  CHECK(Has(f.log.events, "a RECOVERED"));
  CHECK(f.Node(e, "a").phase == NodePhase::kRecovered);
  CHECK(f.runner.adopted.empty());
  uint64_t b = f.Running("b");
  CHECK(f.runner.launch(b).inputs == std::vector<Value>{Value::Int(2)});
  CHECK(f.runner.launch(b).attempt_dir == "/tmp/flyte-engine-test/b/0");
  f.runner.Succeed(b, {Value::Int(3)});
  f.runner.Succeed(f.Running("c"), {Value::Int(4)});
  CHECK(e.phase == ExecutionPhase::kSucceeded);
  CHECK(e.outputs == std::vector<Value>{Value::Int(4)});
  CHECK(f.runner.started.size() == 2);  // b and c; a ran only in the earlier execution
}

TEST_CASE("a recovered node whose stored outputs no longer fit its type runs again") {
  EngineFixture f;
  auto prior = std::make_shared<PriorRun>();
  prior->mode = PriorRun::Mode::kRecover;
  prior->nodes["a"] = Done(R"({"y":"not an int"})");
  f.prior = prior;
  const ExecutionState& e = f.Start(kChain, "chain");
  CHECK(f.Node(e, "a").phase == NodePhase::kRunning);
  CHECK(f.runner.started.size() == 1);
}

TEST_CASE("recovering a map reuses its succeeded items and runs the failed one") {
  EngineFixture f;
  auto prior = std::make_shared<PriorRun>();
  prior->mode = PriorRun::Mode::kRecover;
  prior->nodes["m[0]"] = Done(R"({"y":11})");
  prior->nodes["m[2]"] = Done(R"({"y":33})");
  f.prior = prior;
  const ExecutionState& e = f.Start(kChain, "mapped");
  CHECK(f.Node(e, "m[0]").phase == NodePhase::kRecovered);
  REQUIRE(f.runner.started.size() == 1);
  CHECK(f.runner.launch(f.runner.started[0]).inputs == std::vector<Value>{Value::Int(20)});
  f.runner.Succeed(f.runner.started[0], {Value::Int(22)});
  CHECK(e.phase == ExecutionPhase::kSucceeded);
  CHECK(e.outputs ==
        std::vector<Value>{Value::FromList({Value::Int(11), Value::Int(22), Value::Int(33)})});
}

// What a restart took from a node's wait: time goes on while no server runs.
TEST_CASE("a resumed sleep gate waits only for what is left of it") {
  EngineFixture f;
  auto prior = std::make_shared<PriorRun>();
  PriorNode pause;
  pause.phase = NodePhase::kRunning;
  pause.queued_at = pause.started_at = f.clock.Now() - 20 * kSecond;  // slept 20 s of 30 before
  prior->nodes["pause"] = pause;
  f.prior = prior;
  const ExecutionState& e = f.Start(R"(
tasks:
  noop: {command: [noop]}
workflows:
  w:
    nodes:
      pause: {sleep: 30s}
      after: {task: noop, after: [pause]}
)",
                                    "w");
  f.clock.Advance(10 * kSecond - 1);
  CHECK(f.runner.adopted.empty());
  f.clock.Advance(1);
  REQUIRE(f.runner.adopted.size() == 1);  // `after` starts (through adopt: it may have started)
  CHECK(f.Node(e, "pause").started_at == pause.started_at);
  f.runner.Succeed(f.runner.adopted[0]);
  CHECK(e.phase == ExecutionPhase::kSucceeded);
}

TEST_CASE("a resumed gate's timeout counts the time it waited before the restart") {
  EngineFixture f;
  auto prior = std::make_shared<PriorRun>();
  PriorNode gate;
  gate.phase = NodePhase::kRunning;
  gate.queued_at = gate.started_at = f.clock.Now() - 50 * 60 * kSecond;
  prior->nodes["lr"] = gate;
  f.prior = prior;
  const ExecutionState& e = f.Start(R"(
workflows:
  w:
    outputs: {lr: "{{ lr.value }}"}
    nodes:
      lr: {signal: {name: lr, type: float}, timeout: 1h}
)",
                                    "w");
  f.clock.Advance(10 * 60 * kSecond - 1);
  CHECK(f.Node(e, "lr").phase == NodePhase::kRunning);
  f.clock.Advance(1);
  CHECK(f.Node(e, "lr").phase == NodePhase::kTimedOut);
  CHECK(f.Node(e, "lr").error->message == "waited 1h for signal 'lr'");
  CHECK(e.phase == ExecutionPhase::kFailed);
}

TEST_CASE("an adopted attempt's timeout counts the time it ran before the restart") {
  EngineFixture f;
  auto prior = std::make_shared<PriorRun>();
  PriorNode n = Running({TaskPhase::kRunning});
  n.attempts[0].started_at = f.clock.Now() - 25 * kSecond;
  prior->nodes["n"] = n;
  f.prior = prior;
  const ExecutionState& e = f.Start(R"(
tasks:
  slow: {command: [slow], timeout: 30s}
workflows:
  w: {nodes: {n: {task: slow}}}
)",
                                    "w");
  REQUIRE(f.runner.adopted.size() == 1);
  f.clock.Advance(5 * kSecond - 1);
  CHECK(f.runner.aborted.empty());
  f.clock.Advance(1);
  CHECK(f.runner.aborted == std::vector<uint64_t>{f.runner.adopted[0]});
  f.runner.CompleteAborts();
  CHECK(f.Node(e, "n").phase == NodePhase::kTimedOut);
  CHECK(f.Node(e, "n").error->message == "timed out after 30s");
}

TEST_CASE("a resumed launch-plan child gets the signals it had received before the restart") {
  EngineFixture f;
  auto prior = std::make_shared<PriorRun>();
  PriorNode run;
  run.phase = NodePhase::kRunning;
  run.child_execution = "earlier-child";
  prior->nodes["run"] = run;
  auto child = std::make_shared<PriorRun>();
  child->signals = {{"go", Value::Int(5)}};  // sent while its gate was not reached yet
  prior->children["earlier-child"] = child;
  f.prior = prior;
  const ExecutionState& e = f.Start(R"(
workflows:
  inner:
    outputs: {v: "{{ g.value }}"}
    nodes:
      g: {signal: {name: go, type: int}}
  outer:
    outputs: {v: "{{ run.v }}"}
    nodes:
      run: {launch_plan: plan}
launch_plans:
  plan: {workflow: inner}
)",
                                    "outer");
  CHECK(e.phase == ExecutionPhase::kSucceeded);
  CHECK(e.outputs == std::vector<Value>{Value::Int(5)});
}

}  // namespace
}  // namespace flyte::testing
