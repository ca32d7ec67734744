// The seam between the executor and whatever runs a task attempt: a local process group
// (src/runner/local_runner.cc), a Kubernetes Pod later, or a fake in tests. The executor owns
// this interface; runners live in a layer above it and report back through the callback.
// Single-threaded: Start/Abort are called from the loop thread and results are delivered on it,
// never synchronously from inside Start or Abort.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "flyte/dag.h"
#include "flyte/exec_error_code.h"
#include "flyte/phase.h"
#include "flyte/value.h"

namespace flyte {

// Which attempt this is, in words a runner can put on what it creates (Pod names and labels,
// log lines) without reading environment strings.
struct AttemptId {
  std::string project, domain, execution;
  std::string node;      // "train", "sub/inner", "sq[3]"
  std::string task;      // the task's name in its file
  uint32_t attempt = 0;  // 0-based
};

struct TaskLaunch {
  uint64_t id = 0;  // unique per attempt within the engine
  AttemptId attempt;
  std::shared_ptr<const CompiledFile> file;        // keeps `task` alive
  const CompiledTask* task = nullptr;              // its plugin settings too (task->spec->plugin)
  ExecutorKind executor = ExecutorKind::kProcess;  // node overrides applied
  bool interruptible = false;  // may run on preemptible capacity (node overrides applied)
  std::vector<Value> inputs;   // one per task input; null for unbound optional inputs
  std::string attempt_dir;     // runner's own folder for this attempt (inputs, outputs, logs)
  std::string raw_output_dir;  // scratch space that survives the task
  std::string workdir;         // absolute
  std::vector<std::pair<std::string, std::string>> env;  // FLYTE_*, --env, secrets
  std::string image;
  std::string kube_namespace;  // where its Pod goes (node overrides applied); empty: the runner's
  std::optional<spec::Resources> resources;
  bool stream_output = false;  // -v: also report output lines as they come
};

struct AttemptResult {
  enum class Status : uint8_t {
    kSucceeded,
    kUserError,    // non-zero exit, _ERROR, missing or unparsable outputs: the user budget
    kSystemError,  // killed by a signal, spawn failure, lost process: the system budget
    kAborted,      // after Abort()
  };
  Status status = Status::kSucceeded;
  int exit_code = 0;  // -1 when killed by a signal or never started
  int signal = 0;
  AnyExecErrorCode code;       // kNonZeroExit, kOutputsNotFound, kSignal, kSpawnFailed...
  bool retryable = true;       // false when another attempt cannot help (a missing secret)
  std::string message;         // what the user reads
  std::vector<Value> outputs;  // one per task output, on success
  std::string tail;            // last lines of stderr/stdout, for failures
  std::string stdout_path, stderr_path;
  std::string dynamic_spec_path;  // dynamic tasks: the _workflow.yaml they wrote
  std::string where;              // what ran it, when not a local process ("pod NS/NAME")
};

// How a running attempt is doing, from runners whose attempts wait on others (a cluster's
// scheduler, image pulls): its phase (QUEUED, INITIALIZING, WAITING_FOR_RESOURCES, RUNNING),
// why it waits, and where it runs ("pod default/x-n0-0"), shown to users.
struct AttemptProgress {
  TaskPhase phase = TaskPhase::kRunning;
  std::string reason;
  std::string where;
};

class Runner {
 public:
  using DoneFn = std::function<void(uint64_t id, AttemptResult result)>;
  using OutputFn = std::function<void(uint64_t id, bool is_stderr, std::string_view line)>;
  using ProgressFn = std::function<void(uint64_t id, const AttemptProgress& progress)>;
  virtual ~Runner() = default;

  // REQUIRES: called once, before Start.
  virtual void SetCallbacks(DoneFn done, OutputFn output) = 0;
  // Starts an attempt; its result arrives through DoneFn exactly once.
  virtual void Start(TaskLaunch launch) = 0;
  // Stops a running attempt (SIGTERM to its whole process group, SIGKILL after a grace
  // period); its result arrives through DoneFn, as kAborted unless it finished first.
  virtual void Abort(uint64_t id) = 0;
  // Re-attaches to an attempt that an earlier process started (after a server restart): its
  // result arrives through DoneFn, as kSystemError "Lost" when it can no longer be followed.
  virtual void Adopt(TaskLaunch launch) = 0;
  // How many attempts are running.
  virtual size_t running() const = 0;
  // Whether attempts of `kind` run on this machine, and so take slots of the execution's
  // max_parallelism; a cluster runner has limits of its own.
  virtual bool RunsHere(ExecutorKind kind) const {
    (void)kind;
    return true;
  }
  // Where progress reports go (runners that have none never call it). Before Start.
  virtual void SetProgress(ProgressFn progress) { (void)progress; }
};

}  // namespace flyte
