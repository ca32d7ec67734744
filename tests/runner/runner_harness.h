// A LocalRunner on a real libuv loop with the real UvClock, for tests that run real processes.
// Tasks come from inline YAML; Run() starts an attempt and turns the loop until its result
// arrives (an event), failing the test if a deadline timer on the UvClock fires first.
#pragma once

#include <uv.h>
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "flyte/compiler.h"
#include "runner/local_runner.h"
#include "runner/uv_clock.h"
#include "support/process_helpers.h"

namespace flyte::testing {

struct OutputLine {
  uint64_t id;
  bool is_stderr;
  std::string text;
};

class RunnerHarness {
 public:
  // `supervisor`: the flyte executable, to run tasks under `flyte __supervise`.
  explicit RunnerHarness(int64_t abort_grace_nanos = 10'000'000'000, std::string supervisor = "")
      : RunnerHarness([&](LocalRunner::Options& o) {
          o.abort_grace_nanos = abort_grace_nanos;
          o.supervisor = std::move(supervisor);
        }) {}
  // `adjust` changes the default options.
  explicit RunnerHarness(const std::function<void(LocalRunner::Options&)>& adjust)
      : clock(&loop_.loop),
        runner(&loop_.loop, Adjusted(MakeOptions(10'000'000'000, tmp, ""), adjust)) {
    runner.SetCallbacks([this](uint64_t id, AttemptResult r) { results.emplace(id, std::move(r)); },
                        [this](uint64_t id, bool is_stderr, std::string_view line) {
                          lines.push_back({id, is_stderr, std::string(line)});
                        });
  }

  // Compiles `yaml` (tasks only is fine) as a file in the temporary folder.
  void Compile(const std::string& yaml) {
    CompileOutput out = CompileText(tmp / "tasks.yaml", yaml);
    INFO(out.diagnostics.FormatAll());
    REQUIRE(out.ok());
    file = out.file;
  }

  // A launch of `task` with a folder of its own, as the engine would prepare it.
  TaskLaunch Launch(const std::string& task, std::vector<Value> inputs = {}) {
    uint32_t t = file->FindTask(task);
    REQUIRE(t != kNoIndex);
    TaskLaunch l;
    l.id = ++next_id_;
    l.file = file;
    l.task = &file->tasks[t];
    l.inputs = std::move(inputs);
    l.attempt_dir = tmp / ("runs/" + task + "/" + std::to_string(l.id));
    l.raw_output_dir = tmp / ("runs/" + task + "/raw");
    l.workdir = tmp.path();
    l.env = {{"FLYTE_EXECUTION_ID", "flytesnacks/development/test"},
             {"FLYTE_NODE_ID", task},
             {"FLYTE_ATTEMPT", "0"}};
    return l;
  }

  // Turns the loop until `done()` holds; false if `deadline_ms` passed first.
  bool RunUntil(const std::function<bool()>& done, int deadline_ms = 5000) {
    bool expired = false;
    Clock::TimerId timer = clock.After(int64_t{deadline_ms} * 1'000'000, [&] { expired = true; });
    while (!done() && !expired) uv_run(&loop_.loop, UV_RUN_ONCE);
    clock.Cancel(timer);
    return done();
  }

  // Starts `launch` and waits for its result.
  AttemptResult Run(TaskLaunch launch, int deadline_ms = 5000) {
    uint64_t id = launch.id;
    runner.Start(std::move(launch));
    INFO("no result within " << deadline_ms << " ms");
    REQUIRE(RunUntil([&] { return results.count(id) > 0; }, deadline_ms));
    AttemptResult r = std::move(results.at(id));
    results.erase(id);
    return r;
  }

  // Output lines of attempt `id` from one stream.
  std::vector<std::string> Lines(uint64_t id, bool is_stderr) const {
    std::vector<std::string> out;
    for (const OutputLine& l : lines) {
      if (l.id == id && l.is_stderr == is_stderr) out.push_back(l.text);
    }
    return out;
  }

  std::string blob_root() const { return tmp / "blobs"; }
  std::string secrets_dir() const { return tmp / "secrets"; }

  static LocalRunner::Options Adjusted(LocalRunner::Options o,
                                       const std::function<void(LocalRunner::Options&)>& adjust) {
    adjust(o);
    return o;
  }
  static LocalRunner::Options MakeOptions(int64_t grace, const TempDir& tmp,
                                          std::string supervisor) {
    LocalRunner::Options o;
    o.abort_grace_nanos = grace;
    o.blob_root = tmp / "blobs";
    o.supervisor = std::move(supervisor);
    o.flyte_binary = FLYTE_BINARY;  // tasks with secrets go through it
    o.secrets_dir = tmp / "secrets";
    return o;
  }

 private:
  // Declared first so it is destroyed last: closing the runner's and clock's handles needs
  // one more turn of the loop.
  struct Loop {
    uv_loop_t loop;
    Loop() { uv_loop_init(&loop); }
    ~Loop() {
      uv_run(&loop, UV_RUN_NOWAIT);
      uv_loop_close(&loop);
    }
  };
  Loop loop_;
  uint64_t next_id_ = 0;

 public:
  TempDir tmp;
  UvClock clock;
  LocalRunner runner;
  std::shared_ptr<const CompiledFile> file;
  std::map<uint64_t, AttemptResult> results;
  std::vector<OutputLine> lines;
};

}  // namespace flyte::testing
