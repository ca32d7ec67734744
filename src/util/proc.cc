#include "util/proc.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace flyte {

std::string ProcessIdentity(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  char buf[1024];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return "";
  buf[n] = '\0';
  // The command name (field 2) is in parentheses and may hold spaces: count from the last ')'.
  std::string_view text(buf, static_cast<size_t>(n));
  size_t close = text.rfind(')');
  if (close == std::string_view::npos) return "";
  // The space after ")" comes before field 3 (the state); find the one before field 22.
  size_t pos = close + 1;
  for (int field = 3; field < 22 && pos != std::string_view::npos; ++field) {
    pos = text.find(' ', pos + 1);
  }
  if (pos == std::string_view::npos) return "";
  size_t end = text.find(' ', pos + 1);
  std::string_view start =
      text.substr(pos + 1, end == std::string_view::npos ? end : end - pos - 1);
  // A zombie has exited: its identity no longer names a running process.
  size_t state = close + 2;
  if (state < text.size() && (text[state] == 'Z' || text[state] == 'X')) return "";
  return std::to_string(pid) + ":" + std::string(start);
}

pid_t IdentityPid(const std::string& identity) {
  size_t colon = identity.find(':');
  if (colon == std::string::npos || colon == 0) return -1;
  char* end = nullptr;
  long pid = std::strtol(identity.c_str(), &end, 10);
  if (end != identity.c_str() + colon || pid <= 0) return -1;
  return static_cast<pid_t>(pid);
}

void WipeInitialEnvironment(const std::vector<char*>& entries) {
  if (entries.empty()) return;
  int fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  char buf[2048];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return;
  buf[n] = '\0';
  // env_start and env_end are fields 50 and 51 (proc(5)); count from the ')' closing field 2.
  const char* p = std::strrchr(buf, ')');
  if (p == nullptr) return;
  uintptr_t range[2] = {0, 0};
  for (int field = 2; field < 51 && p != nullptr; ++field) {
    p = std::strchr(p + 1, ' ');
    if (p != nullptr && field + 1 >= 50) range[field + 1 - 50] = std::strtoull(p + 1, nullptr, 10);
  }
  for (char* e : entries) {
    auto at = reinterpret_cast<uintptr_t>(e);
    if (range[0] == 0 || at < range[0] || at >= range[1]) continue;
    size_t len = std::strlen(e);
    // Zeros, not another text: the block then reads as empty strings, and nothing of the
    // name says what was there. volatile: the compiler must not drop a write no one reads.
    volatile char* v = e;
    for (size_t i = 0; i < len; ++i) v[i] = '\0';
  }
}

bool ProcessAlive(const std::string& identity) {
  pid_t pid = IdentityPid(identity);
  return pid > 0 && ProcessIdentity(pid) == identity;
}

std::vector<pid_t> MainThreadChildren() {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/task/%d/children", static_cast<int>(::getpid()));
  std::vector<pid_t> out;
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  std::string text;
  char buf[4096];
  ssize_t n;
  while (text.size() < (size_t{1} << 20) && (n = ::read(fd, buf, sizeof buf)) > 0) {
    text.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  const char* p = text.c_str();
  char* end = nullptr;
  for (long pid = std::strtol(p, &end, 10); end != p; pid = std::strtol(p, &end, 10)) {
    out.push_back(static_cast<pid_t>(pid));
    p = end;
  }
  return out;
}

std::map<std::string, std::string> EnvironmentMap() {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

}  // namespace flyte
