#include "runner/spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

namespace flyte {
namespace {

bool IsExecutableFile(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

}  // namespace

std::string ResolveProgram(const std::string& program, const std::string& path) {
  if (program.find('/') != std::string::npos) return program;
  static std::map<std::pair<std::string, std::string>, std::string> cache;
  auto key = std::make_pair(program, path);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  std::string found;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (IsExecutableFile(candidate)) {
      found = candidate;
      break;
    }
    start = end + 1;
  }
  // Only hits are remembered: a program installed later is found on the next try.
  if (!found.empty()) cache.emplace(std::move(key), found);
  return found;
}

Result<Spawned> Spawn(const SpawnRequest& req) {
  if (req.argv.empty()) return InvalidArgument("empty command");
  std::string path_value = "/usr/local/bin:/usr/bin:/bin";
  for (const std::string& kv : req.env) {
    if (kv.rfind("PATH=", 0) == 0) path_value = kv.substr(5);
  }
  std::string program = ResolveProgram(req.argv[0], path_value);
  if (program.empty()) return NotFound("command not found");

  std::vector<char*> argv, envp;
  if (!req.wrapper.empty()) {
    for (const std::string& s : req.wrapper) argv.push_back(const_cast<char*>(s.c_str()));
    argv.push_back(const_cast<char*>(program.c_str()));
    for (size_t i = 1; i < req.argv.size(); ++i)
      argv.push_back(const_cast<char*>(req.argv[i].c_str()));
  } else {
    for (const std::string& s : req.argv) argv.push_back(const_cast<char*>(s.c_str()));
  }
  argv.push_back(nullptr);
  for (const std::string& s : req.env) envp.push_back(const_cast<char*>(s.c_str()));
  envp.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  if (req.stdout_fd >= 0) {
    posix_spawn_file_actions_adddup2(&fa, req.stdout_fd, 1);
  } else {
    posix_spawn_file_actions_addopen(&fa, 1, req.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
  }
  if (req.stderr_fd >= 0) {
    posix_spawn_file_actions_adddup2(&fa, req.stderr_fd, 2);
  } else {
    posix_spawn_file_actions_addopen(&fa, 2, req.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
  }
  // Nothing of ours leaks into the task, whatever a library forgot to mark close-on-exec.
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  if (!req.cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, req.cwd.c_str());
  // A session of its own: its own process group (so aborting it reaches the whole tree) and
  // no controlling terminal (so the user's Ctrl-C reaches only us, and we abort it).
  // Every signal at its default in the task, whatever we or our parent ignore (nohup's SIGHUP,
  // our SIGPIPE). All of them, not only those: glibc's spawn child sets each signal of this set
  // with one sigaction(2), and first reads each other one with another, ~60 more system calls
  // per task (docs/benchmarks.md, run 13).
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigfillset(&defaults);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid = -1;
  const std::string& exec_path = req.wrapper.empty() ? program : req.wrapper[0];
  int rc = posix_spawn(&pid, exec_path.c_str(), &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    if (rc == ENOENT || rc == EACCES || rc == ENOEXEC) {
      return NotFound(std::string(rc == ENOENT ? "command not found" : std::strerror(rc)));
    }
    if (rc == ENOTDIR || (rc == ENOENT && !req.cwd.empty())) {
      return IOError("cannot enter " + req.cwd + ": " + std::strerror(rc));
    }
    return IOError(std::strerror(rc));
  }
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0 && errno == ENOSYS) return Spawned{pid, -1};  // Linux before 5.3
  if (pidfd < 0) {
    int err = errno;
    ::kill(-pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return IOError(std::string("pidfd_open: ") + std::strerror(err));
  }
  ::fcntl(pidfd, F_SETFD, FD_CLOEXEC);
  return Spawned{pid, pidfd};
}

}  // namespace flyte
