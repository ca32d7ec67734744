#include "runner/supervise.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "util/proc.h"

extern char** environ;

namespace flyte {
namespace {

// Writes `text` to `path` through a temporary file and a rename, so a reader sees all of it
// or nothing.
bool WriteAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::close(fd) == 0 && ok;
  return ok && ::rename(tmp.c_str(), path.c_str()) == 0;
}

std::string ReadSmallFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

void Nothing(int) {}

}  // namespace

int SuperviseMain(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: flyte %s ATTEMPT_DIR PROGRAM [ARGS...]\n", kSuperviseCommand);
    return 127;
  }
  const std::string dir = argv[2];
  // Before the task starts: a restarted server that finds no record knows it never ran.
  if (!WriteAtomically(dir + "/supervisor", ProcessIdentity(::getpid()) + "\n")) {
    std::fprintf(stderr, "flyte: cannot write %s/supervisor: %s\n", dir.c_str(), std::strerror(errno));
    return 127;
  }
  // Signals to the group (abort, timeout) are for the task: wait on. A caught signal goes
  // back to its default in the task when it execs.
  struct sigaction sa {};
  sa.sa_handler = &Nothing;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) ::sigaction(sig, &sa, nullptr);

  pid_t child = -1;
  int rc = posix_spawn(&child, argv[3], nullptr, nullptr, argv + 3, environ);
  if (rc != 0) {
    std::fprintf(stderr, "flyte: cannot start %s: %s\n", argv[3], std::strerror(rc));
    WriteAtomically(dir + "/exit", "exit 127\n");
    return 127;
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) {
      WriteAtomically(dir + "/exit", "signal 9\n");
      return 128 + SIGKILL;
    }
  }
  if (WIFEXITED(status)) {
    WriteAtomically(dir + "/exit", "exit " + std::to_string(WEXITSTATUS(status)) + "\n");
    return WEXITSTATUS(status);
  }
  const int sig = WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL;
  WriteAtomically(dir + "/exit", "signal " + std::to_string(sig) + "\n");
  // End by the same signal (without a core file of our own), so our parent sees what the
  // task did.
  struct rlimit no_core {0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  ::signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ::raise(sig);
  return 128 + sig;
}

RecordedExit ReadRecordedExit(const std::string& attempt_dir) {
  RecordedExit r;
  std::string text = ReadSmallFile(attempt_dir + "/exit");
  int value = 0;
  if (std::sscanf(text.c_str(), "exit %d", &value) == 1) {
    r.found = true;
    r.exit_code = value;
  } else if (std::sscanf(text.c_str(), "signal %d", &value) == 1 && value > 0) {
    r.found = true;
    r.signal = value;
  }
  return r;
}

std::string ReadSupervisorIdentity(const std::string& attempt_dir) {
  std::string text = ReadSmallFile(attempt_dir + "/supervisor");
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return IdentityPid(text) > 0 ? text : "";
}

}  // namespace flyte
