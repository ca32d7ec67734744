#include <algorithm>
#include <cmath>
#include <filesystem>

#include "engine/engine_impl.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte {
namespace {

constexpr uint32_t kMaxSystemFailures = 3;

uint32_t SlotsFor(const CompiledBody& b, uint32_t max_parallelism) {
  uint32_t slots = 1;
  if (b.resources && b.resources->requests.cpu_millis) {
    slots = static_cast<uint32_t>(std::max<int64_t>(1, (*b.resources->requests.cpu_millis + 999) / 1000));
  }
  // A task asking for more cores than the cap still runs, alone.
  return max_parallelism > 0 ? std::min(slots, max_parallelism) : slots;
}

bool AcceptsNewWork(const ExecutionState& e) {
  return e.phase == ExecutionPhase::kRunning ||
         (e.phase == ExecutionPhase::kFailing &&
          e.wf().failure_policy == spec::FailurePolicy::kFailAfterExecutableNodesComplete);
}

}  // namespace

Engine::Impl::Impl(Runner& runner, Clock& clock, CacheBackend* cache)
    : runner_(runner), clock_(clock), cache_(cache) {
  runner_.SetCallbacks(
      [this](uint64_t id, AttemptResult result) { OnAttemptDone(id, std::move(result)); },
      [this](uint64_t id, bool is_stderr, std::string_view line) {
        auto it = running_.find(id);
        if (it == running_.end()) return;
        for (EngineObserver* o : observers_) {
          o->OnOutput(*it->second.exec, it->second.exec->nodes[it->second.node], is_stderr, line);
        }
      });
}

const ExecutionState& Engine::Impl::Start(ExecutionRequest req,
                                          std::function<void(const ExecutionState&)> on_done) {
  auto owned = std::make_unique<ExecutionState>();
  ExecutionState& e = *owned;
  e.key = req.key;
  e.file = std::move(req.file);
  e.workflow = req.workflow;
  e.single_task = std::move(req.single_task);
  e.options = std::move(req.options);
  e.inputs = std::move(req.inputs);
  e.created_at = clock_.Now();
  e.on_done = std::move(on_done);
  std::error_code ec;
  e.file_dir = std::filesystem::absolute(e.file->spec->source->path(), ec).parent_path().string();
  executions_[e.key.ToString()] = std::move(owned);

  SetExecutionPhase(e, ExecutionPhase::kQueued);
  e.started_at = clock_.Now();
  SetExecutionPhase(e, ExecutionPhase::kRunning);
  CreateFrame(e, e.wf(), e.inputs, "", "");
  for (uint32_t idx : std::vector<uint32_t>(e.frames[0].nodes)) {
    if (e.nodes[idx].pending == 0 && !e.nodes[idx].started && AcceptsNewWork(e)) MakeReady(e, idx);
  }
  Pump(e);
  MaybeFinish(e);
  return e;
}

void Engine::Impl::CreateFrame(ExecutionState& e, const CompiledWorkflow& wf,
                               std::vector<Value> inputs, const std::string& prefix,
                               const std::string& parent) {
  Frame& f = e.frames.emplace_back();
  uint32_t frame_index = static_cast<uint32_t>(e.frames.size() - 1);
  f.wf = &wf;
  f.inputs = std::move(inputs);
  f.remaining = static_cast<uint32_t>(wf.nodes.size());
  f.nodes.reserve(wf.nodes.size());
  for (uint32_t i = 0; i < wf.nodes.size(); ++i) {
    NodeState& n = e.nodes.emplace_back();
    n.id = prefix + wf.nodes[i].id;
    n.parent = parent;
    n.frame = frame_index;
    n.index = i;
    n.node = &wf.nodes[i];
    n.pending = wf.pred_begin[i + 1] - wf.pred_begin[i];
    f.nodes.push_back(static_cast<uint32_t>(e.nodes.size() - 1));
  }
}

void Engine::Impl::SetNodePhase(ExecutionState& e, NodeState& n, NodePhase to) {
  if (n.started && IsTerminal(n.phase)) return;  // terminal phases are final
  n.started = true;
  n.phase = to;
  int64_t now = clock_.Now();
  if (to == NodePhase::kQueued && n.queued_at == 0) n.queued_at = now;
  if (to == NodePhase::kRunning && n.started_at == 0) n.started_at = now;
  if (IsTerminal(to)) {
    n.ended_at = now;
    --e.frames[n.frame].remaining;
  }
  for (EngineObserver* o : observers_) o->OnNode(e, n);
}

void Engine::Impl::SetExecutionPhase(ExecutionState& e, ExecutionPhase to) {
  e.phase = to;
  if (IsTerminal(to)) e.ended_at = clock_.Now();
  for (EngineObserver* o : observers_) o->OnExecution(e);
}

void Engine::Impl::NotifyAttempt(ExecutionState& e, NodeState& n) {
  for (EngineObserver* o : observers_) o->OnAttempt(e, n, n.attempts.back());
}

void Engine::Impl::MakeReady(ExecutionState& e, uint32_t idx) {
  NodeState& n = e.nodes[idx];
  SetNodePhase(e, n, NodePhase::kQueued);
  if (!EvaluateInputs(e, n)) return;
  switch (n.node->body.kind) {
    case spec::NodeKind::kTask:
      if (TryCache(e, idx)) return;
      PushReady(e, idx);
      return;
    case spec::NodeKind::kWorkflow:
    case spec::NodeKind::kLaunchPlan:
    case spec::NodeKind::kMap:
    case spec::NodeKind::kBranch:
    case spec::NodeKind::kSleep:
    case spec::NodeKind::kApprove:
    case spec::NodeKind::kSignal:
      Fail(e, n,
           {"Unsupported",
            std::string(spec::NodeKindName(n.node->body.kind)) +
                " nodes do not run in this version of the engine yet (they validate)",
            ErrorKind::kUser, n.id});
      return;
  }
}

bool Engine::Impl::EvaluateInputs(ExecutionState& e, NodeState& n) {
  const CompiledBody& b = n.node->body;
  const Frame& f = e.frames[n.frame];
  n.inputs.assign(b.iface.inputs.size(), Value());
  std::vector<bool> bound(b.iface.inputs.size(), false);
  for (const BoundInput& in : b.inputs) {
    const Variable& var = b.iface.inputs[in.var];
    Result<Value> v = EvaluateBinding(e, f, in.value, var.type);
    if (!v.ok()) {
      Fail(e, n, {"BindingError", "input " + Quote(var.name) + ": " + v.status().message(),
                  ErrorKind::kUser, n.id});
      return false;
    }
    n.inputs[in.var] = std::move(*v);
    bound[in.var] = true;
  }
  for (size_t i = 0; i < bound.size(); ++i) {
    if (!bound[i] && b.iface.inputs[i].default_value) n.inputs[i] = *b.iface.inputs[i].default_value;
  }
  return true;
}

void Engine::Impl::PushReady(ExecutionState& e, uint32_t idx) {
  const NodeState& n = e.nodes[idx];
  uint64_t cp = e.frames[n.frame].wf->critical_path[n.index];
  // Longest critical path first; among equals, first come first served.
  uint64_t seq = e.ready_seq++;
  uint64_t key = (std::min<uint64_t>(cp, 0xFFFFF) << 44) | ((~seq) & ((uint64_t{1} << 44) - 1));
  e.ready.emplace_back(key, idx);
  std::push_heap(e.ready.begin(), e.ready.end());
}

void Engine::Impl::Pump(ExecutionState& e) {
  const uint32_t cap = e.options.max_parallelism;
  while (!e.ready.empty() && AcceptsNewWork(e)) {
    uint32_t idx = e.ready.front().second;
    uint32_t slots = SlotsFor(e.nodes[idx].node->body, cap);
    if (cap > 0 && e.running_slots + slots > cap) break;
    std::pop_heap(e.ready.begin(), e.ready.end());
    e.ready.pop_back();
    e.nodes[idx].slots = slots;
    StartAttempt(e, idx);
  }
}

void Engine::Impl::StartAttempt(ExecutionState& e, uint32_t idx) {
  NodeState& n = e.nodes[idx];
  const CompiledBody& b = n.node->body;
  const CompiledTask& task = e.file->tasks[b.target];
  e.running_slots += n.slots;
  ++e.running_nodes;
  if (n.phase == NodePhase::kQueued) SetNodePhase(e, n, NodePhase::kRunning);

  AttemptState a;
  a.index = static_cast<uint32_t>(n.attempts.size());
  a.phase = TaskPhase::kRunning;
  a.started_at = clock_.Now();
  const uint64_t id = next_attempt_id_++;
  running_[id] = {&e, idx};
  n.running_id = id;

  TaskLaunch launch;
  launch.id = id;
  launch.file = e.file;
  launch.task = &task;
  launch.inputs = n.inputs;
  const std::string node_dir = e.options.run_dir + "/" + n.id;
  launch.attempt_dir = node_dir + "/" + std::to_string(a.index);
  launch.raw_output_dir = node_dir + "/raw";
  launch.workdir = task.spec->workdir.empty() ? e.file_dir
                   : task.spec->workdir[0] == '/' ? task.spec->workdir
                                                  : e.file_dir + "/" + task.spec->workdir;
  launch.env = {
      {"FLYTE_EXECUTION_ID", e.key.name},   {"FLYTE_NODE_ID", n.id},
      {"FLYTE_ATTEMPT", std::to_string(a.index)}, {"FLYTE_PROJECT", e.key.project},
      {"FLYTE_DOMAIN", e.key.domain},
  };
  launch.env.insert(launch.env.end(), e.options.env.begin(), e.options.env.end());
  launch.image = b.image;
  launch.resources = b.resources;
  launch.stream_output = e.options.stream_output;
  a.stdout_path = launch.attempt_dir + "/stdout";
  a.stderr_path = launch.attempt_dir + "/stderr";
  n.attempts.push_back(a);
  NotifyAttempt(e, n);
  if (b.timeout_nanos) {
    ExecutionState* ep = &e;
    n.timer = clock_.After(*b.timeout_nanos, [this, ep, idx, id] { OnTimeout(*ep, idx, id); });
  }
  runner_.Start(std::move(launch));
}

void Engine::Impl::OnTimeout(ExecutionState& e, uint32_t idx, uint64_t attempt_id) {
  NodeState& n = e.nodes[idx];
  n.timer = 0;
  if (n.running_id != attempt_id) return;
  n.timed_out = true;
  runner_.Abort(attempt_id);
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
  const CompiledBody& b = n.node->body;

  const bool timed_out = n.timed_out;
  n.timed_out = false;
  if (result.status == AttemptResult::Status::kAborted && timed_out && !n.abort_requested) {
    result.status = AttemptResult::Status::kUserError;
    result.code = "TimeoutExpired";
    result.message = "timed out after " + FormatDuration(*b.timeout_nanos);
  }
  switch (result.status) {
    case AttemptResult::Status::kSucceeded:
      a.phase = TaskPhase::kSucceeded;
      NotifyAttempt(e, n);
      Succeed(e, n, std::move(result.outputs));
      break;
    case AttemptResult::Status::kAborted:
      a.phase = TaskPhase::kAborted;
      a.reason = "aborted";
      NotifyAttempt(e, n);
      ReleaseWaiters(n, false);
      n.error = ExecError{"Aborted", e.error ? e.error->message : "aborted", ErrorKind::kUser, n.id};
      SetNodePhase(e, n, NodePhase::kAborted);
      break;
    case AttemptResult::Status::kUserError:
    case AttemptResult::Status::kSystemError: {
      const bool system = result.status == AttemptResult::Status::kSystemError;
      a.reason = result.message;
      n.tail = std::move(result.tail);
      uint32_t used = system ? ++n.system_failures : ++n.user_failures;
      uint32_t budget = system ? kMaxSystemFailures : static_cast<uint32_t>(b.retries) + 1;
      if (used < budget && AcceptsNewWork(e) && !n.abort_requested) {
        a.phase = TaskPhase::kRetryableFailed;
        NotifyAttempt(e, n);
        Retry(e, idx, system);
        break;
      }
      a.phase = TaskPhase::kFailed;
      NotifyAttempt(e, n);
      std::string message = result.message;
      uint32_t attempts = static_cast<uint32_t>(n.attempts.size());
      if (attempts > 1) message += " (after " + std::to_string(attempts) + " attempts)";
      Fail(e, n, {result.code, message, system ? ErrorKind::kSystem : ErrorKind::kUser, n.id},
           timed_out ? NodePhase::kTimedOut : NodePhase::kFailed);
      break;
    }
  }
  Pump(e);
  MaybeFinish(e);
}

void Engine::Impl::Retry(ExecutionState& e, uint32_t idx, bool system) {
  NodeState& n = e.nodes[idx];
  const spec::RetryBackoff& bo = e.file->tasks[n.node->body.target].spec->retry_backoff;
  uint32_t failures = system ? n.system_failures : n.user_failures;
  double delay = static_cast<double>(bo.initial_nanos) * std::pow(bo.factor, failures - 1);
  int64_t wait = static_cast<int64_t>(std::min(delay, static_cast<double>(bo.max_nanos)));
  ++e.retrying;
  ExecutionState* ep = &e;
  auto again = [this, ep, idx] {
    NodeState& node = ep->nodes[idx];
    node.timer = 0;
    --ep->retrying;
    if (!AcceptsNewWork(*ep)) {
      SetNodePhase(*ep, node, NodePhase::kAborted);
      MaybeFinish(*ep);
      return;
    }
    PushReady(*ep, idx);
    Pump(*ep);
  };
  n.timer = clock_.After(std::max<int64_t>(wait, 0), again);
}

void Engine::Impl::Succeed(ExecutionState& e, NodeState& n, std::vector<Value> outputs) {
  n.outputs = std::move(outputs);
  if (!n.cache_key.empty() && n.cache != CacheStatus::kHit) PutCache(e, n);
  SetNodePhase(e, n, NodePhase::kSucceeded);
  if (n.cache != CacheStatus::kHit) ReleaseWaiters(n, true);
  Frame& f = e.frames[n.frame];
  const CompiledWorkflow& wf = *f.wf;
  for (uint32_t s = wf.succ_begin[n.index]; s < wf.succ_begin[n.index + 1]; ++s) {
    uint32_t next = f.nodes[wf.succ[s]];
    if (--e.nodes[next].pending == 0 && AcceptsNewWork(e)) MakeReady(e, next);
  }
}

void Engine::Impl::Fail(ExecutionState& e, NodeState& n, ExecError error, NodePhase phase) {
  error.node = n.id;
  n.error = error;
  SetNodePhase(e, n, phase);
  ReleaseWaiters(n, false);
  if (e.phase == ExecutionPhase::kRunning || e.phase == ExecutionPhase::kFailing) {
    // Fail immediately reports the first failure; otherwise the last one (as Flyte does).
    if (e.phase == ExecutionPhase::kRunning ||
        e.wf().failure_policy == spec::FailurePolicy::kFailAfterExecutableNodesComplete) {
      e.error = error;
    }
    if (e.phase == ExecutionPhase::kRunning) SetExecutionPhase(e, ExecutionPhase::kFailing);
    if (e.wf().failure_policy == spec::FailurePolicy::kFailImmediately) StopAll(e);
  }
}

void Engine::Impl::StopAll(ExecutionState& e) {
  for (auto& [id, ref] : running_) {
    if (ref.exec != &e) continue;
    NodeState& n = e.nodes[ref.node];
    if (n.abort_requested) continue;
    n.abort_requested = true;
    runner_.Abort(id);
  }
  for (NodeState& n : e.nodes) {
    if (n.timer != 0 && n.running_id == 0 && n.phase == NodePhase::kRunning) {
      clock_.Cancel(n.timer);
      n.timer = 0;
      --e.retrying;
      SetNodePhase(e, n, NodePhase::kAborted);
    }
  }
  for (const auto& [key, idx] : e.ready) SetNodePhase(e, e.nodes[idx], NodePhase::kAborted);
  e.ready.clear();
  for (auto& [key, list] : waiters_) {
    auto mine = [&](const NodeRef& r) { return r.exec == &e; };
    for (const NodeRef& r : list) {
      if (r.exec != &e) continue;
      --e.waiting;
      SetNodePhase(e, e.nodes[r.node], NodePhase::kAborted);
    }
    list.erase(std::remove_if(list.begin(), list.end(), mine), list.end());
  }
}

void Engine::Impl::MaybeFinish(ExecutionState& e) {
  if (IsTerminal(e.phase)) return;
  ExecutionPhase final_phase;
  if (e.phase == ExecutionPhase::kRunning) {
    if (e.frames[0].remaining > 0) return;
    SetExecutionPhase(e, ExecutionPhase::kSucceeding);
    const CompiledWorkflow& wf = e.wf();
    e.outputs.clear();
    for (size_t i = 0; i < wf.outputs.size(); ++i) {
      Result<Value> v = EvaluateBinding(e, e.frames[0], wf.outputs[i], wf.iface.outputs[i].type);
      if (!v.ok()) {
        e.error = ExecError{"OutputError",
                            "output " + Quote(wf.iface.outputs[i].name) + ": " + v.status().message(),
                            ErrorKind::kUser, ""};
        e.outputs.clear();
        SetExecutionPhase(e, ExecutionPhase::kFailing);
        break;
      }
      e.outputs.push_back(std::move(*v));
    }
    final_phase = e.phase == ExecutionPhase::kSucceeding ? ExecutionPhase::kSucceeded
                                                         : ExecutionPhase::kFailed;
  } else {
    if (e.running_nodes > 0 || e.retrying > 0 || e.waiting > 0 || !e.ready.empty()) return;
    final_phase = e.phase == ExecutionPhase::kAborting ? ExecutionPhase::kAborted
                                                       : ExecutionPhase::kFailed;
  }
  SetExecutionPhase(e, final_phase);
  if (e.on_done) {
    auto done = std::move(e.on_done);
    e.on_done = nullptr;
    done(e);
  }
}

bool Engine::Impl::CacheEnabled(const ExecutionState& e, const NodeState& n) const {
  return cache_ != nullptr && CacheOf(n).enabled && !e.options.no_cache;
}

bool Engine::Impl::TryCache(ExecutionState& e, uint32_t idx) {
  NodeState& n = e.nodes[idx];
  if (!CacheEnabled(e, n)) {
    n.cache = CacheStatus::kDisabled;
    return false;
  }
  const CompiledTask& task = e.file->tasks[n.node->body.target];
  const spec::CacheSpec& spec = CacheOf(n);
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
  if (hit->has_value() && (*hit)->outputs.size() == task.iface.outputs.size()) {
    n.cache = CacheStatus::kHit;
    Succeed(e, n, std::move((*hit)->outputs));
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
  entry.task = e.file->tasks[n.node->body.target].name;
  entry.outputs = n.outputs;
  entry.created_at = clock_.Now();
  if (CacheOf(n).ttl_nanos) entry.expires_at = entry.created_at + *CacheOf(n).ttl_nanos;
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
  const std::string& key = self.cache_key;
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
    for (const NodeRef& r : list) {
      --r.exec->waiting;
      NodeState& n = r.exec->nodes[r.node];
      n.cache = CacheStatus::kHit;
      Succeed(*r.exec, n, self.outputs);
      Pump(*r.exec);
      MaybeFinish(*r.exec);
    }
    return;
  }
  // The call failed: the next waiter tries itself; the rest keep waiting for it.
  NodeRef next = list.front();
  --next.exec->waiting;
  inflight_[key] = next;
  if (list.size() > 1) waiters_[key].assign(list.begin() + 1, list.end());
  PushReady(*next.exec, next.node);
  Pump(*next.exec);
}

Status Engine::Impl::Abort(const ExecutionKey& key, const std::string& cause) {
  auto it = executions_.find(key.ToString());
  if (it == executions_.end()) return NotFound("no execution " + key.ToString());
  ExecutionState& e = *it->second;
  if (IsTerminal(e.phase)) {
    return FailedPrecondition("execution " + key.name + " is already " +
                              std::string(PhaseName(e.phase)));
  }
  if (e.phase == ExecutionPhase::kAborting) return Status::Ok();
  e.error = ExecError{"Aborted", cause, ErrorKind::kUser, ""};
  SetExecutionPhase(e, ExecutionPhase::kAborting);
  StopAll(e);
  MaybeFinish(e);
  return Status::Ok();
}

const ExecutionState* Engine::Impl::Find(const ExecutionKey& key) const {
  auto it = executions_.find(key.ToString());
  return it == executions_.end() ? nullptr : it->second.get();
}

size_t Engine::Impl::active() const {
  size_t n = 0;
  for (const auto& [k, e] : executions_) n += !IsTerminal(e->phase);
  return n;
}

std::vector<ExecutionKey> Engine::Impl::ActiveKeys() const {
  std::vector<ExecutionKey> out;
  for (const auto& [k, e] : executions_) {
    if (!IsTerminal(e->phase)) out.push_back(e->key);
  }
  return out;
}

Engine::Engine(Runner& runner, Clock& clock, CacheBackend* cache)
    : impl_(std::make_unique<Impl>(runner, clock, cache)) {}
Engine::~Engine() = default;
void Engine::AddObserver(EngineObserver* observer) { impl_->AddObserver(observer); }
const ExecutionState& Engine::Start(ExecutionRequest request,
                                    std::function<void(const ExecutionState&)> on_done) {
  return impl_->Start(std::move(request), std::move(on_done));
}
Status Engine::Abort(const ExecutionKey& key, const std::string& cause) {
  return impl_->Abort(key, cause);
}
const ExecutionState* Engine::Find(const ExecutionKey& key) const { return impl_->Find(key); }
size_t Engine::active() const { return impl_->active(); }
std::vector<ExecutionKey> Engine::ActiveKeys() const { return impl_->ActiveKeys(); }

}  // namespace flyte
