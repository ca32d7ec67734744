// Starting a task process: posix_spawn (vfork-fast whatever our memory size), in a session of
// its own, with stdout and stderr going to files or pipes, plus a pidfd to watch it exit.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "flyte/status.h"

namespace flyte {

struct SpawnRequest {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH when it has no '/'
  std::vector<std::string> env;   // "K=V"
  std::string cwd;
  // Where output goes: a file path (created or truncated), or, when the fd is ≥ 0, the write
  // end of a pipe.
  std::string stdout_path, stderr_path;
  int stdout_fd = -1, stderr_fd = -1;
  // A program that runs the command for us (the supervisor): when set, what is executed is
  // wrapper + [argv[0] resolved on PATH] + argv[1:], so a missing program is still reported
  // here, before anything starts.
  std::vector<std::string> wrapper;
};

struct Spawned {
  pid_t pid = -1;
  int pidfd =
      -1;  // readable once the process has exited (-1 before Linux 5.3); the caller closes it
};

// NotFound when the program does not exist or is not executable, IOError otherwise.
Result<Spawned> Spawn(const SpawnRequest& request);

// The full path of `program` on `path` (a PATH value), remembered per (program, PATH) because
// a failed execve per PATH entry would otherwise cost more than the task. Empty if not found.
std::string ResolveProgram(const std::string& program, const std::string& path);

}  // namespace flyte
