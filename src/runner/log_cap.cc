#include "runner/log_cap.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

namespace flyte {
namespace {

constexpr uint64_t kBlock = 4096;
constexpr uint64_t kSlack = 64;

uint64_t Head(uint64_t cap) { return cap / 2; }
uint64_t Tail(uint64_t cap) { return cap - cap / 2; }

// Copies [from, from + n) to `to` (< from) within one file, front to back, so the ranges may
// overlap.
bool MoveDown(int fd, uint64_t from, uint64_t to, uint64_t n) {
  std::vector<char> buf(1 << 20);
  for (uint64_t done = 0; done < n;) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), n - done));
    ssize_t got = ::pread(fd, buf.data(), want, static_cast<off_t>(from + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    for (ssize_t w = 0; w < got;) {
      ssize_t put = ::pwrite(fd, buf.data() + w, static_cast<size_t>(got - w),
                             static_cast<off_t>(to + done + w));
      if (put < 0 && errno == EINTR) continue;
      if (put <= 0) return false;
      w += put;
    }
    done += static_cast<uint64_t>(got);
  }
  return true;
}

}  // namespace

std::string CutNote(uint64_t bytes) {
  char text[64];
  if (bytes >= (1u << 20)) {
    std::snprintf(text, sizeof text, "… %.1f MiB cut …", static_cast<double>(bytes) / (1u << 20));
  } else if (bytes >= 1024) {
    std::snprintf(text, sizeof text, "… %.1f KiB cut …", static_cast<double>(bytes) / 1024);
  } else {
    std::snprintf(text, sizeof text, "… %llu bytes cut …", static_cast<unsigned long long>(bytes));
  }
  return text;
}

void PunchLogMiddle(const std::string& path, uint64_t cap) {
  struct stat st;
  if (cap == 0 || ::stat(path.c_str(), &st) != 0) return;
  const auto size = static_cast<uint64_t>(st.st_size);
  if (size <= cap) return;
  // Whole blocks strictly inside the part to cut; the final rewrite reads only the rest.
  const uint64_t start = (Head(cap) + kBlock - 1) / kBlock * kBlock;
  const uint64_t end = (size - Tail(cap)) / kBlock * kBlock;
  if (end <= start) return;
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return;
  // Best effort: where holes are not supported the disk holds it until the task ends.
  (void)::fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(start),
                    static_cast<off_t>(end - start));
  ::close(fd);
}

Status CapLog(const std::string& path, uint64_t cap) {
  struct stat st;
  if (cap == 0 || ::stat(path.c_str(), &st) != 0) return Status::Ok();
  const auto size = static_cast<uint64_t>(st.st_size);
  // A few bytes over are kept: the note would be longer than the cut, and must end before
  // the tail it is written in front of.
  if (size <= cap + kSlack) return Status::Ok();
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return IOError("cannot cap " + path + ": " + std::strerror(errno));
  const uint64_t head = Head(cap), tail = Tail(cap);
  char last = '\n';
  (void)::pread(fd, &last, 1, static_cast<off_t>(head - 1));
  // The note on a line of its own.
  std::string note = (last == '\n' ? "" : "\n") + CutNote(size - head - tail) + "\n";
  bool ok = ::pwrite(fd, note.data(), note.size(), static_cast<off_t>(head)) ==
                static_cast<ssize_t>(note.size()) &&
            MoveDown(fd, size - tail, head + note.size(), tail) &&
            ::ftruncate(fd, static_cast<off_t>(head + note.size() + tail)) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) return IOError("cannot cap " + path + ": " + std::strerror(err));
  return Status::Ok();
}

}  // namespace flyte
