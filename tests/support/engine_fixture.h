// Compiles inline YAML and runs it on an engine with a fake runner, a manual clock and an
// in-memory cache, recording every phase change for assertions.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "flyte/compiler.h"
#include "flyte/engine.h"
#include "support/fake_runner.h"
#include "support/manual_clock.h"
#include "support/memory_cache.h"

namespace flyte::testing {

constexpr int64_t kSecond = 1'000'000'000;

class PhaseLog : public EngineObserver {
 public:
  void OnExecution(const ExecutionState& e) override {
    events.push_back("execution " + std::string(PhaseName(e.phase)));
  }
  void OnNode(const ExecutionState&, const NodeState& n) override {
    events.push_back(n.id + " " + std::string(PhaseName(n.phase)));
  }
  void OnAttempt(const ExecutionState&, const NodeState& n, const AttemptState& a) override {
    events.push_back(n.id + "#" + std::to_string(a.index) + " " + std::string(PhaseName(a.phase)));
  }
  std::vector<std::string> events;
};

class EngineFixture {
 public:
  EngineFixture() : engine(runner, clock, &cache) { engine.AddObserver(&log); }

  // Compiles `yaml` (REQUIRE-ing success) and starts `workflow` with `inputs`.
  const ExecutionState& Start(const std::string& yaml, const std::string& workflow,
                              std::vector<Value> inputs = {}, ExecutionOptions options = {}) {
    CompileOutput out = CompileText("test.yaml", yaml);
    INFO(out.diagnostics.FormatAll());
    REQUIRE(out.ok());
    file = out.file;
    ExecutionRequest req;
    req.key = {"flytesnacks", "development", "run" + std::to_string(++runs_)};
    req.file = file;
    req.workflow = file->FindWorkflow(workflow);
    REQUIRE(req.workflow != kNoIndex);
    const Interface& iface = file->workflows[req.workflow].iface;
    if (inputs.empty()) {
      for (const Variable& v : iface.inputs) inputs.push_back(v.default_value.value_or(Value()));
    }
    req.inputs = std::move(inputs);
    req.options = std::move(options);
    req.options.run_dir = "/tmp/flyte-engine-test";
    req.prior = std::move(prior);
    return engine.Start(std::move(req));
  }

  const NodeState& Node(const ExecutionState& e, const std::string& id) {
    for (const NodeState& n : e.nodes) {
      if (n.id == id) return n;
    }
    FAIL("no node " << id);
    return e.nodes.front();
  }
  uint64_t Running(const std::string& node) {
    uint64_t id = runner.RunningFor(node);
    INFO("node " << node << " is not running");
    REQUIRE(id != 0);
    return id;
  }

  FakeRunner runner;
  ManualClock clock;
  MemoryCache cache;
  PhaseLog log;
  Engine engine;
  std::shared_ptr<const CompiledFile> file;
  // Given to the next Start: what an earlier run left (resume or recover).
  std::shared_ptr<const PriorRun> prior;

 private:
  int runs_ = 0;
};

}  // namespace flyte::testing
