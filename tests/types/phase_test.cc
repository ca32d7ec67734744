// The one table of phase transitions (flyte/phase.h), checked row by row: for every phase,
// each phase it may change to is listed here, and every phase not listed must be refused.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "flyte/phase.h"

namespace flyte {
namespace {

struct Row {
  std::string from;
  std::set<std::string> to;
};

template <typename P>
void CheckTable(size_t count, const std::vector<Row>& rows) {
  REQUIRE(rows.size() == count);
  for (size_t f = 0; f < count; ++f) {
    const P from = static_cast<P>(f);
    const Row& row = rows[f];
    REQUIRE(PhaseName(from) == row.from);
    for (size_t t = 0; t < count; ++t) {
      const P to = static_cast<P>(t);
      INFO(row.from << " -> " << PhaseName(to));
      CHECK(CanTransition(from, to) == (row.to.count(std::string(PhaseName(to))) == 1));
    }
    // Terminal means final: nothing leaves it, and a phase that has no way out is terminal.
    INFO(row.from);
    CHECK(IsTerminal(from) == row.to.empty());
  }
}

TEST_CASE("execution phases change only as the table allows") {
  CheckTable<ExecutionPhase>(
      kExecutionPhaseCount, {
                                {"QUEUED", {"RUNNING", "FAILING", "FAILED", "ABORTING", "ABORTED"}},
                                {"RUNNING", {"SUCCEEDING", "FAILING", "ABORTING", "TIMED_OUT"}},
                                {"SUCCEEDING", {"SUCCEEDED", "FAILING"}},
                                {"SUCCEEDED", {}},
                                {"FAILING", {"FAILED", "ABORTING"}},
                                {"FAILED", {}},
                                {"ABORTING", {"ABORTED"}},
                                {"ABORTED", {}},
                                {"TIMED_OUT", {}},
                            });
}

TEST_CASE("node phases change only as the table allows") {
  CheckTable<NodePhase>(
      kNodePhaseCount,
      {
          {"QUEUED", {"RUNNING", "SKIPPED", "SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"}},
          {"RUNNING", {"DYNAMIC_RUNNING", "SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"}},
          {"SUCCEEDED", {}},
          {"FAILED", {}},
          {"ABORTED", {}},
          {"SKIPPED", {}},
          {"TIMED_OUT", {}},
          {"DYNAMIC_RUNNING", {"SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"}},
          {"RECOVERED", {}},
      });
}

TEST_CASE("a node enters queued or ends at once, never running") {
  const std::set<std::string> first = {"QUEUED",  "SUCCEEDED", "FAILED",   "ABORTED",
                                       "SKIPPED", "TIMED_OUT", "RECOVERED"};
  for (size_t i = 0; i < kNodePhaseCount; ++i) {
    const NodePhase p = static_cast<NodePhase>(i);
    INFO(PhaseName(p));
    CHECK(CanEnter(p) == (first.count(std::string(PhaseName(p))) == 1));
  }
}

TEST_CASE("attempt phases change only as the table allows") {
  const std::set<std::string> ends = {"SUCCEEDED", "RETRYABLE_FAILED", "FAILED", "ABORTED"};
  auto with_ends = [&](std::set<std::string> s) {
    s.insert(ends.begin(), ends.end());
    return s;
  };
  CheckTable<TaskPhase>(
      kTaskPhaseCount,
      {
          {"QUEUED", with_ends({"INITIALIZING", "WAITING_FOR_RESOURCES", "RUNNING"})},
          {"INITIALIZING", with_ends({"QUEUED", "WAITING_FOR_RESOURCES", "RUNNING"})},
          {"WAITING_FOR_RESOURCES", with_ends({"QUEUED", "INITIALIZING", "RUNNING"})},
          {"RUNNING", ends},
          {"SUCCEEDED", {}},
          {"RETRYABLE_FAILED", {}},
          {"FAILED", {}},
          {"ABORTED", {}},
      });
}

TEST_CASE("every phase name parses back to its phase, in any case and with dashes") {
  for (size_t i = 0; i < kExecutionPhaseCount; ++i) {
    const auto p = static_cast<ExecutionPhase>(i);
    CHECK(ParseExecutionPhase(PhaseName(p)) == p);
  }
  for (size_t i = 0; i < kNodePhaseCount; ++i) {
    const auto p = static_cast<NodePhase>(i);
    CHECK(ParseNodePhase(PhaseName(p)) == p);
  }
  for (size_t i = 0; i < kTaskPhaseCount; ++i) {
    const auto p = static_cast<TaskPhase>(i);
    CHECK(ParseTaskPhase(PhaseName(p)) == p);
  }
  CHECK(ParseTaskPhase("retryable-failed") == TaskPhase::kRetryableFailed);
  CHECK(ParseNodePhase("TIMED_OUT") == NodePhase::kTimedOut);
  CHECK_FALSE(ParseTaskPhase("TIMED_OUT").has_value());  // attempts do not time out; nodes do
  CHECK_FALSE(ParseExecutionPhase("DONE").has_value());
}

}  // namespace
}  // namespace flyte
