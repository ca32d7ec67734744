// runner/orphans.h: which of our children belong to an attempt is read from their environment
// in /proc, and a process in the middle of an execve(2) shows an empty one for a moment.
#include "runner/orphans.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <catch2/catch.hpp>

#include <cerrno>
#include <string>

namespace flyte {
namespace {

// `sh -c S S` runs S with $0 = S: a shell that replaces itself with the same shell, forever.
constexpr const char* kExecLoop = "exec /bin/sh -c \"$0\" \"$0\"";

pid_t Spawn(const char* const* argv, const char* const* envp) {
  pid_t pid = -1;
  REQUIRE(::posix_spawn(&pid, argv[0], nullptr, nullptr, const_cast<char* const*>(argv),
                        const_cast<char* const*>(envp)) == 0);
  return pid;
}

// Whether `pid` was reaped already (by the sweep); if not, kills and reaps it.
bool ReapedBySweep(pid_t pid) {
  int status = 0;
  const pid_t got = ::waitpid(pid, &status, WNOHANG);
  if (got < 0 && errno == ECHILD) return true;
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return false;
}

void Pause(long micros) {
  const timespec t{0, micros * 1000};
  ::nanosleep(&t, nullptr);
}

TEST_CASE("an attempt's orphan is found while it is in the middle of an exec", "[process][tree]") {
  const std::string dir = "/nonexistent/attempt-1";  // compared, never opened
  const std::string entry = "FLYTE_OUTPUT_DIR=" + dir;
  const char* const env[] = {entry.c_str(), nullptr};
  const char* const argv[] = {"/bin/sh", "-c", kExecLoop, kExecLoop, nullptr};
  // About one read in ten of such a process's environment comes back empty: a hundred sweeps
  // find that moment many times over.
  int missed = 0;
  for (int i = 0; i < 100; ++i) {
    const pid_t pid = Spawn(argv, env);
    Pause(500 + 97 * (i % 10));
    KillOrphansOf(dir, {});
    if (!ReapedBySweep(pid)) ++missed;
  }
  CHECK(missed == 0);
}

TEST_CASE("a sweep leaves alone another attempt's process and one with no environment",
          "[process][tree]") {
  const std::string other = "FLYTE_OUTPUT_DIR=/nonexistent/attempt-2";
  const char* const other_env[] = {other.c_str(), nullptr};
  const char* const no_env[] = {nullptr};
  const char* const loop[] = {"/bin/sh", "-c", kExecLoop, kExecLoop, nullptr};
  const char* const sleeper[] = {"/bin/sleep", "30", nullptr};
  const pid_t busy = Spawn(loop, other_env);
  const pid_t bare = Spawn(sleeper, no_env);
  Pause(5000);
  for (int i = 0; i < 20; ++i) KillOrphansOf("/nonexistent/attempt-1", {});
  CHECK_FALSE(ReapedBySweep(busy));
  CHECK_FALSE(ReapedBySweep(bare));
}

}  // namespace
}  // namespace flyte
