// Helpers for the real-process tests: temporary folders, child processes with their stdout and
// stderr captured through pipes (so never a TTY), running the built `flyte` binary against a
// private home, and checking that a process group has really gone. Every wait is for an event
// (pipe data, a pidfd turning readable) with a deadline; nothing sleeps.
#pragma once

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

extern char** environ;

namespace flyte::testing {

// A fresh folder under $TMPDIR (or /tmp), removed with its content when the test ends.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/flyte-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path_ = std::filesystem::canonical(tmpl).string();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  // Writes `text` to NAME inside the folder (creating parent folders) and returns its path.
  std::string Write(const std::string& name, const std::string& text) const {
    std::filesystem::path p = std::filesystem::path(path_) / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out << text;
    REQUIRE(out.good());
    return p.string();
  }

 private:
  std::string path_;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// How many times `needle` occurs in `text`.
inline size_t CountOccurrences(std::string_view text, std::string_view needle) {
  size_t n = 0;
  for (size_t pos = text.find(needle); pos != std::string_view::npos;
       pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string out, err;
};

using SteadyClock = std::chrono::steady_clock;

inline int RemainingMs(SteadyClock::time_point deadline) {
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

inline int PidfdOpen(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// A child process with stdin from /dev/null and stdout/stderr captured through pipes.
class Child {
 public:
  // `env` entries ("K=V") are added to (or replace those of) this process's environment.
  Child(const std::vector<std::string>& argv, const std::vector<std::string>& env = {}) {
    std::vector<std::string> envs;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string_view kv(*e);
      bool replaced = false;
      for (const std::string& mine : env) {
        size_t eq = mine.find('=');
        replaced =
            replaced || kv.substr(0, kv.find('=') + 1) == std::string_view(mine).substr(0, eq + 1);
      }
      if (!replaced) envs.emplace_back(kv);
    }
    envs.insert(envs.end(), env.begin(), env.end());
    std::vector<char*> cargv, cenv;
    for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    for (const std::string& e : envs) cenv.push_back(const_cast<char*>(e.c_str()));
    cenv.push_back(nullptr);

    int out[2], err[2];
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    int rc = posix_spawn(&pid_, cargv[0], &fa, nullptr, cargv.data(), cenv.data());
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    ::close(err[1]);
    fds_[0] = out[0];
    fds_[1] = err[0];
    INFO("cannot start " << argv[0] << ": " << std::strerror(rc));
    REQUIRE(rc == 0);
    pidfd_ = PidfdOpen(pid_);
    REQUIRE(pidfd_ >= 0);
  }
  ~Child() {
    if (!reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    for (int fd : {fds_[0], fds_[1], pidfd_}) {
      if (fd >= 0) ::close(fd);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

  void Signal(int sig) { REQUIRE(::kill(pid_, sig) == 0); }

  // Reads output until stderr contains `text`; false when the deadline passed (or the child
  // closed its stderr) first.
  bool WaitForStderr(std::string_view text, int deadline_ms = 20000) {
    auto deadline = SteadyClock::now() + std::chrono::milliseconds(deadline_ms);
    while (err_.find(text) == std::string::npos) {
      if (fds_[1] < 0 || !ReadSome(deadline)) return false;
    }
    return true;
  }

  // Reads output until stdout contains `text`; false when the deadline passed first.
  bool WaitForStdout(std::string_view text, int deadline_ms = 20000) {
    auto deadline = SteadyClock::now() + std::chrono::milliseconds(deadline_ms);
    while (out_.find(text) == std::string::npos) {
      if (fds_[0] < 0 || !ReadSome(deadline)) return false;
    }
    return true;
  }

  // Waits for the child to exit and for both pipes to close. Past the deadline the child is
  // killed and the test fails.
  ProcessResult Wait(int deadline_ms = 60000) {
    auto deadline = SteadyClock::now() + std::chrono::milliseconds(deadline_ms);
    while (fds_[0] >= 0 || fds_[1] >= 0) {
      if (!ReadSome(deadline)) break;
    }
    if (fds_[0] >= 0 || fds_[1] >= 0) {
      ::kill(pid_, SIGKILL);
      FAIL_CHECK("the child did not finish within " << deadline_ms << " ms; stderr so far:\n"
                                                    << err_);
    }
    pollfd p{pidfd_, POLLIN, 0};
    ::poll(&p, 1, RemainingMs(deadline));
    int status = 0;
    REQUIRE(::waitpid(pid_, &status, 0) == pid_);
    reaped_ = true;
    ProcessResult r;
    r.out = out_;
    r.err = err_;
    if (WIFEXITED(status)) {
      r.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      r.signal = WTERMSIG(status);
    }
    return r;
  }

 private:
  // One poll of both pipes; false on timeout.
  bool ReadSome(SteadyClock::time_point deadline) {
    pollfd p[2];
    nfds_t n = 0;
    int which[2];
    for (int i = 0; i < 2; ++i) {
      if (fds_[i] < 0) continue;
      p[n] = {fds_[i], POLLIN, 0};
      which[n++] = i;
    }
    if (n == 0) return false;
    int rc = ::poll(p, n, RemainingMs(deadline));
    if (rc <= 0) return rc < 0 && errno == EINTR;
    for (nfds_t k = 0; k < n; ++k) {
      if (p[k].revents == 0) continue;
      char buf[65536];
      ssize_t got = ::read(fds_[which[k]], buf, sizeof buf);
      if (got > 0) {
        (which[k] == 0 ? out_ : err_).append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        ::close(fds_[which[k]]);
        fds_[which[k]] = -1;
      }
    }
    return true;
  }

  pid_t pid_ = -1;
  int pidfd_ = -1;
  int fds_[2] = {-1, -1};
  bool reaped_ = false;
  std::string out_, err_;
};

// The built binary with `args`, against `home` (given as --home and as FLYTE_HOME, so a
// forgotten flag can never touch the user's ~/.flyte).
inline std::vector<std::string> FlyteArgv(const std::string& home, std::vector<std::string> args) {
  std::vector<std::string> argv = {FLYTE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--home");
  argv.push_back(home);
  return argv;
}
inline std::vector<std::string> FlyteEnv(const std::string& home) {
  return {"FLYTE_HOME=" + home, "TERM=dumb"};
}

inline ProcessResult Flyte(const std::string& home, std::vector<std::string> args) {
  Child c(FlyteArgv(home, std::move(args)), FlyteEnv(home));
  return c.Wait();
}

// A run printed the same way a person would see it, for failure messages.
inline std::string Describe(const ProcessResult& r) {
  return "exit " + std::to_string(r.exit_code) +
         (r.signal ? " signal " + std::to_string(r.signal) : "") + "\n--- stdout ---\n" + r.out +
         "--- stderr ---\n" + r.err;
}

// Processes of group `pgid` that are alive (zombies waiting for a reaper do not count).
inline std::vector<pid_t> LiveGroupMembers(pid_t pgid) {
  std::vector<pid_t> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = ReadFile(entry.path().string() + "/stat");
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    // After "(comm)": state ppid pgrp ...
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    long ppid = 0, pgrp = 0;
    rest >> state >> ppid >> pgrp;
    if (pgrp == pgid && state != 'Z' && state != 'X') out.push_back(std::stoi(name));
  }
  return out;
}

// Waits (on pidfds, not by sleeping) until no process of group `pgid` is alive.
inline bool WaitGroupGone(pid_t pgid, int deadline_ms = 5000) {
  auto deadline = SteadyClock::now() + std::chrono::milliseconds(deadline_ms);
  while (true) {
    std::vector<pid_t> live = LiveGroupMembers(pgid);
    if (live.empty()) return true;
    if (RemainingMs(deadline) == 0) return false;
    int fd = PidfdOpen(live.front());
    if (fd < 0) continue;  // it exited meanwhile
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, RemainingMs(deadline));
    ::close(fd);
  }
}

// The (first) child of `pid`: under `flyte run`, the engine whose parent is the guardian
// (cli/run_guard.h). -1 when it has none.
inline pid_t FirstChild(pid_t pid) {
  std::istringstream in(
      ReadFile("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children"));
  pid_t child = -1;
  in >> child;
  return child;
}

// Kills whatever is left of group `pgid` (cleanup after a test that left it on purpose).
inline void KillGroup(pid_t pgid) {
  if (pgid > 1) ::kill(-pgid, SIGKILL);
}

// Each line of a file (a log tasks append to) and how often it occurs; empty when missing.
inline std::map<std::string, int> LineCounts(const std::string& path) {
  std::ifstream in(path);
  std::map<std::string, int> out;
  std::string line;
  while (std::getline(in, line)) ++out[line];
  return out;
}

// Polls `done` every 20 ms until it holds; false when `deadline_ms` passed first.
inline bool WaitUntil(const std::function<bool()>& done, int deadline_ms = 30000) {
  auto deadline = SteadyClock::now() + std::chrono::milliseconds(deadline_ms);
  while (!done()) {
    if (SteadyClock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace flyte::testing
