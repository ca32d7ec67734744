#include "runner/file_logs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/file_kind.h"

namespace flyte {
namespace {

// The open log, or -1 when it does not exist (yet).
Result<int> Open(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return -1;
    return IOError("cannot read the log " + path + ": " + std::strerror(errno));
  }
  return OpenRegularFile(path);
}

}  // namespace

Result<std::string> FileLogs::Read(const std::string& ref, uint64_t offset, size_t max) {
  ASSIGN_OR_RETURN(int fd, Open(ref));
  if (fd < 0) return std::string();
  std::string out(max, '\0');
  size_t got = 0;
  while (got < max) {
    const ssize_t n = ::pread(fd, out.data() + got, max - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return IOError("cannot read the log " + ref + ": " + std::strerror(err));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(got);
  return out;
}

Result<uint64_t> FileLogs::Size(const std::string& ref) {
  struct stat st {};
  if (::stat(ref.c_str(), &st) != 0) {
    if (errno == ENOENT) return uint64_t{0};
    return IOError("cannot read the log " + ref + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return FailedPrecondition("the log " + ref + " is " + FileKindName(st.st_mode) +
                              ", not a file");
  }
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace flyte
