// The life cycle of executions: frames, the one node transition function, failure
// propagation and completion.
#include <algorithm>
#include <filesystem>

#include "engine/engine_impl.h"
#include "engine/evaluate.h"
#include "types/coerce.h"
#include "util/strings.h"

namespace flyte {

bool AcceptsNewWork(const ExecutionState& e) {
  if (e.phase == ExecutionPhase::kRunning) return true;
  if (e.phase != ExecutionPhase::kFailing) return false;
  // While the on_failure handler runs, everything else has stopped: its work may proceed.
  return e.failure_node != kNoIndex ||
         e.wf().failure_policy == spec::FailurePolicy::kFailAfterExecutableNodesComplete;
}

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
  runner_.SetProgress([this](uint64_t id, const AttemptProgress& p) { OnAttemptProgress(id, p); });
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
  e.parent = std::move(req.parent);
  e.launch_plan = std::move(req.launch_plan);
  e.prior = std::move(req.prior);
  for (auto& [name, value] : req.signals) e.signals[name] = std::move(value);
  const bool resume = e.prior && e.prior->mode == PriorRun::Mode::kResume;
  e.created_at = resume ? e.prior->created_at : clock_.Now();
  e.on_done = std::move(on_done);
  std::error_code ec;
  e.file_dir = std::filesystem::absolute(e.file->spec->source->path(), ec).parent_path().string();
  executions_[e.key.ToString()] = std::move(owned);
  // The workflow's own cap applies when the caller set none (a launch plan's or --max-parallelism
  // wins).
  if (e.options.max_parallelism == 0 && e.wf().max_parallelism)
    e.options.max_parallelism = *e.wf().max_parallelism;

  // Created QUEUED: observers learn of it (a resumed one exists already).
  if (!resume) {
    for (EngineObserver* o : observers_) o->OnExecution(e);
  }
  e.started_at = resume && e.prior->started_at != 0 ? e.prior->started_at : clock_.Now();
  SetExecutionPhase(e, ExecutionPhase::kRunning);
  StartFrame(e, CreateFrame(e, e.wf(), e.inputs, "", kNoIndex));
  Pump(e);
  MaybeFinish(e);
  return e;
}

uint32_t Engine::Impl::AddNode(ExecutionState& e, std::string id, const CompiledBody* body,
                               uint32_t frame, uint32_t owner) {
  NodeState& n = e.nodes.emplace_back();
  n.seq = static_cast<uint32_t>(e.nodes.size() - 1);
  n.id = std::move(id);
  n.body = body;
  n.frame = frame;
  n.owner = owner;
  if (owner != kNoIndex) {
    n.parent = e.nodes[owner].id;
  } else if (e.frames[frame].owner != kNoIndex) {
    n.parent = e.nodes[e.frames[frame].owner].id;
  }
  return static_cast<uint32_t>(e.nodes.size() - 1);
}

uint32_t Engine::Impl::CreateFrame(ExecutionState& e, const CompiledWorkflow& wf,
                                   std::vector<Value> inputs, const std::string& prefix,
                                   uint32_t owner) {
  const uint32_t fi = static_cast<uint32_t>(e.frames.size());
  Frame& f = e.frames.emplace_back();
  f.wf = &wf;
  f.inputs = std::move(inputs);
  f.remaining = static_cast<uint32_t>(wf.nodes.size());
  f.owner = owner;
  f.prefix = prefix;
  f.nodes.reserve(wf.nodes.size());
  for (uint32_t i = 0; i < wf.nodes.size(); ++i) {
    uint32_t idx = AddNode(e, prefix + wf.nodes[i].id, &wf.nodes[i].body, fi, kNoIndex);
    NodeState& n = e.nodes[idx];
    n.index = i;
    n.pending = wf.pred_begin[i + 1] - wf.pred_begin[i];
    e.frames[fi].nodes.push_back(idx);
  }
  if (owner != kNoIndex) e.nodes[owner].child_frame = fi;
  return fi;
}

void Engine::Impl::StartFrame(ExecutionState& e, uint32_t fi) {
  if (e.frames[fi].remaining == 0) {
    OnFrameDone(e, fi);
    return;
  }
  std::vector<uint32_t> roots;
  for (uint32_t idx : e.frames[fi].nodes) {
    if (e.nodes[idx].pending == 0) roots.push_back(idx);
  }
  for (uint32_t idx : roots) {
    if (!e.nodes[idx].started && AcceptsNewWork(e)) MakeReady(e, idx);
  }
}

bool Engine::Impl::SetNodePhase(ExecutionState& e, uint32_t idx, NodePhase to) {
  NodeState& n = e.nodes[idx];
  if (n.started ? !CanTransition(n.phase, to) : !CanEnter(to)) return false;
  if (!n.started) {
    n.started = true;
    ++e.active;
  }
  n.phase = to;
  int64_t now = clock_.Now();
  if (to == NodePhase::kQueued && n.queued_at == 0) n.queued_at = now;
  if ((to == NodePhase::kRunning || to == NodePhase::kDynamicRunning) && n.started_at == 0) {
    n.started_at = now;
  }
  if (IsTerminal(to)) {
    if (n.ended_at == 0) n.ended_at = now;  // restored nodes keep theirs
    if (n.started_at == 0 && to != NodePhase::kSkipped)
      n.started_at = n.queued_at ? n.queued_at : now;
    if (n.timer != 0) clock_.Cancel(n.timer), n.timer = 0;
    if (n.deadline != 0) clock_.Cancel(n.deadline), n.deadline = 0;
    --e.active;
  }
  for (EngineObserver* o : observers_) o->OnNode(e, n);
  if (IsTerminal(to)) AfterTerminal(e, idx);
  return true;
}

bool Engine::Impl::SetExecutionPhase(ExecutionState& e, ExecutionPhase to) {
  if (!CanTransition(e.phase, to)) return false;
  e.phase = to;
  if (IsTerminal(to)) e.ended_at = clock_.Now();
  for (EngineObserver* o : observers_) o->OnExecution(e);
  return true;
}

bool Engine::Impl::SetAttemptPhase(ExecutionState& e, NodeState& n, TaskPhase to,
                                   std::optional<std::string> reason, const std::string& where) {
  AttemptState& a = n.attempts.back();
  const bool moves = a.phase != to;
  if (moves && !CanTransition(a.phase, to)) return false;
  const bool news =
      moves || (reason && *reason != a.reason) || (!where.empty() && where != a.where);
  if (!news) return true;
  a.phase = to;
  if (reason) a.reason = std::move(*reason);
  if (!where.empty()) a.where = where;
  NotifyAttempt(e, n);
  return true;
}

AttemptState Engine::Impl::EnterAttempt(NodeState& n, bool here, bool adopt, int64_t* ran) {
  const TaskPhase last = n.attempts.empty() ? TaskPhase::kFailed : n.attempts.back().phase;
  AttemptState a;
  if (adopt && (!IsTerminal(last) || last == TaskPhase::kSucceeded)) {
    a = std::move(n.attempts.back());
    n.attempts.pop_back();
    if (last == TaskPhase::kSucceeded) {
      a.phase = TaskPhase::kRunning;
      a.ended_at = 0;
    } else {
      if (here) a.phase = TaskPhase::kRunning;
      if (a.started_at != 0) *ran = std::max<int64_t>(clock_.Now() - a.started_at, 0);
    }
    return a;
  }
  a.index = static_cast<uint32_t>(n.attempts.size());
  a.phase = here ? TaskPhase::kRunning : TaskPhase::kQueued;
  a.started_at = clock_.Now();
  return a;
}

void Engine::Impl::NotifyAttempt(ExecutionState& e, NodeState& n) {
  for (EngineObserver* o : observers_) o->OnAttempt(e, n, n.attempts.back());
}

void Engine::Impl::AfterTerminal(ExecutionState& e, uint32_t idx) {
  NodeState& n = e.nodes[idx];
  const NodePhase phase = n.phase;
  const bool ok = phase == NodePhase::kSucceeded || phase == NodePhase::kSkipped ||
                  phase == NodePhase::kRecovered;
  const bool failed = phase == NodePhase::kFailed || phase == NodePhase::kTimedOut;
  if (n.index != kNoIndex) {
    const uint32_t fi = n.frame;
    --e.frames[fi].remaining;
    const CompiledWorkflow& wf = *e.frames[fi].wf;
    if (ok) {
      for (uint32_t s = wf.succ_begin[n.index]; s < wf.succ_begin[n.index + 1]; ++s) {
        uint32_t next = e.frames[fi].nodes[wf.succ[s]];
        if (--e.nodes[next].pending == 0 && AcceptsNewWork(e)) MakeReady(e, next);
      }
      if (e.frames[fi].remaining == 0 && !e.frames[fi].failed) OnFrameDone(e, fi);
    } else if (failed && !e.frames[fi].failed) {
      Frame& f = e.frames[fi];
      if (f.owner != kNoIndex) {
        f.failed = true;
        Fail(e, f.owner, *n.error);  // the error keeps the inner node's id
      } else {
        FailExecution(e, *n.error);
      }
    }
  } else if (failed && idx != e.failure_node && n.owner == kNoIndex) {
    FailExecution(e, *n.error);
  }
  if (n.owner != kNoIndex) OnChildDone(e, n.owner, idx);
}

void Engine::Impl::OnFrameDone(ExecutionState& e, uint32_t fi) {
  Frame& f = e.frames[fi];
  if (f.owner == kNoIndex) return;  // the execution's own frame: MaybeFinish
  const CompiledWorkflow& wf = *f.wf;
  std::vector<Value> outputs;
  for (size_t i = 0; i < wf.outputs.size(); ++i) {
    Result<Value> v = EvaluateBinding(e, f, wf.outputs[i], wf.iface.outputs[i].type);
    if (!v.ok()) {
      Fail(e, f.owner,
           {ExecErrorCode::kOutputError,
            "output " + Quote(wf.iface.outputs[i].name) + ": " + v.status().message(),
            ErrorKind::kUser, ""});
      return;
    }
    outputs.push_back(std::move(*v));
  }
  Succeed(e, f.owner, std::move(outputs));
}

void Engine::Impl::MakeReady(ExecutionState& e, uint32_t idx) {
  if (e.prior && Restore(e, idx)) return;
  SetNodePhase(e, idx, NodePhase::kQueued);
  if (!EvaluateInputs(e, idx)) return;
  switch (e.nodes[idx].body->kind) {
    case spec::NodeKind::kTask:
      ReadyTask(e, idx);
      return;
    case spec::NodeKind::kWorkflow:
      StartSubworkflow(e, idx);
      return;
    case spec::NodeKind::kLaunchPlan:
      StartLaunchPlan(e, idx);
      return;
    case spec::NodeKind::kMap:
      StartMap(e, idx);
      return;
    case spec::NodeKind::kBranch:
      StartBranch(e, idx);
      return;
    case spec::NodeKind::kSleep:
    case spec::NodeKind::kApprove:
    case spec::NodeKind::kSignal:
      StartGate(e, idx);
      return;
  }
}

bool Engine::Impl::EvaluateInputs(ExecutionState& e, uint32_t idx) {
  NodeState& n = e.nodes[idx];
  const CompiledBody& b = *n.body;
  const Frame& f = e.frames[n.frame];
  std::optional<Value> error_text;
  if (idx == e.failure_node && e.error) error_text = Value::Str(e.error->message);
  n.inputs.assign(b.iface.inputs.size(), Value());
  std::vector<bool> bound(b.iface.inputs.size(), false);
  for (const BoundInput& in : b.inputs) {
    const Variable& var = b.iface.inputs[in.var];
    // Map inputs that are mapped over arrive as lists.
    bool mapped =
        std::find(b.mapped_inputs.begin(), b.mapped_inputs.end(), in.var) != b.mapped_inputs.end();
    Type type = b.kind == spec::NodeKind::kMap && mapped ? Type::List(var.type) : var.type;
    Result<Value> v = EvaluateBinding(e, f, in.value, type, error_text ? &*error_text : nullptr);
    if (!v.ok()) {
      Fail(e, idx,
           {ExecErrorCode::kBindingError, "input " + Quote(var.name) + ": " + v.status().message(),
            ErrorKind::kUser, n.id});
      return false;
    }
    n.inputs[in.var] = std::move(*v);
    bound[in.var] = true;
  }
  for (size_t i = 0; i < bound.size(); ++i) {
    if (!bound[i] && b.iface.inputs[i].default_value)
      n.inputs[i] = *b.iface.inputs[i].default_value;
  }
  return true;
}

void Engine::Impl::Succeed(ExecutionState& e, uint32_t idx, std::vector<Value> outputs) {
  NodeState& n = e.nodes[idx];
  if (n.started && IsTerminal(n.phase)) return;
  n.outputs = std::move(outputs);
  if (!n.cache_key.empty() && n.cache != CacheStatus::kHit) PutCache(e, n);
  const bool owns_key = !n.cache_key.empty() && n.cache != CacheStatus::kHit;
  SetNodePhase(e, idx, NodePhase::kSucceeded);
  if (owns_key) ReleaseWaiters(e.nodes[idx], true);
}

void Engine::Impl::Fail(ExecutionState& e, uint32_t idx, ExecError error, NodePhase phase) {
  NodeState& n = e.nodes[idx];
  if (n.started && IsTerminal(n.phase)) return;
  if (error.node.empty()) error.node = n.id;
  n.error = error;
  ReleaseWaiters(n, false);
  SetNodePhase(e, idx, phase);
}

void Engine::Impl::FailExecution(ExecutionState& e, const ExecError& error) {
  if (e.phase == ExecutionPhase::kRunning) {
    e.error = error;
    SetExecutionPhase(e, ExecutionPhase::kFailing);
    if (e.wf().failure_policy == spec::FailurePolicy::kFailImmediately) StopAll(e);
  } else if (e.phase == ExecutionPhase::kFailing && e.failure_node == kNoIndex) {
    e.error = error;  // the policy that lets nodes finish reports the last failure, as Flyte
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
  e.ready.clear();
  e.ready_elsewhere.clear();
  e.retrying = 0;
  for (auto& [key, list] : waiters_) {
    std::erase_if(list, [&](const NodeRef& r) { return r.exec == &e; });
  }
  e.waiting = 0;
  std::vector<std::string> children;
  for (uint32_t i = 0; i < e.nodes.size(); ++i) {
    NodeState& n = e.nodes[i];
    if (!n.started || IsTerminal(n.phase) || n.running_id != 0) continue;
    if (!n.child_execution.empty()) children.push_back(n.child_execution);
    if (!n.error)
      n.error = ExecError{ExecErrorCode::kAborted, e.error ? e.error->message : "aborted",
                          ErrorKind::kUser, n.id};
    SetNodePhase(e, i, NodePhase::kAborted);
  }
  for (const std::string& child : children) {
    (void)Abort({e.key.project, e.key.domain, child},
                "its parent execution " + e.key.name + " stopped");
  }
}

void Engine::Impl::MaybeFinish(ExecutionState& e) {
  if (IsTerminal(e.phase)) return;
  if (e.phase == ExecutionPhase::kRunning) {
    if (e.frames[0].remaining > 0) return;
    SetExecutionPhase(e, ExecutionPhase::kSucceeding);
    const CompiledWorkflow& wf = e.wf();
    e.outputs.clear();
    for (size_t i = 0; i < wf.outputs.size(); ++i) {
      Result<Value> v = EvaluateBinding(e, e.frames[0], wf.outputs[i], wf.iface.outputs[i].type);
      if (!v.ok()) {
        e.error =
            ExecError{ExecErrorCode::kOutputError,
                      "output " + Quote(wf.iface.outputs[i].name) + ": " + v.status().message(),
                      ErrorKind::kUser, ""};
        e.outputs.clear();
        SetExecutionPhase(e, ExecutionPhase::kFailing);
        break;
      }
      e.outputs.push_back(std::move(*v));
    }
    if (e.phase == ExecutionPhase::kSucceeding) {
      Finish(e, ExecutionPhase::kSucceeded);
      return;
    }
  }
  if (e.active > 0) return;
  if (e.phase == ExecutionPhase::kFailing && e.failure_node == kNoIndex && !e.single_task &&
      e.wf().on_failure) {
    StartFailureHandler(e);
    if (e.active > 0 || IsTerminal(e.phase)) return;
  }
  if (e.phase == ExecutionPhase::kFailing && e.failure_node != kNoIndex) {
    const NodeState& h = e.nodes[e.failure_node];
    if (h.error && !Succeeded(h.phase)) {
      // As in Flyte, a failing handler's error masks the original one.
      ExecError masked = *h.error;
      masked.message = "on_failure handler failed: " + masked.message +
                       " (the workflow had failed: " + (e.error ? e.error->message : "") + ")";
      e.error = masked;
    }
  }
  Finish(e,
         e.phase == ExecutionPhase::kAborting ? ExecutionPhase::kAborted : ExecutionPhase::kFailed);
}

void Engine::Impl::StartFailureHandler(ExecutionState& e) {
  uint32_t idx = AddNode(e, "on_failure", &*e.wf().on_failure, 0, kNoIndex);
  e.failure_node = idx;
  MakeReady(e, idx);
  Pump(e);
}

void Engine::Impl::Finish(ExecutionState& e, ExecutionPhase phase) {
  if (IsTerminal(e.phase)) return;
  SetExecutionPhase(e, phase);
  if (e.on_done) {
    auto done = std::move(e.on_done);
    e.on_done = nullptr;
    done(e);
  }
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
  e.error = ExecError{ExecErrorCode::kAborted, cause, ErrorKind::kUser, ""};
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

bool Engine::Impl::Releasable(const ExecutionState& e) const {
  if (!IsTerminal(e.phase) || e.running_nodes != 0) return false;
  for (const NodeState& n : e.nodes) {
    if (n.running_id != 0 || n.timer != 0 || n.deadline != 0) return false;
    if (!n.child_execution.empty()) {
      const ExecutionState* child = Find({e.key.project, e.key.domain, n.child_execution});
      if (child != nullptr && !IsTerminal(child->phase)) return false;
    }
  }
  return true;
}

size_t Engine::Impl::ReleaseFinished() {
  std::vector<std::string> done;
  for (const auto& [k, e] : executions_) {
    if (Releasable(*e)) done.push_back(k);
  }
  for (const std::string& k : done) executions_.erase(k);
  return done.size();
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
Status Engine::Signal(const ExecutionKey& key, const std::string& name, Value value) {
  return impl_->Signal(key, name, std::move(value));
}
const ExecutionState* Engine::Find(const ExecutionKey& key) const { return impl_->Find(key); }
size_t Engine::active() const { return impl_->active(); }
std::vector<ExecutionKey> Engine::ActiveKeys() const { return impl_->ActiveKeys(); }
size_t Engine::ReleaseFinished() { return impl_->ReleaseFinished(); }

}  // namespace flyte
