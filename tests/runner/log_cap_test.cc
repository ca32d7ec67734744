// The cap on task logs (runner/log_cap.h): a task that prints more than the cap keeps the
// head and the tail of each stream with a note of what was cut, the disk does not fill while
// it still runs, and secrets stay redacted.
#include "runner/log_cap.h"

#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "runner/runner_harness.h"

namespace flyte {
namespace {

using testing::ReadFile;
using testing::RunnerHarness;
using Status_ = AttemptResult::Status;

constexpr uint64_t kCap = 1 << 20;

// 3,000,021 bytes on each stream: a first line, 3 MB of "y\n" and a last line.
constexpr const char* kChatty = R"yaml(
tasks:
  chatty:
    script: |
      echo first line
      yes | head -c 3000000
      echo last line
      echo first err >&2
      yes | head -c 3000000 >&2
      echo last err >&2
  secretive:
    secrets: [{name: db, env: PGPASSWORD}]
    script: |
      echo "head $PGPASSWORD"
      yes | head -c 3000000
      echo "tail $PGPASSWORD"
  endless:
    script: |
      yes | head -c 4000000
      while [ ! -f "$FLYTE_RAW_OUTPUT_DIR/../go" ]; do sleep 0.01; done
      echo done
)yaml";

// Disk space a file really uses.
uint64_t Allocated(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.st_blocks) * 512;
}

TEST_CASE("CutNote says how much was cut in the largest unit that fits", "[logcap]") {
  CHECK(CutNote(912) == "… 912 bytes cut …");
  CHECK(CutNote(2048) == "… 2.0 KiB cut …");
  CHECK(CutNote(uint64_t{956'612'198}) == "… 912.3 MiB cut …");
}

TEST_CASE("a log over the cap keeps its head and tail and says how much was cut",
          "[process][logcap]") {
  RunnerHarness h([](LocalRunner::Options& o) { o.max_log_bytes = kCap; });
  h.Compile(kChatty);
  TaskLaunch launch = h.Launch("chatty");
  const std::string dir = launch.attempt_dir;
  AttemptResult r = h.Run(std::move(launch), 20000);
  REQUIRE(r.status == Status_::kSucceeded);
  for (const char* stream : {"stdout", "stderr"}) {
    INFO(stream);
    const std::string log = ReadFile(dir + "/" + stream);
    const std::string first = stream == std::string("stdout") ? "first line\n" : "first err\n";
    const std::string last = stream == std::string("stdout") ? "last line\n" : "last err\n";
    const uint64_t size = first.size() + 3'000'000 + last.size();
    REQUIRE(log.size() > kCap);
    // On a line of its own: after a newline, or one is added.
    const std::string note = (log[kCap / 2 - 1] == '\n' ? "" : "\n") + CutNote(size - kCap) + "\n";
    CHECK(log.size() == kCap + note.size());
    CHECK(log.rfind(first, 0) == 0);
    CHECK(log.substr(log.size() - last.size()) == last);
    CHECK(log.substr(kCap / 2, note.size()) == note);
    CHECK(log.find('\0') == std::string::npos);
  }
}

TEST_CASE("a log under the cap, or with no cap, is left as written", "[process][logcap]") {
  RunnerHarness h([](LocalRunner::Options& o) { o.max_log_bytes = 0; });
  h.Compile(kChatty);
  TaskLaunch launch = h.Launch("chatty");
  const std::string dir = launch.attempt_dir;
  REQUIRE(h.Run(std::move(launch), 20000).status == Status_::kSucceeded);
  CHECK(ReadFile(dir + "/stdout").size() == 3'000'021);
}

TEST_CASE("a capped log of a task with secrets is still redacted", "[process][logcap]") {
  RunnerHarness h([](LocalRunner::Options& o) { o.max_log_bytes = kCap; });
  h.Compile(kChatty);
  std::filesystem::create_directories(h.secrets_dir());
  std::ofstream(h.secrets_dir() + "/db") << "hunter2-very-secret\n";
  TaskLaunch launch = h.Launch("secretive");
  const std::string dir = launch.attempt_dir;
  REQUIRE(h.Run(std::move(launch), 20000).status == Status_::kSucceeded);
  const std::string log = ReadFile(dir + "/stdout");
  CHECK(log.rfind("head [secret]\n", 0) == 0);
  CHECK(log.substr(log.size() - 14) == "tail [secret]\n");
  CHECK(log.find("hunter2") == std::string::npos);
  CHECK(log.find("cut …") != std::string::npos);
}

TEST_CASE("a running task's log over the cap stops taking disk space before the task ends",
          "[process][logcap]") {
  RunnerHarness h([](LocalRunner::Options& o) {
    o.max_log_bytes = kCap;
    o.log_check_nanos = 20'000'000;
  });
  h.Compile(kChatty);
  TaskLaunch launch = h.Launch("endless");
  const std::string dir = launch.attempt_dir;
  const std::string go = h.tmp / "runs/endless/go";
  const uint64_t id = launch.id;
  h.runner.Start(std::move(launch));
  // Written in full, then punched down to about the cap (plus a block at each edge).
  REQUIRE(h.RunUntil([&] { return ReadFile(dir + "/stdout").size() >= 4'000'000; }, 10000));
  CHECK(h.RunUntil([&] { return Allocated(dir + "/stdout") <= kCap + 3 * 4096; }, 10000));
  CHECK(h.results.count(id) == 0);  // still running
  std::ofstream(go) << "";
  REQUIRE(h.RunUntil([&] { return h.results.count(id) > 0; }, 10000));
  CHECK(h.results.at(id).status == Status_::kSucceeded);
  const std::string log = ReadFile(dir + "/stdout");
  CHECK(log.size() == kCap + CutNote(4'000'005 - kCap).size() + 1);  // the head ends with "\n"
  CHECK(log.substr(log.size() - 5) == "done\n");
  CHECK(log.find('\0') == std::string::npos);
}

}  // namespace
}  // namespace flyte
