#include "http/describe.h"

#include <string>

#include "util/timefmt.h"

namespace flyte::http {
namespace {

using json = nlohmann::json;

std::string OperandText(const spec::Operand& o) {
  return o.ref ? o.ref->ToString() : o.literal.ToCanonicalJson();
}

std::string ConditionText(const spec::Condition& c) {
  if (c.kind == spec::Condition::Kind::kCompare) {
    return OperandText(c.lhs) + " " + spec::CompareOpText(c.op) + " " + OperandText(c.rhs);
  }
  std::string out;
  for (const spec::Condition& part : c.operands) {
    if (!out.empty()) out += c.kind == spec::Condition::Kind::kAnd ? " and " : " or ";
    out += "(" + ConditionText(part) + ")";
  }
  return out;
}

std::string TargetName(const CompiledFile& file, const CompiledBody& body) {
  if (body.target == kNoIndex) return body.signal_name;
  switch (body.kind) {
    case spec::NodeKind::kTask:
    case spec::NodeKind::kMap:
      return file.tasks[body.target].name;
    case spec::NodeKind::kWorkflow:
      return file.workflows[body.target].name;
    case spec::NodeKind::kLaunchPlan:
      return file.launch_plans[body.target].name;
    case spec::NodeKind::kBranch:
    case spec::NodeKind::kSleep:
    case spec::NodeKind::kApprove:
    case spec::NodeKind::kSignal:
      return body.signal_name;
  }
  return "";
}

json Graph(const CompiledFile& file, const CompiledWorkflow& wf, int depth);

// What a node (or a branch case) runs: kind, target, and the subworkflow's graph.
void Describe(const CompiledFile& file, const CompiledBody& body, int depth, json& out) {
  out["kind"] = spec::NodeKindName(body.kind);
  out["target"] = TargetName(file, body);
  if (body.kind == spec::NodeKind::kWorkflow && body.target != kNoIndex && depth < kMaxGraphDepth) {
    out["workflow"] = Graph(file, file.workflows[body.target], depth + 1);
  }
  if (body.kind == spec::NodeKind::kMap) {
    json mapped = json::array();
    for (uint32_t i : body.mapped_inputs) mapped.push_back(body.iface.inputs[i].name);
    out["mapped"] = mapped;
  }
}

json Graph(const CompiledFile& file, const CompiledWorkflow& wf, int depth) {
  json nodes = json::array(), edges = json::array();
  for (size_t i = 0; i < wf.nodes.size(); ++i) {
    const CompiledNode& n = wf.nodes[i];
    json node = {{"id", n.id}};
    Describe(file, n.body, depth, node);
    if (n.body.kind == spec::NodeKind::kBranch) {
      // The spec's cases, parallel to the compiled ones, hold the conditions as written.
      const spec::Node* source = nullptr;
      if (wf.spec != nullptr) {
        for (const spec::Node& s : wf.spec->nodes) source = s.id == n.id ? &s : source;
      }
      json cases = json::array();
      for (size_t c = 0; c < n.body.cases.size(); ++c) {
        const CompiledCase& cc = n.body.cases[c];
        json one;
        const spec::BranchCase* sc =
            source != nullptr && c < source->body.cases.size() ? &source->body.cases[c] : nullptr;
        one["label"] = !cc.condition                    ? std::string("else")
                       : sc != nullptr && sc->condition ? ConditionText(*sc->condition)
                                                        : "case " + std::to_string(c + 1);
        if (cc.fail_message) one["fail"] = *cc.fail_message;
        if (cc.body) Describe(file, *cc.body, depth, one);
        cases.push_back(one);
      }
      node["cases"] = cases;
    }
    nodes.push_back(node);
    for (uint32_t s = wf.succ_begin[i]; s < wf.succ_begin[i + 1]; ++s) {
      edges.push_back({n.id, wf.nodes[wf.succ[s]].id});
    }
  }
  return {{"name", wf.name}, {"nodes", nodes}, {"edges", edges}};
}

}  // namespace

json GraphJson(const CompiledFile& file, const CompiledWorkflow& workflow) {
  return Graph(file, workflow, 0);
}

json TaskGraphJson(const CompiledTask& task) {
  return {{"name", task.name},
          {"nodes", json::array({{{"id", task.name}, {"kind", "task"}, {"target", task.name}}})},
          {"edges", json::array()}};
}

json VariablesJson(const std::vector<Variable>& vars) {
  json out = json::array();
  for (const Variable& v : vars) {
    json one = {{"name", v.name}, {"type", v.type.ToString()}, {"required", v.required()}};
    if (v.default_value)
      one["default"] = json::parse(v.default_value->ToCanonicalJson(), nullptr, false);
    if (!v.description.empty()) one["description"] = v.description;
    out.push_back(one);
  }
  return out;
}

json ScheduleJson(const CompiledLaunchPlan& plan) {
  if (plan.spec == nullptr || !plan.spec->schedule) return nullptr;
  const spec::Schedule& s = *plan.spec->schedule;
  json out = {{"timezone", s.timezone}};
  if (s.cron) out["cron"] = s.cron->text;
  if (s.every_nanos) out["every"] = FormatDuration(*s.every_nanos);
  if (!s.kickoff_input.empty()) out["kickoff_input"] = s.kickoff_input;
  return out;
}

}  // namespace flyte::http
