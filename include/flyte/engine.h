// The engine: runs compiled workflows. It owns the one state machine of execution, node and
// attempt phases (WORKFLOW.md §7); everything else (the SQLite rows, the terminal view, the
// API's event stream) is an observer of it. Readiness is local: a finished node only
// decrements its successors' pending-input counters, and ready task nodes wait in a heap
// ordered by critical path, so the cost per task does not grow with the graph.
// Single-threaded: the engine lives on the loop thread; it never blocks and never includes
// <uv.h>. Time comes from a Clock, tasks run through a Runner, cached outputs come from a
// CacheBackend: all three are interfaces, faked in tests.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "flyte/clock.h"
#include "flyte/dag.h"
#include "flyte/exec_error_code.h"
#include "flyte/phase.h"
#include "flyte/runner.h"
#include "flyte/status.h"
#include "flyte/value.h"

namespace flyte {

struct ExecutionKey {
  std::string project;
  std::string domain;
  std::string name;
  std::string ToString() const { return project + "/" + domain + "/" + name; }
  friend bool operator==(const ExecutionKey&, const ExecutionKey&) = default;
};

enum class CacheStatus : uint8_t {
  kDisabled,
  kMiss,
  kHit,
  kPopulated,
  kLookupFailure,
  kPutFailure,
  kSkipped,
};
std::string_view CacheStatusName(CacheStatus s);  // "CACHE_HIT"...
std::optional<CacheStatus> ParseCacheStatus(std::string_view s);

enum class ErrorKind : uint8_t { kUser, kSystem };

struct ExecError {
  AnyExecErrorCode code;  // kNonZeroExit, kTimeoutExpired, kOutputsNotFound, kAborted...
  std::string message;
  ErrorKind kind = ErrorKind::kUser;
  std::string node;  // the node it came from, if any
};

// Where cached task outputs live. Implemented by the store; a map in tests.
struct CacheEntry {
  std::string key;
  std::string task;
  std::vector<Value> outputs;  // in the order of the task's outputs
  int64_t created_at = 0;
  std::optional<int64_t> expires_at;
  std::string producer;  // "project/domain/execution/node"
};
class CacheBackend {
 public:
  virtual ~CacheBackend() = default;
  // Outputs cached under `key` that have not expired at `now`, read as `types` (the task's
  // output types, in order); nullopt on a miss.
  virtual Result<std::optional<CacheEntry>> Lookup(const std::string& key,
                                                   const std::vector<Type>& types, int64_t now) = 0;
  virtual Status Put(const CacheEntry& entry) = 0;
};

struct AttemptState {
  uint32_t index = 0;  // 0-based
  TaskPhase phase = TaskPhase::kQueued;
  int64_t started_at = 0;
  int64_t ended_at = 0;
  int exit_code = 0;
  std::string reason;  // why it failed, or why it waits
  std::string stdout_path, stderr_path;
  std::string where;  // what runs it, when not a local process: "pod NAMESPACE/NAME"
};

struct NodeState {
  std::string id;             // unique in the execution: "train", "sub/inner", "sq[3]", "decide/1"
  std::string parent;         // id of the node it runs under; empty at the top level
  uint32_t frame = 0;         // the DAG whose values its bindings read (ExecutionState::frames)
  uint32_t index = kNoIndex;  // its node index in that DAG; kNoIndex when not one of its nodes
  const CompiledBody* body = nullptr;
  bool started = false;  // false until it first becomes QUEUED
  NodePhase phase = NodePhase::kQueued;
  CacheStatus cache = CacheStatus::kDisabled;
  std::vector<AttemptState> attempts;
  uint32_t user_failures = 0;
  uint32_t system_failures = 0;
  int64_t queued_at = 0, started_at = 0, ended_at = 0;
  std::optional<ExecError> error;
  std::string tail;            // last output lines of a failed task, shown once under its error
  std::vector<Value> inputs;   // per target input, once evaluated
  std::vector<Value> outputs;  // per node output, on success

  uint32_t seq = 0;  // creation order in the execution (its index in ExecutionState::nodes)

  // Engine bookkeeping.
  uint32_t owner = kNoIndex;    // the branch, map or dynamic node this one reports to
  uint32_t pending = 0;         // unfinished upstream nodes
  uint64_t running_id = 0;      // the attempt in the runner, 0 when none
  Clock::TimerId timer = 0;     // backoff, timeout or gate deadline
  Clock::TimerId deadline = 0;  // a gate's timeout while its sleep timer runs
  bool abort_requested = false;
  bool timed_out = false;
  uint32_t slots = 1;
  std::string cache_key;
  uint32_t child_frame = kNoIndex;  // subworkflow and dynamic nodes
  std::string child_execution;      // launch-plan nodes
  std::vector<uint32_t> items;      // map nodes: their item nodes; branch: the taken case
  uint32_t items_released = 0, items_done = 0, items_failed = 0, items_running = 0;
  bool waiting_signal = false;  // approve and signal gates
  bool adopt = false;           // resuming: ask the runner to adopt its attempt before starting one
};

// What an earlier run left of a node: read back from the store to resume an execution after a
// restart, or to recover one (its succeeded nodes are not run again).
struct PriorNode {
  NodePhase phase = NodePhase::kQueued;
  std::string outputs_json;  // when it succeeded: {"name": value, ...} as the store keeps it
  CacheStatus cache = CacheStatus::kDisabled;
  int64_t queued_at = 0, started_at = 0, ended_at = 0;
  std::optional<ExecError> error;
  std::vector<AttemptState> attempts;
  std::string child_execution;
};

struct PriorRun {
  enum class Mode : uint8_t {
    // The same execution, continued after a restart: every node keeps its phase, and task
    // attempts that were started are adopted from the runner rather than started again.
    kResume,
    // A new execution of the same workflow and inputs: nodes that succeeded in the earlier
    // one become RECOVERED with its outputs; the rest run.
    kRecover,
  };
  Mode mode = Mode::kResume;
  int64_t created_at = 0, started_at = 0;
  std::unordered_map<std::string, PriorNode> nodes;  // by node id
  // Resume: the signals it had received (a gate not reached yet still gets its value).
  std::vector<std::pair<std::string, Value>> signals;
  // Child executions of launch-plan nodes, by their name in the earlier run.
  std::map<std::string, std::shared_ptr<const PriorRun>> children;
};

struct ExecutionOptions {
  uint32_t max_parallelism = 0;  // running tasks at once; 0: no limit
  // Gates waiting for a signal with no timeout of their own: how long to wait (0: forever).
  // `flyte run` without a terminal sets a short one, since nobody can answer.
  int64_t gate_default_timeout_nanos = 0;
  std::string gate_hint;  // how to provide a value, for the timeout message
  bool overwrite_cache = false;
  bool no_cache = false;
  bool stream_output = false;
  std::vector<std::pair<std::string, std::string>> env;
  std::string run_dir;  // attempts go to RUN_DIR/NODE/ATTEMPT
  int64_t abort_grace_nanos = 10'000'000'000;
};

// A running DAG: the workflow of the execution, a subworkflow, or a dynamic fragment.
struct Frame {
  const CompiledWorkflow* wf = nullptr;
  std::vector<Value> inputs;
  std::vector<uint32_t> nodes;  // NodeState index of each node of wf
  uint32_t remaining = 0;       // nodes not yet terminal
  uint32_t owner = kNoIndex;    // the node that runs this frame; kNoIndex for the execution
  bool failed = false;
  std::string prefix;  // node ids inside it start with this ("sub/")
};

struct ExecutionState {
  ExecutionKey key;
  std::shared_ptr<const CompiledFile> file;
  uint32_t workflow = kNoIndex;  // in file, or kNoIndex for a single-task run
  std::shared_ptr<const CompiledWorkflow> single_task;  // the synthesized one-node workflow
  ExecutionOptions options;
  ExecutionPhase phase = ExecutionPhase::kQueued;
  int64_t created_at = 0, started_at = 0, ended_at = 0;
  std::vector<Value> inputs;
  std::vector<Value> outputs;  // per workflow output, on success
  std::optional<ExecError> error;
  std::deque<NodeState> nodes;  // stable addresses
  std::deque<Frame> frames;     // frames[0] is the workflow itself

  std::string file_dir;  // absolute folder of the workflow file: task workdirs start there
  std::string parent;    // "EXECUTION/NODE" of the launch-plan node that started it
  std::string launch_plan;
  std::map<std::string, Value> signals;                // received, by signal name
  std::vector<std::shared_ptr<const void>> keepalive;  // compiled dynamic fragments
  uint32_t failure_node = kNoIndex;                    // the on_failure handler, once started
  std::shared_ptr<const PriorRun> prior;  // resuming or recovering: what the earlier run left

  // Engine bookkeeping.
  uint32_t running_slots = 0;
  uint32_t running_nodes = 0;
  uint32_t active = 0;    // started nodes not yet terminal
  uint32_t retrying = 0;  // nodes waiting out a retry backoff
  uint32_t waiting = 0;   // nodes waiting for an identical serialized call
  std::vector<std::pair<uint64_t, uint32_t>> ready;  // heap of (priority, node) that run here
  // Ready tasks whose runner bounds them itself (Pods, plugin jobs): they take no local slots,
  // so they never wait behind local tasks for one.
  std::vector<std::pair<uint64_t, uint32_t>> ready_elsewhere;
  uint64_t ready_seq = 0;
  std::function<void(const ExecutionState&)> on_done;

  const CompiledWorkflow& wf() const {
    return single_task ? *single_task : file->workflows[workflow];
  }
};

class EngineObserver {
 public:
  virtual ~EngineObserver() = default;
  virtual void OnExecution(const ExecutionState&) {}
  virtual void OnNode(const ExecutionState&, const NodeState&) {}
  virtual void OnAttempt(const ExecutionState&, const NodeState&, const AttemptState&) {}
  virtual void OnOutput(const ExecutionState&, const NodeState&, bool /*is_stderr*/,
                        std::string_view /*line*/) {}
  // An approve or signal gate started waiting for `signal` (of `type`).
  virtual void OnGateWaiting(const ExecutionState&, const NodeState&, const std::string& /*signal*/,
                             const Type& /*type*/) {}
};

struct ExecutionRequest {
  ExecutionKey key;
  std::shared_ptr<const CompiledFile> file;
  uint32_t workflow = kNoIndex;
  std::shared_ptr<const CompiledWorkflow> single_task;  // instead of `workflow`
  std::string parent;                                   // set by the engine for launch-plan nodes
  std::string launch_plan;
  std::vector<std::pair<std::string, Value>> signals;  // given up front (--signal, --approve)
  std::vector<Value> inputs;  // one per workflow input, complete (defaults applied)
  ExecutionOptions options;
  std::shared_ptr<const PriorRun> prior;  // null: a fresh start
};

class Engine {
 public:
  // `cache` may be null (no caching). All borrowed; they must outlive the engine.
  Engine(Runner& runner, Clock& clock, CacheBackend* cache);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void AddObserver(EngineObserver* observer);
  // Starts an execution. `on_done` runs once it is terminal. With request.prior, nodes are
  // restored from it as they are reached (see PriorRun::Mode).
  // REQUIRES: request.inputs matches the workflow's inputs.
  const ExecutionState& Start(ExecutionRequest request,
                              std::function<void(const ExecutionState&)> on_done = {});
  // Aborts a running execution: ABORTING, every running task stopped, then ABORTED.
  // Returns FailedPrecondition when it is already terminal, NotFound when unknown.
  Status Abort(const ExecutionKey& key, const std::string& cause);
  // Delivers a signal (an approve gate's is a bool named after its node). A gate waiting for
  // it resumes; otherwise it is kept for when the gate is reached. InvalidArgument when the
  // value does not fit the type of a waiting gate.
  Status Signal(const ExecutionKey& key, const std::string& name, Value value);
  const ExecutionState* Find(const ExecutionKey& key) const;
  size_t active() const;
  std::vector<ExecutionKey> ActiveKeys() const;
  // Forgets terminal executions that nothing refers to any more (no process, timer or running
  // child execution), returning how many. Their ExecutionState pointers become invalid: call
  // only after observers have consumed them (the server does, after each committed flush).
  size_t ReleaseFinished();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Evaluates a compiled binding against the values available in `frame`
// (node outputs and frame inputs) and converts it to `type`.
Result<Value> EvaluateBinding(const ExecutionState& exec, const Frame& frame,
                              const CompiledBinding& binding, const Type& type,
                              const Value* failure_error = nullptr);

// The cache key of a task call: project, domain, task name, interface, version (pinned or
// the definition hash) and the canonical hash of the inputs, file contents included and
// ignored inputs left out.
std::string CacheKey(const std::string& project, const std::string& domain,
                     const CompiledTask& task, const spec::CacheSpec& cache,
                     const std::vector<Value>& inputs);

}  // namespace flyte
