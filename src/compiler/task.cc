// Tasks: resolving the `{{ inputs.x }}` / `{{ outputs.y }}` holes of command, script and env,
// and hashing the definition for the cache.
#include "compiler/context.h"
#include "spec/resource_plugin.h"
#include "util/sha256.h"
#include "util/strings.h"

namespace flyte::compiler {
namespace {

std::vector<std::string> Names(const std::vector<Variable>& vars) {
  std::vector<std::string> out;
  for (const Variable& v : vars) out.push_back(v.name);
  return out;
}

CompiledTemplate CompileTemplate(Context& ctx, const spec::Task& task, const Interface& iface,
                                 const spec::Template& tpl, const std::string& where) {
  CompiledTemplate out;
  for (const spec::TemplatePart& part : tpl.parts) {
    if (!part.ref) {
      out.push_back({TemplateSegment::Kind::kText, part.text, 0});
      continue;
    }
    const spec::Ref& ref = *part.ref;
    std::string shown = "'{{ " + ref.ToString() + " }}'";
    if (ref.root == spec::Ref::Root::kNode) {
      ctx.Error(ErrorCode::kVariableNameNotFound, ref.loc,
                shown + " in " + where + " of task " + Quote(task.name) +
                    ": a task can only use {{ inputs.NAME }} and {{ outputs.NAME }}");
      continue;
    }
    if (!ref.path.empty()) {
      ctx.Error(ErrorCode::kFieldNotFound, ref.loc,
                shown + " in " + where + " of task " + Quote(task.name) +
                    ": attribute access is not available in task templates; read the input "
                    "file from $FLYTE_INPUT_DIR instead");
      continue;
    }
    bool is_input = ref.root == spec::Ref::Root::kInputs;
    const std::vector<Variable>& vars = is_input ? iface.inputs : iface.outputs;
    uint32_t idx = is_input ? iface.FindInput(ref.var) : iface.FindOutput(ref.var);
    if (idx == kNoIndex) {
      ctx.Error(ErrorCode::kVariableNameNotFound, ref.loc,
                shown + " in " + where + ": task " + Quote(task.name) + " has no " +
                    (is_input ? "input " : "output ") + Quote(ref.var) +
                    DidYouMean(ref.var, Names(vars)));
      continue;
    }
    out.push_back(
        {is_input ? TemplateSegment::Kind::kInput : TemplateSegment::Kind::kOutput, "", idx});
  }
  return out;
}

// A length-prefixed field, so that no two different definitions serialize the same.
void Field(std::string& out, std::string_view tag, std::string_view value) {
  out += tag;
  out += std::to_string(value.size());
  out += ':';
  out += value;
}

std::string TemplateText(const spec::Template& tpl) {
  std::string out;
  for (const spec::TemplatePart& p : tpl.parts) {
    if (p.ref) {
      out += "{{" + p.ref->ToString() + "}}";
    } else {
      for (size_t i = 0; i < p.text.size(); ++i) {
        if (p.text.compare(i, 2, "{{") == 0) out += '\\';
        out += p.text[i];
      }
    }
  }
  return out;
}

}  // namespace

std::vector<Variable> ToVariables(const std::vector<spec::Var>& vars) {
  std::vector<Variable> out;
  out.reserve(vars.size());
  for (const spec::Var& v : vars) out.push_back({v.name, v.type, v.default_value, v.description});
  return out;
}

CompiledTask CompileTask(Context& ctx, const spec::Task& task) {
  CompiledTask t;
  t.name = task.name;
  t.spec = &task;
  switch (task.plugin.kind) {
    case spec::PluginKind::kDask:
      t.executor = ExecutorKind::kDask;
      break;
    case spec::PluginKind::kRay:
      t.executor = ExecutorKind::kRay;
      break;
    case spec::PluginKind::kSpark:
      t.executor = ExecutorKind::kSpark;
      break;
    case spec::PluginKind::kPytorch:
      t.executor = ExecutorKind::kPytorch;
      break;
    case spec::PluginKind::kResource:
      t.executor = ExecutorKind::kResource;
      break;
    case spec::PluginKind::kNone:
      t.executor = task.image.empty() ? ExecutorKind::kProcess : ExecutorKind::kContainer;
      break;
  }
  // plugin: resource creates an object on the cluster and runs nothing here.
  if (task.runner == spec::RunnerChoice::kLocal && t.executor != ExecutorKind::kResource)
    t.executor = ExecutorKind::kLocal;
  // `runner: kubernetes` runs as a Pod (its image, else the default one), never here.
  if (task.runner == spec::RunnerChoice::kKubernetes &&
      (t.executor == ExecutorKind::kProcess || t.executor == ExecutorKind::kContainer)) {
    t.executor = ExecutorKind::kKubernetes;
  }
  t.iface.inputs = ToVariables(task.inputs);
  t.iface.outputs = ToVariables(task.outputs);
  for (const spec::Template& arg : task.command) {
    t.command.push_back(CompileTemplate(ctx, task, t.iface, arg, "command"));
  }
  if (task.script) t.script = CompileTemplate(ctx, task, t.iface, *task.script, "script");
  for (const auto& [name, value] : task.env) {
    t.env.emplace_back(name, CompileTemplate(ctx, task, t.iface, value, "env " + name));
  }
  for (const auto& [name, loc] : task.cache.ignore_inputs) {
    uint32_t idx = t.iface.FindInput(name);
    if (idx == kNoIndex) {
      ctx.Error(ErrorCode::kVariableNameNotFound, loc,
                "ignore_inputs of task " + Quote(task.name) + ": task has no input " + Quote(name) +
                    DidYouMean(name, Names(t.iface.inputs)));
    } else {
      t.cache_ignored_inputs.push_back(idx);
    }
  }

  std::string def;
  for (const spec::Template& arg : task.command) Field(def, "arg", TemplateText(arg));
  if (task.script) {
    Field(def, "script", TemplateText(*task.script));
    for (const std::string& s : task.shell) Field(def, "shell", s);
  }
  for (const auto& [name, value] : task.env) Field(def, "env", name + "=" + TemplateText(value));
  Field(def, "image", task.image);
  Field(def, "workdir", task.workdir);
  Field(def, "dynamic", task.dynamic ? "1" : "0");
  for (const Variable& v : t.iface.inputs) Field(def, "in", v.name + ":" + v.type.ToString());
  for (const Variable& v : t.iface.outputs) Field(def, "out", v.name + ":" + v.type.ToString());
  // A plugin's cluster (roles, replicas, images, resources, settings) shapes what the task
  // computes with, so it is part of the definition; tasks without one hash as they always did,
  // which keeps their cache entries.
  if (task.plugin.kind != spec::PluginKind::kNone &&
      task.plugin.kind != spec::PluginKind::kResource) {
    Field(def, "plugin", std::to_string(static_cast<int>(task.plugin.kind)));
    auto amounts = [&def](const char* what, const spec::ResourceAmounts& a) {
      auto opt = [](const std::optional<int64_t>& v) {
        return v ? std::to_string(*v) : std::string("-");
      };
      Field(def, what,
            opt(a.cpu_millis) + "/" + opt(a.mem_bytes) + "/" + opt(a.gpu) + "/" +
                opt(a.storage_bytes));
    };
    for (const spec::PluginRole& role : task.plugin.roles) {
      Field(def, "role", role.role);
      Field(def, "replicas", role.replicas ? std::to_string(*role.replicas) : "-");
      Field(def, "role_image", role.image);
      if (role.resources) {
        amounts("requests", role.resources->requests);
        amounts("limits", role.resources->limits);
      }
    }
    if (task.plugin.settings) Field(def, "settings", task.plugin.settings->ToCanonicalJson());
    if (!task.plugin.version.empty()) Field(def, "version", task.plugin.version);
  }
  // plugin: resource: its manifest and conditions (hashed as before it had a kind of its own).
  if (task.plugin.kind == spec::PluginKind::kResource && task.plugin.settings)
    Field(def, "resource", task.plugin.settings->ToCanonicalJson());
  t.definition_hash = Sha256Hex(def);
  return t;
}

}  // namespace flyte::compiler
