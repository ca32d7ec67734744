#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

#include "support/engine_fixture.h"

namespace flyte::testing {
namespace {

const char* kTasks = R"(
tasks:
  square:
    inputs: {x: int}
    outputs: {y: int}
    command: [square]
  add:
    inputs: {values: "list[int]"}
    outputs: {sum: int}
    command: [add]
  noop:
    command: [noop]
)";

std::string Yaml(const std::string& rest) { return std::string(kTasks) + rest; }

TEST_CASE("a subworkflow runs inline and its nodes are children of the node") {
  EngineFixture f;
  const ExecutionState& e = f.Start(Yaml(R"(
workflows:
  inner:
    inputs: {x: int}
    outputs: {y: "{{ sq.y }}"}
    nodes: {sq: {task: square, inputs: {x: "{{ inputs.x }}"}}}
  outer:
    outputs: {y: "{{ sub.y }}"}
    nodes:
      sub: {workflow: inner, inputs: {x: 3}}
)"),
                                    "outer");
  uint64_t id = f.Running("sub/sq");
  CHECK(f.runner.launch(id).inputs == std::vector<Value>{Value::Int(3)});
  CHECK(f.Node(e, "sub/sq").parent == "sub");
  CHECK(f.Node(e, "sub").phase == NodePhase::kRunning);
  f.runner.Succeed(id, {Value::Int(9)});
  CHECK(f.Node(e, "sub").phase == NodePhase::kSucceeded);
  CHECK(e.phase == ExecutionPhase::kSucceeded);
  CHECK(e.outputs == std::vector<Value>{Value::Int(9)});
}

const char* kBranch = R"(
workflows:
  w:
    inputs: {n: int}
    outputs: {y: "{{ decide.y }}"}
    nodes:
      decide:
        branch:
          - if: "{{ inputs.n }} > 10"
            task: square
            inputs: {x: "{{ inputs.n }}"}
          - if: "{{ inputs.n }} >= 5 and {{ inputs.n }} != 7"
            task: square
            inputs: {x: 5}
          - else: {fail: "n is too small"}
)";

TEST_CASE("a branch runs the first case whose condition holds and skips the others") {
  EngineFixture f;
  const ExecutionState& e = f.Start(Yaml(kBranch), "w", {Value::Int(6)});
  uint64_t id = f.Running("decide/2");
  CHECK(f.runner.launch(id).inputs == std::vector<Value>{Value::Int(5)});
  CHECK(f.Node(e, "decide/1").phase == NodePhase::kSkipped);
  f.runner.Succeed(id, {Value::Int(25)});
  CHECK(e.phase == ExecutionPhase::kSucceeded);
  CHECK(e.outputs == std::vector<Value>{Value::Int(25)});
}

TEST_CASE("a branch whose else case fails fails the node with its message") {
  EngineFixture f;
  const ExecutionState& e = f.Start(Yaml(kBranch), "w", {Value::Int(7)});
  CHECK(f.runner.started.empty());
  CHECK(e.phase == ExecutionPhase::kFailed);
  CHECK(f.Node(e, "decide").error->message == "n is too small");
}

const char* kMap = R"(
workflows:
  w:
    inputs: {xs: "list[int]"}
    outputs: {total: "{{ sum.sum }}"}
    nodes:
      sq: {map: square, inputs: {x: "{{ inputs.xs }}"}, concurrency: 2}
      sum: {task: add, inputs: {values: "{{ sq.y }}"}}
)";

TEST_CASE("a map runs one item per element, at most `concurrency` at once, in input order") {
  EngineFixture f;
  const ExecutionState& e =
      f.Start(Yaml(kMap), "w", {Value::FromList({Value::Int(1), Value::Int(2), Value::Int(3)})});
  CHECK(f.runner.running_ids().size() == 2);
  uint64_t second = f.Running("sq[1]");
  f.runner.Succeed(second, {Value::Int(4)});
  uint64_t third = f.Running("sq[2]");
  f.runner.Succeed(third, {Value::Int(9)});
  f.runner.Succeed(f.Running("sq[0]"), {Value::Int(1)});
  uint64_t sum = f.Running("sum");
  CHECK(f.runner.launch(sum).inputs ==
        std::vector<Value>{Value::FromList({Value::Int(1), Value::Int(4), Value::Int(9)})});
  CHECK(f.Node(e, "sq[2]").parent == "sq");
  f.runner.Succeed(sum, {Value::Int(14)});
  CHECK(e.outputs == std::vector<Value>{Value::Int(14)});
}

TEST_CASE("a map over an empty list succeeds with empty lists and spawns nothing") {
  EngineFixture f;
  const ExecutionState& e = f.Start(Yaml(kMap), "w", {Value::FromList({})});
  uint64_t sum = f.Running("sum");
  CHECK(f.runner.started.size() == 1);
  CHECK(f.runner.launch(sum).inputs == std::vector<Value>{Value::FromList({})});
  (void)e;
}

TEST_CASE("min_success_ratio turns failed items into nulls and fails once success is impossible") {
  const char* yaml = R"(
workflows:
  w:
    inputs: {xs: "list[int]"}
    outputs: {ys: "{{ sq.y }}"}
    nodes:
      sq: {map: square, inputs: {x: "{{ inputs.xs }}"}, min_success_ratio: 0.5}
)";
  std::vector<Value> four = {
      Value::FromList({Value::Int(1), Value::Int(2), Value::Int(3), Value::Int(4)})};
  SECTION("enough succeed") {
    EngineFixture f;
    const ExecutionState& e = f.Start(Yaml(yaml), "w", four);
    f.runner.FailUser(f.Running("sq[0]"));
    f.runner.Succeed(f.Running("sq[1]"), {Value::Int(4)});
    f.runner.FailUser(f.Running("sq[2]"));
    f.runner.Succeed(f.Running("sq[3]"), {Value::Int(16)});
    REQUIRE(e.phase == ExecutionPhase::kSucceeded);
    CHECK(e.outputs ==
          std::vector<Value>{Value::FromList({Value(), Value::Int(4), Value(), Value::Int(16)})});
  }
  SECTION("too many fail") {
    EngineFixture f;
    const ExecutionState& e = f.Start(Yaml(yaml), "w", four);
    f.runner.FailUser(f.Running("sq[0]"));
    f.runner.FailUser(f.Running("sq[1]"));
    CHECK(e.phase == ExecutionPhase::kRunning);
    f.runner.FailUser(f.Running("sq[2]"));
    CHECK(f.Node(e, "sq").phase == NodePhase::kFailed);
    CHECK(f.Node(e, "sq").error->message.find("3 of 4 items failed and 2 had to succeed") == 0);
    f.runner.CompleteAborts();
    CHECK(e.phase == ExecutionPhase::kFailed);
  }
}

TEST_CASE("each map item is retried and cached on its own") {
  EngineFixture f;
  const std::string yaml = std::string(R"(
tasks:
  square:
    inputs: {x: int}
    outputs: {y: int}
    command: [square]
    retries: 1
    retry_backoff: {initial: 0s}
    cache: true
workflows:
  w:
    inputs: {xs: "list[int]"}
    outputs: {ys: "{{ sq.y }}"}
    nodes:
      sq: {map: square, inputs: {x: "{{ inputs.xs }}"}}
)");
  const ExecutionState& first =
      f.Start(yaml, "w", {Value::FromList({Value::Int(1), Value::Int(2)})});
  f.runner.FailUser(f.Running("sq[0]"));
  f.clock.Advance(0);
  f.runner.Succeed(f.Running("sq[0]"), {Value::Int(1)});
  f.runner.Succeed(f.Running("sq[1]"), {Value::Int(4)});
  CHECK(f.Node(first, "sq[0]").attempts.size() == 2);
  CHECK(first.phase == ExecutionPhase::kSucceeded);
  size_t spawned = f.runner.started.size();
  const ExecutionState& second =
      f.Start(yaml, "w", {Value::FromList({Value::Int(2), Value::Int(3)})});
  CHECK(f.Node(second, "sq[0]").cache == CacheStatus::kHit);
  CHECK(f.runner.started.size() == spawned + 1);  // only x=3 runs
}

TEST_CASE("a sleep gate waits on the clock, not on a thread") {
  EngineFixture f;
  const ExecutionState& e = f.Start(Yaml(R"(
workflows:
  w:
    nodes:
      pause: {sleep: 30s}
      after: {task: noop, after: [pause]}
)"),
                                    "w");
  CHECK(f.runner.started.empty());
  f.clock.Advance(30 * kSecond - 1);
  CHECK(f.runner.started.empty());
  f.clock.Advance(1);
  f.runner.Succeed(f.Running("after"));
  CHECK(e.phase == ExecutionPhase::kSucceeded);
}

const char* kGates = R"(
workflows:
  w:
    outputs: {lr: "{{ lr.value }}", model: "{{ ok.value }}"}
    nodes:
      lr: {signal: {name: lr, type: float}, timeout: 1h}
      ok: {approve: "{{ lr.value }}"}
)";

TEST_CASE("signal and approve gates wait for typed values") {
  EngineFixture f;
  const ExecutionState& e = f.Start(Yaml(kGates), "w");
  CHECK(f.Node(e, "lr").phase == NodePhase::kRunning);
  CHECK(f.engine.Signal(e.key, "lr", Value::Str("fast")).code() == StatusCode::kInvalidArgument);
  REQUIRE(f.engine.Signal(e.key, "lr", Value::Int(1)).ok());  // an int is a fine float
  CHECK(f.Node(e, "ok").phase == NodePhase::kRunning);
  REQUIRE(f.engine.Signal(e.key, "ok", Value::Bool(true)).ok());
  CHECK(e.phase == ExecutionPhase::kSucceeded);
  CHECK(e.outputs == std::vector<Value>{Value::Float(1.0), Value::Float(1.0)});
}

TEST_CASE("a rejected approval fails, and an unanswered gate times out") {
  SECTION("rejected") {
    EngineFixture f;
    const ExecutionState& e = f.Start(Yaml(kGates), "w");
    REQUIRE(f.engine.Signal(e.key, "lr", Value::Float(0.1)).ok());
    REQUIRE(f.engine.Signal(e.key, "ok", Value::Bool(false)).ok());
    CHECK(e.phase == ExecutionPhase::kFailed);
    CHECK(f.Node(e, "ok").error->code.text() == "ReceivedRejectSignal");
  }
  SECTION("timed out") {
    EngineFixture f;
    ExecutionOptions o;
    o.gate_hint = "pass --signal lr=VALUE";
    const ExecutionState& e = f.Start(Yaml(kGates), "w", {}, o);
    f.clock.Advance(3600 * kSecond);
    CHECK(e.phase == ExecutionPhase::kFailed);
    CHECK(f.Node(e, "lr").phase == NodePhase::kTimedOut);
    CHECK(f.Node(e, "lr").error->message == "waited 1h for signal 'lr'; pass --signal lr=VALUE");
  }
}

TEST_CASE("a launch-plan node starts a child execution with the plan's fixed inputs") {
  EngineFixture f;
  const ExecutionState& e = f.Start(Yaml(R"(
workflows:
  child:
    inputs: {a: int, b: int}
    outputs: {y: "{{ s.sum }}"}
    nodes: {s: {task: add, inputs: {values: ["{{ inputs.a }}", "{{ inputs.b }}"]}}}
  parent:
    outputs: {y: "{{ run.y }}"}
    nodes:
      run: {launch_plan: fixed_b, inputs: {a: 1}}
launch_plans:
  fixed_b: {workflow: child, fixed_inputs: {b: 2}}
)"),
                                    "parent");
  const ExecutionState* child = f.engine.Find({e.key.project, e.key.domain, e.key.name + "-run"});
  REQUIRE(child != nullptr);
  CHECK(child->parent == e.key.name + "/run");
  uint64_t id = f.Running("s");
  CHECK(f.runner.launch(id).inputs ==
        std::vector<Value>{Value::FromList({Value::Int(1), Value::Int(2)})});
  f.runner.Succeed(id, {Value::Int(3)});
  CHECK(child->phase == ExecutionPhase::kSucceeded);
  CHECK(e.phase == ExecutionPhase::kSucceeded);
  CHECK(e.outputs == std::vector<Value>{Value::Int(3)});
}

TEST_CASE("on_failure runs with the workflow inputs and the error, and the workflow still fails") {
  EngineFixture f;
  const ExecutionState& e = f.Start(R"(
tasks:
  boom: {command: [boom]}
  notify:
    inputs: {who: str, error: str}
    command: [notify]
workflows:
  w:
    inputs: {who: {type: str, default: ops}}
    on_failure: {task: notify}
    nodes: {b: {task: boom}}
)",
                                    "w");
  f.runner.FailUser(f.Running("b"), "exit code 2", 2);
  uint64_t handler = f.Running("on_failure");
  CHECK(e.phase == ExecutionPhase::kFailing);
  CHECK(f.runner.launch(handler).inputs ==
        std::vector<Value>{Value::Str("ops"), Value::Str("exit code 2")});
  f.runner.Succeed(handler);
  CHECK(e.phase == ExecutionPhase::kFailed);
  CHECK(e.error->message == "exit code 2");
}

TEST_CASE("a map inside a subworkflow inside a branch runs, two levels deep") {
  EngineFixture f;
  const ExecutionState& e =
      f.Start(Yaml(R"(
workflows:
  squares:
    inputs: {xs: "list[int]"}
    outputs: {ys: "{{ sq.y }}"}
    nodes: {sq: {map: square, inputs: {x: "{{ inputs.xs }}"}}}
  w:
    inputs: {xs: "list[int]", go: bool}
    outputs: {ys: "{{ pick.ys }}"}
    nodes:
      pick:
        branch:
          - if: "{{ inputs.go }}"
            workflow: squares
            inputs: {xs: "{{ inputs.xs }}"}
          - else: {fail: "not going"}
)"),
              "w", {Value::FromList({Value::Int(2), Value::Int(3)}), Value::Bool(true)});
  f.runner.Succeed(f.Running("pick/1/sq[0]"), {Value::Int(4)});
  f.runner.Succeed(f.Running("pick/1/sq[1]"), {Value::Int(9)});
  CHECK(e.phase == ExecutionPhase::kSucceeded);
  CHECK(e.outputs == std::vector<Value>{Value::FromList({Value::Int(4), Value::Int(9)})});
  CHECK(f.Node(e, "pick/1/sq").parent == "pick/1");
  CHECK(f.Node(e, "pick/1").parent == "pick");
}

TEST_CASE("a dynamic task's fragment runs as a sub-DAG whose outputs become the task's") {
  EngineFixture f;
  const ExecutionState& e = f.Start(Yaml(R"(
  fan:
    inputs: {n: int}
    outputs: {total: int}
    command: [fan]
    dynamic: true
workflows:
  w:
    outputs: {total: "{{ d.total }}"}
    nodes: {d: {task: fan, inputs: {n: 2}}}
)"),
                                    "w");
  char path[] = "/tmp/flyte-dyn-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(path) << "nodes:\n  sq: {map: square, inputs: {x: [1, \"{{ inputs.n }}\"]}}\n"
                         "  sum: {task: add, inputs: {values: \"{{ sq.y }}\"}}\n"
                         "outputs: {total: \"{{ sum.sum }}\"}\n";
  AttemptResult r;
  r.dynamic_spec_path = path;
  f.runner.Finish(f.Running("d"), r);
  CHECK(f.Node(e, "d").phase == NodePhase::kDynamicRunning);
  f.runner.Succeed(f.Running("d/sq[0]"), {Value::Int(1)});
  f.runner.Succeed(f.Running("d/sq[1]"), {Value::Int(4)});
  f.runner.Succeed(f.Running("d/sum"), {Value::Int(5)});
  CHECK(e.phase == ExecutionPhase::kSucceeded);
  CHECK(e.outputs == std::vector<Value>{Value::Int(5)});
  std::remove(path);
}

TEST_CASE("a dynamic fragment that does not compile fails the node with located messages") {
  EngineFixture f;
  const ExecutionState& e = f.Start(Yaml(R"(
  fan:
    outputs: {total: int}
    command: [fan]
    dynamic: true
workflows:
  w:
    nodes: {d: {task: fan}}
)"),
                                    "w");
  char path[] = "/tmp/flyte-dyn-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(path) << "nodes:\n  sq: {task: squar}\noutputs: {total: 1}\n";
  AttemptResult r;
  r.dynamic_spec_path = path;
  f.runner.Finish(f.Running("d"), r);
  CHECK(e.phase == ExecutionPhase::kFailed);
  const std::string& msg = f.Node(e, "d").error->message;
  INFO(msg);
  CHECK(msg.find(std::string(path) + ":2:14: error[TaskReferenceNotFound]: node 'sq' runs unknown "
                                     "task 'squar' (did you mean 'square'?)") != std::string::npos);
  std::remove(path);
}

// Writes a dynamic fragment to a temporary file and returns its path.
std::string Fragment(const std::string& text) {
  char path[] = "/tmp/flyte-dyn-XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

TEST_CASE("a dynamic fragment may hold a dynamic task, whose own fragment runs two levels down") {
  EngineFixture f;
  const ExecutionState& e = f.Start(Yaml(R"(
  outer:
    inputs: {n: int}
    outputs: {total: int}
    command: [outer]
    dynamic: true
  inner:
    inputs: {n: int}
    outputs: {total: int}
    command: [inner]
    dynamic: true
workflows:
  w:
    outputs: {total: "{{ d.total }}"}
    nodes: {d: {task: outer, inputs: {n: 3}}}
)"),
                                    "w");
  const std::string first = Fragment(
      "nodes:\n  in: {task: inner, inputs: {n: \"{{ inputs.n }}\"}}\noutputs: {total: \"{{ "
      "in.total }}\"}\n");
  const std::string second = Fragment(
      "nodes:\n  sq: {map: square, inputs: {x: [\"{{ inputs.n }}\", 2]}}\n"
      "  sum: {task: add, inputs: {values: \"{{ sq.y }}\"}}\noutputs: {total: \"{{ sum.sum "
      "}}\"}\n");
  AttemptResult r1;
  r1.dynamic_spec_path = first;
  f.runner.Finish(f.Running("d"), r1);
  CHECK(f.Node(e, "d").phase == NodePhase::kDynamicRunning);
  uint64_t in = f.Running("d/in");
  CHECK(f.runner.launch(in).inputs == std::vector<Value>{Value::Int(3)});
  AttemptResult r2;
  r2.dynamic_spec_path = second;
  f.runner.Finish(in, r2);
  CHECK(f.Node(e, "d/in").phase == NodePhase::kDynamicRunning);
  f.runner.Succeed(f.Running("d/in/sq[0]"), {Value::Int(9)});
  f.runner.Succeed(f.Running("d/in/sq[1]"), {Value::Int(4)});
  CHECK(f.Node(e, "d/in/sq[1]").parent == "d/in/sq");
  f.runner.Succeed(f.Running("d/in/sum"), {Value::Int(13)});
  CHECK(f.Node(e, "d/in").phase == NodePhase::kSucceeded);
  CHECK(e.phase == ExecutionPhase::kSucceeded);
  CHECK(e.outputs == std::vector<Value>{Value::Int(13)});
  std::remove(first.c_str());
  std::remove(second.c_str());
}

TEST_CASE("workflow max_parallelism counts map items with the other running tasks") {
  EngineFixture f;
  const ExecutionState& e = f.Start(Yaml(R"(
workflows:
  w:
    max_parallelism: 3
    nodes:
      sq: {map: square, inputs: {x: [1, 2, 3, 4, 5]}}
      a: {task: noop}
      b: {task: noop}
)"),
                                    "w");
  // Three slots for seven tasks, whatever node they belong to.
  CHECK(f.runner.running_ids().size() == 3);
  while (!f.runner.running_ids().empty()) {
    CHECK(f.runner.running_ids().size() <= 3);
    uint64_t id = f.runner.running_ids().front();
    if (f.runner.launch(id).task->name == "square") {
      f.runner.Succeed(id, {Value::Int(0)});
    } else {
      f.runner.Succeed(id, {});
    }
  }
  CHECK(e.phase == ExecutionPhase::kSucceeded);
}

}  // namespace
}  // namespace flyte::testing
