#include <unistd.h>
#include <uv.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "admin/local_admin.h"
#include "cli/admin_access.h"
#include "cli/assemble.h"
#include "cli/commands.h"
#include "cli/run_remote.h"
#include "cli/run_report.h"
#include "cli/run_view.h"
#include "runner/orphans.h"
#include "runner/secret_env.h"
#include "runner/watchdog.h"
#include "spec/loader.h"
#include "types/yaml_writer.h"
#include "util/strings.h"

namespace flyte::cli {
namespace {

bool SplitKeyValue(const std::string& kv, std::pair<std::string, std::string>* out) {
  size_t eq = kv.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  *out = {kv.substr(0, eq), kv.substr(eq + 1)};
  return true;
}

// On a terminal, asks for the values of gates nobody gave up front.
class GatePrompter : public EngineObserver {
 public:
  GatePrompter(uv_loop_t* loop, LocalAdmin& admin, RunView& view) : admin_(admin), view_(view) {
    uv_tty_init(loop, &tty_, 0, 1);
    tty_.data = this;
  }
  ~GatePrompter() override {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&tty_));
    uv_close(reinterpret_cast<uv_handle_t*>(&tty_), nullptr);
  }
  void OnGateWaiting(const ExecutionState& e, const NodeState& n, const std::string& signal,
                     const Type& type) override {
    waiting_.push_back({e.key, signal, n.body->kind == spec::NodeKind::kApprove, type.ToString()});
    if (waiting_.size() == 1) Ask();
  }

 private:
  struct Gate {
    ExecutionKey key;
    std::string signal;
    bool approve;
    std::string type;
  };
  void Ask() {
    view_.Pause();  // or its next redraw would wipe the question
    const Gate& g = waiting_.front();
    if (g.approve) {
      std::fprintf(stderr, "approve %s? [y/n] ", g.signal.c_str());
    } else {
      std::fprintf(stderr, "value for signal %s (%s): ", g.signal.c_str(), g.type.c_str());
    }
    std::fflush(stderr);
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(&tty_),
        [](uv_handle_t*, size_t n, uv_buf_t* buf) {
          buf->base = new char[n];
          buf->len = n;
        },
        [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
          auto* self = static_cast<GatePrompter*>(s->data);
          if (n > 0) self->line_.append(buf->base, static_cast<size_t>(n));
          delete[] buf->base;
          size_t nl = self->line_.find('\n');
          if (n < 0 || nl != std::string::npos)
            self->Answer(nl == std::string::npos ? self->line_ : self->line_.substr(0, nl));
        });
  }
  void Answer(std::string text) {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&tty_));
    line_.clear();
    Gate g = waiting_.front();
    if (g.approve) text = (text == "y" || text == "yes" || text == "Y") ? "true" : "false";
    Status st = admin_.Signal(g.key, g.signal, text);
    if (!st.ok()) {
      std::fprintf(stderr, "%s\n", st.message().c_str());
      Ask();
      return;
    }
    waiting_.erase(waiting_.begin());
    if (!waiting_.empty()) {
      Ask();
    } else {
      view_.Resume();
    }
  }

  LocalAdmin& admin_;
  RunView& view_;
  uv_tty_t tty_;
  std::vector<Gate> waiting_;
  std::string line_;
};

// FLYTE_STORE_RETRY_SECONDS (docs/cli.md): how long a run waits for a full disk to take its
// final state before it exits 3.
std::optional<int64_t> StoreRetryNanos() {
  const char* v = std::getenv("FLYTE_STORE_RETRY_SECONDS");
  int64_t seconds = 0;
  if (v == nullptr || !ParseInt64(v, &seconds) || seconds < 0) return std::nullopt;
  return seconds * 1'000'000'000;
}

// `flyte run --remote NAME`: no file of that name, and a name rather than a path.
bool LaunchesByName(const RunOptions& opts) {
  std::error_code ec;
  return opts.target.empty() && !std::filesystem::exists(opts.file, ec) &&
         opts.file.find('/') == std::string::npos && !EndsWith(opts.file, ".yaml") &&
         !EndsWith(opts.file, ".yml") && !EndsWith(opts.file, ".json");
}

int Usage(const std::string& message) {
  std::fprintf(stderr, "flyte run: %s\n", message.c_str());
  return kExitUsage;
}

}  // namespace

int RunRun(const RunOptions& opts) {
  // However this returns, no task of ours is left: those of the run below were killed with
  // its orphans, and a return before it started none. The watchdog need not look.
  struct AllClear {
    ~AllClear() { WatchdogAllClear(); }
  } all_clear;
  // Before any thread starts: tasks must not find our secrets in /proc/OUR_PID/environ.
  ProtectSecretEnvironment();
  CreateExecutionRequest req;
  for (const std::string& kv : opts.inputs) {
    std::pair<std::string, std::string> p;
    if (!SplitKeyValue(kv, &p)) return Usage("--input expects NAME=VALUE, got '" + kv + "'");
    req.text_inputs.push_back(std::move(p));
  }
  for (const std::string& kv : opts.env) {
    std::pair<std::string, std::string> p;
    if (!SplitKeyValue(kv, &p)) return Usage("--env expects NAME=VALUE, got '" + kv + "'");
    req.env.push_back(std::move(p));
  }
  for (const std::string& kv : opts.labels) {
    std::pair<std::string, std::string> p;
    if (!SplitKeyValue(kv, &p)) return Usage("--label expects KEY=VALUE, got '" + kv + "'");
    req.labels.push_back(std::move(p));
  }
  for (const std::string& kv : opts.signals) {
    std::pair<std::string, std::string> p;
    if (!SplitKeyValue(kv, &p)) return Usage("--signal expects NAME=VALUE, got '" + kv + "'");
    req.signals.push_back(std::move(p));
  }
  for (const std::string& node : opts.approve) req.signals.emplace_back(node, "true");
  for (const std::string& node : opts.reject) req.signals.emplace_back(node, "false");
  const bool interactive = ::isatty(STDIN_FILENO) != 0;
  if (!interactive) {
    // Nobody can answer a gate: one without a value or a timeout of its own fails at once.
    req.gate_default_timeout_nanos = 1;
    req.gate_hint =
        "give gate values up front: --signal NAME=VALUE, --approve NODE or --reject NODE";
  }
  if (!opts.inputs_file.empty()) {
    Diagnostics idiags;
    std::shared_ptr<const SourceFile> inputs = spec::ReadSource(opts.inputs_file, idiags);
    if (inputs == nullptr) {
      std::cerr << idiags.FormatAll();
      return kExitUsage;
    }
    req.inputs_document = inputs->text();
    req.inputs_document_name = opts.inputs_file;
  }
  if (opts.launch || (opts.remote && LaunchesByName(opts)))
    return RunRemoteByName(opts, std::move(req));
  if (!opts.version.empty()) {
    return Usage(
        "--version picks a registered version for flyte run --remote NAME; a file runs as it is "
        "(flyte register FILE --version V registers it under one)");
  }
  Diagnostics diags;
  std::shared_ptr<const SourceFile> source = spec::ReadSource(opts.file, diags);
  if (source == nullptr) {
    std::cerr << diags.FormatAll();
    return kExitUsage;
  }
  if (opts.remote) return RunRemote(opts, std::move(req), source->text());
  StartWatchdog();  // once: the fast path of Main started it already

  uv_loop_t loop;
  uv_loop_init(&loop);
  // A lambda, so every return below still reaches uv_loop_close.
  const int code = [&]() -> int {
    LocalAdmin::Options aopts;
    aopts.home = opts.home.empty() ? DefaultHome() : opts.home;
    if (std::optional<int64_t> retry = StoreRetryNanos()) aopts.store_retry_nanos = *retry;
    aopts.max_log_bytes = static_cast<uint64_t>(opts.max_log_mib) << 20;
    // A group commit: a chain of 2 ms tasks pays a transaction per ~50 tasks, not per task,
    // and a hundred Pods changing state in a burst pay one. Lines trail by a tenth of a second
    // at most (docs/benchmarks.md, runs 11 and 12).
    aopts.commit_every_ms = 100;
    const std::string prefix = !opts.raw_data_prefix.empty()
                                   ? opts.raw_data_prefix
                                   : ReadClientDefaults(opts.home).raw_data_prefix;
    if (!prefix.empty()) {
      Result<std::unique_ptr<storage::DataStores>> stores = storage::DataStores::Open(
          LocalAdmin::AbsoluteHome(aopts.home) + "/blobs", prefix, storage::AwsEnvironment());
      if (!stores.ok()) {
        std::fprintf(stderr, "flyte run: %s\n", stores.status().message().c_str());
        return kExitUsage;
      }
      aopts.data_stores = std::move(*stores);
    }
    Result<std::unique_ptr<LocalAdmin>> opened = OpenLocalAdmin(&loop, aopts);
    if (!opened.ok()) {
      std::fprintf(stderr, "flyte run: %s\n", opened.status().message().c_str());
      return kExitInternal;
    }
    LocalAdmin& admin = **opened;
    KubeFlags kube_flags = opts.kube;
    kube_flags.check_operators_at_start = true;
    Result<std::unique_ptr<KubeSetup>> kube =
        SetUpKubernetes(&loop, kube_flags, aopts.home, admin.runners(), &admin.data_stores());
    if (!kube.ok()) {
      std::fprintf(stderr, "flyte run: Kubernetes: %s\n", kube.status().message().c_str());
      return kExitUsage;
    }
    // An earlier run that died (or could not record its end) left its execution RUNNING.
    Result<LocalAdmin::ResumeReport> ended = admin.EndAbandonedRuns();
    if (!ended.ok()) {
      std::fprintf(stderr, "flyte run: warning: cannot look for abandoned executions: %s\n",
                   ended.status().message().c_str());
    } else {
      for (const std::string& m : ended->messages)
        std::fprintf(stderr, "flyte run: recorded ABORTED %s\n", m.c_str());
    }
    admin.OnStoreHealth([](const Status& st) {
      if (!st.ok()) {
        std::fprintf(stderr, "flyte run: warning: %s; retrying\n", st.message().c_str());
      } else {
        std::fprintf(stderr, "flyte run: the database takes writes again\n");
      }
    });

    std::string project = opts.project, domain = opts.domain;
    ApplyClientDefaults(opts.home, source->text(), project, domain);
    Result<RegisterResult> reg = admin.Register({opts.file, source->text(), project, domain, ""});
    if (!reg.ok()) {
      if (reg.status().code() == StatusCode::kInvalidSpec) {
        std::cerr << reg.status().message();
        return kExitUsage;
      }
      std::fprintf(stderr, "flyte run: %s\n", reg.status().message().c_str());
      return reg.status().code() == StatusCode::kAlreadyExists ? kExitUsage : kExitInternal;
    }
    req.project = reg->project;
    req.domain = reg->domain;
    req.version = reg->version;
    req.name = opts.name;
    req.target = opts.target;
    if (!req.target.empty()) {
      // The file's own names, not the registry's: it is what the user is looking at.
      Result<std::shared_ptr<const CompiledFile>> compiled = admin.Compiled(reg->source);
      Result<TargetKind> kind = compiled.ok() ? TargetIn(**compiled, opts.file, req.target)
                                              : Result<TargetKind>(compiled.status());
      if (!kind.ok()) return Usage(kind.status().message());
      req.target_kind = *kind;
    }
    req.overwrite_cache = opts.overwrite_cache;
    req.no_cache = opts.no_cache;
    req.stream_output = opts.verbose;
    if (opts.max_parallelism >= 0)
      req.max_parallelism = static_cast<uint32_t>(opts.max_parallelism);

    std::optional<int64_t> eta;  // known once the execution says which workflow it runs
    const bool tty = ::isatty(STDERR_FILENO) != 0 && std::getenv("TERM") != nullptr &&
                     std::string(std::getenv("TERM")) != "dumb";
    RunView view(&loop, stderr, tty, opts.verbose, eta);
    if (!opts.home.empty()) view.SetHintFlags(" --home " + ShellWord(opts.home));
    admin.Subscribe(&view);
    admin.OnFlushed([&view] { view.Flush(); });
    // The admin outlives the view and flushes once more when it closes: detach the view first.
    struct DetachView {
      LocalAdmin& admin;
      ~DetachView() { admin.OnFlushed(nullptr); }
    } detach_view{admin};
    admin.AbortOnSignals();
    std::unique_ptr<GatePrompter> prompter;
    if (interactive) {
      prompter = std::make_unique<GatePrompter>(&loop, admin, view);
      admin.Subscribe(prompter.get());
    }

    Result<ExecutionKey> key = admin.CreateExecution(req);
    if (!key.ok()) {
      std::fprintf(stderr, "flyte run: %s\n", key.status().message().c_str());
      StatusCode c = key.status().code();
      // Nothing ran: a bad request, or one this flyte cannot run (a task needing Kubernetes).
      return c == StatusCode::kInvalidArgument || c == StatusCode::kNotFound ||
                     c == StatusCode::kAlreadyExists || c == StatusCode::kFailedPrecondition
                 ? kExitUsage
                 : kExitInternal;
    }
    // Estimate from the last successful run of the same workflow, for the live view (a query
    // of the history: not when there is no terminal to show it on).
    if (const ExecutionState* live = tty ? admin.Live(*key) : nullptr) {
      auto last = admin.store().LastDuration(req.project, req.domain, live->wf().name);
      if (last.ok()) view.SetEta(*last);
    }
    Status st = admin.RunUntilDone(*key);
    const ExecutionState* e = admin.Live(*key);
    if (e == nullptr) {
      std::fprintf(stderr, "flyte run: the execution vanished\n");
      return kExitInternal;
    }
    view.Finish(*e);
    if (opts.output == "json") {
      std::cout << RunReport(*e).ToCanonicalJson() << "\n";
    } else if (opts.output == "yaml") {
      std::cout << ToYaml(RunReport(*e));
    } else {
      std::cout << OutputsTable(*e);
    }
    std::cout.flush();
    if (!opts.junit.empty()) {
      std::ofstream out(opts.junit);
      out << JunitXml(*e);
      if (!out) std::fprintf(stderr, "flyte run: cannot write %s\n", opts.junit.c_str());
    }
    // The store not holding the final state is the graver news: whatever ran, the home says
    // otherwise (until the next flyte run or serve records it ABORTED).
    if (!st.ok()) {
      std::fprintf(stderr, "flyte run: %s\n", st.message().c_str());
      return kExitInternal;
    }
    if (admin.interrupted()) return 130;
    if (e->phase != ExecutionPhase::kSucceeded) return kExitFailed;
    return kExitOk;
  }();
  uv_run(&loop, UV_RUN_NOWAIT);
  uv_loop_close(&loop);
  // What tasks left that no attempt could claim (their environment was replaced).
  KillAllOrphans({});
  return code;
}

}  // namespace flyte::cli
