#include "runner/supervise.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "util/proc.h"

extern char** environ;

namespace flyte {
namespace {

// Writes `text` to `path` through a temporary file and a rename, so a reader sees all of it
// or nothing.
bool WriteAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ::close(fd) == 0 && ok;
  return ok && ::rename(tmp.c_str(), path.c_str()) == 0;
}

std::string ReadSmallFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  char buf[256];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

void Nothing(int) {}

volatile sig_atomic_t g_kill_tree = 0;
void OnKillTree(int) { g_kill_tree = 1; }

// Under `flyte run` (FLYTE_SUPERVISE_PARENT=PID): the task ends when flyte does, however it
// ends (kill -9 included), through PR_SET_PDEATHSIG; and there is nothing to adopt, so no
// records are kept. Sets g_kill_tree when the parent is already gone.
bool EndWithParent() {
  const char* parent = std::getenv(kEndWithParentEnv);
  if (parent == nullptr) return false;
  const long pid = std::strtol(parent, nullptr, 10);
  ::unsetenv(kEndWithParentEnv);
  ::prctl(PR_SET_PDEATHSIG, KillTreeSignal(), 0, 0, 0);
  // It may have died before the line above: then no signal comes.
  if (::getppid() != static_cast<pid_t>(pid)) g_kill_tree = 1;
  return true;
}

}  // namespace

// The task's process and, as we are a subreaper, every process of its tree that lost its
// parent: all our children. A child cannot be reused by another process until we reap it,
// so killing one by pid is safe.
void TaskTree::WaitTask() {
  while (!done_) {
    if (g_kill_tree) {
      KillAll();  // the task included
      continue;
    }
    if (Reap(0) < 0 && errno != EINTR) {
      status_ = SIGKILL;  // waitpid(2) status: killed (it can only be ECHILD: it is gone)
      done_ = true;
    }
  }
}

void TaskTree::KillAll() {
  while (true) {
    std::vector<pid_t> kids = MainThreadChildren();  // we are single-threaded: all of them
    // Without the /proc list, the task at least.
    if (!done_ && std::find(kids.begin(), kids.end(), task_) == kids.end()) kids.push_back(task_);
    if (kids.empty()) {
      while (Reap(WNOHANG) > 0) {
      }
      return;
    }
    for (pid_t k : kids) ::kill(k, SIGKILL);
    // One of them ends (or is a zombie already); the children of a killed one become ours
    // before it does, and are found on the next turn.
    if (Reap(0) < 0 && errno == ECHILD) return;
  }
}

pid_t TaskTree::Reap(int flags) {
  int st = 0;
  pid_t pid = ::waitpid(-1, &st, flags);
  if (pid == task_) {
    status_ = st;
    done_ = true;
  }
  return pid;
}

namespace {

void WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the log is gone: drop the rest rather than block the task
    data.remove_prefix(static_cast<size_t>(n));
  }
}

// Copies the task's output from two pipes to our stdout and stderr, redacting secrets. A
// secret split across reads is still caught: only whole lines are written, or, for a line
// longer than the buffer, all but the last (longest secret - 1) bytes.
// When the task ends, what it left behind is killed first: a process that escaped its group
// may still hold the pipes, and would keep us (and the attempt) waiting.
void CopyRedacted(int from_out, int from_err, const std::vector<std::string>& secrets,
                  TaskTree& tree) {
  size_t keep = 0;
  bool multiline = false;
  for (const std::string& s : secrets) {
    keep = std::max(keep, s.size() - 1);
    multiline = multiline || s.find('\n') != std::string::npos;
  }
  constexpr size_t kMaxLine = 64 << 10;
  std::string pending[2];
  int task_fd = static_cast<int>(::syscall(SYS_pidfd_open, tree.task(), 0));
  struct pollfd fds[3] = {{from_out, POLLIN, 0}, {from_err, POLLIN, 0}, {task_fd, POLLIN, 0}};
  int open = 2;
  char buf[16 << 10];
  bool task_over = false;
  // Without a pidfd (Linux before 5.3) the task is looked at between polls, at intervals that
  // double from 1 ms to 32 ms.
  int look_ms = task_fd < 0 ? 1 : -1;
  while (open > 0) {
    int ready = ::poll(fds, 3, task_over ? -1 : look_ms);
    bool ended = ready > 0 && fds[2].revents != 0;
    if (!task_over && task_fd < 0) {
      siginfo_t info{};
      ended = ::waitid(P_PID, static_cast<id_t>(tree.task()), &info, WEXITED | WNOHANG | WNOWAIT) !=
                  0 ||
              info.si_pid == tree.task();
      look_ms = std::min(look_ms * 2, 32);
    }
    if (!task_over && (g_kill_tree || ended)) {
      task_over = true;
      tree.WaitTask();
      tree.KillAll();
      if (fds[2].fd >= 0) ::close(fds[2].fd);
      fds[2].fd = -1;
      continue;
    }
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      std::string& p = pending[i];
      if (n <= 0) {
        WriteAll(i + 1, p);  // redacted as it came
        p.clear();
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open;
        continue;
      }
      // Redact first, then write all but what could be the start of a secret still arriving:
      // whole lines, or for a long line all but its last `keep` bytes (and always that, when
      // a secret spans lines).
      p = Redact(std::move(p).append(buf, static_cast<size_t>(n)), secrets);
      size_t nl = multiline ? std::string::npos : p.rfind('\n');
      size_t cut = nl != std::string::npos                    ? nl + 1
                   : p.size() > (multiline ? keep : kMaxLine) ? p.size() - keep
                                                              : 0;
      if (cut > 0) {
        WriteAll(i + 1, std::string_view(p).substr(0, cut));
        p.erase(0, cut);
      }
    }
  }
}

std::vector<std::string> SplitNames(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    if (end > start) out.push_back(list.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Copies the environment for the task into `text` and `ptrs` (null-terminated), then removes
// the variables `names` from ours and wipes their bytes, and makes us non-dumpable, so that
// neither /proc/OUR_PID/environ nor (for other users than root) any file of ours shows them.
void HideSecrets(const std::vector<std::string>& names, std::vector<std::string>* text,
                 std::vector<char*>* ptrs) {
  std::vector<char*> originals;
  for (char** e = environ; *e != nullptr; ++e) {
    text->emplace_back(*e);
    std::string_view kv(*e);
    for (const std::string& name : names) {
      if (kv.size() > name.size() && kv[name.size()] == '=' && kv.substr(0, name.size()) == name) {
        originals.push_back(*e);
      }
    }
  }
  for (std::string& t : *text) ptrs->push_back(t.data());
  ptrs->push_back(nullptr);
  for (const std::string& name : names) ::unsetenv(name.c_str());
  WipeInitialEnvironment(originals);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

}  // namespace

std::string Redact(std::string text, const std::vector<std::string>& secrets) {
  std::vector<const std::string*> order;
  for (const std::string& s : secrets) {
    if (!s.empty()) order.push_back(&s);
  }
  std::sort(order.begin(), order.end(),
            [](const std::string* a, const std::string* b) { return a->size() > b->size(); });
  for (const std::string* s : order) {
    size_t at = 0;
    while ((at = text.find(*s, at)) != std::string::npos) {
      text.replace(at, s->size(), kRedacted);
      at += sizeof kRedacted - 1;
    }
  }
  return text;
}

int SuperviseMain(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: flyte %s ATTEMPT_DIR PROGRAM [ARGS...]\n", kSuperviseCommand);
    return 127;
  }
  const std::string dir = argv[2];
  // Signals to the group (abort, timeout) are for the task: wait on. A caught signal goes
  // back to its default in the task when it execs.
  struct sigaction sa {};
  sa.sa_handler = &Nothing;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2})
    ::sigaction(sig, &sa, nullptr);
  sa.sa_handler = &OnKillTree;
  ::sigaction(KillTreeSignal(), &sa, nullptr);
  // Whatever leaves the task's group (setsid, a double fork) still comes back to us when its
  // parent dies, so it is found and ended with the task.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  const bool records = !EndWithParent();
  if (!records && g_kill_tree) return 128 + SIGKILL;  // our parent is already gone
  // Before the task starts: a restarted server that finds no record knows it never ran.
  if (records && !WriteAtomically(dir + "/supervisor", ProcessIdentity(::getpid()) + "\n")) {
    std::fprintf(stderr, "flyte: cannot write %s/supervisor: %s\n", dir.c_str(),
                 std::strerror(errno));
    return 127;
  }
  auto record = [&](const std::string& text) {
    if (records) WriteAtomically(dir + "/exit", text);
  };

  // Secrets to keep out of the logs: the values of the variables FLYTE_REDACT_ENV names.
  std::vector<std::string> secrets, names;
  if (const char* list = std::getenv(kRedactEnv)) {
    names = SplitNames(list);
    for (const std::string& name : names) {
      const char* v = std::getenv(name.c_str());
      if (v != nullptr && *v != '\0') secrets.emplace_back(v);
    }
    ::unsetenv(kRedactEnv);
  }
  // The task gets its secrets from a copy; our own /proc/PID/environ must not show them to
  // other tasks.
  std::vector<std::string> task_env_text;
  std::vector<char*> task_env;
  if (!names.empty()) HideSecrets(names, &task_env_text, &task_env);
  char** envp = names.empty() ? environ : task_env.data();
  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (!secrets.empty()) {
    if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
      std::fprintf(stderr, "flyte: cannot create a pipe: %s\n", std::strerror(errno));
      record("exit 127\n");
      return 127;
    }
    posix_spawn_file_actions_adddup2(&fa, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err_pipe[1], 2);
  }
  pid_t child = -1;
  int rc = posix_spawn(&child, argv[3], &fa, nullptr, argv + 3, envp);
  posix_spawn_file_actions_destroy(&fa);
  TaskTree tree(child);
  if (!secrets.empty()) {
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (rc == 0) {
      CopyRedacted(out_pipe[0], err_pipe[0], secrets, tree);
    } else {
      ::close(out_pipe[0]);
      ::close(err_pipe[0]);
    }
  }
  if (rc != 0) {
    std::fprintf(stderr, "flyte: cannot start %s: %s\n", argv[3], std::strerror(rc));
    record("exit 127\n");
    return 127;
  }
  tree.WaitTask();
  tree.KillAll();
  const int status = tree.status();
  if (WIFEXITED(status)) {
    record("exit " + std::to_string(WEXITSTATUS(status)) + "\n");
    return WEXITSTATUS(status);
  }
  const int sig = WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL;
  record("signal " + std::to_string(sig) + "\n");
  // End by the same signal (without a core file of our own), so our parent sees what the
  // task did.
  struct rlimit no_core {
    0, 0
  };
  ::setrlimit(RLIMIT_CORE, &no_core);
  ::signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
  ::raise(sig);
  return 128 + sig;
}

RecordedExit ReadRecordedExit(const std::string& attempt_dir) {
  RecordedExit r;
  std::string text = ReadSmallFile(attempt_dir + "/exit");
  int value = 0;
  if (std::sscanf(text.c_str(), "exit %d", &value) == 1) {
    r.found = true;
    r.exit_code = value;
  } else if (std::sscanf(text.c_str(), "signal %d", &value) == 1 && value > 0) {
    r.found = true;
    r.signal = value;
  }
  return r;
}

std::string ReadSupervisorIdentity(const std::string& attempt_dir) {
  std::string text = ReadSmallFile(attempt_dir + "/supervisor");
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return IdentityPid(text) > 0 ? text : "";
}

}  // namespace flyte
