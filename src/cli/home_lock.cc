#include "cli/home_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace flyte::cli {

Result<std::unique_ptr<HomeLock>> HomeLock::Acquire(const std::string& home) {
  std::error_code ec;
  std::filesystem::create_directories(home, ec);
  const std::string path = home + "/serve.lock";
  // Close-on-exec: tasks (and their supervisors, which outlive us) never hold it.
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return IOError("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err != EWOULDBLOCK) {
      return std::unique_ptr<HomeLock>(
          new HomeLock(fd, "cannot lock " + path + ": " + std::strerror(err) +
                               "; a second server on this home would not be refused"));
    }
    char buf[512];
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    std::string holder = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    return FailedPrecondition("another flyte serve is already using the home " + home +
                              (holder.empty() ? "" : " (" + holder + ")") +
                              "; stop it, or pass --home for a separate one");
  }
  return std::unique_ptr<HomeLock>(new HomeLock(fd, ""));
}

HomeLock::~HomeLock() {
  ::ftruncate(fd_, 0);  // no stale holder for the next reader
  ::close(fd_);
}

void HomeLock::SetHolder(const std::string& url) {
  const std::string text = "pid " + std::to_string(::getpid()) + ", " + url + "\n";
  if (::ftruncate(fd_, 0) == 0) (void)!::pwrite(fd_, text.data(), text.size(), 0);
}

}  // namespace flyte::cli
