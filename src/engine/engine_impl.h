// Internal to the engine: the state machine and the scheduling loop behind flyte/engine.h.
// engine.cc holds the life cycle (frames, the one node transition function, failure and
// completion), tasks.cc runs task attempts (ready heap, retries, timeouts, cache), and
// control.cc the other node kinds (subworkflow, launch plan, branch, map, gates, dynamic).
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "flyte/engine.h"

namespace flyte {

class Engine::Impl {
 public:
  Impl(Runner& runner, Clock& clock, CacheBackend* cache);

  void AddObserver(EngineObserver* o) { observers_.push_back(o); }
  const ExecutionState& Start(ExecutionRequest request,
                              std::function<void(const ExecutionState&)> on_done);
  Status Abort(const ExecutionKey& key, const std::string& cause);
  Status Signal(const ExecutionKey& key, const std::string& name, Value value);
  const ExecutionState* Find(const ExecutionKey& key) const;
  size_t active() const;
  std::vector<ExecutionKey> ActiveKeys() const;
  size_t ReleaseFinished();
  bool Releasable(const ExecutionState& e) const;

 private:
  struct NodeRef {
    ExecutionState* exec;
    uint32_t node;
  };

  // engine.cc: life cycle.
  // The transition functions, one per kind of phase: each checks the change against the
  // table of flyte/phase.h (CanTransition), refusing the rest (false), then notifies observers.
  // SetNodePhase's terminal phases trigger AfterTerminal.
  bool SetNodePhase(ExecutionState& e, uint32_t node, NodePhase to);
  bool SetExecutionPhase(ExecutionState& e, ExecutionPhase to);
  // The node's current attempt (its last) moves to `to`, with why it is there (nullopt: as
  // before) and where it runs (empty: as before). Staying in its phase with a new reason or
  // place is no transition, only news for observers; nothing at all new notifies nobody.
  bool SetAttemptPhase(ExecutionState& e, NodeState& n, TaskPhase to,
                       std::optional<std::string> reason = std::nullopt,
                       const std::string& where = "");
  // The attempt a task node starts: a new one, QUEUED when its runner runs it elsewhere (until
  // it reports otherwise) and RUNNING when it runs here; or, adopting after a restart, the one
  // that was under way (or had ended well without its outputs being taken: it runs again for
  // the engine until the runner reports it). `ran`: how long an adopted running one has run.
  AttemptState EnterAttempt(NodeState& n, bool here, bool adopt, int64_t* ran);
  // Tells observers about the current attempt: created, or its reason or place changed.
  void NotifyAttempt(ExecutionState& e, NodeState& n);
  uint32_t CreateFrame(ExecutionState& e, const CompiledWorkflow& wf, std::vector<Value> inputs,
                       const std::string& prefix, uint32_t owner);
  void StartFrame(ExecutionState& e, uint32_t frame);
  uint32_t AddNode(ExecutionState& e, std::string id, const CompiledBody* body, uint32_t frame,
                   uint32_t owner);
  void MakeReady(ExecutionState& e, uint32_t node);
  bool EvaluateInputs(ExecutionState& e, uint32_t node);
  // Resuming or recovering: ends `node` as the earlier run did when it can (true), or
  // prepares its attempt to be adopted (false: start it as usual).
  bool Restore(ExecutionState& e, uint32_t node);
  void Succeed(ExecutionState& e, uint32_t node, std::vector<Value> outputs);
  void Fail(ExecutionState& e, uint32_t node, ExecError error,
            NodePhase phase = NodePhase::kFailed);
  void AfterTerminal(ExecutionState& e, uint32_t node);
  void OnFrameDone(ExecutionState& e, uint32_t frame);
  void FailExecution(ExecutionState& e, const ExecError& error);
  void StopAll(ExecutionState& e);
  void MaybeFinish(ExecutionState& e);
  void StartFailureHandler(ExecutionState& e);
  void Finish(ExecutionState& e, ExecutionPhase phase);

  // tasks.cc: task attempts.
  void PushReady(ExecutionState& e, uint32_t node);
  void Pump(ExecutionState& e);
  void StartAttempt(ExecutionState& e, uint32_t node);
  void OnAttemptDone(uint64_t id, AttemptResult result);
  // A running attempt waits (QUEUED, INITIALIZING, WAITING_FOR_RESOURCES) or runs, and where.
  void OnAttemptProgress(uint64_t id, const AttemptProgress& progress);
  void OnTimeout(ExecutionState& e, uint32_t node, uint64_t attempt_id);
  void Retry(ExecutionState& e, uint32_t node, bool system);
  void ReadyTask(ExecutionState& e, uint32_t node);  // cache lookup, then the heap
  bool TryCache(ExecutionState& e, uint32_t node);
  void PutCache(ExecutionState& e, NodeState& n);
  void ReleaseWaiters(const NodeState& self, bool succeeded);
  bool CacheEnabled(const ExecutionState& e, const NodeState& n) const;

  // control.cc: the other node kinds.
  void StartSubworkflow(ExecutionState& e, uint32_t node);
  void StartLaunchPlan(ExecutionState& e, uint32_t node);
  void StartBranch(ExecutionState& e, uint32_t node);
  void StartMap(ExecutionState& e, uint32_t node);
  void ReleaseMapItems(ExecutionState& e, uint32_t node);
  void OnMapItemDone(ExecutionState& e, uint32_t map, uint32_t item);
  void StartGate(ExecutionState& e, uint32_t node);
  void ResolveGate(ExecutionState& e, uint32_t node, const Value& value);
  void StartDynamic(ExecutionState& e, uint32_t node, const std::string& spec_path);
  void OnChildDone(ExecutionState& e, uint32_t owner, uint32_t child);

  Runner& runner_;
  Clock& clock_;
  CacheBackend* cache_;
  std::vector<EngineObserver*> observers_;
  std::unordered_map<std::string, std::unique_ptr<ExecutionState>> executions_;
  std::unordered_map<uint64_t, NodeRef> running_;  // attempt id → node
  uint64_t next_attempt_id_ = 1;
  // serialize: true: the node computing a key, and the nodes waiting for it.
  std::unordered_map<std::string, NodeRef> inflight_;
  std::unordered_map<std::string, std::vector<NodeRef>> waiters_;
  // Child executions of launch-plan nodes: child key → parent node.
  std::unordered_map<std::string, NodeRef> children_;
};

bool AcceptsNewWork(const ExecutionState& e);

}  // namespace flyte
