#include "runner/orphans.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string_view>

#include "runner/watchdog.h"
#include "util/proc.h"

namespace flyte {
namespace {

std::string ReadProcFile(const char* path, size_t limit) {
  std::string text;
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buf[4096];
  ssize_t n;
  while (text.size() < limit && (n = ::read(fd, buf, sizeof buf)) > 0)
    text.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return text;
}

bool HasVariable(pid_t pid, const std::string& entry) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/environ", static_cast<int>(pid));
  // The variables of a task are set by us, so FLYTE_OUTPUT_DIR is early in the block; the
  // limit only bounds what an odd process could make us read.
  std::string env = ReadProcFile(path, size_t{4} << 20);
  const std::string needle = std::string(1, '\0') + entry + '\0';
  return env.rfind(entry + '\0', 0) == 0 || env.find(needle) != std::string::npos;
}

// Whether this process has no child at all (of any thread) but the run's watchdog, which has no
// exit signal and so is not one wait(2) sees without __WALL: one waitid(2) that neither waits
// nor reaps. Then there is nothing to sweep, and the read of the children file
// (open, read, close) is skipped: the case of every attempt of a chain, which ends as the only
// child (docs/benchmarks.md, run 9).
bool NoChildren() {
  siginfo_t info{};
  return ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) != 0 && errno == ECHILD;
}

// Rounds of: reap what has ended, kill and reap what `matches`; until a round kills nothing.
void Sweep(const std::function<bool(pid_t)>& matches, const std::vector<pid_t>& keep) {
  if (NoChildren()) return;
  bool killed = true;
  while (killed) {
    killed = false;
    for (pid_t pid : MainThreadChildren()) {
      if (pid == WatchdogPid() || std::find(keep.begin(), keep.end(), pid) != keep.end()) continue;
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) != 0) continue;  // it had ended (or is not ours)
      if (!matches(pid)) continue;
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      killed = true;  // its own children are ours now: look again
    }
  }
}

}  // namespace

void KillOrphansOf(const std::string& output_dir, const std::vector<pid_t>& keep) {
  const std::string entry = "FLYTE_OUTPUT_DIR=" + output_dir;
  Sweep([&](pid_t pid) { return HasVariable(pid, entry); }, keep);
}

void KillAllOrphans(const std::vector<pid_t>& keep) {
  Sweep([](pid_t) { return true; }, keep);
}

}  // namespace flyte
