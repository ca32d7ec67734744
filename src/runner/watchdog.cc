#include "runner/watchdog.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace flyte {
namespace {

// The watchdog's code runs in this process's memory with this process's thread pointer, so it
// must not touch errno, locks or the heap, nor be instrumented: system calls are made here.
#define FLYTE_RAW __attribute__((no_sanitize("address", "undefined")))

#if defined(__x86_64__)
constexpr bool kRawCalls = true;
FLYTE_RAW inline long Sys(long n, long a = 0, long b = 0, long c = 0, long d = 0) {
  long ret;
  register long r10 __asm__("r10") = d;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
                   : "rcx", "r11", "memory");
  return ret;
}
#elif defined(__aarch64__)
constexpr bool kRawCalls = true;
FLYTE_RAW inline long Sys(long n, long a = 0, long b = 0, long c = 0, long d = 0) {
  register long x8 __asm__("x8") = n;
  register long x0 __asm__("x0") = a;
  register long x1 __asm__("x1") = b;
  register long x2 __asm__("x2") = c;
  register long x3 __asm__("x3") = d;
  __asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
  return x0;
}
#else
constexpr bool kRawCalls = false;  // then the watchdog is a fork: errno is its own
inline long Sys(long n, long a = 0, long b = 0, long c = 0, long d = 0) {
  long r = ::syscall(n, a, b, c, d);
  return r < 0 ? -errno : r;
}
#endif

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kShareMemory = false;  // the sanitizer's runtime keeps state per thread
#else
constexpr bool kShareMemory = kRawCalls;
#endif

constexpr size_t kStackBytes = 64 << 10;
constexpr int kMaxRounds = 50;

// Written before the watchdog starts. It reads the fields down to `mark`, never written after.
struct Shared {
  int read_fd = -1;
  int pipe_write_fd = -1;  // the watchdog's copy of it, to close
  size_t mark_len = 0;     // of mark: "FLYTE_RUN_GUARD=VALUE"
  char mark[96] = {};
  size_t value_at = 0;  // where VALUE starts in mark
  // Ours alone.
  int write_fd = -1;
  pid_t pid = -1;
  bool tried = false;
};
Shared g;

// Reads an environment entry by entry: whether one is FLYTE_RUN_GUARD=V1:V2:... with our value
// among the Vs (a run started inside another run's task carries both runs' values).
struct EnvMatch {
  size_t prefix = 0;  // bytes of "FLYTE_RUN_GUARD=" matched by the entry being read
  bool entry = true;  // the entry being read can still be ours
  size_t token = 0;   // bytes of our value matched by the token being read
  bool token_ok = true;
  bool found = false;
};

FLYTE_RAW void EndToken(EnvMatch* m) {
  const size_t value_len = g.mark_len - g.value_at;
  if (m->entry && m->prefix == g.value_at && m->token_ok && m->token == value_len) m->found = true;
  m->token = 0;
  m->token_ok = true;
}

FLYTE_RAW void Feed(EnvMatch* m, char c) {
  if (c == '\0') {
    EndToken(m);
    m->prefix = 0;
    m->entry = true;
  } else if (!m->entry) {
  } else if (m->prefix < g.value_at) {
    if (c == g.mark[m->prefix]) {
      ++m->prefix;
    } else {
      m->entry = false;
    }
  } else if (c == ':') {
    EndToken(m);
  } else if (m->token_ok && m->token < g.mark_len - g.value_at &&
             c == g.mark[g.value_at + m->token]) {
    ++m->token;
  } else {
    m->token_ok = false;
  }
}

enum class Mark { kNo, kYes, kInExec };

// "/proc/PID/NAME" into `path` (48 bytes).
FLYTE_RAW void ProcPath(char* path, const char* pid_text, const char* name) {
  size_t n = 0;
  for (const char* s = "/proc/"; *s != '\0'; ++s) path[n++] = *s;
  for (const char* s = pid_text; *s != '\0' && n < 30; ++s) path[n++] = *s;
  path[n++] = '/';
  for (const char* s = name; *s != '\0' && n < 47; ++s) path[n++] = *s;
  path[n] = '\0';
}

// Reads /proc/PID/environ through `m`; returns how many bytes it had.
FLYTE_RAW long ReadEnvironment(const char* pid_text, EnvMatch* m) {
  char path[48];
  ProcPath(path, pid_text, "environ");
  const long fd = Sys(SYS_openat, AT_FDCWD, reinterpret_cast<long>(path), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char buf[4096];
  long total = 0;
  for (long got; !m->found && total < (8L << 20) &&
                 (got = Sys(SYS_read, fd, reinterpret_cast<long>(buf), sizeof buf)) > 0;
       total += got) {
    for (long i = 0; i < got; ++i) Feed(m, buf[i]);
  }
  Feed(m, '\0');  // a last entry without its NUL
  Sys(SYS_close, fd);
  return total;
}

// Whether /proc/PID/environ marks the process as one of this run's. An empty environment,
// empty arguments and an executable (a zombie and a kernel thread have none) is a process in
// the middle of an execve(2), before the kernel has written them (runner/orphans.cc): its
// answer comes in a later pass. With its arguments there, the environment is read once more
// (the first read may have begun in the memory the exec replaced).
FLYTE_RAW Mark Marked(const char* pid_text) {
  EnvMatch m;
  if (ReadEnvironment(pid_text, &m) > 0 || m.found) return m.found ? Mark::kYes : Mark::kNo;
  char path[48];
  char buf[256];
  ProcPath(path, pid_text, "exe");
  if (Sys(SYS_readlinkat, AT_FDCWD, reinterpret_cast<long>(path), reinterpret_cast<long>(buf),
          sizeof buf) < 0)
    return Mark::kNo;
  ProcPath(path, pid_text, "cmdline");
  const long args = Sys(SYS_openat, AT_FDCWD, reinterpret_cast<long>(path), O_RDONLY | O_CLOEXEC);
  if (args < 0) return Mark::kNo;
  const long got = Sys(SYS_read, args, reinterpret_cast<long>(buf), 1);
  Sys(SYS_close, args);
  if (got == 0) return Mark::kInExec;
  EnvMatch again;
  ReadEnvironment(pid_text, &again);
  return again.found ? Mark::kYes : Mark::kNo;
}

// One pass over /proc: kills each marked process and its process group. Returns how many,
// counting those it could not yet tell (in an exec) so that another pass follows.
FLYTE_RAW int KillMarked(long self) {
  const long dir = Sys(SYS_openat, AT_FDCWD, reinterpret_cast<long>("/proc"),
                       O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return 0;
  alignas(8) char ents[4096];
  int found = 0;
  for (long n; (n = Sys(SYS_getdents64, dir, reinterpret_cast<long>(ents), sizeof ents)) > 0;) {
    for (long off = 0; off < n;) {
      // struct linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name.
      const char* rec = ents + off;
      unsigned short reclen;
      __builtin_memcpy(&reclen, rec + 16, sizeof reclen);
      off += reclen;
      const char* name = rec + 19;
      long pid = 0;
      const char* p = name;
      for (; *p >= '0' && *p <= '9' && pid < (1L << 30); ++p) pid = pid * 10 + (*p - '0');
      if (p == name || *p != '\0' || pid <= 1 || pid == self) continue;
      const Mark mark = Marked(name);
      if (mark == Mark::kInExec) ++found;  // not yet, but look again
      if (mark != Mark::kYes) continue;
      const long group = Sys(SYS_getpgid, pid);
      Sys(SYS_kill, pid, SIGKILL);
      if (group > 1 && group != self) Sys(SYS_kill, -group, SIGKILL);
      ++found;
    }
  }
  Sys(SYS_close, dir);
  return found;
}

// The watchdog: in a session of its own, with no descriptor but the pipe's read end, it waits
// for the end of the pipe; then, unless the last byte was the all-clear, kills marked processes
// until a pass finds none (a killed process's environment stays readable until it is gone).
FLYTE_RAW int Watch(void*) {
  const long fd = g.read_fd;
  Sys(SYS_close, g.pipe_write_fd);
  Sys(SYS_setsid);
  // Not readable through /proc by other processes of our user: as a fork, its copy of our
  // environment still holds the FLYTE_SECRET_* values we wipe from ours (cli/run.cc).
  Sys(SYS_prctl, PR_SET_DUMPABLE, 0);
  if ((fd > 0 && Sys(SYS_close_range, 0, fd - 1, 0) < 0) ||
      Sys(SYS_close_range, fd + 1, ~0U, 0) < 0) {
    for (long i = 0; i < 1024; ++i)
      if (i != fd) Sys(SYS_close, i);
  }
  Sys(SYS_chdir, reinterpret_cast<long>("/"));
  char last = 0;
  char buf[64];
  for (long n; (n = Sys(SYS_read, fd, reinterpret_cast<long>(buf), sizeof buf)) != 0;) {
    if (n > 0) last = buf[n - 1];
    if (n < 0 && n != -EINTR) break;
  }
  if (last != 'c') {
    const long self = Sys(SYS_getpid);
    const struct timespec pause = {0, 2000000};
    for (int round = 0; round < kMaxRounds && KillMarked(self) > 0; ++round)
      Sys(SYS_nanosleep, reinterpret_cast<long>(&pause), 0);
  }
  Sys(SYS_exit, 0);
  return 0;
}

}  // namespace

bool StartWatchdog() {
  if (g.tried) return g.pid > 0;
  g.tried = true;
  // What leaves a task's group (setsid, a double fork) comes to us when its parent ends, so
  // that the attempt's end can kill it (runner/orphans.h).
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  // Valgrind runs a clone that is neither a thread nor a fork by ending the whole program:
  // under it (its preloaded library says so) there is no watchdog.
  if (const char* preload = std::getenv("LD_PRELOAD");
      preload != nullptr && std::strstr(preload, "vgpreload") != nullptr)
    return false;
  unsigned char rnd[12] = {};
  if (::getrandom(rnd, sizeof rnd, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof rnd)) {
    struct timespec now {};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    for (size_t i = 0; i < sizeof rnd; ++i)
      rnd[i] = static_cast<unsigned char>((now.tv_nsec >> (i % 8 * 8)) ^ (now.tv_sec >> i));
  }
  static constexpr char kHex[] = "0123456789abcdef";
  size_t n = 0;
  for (const char* s = kRunGuardEnv; *s != '\0'; ++s) g.mark[n++] = *s;
  g.mark[n++] = '=';
  g.value_at = n;
  const unsigned self = static_cast<unsigned>(::getpid());
  for (int shift = 28; shift >= 0; shift -= 4) {
    if ((self >> shift) != 0 || shift == 0) g.mark[n++] = kHex[(self >> shift) & 15];
  }
  g.mark[n++] = '-';
  for (unsigned char b : rnd) {
    g.mark[n++] = kHex[b >> 4];
    g.mark[n++] = kHex[b & 15];
  }
  g.mark_len = n;

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  g.read_fd = fds[0];
  g.pipe_write_fd = fds[1];
  g.write_fd = fds[1];
  void* stack = ::mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) {
    ::close(fds[0]);
    ::close(fds[1]);
    return false;
  }
  // Every signal blocked in the watchdog from its first instruction (Ctrl-C reaches our
  // process group until it has its own session); only SIGKILL ends it.
  sigset_t all, old;
  sigfillset(&all);
  ::sigprocmask(SIG_BLOCK, &all, &old);
  // No exit signal: wait(2) without __WALL does not see it.
  const pid_t pid = ::clone(&Watch, static_cast<char*>(stack) + kStackBytes,
                            kShareMemory ? CLONE_VM : 0, nullptr);
  ::sigprocmask(SIG_SETMASK, &old, nullptr);
  ::close(fds[0]);
  if (pid < 0) {
    ::close(fds[1]);
    ::munmap(stack, kStackBytes);
    return false;
  }
  if (!kShareMemory) ::munmap(stack, kStackBytes);  // the fork has its own copy
  g.pid = pid;
  return true;
}

std::optional<std::string> WatchdogMark() {
  if (g.pid <= 0) return std::nullopt;
  return std::string(g.mark + g.value_at, g.mark_len - g.value_at);
}

pid_t WatchdogPid() { return g.pid; }

void WatchdogAllClear() {
  if (g.pid <= 0 || g.write_fd < 0) return;
  while (::write(g.write_fd, "c", 1) < 0 && errno == EINTR) {
  }
  ::close(g.write_fd);
  g.write_fd = -1;
}

}  // namespace flyte
