// The node kinds other than tasks: subworkflows and dynamic fragments (child frames),
// launch plans (child executions), branches, maps and gates.
#include <algorithm>
#include <cmath>

#include "engine/engine_impl.h"
#include "engine/evaluate.h"
#include "flyte/compiler.h"
#include "types/coerce.h"
#include "util/file_kind.h"
#include "util/strings.h"
#include "util/timefmt.h"

namespace flyte {
namespace {

// As much as a workflow file may hold (spec/loader.cc).
constexpr size_t kMaxDynamicSpecBytes = 16u << 20;

// A child execution's name: the parent's, then the node, kept to Flyte's 63 characters.
std::string ChildName(const std::string& parent, const std::string& node) {
  std::string suffix;
  for (char c : node) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      suffix += c;
    else if (!suffix.empty() && suffix.back() != '-')
      suffix += '-';
  }
  while (!suffix.empty() && suffix.back() == '-') suffix.pop_back();
  std::string name = parent + "-" + suffix;
  if (name.size() > 56) name.resize(56);
  return name;
}

}  // namespace

void Engine::Impl::StartSubworkflow(ExecutionState& e, uint32_t idx) {
  SetNodePhase(e, idx, NodePhase::kRunning);
  const CompiledWorkflow& wf = e.file->workflows[e.nodes[idx].body->target];
  std::vector<Value> inputs = e.nodes[idx].inputs;
  StartFrame(e, CreateFrame(e, wf, std::move(inputs), e.nodes[idx].id + "/", idx));
}

void Engine::Impl::StartLaunchPlan(ExecutionState& e, uint32_t idx) {
  NodeState& n = e.nodes[idx];
  const CompiledLaunchPlan& lp = e.file->launch_plans[n.body->target];
  const Interface& wf_iface = e.file->workflows[lp.workflow].iface;
  // The plan's interface leaves out its fixed inputs: rebuild the workflow's inputs.
  std::vector<Value> inputs(wf_iface.inputs.size());
  for (size_t i = 0; i < lp.iface.inputs.size() && i < n.inputs.size(); ++i) {
    inputs[wf_iface.FindInput(lp.iface.inputs[i].name)] = n.inputs[i];
  }
  for (const auto& [i, v] : lp.fixed_inputs) inputs[i] = v;
  std::string name = ChildName(e.key.name, n.id);
  for (int k = 2; executions_.count(ExecutionKey{e.key.project, e.key.domain, name}.ToString());
       ++k) {
    name = ChildName(e.key.name, n.id) + "-" + std::to_string(k);
  }
  ExecutionRequest req;
  req.key = {e.key.project, e.key.domain, name};
  req.file = e.file;
  req.workflow = lp.workflow;
  req.inputs = std::move(inputs);
  req.options = e.options;
  if (lp.spec != nullptr && lp.spec->max_parallelism)
    req.options.max_parallelism = *lp.spec->max_parallelism;
  size_t slash = e.options.run_dir.rfind('/');
  req.options.run_dir =
      (slash == std::string::npos ? e.options.run_dir : e.options.run_dir.substr(0, slash)) + "/" +
      name;
  req.parent = e.key.name + "/" + n.id;
  req.launch_plan = lp.name;
  if (e.prior) {
    // Its child execution in the earlier run continues (resume) or is recovered from.
    auto p = e.prior->nodes.find(n.id);
    if (p != e.prior->nodes.end()) {
      auto child = e.prior->children.find(p->second.child_execution);
      if (child != e.prior->children.end()) {
        req.prior = child->second;
        req.signals = child->second->signals;
      }
    }
  }
  n.child_execution = name;
  SetNodePhase(e, idx, NodePhase::kRunning);
  children_[req.key.ToString()] = {&e, idx};
  ExecutionState* parent = &e;
  Start(std::move(req), [this, parent, idx](const ExecutionState& child) {
    children_.erase(child.key.ToString());
    if (child.phase == ExecutionPhase::kSucceeded) {
      Succeed(*parent, idx, child.outputs);
    } else if (child.phase == ExecutionPhase::kAborted && IsTerminal(parent->phase)) {
      // stopped along with its parent
    } else {
      ExecError err =
          child.error.value_or(ExecError{ExecErrorCode::kChildFailed, "", ErrorKind::kUser, ""});
      err.message = "child execution " + child.key.name + " " +
                    std::string(PhaseName(child.phase)) + ": " + err.message;
      err.node = "";
      Fail(*parent, idx, err,
           child.phase == ExecutionPhase::kAborted ? NodePhase::kAborted : NodePhase::kFailed);
    }
    Pump(*parent);
    MaybeFinish(*parent);
  });
}

void Engine::Impl::StartBranch(ExecutionState& e, uint32_t idx) {
  SetNodePhase(e, idx, NodePhase::kRunning);
  const CompiledBody& b = *e.nodes[idx].body;
  const Frame& f = e.frames[e.nodes[idx].frame];
  int chosen = -1;
  for (size_t c = 0; c < b.cases.size() && chosen < 0; ++c) {
    if (!b.cases[c].condition) {
      chosen = static_cast<int>(c);
      break;
    }
    Result<bool> r = EvaluateCondition(e, f, *b.cases[c].condition);
    if (!r.ok()) {
      Fail(e, idx,
           {ExecErrorCode::kConditionError,
            "case " + std::to_string(c + 1) + ": " + r.status().message(), ErrorKind::kUser, ""});
      return;
    }
    if (*r) chosen = static_cast<int>(c);
  }
  const std::string base = e.nodes[idx].id + "/";
  auto case_id = [&](size_t c) {
    return base + (b.cases[c].condition ? std::to_string(c + 1) : std::string("else"));
  };
  // Cases not taken are recorded as SKIPPED.
  std::vector<uint32_t> skipped;
  for (size_t c = 0; c < b.cases.size(); ++c) {
    if (static_cast<int>(c) == chosen || !b.cases[c].body) continue;
    skipped.push_back(AddNode(e, case_id(c), b.cases[c].body.get(), e.nodes[idx].frame, idx));
  }
  for (uint32_t s : skipped) SetNodePhase(e, s, NodePhase::kSkipped);
  if (chosen < 0) {
    Fail(e, idx,
         {ExecErrorCode::kBranchNoMatch, "no case of the branch matched", ErrorKind::kUser, ""});
    return;
  }
  const CompiledCase& taken = b.cases[static_cast<size_t>(chosen)];
  if (taken.fail_message) {
    Fail(e, idx, {ExecErrorCode::kBranchFailed, *taken.fail_message, ErrorKind::kUser, ""});
    return;
  }
  uint32_t child =
      AddNode(e, case_id(static_cast<size_t>(chosen)), taken.body.get(), e.nodes[idx].frame, idx);
  e.nodes[idx].items = {child};
  MakeReady(e, child);
}

void Engine::Impl::StartMap(ExecutionState& e, uint32_t idx) {
  SetNodePhase(e, idx, NodePhase::kRunning);
  const CompiledBody& b = *e.nodes[idx].body;
  // Every mapped input is a list; they must agree on their length.
  size_t count = 0;
  std::string first;
  for (uint32_t var : b.mapped_inputs) {
    const Value& v = e.nodes[idx].inputs[var];
    size_t len = v.kind() == Value::Kind::kList ? v.as_list().size() : 0;
    if (first.empty()) {
      count = len;
      first = b.iface.inputs[var].name;
    } else if (len != count) {
      Fail(e, idx,
           {ExecErrorCode::kMapLengthMismatch,
            "mapped inputs differ in length: " + first + " has " + std::to_string(count) +
                " items, " + b.iface.inputs[var].name + " has " + std::to_string(len),
            ErrorKind::kUser, ""});
      return;
    }
  }
  if (count == 0) {
    std::vector<Value> empty(b.iface.outputs.size(), Value::FromList({}));
    Succeed(e, idx, std::move(empty));
    return;
  }
  std::vector<uint32_t> items;
  items.reserve(count);
  const std::string& id = e.nodes[idx].id;
  for (size_t i = 0; i < count; ++i) {
    uint32_t item = AddNode(e, id + "[" + std::to_string(i) + "]", &b, e.nodes[idx].frame, idx);
    NodeState& it = e.nodes[item];
    it.inputs = e.nodes[idx].inputs;
    for (uint32_t var : b.mapped_inputs) it.inputs[var] = e.nodes[idx].inputs[var].as_list()[i];
    items.push_back(item);
  }
  e.nodes[idx].items = std::move(items);
  ReleaseMapItems(e, idx);
}

void Engine::Impl::ReleaseMapItems(ExecutionState& e, uint32_t idx) {
  const uint32_t limit = e.nodes[idx].body->concurrency;
  while (e.nodes[idx].items_released < e.nodes[idx].items.size() &&
         (limit == 0 || e.nodes[idx].items_running < limit) && AcceptsNewWork(e) &&
         !IsTerminal(e.nodes[idx].phase)) {
    uint32_t item = e.nodes[idx].items[e.nodes[idx].items_released++];
    ++e.nodes[idx].items_running;
    if (e.prior && Restore(e, item)) continue;
    SetNodePhase(e, item, NodePhase::kQueued);
    ReadyTask(e, item);
  }
}

void Engine::Impl::OnMapItemDone(ExecutionState& e, uint32_t idx, uint32_t item) {
  NodeState& m = e.nodes[idx];
  const NodePhase phase = e.nodes[item].phase;
  ++m.items_done;
  if (m.items_running > 0) --m.items_running;
  if (!Succeeded(phase)) ++m.items_failed;
  const size_t n = m.items.size();
  const CompiledBody& b = *m.body;
  size_t needed =
      b.min_successes
          ? std::min<size_t>(*b.min_successes, n)
          : static_cast<size_t>(std::ceil(b.min_success_ratio * static_cast<double>(n) - 1e-9));
  if (n - m.items_failed < needed) {
    const NodeState& bad = e.nodes[item];
    std::string why = bad.error ? bad.error->message : std::string(PhaseName(phase));
    ExecError err{bad.error ? bad.error->code : ExecErrorCode::kMapItemFailed,
                  std::to_string(m.items_failed) + " of " + std::to_string(n) +
                      " items failed and " + std::to_string(needed) + " had to succeed; " + bad.id +
                      ": " + why,
                  bad.error ? bad.error->kind : ErrorKind::kUser, ""};
    for (uint32_t other : m.items) {
      if (e.nodes[other].running_id != 0) {
        e.nodes[other].abort_requested = true;
        runner_.Abort(e.nodes[other].running_id);
      }
    }
    Fail(e, idx, err);
    return;
  }
  if (m.items_done == n) {
    std::vector<Value> outputs;
    for (size_t o = 0; o < b.iface.outputs.size(); ++o) {
      Value::List list;
      list.reserve(n);
      for (uint32_t it : m.items) {
        const NodeState& s = e.nodes[it];
        list.push_back(Succeeded(s.phase) && o < s.outputs.size() ? s.outputs[o] : Value());
      }
      outputs.push_back(Value::FromList(std::move(list)));
    }
    Succeed(e, idx, std::move(outputs));
    return;
  }
  ReleaseMapItems(e, idx);
}

void Engine::Impl::OnChildDone(ExecutionState& e, uint32_t owner, uint32_t child) {
  NodeState& o = e.nodes[owner];
  if (IsTerminal(o.phase)) return;
  const NodeState& c = e.nodes[child];
  if (o.body->kind == spec::NodeKind::kMap) {
    OnMapItemDone(e, owner, child);
    return;
  }
  if (o.body->kind != spec::NodeKind::kBranch || o.items.empty() || o.items[0] != child) return;
  if (Succeeded(c.phase)) {
    // The branch's outputs are the taken case's, by name.
    std::vector<Value> outputs;
    for (const Variable& v : o.body->iface.outputs) {
      uint32_t i = c.body->iface.FindOutput(v.name);
      outputs.push_back(i != kNoIndex && i < c.outputs.size() ? c.outputs[i] : Value());
    }
    Succeed(e, owner, std::move(outputs));
  } else if (c.phase == NodePhase::kAborted) {
    SetNodePhase(e, owner, NodePhase::kAborted);
  } else {
    Fail(e, owner,
         c.error.value_or(
             ExecError{ExecErrorCode::kCaseFailed, "the case failed", ErrorKind::kUser, c.id}));
  }
}

void Engine::Impl::StartGate(ExecutionState& e, uint32_t idx) {
  // A gate resumed after a restart has its start time from before: what it already waited
  // counts, so a sleep or a gate's timeout ends when it would have without the restart.
  const int64_t resumed_from = e.nodes[idx].started_at;
  SetNodePhase(e, idx, NodePhase::kRunning);
  NodeState& n = e.nodes[idx];
  const int64_t waited = resumed_from != 0 ? std::max<int64_t>(clock_.Now() - resumed_from, 0) : 0;
  const CompiledBody& b = *n.body;
  const Frame& f = e.frames[n.frame];
  ExecutionState* ep = &e;
  if (b.kind == spec::NodeKind::kSleep) {
    Result<Value> d = EvaluateBinding(e, f, *b.gate_value, Type::Duration());
    if (!d.ok()) {
      Fail(e, idx,
           {ExecErrorCode::kBindingError, "sleep: " + d.status().message(), ErrorKind::kUser, ""});
      return;
    }
    n.timer = clock_.After(std::max<int64_t>(d->as_int() - waited, 0), [this, ep, idx] {
      ep->nodes[idx].timer = 0;
      Succeed(*ep, idx, {});
      Pump(*ep);
      MaybeFinish(*ep);
    });
    return;
  }
  if (b.kind == spec::NodeKind::kApprove) {
    Result<Value> v = EvaluateBinding(e, f, *b.gate_value, b.iface.outputs[0].type);
    if (!v.ok()) {
      Fail(
          e, idx,
          {ExecErrorCode::kBindingError, "approve: " + v.status().message(), ErrorKind::kUser, ""});
      return;
    }
    n.inputs = {std::move(*v)};  // passed through when approved
  }
  const bool approve = b.kind == spec::NodeKind::kApprove;
  const std::string signal = approve ? n.id : b.signal_name;
  if (auto it = e.signals.find(signal); it != e.signals.end()) {
    ResolveGate(e, idx, it->second);
    return;
  }
  n.waiting_signal = true;
  const Type type = approve ? Type::Bool() : b.iface.outputs[0].type;
  for (EngineObserver* o : observers_) o->OnGateWaiting(e, n, signal, type);
  int64_t timeout = b.timeout_nanos.value_or(e.options.gate_default_timeout_nanos);
  if (timeout > 0 && !IsTerminal(n.phase)) {
    n.deadline = clock_.After(std::max<int64_t>(timeout - waited, 0), [this, ep, idx, signal,
                                                                       approve, timeout] {
      NodeState& g = ep->nodes[idx];
      g.deadline = 0;
      if (!g.waiting_signal) return;
      g.waiting_signal = false;
      std::string what = approve ? "an approval of " + Quote(signal) : "signal " + Quote(signal);
      std::string waited = timeout < 1'000'000
                               ? "no value was given for " + what
                               : "waited " + FormatDuration(timeout) + " for " + what;
      Fail(*ep, idx,
           {ExecErrorCode::kGateTimeout,
            waited + (ep->options.gate_hint.empty() ? "" : "; " + ep->options.gate_hint),
            ErrorKind::kUser, ""},
           NodePhase::kTimedOut);
      Pump(*ep);
      MaybeFinish(*ep);
    });
  }
}

void Engine::Impl::ResolveGate(ExecutionState& e, uint32_t idx, const Value& value) {
  NodeState& n = e.nodes[idx];
  n.waiting_signal = false;
  if (n.deadline != 0) clock_.Cancel(n.deadline), n.deadline = 0;
  const CompiledBody& b = *n.body;
  if (b.kind == spec::NodeKind::kApprove) {
    Coerced ok = CoerceValue(value, Type::Bool());
    if (ok.ok() && ok.value.as_bool()) {
      Succeed(e, idx, {n.inputs.empty() ? Value() : n.inputs[0]});
    } else {
      Fail(e, idx, {ExecErrorCode::kReceivedRejectSignal, "rejected", ErrorKind::kUser, ""});
    }
    return;
  }
  Coerced v = CoerceValue(value, b.iface.outputs[0].type);
  if (!v.ok()) {
    Fail(e, idx,
         {ExecErrorCode::kSignalTypeMismatch, "signal " + Quote(b.signal_name) + ": " + v.error,
          ErrorKind::kUser, ""});
    return;
  }
  Succeed(e, idx, {std::move(v.value)});
}

Status Engine::Impl::Signal(const ExecutionKey& key, const std::string& name, Value value) {
  auto it = executions_.find(key.ToString());
  if (it == executions_.end()) return NotFound("no execution " + key.ToString());
  ExecutionState& e = *it->second;
  if (IsTerminal(e.phase)) {
    return FailedPrecondition("execution " + key.name + " is already " +
                              std::string(PhaseName(e.phase)));
  }
  for (uint32_t i = 0; i < e.nodes.size(); ++i) {
    NodeState& n = e.nodes[i];
    if (!n.waiting_signal) continue;
    const bool approve = n.body->kind == spec::NodeKind::kApprove;
    if ((approve ? n.id : n.body->signal_name) != name) continue;
    Coerced c = CoerceValue(value, approve ? Type::Bool() : n.body->iface.outputs[0].type);
    if (!c.ok()) return InvalidArgument("signal " + Quote(name) + ": " + c.error);
    e.signals[name] = c.value;
    ResolveGate(e, i, c.value);
    Pump(e);
    MaybeFinish(e);
    return Status::Ok();
  }
  e.signals[name] = std::move(value);  // for a gate not reached yet
  return Status::Ok();
}

void Engine::Impl::StartDynamic(ExecutionState& e, uint32_t idx, const std::string& spec_path) {
  // The task wrote this file and may have swapped it since its runner looked: read it without
  // blocking on a pipe, and no more of it than a workflow file may hold (spec/loader.cc).
  Result<std::optional<std::string>> text = ReadRegularFile(spec_path, kMaxDynamicSpecBytes);
  if (!text.ok() || !text->has_value()) {
    Fail(e, idx,
         {text.ok() ? ExecErrorCode::kDynamicSpecNotFound : ExecErrorCode::kDynamicSpecInvalid,
          "cannot read the _workflow.yaml it wrote: " +
              (text.ok() ? spec_path + " does not exist" : text.status().message()),
          ErrorKind::kUser, ""});
    return;
  }
  const uint32_t task = e.nodes[idx].body->target;
  CompileOutput out = CompileDynamic(*e.file, task, spec_path, std::move(**text));
  if (!out.ok()) {
    Fail(e, idx,
         {ExecErrorCode::kDynamicSpecInvalid,
          "the _workflow.yaml it wrote does not compile:\n" + out.diagnostics.FormatAll(),
          ErrorKind::kUser, ""});
    return;
  }
  e.keepalive.push_back(out.file);
  SetNodePhase(e, idx, NodePhase::kDynamicRunning);
  std::vector<Value> inputs = e.nodes[idx].inputs;
  StartFrame(
      e, CreateFrame(e, out.file->workflows.back(), std::move(inputs), e.nodes[idx].id + "/", idx));
}

}  // namespace flyte
