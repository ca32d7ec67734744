// Internal to the compiler: the state shared while compiling one file.
// Workflows and launch plans are compiled on demand, depth first, because a workflow's output
// types come from its bindings and a parent needs them: a workflow or launch plan that is
// reached again while it is still being compiled is a reference cycle.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "flyte/dag.h"
#include "flyte/diagnostic.h"
#include "flyte/spec.h"

namespace flyte::compiler {

enum class Progress : uint8_t { kPending, kActive, kDone };

struct Context {
  Context(const spec::File& f, CompiledFile& o, Diagnostics& d) : file(f), out(o), diags(d) {}

  const spec::File& file;
  CompiledFile& out;
  Diagnostics& diags;

  std::unordered_map<std::string, uint32_t> tasks, workflows, launch_plans;
  std::vector<std::string> task_names, workflow_names, launch_plan_names;
  std::vector<Progress> workflow_progress, launch_plan_progress;
  // "workflow 'a'", "launch plan 'b'"...: what is being compiled, outermost first.
  std::vector<std::string> chain;

  void Error(ErrorCode code, SourceLoc loc, std::string message) {
    diags.Add(code, loc, std::move(message));
  }
  uint32_t Find(const std::unordered_map<std::string, uint32_t>& m, const std::string& name) const {
    auto it = m.find(name);
    return it == m.end() ? kNoIndex : it->second;
  }
};

// task.cc
CompiledTask CompileTask(Context& ctx, const spec::Task& task);
// workflow.cc: compiles workflow `index` if it is not yet; false when it cannot be used
// (a reference cycle, reported at `from`).
bool EnsureWorkflow(Context& ctx, uint32_t index, SourceLoc from);
// launch_plan.cc
bool EnsureLaunchPlan(Context& ctx, uint32_t index, SourceLoc from);

// Interface variables from declarations.
std::vector<Variable> ToVariables(const std::vector<spec::Var>& vars);

}  // namespace flyte::compiler
