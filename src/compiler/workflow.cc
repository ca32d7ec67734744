#include <algorithm>

#include "compiler/workflow_compiler.h"
#include "types/literal.h"
#include "util/strings.h"

namespace flyte::compiler {
namespace {

std::vector<std::string> InputNames(const Interface& iface) {
  std::vector<std::string> out;
  for (const Variable& v : iface.inputs) out.push_back(v.name);
  return out;
}

std::string TargetName(const Context& ctx, const CompiledBody& body) {
  switch (body.kind) {
    case spec::NodeKind::kTask:
    case spec::NodeKind::kMap:
      return "task " + Quote(ctx.file.tasks[body.target].name);
    case spec::NodeKind::kWorkflow:
      return "workflow " + Quote(ctx.out.workflows[body.target].name);
    case spec::NodeKind::kLaunchPlan:
      return "launch plan " + Quote(ctx.out.launch_plans[body.target].name);
    default:
      return std::string("a ") + spec::NodeKindName(body.kind) + " node";
  }
}

bool ToleratesFailures(const spec::NodeBody& b) {
  return (b.min_success_ratio && *b.min_success_ratio < 1.0) || b.min_successes.has_value();
}

}  // namespace

WorkflowCompiler::WorkflowCompiler(Context& ctx, const spec::Workflow& spec, CompiledWorkflow& out)
    : ctx_(ctx), spec_(spec), out_(out) {}

std::string WorkflowCompiler::Where(const std::string& node_id) const {
  return "node " + Quote(node_id);
}

void WorkflowCompiler::Run() {
  out_.name = spec_.name;
  out_.spec = &spec_;
  out_.iface.inputs = ToVariables(spec_.inputs);
  out_.failure_policy = spec_.failure_policy;
  out_.max_parallelism = spec_.max_parallelism;
  const size_t n = spec_.nodes.size();
  out_.node_index.reserve(n);
  for (uint32_t i = 0; i < n; ++i) out_.node_index.emplace(spec_.nodes[i].id, i);
  headers_.resize(n);
  for (uint32_t i = 0; i < n; ++i) NodeHeader(i);
  out_.nodes.resize(n);
  for (uint32_t i = 0; i < n; ++i) {
    const spec::Node& node = spec_.nodes[i];
    current_ = i;
    out_.nodes[i].id = node.id;
    out_.nodes[i].loc = node.loc;
    out_.nodes[i].body = CompileBody(node.body, node.id, node.loc);
    for (const auto& [id, loc] : node.after) {
      uint32_t up = out_.FindNode(id);
      if (up == kNoIndex) {
        std::vector<std::string> ids;
        for (const spec::Node& other : spec_.nodes) ids.push_back(other.id);
        ctx_.Error(ErrorCode::kNodeReferenceNotFound, loc,
                   "'after' of " + Where(node.id) + " names unknown node " + Quote(id) +
                       DidYouMean(id, ids));
      } else {
        edges_.emplace_back(up, i);
      }
    }
  }
  current_ = kNoIndex;
  CompileOutputs();
  CompileOnFailure();
  BuildGraph();
}

WorkflowCompiler::Header& WorkflowCompiler::NodeHeader(uint32_t node) {
  Header& h = headers_[node];
  if (h.progress != Progress::kPending) return h;  // kActive: an approve gate chain loops
  h.progress = Progress::kActive;
  ResolveHeader(spec_.nodes[node].body, h.body, h.outputs, spec_.nodes[node].id);
  h.progress = Progress::kDone;
  return h;
}

// Fills kind, target and interface. An unresolvable target leaves the outputs `any`, so
// references to the node are not reported a second time.
void WorkflowCompiler::ResolveHeader(const spec::NodeBody& spec, CompiledBody& body,
                                     std::vector<OutputInfo>& outs, const std::string& node_id) {
  body.kind = spec.kind;
  body.target = kNoIndex;
  auto lookup = [&](const std::unordered_map<std::string, uint32_t>& index,
                    const std::vector<std::string>& names, ErrorCode code, const char* what) {
    // No (readable) target: the loader has reported it already.
    if (!spec.target_loc.known()) return kNoIndex;
    uint32_t idx = ctx_.Find(index, spec.target);
    if (idx == kNoIndex) {
      ctx_.Error(code, spec.target_loc,
                 Where(node_id) + " runs unknown " + what + " " + Quote(spec.target) +
                     DidYouMean(spec.target, names));
    }
    return idx;
  };
  switch (spec.kind) {
    case spec::NodeKind::kTask:
    case spec::NodeKind::kMap: {
      body.target = lookup(ctx_.tasks, ctx_.task_names, ErrorCode::kTaskReferenceNotFound, "task");
      if (body.target == kNoIndex) break;
      body.iface = ctx_.out.tasks[body.target].iface;
      if (spec.kind == spec::NodeKind::kMap) {
        for (Variable& v : body.iface.outputs) {
          v.type = Type::List(ToleratesFailures(spec) ? Type::Optional(v.type) : v.type);
          v.default_value.reset();
        }
      }
      break;
    }
    case spec::NodeKind::kWorkflow: {
      body.target = lookup(ctx_.workflows, ctx_.workflow_names,
                           ErrorCode::kWorkflowReferenceNotFound, "workflow");
      if (body.target == kNoIndex || !EnsureWorkflow(ctx_, body.target, spec.target_loc)) {
        body.target = kNoIndex;
        break;
      }
      body.iface = ctx_.out.workflows[body.target].iface;
      break;
    }
    case spec::NodeKind::kLaunchPlan: {
      body.target = lookup(ctx_.launch_plans, ctx_.launch_plan_names,
                           ErrorCode::kLaunchPlanReferenceNotFound, "launch plan");
      if (body.target == kNoIndex || !EnsureLaunchPlan(ctx_, body.target, spec.target_loc)) {
        body.target = kNoIndex;
        break;
      }
      body.iface = ctx_.out.launch_plans[body.target].iface;
      break;
    }
    case spec::NodeKind::kBranch: {
      // Outputs are the union over the cases that run something; an output is usable only
      // when every such case produces it with the same type.
      std::vector<std::pair<std::string, std::vector<std::string>>> produced;  // label, names
      for (size_t c = 0; c < spec.cases.size(); ++c) {
        const spec::BranchCase& bc = spec.cases[c];
        if (!bc.body) continue;
        CompiledBody cb;
        std::vector<OutputInfo> co;
        ResolveHeader(*bc.body, cb, co, node_id);
        bool runs_entity = cb.kind == spec::NodeKind::kTask || cb.kind == spec::NodeKind::kMap ||
                           cb.kind == spec::NodeKind::kWorkflow ||
                           cb.kind == spec::NodeKind::kLaunchPlan;
        if (runs_entity && cb.target == kNoIndex) continue;  // reported; its outputs are unknown
        std::string label =
            (bc.is_else ? std::string("the else case") : "case " + std::to_string(c + 1)) + " (" +
            TargetName(ctx_, cb) + ")";
        std::vector<std::string> names;
        for (size_t o = 0; o < cb.iface.outputs.size(); ++o) {
          const Variable& v = cb.iface.outputs[o];
          names.push_back(v.name);
          uint32_t have = body.iface.FindOutput(v.name);
          if (have == kNoIndex) {
            body.iface.outputs.push_back({v.name, v.type, std::nullopt, v.description});
            outs.push_back(co[o]);
          } else if (body.iface.outputs[have].type != v.type && outs[have].problem.empty()) {
            outs[have].problem = "output " + Quote(v.name) + " of branch " + Quote(node_id) +
                                 " is " + body.iface.outputs[have].type.ToString() +
                                 " in one case but " + v.type.ToString() + " in " + label;
          }
        }
        produced.emplace_back(std::move(label), std::move(names));
      }
      for (size_t o = 0; o < body.iface.outputs.size(); ++o) {
        if (!outs[o].problem.empty()) continue;
        const std::string& name = body.iface.outputs[o].name;
        for (const auto& [label, names] : produced) {
          if (std::find(names.begin(), names.end(), name) == names.end()) {
            outs[o].problem = Quote(name) + " is not produced by " + label + " of branch " +
                              Quote(node_id) +
                              "; every case must produce the outputs used downstream";
            outs[o].problem_code = ErrorCode::kVariableNameNotFound;
            break;
          }
        }
      }
      return;
    }
    case spec::NodeKind::kSleep:
      break;
    case spec::NodeKind::kApprove: {
      Type t = spec.gate_value ? InferType(*spec.gate_value) : Type::Any();
      body.iface.outputs.push_back({"value", t, std::nullopt, "the approved value"});
      break;
    }
    case spec::NodeKind::kSignal:
      body.iface.outputs.push_back(
          {"value", spec.signal_type, std::nullopt, "the signalled value"});
      break;
  }
  outs.clear();
  for (const Variable& v : body.iface.outputs) outs.push_back({v.type, ""});
}

CompiledBody WorkflowCompiler::CompileBody(const spec::NodeBody& spec, const std::string& node_id,
                                           SourceLoc at) {
  CompiledBody body;
  std::vector<OutputInfo> outs;
  ResolveHeader(spec, body, outs, node_id);
  const std::string where = Where(node_id);
  switch (spec.kind) {
    case spec::NodeKind::kTask:
    case spec::NodeKind::kWorkflow:
    case spec::NodeKind::kLaunchPlan:
      BindInputs(spec, body, where, at);
      if (spec.kind == spec::NodeKind::kTask) ApplyTaskSettings(spec, body);
      break;
    case spec::NodeKind::kMap:
      CompileMap(spec, body, where);
      ApplyTaskSettings(spec, body);
      break;
    case spec::NodeKind::kBranch:
      for (const spec::BranchCase& bc : spec.cases) {
        CompiledCase cc;
        if (bc.condition)
          cc.condition = CompileCondition(*bc.condition, "branch " + Quote(node_id));
        cc.fail_message = bc.fail_message;
        if (bc.body)
          cc.body = std::make_shared<CompiledBody>(CompileBody(*bc.body, node_id, bc.loc));
        body.cases.push_back(std::move(cc));
      }
      break;
    case spec::NodeKind::kSleep:
      if (spec.gate_value) {
        body.gate_value = Bind(*spec.gate_value, Type::Duration(), "sleep of " + where);
      }
      break;
    case spec::NodeKind::kApprove:
      if (spec.gate_value) {
        body.gate_value = Bind(*spec.gate_value, body.iface.outputs[0].type, "approve of " + where);
      }
      break;
    case spec::NodeKind::kSignal:
      body.signal_name = spec.signal_name;
      break;
  }
  if (spec.kind != spec::NodeKind::kTask && spec.kind != spec::NodeKind::kMap) {
    body.timeout_nanos = spec.overrides.timeout_nanos;
  }
  return body;
}

void WorkflowCompiler::BindInputs(const spec::NodeBody& spec, CompiledBody& body,
                                  const std::string& where, SourceLoc at) {
  if (body.target == kNoIndex) {
    // Still check the bindings themselves, and keep their edges.
    for (const spec::InputBinding& ib : spec.inputs)
      Bind(ib.value, Type::Any(), "input " + Quote(ib.name));
    return;
  }
  const std::string target = TargetName(ctx_, body);
  std::vector<bool> bound(body.iface.inputs.size(), false);
  const CompiledLaunchPlan* lp =
      spec.kind == spec::NodeKind::kLaunchPlan ? &ctx_.out.launch_plans[body.target] : nullptr;
  for (const spec::InputBinding& ib : spec.inputs) {
    uint32_t idx = body.iface.FindInput(ib.name);
    if (idx == kNoIndex) {
      std::string fixed;
      if (lp != nullptr) {
        const Interface& wf = ctx_.out.workflows[lp->workflow].iface;
        uint32_t w = wf.FindInput(ib.name);
        if (w != kNoIndex) {
          ctx_.Error(ErrorCode::kInvalidValue, ib.loc,
                     where + ": input " + Quote(ib.name) + " is fixed by " + target +
                         " and cannot be set");
          Bind(ib.value, Type::Any(), "input " + Quote(ib.name));
          continue;
        }
      }
      ctx_.Error(ErrorCode::kVariableNameNotFound, ib.loc,
                 where + ": " + target + " has no input " + Quote(ib.name) +
                     DidYouMean(ib.name, InputNames(body.iface)));
      Bind(ib.value, Type::Any(), "input " + Quote(ib.name));
      continue;
    }
    bound[idx] = true;
    body.inputs.push_back({idx, Bind(ib.value, body.iface.inputs[idx].type,
                                     "input " + Quote(ib.name) + " of " + target)});
  }
  for (uint32_t i = 0; i < bound.size(); ++i) {
    const Variable& v = body.iface.inputs[i];
    if (!bound[i] && v.required()) {
      ctx_.Error(ErrorCode::kParameterNotBound, at,
                 where + ": input " + Quote(v.name) + " (" + v.type.ToString() + ") of " + target +
                     " is not bound");
    }
  }
}

void WorkflowCompiler::CompileMap(const spec::NodeBody& spec, CompiledBody& body,
                                  const std::string& where) {
  body.concurrency = spec.concurrency.value_or(0);
  body.min_success_ratio = spec.min_success_ratio.value_or(1.0);
  body.min_successes = spec.min_successes;
  if (body.target == kNoIndex) {
    for (const spec::InputBinding& ib : spec.inputs)
      Bind(ib.value, Type::Any(), "input " + Quote(ib.name));
    return;
  }
  const std::string target = TargetName(ctx_, body);
  std::vector<bool> mapped(body.iface.inputs.size(), spec.over.empty());
  if (!spec.over.empty()) {
    for (const auto& [name, loc] : spec.over) {
      uint32_t idx = body.iface.FindInput(name);
      if (idx == kNoIndex) {
        ctx_.Error(ErrorCode::kVariableNameNotFound, loc,
                   "over of " + where + ": " + target + " has no input " + Quote(name) +
                       DidYouMean(name, InputNames(body.iface)));
      } else {
        mapped[idx] = true;
      }
    }
  }
  std::vector<bool> bound(body.iface.inputs.size(), false);
  for (const spec::InputBinding& ib : spec.inputs) {
    uint32_t idx = body.iface.FindInput(ib.name);
    if (idx == kNoIndex) {
      ctx_.Error(ErrorCode::kVariableNameNotFound, ib.loc,
                 where + ": " + target + " has no input " + Quote(ib.name) +
                     DidYouMean(ib.name, InputNames(body.iface)));
      Bind(ib.value, Type::Any(), "input " + Quote(ib.name));
      continue;
    }
    bound[idx] = true;
    const Type& t = body.iface.inputs[idx].type;
    body.inputs.push_back(
        {idx, Bind(ib.value, mapped[idx] ? Type::List(t) : t,
                   (mapped[idx] ? "mapped input " : "input ") + Quote(ib.name) + " of " + target)});
  }
  for (uint32_t i = 0; i < bound.size(); ++i) {
    const Variable& v = body.iface.inputs[i];
    if (mapped[i] && bound[i]) body.mapped_inputs.push_back(i);
    if (bound[i]) continue;
    if (mapped[i] && !spec.over.empty()) {
      ctx_.Error(ErrorCode::kParameterNotBound, spec.loc,
                 where + ": mapped input " + Quote(v.name) + " of " + target + " is not bound");
    } else if (v.required()) {
      ctx_.Error(ErrorCode::kParameterNotBound, spec.loc,
                 where + ": input " + Quote(v.name) + " (" + v.type.ToString() + ") of " + target +
                     " is not bound");
    }
  }
  if (body.mapped_inputs.empty() && spec.over.empty()) {
    ctx_.Error(ErrorCode::kValueRequired, spec.loc,
               where + " maps over nothing: bind a list to one of the inputs of " + target);
  }
}

void WorkflowCompiler::ApplyTaskSettings(const spec::NodeBody& spec, CompiledBody& body) {
  if (body.target == kNoIndex) return;
  const spec::Task& task = ctx_.file.tasks[body.target];
  const spec::Overrides& o = spec.overrides;
  body.retries = o.retries.value_or(task.retries);
  body.timeout_nanos = o.timeout_nanos ? o.timeout_nanos : task.timeout_nanos;
  body.cache = o.cache ? *o.cache : task.cache;
  body.resources = o.resources ? o.resources : task.resources;
  body.image = o.image.value_or(task.image);
  body.interruptible = o.interruptible.value_or(task.interruptible);
  body.kube_namespace =
      o.kube_namespace.value_or(task.kubernetes ? task.kubernetes->ns : std::string());
  body.executor = ctx_.out.tasks[body.target].executor;
  // A node that gives a plain task an image runs it as a container.
  if (body.executor == ExecutorKind::kProcess && !body.image.empty())
    body.executor = ExecutorKind::kContainer;
  if (o.cache) {
    for (const auto& [name, loc] : o.cache->ignore_inputs) {
      if (body.iface.FindInput(name) == kNoIndex) {
        ctx_.Error(ErrorCode::kVariableNameNotFound, loc,
                   "ignore_inputs: task " + Quote(task.name) + " has no input " + Quote(name) +
                       DidYouMean(name, InputNames(ctx_.out.tasks[body.target].iface)));
      }
    }
  }
}

void WorkflowCompiler::CompileOutputs() {
  for (const spec::OutputDecl& o : spec_.outputs) {
    std::string what = "output " + Quote(o.name) + " of workflow " + Quote(spec_.name);
    Type type = o.type ? *o.type : InferType(o.value);
    if (!o.type && type.kind() == TypeKind::kAny && o.value.kind != spec::Binding::Kind::kRef) {
      ctx_.Error(ErrorCode::kInvalidType, o.value.loc,
                 "cannot tell the type of " + what + "; declare it: {value: ..., type: TYPE}");
    }
    out_.outputs.push_back(Bind(o.value, type, what));
    out_.iface.outputs.push_back({o.name, type, std::nullopt, o.description});
  }
}

void WorkflowCompiler::CompileOnFailure() {
  if (!spec_.on_failure) return;
  const spec::FailureHandler& h = *spec_.on_failure;
  CompiledBody body;
  body.kind = h.kind;
  const bool is_task = h.kind == spec::NodeKind::kTask;
  body.target = ctx_.Find(is_task ? ctx_.tasks : ctx_.workflows, h.target);
  std::string where = "on_failure of workflow " + Quote(spec_.name);
  if (body.target == kNoIndex) {
    ctx_.Error(is_task ? ErrorCode::kTaskReferenceNotFound : ErrorCode::kWorkflowReferenceNotFound,
               h.target_loc,
               where + " runs unknown " + (is_task ? "task " : "workflow ") + Quote(h.target) +
                   DidYouMean(h.target, is_task ? ctx_.task_names : ctx_.workflow_names));
    return;
  }
  if (!is_task && !EnsureWorkflow(ctx_, body.target, h.target_loc)) return;
  body.iface = is_task ? ctx_.out.tasks[body.target].iface : ctx_.out.workflows[body.target].iface;
  const std::string target = TargetName(ctx_, body);
  failure_scope_ = true;
  std::vector<bool> bound(body.iface.inputs.size(), false);
  for (const spec::InputBinding& ib : h.inputs) {
    uint32_t idx = body.iface.FindInput(ib.name);
    if (idx == kNoIndex) {
      ctx_.Error(ErrorCode::kVariableNameNotFound, ib.loc,
                 where + ": " + target + " has no input " + Quote(ib.name) +
                     DidYouMean(ib.name, InputNames(body.iface)));
      continue;
    }
    bound[idx] = true;
    body.inputs.push_back({idx, Bind(ib.value, body.iface.inputs[idx].type,
                                     "input " + Quote(ib.name) + " of " + target)});
  }
  failure_scope_ = false;
  for (uint32_t i = 0; i < bound.size(); ++i) {
    if (bound[i]) continue;
    const Variable& v = body.iface.inputs[i];
    CompiledBinding b;
    b.kind = CompiledBinding::Kind::kRef;
    uint32_t wf_input = out_.iface.FindInput(v.name);
    if (v.name == "error") {
      b.type = Type::Str();
      b.ref.node = kFailureError;
    } else if (wf_input != kNoIndex) {
      b.type = out_.iface.inputs[wf_input].type;
      b.ref.node = kWorkflowInputs;
      b.ref.var = wf_input;
    } else {
      if (v.required()) {
        ctx_.Error(ErrorCode::kParameterNotBound, h.loc,
                   where + ": input " + Quote(v.name) + " (" + v.type.ToString() + ") of " +
                       target + " is neither a workflow input nor 'error'; bind it under inputs");
      }
      continue;
    }
    if (!IsCastable(b.type, v.type)) {
      ctx_.Error(ErrorCode::kMismatchingTypes, h.loc,
                 where + ": input " + Quote(v.name) + " of " + target + " expects " +
                     v.type.ToString() + ", but " +
                     (v.name == "error" ? std::string("the error message")
                                        : "workflow input " + Quote(v.name)) +
                     " is " + b.type.ToString());
    }
    body.inputs.push_back({i, std::move(b)});
  }
  if (is_task) {
    spec::NodeBody none;
    none.kind = spec::NodeKind::kTask;
    ApplyTaskSettings(none, body);
  }
  out_.on_failure = std::move(body);
}

bool EnsureWorkflow(Context& ctx, uint32_t index, SourceLoc from) {
  const std::string label = "workflow " + Quote(ctx.file.workflows[index].name);
  switch (ctx.workflow_progress[index]) {
    case Progress::kDone:
      return true;
    case Progress::kActive: {
      std::string cycle;
      bool in = false;
      for (const std::string& c : ctx.chain) {
        in = in || c == label;
        if (in) cycle += c + " -> ";
      }
      ctx.Error(ErrorCode::kCycleDetected, from,
                cycle + label + ": a workflow cannot run itself, directly or through others");
      return false;
    }
    case Progress::kPending:
      break;
  }
  ctx.workflow_progress[index] = Progress::kActive;
  ctx.chain.push_back(label);
  WorkflowCompiler(ctx, ctx.file.workflows[index], ctx.out.workflows[index]).Run();
  ctx.chain.pop_back();
  ctx.workflow_progress[index] = Progress::kDone;
  return true;
}

}  // namespace flyte::compiler
