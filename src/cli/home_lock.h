// One server per home. Two servers on one home would both fire the schedules, neither could
// terminate or adopt the other's executions, and a restart of one would not take over the
// other's work. HOME/serve.lock is held with flock(2) for the server's whole life (the kernel
// drops it when the process ends, kill -9 included, so a restart is never blocked by a dead
// server) and names its holder for the error a second server prints. `flyte run` does not
// take it: local runs beside a server are fine.
#pragma once

#include <memory>
#include <string>

#include "flyte/status.h"

namespace flyte::cli {

class HomeLock {
 public:
  // FailedPrecondition naming the server that holds it; IOError when the file cannot be made.
  static Result<std::unique_ptr<HomeLock>> Acquire(const std::string& home);
  ~HomeLock();
  HomeLock(const HomeLock&) = delete;
  HomeLock& operator=(const HomeLock&) = delete;

  // Records who holds it ("pid PID, URL"), for the error a second server prints.
  void SetHolder(const std::string& url);
  // Non-empty when the file system cannot lock (some network mounts): the server runs
  // anyway, without the check, and says so.
  const std::string& warning() const { return warning_; }

 private:
  HomeLock(int fd, std::string warning) : fd_(fd), warning_(std::move(warning)) {}
  int fd_;
  std::string warning_;
};

}  // namespace flyte::cli
