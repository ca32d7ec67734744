#include "util/file_kind.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace flyte {

std::string FileKindName(mode_t mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

Result<int> OpenRegularFile(const std::string& path) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer that never comes.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return NotFound(path + " does not exist");
    return IOError("cannot read " + path + ": " + std::strerror(errno));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return IOError("cannot read " + path + ": " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return FailedPrecondition(path + " is " + FileKindName(st.st_mode) + ", not a regular file");
  }
  // Reads of a regular file never block; keeping the flag would only be surprising.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

Result<std::optional<std::string>> ReadRegularFile(const std::string& path, size_t limit) {
  Result<int> opened = OpenRegularFile(path);
  if (!opened.ok()) {
    if (opened.status().code() == StatusCode::kNotFound) return std::optional<std::string>();
    return opened.status();
  }
  const int fd = *opened;
  std::string out;
  char buf[1 << 14];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return IOError("cannot read " + path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > limit) {
      ::close(fd);
      return IOError(path + " is larger than " +
                     (limit >= (1u << 20) ? std::to_string(limit >> 20) + " MiB"
                                          : std::to_string(limit) + " bytes"));
    }
  }
  ::close(fd);
  return std::optional<std::string>(std::move(out));
}

Status CheckFolderContents(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(dir, ec);
  if (ec) return IOError("cannot resolve " + dir + ": " + ec.message());
  // The iterator does not follow links to folders, so a link cannot make it loop or leave.
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st;
    const std::string path = it->path().string();
    if (::lstat(path.c_str(), &st) != 0)
      return IOError("cannot look at " + path + ": " + std::strerror(errno));
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) continue;
    std::error_code entry_ec;
    const std::string rel = it->path().lexically_relative(dir).string();  // not through the link
    if (!S_ISLNK(st.st_mode)) return FailedPrecondition(rel + " is " + FileKindName(st.st_mode));
    const fs::path target = fs::weakly_canonical(it->path(), entry_ec);
    if (entry_ec || target.string().rfind(root.string() + "/", 0) != 0) {
      return FailedPrecondition(rel + " is a symbolic link to " +
                                fs::read_symlink(it->path(), entry_ec).string() +
                                ", outside the folder");
    }
    // A link that stays inside leads to an entry this walk looks at on its own; a dangling
    // one leads nowhere and harms nobody.
  }
  if (ec) return IOError("cannot list " + dir + ": " + ec.message());
  return Status::Ok();
}

}  // namespace flyte
