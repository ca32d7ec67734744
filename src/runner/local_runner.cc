#include "runner/local_runner.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>

#include "runner/task_files.h"
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
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::toupper(c)) : '_';
  return out;
}

}  // namespace

// A pipe carrying a task's stdout or stderr to its log file (streaming mode only).
struct LocalRunner::Stream {
  uv_pipe_t pipe;
  Attempt* owner;
  bool is_stderr;
  int log_fd = -1;
  std::string partial;  // an unfinished line
};

struct LocalRunner::Attempt {
  LocalRunner* runner;
  uint64_t id;
  TaskLaunch launch;
  TaskPaths paths;
  uv_process_t process;
  uv_timer_t grace;
  bool grace_armed = false;
  bool exited = false;
  bool aborted = false;
  bool spawn_failed = false;
  int64_t exit_status = 0;
  int term_signal = 0;
  int open_handles = 0;  // process, grace timer and pipes still to be closed
  std::unique_ptr<Stream> streams[2];
};

LocalRunner::LocalRunner(uv_loop_t* loop, Options options)
    : loop_(loop), options_(std::move(options)) {
  if (!options_.blob_root.empty()) blobs_ = std::make_unique<BlobStore>(options_.blob_root);
  uv_idle_init(loop_, &idle_);
  idle_.data = this;
}

LocalRunner::~LocalRunner() {
  for (auto& [id, a] : attempts_) ::kill(-a->process.pid, SIGKILL);
  uv_idle_stop(&idle_);
  uv_close(reinterpret_cast<uv_handle_t*>(&idle_), nullptr);
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
  for (auto& [id, result] : batch) self->done_(id, std::move(result));
}

void LocalRunner::Start(TaskLaunch launch) {
  const uint64_t id = launch.id;
  auto fail = [&](AttemptResult::Status status, std::string code, std::string message) {
    AttemptResult r;
    r.status = status;
    r.exit_code = -1;
    r.code = std::move(code);
    r.message = std::move(message);
    Deliver(id, std::move(r));
  };
  auto a = std::make_unique<Attempt>();
  a->runner = this;
  a->id = id;
  a->paths = TaskPaths::For(launch);
  const CompiledTask& task = *launch.task;
  Status st = WriteInputs(launch, a->paths);
  if (!st.ok()) return fail(AttemptResult::Status::kSystemError, "InputsNotWritten", st.message());

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
  for (const spec::Secret& s : task.spec->secrets) {
    const char* v = std::getenv(("FLYTE_SECRET_" + SecretEnvName(s.name)).c_str());
    if (v == nullptr) {
      return fail(AttemptResult::Status::kUserError, "SecretNotFound",
                  "secret " + Quote(s.name) + " is not available: set FLYTE_SECRET_" +
                      SecretEnvName(s.name) + " in the environment of flyte");
    }
    if (!s.env.empty()) set(s.env, v);
  }
  set("FLYTE_INPUT_DIR", a->paths.input_dir);
  set("FLYTE_OUTPUT_DIR", a->paths.output_dir);
  set("FLYTE_RAW_OUTPUT_DIR", a->paths.raw_dir);
  for (const auto& [k, v] : launch.env) set(k, v);
  std::vector<std::string> env_strings;
  env_strings.reserve(vars.size());
  for (const auto& [k, v] : vars) env_strings.push_back(k + "=" + v);

  std::vector<char*> c_argv, c_env;
  for (std::string& s : argv) c_argv.push_back(s.data());
  c_argv.push_back(nullptr);
  for (std::string& s : env_strings) c_env.push_back(s.data());
  c_env.push_back(nullptr);

  int out_fd = ::open(a->paths.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err_fd = ::open(a->paths.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0 || err_fd < 0) {
    if (out_fd >= 0) ::close(out_fd);
    if (err_fd >= 0) ::close(err_fd);
    return fail(AttemptResult::Status::kSystemError, "LogsNotWritable",
                "cannot open log files in " + launch.attempt_dir + ": " + std::strerror(errno));
  }

  uv_stdio_container_t stdio[3];
  stdio[0].flags = UV_IGNORE;
  int log_fds[2] = {out_fd, err_fd};
  for (int i = 0; i < 2; ++i) {
    if (launch.stream_output) {
      auto s = std::make_unique<Stream>();
      s->owner = a.get();
      s->is_stderr = i == 1;
      s->log_fd = log_fds[i];
      uv_pipe_init(loop_, &s->pipe, 0);
      s->pipe.data = s.get();
      stdio[i + 1].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
      stdio[i + 1].data.stream = reinterpret_cast<uv_stream_t*>(&s->pipe);
      a->streams[i] = std::move(s);
    } else {
      stdio[i + 1].flags = UV_INHERIT_FD;
      stdio[i + 1].data.fd = log_fds[i];
    }
  }

  uv_process_options_t opts{};
  opts.file = c_argv[0];
  opts.args = c_argv.data();
  opts.env = c_env.data();
  opts.cwd = launch.workdir.c_str();
  // A session of its own: its own process group, away from our terminal's Ctrl-C.
  opts.flags = UV_PROCESS_DETACHED;
  opts.stdio_count = 3;
  opts.stdio = stdio;
  opts.exit_cb = &LocalRunner::OnExit;
  a->process.data = a.get();
  int rc = uv_spawn(loop_, &a->process, &opts);
  a->launch = std::move(launch);
  if (!a->launch.stream_output) {
    ::close(out_fd);
    ::close(err_fd);
  }
  if (rc != 0) {
    std::string why = rc == UV_ENOENT ? "command not found" : uv_strerror(rc);
    // libuv initialized the handles even though the spawn failed: close them, and free the
    // attempt only when the last close completes.
    Attempt* raw = a.release();
    raw->spawn_failed = true;
    raw->open_handles = 1;
    for (auto& st : raw->streams) {
      if (!st) continue;
      ::close(st->log_fd);
      st->log_fd = -1;
      ++raw->open_handles;
      uv_close(reinterpret_cast<uv_handle_t*>(&st->pipe),
               [](uv_handle_t* h) { HandleClosed(static_cast<Stream*>(h->data)->owner); });
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&raw->process),
             [](uv_handle_t* h) { HandleClosed(static_cast<Attempt*>(h->data)); });
    return fail(AttemptResult::Status::kSystemError, "SpawnFailed",
                "cannot start " + Quote(argv[0]) + ": " + why +
                    (rc == UV_ENOENT && argv[0].find('/') == std::string::npos
                         ? " (is it installed and on PATH?)"
                         : ""));
  }
  a->open_handles = 1;
  for (auto& s : a->streams) {
    if (!s) continue;
    ++a->open_handles;
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
            if (!s->partial.empty()) s->owner->runner->output_(s->owner->id, s->is_stderr, s->partial);
            ::close(s->log_fd);
            s->log_fd = -1;
            uv_read_stop(stream);
            uv_close(reinterpret_cast<uv_handle_t*>(stream), [](uv_handle_t* h) {
              HandleClosed(static_cast<Stream*>(h->data)->owner);
            });
          }
        });
  }
  Attempt* raw = a.release();
  attempts_[id] = raw;
}

void LocalRunner::OnExit(uv_process_t* process, int64_t exit_status, int term_signal) {
  auto* a = static_cast<Attempt*>(process->data);
  a->exited = true;
  a->exit_status = exit_status;
  a->term_signal = term_signal;
  // Whatever the leader left running in its group goes with it.
  ::kill(-process->pid, SIGKILL);
  if (a->grace_armed) {
    uv_timer_stop(&a->grace);
    ++a->open_handles;
    uv_close(reinterpret_cast<uv_handle_t*>(&a->grace),
             [](uv_handle_t* h) { HandleClosed(static_cast<Attempt*>(h->data)); });
    a->grace_armed = false;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(process),
           [](uv_handle_t* h) { HandleClosed(static_cast<Attempt*>(h->data)); });
}

// Every libuv handle of an attempt reports here when closed; the last one ends the attempt.
void LocalRunner::HandleClosed(Attempt* a) {
  if (--a->open_handles > 0) return;
  if (a->spawn_failed) {
    delete a;
  } else {
    a->runner->Finish(a);
  }
}

// Called once the process has exited and every pipe has reached EOF, in either order.
void LocalRunner::Finish(Attempt* a) {
  std::unique_ptr<Attempt> owned(a);
  attempts_.erase(a->id);
  AttemptResult r;
  r.stdout_path = a->paths.stdout_path;
  r.stderr_path = a->paths.stderr_path;
  r.exit_code = a->term_signal != 0 ? -1 : static_cast<int>(a->exit_status);
  r.signal = a->term_signal;
  if (a->aborted) {
    r.status = AttemptResult::Status::kAborted;
    r.code = "Aborted";
    r.message = "aborted";
    done_(a->id, std::move(r));
    return;
  }
  if (a->term_signal != 0) {
    r.status = AttemptResult::Status::kSystemError;
    r.code = "Signal";
    r.message = "killed by " + SignalName(a->term_signal);
    r.tail = Tail(a->paths.stderr_path, kTailLines);
    done_(a->id, std::move(r));
    return;
  }
  if (a->exit_status != 0) {
    r.status = AttemptResult::Status::kUserError;
    r.code = "NonZeroExit";
    std::string error = ReadErrorFile(a->paths);
    r.message = error.empty() ? "exit code " + std::to_string(a->exit_status)
                              : error + " (exit code " + std::to_string(a->exit_status) + ")";
    r.tail = Tail(a->paths.stderr_path, kTailLines);
    if (r.tail.empty()) r.tail = Tail(a->paths.stdout_path, kTailLines);
    done_(a->id, std::move(r));
    return;
  }
  bool has_blobs = false;
  for (const Variable& v : a->launch.task->iface.outputs) {
    TypeKind k = v.type.WithoutNone().kind();
    has_blobs = has_blobs || k == TypeKind::kFile || k == TypeKind::kDir;
  }
  auto finish_read = [this](uint64_t id, const TaskPaths& paths, OutputsRead read) {
    AttemptResult r;
    r.stdout_path = paths.stdout_path;
    r.stderr_path = paths.stderr_path;
    if (read.ok) {
      r.status = AttemptResult::Status::kSucceeded;
      r.outputs = std::move(read.outputs);
    } else {
      r.status = AttemptResult::Status::kUserError;
      r.code = read.code;
      r.message = read.message;
      r.tail = Tail(paths.stderr_path, kTailLines);
    }
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
  auto it = attempts_.find(id);
  if (it == attempts_.end()) return;
  Attempt* a = it->second;
  if (a->exited || a->aborted) return;
  a->aborted = true;
  ::kill(-a->process.pid, SIGTERM);
  uv_timer_init(loop_, &a->grace);
  a->grace.data = a;
  a->grace_armed = true;
  uint64_t ms = static_cast<uint64_t>(options_.abort_grace_nanos / 1'000'000);
  uv_timer_start(&a->grace, &LocalRunner::OnGrace, ms, 0);
}

void LocalRunner::OnGrace(uv_timer_t* timer) {
  auto* a = static_cast<Attempt*>(timer->data);
  if (!a->exited) ::kill(-a->process.pid, SIGKILL);
}

void LocalRunner::Adopt(TaskLaunch launch) {
  AttemptResult r;
  r.status = AttemptResult::Status::kSystemError;
  r.exit_code = -1;
  r.code = "Lost";
  r.message = "the process of this attempt was lost when flyte stopped";
  Deliver(launch.id, std::move(r));
}

}  // namespace flyte
