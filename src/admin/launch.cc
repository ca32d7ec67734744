#include "admin/launch.h"

#include <algorithm>

#include "admin/stored_request.h"
#include "types/literal.h"
#include "util/strings.h"
#include "util/yaml.h"

namespace flyte {
namespace {

std::string DescribeInputs(const std::vector<Variable>& vars) {
  std::vector<std::string> parts;
  for (const Variable& v : vars) {
    std::string p = v.name + " (" + v.type.ToString();
    if (v.default_value) p += ", default " + v.default_value->ToText();
    parts.push_back(p + ")");
  }
  return parts.empty() ? "none" : Join(parts, ", ");
}

// The gates of a workflow, by signal name, with the type of value they take; nested
// subworkflows and branch cases included (node ids carry their parents' prefixes).
void CollectGates(const CompiledFile& file, const CompiledBody& b, const std::string& id,
                  std::map<std::string, Type>& out, int depth) {
  if (depth > 16) return;
  switch (b.kind) {
    case spec::NodeKind::kApprove:
      out.emplace(id, Type::Bool());
      break;
    case spec::NodeKind::kSignal:
      out.emplace(b.signal_name, b.iface.outputs[0].type);
      break;
    case spec::NodeKind::kWorkflow:
      if (b.target != kNoIndex) {
        for (const CompiledNode& n : file.workflows[b.target].nodes) {
          CollectGates(file, n.body, id + "/" + n.id, out, depth + 1);
        }
      }
      break;
    case spec::NodeKind::kBranch:
      for (size_t c = 0; c < b.cases.size(); ++c) {
        if (b.cases[c].body) {
          CollectGates(file, *b.cases[c].body,
                       id + "/" + (b.cases[c].condition ? std::to_string(c + 1) : "else"), out,
                       depth + 1);
        }
      }
      break;
    default:
      break;
  }
}

// Every task node a workflow can run, through subworkflows, branches and launch plans (whose
// child executions run on the same runners); dynamic fragments are known only when they run.
void CollectTaskBodies(const CompiledFile& file, const CompiledBody& b,
                       std::vector<const CompiledBody*>& out, int depth) {
  if (depth > 16) return;
  auto workflow = [&](uint32_t w) {
    if (w == kNoIndex) return;
    for (const CompiledNode& n : file.workflows[w].nodes)
      CollectTaskBodies(file, n.body, out, depth + 1);
  };
  switch (b.kind) {
    case spec::NodeKind::kTask:
    case spec::NodeKind::kMap:
      out.push_back(&b);
      break;
    case spec::NodeKind::kWorkflow:
      workflow(b.target);
      break;
    case spec::NodeKind::kLaunchPlan:
      if (b.target != kNoIndex) workflow(file.launch_plans[b.target].workflow);
      break;
    case spec::NodeKind::kBranch:
      for (const CompiledCase& c : b.cases) {
        if (c.body) CollectTaskBodies(file, *c.body, out, depth + 1);
      }
      break;
    default:
      break;
  }
}

}  // namespace

bool IsExecutionName(std::string_view s) {
  if (s.empty() || s.size() > 63 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

std::map<std::string, Type> GatesOf(const CompiledFile& file, const CompiledWorkflow& workflow) {
  std::map<std::string, Type> gates;
  for (const CompiledNode& n : workflow.nodes) CollectGates(file, n.body, n.id, gates, 0);
  return gates;
}

ExecutionOptions DefaultOptions(const CompiledFile& file, uint32_t workflow,
                                const CompiledLaunchPlan* lp,
                                std::optional<uint32_t> max_parallelism, const LaunchContext& ctx) {
  // The request, else the launch plan, else the workflow, else the context's default.
  ExecutionOptions o;
  if (max_parallelism) {
    o.max_parallelism = *max_parallelism;
  } else if (lp != nullptr && lp->spec != nullptr && lp->spec->max_parallelism) {
    o.max_parallelism = *lp->spec->max_parallelism;
  } else if (workflow != kNoIndex && file.workflows[workflow].max_parallelism) {
    o.max_parallelism = *file.workflows[workflow].max_parallelism;
  } else {
    o.max_parallelism = std::max(1u, ctx.default_parallelism);
  }
  o.abort_grace_nanos = ctx.abort_grace_nanos;
  return o;
}

Result<PlannedLaunch> PlanLaunch(const CreateExecutionRequest& req, const ExecutionKey& key,
                                 const LaunchContext& ctx) {
  if (!IsExecutionName(key.name)) {
    return InvalidArgument("execution name " + Quote(key.name) +
                           " must match [a-z][a-z0-9-]* and be at most 63 characters");
  }
  // The same rules as a workflow file's, so that every label can be filtered on and put on a
  // Pod, and every variable reaches the task.
  for (const auto& [k, v] : req.labels) {
    if (!IsLabelKey(k)) {
      return InvalidArgument(
          "label key " + Quote(k) +
          " is not a valid Kubernetes label name (1 to 63 of [A-Za-z0-9-_.], starting and ending "
          "with a letter or digit, optionally after a DNS prefix and /)");
    }
    if (!IsLabelValue(v)) {
      return InvalidArgument(
          "label value " + Quote(v) + " of " + Quote(k) +
          " must be at most 63 characters of [A-Za-z0-9-_.], starting and ending with a letter "
          "or digit");
    }
  }
  for (const auto& [k, v] : req.env) {
    if (!IsEnvName(k))
      return InvalidArgument("environment variable name " + Quote(k) +
                             " must match [A-Za-z_][A-Za-z0-9_]*");
  }
  const std::shared_ptr<const CompiledFile>& file = ctx.file;
  PlannedLaunch out;
  ExecutionRequest& er = out.request;
  er.key = key;
  er.file = file;
  const Interface* iface = nullptr;
  const CompiledLaunchPlan* lp = nullptr;
  std::string target_name = req.target;
  std::string what;
  auto pick_workflow = [&](uint32_t idx) {
    er.workflow = idx;
    iface = &file->workflows[idx].iface;
    target_name = file->workflows[idx].name;
    what = "workflow " + Quote(target_name);
  };
  if (req.target.empty()) {
    if (file->workflows.size() != 1) {
      std::vector<std::string> names;
      for (const CompiledWorkflow& w : file->workflows) names.push_back(w.name);
      for (const CompiledTask& t : file->tasks) names.push_back(t.name);
      return InvalidArgument("the file defines " + std::to_string(file->workflows.size()) +
                             " workflows; name the workflow or task to run: " + Join(names, ", "));
    }
    pick_workflow(0);
  } else {
    uint32_t w = req.target_kind == TargetKind::kAuto || req.target_kind == TargetKind::kWorkflow
                     ? file->FindWorkflow(req.target)
                     : kNoIndex;
    uint32_t t = req.target_kind == TargetKind::kAuto || req.target_kind == TargetKind::kTask
                     ? file->FindTask(req.target)
                     : kNoIndex;
    uint32_t l = req.target_kind == TargetKind::kAuto || req.target_kind == TargetKind::kLaunchPlan
                     ? file->FindLaunchPlan(req.target)
                     : kNoIndex;
    if (w != kNoIndex) {
      pick_workflow(w);
    } else if (t != kNoIndex) {
      er.single_task = SingleTaskWorkflow(*file, t);
      iface = &file->tasks[t].iface;
      what = "task " + Quote(req.target);
    } else if (l != kNoIndex) {
      lp = &file->launch_plans[l];
      pick_workflow(lp->workflow);
      iface = &lp->iface;
      what = "launch plan " + Quote(req.target);
    } else {
      // Only names of the kind asked for: a task named like the workflow asked for is not it.
      const TargetKind k = req.target_kind;
      std::vector<std::string> names;
      if (k == TargetKind::kAuto || k == TargetKind::kWorkflow) {
        for (const CompiledWorkflow& wf : file->workflows) names.push_back(wf.name);
      }
      if (k == TargetKind::kAuto || k == TargetKind::kTask) {
        for (const CompiledTask& tk : file->tasks) names.push_back(tk.name);
      }
      if (k == TargetKind::kLaunchPlan) {
        for (const CompiledLaunchPlan& p : file->launch_plans) names.push_back(p.name);
      }
      const char* noun = k == TargetKind::kWorkflow     ? "workflow"
                         : k == TargetKind::kTask       ? "task"
                         : k == TargetKind::kLaunchPlan ? "launch plan"
                                                        : "workflow or task";
      return InvalidArgument(
          std::string("no ") + noun + " named " + Quote(req.target) +
          DidYouMean(req.target, names) +
          (names.empty() ? "; the file has none" : "; the file has: " + Join(names, ", ")));
    }
  }
  // A task whose kind has no runner here is refused before anything starts.
  {
    std::vector<const CompiledBody*> bodies;
    const CompiledWorkflow& top = er.single_task ? *er.single_task : file->workflows[er.workflow];
    for (const CompiledNode& n : top.nodes) CollectTaskBodies(*file, n.body, bodies, 0);
    for (const CompiledBody* b : bodies) {
      if (ctx.can_run) RETURN_IF_ERROR(ctx.can_run(b->executor, file->tasks[b->target].name));
    }
  }

  // Inputs: the document first, then --input values over it.
  std::vector<std::optional<Value>> given(iface->inputs.size());
  std::vector<std::string> names;
  for (const Variable& v : iface->inputs) names.push_back(v.name);
  auto unknown = [&](const std::string& name) {
    std::string fixed;
    if (lp != nullptr && file->workflows[lp->workflow].iface.FindInput(name) != kNoIndex) {
      return InvalidArgument("input " + Quote(name) + " is fixed by " + what +
                             " and cannot be set");
    }
    return InvalidArgument("unknown input " + Quote(name) + " for " + what +
                           DidYouMean(name, names) +
                           "; its inputs are: " + DescribeInputs(iface->inputs));
  };
  std::unique_ptr<yaml::Document> doc;
  if (!req.inputs_document.empty()) {
    yaml::ParseResult parsed = yaml::ParseText(req.inputs_document, req.inputs_document_name);
    if (!parsed.doc) {
      return InvalidArgument(req.inputs_document_name + ":" + std::to_string(parsed.error.line) +
                             ":" + std::to_string(parsed.error.col) +
                             ": invalid YAML: " + parsed.error.message);
    }
    doc = std::move(parsed.doc);
    const yaml::Node* root = doc->root();
    if (root != nullptr && !root->is_null()) {
      if (!root->is_map())
        return InvalidArgument(req.inputs_document_name +
                               ": expected a mapping of input names to values");
      for (const auto& [k, v] : root->entries) {
        uint32_t idx = iface->FindInput(k->text);
        if (idx == kNoIndex && req.ignore_fixed_inputs && lp != nullptr &&
            file->workflows[lp->workflow].iface.FindInput(k->text) != kNoIndex) {
          continue;
        }
        if (idx == kNoIndex) return unknown(k->text);
        LiteralResult lit = ValueFromNode(*v, iface->inputs[idx].type);
        if (!lit.ok()) {
          const yaml::Node* at = lit.at != nullptr ? lit.at : v;
          return InvalidArgument(req.inputs_document_name + ":" + std::to_string(at->line) + ":" +
                                 std::to_string(at->col) + ": input " + Quote(k->text) + ": " +
                                 lit.error);
        }
        given[idx] = std::move(lit.value);
      }
    }
  }
  for (const auto& [name, text] : req.text_inputs) {
    uint32_t idx = iface->FindInput(name);
    if (idx == kNoIndex) return unknown(name);
    LiteralResult lit = ValueFromText(text, iface->inputs[idx].type);
    if (!lit.ok()) {
      return InvalidArgument("--input " + name + "=" + text + ": " + lit.error + " (input " +
                             Quote(name) + " is " + iface->inputs[idx].type.ToString() + ")");
    }
    given[idx] = std::move(lit.value);
  }
  std::vector<Value> values(iface->inputs.size());
  for (size_t i = 0; i < iface->inputs.size(); ++i) {
    const Variable& v = iface->inputs[i];
    if (given[i]) {
      if (!ctx.ingest) {
        values[i] = std::move(*given[i]);
        continue;
      }
      Result<Value> ingested = ctx.ingest(*given[i]);
      if (!ingested.ok()) {
        return InvalidArgument("input " + Quote(v.name) + ": " + ingested.status().message());
      }
      values[i] = std::move(*ingested);
    } else if (v.default_value) {
      values[i] = *v.default_value;
    } else if (!v.type.IsOptional()) {
      return InvalidArgument("missing input " + Quote(v.name) + " (" + v.type.ToString() + ") of " +
                             what + ": pass --input " + v.name + "=VALUE");
    }
  }
  if (lp != nullptr) {
    // A launch plan's interface leaves out fixed inputs: put them back in workflow order.
    const Interface& wf_iface = file->workflows[lp->workflow].iface;
    std::vector<Value> full(wf_iface.inputs.size());
    for (size_t i = 0; i < iface->inputs.size(); ++i)
      full[wf_iface.FindInput(iface->inputs[i].name)] = values[i];
    for (const auto& [idx, value] : lp->fixed_inputs) full[idx] = value;
    values = std::move(full);
  }
  er.inputs = values;

  if (!req.signals.empty()) {
    const std::map<std::string, Type> gates =
        GatesOf(*file, er.single_task ? *er.single_task : file->workflows[er.workflow]);
    for (const auto& [name, text] : req.signals) {
      auto it = gates.find(name);
      if (it == gates.end()) {
        std::vector<std::string> names;
        for (const auto& [g, t] : gates) names.push_back(g);
        return InvalidArgument(
            "no gate of " + what + " waits for " + Quote(name) + DidYouMean(name, names) +
            (names.empty() ? "; it has no gates" : "; its gates are: " + Join(names, ", ")));
      }
      LiteralResult lit = ValueFromText(text, it->second);
      if (!lit.ok()) return InvalidArgument("signal " + Quote(name) + ": " + lit.error);
      er.signals.emplace_back(name, std::move(lit.value));
    }
  }

  er.options = DefaultOptions(*file, er.workflow, lp, req.max_parallelism, ctx);
  ExecutionOptions& o = er.options;
  o.overwrite_cache = req.overwrite_cache;
  o.no_cache = req.no_cache;
  o.stream_output = req.stream_output;
  o.env = req.env;
  o.gate_default_timeout_nanos = req.gate_default_timeout_nanos;
  o.gate_hint = req.gate_hint;
  o.run_dir = ctx.runs_root + "/" + key.project + "/" + key.domain + "/" + key.name;

  ExecutionRecord& rec = out.record;
  rec.key = key;
  rec.workflow = er.single_task ? er.single_task->name : file->workflows[er.workflow].name;
  rec.launch_plan = lp != nullptr ? lp->name : "";
  er.launch_plan = rec.launch_plan;  // the engine's notifications and overlap checks need it
  rec.version = ctx.version;
  rec.mode = req.mode;
  rec.source = ctx.source;
  rec.phase = ExecutionPhase::kQueued;
  rec.created_at = ctx.now;
  const std::vector<Variable>& in_vars =
      er.single_task ? er.single_task->iface.inputs : file->workflows[er.workflow].iface.inputs;
  Value::Map m;
  for (size_t i = 0; i < in_vars.size() && i < values.size(); ++i)
    m.emplace_back(in_vars[i].name, values[i]);
  rec.inputs_json = Value::FromMap(std::move(m)).ToCanonicalJson();
  rec.run_dir = o.run_dir;
  // Labels: the launch plan's, then the request's over them.
  std::vector<std::pair<std::string, std::string>> labels;
  if (lp != nullptr && lp->spec != nullptr) labels = lp->spec->labels;
  for (const auto& [k, v] : req.labels) {
    auto same =
        std::find_if(labels.begin(), labels.end(), [&](const auto& kv) { return kv.first == k; });
    if (same != labels.end()) {
      same->second = v;
    } else {
      labels.emplace_back(k, v);
    }
  }
  Value::Map label_values;
  for (const auto& [k, v] : labels) label_values.emplace_back(k, Value::Str(v));
  rec.labels_json = Value::FromMap(std::move(label_values)).ToCanonicalJson();
  ExecutionOptions asked = o;  // what the request set; the plan's parallelism is read again
  if (!req.max_parallelism) asked.max_parallelism = 0;
  rec.options_json = OptionsJson(asked);
  rec.signals_json = SignalsJson({er.signals.begin(), er.signals.end()});
  return out;
}

}  // namespace flyte
