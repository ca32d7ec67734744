// Task attempts: the ready heap, slots, the runner, retries, timeouts and the cache.
#include <algorithm>
#include <cmath>

#include "engine/engine_impl.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte {
namespace {

constexpr uint32_t kMaxSystemFailures = 3;

uint32_t SlotsFor(const CompiledBody& b, uint32_t max_parallelism) {
  uint32_t slots = 1;
  if (b.resources && b.resources->requests.cpu_millis) {
    slots = static_cast<uint32_t>(
        std::max<int64_t>(1, (*b.resources->requests.cpu_millis + 999) / 1000));
  }
  // A task asking for more cores than the cap still runs, alone.
  return max_parallelism > 0 ? std::min(slots, max_parallelism) : slots;
}

}  // namespace

void Engine::Impl::ReadyTask(ExecutionState& e, uint32_t idx) {
  if (TryCache(e, idx)) return;
  PushReady(e, idx);
}

void Engine::Impl::PushReady(ExecutionState& e, uint32_t idx) {
  const NodeState& n = e.nodes[idx];
  // Map items and branch cases take the critical path of the node they belong to.
  uint32_t anchor = idx;
  while (e.nodes[anchor].index == kNoIndex && e.nodes[anchor].owner != kNoIndex)
    anchor = e.nodes[anchor].owner;
  const NodeState& a = e.nodes[anchor];
  uint64_t cp = a.index != kNoIndex ? e.frames[a.frame].wf->critical_path[a.index] : 1;
  (void)n;
  // Longest critical path first; among equals, first come first served.
  uint64_t seq = e.ready_seq++;
  uint64_t key = (std::min<uint64_t>(cp, 0xFFFFF) << 44) | ((~seq) & ((uint64_t{1} << 44) - 1));
  auto& heap = runner_.RunsHere(n.body->executor) ? e.ready : e.ready_elsewhere;
  heap.emplace_back(key, idx);
  std::push_heap(heap.begin(), heap.end());
}

void Engine::Impl::Pump(ExecutionState& e) {
  const uint32_t cap = e.options.max_parallelism;
  // Tasks that run elsewhere (Pods, plugin jobs) are bounded by their runner, not by slots.
  while (!e.ready_elsewhere.empty() && AcceptsNewWork(e)) {
    uint32_t idx = e.ready_elsewhere.front().second;
    std::pop_heap(e.ready_elsewhere.begin(), e.ready_elsewhere.end());
    e.ready_elsewhere.pop_back();
    if (IsTerminal(e.nodes[idx].phase)) continue;
    e.nodes[idx].slots = 0;
    StartAttempt(e, idx);
  }
  while (!e.ready.empty() && AcceptsNewWork(e)) {
    uint32_t idx = e.ready.front().second;
    uint32_t slots = SlotsFor(*e.nodes[idx].body, cap);
    if (cap > 0 && e.running_slots + slots > cap) break;
    std::pop_heap(e.ready.begin(), e.ready.end());
    e.ready.pop_back();
    if (IsTerminal(e.nodes[idx].phase)) continue;
    e.nodes[idx].slots = slots;
    StartAttempt(e, idx);
  }
}

void Engine::Impl::StartAttempt(ExecutionState& e, uint32_t idx) {
  NodeState& n = e.nodes[idx];
  const CompiledBody& b = *n.body;
  const CompiledTask& task = e.file->tasks[b.target];
  e.running_slots += n.slots;
  ++e.running_nodes;
  if (n.phase == NodePhase::kQueued) SetNodePhase(e, idx, NodePhase::kRunning);

  const bool here = runner_.RunsHere(b.executor);
  const bool adopt = n.adopt;
  n.adopt = false;
  int64_t ran = 0;  // how long an adopted attempt has run already, against its timeout
  AttemptState a = EnterAttempt(n, here, adopt, &ran);
  const uint64_t id = next_attempt_id_++;
  running_[id] = {&e, idx};
  n.running_id = id;

  TaskLaunch launch;
  launch.id = id;
  launch.attempt = {e.key.project, e.key.domain, e.key.name, n.id, task.name, a.index};
  launch.executor = b.executor;
  launch.interruptible = b.interruptible;
  launch.file = e.file;
  launch.task = &task;
  launch.inputs = n.inputs;
  const std::string node_dir = e.options.run_dir + "/" + n.id;
  launch.attempt_dir = node_dir + "/" + std::to_string(a.index);
  launch.raw_output_dir = node_dir + "/raw";
  launch.workdir = task.spec->workdir.empty()     ? e.file_dir
                   : task.spec->workdir[0] == '/' ? task.spec->workdir
                                                  : e.file_dir + "/" + task.spec->workdir;
  launch.env = {
      {"FLYTE_EXECUTION_ID", e.key.name},
      {"FLYTE_NODE_ID", n.id},
      {"FLYTE_ATTEMPT", std::to_string(a.index)},
      {"FLYTE_PROJECT", e.key.project},
      {"FLYTE_DOMAIN", e.key.domain},
  };
  launch.env.insert(launch.env.end(), e.options.env.begin(), e.options.env.end());
  launch.image = b.image;
  launch.kube_namespace = b.kube_namespace;
  launch.resources = b.resources;
  launch.stream_output = e.options.stream_output;
  a.stdout_path = launch.attempt_dir + "/stdout";
  a.stderr_path = launch.attempt_dir + "/stderr";
  n.attempts.push_back(a);
  NotifyAttempt(e, n);
  if (b.timeout_nanos) {
    ExecutionState* ep = &e;
    n.timer = clock_.After(std::max<int64_t>(*b.timeout_nanos - ran, 0),
                           [this, ep, idx, id] { OnTimeout(*ep, idx, id); });
  }
  // Resuming, the attempt may be running or done already: the runner knows (and starts it
  // when it never ran).
  if (adopt) {
    runner_.Adopt(std::move(launch));
  } else {
    runner_.Start(std::move(launch));
  }
}

void Engine::Impl::OnTimeout(ExecutionState& e, uint32_t idx, uint64_t attempt_id) {
  NodeState& n = e.nodes[idx];
  n.timer = 0;
  if (n.running_id != attempt_id) return;
  n.timed_out = true;
  runner_.Abort(attempt_id);
}

void Engine::Impl::OnAttemptProgress(uint64_t id, const AttemptProgress& p) {
  auto it = running_.find(id);
  if (it == running_.end() || IsTerminal(p.phase)) return;  // ends come as results
  ExecutionState& e = *it->second.exec;
  NodeState& n = e.nodes[it->second.node];
  if (n.attempts.empty()) return;
  SetAttemptPhase(e, n, p.phase, p.reason, p.where);
}

void Engine::Impl::OnAttemptDone(uint64_t id, AttemptResult result) {
  auto it = running_.find(id);
  if (it == running_.end()) return;
  ExecutionState& e = *it->second.exec;
  const uint32_t idx = it->second.node;
  running_.erase(it);
  NodeState& n = e.nodes[idx];
  n.running_id = 0;
  if (n.timer != 0) {
    clock_.Cancel(n.timer);
    n.timer = 0;
  }
  e.running_slots -= n.slots;
  --e.running_nodes;
  AttemptState& a = n.attempts.back();
  a.ended_at = clock_.Now();
  a.exit_code = result.exit_code;
  if (!result.stdout_path.empty()) a.stdout_path = result.stdout_path;
  if (!result.stderr_path.empty()) a.stderr_path = result.stderr_path;
  if (!result.where.empty()) a.where = result.where;
  const CompiledBody& b = *n.body;

  const bool timed_out = n.timed_out;
  n.timed_out = false;
  if (result.status == AttemptResult::Status::kAborted && timed_out && !n.abort_requested) {
    result.status = AttemptResult::Status::kUserError;
    result.code = ExecErrorCode::kTimeoutExpired;
    result.message = "timed out after " + FormatDuration(*b.timeout_nanos);
  }
  const bool owner_gone = n.owner != kNoIndex && IsTerminal(e.nodes[n.owner].phase);
  switch (result.status) {
    case AttemptResult::Status::kSucceeded:
      SetAttemptPhase(e, n, TaskPhase::kSucceeded);
      if (!result.dynamic_spec_path.empty()) {
        StartDynamic(e, idx, result.dynamic_spec_path);
      } else {
        Succeed(e, idx, std::move(result.outputs));
      }
      break;
    case AttemptResult::Status::kAborted:
      SetAttemptPhase(e, n, TaskPhase::kAborted, "aborted");
      if (!n.error)
        n.error = ExecError{ExecErrorCode::kAborted, e.error ? e.error->message : "aborted",
                            ErrorKind::kUser, n.id};
      ReleaseWaiters(n, false);
      SetNodePhase(e, idx, NodePhase::kAborted);
      break;
    case AttemptResult::Status::kUserError:
    case AttemptResult::Status::kSystemError: {
      const bool system = result.status == AttemptResult::Status::kSystemError;
      n.tail = std::move(result.tail);
      uint32_t used = system ? ++n.system_failures : ++n.user_failures;
      uint32_t budget = system ? kMaxSystemFailures : static_cast<uint32_t>(b.retries) + 1;
      if (used < budget && result.retryable && AcceptsNewWork(e) && !n.abort_requested &&
          !owner_gone) {
        SetAttemptPhase(e, n, TaskPhase::kRetryableFailed, result.message);
        Retry(e, idx, system);
        break;
      }
      SetAttemptPhase(e, n, TaskPhase::kFailed, result.message);
      std::string message = result.message;
      uint32_t attempts = static_cast<uint32_t>(n.attempts.size());
      if (attempts > 1) message += " (after " + std::to_string(attempts) + " attempts)";
      Fail(e, idx, {result.code, message, system ? ErrorKind::kSystem : ErrorKind::kUser, n.id},
           timed_out ? NodePhase::kTimedOut : NodePhase::kFailed);
      break;
    }
  }
  Pump(e);
  MaybeFinish(e);
}

void Engine::Impl::Retry(ExecutionState& e, uint32_t idx, bool system) {
  NodeState& n = e.nodes[idx];
  const spec::RetryBackoff& bo = e.file->tasks[n.body->target].spec->retry_backoff;
  uint32_t failures = system ? n.system_failures : n.user_failures;
  double delay = static_cast<double>(bo.initial_nanos) * std::pow(bo.factor, failures - 1);
  int64_t wait = static_cast<int64_t>(std::min(delay, static_cast<double>(bo.max_nanos)));
  ++e.retrying;
  ExecutionState* ep = &e;
  n.timer = clock_.After(std::max<int64_t>(wait, 0), [this, ep, idx] {
    NodeState& node = ep->nodes[idx];
    node.timer = 0;
    if (ep->retrying > 0) --ep->retrying;
    bool owner_gone = node.owner != kNoIndex && IsTerminal(ep->nodes[node.owner].phase);
    if (IsTerminal(node.phase)) return;
    if (!AcceptsNewWork(*ep) || owner_gone) {
      SetNodePhase(*ep, idx, NodePhase::kAborted);
      MaybeFinish(*ep);
      return;
    }
    PushReady(*ep, idx);
    Pump(*ep);
  });
}

bool Engine::Impl::CacheEnabled(const ExecutionState& e, const NodeState& n) const {
  return cache_ != nullptr && n.body->cache.enabled && !e.options.no_cache;
}

bool Engine::Impl::TryCache(ExecutionState& e, uint32_t idx) {
  NodeState& n = e.nodes[idx];
  if (!CacheEnabled(e, n)) {
    n.cache = CacheStatus::kDisabled;
    return false;
  }
  const CompiledTask& task = e.file->tasks[n.body->target];
  const spec::CacheSpec& spec = n.body->cache;
  n.cache_key = CacheKey(e.key.project, e.key.domain, task, spec, n.inputs);
  if (e.options.overwrite_cache) {
    n.cache = CacheStatus::kSkipped;
    return false;
  }
  std::vector<Type> types;
  for (const Variable& v : task.iface.outputs) types.push_back(v.type);
  Result<std::optional<CacheEntry>> hit = cache_->Lookup(n.cache_key, types, clock_.Now());
  if (!hit.ok()) {
    n.cache = CacheStatus::kLookupFailure;
    return false;
  }
  if (hit->has_value() && (*hit)->outputs.size() == task.iface.outputs.size() &&
      !task.spec->dynamic) {
    n.cache = CacheStatus::kHit;
    Succeed(e, idx, std::move((*hit)->outputs));
    return true;
  }
  n.cache = CacheStatus::kMiss;
  if (!spec.serialize) return false;
  auto owner = inflight_.find(n.cache_key);
  if (owner == inflight_.end()) {
    inflight_[n.cache_key] = {&e, idx};
    return false;
  }
  waiters_[n.cache_key].push_back({&e, idx});
  ++e.waiting;
  return true;
}

void Engine::Impl::PutCache(ExecutionState& e, NodeState& n) {
  CacheEntry entry;
  entry.key = n.cache_key;
  entry.task = e.file->tasks[n.body->target].name;
  entry.outputs = n.outputs;
  entry.created_at = clock_.Now();
  if (n.body->cache.ttl_nanos) entry.expires_at = entry.created_at + *n.body->cache.ttl_nanos;
  entry.producer = e.key.ToString() + "/" + n.id;
  Status st = cache_->Put(entry);
  if (!st.ok()) {
    n.cache = CacheStatus::kPutFailure;
  } else if (n.cache != CacheStatus::kSkipped) {
    n.cache = CacheStatus::kPopulated;
  }
}

void Engine::Impl::ReleaseWaiters(const NodeState& self, bool succeeded) {
  if (self.cache_key.empty()) return;
  const std::string key = self.cache_key;
  auto owner_it = inflight_.find(key);
  if (owner_it == inflight_.end() ||
      &owner_it->second.exec->nodes[owner_it->second.node] != &self) {
    return;
  }
  inflight_.erase(owner_it);
  auto it = waiters_.find(key);
  if (it == waiters_.end()) return;
  std::vector<NodeRef> list = std::move(it->second);
  waiters_.erase(it);
  if (list.empty()) return;
  if (succeeded) {
    const std::vector<Value> outputs = self.outputs;
    for (const NodeRef& r : list) {
      if (r.exec->waiting > 0) --r.exec->waiting;
      r.exec->nodes[r.node].cache = CacheStatus::kHit;
      Succeed(*r.exec, r.node, outputs);
      Pump(*r.exec);
      MaybeFinish(*r.exec);
    }
    return;
  }
  // The call failed: the next waiter tries itself; the rest keep waiting for it.
  NodeRef next = list.front();
  if (next.exec->waiting > 0) --next.exec->waiting;
  inflight_[key] = next;
  if (list.size() > 1) waiters_[key].assign(list.begin() + 1, list.end());
  PushReady(*next.exec, next.node);
  Pump(*next.exec);
}

}  // namespace flyte
