#include "flyte/compiler.h"

#include "compiler/context.h"
#include "spec/loader.h"
#include "util/strings.h"

namespace flyte {
namespace {

std::shared_ptr<CompiledFile> CompileInto(std::shared_ptr<const spec::File> file,
                                          Diagnostics& diags) {
  auto out = std::make_shared<CompiledFile>();
  out->spec = file;
  compiler::Context ctx(*file, *out, diags);

  for (uint32_t i = 0; i < file->tasks.size(); ++i) {
    ctx.tasks.emplace(file->tasks[i].name, i);
    ctx.task_names.push_back(file->tasks[i].name);
    out->tasks.push_back(compiler::CompileTask(ctx, file->tasks[i]));
  }
  for (uint32_t i = 0; i < file->workflows.size(); ++i) {
    ctx.workflows.emplace(file->workflows[i].name, i);
    ctx.workflow_names.push_back(file->workflows[i].name);
  }
  out->workflows.resize(file->workflows.size());
  ctx.workflow_progress.assign(file->workflows.size(), compiler::Progress::kPending);

  // User launch plans first, then a default plan for every workflow that has none of its name.
  for (const spec::LaunchPlan& lp : file->launch_plans) {
    uint32_t same_name = ctx.Find(ctx.workflows, lp.name);
    if (same_name != kNoIndex && lp.workflow != lp.name) {
      ctx.Error(ErrorCode::kDuplicateId, lp.loc,
                "launch plan " + Quote(lp.name) + " has the name of workflow " + Quote(lp.name) +
                    "'s default launch plan but launches " + Quote(lp.workflow) + "; rename it");
    }
    ctx.launch_plans.emplace(lp.name, static_cast<uint32_t>(out->launch_plans.size()));
    ctx.launch_plan_names.push_back(lp.name);
    CompiledLaunchPlan c;
    c.name = lp.name;
    c.spec = &lp;
    out->launch_plans.push_back(std::move(c));
  }
  for (const spec::Workflow& wf : file->workflows) {
    if (ctx.launch_plans.count(wf.name) != 0) continue;
    ctx.launch_plans.emplace(wf.name, static_cast<uint32_t>(out->launch_plans.size()));
    ctx.launch_plan_names.push_back(wf.name);
    CompiledLaunchPlan c;
    c.name = wf.name;
    out->launch_plans.push_back(std::move(c));
  }
  ctx.launch_plan_progress.assign(out->launch_plans.size(), compiler::Progress::kPending);

  for (uint32_t i = 0; i < file->workflows.size(); ++i) {
    compiler::EnsureWorkflow(ctx, i, file->workflows[i].loc);
  }
  for (uint32_t i = 0; i < out->launch_plans.size(); ++i) {
    const CompiledLaunchPlan& lp = out->launch_plans[i];
    compiler::EnsureLaunchPlan(ctx, i, lp.spec != nullptr ? lp.spec->loc : SourceLoc{});
  }

  return out;
}

CompileOutput CompileLoaded(std::shared_ptr<const spec::File> file, Diagnostics diags) {
  std::shared_ptr<CompiledFile> out = CompileInto(std::move(file), diags);
  CompileOutput result;
  result.diagnostics = std::move(diags);
  if (result.diagnostics.ok()) result.file = std::move(out);
  return result;
}

}  // namespace

CompileOutput Compile(std::shared_ptr<const spec::File> file) {
  return CompileLoaded(std::move(file), Diagnostics());
}

CompileOutput CompileFile(const std::string& path) {
  Diagnostics diags;
  std::unique_ptr<spec::File> file = spec::LoadFile(path, diags);
  if (file == nullptr) return {nullptr, std::move(diags)};
  return CompileLoaded(std::move(file), std::move(diags));
}

CompileOutput CompileDynamic(const CompiledFile& base, uint32_t task, const std::string& path,
                             std::string text) {
  Diagnostics diags;
  const spec::Task& t = base.spec->tasks[task];
  std::unique_ptr<spec::File> file =
      spec::LoadFragment(std::make_shared<SourceFile>(path, std::move(text)), base.spec, t, diags);
  if (file == nullptr) return {nullptr, std::move(diags)};
  std::shared_ptr<CompiledFile> out = CompileInto(std::move(file), diags);
  CompiledWorkflow& frag = out->workflows.back();
  // The fragment stands in for the task: it must produce exactly the task's outputs.
  const Interface& want = base.tasks[task].iface;
  std::vector<CompiledBinding> outputs;
  std::vector<Variable> vars;
  const SourceLoc at = frag.spec->loc;
  for (const Variable& v : want.outputs) {
    uint32_t i = frag.iface.FindOutput(v.name);
    if (i == kNoIndex) {
      diags.Add(ErrorCode::kParameterNotBound, at,
                "the dynamic workflow of task " + Quote(t.name) + " must set output " +
                    Quote(v.name) + " (" + v.type.ToString() + ") under outputs:");
      continue;
    }
    if (!IsCastable(frag.iface.outputs[i].type, v.type)) {
      diags.Add(ErrorCode::kMismatchingTypes, frag.spec->outputs[i].loc,
                "output " + Quote(v.name) + " of task " + Quote(t.name) + " is " +
                    v.type.ToString() + ", but the dynamic workflow gives " +
                    frag.iface.outputs[i].type.ToString());
    }
    outputs.push_back(frag.outputs[i]);
    vars.push_back(v);
  }
  for (const Variable& v : frag.iface.outputs) {
    if (want.FindOutput(v.name) == kNoIndex) {
      diags.Add(ErrorCode::kVariableNameNotFound,
                frag.spec->outputs[frag.iface.FindOutput(v.name)].loc,
                "task " + Quote(t.name) + " has no output " + Quote(v.name) +
                    " for the dynamic workflow to set");
    }
  }
  frag.outputs = std::move(outputs);
  frag.iface.outputs = std::move(vars);
  CompileOutput result;
  result.diagnostics = std::move(diags);
  if (result.diagnostics.ok()) result.file = std::move(out);
  return result;
}

CompileOutput CompileText(const std::string& path, std::string text) {
  Diagnostics diags;
  std::unique_ptr<spec::File> file =
      spec::LoadSource(std::make_shared<SourceFile>(path, std::move(text)), diags);
  if (file == nullptr) return {nullptr, std::move(diags)};
  return CompileLoaded(std::move(file), std::move(diags));
}

}  // namespace flyte

namespace flyte {

std::shared_ptr<const CompiledWorkflow> SingleTaskWorkflow(const CompiledFile& file,
                                                           uint32_t task) {
  const CompiledTask& t = file.tasks[task];
  auto wf = std::make_shared<CompiledWorkflow>();
  wf->name = t.name;
  wf->iface = t.iface;
  CompiledNode node;
  node.id = t.name;
  node.loc = t.spec->loc;
  node.body.kind = spec::NodeKind::kTask;
  node.body.target = task;
  node.body.iface = t.iface;
  for (uint32_t i = 0; i < t.iface.inputs.size(); ++i) {
    CompiledBinding b;
    b.kind = CompiledBinding::Kind::kRef;
    b.type = t.iface.inputs[i].type;
    b.ref.node = kWorkflowInputs;
    b.ref.var = i;
    node.body.inputs.push_back({i, std::move(b)});
  }
  const spec::Task& s = *t.spec;
  node.body.retries = s.retries;
  node.body.timeout_nanos = s.timeout_nanos;
  node.body.cache = s.cache;
  node.body.resources = s.resources;
  node.body.image = s.image;
  node.body.interruptible = s.interruptible;
  if (s.kubernetes) node.body.kube_namespace = s.kubernetes->ns;
  node.body.executor = t.executor;
  wf->nodes.push_back(std::move(node));
  wf->node_index.emplace(t.name, 0);
  for (uint32_t i = 0; i < t.iface.outputs.size(); ++i) {
    CompiledBinding b;
    b.kind = CompiledBinding::Kind::kRef;
    b.type = t.iface.outputs[i].type;
    b.ref.node = 0;
    b.ref.var = i;
    wf->outputs.push_back(std::move(b));
  }
  wf->succ_begin = {0, 0};
  wf->pred_begin = {0, 0};
  wf->topo_order = {0};
  wf->critical_path = {1};
  return wf;
}

}  // namespace flyte
