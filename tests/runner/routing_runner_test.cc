// The routing runner: each attempt goes to the runner of its executor kind, results come back
// through one callback, and only tasks that run here take the execution's slots.
#include "runner/routing_runner.h"

#include <catch2/catch.hpp>

#include "support/engine_fixture.h"
#include "support/fake_runner.h"

namespace flyte::testing {
namespace {

// A runner whose attempts run elsewhere (a cluster): they take no local slots.
class RemoteFake : public FakeRunner {
 public:
  bool RunsHere(ExecutorKind) const override { return false; }
};

TaskLaunch LaunchOf(uint64_t id, ExecutorKind kind) {
  TaskLaunch l;
  l.id = id;
  l.executor = kind;
  return l;
}

}  // namespace

TEST_CASE("the routing runner hands each attempt to its kind's runner and reports back once") {
  FakeRunner local;
  RemoteFake pods;
  RoutingRunner routing(local);
  routing.Route(ExecutorKind::kContainer, pods);
  std::vector<uint64_t> done;
  routing.SetCallbacks([&](uint64_t id, AttemptResult) { done.push_back(id); }, nullptr);
  routing.Start(LaunchOf(1, ExecutorKind::kProcess));
  routing.Start(LaunchOf(2, ExecutorKind::kContainer));
  routing.Start(LaunchOf(3, ExecutorKind::kDask));  // no runner of its own: the fallback's
  CHECK(local.started == std::vector<uint64_t>{1, 3});
  CHECK(pods.started == std::vector<uint64_t>{2});
  CHECK(routing.running() == 3);
  routing.Abort(2);
  CHECK(pods.aborted == std::vector<uint64_t>{2});
  CHECK(local.aborted.empty());
  pods.CompleteAborts();
  local.Succeed(3);
  CHECK(done == std::vector<uint64_t>{2, 3});
  CHECK(routing.running() == 1);
  CHECK(routing.RunsHere(ExecutorKind::kProcess));
  CHECK_FALSE(routing.RunsHere(ExecutorKind::kContainer));
}

TEST_CASE("a required kind without a runner is refused, naming the task and what to do") {
  FakeRunner local;
  RoutingRunner routing(local);
  CHECK(routing.CanRun(ExecutorKind::kContainer, "train").ok());
  routing.Require(ExecutorKind::kContainer,
                  "it needs Kubernetes: pass --kubernetes or --kubeconfig");
  Status st = routing.CanRun(ExecutorKind::kContainer, "train");
  CHECK(st.code() == StatusCode::kFailedPrecondition);
  CHECK(st.message() ==
        "task 'train' runs as container, which nothing here can run: it needs Kubernetes: pass "
        "--kubernetes or "
        "--kubeconfig");
  RemoteFake pods;
  routing.Route(ExecutorKind::kContainer, pods);
  CHECK(routing.CanRun(ExecutorKind::kContainer, "train").ok());
}

TEST_CASE("tasks that run elsewhere do not take the execution's local slots") {
  FakeRunner local;
  RemoteFake pods;
  RoutingRunner routing(local);
  routing.Route(ExecutorKind::kContainer, pods);
  ManualClock clock;
  MemoryCache cache;
  Engine engine(routing, clock, &cache);
  CompileOutput out = CompileText("test.yaml", R"(
tasks:
  here: {command: [t]}
  there: {command: [t], image: "python:3.12"}
workflows:
  w:
    nodes:
      a: {task: here}
      b: {task: here}
      c: {task: there}
      d: {task: there}
      e: {task: here, image: "python:3.12"}
)");
  INFO(out.diagnostics.FormatAll());
  REQUIRE(out.ok());
  ExecutionRequest req;
  req.key = {"flytesnacks", "development", "slots"};
  req.file = out.file;
  req.workflow = out.file->FindWorkflow("w");
  req.options.max_parallelism = 1;
  req.options.run_dir = "/tmp/flyte-engine-test";
  const ExecutionState& e = engine.Start(std::move(req));
  // One local task at a time; every container task at once, a node's image override too.
  CHECK(local.running_ids().size() == 1);
  CHECK(pods.running_ids().size() == 3);
  const TaskLaunch& l = pods.launch(pods.running_ids().front());
  CHECK(l.attempt.execution == "slots");
  CHECK(l.attempt.project == "flytesnacks");
  CHECK(l.attempt.task == "there");
  CHECK(l.attempt.attempt == 0);
  CHECK(l.executor == ExecutorKind::kContainer);
  for (uint64_t id : std::vector<uint64_t>(pods.running_ids())) pods.Succeed(id);
  while (!local.running_ids().empty()) local.Succeed(local.running_ids().front());
  CHECK(e.phase == ExecutionPhase::kSucceeded);
}

}  // namespace flyte::testing
