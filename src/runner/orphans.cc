#include "runner/orphans.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
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

// The process's environment block as /proc shows it. A process in the middle of an execve(2)
// shows an empty one: its new memory is in place before the kernel writes the arguments and
// environment into it (and a read begun in the old memory finds it gone). So while the block
// reads empty, the process still has an executable (a zombie has none), and its arguments
// read empty too (a process started with no environment has its arguments), the read is
// repeated, for at most kExecWaitMs. Normally the first read is the only one.
std::string Environment(pid_t pid) {
  constexpr int kExecWaitMs = 100;
  // The variables of a task are set by us, so FLYTE_OUTPUT_DIR is early in the block; the
  // limit only bounds what an odd process could make us read.
  constexpr size_t kLimit = size_t{4} << 20;
  char env_path[64], cmdline[64], exe[64];
  std::snprintf(env_path, sizeof env_path, "/proc/%d/environ", static_cast<int>(pid));
  std::string env = ReadProcFile(env_path, kLimit);
  if (!env.empty()) return env;
  std::snprintf(cmdline, sizeof cmdline, "/proc/%d/cmdline", static_cast<int>(pid));
  std::snprintf(exe, sizeof exe, "/proc/%d/exe", static_cast<int>(pid));
  for (int waited = 0; env.empty() && waited < kExecWaitMs; ++waited) {
    char target[8];
    if (::readlink(exe, target, sizeof target) < 0) break;  // a zombie, or gone
    // The kernel writes arguments and environment in one step: once the arguments are
    // there, a new read of the environment is the true one.
    if (!ReadProcFile(cmdline, 1).empty()) return ReadProcFile(env_path, kLimit);
    if (waited > 0) {  // the first repeat is at once: the read may have begun in old memory
      const timespec pause{0, 1000000};
      ::nanosleep(&pause, nullptr);
    }
    env = ReadProcFile(env_path, kLimit);
  }
  return env;
}

bool HasVariable(pid_t pid, const std::string& entry) {
  std::string env = Environment(pid);
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
