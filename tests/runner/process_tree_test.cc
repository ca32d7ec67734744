// A task's whole process tree ends with it, including processes that left its process group
// (setsid, a double fork): the supervisor is a subreaper and kills what it inherits, whether
// the task exits, is aborted, or ignores SIGTERM past the grace period.
#include <poll.h>
#include <signal.h>
#include <catch2/catch.hpp>

#include "runner/runner_harness.h"
#include "runner/supervise.h"
#include "runner/supervisor_file.h"

namespace flyte {
namespace {

using testing::ReadFile;
using testing::RunnerHarness;
using Status_ = AttemptResult::Status;

// Each task starts a process in a session of its own (directly, or by a double fork), waits
// until it has written its pid to ATTEMPT/../escaped, and says "ready".
constexpr const char* kEscapes = R"yaml(
tasks:
  exits:
    script: |
      export E="$FLYTE_OUTPUT_DIR/../../escaped"
      setsid sh -c 'echo $$ > "$E"; exec sleep 1000' &
      while [ ! -s "$E" ]; do sleep 0.01; done
      echo ready
  double_fork:
    script: |
      export E="$FLYTE_OUTPUT_DIR/../../escaped"
      ( setsid sh -c 'echo $$ > "$E"; exec sleep 1000' & ) &
      while [ ! -s "$E" ]; do sleep 0.01; done
      echo ready
  stays:
    script: |
      export E="$FLYTE_OUTPUT_DIR/../../escaped"
      setsid sh -c 'echo $$ > "$E"; exec sleep 1000' &
      while [ ! -s "$E" ]; do sleep 0.01; done
      echo ready
      sleep 1000
  stubborn:
    script: |
      trap '' TERM
      export E="$FLYTE_OUTPUT_DIR/../../escaped"
      setsid sh -c 'trap "" TERM; echo $$ > "$E"; exec sleep 1000' &
      while [ ! -s "$E" ]; do sleep 0.01; done
      echo ready
      while true; do sleep 1; done
)yaml";

std::string StaticSupervisor() {
  static testing::TempDir dir;
  Result<std::string> path = InstallSupervisor(dir / "bin");
  REQUIRE(path.ok());
  return *path;
}

// Whether process `pid` has ended (gone, or a zombie).
bool Ended(pid_t pid) {
  int fd = testing::PidfdOpen(pid);
  if (fd < 0) return true;
  pollfd p{fd, POLLIN, 0};
  bool ended = ::poll(&p, 1, 0) == 1;
  ::close(fd);
  return ended;
}

pid_t Escaped(const TaskLaunch& launch) {
  std::string text = ReadFile(launch.attempt_dir + "/../escaped");
  REQUIRE_FALSE(text.empty());
  return std::stoi(text);
}

struct Mode {
  const char* name;
  bool end_with_us;
};

TEST_CASE("what a task started in another session ends when the task exits", "[process][tree]") {
  const Mode mode = GENERATE(Mode{"flyte run", true}, Mode{"flyte serve", false});
  const std::string task = GENERATE("exits", "double_fork");
  INFO(mode.name << ", task " << task);
  RunnerHarness h([&](LocalRunner::Options& o) {
    o.supervisor = StaticSupervisor();
    o.tasks_end_with_us = mode.end_with_us;
  });
  h.Compile(kEscapes);
  TaskLaunch launch = h.Launch(task);
  const TaskLaunch copy = launch;
  AttemptResult r = h.Run(std::move(launch));
  REQUIRE(r.status == Status_::kSucceeded);
  const pid_t escaped = Escaped(copy);
  CHECK(Ended(escaped));
  if (!Ended(escaped)) ::kill(escaped, SIGKILL);
}

TEST_CASE("what a task started in another session ends when the task is aborted",
          "[process][tree]") {
  const bool stubborn = GENERATE(false, true);
  INFO((stubborn ? "ignoring SIGTERM" : "ending on SIGTERM"));
  RunnerHarness h([&](LocalRunner::Options& o) {
    o.supervisor = StaticSupervisor();
    o.tasks_end_with_us = true;
    o.abort_grace_nanos = 100'000'000;
  });
  h.Compile(kEscapes);
  TaskLaunch launch = h.Launch(stubborn ? "stubborn" : "stays");
  launch.stream_output = true;
  const TaskLaunch copy = launch;
  const uint64_t id = launch.id;
  h.runner.Start(std::move(launch));
  REQUIRE(h.RunUntil([&] { return !h.Lines(id, false).empty(); }));
  const pid_t escaped = Escaped(copy);
  h.runner.Abort(id);
  // The escaped process held the output pipe too: the attempt ends only once it is gone.
  REQUIRE(h.RunUntil([&] { return h.results.count(id) > 0; }));
  CHECK(h.results.at(id).status == Status_::kAborted);
  CHECK(Ended(escaped));
  if (!Ended(escaped)) ::kill(escaped, SIGKILL);
}

}  // namespace
}  // namespace flyte
