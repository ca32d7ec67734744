#include <string_view>
#include <unordered_set>

#include "spec/keys.h"
#include "spec/load.h"
#include "spec/template.h"
#include "util/strings.h"

namespace flyte::spec {
namespace {

std::vector<OutputDecl> LoadOutputs(Reader& r, const yaml::Node& map, const std::string& where) {
  std::vector<OutputDecl> outs;
  if (!r.ExpectMap(map, "outputs of " + where)) return outs;
  r.CheckIds(map, "output");
  for (const auto& [key, value] : map.entries) {
    OutputDecl o;
    o.name = key->text;
    o.loc = r.Loc(*key);
    std::string what = "output " + Quote(o.name) + " of " + where;
    if (!IsIdentifier(o.name)) {
      r.Error(ErrorCode::kInvalidValue, *key, what + ": names match [A-Za-z_][A-Za-z0-9_]*");
    }
    const yaml::Node* bound = value;
    if (value->is_map()) {
      r.CheckKeys(*value, keys::kWorkflowOutput, "in " + what);
      bound = value->Get("value");
      if (const yaml::Node* t = value->Get("type")) o.type = r.TypeOf(*t, what);
      if (const yaml::Node* d = value->Get("description"))
        o.description = r.Text(*d, "description").value_or("");
      if (bound == nullptr) {
        r.Error(ErrorCode::kValueRequired, *key,
                what + " needs a value, e.g. \"{{ NODE.OUTPUT }}\"");
        continue;
      }
    }
    o.value = ParseBinding(r, *bound);
    outs.push_back(std::move(o));
  }
  return outs;
}

std::optional<FailureHandler> LoadOnFailure(Reader& r, const yaml::Node& n,
                                            const std::string& where) {
  std::string what = "on_failure of " + where;
  if (!n.is_map()) {
    r.Error(ErrorCode::kWrongShape, n,
            "expected {task: NAME} or {workflow: NAME} for " + what + ", got " + n.Describe());
    return std::nullopt;
  }
  r.CheckKeys(n, keys::kOnFailure, "in " + what);
  FailureHandler h;
  h.loc = r.Loc(n);
  const yaml::Node* task = n.Get("task");
  const yaml::Node* wf = n.Get("workflow");
  if ((task == nullptr) == (wf == nullptr)) {
    r.Error(ErrorCode::kValueRequired, n, what + " needs exactly one of task or workflow");
    return std::nullopt;
  }
  const yaml::Node* target = task != nullptr ? task : wf;
  h.kind = task != nullptr ? NodeKind::kTask : NodeKind::kWorkflow;
  std::optional<std::string> name = r.Text(*target, "on_failure target");
  if (!name) return std::nullopt;
  h.target = *name;
  h.target_loc = r.Loc(*target);
  if (const yaml::Node* i = n.Get("inputs")) h.inputs = LoadInputBindings(r, *i, what);
  return h;
}

}  // namespace

Workflow LoadWorkflow(Reader& r, const yaml::Node& name, const yaml::Node& body) {
  Workflow w;
  w.name = name.text;
  w.loc = r.Loc(name);
  w.nodes_loc = w.loc;
  std::string where = "workflow " + Quote(w.name);
  if (!IsEntityName(w.name)) {
    r.Error(ErrorCode::kInvalidValue, name,
            "workflow name " + Quote(w.name) + " must match [A-Za-z_][A-Za-z0-9_.-]*");
  }
  if (!r.ExpectMap(body, where)) return w;
  r.CheckKeys(body, keys::kWorkflow, "in " + where);
  if (const yaml::Node* n = body.Get("description"))
    w.description = r.Text(*n, "description").value_or("");
  if (const yaml::Node* n = body.Get("inputs")) w.inputs = LoadVars(r, *n, true, where);
  if (const yaml::Node* n = body.Get("outputs")) w.outputs = LoadOutputs(r, *n, where);
  const yaml::Node* nodes = body.Get("nodes");
  if (nodes == nullptr || nodes->is_null() || (nodes->is_map() && nodes->entries.empty())) {
    r.Error(ErrorCode::kNoNodesFound, nodes != nullptr ? *nodes : name, where + " has no nodes");
  } else if (r.ExpectMap(*nodes, "nodes of " + where)) {
    w.nodes_loc = r.Loc(*nodes);
    r.CheckIds(*nodes, "node");
    std::unordered_set<std::string_view> seen;  // repeats are reported by CheckIds
    for (const auto& [k, v] : nodes->entries) {
      if (seen.insert(k->text).second) w.nodes.push_back(LoadNode(r, *k, *v));
    }
  }
  if (const yaml::Node* n = body.Get("failure_policy")) {
    if (auto c = r.Choice(*n, "failure_policy",
                          {"fail_immediately", "fail_after_executable_nodes_complete"})) {
      w.failure_policy = *c == "fail_immediately"
                             ? FailurePolicy::kFailImmediately
                             : FailurePolicy::kFailAfterExecutableNodesComplete;
    }
  }
  if (const yaml::Node* n = body.Get("on_failure")) w.on_failure = LoadOnFailure(r, *n, where);
  if (const yaml::Node* n = body.Get("max_parallelism")) {
    if (auto v = r.Int(*n, "max_parallelism", 0, 1'000'000))
      w.max_parallelism = static_cast<uint32_t>(*v);
  }
  return w;
}

}  // namespace flyte::spec
