#include "runner/local_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "runner/log_cap.h"
#include "runner/orphans.h"
#include "runner/secret_env.h"
#include "runner/spawn.h"
#include "runner/supervise.h"
#include "runner/task_files.h"
#include "runner/value_transfer.h"
#include "runner/watchdog.h"
#include "util/file_kind.h"
#include "util/proc.h"
#include "util/strings.h"

extern char** environ;

namespace flyte {
namespace {

constexpr size_t kTailLines = 20;

std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

std::string SecretEnvName(const std::string& name) {
  std::string out;
  for (char c : name)
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
  return out;
}

// Rewrites the task's _ERROR with `secrets` redacted (and private), so that neither the
// message nor the file left in the attempt folder holds one.
void RedactErrorFile(const TaskPaths& paths, const std::vector<std::string>& secrets) {
  const std::string path = paths.output_dir + "/_ERROR";
  std::ifstream in(path, std::ios::binary);
  if (!in) return;
  std::ostringstream text;
  text << in.rdbuf();
  std::string redacted = Redact(text.str(), secrets);
  if (redacted == text.str()) return;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << redacted;
  ::chmod(path.c_str(), 0600);
}

}  // namespace

std::optional<std::string> LocalRunner::SecretValue(const std::string& name) const {
  if (auto v = SecretFromEnvironment("FLYTE_SECRET_" + SecretEnvName(name))) return v;
  if (options_.secrets_dir.empty() || name.find('/') != std::string::npos || name.empty() ||
      name[0] == '.') {
    return std::nullopt;
  }
  std::ifstream in(options_.secrets_dir + "/" + name, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  std::string v = text.str();
  if (!v.empty() && v.back() == '\n') v.pop_back();
  if (!v.empty() && v.back() == '\r') v.pop_back();
  return v;
}

std::vector<std::string> LocalRunner::SecretValues(const CompiledTask& task) const {
  std::vector<std::string> out;
  for (const spec::Secret& s : task.spec->secrets) {
    if (std::optional<std::string> v = SecretValue(s.name)) out.push_back(std::move(*v));
  }
  return out;
}

// A pipe carrying a task's stdout or stderr to its log file (streaming mode only).
struct LocalRunner::Stream {
  uv_pipe_t pipe;
  Attempt* owner;
  bool is_stderr;
  int log_fd = -1;
  int read_fd = -1;
  std::string partial;  // an unfinished line
};

struct LocalRunner::Attempt {
  LocalRunner* runner;
  uint64_t id;
  TaskLaunch launch;
  TaskPaths paths;
  pid_t pid = -1;
  int pidfd = -1;        // -1 on kernels before 5.3: then exit_poll looks on a timer
  uv_poll_t exit_watch;  // readable when the process has exited
  uv_timer_t exit_poll;
  uint64_t poll_ms = 0;
  std::string identity;  // of an adopted process (util/proc.h)
  uv_timer_t grace;
  bool grace_armed = false;
  bool supervised = false;   // the process is a supervisor (runner/supervise.h)
  bool tree_killed = false;  // it was told to end the task's tree
  bool exited = false;
  bool aborted = false;
  bool adopted = false;  // started by an earlier flyte: not our child, its status is in a file
  bool lost = false;     // ended without a recorded status
  int64_t exit_status = 0;
  int term_signal = 0;
  int open_handles = 0;  // process, grace timer and pipes still to be closed
  std::unique_ptr<Stream> streams[2];
};

LocalRunner::LocalRunner(uv_loop_t* loop, Options options)
    : loop_(loop), options_(std::move(options)) {
  if (!options_.blob_root.empty()) blobs_ = std::make_unique<BlobStore>(options_.blob_root);
  if (blobs_ != nullptr) blobs_->set_remote(options_.stores);
  uv_idle_init(loop_, &idle_);
  idle_.data = this;
  uv_timer_init(loop_, &log_check_);
  log_check_.data = this;
}

LocalRunner::~LocalRunner() {
  for (auto& [id, a] : attempts_) {
    if (a->pid <= 0 || a->exited) continue;  // an adopted, ended attempt has none
    // A supervisor ends what left the group too; SIGKILL to the group would end it first.
    ::kill(a->supervised ? a->pid : -a->pid, a->supervised ? KillTreeSignal() : SIGKILL);
  }
  uv_idle_stop(&idle_);
  uv_close(reinterpret_cast<uv_handle_t*>(&idle_), nullptr);
  uv_timer_stop(&log_check_);
  uv_close(reinterpret_cast<uv_handle_t*>(&log_check_), nullptr);
}

// While tasks run: their logs' middles are punched out once over the cap, so a task printing
// without end cannot fill the disk. One stat per log per period.
void LocalRunner::OnLogCheck(uv_timer_t* timer) {
  auto* self = static_cast<LocalRunner*>(timer->data);
  for (const auto& [id, a] : self->attempts_) {
    PunchLogMiddle(a->paths.stdout_path, self->options_.max_log_bytes);
    PunchLogMiddle(a->paths.stderr_path, self->options_.max_log_bytes);
  }
  if (self->attempts_.empty()) uv_timer_stop(timer);
}

void LocalRunner::SetCallbacks(DoneFn done, OutputFn output) {
  done_ = std::move(done);
  output_ = std::move(output);
}

void LocalRunner::Deliver(uint64_t id, AttemptResult result) {
  deferred_.emplace_back(id, std::move(result));
  uv_idle_start(&idle_, &LocalRunner::OnDeferred);
}

void LocalRunner::OnDeferred(uv_idle_t* idle) {
  auto* self = static_cast<LocalRunner*>(idle->data);
  uv_idle_stop(idle);
  auto batch = std::move(self->deferred_);
  self->deferred_.clear();
  auto finished = std::move(self->deferred_finish_);
  self->deferred_finish_.clear();
  for (auto& [id, result] : batch) self->done_(id, std::move(result));
  for (Attempt* a : finished) self->Finish(a);
}

void LocalRunner::Start(TaskLaunch launch) {
  if (options_.stores != nullptr && blobs_ != nullptr) {
    for (const Value& v : launch.inputs) {
      if (HasRemoteFiles(v)) return FetchThenLaunch(std::move(launch));
    }
  }
  Launch(std::move(launch));
}

void LocalRunner::FetchThenLaunch(TaskLaunch launch) {
  struct Work {
    uv_work_t req;
    LocalRunner* runner;
    TaskLaunch launch;
    Status status;
  };
  fetching_[launch.id] = false;
  auto* w = new Work{{}, this, std::move(launch), Status::Ok()};
  w->req.data = w;
  uv_queue_work(
      loop_, &w->req,
      [](uv_work_t* req) {
        auto* w = static_cast<Work*>(req->data);
        for (Value& v : w->launch.inputs) {
          Result<Value> local = FetchValue(*w->runner->options_.stores, *w->runner->blobs_, v);
          if (!local.ok()) {
            w->status = local.status();
            return;
          }
          v = std::move(*local);
        }
      },
      [](uv_work_t* req, int) {
        std::unique_ptr<Work> w(static_cast<Work*>(req->data));
        LocalRunner* self = w->runner;
        const uint64_t id = w->launch.id;
        const bool aborted = self->fetching_[id];
        self->fetching_.erase(id);
        AttemptResult r;
        r.exit_code = -1;
        if (aborted) {
          r.status = AttemptResult::Status::kAborted;
          return self->done_(id, std::move(r));
        }
        if (!w->status.ok()) {
          // Not the task's doing: an unreachable bucket may answer next time, a refusal will not.
          r.status = AttemptResult::Status::kSystemError;
          r.retryable = w->status.code() == StatusCode::kUnavailable;
          r.code = ExecErrorCode::kInputsNotFetched;
          r.message = "cannot fetch the inputs: " + w->status.message();
          return self->done_(id, std::move(r));
        }
        self->Launch(std::move(w->launch));
      });
}

void LocalRunner::Launch(TaskLaunch launch) {
  const uint64_t id = launch.id;
  // `retry`: whether another attempt can help (it cannot find a missing secret or folder).
  enum class Retry : uint8_t { kMayHelp, kCannotHelp };
  auto fail = [&](AttemptResult::Status status, ExecErrorCode code, std::string message,
                  Retry retry = Retry::kMayHelp) {
    AttemptResult r;
    r.status = status;
    r.exit_code = -1;
    r.retryable = retry == Retry::kMayHelp;
    r.code = code;
    r.message = std::move(message);
    Deliver(id, std::move(r));
  };
  auto a = std::make_unique<Attempt>();
  a->runner = this;
  a->id = id;
  a->paths = TaskPaths::For(launch);
  const CompiledTask& task = *launch.task;
  Status st = WriteInputs(launch, a->paths);
  if (!st.ok())
    return fail(AttemptResult::Status::kSystemError, ExecErrorCode::kInputsNotWritten,
                st.message());

  // The command line: `command` as given, or `shell` + the script.
  std::vector<std::string> argv;
  if (task.script) {
    argv = task.spec->shell;
    argv.push_back("-c");
    argv.push_back(Expand(*task.script, launch, a->paths));
    // sh -c SCRIPT NAME: $0 is the task name in error messages.
    argv.push_back(task.name);
  } else {
    for (const CompiledTemplate& arg : task.command) argv.push_back(Expand(arg, launch, a->paths));
  }

  // Environment: ours, then the task's, then FLYTE_* and --env.
  std::vector<std::pair<std::string, std::string>> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    // Secrets reach only the tasks that declare them, under the names they ask for.
    if (kv.rfind("FLYTE_SECRET_", 0) == 0) continue;
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) vars.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
  }
  auto set = [&](const std::string& k, std::string v) {
    for (auto& [name, value] : vars) {
      if (name == k) {
        value = std::move(v);
        return;
      }
    }
    vars.emplace_back(k, std::move(v));
  };
  for (const auto& [k, tpl] : task.env) set(k, Expand(tpl, launch, a->paths));
  std::string redact;  // the variables holding secrets, for the supervisor to keep out of the logs
  for (const spec::Secret& s : task.spec->secrets) {
    std::optional<std::string> v = SecretValue(s.name);
    if (!v) {
      return fail(AttemptResult::Status::kUserError, ExecErrorCode::kSecretNotFound,
                  "secret " + Quote(s.name) + " is not available: set FLYTE_SECRET_" +
                      SecretEnvName(s.name) + " in the environment of flyte" +
                      (options_.secrets_dir.empty()
                           ? ""
                           : " or write it to " + options_.secrets_dir + "/" + s.name),
                  Retry::kCannotHelp);
    }
    if (!s.env.empty()) {
      set(s.env, *v);
      redact += (redact.empty() ? "" : ",") + s.env;
    }
  }
  set("FLYTE_INPUT_DIR", a->paths.input_dir);
  set("FLYTE_OUTPUT_DIR", a->paths.output_dir);
  set("FLYTE_RAW_OUTPUT_DIR", a->paths.raw_dir);
  for (const auto& [k, v] : launch.env) set(k, v);
  // Last, so that neither the task nor --env replaces it: how the watchdog finds what is left.
  // Under another run's task, that run's value stays too: its watchdog ends ours as well.
  if (std::optional<std::string> mark = WatchdogMark()) {
    const char* outer = std::getenv(kRunGuardEnv);
    set(kRunGuardEnv, outer != nullptr && *outer != '\0' ? outer + (":" + *mark) : *mark);
  }
  std::vector<std::string> env_strings;
  env_strings.reserve(vars.size());
  for (const auto& [k, v] : vars) env_strings.push_back(k + "=" + v);

  SpawnRequest sreq;
  sreq.argv = std::move(argv);
  sreq.env = std::move(env_strings);
  sreq.cwd = launch.workdir;
  sreq.stdout_path = a->paths.stdout_path;
  sreq.stderr_path = a->paths.stderr_path;
  if (!redact.empty() && options_.install_supervisor) {
    std::string installed = options_.install_supervisor();
    options_.install_supervisor = nullptr;
    if (!installed.empty()) options_.flyte_binary = std::move(installed);
  }
  const std::string& wrapper = !options_.supervisor.empty() ? options_.supervisor
                               : !redact.empty()            ? options_.flyte_binary
                                                            : options_.supervisor;
  if (!wrapper.empty()) sreq.wrapper = {wrapper, kSuperviseCommand, launch.attempt_dir};
  if (!wrapper.empty() && options_.tasks_end_with_us) {
    sreq.env.push_back(std::string(kEndWithParentEnv) + "=" + std::to_string(::getpid()));
  }
  a->supervised = !wrapper.empty();
  if (!wrapper.empty() && !redact.empty())
    sreq.env.push_back(std::string(kRedactEnv) + "=" + redact);
  int write_ends[2] = {-1, -1};
  if (launch.stream_output) {
    // -v: output passes through pipes that the loop copies to the log files.
    for (int i = 0; i < 2; ++i) {
      int fds[2];
      if (::pipe2(fds, O_CLOEXEC) != 0) {
        for (int j = 0; j < i; ++j) ::close(write_ends[j]), ::close(a->streams[j]->log_fd);
        return fail(AttemptResult::Status::kSystemError, ExecErrorCode::kSpawnFailed,
                    std::string("cannot create a pipe: ") + std::strerror(errno));
      }
      const std::string& log = i == 0 ? a->paths.stdout_path : a->paths.stderr_path;
      auto st = std::make_unique<Stream>();
      st->owner = a.get();
      st->is_stderr = i == 1;
      st->log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      st->read_fd = fds[0];
      write_ends[i] = fds[1];
      a->streams[i] = std::move(st);
    }
    sreq.stdout_fd = write_ends[0];
    sreq.stderr_fd = write_ends[1];
  }
  struct stat wd;
  if (!launch.workdir.empty() &&
      (::stat(launch.workdir.c_str(), &wd) != 0 || !S_ISDIR(wd.st_mode))) {
    for (int i = 0; i < 2; ++i) {
      if (write_ends[i] >= 0) ::close(write_ends[i]);
      if (a->streams[i]) ::close(a->streams[i]->read_fd), ::close(a->streams[i]->log_fd);
    }
    return fail(AttemptResult::Status::kUserError, ExecErrorCode::kWorkdirNotFound,
                "the task's workdir " + launch.workdir + " does not exist", Retry::kCannotHelp);
  }
  Result<Spawned> spawned = Spawn(sreq);
  for (int fd : write_ends) {
    if (fd >= 0) ::close(fd);
  }
  if (!spawned.ok()) {
    for (auto& st : a->streams) {
      if (st) ::close(st->read_fd), ::close(st->log_fd);
    }
    const std::string& prog = sreq.argv[0];
    bool not_found = spawned.status().code() == StatusCode::kNotFound;
    return fail(
        AttemptResult::Status::kSystemError, ExecErrorCode::kSpawnFailed,
        "cannot start " + Quote(prog) + ": " + spawned.status().message() +
            (not_found && prog.find('/') == std::string::npos ? " (is it installed and on PATH?)"
                                                              : ""));
  }
  a->pid = spawned->pid;
  a->pidfd = spawned->pidfd;
  a->launch = std::move(launch);
  Watch(a.get());
  for (auto& s : a->streams) {
    if (!s) continue;
    ++a->open_handles;
    uv_pipe_init(loop_, &s->pipe, 0);
    s->pipe.data = s.get();
    uv_pipe_open(&s->pipe, s->read_fd);
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(&s->pipe),
        [](uv_handle_t*, size_t suggested, uv_buf_t* buf) {
          buf->base = new char[suggested];
          buf->len = suggested;
        },
        [](uv_stream_t* stream, ssize_t n, const uv_buf_t* buf) {
          auto* s = static_cast<Stream*>(stream->data);
          if (n > 0) {
            std::string_view data(buf->base, static_cast<size_t>(n));
            [[maybe_unused]] ssize_t w = ::write(s->log_fd, data.data(), data.size());
            s->partial.append(data);
            size_t start = 0, nl;
            while ((nl = s->partial.find('\n', start)) != std::string::npos) {
              s->owner->runner->output_(s->owner->id, s->is_stderr,
                                        std::string_view(s->partial).substr(start, nl - start));
              start = nl + 1;
            }
            s->partial.erase(0, start);
          }
          delete[] buf->base;
          if (n < 0) {  // EOF or error: the stream is done
            if (!s->partial.empty())
              s->owner->runner->output_(s->owner->id, s->is_stderr, s->partial);
            ::close(s->log_fd);
            s->log_fd = -1;
            uv_read_stop(stream);
            uv_close(reinterpret_cast<uv_handle_t*>(stream),
                     [](uv_handle_t* h) { HandleClosed(static_cast<Stream*>(h->data)->owner); });
          }
        });
  }
  Attempt* raw = a.release();
  attempts_[id] = raw;
  StartLogCheck();
}

void LocalRunner::StartLogCheck() {
  if (options_.max_log_bytes == 0 || uv_is_active(reinterpret_cast<uv_handle_t*>(&log_check_)))
    return;
  const auto ms = static_cast<uint64_t>(std::max<int64_t>(options_.log_check_nanos / 1'000'000, 1));
  uv_timer_start(&log_check_, &LocalRunner::OnLogCheck, ms, ms);
}

void LocalRunner::Watch(Attempt* a) {
  a->open_handles = 1;
  if (a->pidfd >= 0) {
    uv_poll_init(loop_, &a->exit_watch, a->pidfd);
    a->exit_watch.data = a;
    uv_poll_start(&a->exit_watch, UV_READABLE, &LocalRunner::OnExit);
    return;
  }
  // No pidfd (Linux before 5.3, or valgrind): look for the exit on a timer, at intervals
  // that double from 1 ms to kMaxPollMs, so short tasks are seen soon and long ones cheaply.
  uv_timer_init(loop_, &a->exit_poll);
  a->exit_poll.data = a;
  a->poll_ms = 1;
  uv_timer_start(&a->exit_poll, &LocalRunner::OnExitPoll, a->poll_ms, 0);
}

void LocalRunner::OnExit(uv_poll_t* watch, int, int) { Exited(static_cast<Attempt*>(watch->data)); }

void LocalRunner::OnExitPoll(uv_timer_t* timer) {
  constexpr uint64_t kMaxPollMs = 32;
  auto* a = static_cast<Attempt*>(timer->data);
  bool ended;
  if (a->adopted) {
    ended = !ProcessAlive(a->identity);
  } else {
    siginfo_t info{};
    ended = ::waitid(P_PID, static_cast<id_t>(a->pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 ||
            info.si_pid == a->pid;
  }
  if (ended) {
    Exited(a);
    return;
  }
  a->poll_ms = std::min(a->poll_ms * 2, kMaxPollMs);
  uv_timer_start(timer, &LocalRunner::OnExitPoll, a->poll_ms, 0);
}

void LocalRunner::Exited(Attempt* a) {
  // Whatever the leader left running in its group goes with it; the leader is still a zombie
  // here, so its pid (and group id) cannot have been reused. (An adopted leader is not our
  // child and may already be reaped; its group is then empty or gone.)
  ::kill(-a->pid, SIGKILL);
  siginfo_t info{};
  if (a->adopted) {
    RecordedExit rec = ReadRecordedExit(a->launch.attempt_dir);
    a->lost = !rec.found;
    a->exit_status = rec.exit_code;
    a->term_signal = rec.found ? rec.signal : SIGKILL;
  } else if ((a->pidfd >= 0 ? ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(a->pidfd),
                                       &info, WEXITED)
                            : ::waitid(P_PID, static_cast<id_t>(a->pid), &info, WEXITED)) == 0) {
    if (info.si_code == CLD_EXITED) {
      a->exit_status = info.si_status;
    } else {
      a->term_signal = info.si_status;
    }
  } else {
    a->term_signal = SIGKILL;  // lost: treat as killed
  }
  a->exited = true;
  if (a->runner->options_.sweep_orphans && !a->supervised) {
    // What left the group: ours now (we are a subreaper), known by the attempt's variables.
    std::vector<pid_t> keep;
    for (const auto& [id, other] : a->runner->attempts_) {
      if (other != a && other->pid > 0) keep.push_back(other->pid);
    }
    KillOrphansOf(a->paths.output_dir, keep);
  }
  if (a->grace_armed) {
    uv_timer_stop(&a->grace);
    ++a->open_handles;
    uv_close(reinterpret_cast<uv_handle_t*>(&a->grace),
             [](uv_handle_t* h) { HandleClosed(static_cast<Attempt*>(h->data)); });
    a->grace_armed = false;
  }
  if (a->pidfd < 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&a->exit_poll),
             [](uv_handle_t* h) { HandleClosed(static_cast<Attempt*>(h->data)); });
    return;
  }
  uv_poll_stop(&a->exit_watch);
  uv_close(reinterpret_cast<uv_handle_t*>(&a->exit_watch), [](uv_handle_t* h) {
    auto* a = static_cast<Attempt*>(h->data);
    ::close(a->pidfd);
    a->pidfd = -1;
    HandleClosed(a);
  });
}

// Every libuv handle of an attempt reports here when closed; the last one ends the attempt.
void LocalRunner::HandleClosed(Attempt* a) {
  if (--a->open_handles > 0) return;
  a->runner->Finish(a);
}

// Called once the process has exited and every pipe has reached EOF, in either order.
void LocalRunner::Finish(Attempt* a) {
  std::unique_ptr<Attempt> owned(a);
  attempts_.erase(a->id);
  // Best effort: a log that cannot be rewritten is only longer.
  (void)CapLog(a->paths.stdout_path, options_.max_log_bytes);
  (void)CapLog(a->paths.stderr_path, options_.max_log_bytes);
  AttemptResult r;
  r.stdout_path = a->paths.stdout_path;
  r.stderr_path = a->paths.stderr_path;
  r.exit_code = a->term_signal != 0 ? -1 : static_cast<int>(a->exit_status);
  r.signal = a->term_signal;
  if (!a->launch.task->spec->secrets.empty())
    RedactErrorFile(a->paths, SecretValues(*a->launch.task));
  if (a->aborted) {
    r.status = AttemptResult::Status::kAborted;
    r.code = ExecErrorCode::kAborted;
    r.message = "aborted";
    done_(a->id, std::move(r));
    return;
  }
  if (a->lost) {
    r.status = AttemptResult::Status::kSystemError;
    r.code = ExecErrorCode::kLost;
    r.message = "the attempt's process ended while flyte was not running, without recording how";
    done_(a->id, std::move(r));
    return;
  }
  if (a->term_signal != 0) {
    r.status = AttemptResult::Status::kSystemError;
    r.code = ExecErrorCode::kSignal;
    r.message = "killed by " + SignalName(a->term_signal);
    r.tail = Tail(a->paths.stderr_path, kTailLines);
    done_(a->id, std::move(r));
    return;
  }
  if (a->exit_status != 0) {
    r.status = AttemptResult::Status::kUserError;
    r.code = ExecErrorCode::kNonZeroExit;
    std::string error = ReadErrorFile(a->paths);  // redacted above
    r.message = error.empty() ? "exit code " + std::to_string(a->exit_status)
                              : error + " (exit code " + std::to_string(a->exit_status) + ")";
    r.tail = Tail(a->paths.stderr_path, kTailLines);
    if (r.tail.empty()) r.tail = Tail(a->paths.stdout_path, kTailLines);
    done_(a->id, std::move(r));
    return;
  }
  if (a->launch.task->spec->dynamic) {
    // A dynamic task's outputs come from the workflow it wrote, which the engine runs next.
    std::string spec = a->paths.output_dir + "/_workflow.yaml";
    struct stat st;
    const bool exists = ::stat(spec.c_str(), &st) == 0;
    if (exists && S_ISREG(st.st_mode)) {
      r.status = AttemptResult::Status::kSucceeded;
      r.dynamic_spec_path = spec;
    } else if (exists) {
      r.status = AttemptResult::Status::kUserError;
      r.code = ExecErrorCode::kOutputsNotRegular;
      r.message = "$FLYTE_OUTPUT_DIR/_workflow.yaml is " + FileKindName(st.st_mode) +
                  ", not a regular file";
    } else {
      r.status = AttemptResult::Status::kUserError;
      r.code = ExecErrorCode::kDynamicSpecNotFound;
      r.message = "a dynamic task must write its workflow to $FLYTE_OUTPUT_DIR/_workflow.yaml";
      r.tail = Tail(a->paths.stderr_path, kTailLines);
    }
    done_(a->id, std::move(r));
    return;
  }
  bool has_blobs = false;
  for (const Variable& v : a->launch.task->iface.outputs) has_blobs = has_blobs || HasBlobs(v.type);
  auto finish_read = [this](uint64_t id, const TaskPaths& paths, OutputsRead read) {
    AttemptResult r;
    r.stdout_path = paths.stdout_path;
    r.stderr_path = paths.stderr_path;
    SetOutputsResult(std::move(read), paths.stderr_path, &r);
    done_(id, std::move(r));
  };
  if (!has_blobs) {
    finish_read(a->id, a->paths, ReadOutputs(a->launch, a->paths, blobs_.get()));
    return;
  }
  // Hashing and moving files can take a while: do it on the thread pool.
  struct Work {
    uv_work_t req;
    LocalRunner* runner;
    uint64_t id;
    TaskLaunch launch;
    TaskPaths paths;
    OutputsRead read;
    std::function<void(uint64_t, const TaskPaths&, OutputsRead)> then;
  };
  auto* w = new Work{{}, this, a->id, std::move(a->launch), a->paths, {}, finish_read};
  w->req.data = w;
  uv_queue_work(
      loop_, &w->req,
      [](uv_work_t* req) {
        auto* w = static_cast<Work*>(req->data);
        w->read = ReadOutputs(w->launch, w->paths, w->runner->blobs_.get());
      },
      [](uv_work_t* req, int) {
        std::unique_ptr<Work> w(static_cast<Work*>(req->data));
        w->then(w->id, w->paths, std::move(w->read));
      });
}

void LocalRunner::Abort(uint64_t id) {
  if (auto f = fetching_.find(id); f != fetching_.end()) {
    f->second = true;  // reported aborted when the fetch ends; nothing runs yet
    return;
  }
  auto it = attempts_.find(id);
  if (it == attempts_.end()) return;
  Attempt* a = it->second;
  if (a->exited || a->aborted) return;
  a->aborted = true;
  ::kill(-a->pid, SIGTERM);
  uv_timer_init(loop_, &a->grace);
  a->grace.data = a;
  a->grace_armed = true;
  uint64_t ms = static_cast<uint64_t>(options_.abort_grace_nanos / 1'000'000);
  uv_timer_start(&a->grace, &LocalRunner::OnGrace, ms, 0);
}

void LocalRunner::KillAll() {
  for (auto& [id, a] : attempts_) {
    if (!a->exited && a->pid > 0) ::kill(-a->pid, SIGKILL);
  }
}

void LocalRunner::OnGrace(uv_timer_t* timer) {
  auto* a = static_cast<Attempt*>(timer->data);
  if (a->exited) return;
  if (a->supervised && !a->tree_killed) {
    // The supervisor kills the task's whole tree, escaped processes included; SIGKILL to
    // the group follows only if it has not ended after another grace period.
    a->tree_killed = true;
    ::kill(a->pid, KillTreeSignal());
    uv_timer_start(timer, &LocalRunner::OnGrace,
                   static_cast<uint64_t>(a->runner->options_.abort_grace_nanos / 1'000'000), 0);
    return;
  }
  ::kill(-a->pid, SIGKILL);
}

void LocalRunner::Adopt(TaskLaunch launch) {
  const std::string dir = launch.attempt_dir;
  std::string supervisor = ReadSupervisorIdentity(dir);
  RecordedExit rec = ReadRecordedExit(dir);
  if (supervisor.empty() && !rec.found) {
    // No trace: the attempt never started (we stopped before it did). Start it now.
    Start(std::move(launch));
    return;
  }
  auto a = std::make_unique<Attempt>();
  a->runner = this;
  a->id = launch.id;
  a->paths = TaskPaths::For(launch);
  a->adopted = true;
  a->supervised = true;
  int pidfd = -1;
  bool running = false;
  if (!rec.found && ProcessAlive(supervisor)) {
    a->pid = IdentityPid(supervisor);
    a->identity = supervisor;
    pidfd = static_cast<int>(::syscall(SYS_pidfd_open, a->pid, 0));
    // It may have ended between the two looks: then its status is recorded.
    running = ProcessAlive(supervisor);
    if (!running) {
      if (pidfd >= 0) ::close(pidfd);
      pidfd = -1;
      rec = ReadRecordedExit(dir);
    }
  }
  a->launch = std::move(launch);
  if (running) {
    // Still running: follow it as if we had started it (on a timer where there is no pidfd).
    if (pidfd >= 0) ::fcntl(pidfd, F_SETFD, FD_CLOEXEC);
    a->pidfd = pidfd;
    Watch(a.get());
    attempts_[a->id] = a.get();
    a.release();
    StartLogCheck();
    return;
  }
  // It has ended: how is in its record, or nowhere if its supervisor was killed too.
  a->exited = true;
  a->lost = !rec.found;
  a->exit_status = rec.exit_code;
  a->term_signal = rec.signal;
  attempts_[a->id] = a.get();
  deferred_finish_.push_back(a.release());
  uv_idle_start(&idle_, &LocalRunner::OnDeferred);
}

}  // namespace flyte
