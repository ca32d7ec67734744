// Launch plans: fixed and default inputs, schedules, and every workflow's default plan.
#include "compiler/context.h"
#include "spec/reader.h"
#include "types/literal.h"
#include "util/strings.h"
#include "util/yaml.h"

namespace flyte::compiler {
namespace {

void CompileUserPlan(Context& ctx, const spec::LaunchPlan& spec, CompiledLaunchPlan& lp) {
  const std::string where = "launch plan " + Quote(spec.name);
  if (lp.workflow == kNoIndex) return;
  const CompiledWorkflow& wf = ctx.out.workflows[lp.workflow];
  std::vector<std::string> names;
  for (const Variable& v : wf.iface.inputs) names.push_back(v.name);
  std::vector<bool> fixed(wf.iface.inputs.size(), false);
  std::vector<std::optional<Value>> defaults(wf.iface.inputs.size());
  // Inputs the plan gives a value, even one reported as wrong: not reported again as missing.
  std::vector<bool> given(wf.iface.inputs.size(), false);

  auto assign = [&](const std::vector<spec::LiteralAssign>& list, bool is_fixed) {
    const char* key = is_fixed ? "fixed_inputs" : "default_inputs";
    for (const spec::LiteralAssign& a : list) {
      uint32_t idx = wf.iface.FindInput(a.name);
      if (idx == kNoIndex) {
        ctx.Error(ErrorCode::kVariableNameNotFound, a.loc,
                  std::string(key) + " of " + where + ": workflow " + Quote(wf.name) +
                      " has no input " + Quote(a.name) + DidYouMean(a.name, names));
        continue;
      }
      given[idx] = true;
      if (!is_fixed && fixed[idx]) {
        ctx.Error(
            ErrorCode::kParameterBoundMoreThanOnce, a.loc,
            where + ": input " + Quote(a.name) + " is in both fixed_inputs and default_inputs");
        continue;
      }
      LiteralResult lit = ValueFromNode(*a.value, wf.iface.inputs[idx].type);
      if (!lit.ok()) {
        ctx.Error(
            lit.code, lit.at != nullptr ? spec::LocOf(*lit.at, ctx.file.source.get()) : a.loc,
            std::string(key) + " of " + where + ", input " + Quote(a.name) + ": " + lit.error);
        continue;
      }
      if (is_fixed) {
        fixed[idx] = true;
        lp.fixed_inputs.emplace_back(idx, std::move(lit.value));
      } else {
        defaults[idx] = std::move(lit.value);
      }
    }
  };
  assign(spec.fixed_inputs, true);
  assign(spec.default_inputs, false);

  for (uint32_t i = 0; i < wf.iface.inputs.size(); ++i) {
    if (fixed[i]) continue;
    Variable v = wf.iface.inputs[i];
    if (defaults[i]) v.default_value = defaults[i];
    lp.iface.inputs.push_back(std::move(v));
  }

  if (spec.schedule) {
    const spec::Schedule& s = *spec.schedule;
    if (!s.kickoff_input.empty()) {
      uint32_t idx = wf.iface.FindInput(s.kickoff_input);
      if (idx == kNoIndex) {
        ctx.Error(ErrorCode::kVariableNameNotFound, s.kickoff_loc,
                  "kickoff_input of " + where + ": workflow " + Quote(wf.name) + " has no input " +
                      Quote(s.kickoff_input) + DidYouMean(s.kickoff_input, names));
      } else if (wf.iface.inputs[idx].type.WithoutNone() != Type::Datetime()) {
        given[idx] = true;
        ctx.Error(ErrorCode::kMismatchingTypes, s.kickoff_loc,
                  "kickoff_input of " + where + ": input " + Quote(s.kickoff_input) +
                      " receives the scheduled time and must be a datetime, but it is " +
                      wf.iface.inputs[idx].type.ToString());
      } else if (fixed[idx]) {
        ctx.Error(ErrorCode::kInvalidValue, s.kickoff_loc,
                  "kickoff_input of " + where + ": input " + Quote(s.kickoff_input) +
                      " is fixed, so the schedule cannot set it");
      } else {
        lp.kickoff_input = idx;
      }
    }
    // A scheduled run has nobody to ask for inputs.
    for (uint32_t i = 0; i < wf.iface.inputs.size(); ++i) {
      const Variable& v = wf.iface.inputs[i];
      if (given[i] || i == lp.kickoff_input || !v.required()) continue;
      ctx.Error(ErrorCode::kParameterNotBound, s.loc,
                where + " runs on a schedule, but workflow input " + Quote(v.name) + " (" +
                    v.type.ToString() + ") has no value; add it to default_inputs or fixed_inputs");
    }
  }
}

}  // namespace

bool EnsureLaunchPlan(Context& ctx, uint32_t index, SourceLoc from) {
  CompiledLaunchPlan& lp = ctx.out.launch_plans[index];
  const std::string label = "launch plan " + Quote(lp.name);
  switch (ctx.launch_plan_progress[index]) {
    case Progress::kDone:
      return lp.workflow != kNoIndex;
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
  ctx.launch_plan_progress[index] = Progress::kActive;
  ctx.chain.push_back(label);
  const std::string& wf_name = lp.spec != nullptr ? lp.spec->workflow : lp.name;
  uint32_t wf = ctx.Find(ctx.workflows, wf_name);
  if (wf == kNoIndex) {
    // Without a readable `workflow:` the loader has reported the plan already.
    if (lp.spec != nullptr && lp.spec->workflow_loc.known()) {
      ctx.Error(ErrorCode::kWorkflowReferenceNotFound, lp.spec->workflow_loc,
                label + " launches unknown workflow " + Quote(wf_name) +
                    DidYouMean(wf_name, ctx.workflow_names));
    }
  } else if (EnsureWorkflow(ctx, wf, lp.spec != nullptr ? lp.spec->workflow_loc : from)) {
    lp.workflow = wf;
    lp.iface.outputs = ctx.out.workflows[wf].iface.outputs;
    if (lp.spec != nullptr) {
      CompileUserPlan(ctx, *lp.spec, lp);
    } else {
      lp.iface.inputs = ctx.out.workflows[wf].iface.inputs;
    }
  }
  ctx.chain.pop_back();
  ctx.launch_plan_progress[index] = Progress::kDone;
  return lp.workflow != kNoIndex;
}

}  // namespace flyte::compiler
