// Control flow under a real `flyte run`: every node kind nested in one workflow
// (examples/control_flow.yaml), the tree `flyte get execution --details` shows for it, the
// launch plan's child execution, and the gates' answers given on the command line.
#include <catch2/catch.hpp>

#include <map>

#include "cli/cli_fixture.h"

namespace flyte {
namespace {

using testing::CliFixture;
using testing::Describe;
using testing::ProcessResult;
using testing::ReportNode;

const std::string kControlFlow = std::string(FLYTE_SOURCE_DIR) + "/examples/control_flow.yaml";

struct TreeRow {
  std::string parent, kind, phase, cache;
};

TEST_CASE(
    "a dynamic map, a map in a subworkflow in a branch, a launch plan and gates run; "
    "--details shows the tree",
    "[process]") {
  CliFixture f;
  auto report = f.Json({"run", kControlFlow, "control_flow", "--name", "cf1", "--signal",
                        "factor=3", "--approve", "publish"});
  REQUIRE(report["phase"] == "SUCCEEDED");
  // plan: 1+4+9+16 = 30; route takes the subworkflow: 30^2 + 4^2 = 916; the launch plan
  // doubles it (factor fixed at 2); apply multiplies by the signal; publish passes it through.
  CHECK(
      report["outputs"] ==
      nlohmann::json::parse(
          R"({"planned": 30, "routed": 916, "doubled": 1832, "scaled": 5496, "published": 5496})"));
  CHECK(ReportNode(report, "route/else")["phase"] == "SKIPPED");

  auto details = f.Json({"get", "execution", "cf1", "--details"});
  std::vector<std::string> order;
  std::map<std::string, TreeRow> rows;
  for (const auto& n : details["nodes"]) {
    order.push_back(n["id"]);
    rows[n["id"]] = {n["parent"].is_null() ? "" : n["parent"].get<std::string>(), n["kind"],
                     n["phase"], n["cache_status"]};
  }
  // Each node is followed by its children, in the order they started.
  const std::vector<std::string> expected = {
      "plan",       "plan/sq",       "plan/sq[0]",    "plan/sq[1]",  "plan/sq[2]",
      "plan/sq[3]", "plan/add",      "route",         "route/else",  "route/1",
      "route/1/sq", "route/1/sq[0]", "route/1/sq[1]", "route/1/add", "child",
      "pause",      "factor",        "apply",         "publish"};
  CHECK(order == expected);
  CHECK(rows["plan/sq"].parent == "plan");
  CHECK(rows["plan/sq"].kind == "map");
  CHECK(rows["plan/sq[2]"].parent == "plan/sq");
  CHECK(rows["route/1"].kind == "workflow");
  CHECK(rows["route/1/sq[0]"].parent == "route/1/sq");
  CHECK(rows["route/else"].phase == "SKIPPED");
  // 4 * 4 was computed (and cached) by the dynamic map before the subworkflow's map needed it.
  CHECK(rows["route/1/sq[1]"].cache == "CACHE_HIT");
  for (const auto& [id, row] : rows) {
    if (id != "route/else") CHECK(row.phase == "SUCCEEDED");
  }

  // The launch-plan node started a child execution that points back at it.
  std::string child;
  for (const auto& n : details["nodes"]) {
    if (n["id"] == "child") child = n["child_execution"];
  }
  REQUIRE(child == "cf1-child");
  auto sub = f.Json({"get", "execution", child});
  CHECK(sub["parent"] == "cf1/child");
  CHECK(sub["launch_plan"] == "double_it");
  CHECK(sub["inputs"] == nlohmann::json::parse(R"({"value": 916, "factor": 2})"));
  CHECK(sub["outputs"] == nlohmann::json::parse(R"({"scaled": 1832})"));
  // The table view indents children under their parents and names the child execution.
  ProcessResult table = f.Flyte({"get", "execution", "cf1", "--details"});
  INFO(Describe(table));
  CHECK(table.out.find("\n    plan/sq[0] ") != std::string::npos);
  CHECK(table.out.find("double_it -> cf1-child") != std::string::npos);
}

TEST_CASE("the branch takes its else case for a small sum and skips the subworkflow", "[process]") {
  CliFixture f;
  auto report = f.Json({"run", kControlFlow, "control_flow", "--input", "n=2", "--signal",
                        "factor=1", "--approve", "publish"});
  CHECK(report["phase"] == "SUCCEEDED");
  CHECK(report["outputs"]["planned"] == 5);
  CHECK(report["outputs"]["routed"] == 5);
  CHECK(ReportNode(report, "route/1")["phase"] == "SKIPPED");
  CHECK(ReportNode(report, "route/else")["phase"] == "SUCCEEDED");
}

TEST_CASE("rejecting the approve gate fails the run and runs the on_failure handler", "[process]") {
  CliFixture f;
  ProcessResult r = f.Flyte({"run", kControlFlow, "control_flow", "--signal", "factor=2",
                             "--reject", "publish", "-o", "json"});
  INFO(Describe(r));
  REQUIRE(r.exit_code == 1);
  auto report = nlohmann::json::parse(r.out);
  CHECK(report["phase"] == "FAILED");
  CHECK(report["error"]["node"] == "publish");
  CHECK(ReportNode(report, "apply")["phase"] == "SUCCEEDED");
  auto logs = f.Flyte({"logs", report["execution"]["name"]});
  CHECK(logs.out.find("control_flow failed for n=4") != std::string::npos);
}

TEST_CASE("a signal value of the wrong type is refused before anything runs", "[process]") {
  CliFixture f;
  ProcessResult r = f.Flyte(
      {"run", kControlFlow, "control_flow", "--signal", "factor=lots", "--approve", "publish"});
  INFO(Describe(r));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("factor") != std::string::npos);
  CHECK(f.AttemptDirs() == 0);
}

TEST_CASE("without a TTY an unanswered gate fails when it times out and says how to answer it",
          "[process]") {
  CliFixture f;
  const std::string file = f.Write("gates.yaml", R"yaml(
workflows:
  wf:
    nodes:
      lr: {signal: {name: lr, type: float}}
      ok: {approve: "{{ lr.value }}", timeout: 1s}
)yaml");
  // No timeout of its own: nobody can answer, so it fails at once.
  ProcessResult r = f.Flyte({"run", file});
  INFO(Describe(r));
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--signal NAME=VALUE") != std::string::npos);
  CHECK(r.err.find("lr") != std::string::npos);
  // With the signal given, the approve gate waits out its own timeout, then fails.
  r = f.Flyte({"run", file, "--signal", "lr=0.5"});
  INFO(Describe(r));
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--approve NODE") != std::string::npos);
}

}  // namespace
}  // namespace flyte
