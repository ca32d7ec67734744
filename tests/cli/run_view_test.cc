// RunView's live view and hints, drawn into a file from a hand-built execution: what a person
// sees on a terminal for map items and failed tasks, without running anything.
#include <catch2/catch.hpp>

#include <uv.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cli/choices.h"
#include "cli/run_view.h"

namespace flyte::cli {
namespace {

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A workflow `wf` of two nodes: `prepare` succeeded, `sq` maps over five items, three of them
// done and two running.
struct MapRun {
  MapRun() {
    auto wf = std::make_shared<CompiledWorkflow>();
    wf->name = "wf";
    wf->nodes.resize(2);
    e.single_task = wf;
    e.key = {"flytesnacks", "development", "run1"};
    e.phase = ExecutionPhase::kRunning;
    e.started_at = Now();
    e.frames.emplace_back().nodes = {0, 1};
    Add("prepare", "", NodePhase::kSucceeded);
    Add("sq", "", NodePhase::kRunning);
    for (int i = 0; i < 5; ++i) {
      Add("sq[" + std::to_string(i) + "]", "sq",
          i < 3 ? NodePhase::kSucceeded : NodePhase::kRunning);
      e.nodes[1].items.push_back(static_cast<uint32_t>(e.nodes.size() - 1));
    }
  }
  NodeState& Add(const std::string& id, const std::string& parent, NodePhase phase) {
    NodeState& n = e.nodes.emplace_back();
    n.id = id;
    n.parent = parent;
    n.started = true;
    n.phase = phase;
    n.started_at = e.started_at;
    if (IsTerminal(phase)) n.ended_at = e.started_at + 1'000'000;
    return n;
  }
  ExecutionState e;
};

// Everything `draw` writes through a RunView on a "terminal" (a file: the view does not ask),
// with -v: a task's output line is printed above the view, which is then drawn again.
template <typename Draw>
std::string Drawn(bool tty, Draw draw) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  FILE* out = std::tmpfile();
  REQUIRE(out != nullptr);
  {
    RunView view(&loop, out, tty, /*verbose=*/true, std::nullopt);
    draw(view);
  }
  uv_run(&loop, UV_RUN_NOWAIT);
  uv_loop_close(&loop);
  std::string text;
  std::rewind(out);
  for (int c; (c = std::fgetc(out)) != EOF;) text += static_cast<char>(c);
  std::fclose(out);
  return text;
}

TEST_CASE("the live view counts the workflow's own nodes and shows a running map's items",
          "[run_view]") {
  MapRun run;
  std::string text = Drawn(true, [&](RunView& view) {
    view.OnExecution(run.e);
    for (const NodeState& n : run.e.nodes) view.OnNode(run.e, n);
    view.OnOutput(run.e, run.e.nodes[5], false, "working");
    view.Flush();
  });
  INFO(text);
  // Not "4/2 · 4 succeeded": items are progress of their map, not nodes of the workflow.
  CHECK(text.find(" 1/2 · 1 succeeded · 0 failed · 1 running · 0 queued") != std::string::npos);
  CHECK(text.find(" sq  ") != std::string::npos);
  CHECK(text.find("  3/5 items · 2 running") != std::string::npos);
  CHECK(text.find(" sq[3]  ") == std::string::npos);  // items are not listed one by one
}

TEST_CASE("a failed map's items and their failures show in the map's line", "[run_view]") {
  MapRun run;
  run.e.nodes[5].phase = NodePhase::kFailed;
  std::string text = Drawn(true, [&](RunView& view) {
    view.OnExecution(run.e);
    view.OnNode(run.e, run.e.nodes[5]);
    view.OnOutput(run.e, run.e.nodes[6], true, "still working");
    view.Flush();
  });
  INFO(text);
  CHECK(text.find("  4/5 items · 1 failed · 1 running") != std::string::npos);
}

TEST_CASE("the logs hint of a failed task carries the flags it needs and shell quoting",
          "[run_view]") {
  MapRun run;
  run.e.phase = ExecutionPhase::kFailed;
  run.e.ended_at = run.e.started_at + 2'000'000;
  NodeState& item = run.e.nodes[5];
  item.phase = NodePhase::kFailed;
  item.error = ExecError{ExecErrorCode::kNonZeroExit, "exit code 1", ErrorKind::kUser, item.id};
  item.attempts.resize(1);
  item.attempts[0].stderr_path = "(remote)";
  std::string text = Drawn(false, [&](RunView& view) {
    view.SetHintFlags(" -p team-a -d development --endpoint " + ShellWord("http://127.0.0.1:8080"));
    view.Finish(run.e);
  });
  INFO(text);
  CHECK(text.find("    logs: flyte logs run1 'sq[3]' -p team-a -d development --endpoint "
                  "http://127.0.0.1:8080\n") != std::string::npos);
}

TEST_CASE("ShellWord quotes only what a shell would read differently", "[run_view]") {
  CHECK(ShellWord("train") == "train");
  CHECK(ShellWord("/tmp/home-1") == "/tmp/home-1");
  CHECK(ShellWord("sq[3]") == "'sq[3]'");
  CHECK(ShellWord("my home") == "'my home'");
  CHECK(ShellWord("it's") == "'it'\\''s'");
  CHECK(ShellWord("") == "''");
}

TEST_CASE("Choose finds a value of a closed set, ignoring case when asked, and suggests on a typo",
          "[choices]") {
  const std::vector<std::string> phases = ExecutionPhaseNames();
  CHECK(Choose("phase", "FAILED", phases).value() == "FAILED");
  CHECK(Choose("phase", "failed", phases, true).value() == "FAILED");
  CHECK(Choose("phase", "Timed_Out", phases, true).value() == "TIMED_OUT");
  Result<std::string> typo = Choose("phase", "faild", phases, true);
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.status().code() == StatusCode::kInvalidArgument);
  CHECK(typo.status().message() ==
        "unknown phase 'faild'; did you mean 'FAILED'? (valid: QUEUED, RUNNING, SUCCEEDING, "
        "SUCCEEDED, FAILING, "
        "FAILED, ABORTING, ABORTED, TIMED_OUT)");
  CHECK_FALSE(Choose("phase", "failed", phases, false).ok());
  CHECK(Choose("format", "zzz", {"dot", "mermaid"}).status().message() ==
        "unknown format 'zzz' (valid: dot, mermaid)");
}

}  // namespace
}  // namespace flyte::cli
