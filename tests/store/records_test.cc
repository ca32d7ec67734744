// Rows hold phases, modes, node kinds and cache statuses as enums: spelled once where they go
// out (a store row, an API answer) and parsed once where they come back, the same values.
#include <catch2/catch.hpp>

#include "flyte/store.h"
#include "http/codec.h"
#include "store/state_rows.h"
#include "support/process_helpers.h"

namespace flyte {
namespace {

TEST_CASE("every execution mode name parses back to its mode, in any case") {
  for (auto m :
       {ExecutionMode::kManual, ExecutionMode::kScheduled, ExecutionMode::kSystem,
        ExecutionMode::kRelaunch, ExecutionMode::kChildWorkflow, ExecutionMode::kRecovered}) {
    CHECK(ParseExecutionMode(ExecutionModeName(m)) == m);
  }
  CHECK(ParseExecutionMode("relaunch") == ExecutionMode::kRelaunch);
  CHECK(ExecutionModeName(ExecutionMode::kChildWorkflow) == "CHILD_WORKFLOW");
  CHECK_FALSE(ParseExecutionMode("AGAIN").has_value());
}

TEST_CASE("every node kind name parses back to its kind") {
  for (auto k : {spec::NodeKind::kTask, spec::NodeKind::kWorkflow, spec::NodeKind::kLaunchPlan,
                 spec::NodeKind::kMap, spec::NodeKind::kBranch, spec::NodeKind::kSleep,
                 spec::NodeKind::kApprove, spec::NodeKind::kSignal}) {
    CHECK(spec::ParseNodeKind(spec::NodeKindName(k)) == k);
  }
  CHECK_FALSE(spec::ParseNodeKind("lambda").has_value());
}

TEST_CASE("an execution row keeps its phase and mode as written") {
  testing::TempDir tmp;
  Result<std::unique_ptr<Store>> store = Store::Open(tmp / "flyte.db");
  REQUIRE(store.ok());
  for (auto [name, mode] :
       {std::pair{"m", ExecutionMode::kManual}, std::pair{"r", ExecutionMode::kRelaunch},
        std::pair{"s", ExecutionMode::kScheduled}, std::pair{"v", ExecutionMode::kRecovered}}) {
    ExecutionRecord r;
    r.key = {"p", "d", name};
    r.workflow = "w";
    r.phase = ExecutionPhase::kQueued;
    r.mode = mode;
    REQUIRE((*store)->CreateExecution(r).ok());
    Result<std::optional<ExecutionRecord>> back = (*store)->GetExecution(r.key);
    REQUIRE(back.ok());
    REQUIRE(back->has_value());
    CHECK((*back)->phase == ExecutionPhase::kQueued);
    CHECK((*back)->mode == mode);
  }
  // Ended as an orphan: the phase given, spelled by the store.
  REQUIRE((*store)
              ->EndOrphan({"p", "d", "r"}, ExecutionPhase::kAborted, ExecErrorCode::kOrphaned,
                          "gone", 5)
              .ok());
  CHECK((*(*store)->GetExecution({"p", "d", "r"}))->phase == ExecutionPhase::kAborted);
  // Unfinished: every phase IsTerminal does not count as ended.
  Result<std::vector<ExecutionRecord>> open = (*store)->ListUnfinished();
  REQUIRE(open.ok());
  CHECK(open->size() == 3);
}

TEST_CASE("an error row's code is parsed once, and an unknown one keeps its text") {
  ExecutionRecord r;
  r.key = {"p", "d", "x"};
  r.phase = ExecutionPhase::kFailed;
  r.error_code = "NonZeroExit";
  r.error_message = "exit code 1";
  r.error_node = "n";
  ExecutionState e;
  ApplyExecutionRecord(r, e);
  REQUIRE(e.error.has_value());
  CHECK(e.error->code == ExecErrorCode::kNonZeroExit);
  CHECK(e.error->node == "n");
  // A row another flyte version wrote: unknown here, written back and shown as it was.
  r.error_code = "QuantumFlux";
  ExecutionState later;
  ApplyExecutionRecord(r, later);
  REQUIRE(later.error.has_value());
  CHECK(later.error->code == ExecErrorCode::kUnknown);
  CHECK(later.error->code.text() == "QuantumFlux");
  CHECK_FALSE(ErrorFromRow("", "", "n").has_value());
}

TEST_CASE("records keep their enums through the API's JSON") {
  ExecutionRecord e;
  e.key = {"p", "d", "x"};
  e.workflow = "w";
  for (size_t i = 0; i < kExecutionPhaseCount; ++i) {
    e.phase = static_cast<ExecutionPhase>(i);
    e.mode = i % 2 ? ExecutionMode::kScheduled : ExecutionMode::kChildWorkflow;
    Result<ExecutionRecord> back = http::ParseExecution(http::ExecutionJson(e));
    REQUIRE(back.ok());
    CHECK(back->phase == e.phase);
    CHECK(back->mode == e.mode);
  }
  std::vector<NodeRecord> nodes;
  for (size_t i = 0; i < kNodePhaseCount; ++i) {
    NodeRecord n;
    n.node_id = "n" + std::to_string(i);
    n.phase = static_cast<NodePhase>(i);
    n.kind = i % 2 ? spec::NodeKind::kMap : spec::NodeKind::kApprove;
    n.cache_status = i % 2 ? CacheStatus::kHit : CacheStatus::kPopulated;
    nodes.push_back(n);
  }
  Result<std::vector<NodeRecord>> nodes_back =
      http::ParseNodeList(http::NodeListJson(e.key, nodes));
  REQUIRE(nodes_back.ok());
  REQUIRE(nodes_back->size() == nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    CHECK((*nodes_back)[i].phase == nodes[i].phase);
    CHECK((*nodes_back)[i].kind == nodes[i].kind);
    CHECK((*nodes_back)[i].cache_status == nodes[i].cache_status);
  }
  std::vector<AttemptRecord> attempts;
  for (size_t i = 0; i < kTaskPhaseCount; ++i) {
    AttemptRecord a;
    a.node_id = "n";
    a.attempt = static_cast<uint32_t>(i);
    a.phase = static_cast<TaskPhase>(i);
    attempts.push_back(a);
  }
  Result<std::vector<AttemptRecord>> attempts_back =
      http::ParseAttemptList(http::AttemptListJson(attempts));
  REQUIRE(attempts_back.ok());
  REQUIRE(attempts_back->size() == attempts.size());
  for (size_t i = 0; i < attempts.size(); ++i)
    CHECK((*attempts_back)[i].phase == attempts[i].phase);
}

}  // namespace
}  // namespace flyte
