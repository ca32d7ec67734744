// Internal to the engine: the state machine and the scheduling loop behind flyte/engine.h.
#pragma once

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
  const ExecutionState* Find(const ExecutionKey& key) const;
  size_t active() const;
  std::vector<ExecutionKey> ActiveKeys() const;

 private:
  struct NodeRef {
    ExecutionState* exec;
    uint32_t node;
  };

  // The one transition function for node phases; also keeps frame counters and notifies.
  void SetNodePhase(ExecutionState& e, NodeState& n, NodePhase to);
  void SetExecutionPhase(ExecutionState& e, ExecutionPhase to);
  void NotifyAttempt(ExecutionState& e, NodeState& n);

  void CreateFrame(ExecutionState& e, const CompiledWorkflow& wf, std::vector<Value> inputs,
                   const std::string& prefix, const std::string& parent);
  void MakeReady(ExecutionState& e, uint32_t node);
  bool EvaluateInputs(ExecutionState& e, NodeState& n);
  void PushReady(ExecutionState& e, uint32_t node);
  void Pump(ExecutionState& e);
  void StartAttempt(ExecutionState& e, uint32_t node);
  void OnAttemptDone(uint64_t id, AttemptResult result);
  void OnTimeout(ExecutionState& e, uint32_t node, uint64_t attempt_id);
  void Retry(ExecutionState& e, uint32_t node, bool system);

  void Succeed(ExecutionState& e, NodeState& n, std::vector<Value> outputs);
  void Fail(ExecutionState& e, NodeState& n, ExecError error, NodePhase phase = NodePhase::kFailed);
  // Stops running work: running attempts are aborted, waiting ones become ABORTED.
  void StopAll(ExecutionState& e);
  void MaybeFinish(ExecutionState& e);

  // Caching: lookup before running, put after success, serialized calls.
  // True when the node is settled (a hit) or parked behind an identical serialized call.
  bool TryCache(ExecutionState& e, uint32_t node);
  void PutCache(ExecutionState& e, NodeState& n);
  // When `self` owns its serialized cache key: hands its result to the nodes waiting for it,
  // or, when it failed, lets the next waiter run.
  void ReleaseWaiters(const NodeState& self, bool succeeded);

  const spec::CacheSpec& CacheOf(const NodeState& n) const { return n.node->body.cache; }
  bool CacheEnabled(const ExecutionState& e, const NodeState& n) const;

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
};

}  // namespace flyte
