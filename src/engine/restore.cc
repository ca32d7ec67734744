// Resuming an execution after a restart and recovering one: nodes are matched by id with
// what the earlier run left (PriorRun) as the engine reaches them, so the graph is rebuilt by
// the same code that built it the first time, dynamic fragments and map items included.
#include "engine/engine_impl.h"
#include "types/literal.h"
#include "util/yaml.h"

namespace flyte {
namespace {

// The stored outputs of a node ({"name": value}) as values of `types`; nullopt when they
// cannot be read back (the node then runs again).
std::optional<std::vector<Value>> ReadOutputs(const std::string& json,
                                              const std::vector<Variable>& vars) {
  yaml::ParseResult parsed = yaml::ParseText(json.empty() ? "{}" : json, "stored outputs");
  if (!parsed.doc || parsed.doc->root() == nullptr || !parsed.doc->root()->is_map())
    return std::nullopt;
  const yaml::Node& root = *parsed.doc->root();
  std::vector<Value> out;
  for (const Variable& v : vars) {
    const yaml::Node* node = root.Get(v.name);
    if (node == nullptr) return std::nullopt;
    LiteralResult lit = ValueFromNode(*node, v.type);
    if (!lit.ok()) return std::nullopt;
    out.push_back(std::move(lit.value));
  }
  return out;
}

}  // namespace

bool Engine::Impl::Restore(ExecutionState& e, uint32_t idx) {
  if (!e.prior) return false;
  NodeState& n = e.nodes[idx];
  const bool resume = e.prior->mode == PriorRun::Mode::kResume;
  const bool map_item = n.owner != kNoIndex && e.nodes[n.owner].body == n.body;
  const bool is_task = n.body->kind == spec::NodeKind::kTask || map_item;
  auto it = e.prior->nodes.find(n.id);
  if (it == e.prior->nodes.end()) {
    // Never recorded, but it may have been started in the moment before a crash.
    n.adopt = resume && is_task;
    return false;
  }
  const PriorNode& p = it->second;
  if (Succeeded(p.phase)) {
    // A map node's interface has lists of its task's outputs; an item has the task's own.
    const std::vector<Variable>& vars =
        map_item ? e.file->tasks[n.body->target].iface.outputs : n.body->iface.outputs;
    std::optional<std::vector<Value>> outputs = ReadOutputs(p.outputs_json, vars);
    if (outputs) {
      if (!map_item && !EvaluateInputs(e, idx)) return true;
      n.outputs = std::move(*outputs);
      n.child_execution = p.child_execution;
      if (resume) {
        n.cache = p.cache;
        n.attempts = p.attempts;
        n.queued_at = p.queued_at;
        n.started_at = p.started_at;
        n.ended_at = p.ended_at;
      }
      SetNodePhase(e, idx, resume ? p.phase : NodePhase::kRecovered);
      return true;
    }
  }
  if (!resume) return false;
  if ((p.phase == NodePhase::kFailed || p.phase == NodePhase::kTimedOut) && p.error) {
    // A failure the execution was already handling (its on_failure handler, or a policy that
    // lets other nodes finish) stays one.
    n.attempts = p.attempts;
    n.queued_at = p.queued_at;
    n.started_at = p.started_at;
    n.ended_at = p.ended_at;
    if (!map_item) EvaluateInputs(e, idx);
    Fail(e, idx, *p.error, p.phase);
    return true;
  }
  n.queued_at = p.queued_at;
  n.started_at = p.started_at;
  if (is_task) {
    n.attempts = p.attempts;
    for (const AttemptState& a : n.attempts) {
      if (a.phase == TaskPhase::kRetryableFailed || a.phase == TaskPhase::kFailed)
        ++n.user_failures;
    }
    n.adopt = true;
  }
  return false;
}

}  // namespace flyte
